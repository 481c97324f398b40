#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Both ways the convolution kernels read their operands, against PyTorch.

Where the device has push descriptors (lavapipe does), convolutions read
inputs and weights as texels, and rows whose width is a multiple of 4 as
vec4 texels with the row's borders masked off; elsewhere (CALVARIA_NN_TEXELS=0,
or devices without the extension) through buffer addresses.  Each case is a
single Conv or ConvTranspose with random weights, exported by PyTorch and run
by `calvaria-cli infer --raw` both ways: kernels 1–7, pads 0 to past the
window (and asymmetric), strides, dilations, groups, widths that are and are
not multiples of 4, 1-D and 3-D.  TAP output."""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

from tap import Tap

TOLERANCE = 1e-4

# (name, module factory, input shape)
CASES = [
    ("3x3 pad 1, width 36", lambda: torch.nn.Conv2d(5, 6, 3, padding=1), (2, 5, 9, 36)),
    ("3x3 pad 1, width 37", lambda: torch.nn.Conv2d(5, 6, 3, padding=1), (1, 5, 9, 37)),
    ("1x1, width 40", lambda: torch.nn.Conv2d(7, 5, 1), (1, 7, 6, 40)),
    ("5x5 pad 2, width 44", lambda: torch.nn.Conv2d(3, 9, 5, padding=2), (1, 3, 11, 44)),
    ("7x7 pad 3, width 48", lambda: torch.nn.Conv2d(2, 4, 7, padding=3), (1, 2, 10, 48)),
    ("3x3 pad 0, width 32", lambda: torch.nn.Conv2d(4, 4, 3), (1, 4, 8, 32)),
    ("3x3 pad 2 (past the window), width 28", lambda: torch.nn.Conv2d(3, 5, 3, padding=2), (1, 3, 7, 28)),
    ("3x7 pad (1, 5), width 24", lambda: torch.nn.Conv2d(3, 4, (3, 7), padding=(1, 5)), (1, 3, 6, 24)),
    ("3x3 stride 2, width 40", lambda: torch.nn.Conv2d(4, 8, 3, stride=2, padding=1), (1, 4, 10, 40)),
    ("3x3 dilation 2, width 36", lambda: torch.nn.Conv2d(4, 4, 3, dilation=2, padding=2), (1, 4, 9, 36)),
    ("3x3 groups 2, width 32", lambda: torch.nn.Conv2d(6, 10, 3, padding=1, groups=2), (1, 6, 7, 32)),
    ("9x9 pad 4 (generic kernel), width 32", lambda: torch.nn.Conv2d(2, 3, 9, padding=4), (1, 2, 12, 32)),
    ("1-D, kernel 3, width 64", lambda: torch.nn.Conv1d(3, 5, 3, padding=1), (2, 3, 64)),
    ("3-D 3x3x3 pad 1, width 20", lambda: torch.nn.Conv3d(3, 4, 3, padding=1), (1, 3, 5, 6, 20)),
    ("ConvTranspose 2x2 stride 2, width 24",
     lambda: torch.nn.ConvTranspose2d(6, 4, 2, stride=2), (1, 6, 7, 24)),
    ("ConvTranspose 3x3 stride 2 pad 1, width 21",
     lambda: torch.nn.ConvTranspose2d(3, 5, 3, stride=2, padding=1, output_padding=1), (1, 3, 6, 21)),
]


def export(module, shape, out):
    x = torch.randn(*shape)
    with torch.no_grad():
        expected = module(x).numpy()
    torch.onnx.export(module, x, os.path.join(out, "model.onnx"), opset_version=13)
    np.save(os.path.join(out, "input.npy"), x.numpy())
    return expected


def run_both_ways(t, cli, name, out, expected):
    for texels in ("1", "0"):
        result = os.path.join(out, f"texels-{texels}.npy")
        r = subprocess.run([cli, "infer", os.path.join(out, "model.onnx"), "--raw", os.path.join(out, "input.npy"),
                            result], capture_output=True, text=True, errors="replace", env=dict(os.environ, CALVARIA_NN_TEXELS=texels))
        way = "texels" if texels == "1" else "buffer addresses"
        if r.returncode != 0:
            t.check(False, f"{name}, {way}: calvaria-cli infer --raw runs", r.stderr)
            continue
        got = np.load(result)
        diff = float(np.abs(got - expected).max()) if got.shape == expected.shape else float("inf")
        t.check(diff <= TOLERANCE, f"{name}, {way}: max |Calvaria − PyTorch| = {diff:.2e} ≤ {TOLERANCE:g}",
                f"shapes {got.shape} {expected.shape}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    a = ap.parse_args()
    t = Tap()
    torch.manual_seed(11)
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory(prefix="cal-conv-") as tmp:
        for i, (name, make, shape) in enumerate(CASES):
            out = os.path.join(tmp, str(i))
            os.makedirs(out)
            module = make().eval()
            run_both_ways(t, a.cli, name, out, export(module, shape, out))
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
