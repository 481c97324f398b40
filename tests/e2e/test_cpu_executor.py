#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CPU executor (oneDNN) operator by operator on odd shapes, against
PyTorch: channel counts that fill no channel block (3, 5, 7, 13), odd
sizes, 1-, 2- and 3-D, transposed convolutions both lowered (kernel =
stride) and not, fused activations of every kind, concatenations whose
inputs do not line up with channel blocks, broadcasting Add and Mul,
pooling with ceil mode and padding, resizing, softmax.  Each small model
is exported by PyTorch and run by `calvaria-cli infer --raw --device cpu`
with CALVARIA_NN_REFUSE_REFERENCE set, so a convolution that oneDNN would
run on its reference code fails the case.  The same input twice in one
process (batch of two shapes) is covered by the unet-vs-torch and patches
tests.  TAP output."""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn

from tap import Tap

TOLERANCE = 1e-4


class Cat(nn.Module):
    """Two branches of odd channel counts joined on the channel axis, then
    a convolution over the join."""
    def __init__(self, dims):
        super().__init__()
        conv = nn.Conv3d if dims == 3 else nn.Conv2d
        self.a, self.b = conv(3, 5, 3, padding=1), conv(3, 3, 1)
        self.c = conv(8, 7, 3, padding=1)

    def forward(self, x):
        return self.c(torch.cat([torch.relu(self.a(x)), self.b(x)], 1))


class Residual(nn.Module):
    """Add of two activations, Mul by a per-channel constant, Add of a
    scalar: broadcasting B."""
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Conv2d(3, 13, 3, padding=1), nn.Conv2d(3, 13, 1)
        self.scale = nn.Parameter(torch.randn(1, 13, 1, 1))

    def forward(self, x):
        return (self.a(x) + self.b(x)) * self.scale + 0.25


class UpDown(nn.Module):
    """Lowered transposed convolutions (kernel = stride) of channel counts
    that fill no block, and one that is not lowered (kernel 3, stride 2,
    padding 1, output padding 1), with a PReLU and a LeakyReLU fused."""
    def __init__(self, dims):
        super().__init__()
        conv = nn.Conv3d if dims == 3 else nn.Conv2d
        up = nn.ConvTranspose3d if dims == 3 else nn.ConvTranspose2d
        self.down = conv(3, 5, 3, stride=2, padding=1)
        self.up2 = up(5, 7, 2, stride=2)
        self.act = nn.PReLU(7)
        self.up3 = up(7, 3, 3, stride=2, padding=1, output_padding=1)

    def forward(self, x):
        return nn.functional.leaky_relu(self.up3(self.act(self.up2(self.down(x)))), 0.1)


def cases():
    torch.manual_seed(11)
    return [
        ("conv 1-D, 7 channels, dilation 2", nn.Sequential(nn.Conv1d(3, 7, 3, dilation=2, padding=2), nn.ReLU()),
         [2, 3, 37]),
        ("conv 2-D, 5 → 13, stride 2, groups 1, sigmoid", nn.Sequential(nn.Conv2d(5, 13, 3, stride=2, padding=1),
                                                                         nn.Sigmoid()), [1, 5, 23, 17]),
        ("grouped conv 2-D, 6 → 9 in 3 groups, clip", nn.Sequential(nn.Conv2d(6, 9, 3, groups=3, padding=1),
                                                                   nn.Hardtanh(-0.5, 0.5)), [2, 6, 19, 21]),
        ("conv 3-D, 3 → 5, odd sizes", nn.Conv3d(3, 5, 3, padding=1), [1, 3, 9, 11, 7]),
        ("concat of 5 + 3 channels, 2-D", Cat(2), [1, 3, 21, 19]),
        ("concat of 5 + 3 channels, 3-D", Cat(3), [1, 3, 7, 9, 11]),
        ("add, per-channel mul, scalar add", Residual(), [3, 3, 17, 15]),
        ("transposed convolutions, lowered and not, 2-D", UpDown(2), [1, 3, 18, 22]),
        ("transposed convolutions, lowered and not, 3-D", UpDown(3), [1, 3, 6, 10, 8]),
        ("max pool ceil mode, average pool with padding", nn.Sequential(
            nn.Conv2d(3, 5, 1), nn.MaxPool2d(3, stride=2, ceil_mode=True),
            nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)), [1, 3, 20, 15]),
        ("nearest and bilinear resize", nn.Sequential(
            nn.Conv2d(3, 5, 1), nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)), [1, 3, 7, 9]),
        ("softmax over channels", nn.Sequential(nn.Conv2d(3, 7, 3, padding=1), nn.Softmax(dim=1)), [2, 3, 13, 11]),
    ]


def check_case(t, cli, tmp, index, name, model, shape):
    model.eval()
    for p in model.parameters():   # weights well away from zero, as trained ones are
        p.data = torch.randn_like(p) * 0.5
    x = torch.randn(*shape)
    path = os.path.join(tmp, f"case{index}")
    os.makedirs(path)
    torch.onnx.export(model, x, os.path.join(path, "model.onnx"), opset_version=13)
    with torch.no_grad():
        expected = model(x).numpy()
    np.save(os.path.join(path, "input.npy"), x.numpy())
    r = subprocess.run([cli, "infer", os.path.join(path, "model.onnx"), "--raw", os.path.join(path, "input.npy"),
                        os.path.join(path, "out.npy"), "--device", "cpu"], capture_output=True, text=True,
                       errors="replace", env=dict(os.environ, CALVARIA_NN_REFUSE_REFERENCE="1"))
    t.check(r.returncode == 0, f"{name}: runs on the CPU executor, no reference convolution", r.stderr)
    if r.returncode != 0:
        return
    got = np.load(os.path.join(path, "out.npy"))
    diff = float(np.abs(got - expected).max()) if got.shape == expected.shape else float("inf")
    scale = max(1.0, float(np.abs(expected).max()))
    t.check(diff <= TOLERANCE * scale, f"{name} {shape}: max |CPU − PyTorch| = {diff:.2e} ≤ {TOLERANCE:g} × {scale:.3g}",
            f"shapes {got.shape} {expected.shape}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    a = ap.parse_args()
    t = Tap()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory(prefix="cal-cpu-executor-") as tmp:
        for i, (name, model, shape) in enumerate(cases()):
            check_case(t, a.cli, tmp, i, name, model, shape)
    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
