#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Calvaria's U-net engine against PyTorch.  U-nets from tools/train
(random weights, random BatchNorm statistics, opset 13) are exported with
PyTorch, run by `calvaria-cli infer --raw` on both backends (the Vulkan
engine on lavapipe, the CPU executor on oneDNN), and must match PyTorch's
output within 1e-4 (max abs) on inputs of odd batch sizes and sizes that
are odd multiples of 16.  Then a whole CT: `calvaria-cli infer MODEL CT
OUT.nii.gz` on both against the same preprocessing done in NumPy and the
network run in PyTorch, slice by slice.  TAP output."""
import argparse
import os
import subprocess
import sys
import tempfile

import nibabel
import numpy as np
import onnx
import torch

from tap import Tap, run

TOLERANCE = 1e-4
FP16_TOLERANCE = 5e-3
DEVICES = ("lavapipe", "cpu")


def export(tools, outdir, arch, shape, base):
    cmd = [sys.executable, os.path.join(tools, "export_unet.py"), outdir, "--arch", arch, "--base", str(base),
           "--shape", *map(str, shape)]
    return subprocess.run(cmd, capture_output=True, text=True)


def raw_case(t, a, tmp, arch, shape, base, must_have):
    out = os.path.join(tmp, arch)
    exported = export(a.tools, out, arch, shape, base)
    t.check(exported.returncode == 0, f"{arch}: PyTorch exports the model", exported.stderr[-2000:])
    if exported.returncode != 0:
        return
    ops = {n.op_type for n in onnx.load(os.path.join(out, "model.onnx")).graph.node}
    t.check(must_have <= ops, f"{arch}: the graph has {sorted(must_have)} (folding and fusion are exercised)",
            f"operators: {sorted(ops)}")
    for device in DEVICES:
        r = run(a.cli, "infer", os.path.join(out, "model.onnx"), "--raw", os.path.join(out, "input.npy"),
                os.path.join(out, f"calvaria-{device}.npy"), "--device", device)
        t.check(r.returncode == 0, f"{arch}: calvaria-cli infer --raw --device {device} runs", r.stderr)
        if r.returncode != 0:
            continue
        got = np.load(os.path.join(out, f"calvaria-{device}.npy"))
        expected = np.load(os.path.join(out, "expected.npy"))
        diff = float(np.abs(got - expected).max()) if got.shape == expected.shape else float("inf")
        t.check(diff <= TOLERANCE, f"{arch} {shape} on {device}: max |Calvaria − PyTorch| = {diff:.2e} ≤ {TOLERANCE:g}",
                f"shapes {got.shape} {expected.shape}")
        print(f"# {arch} {shape} on {device}: max abs difference {diff:.3g} "
              f"(output range ±{np.abs(expected).max():.3g})")


def fp16_case(t, a, tmp, arch):
    """The same model with activations kept as 16-bit floats (--fp16):
    each stored value is rounded to 11 significant bits, so the output may
    drift by a few parts in a thousand of its range, not more."""
    out = os.path.join(tmp, arch)
    r = run(a.cli, "infer", "--fp16", os.path.join(out, "model.onnx"), "--raw", os.path.join(out, "input.npy"),
            os.path.join(out, "half.npy"), "--device", "lavapipe")
    t.check(r.returncode == 0, f"{arch}: calvaria-cli infer --fp16 --raw runs", r.stderr)
    if r.returncode != 0:
        return
    got, expected = np.load(os.path.join(out, "half.npy")), np.load(os.path.join(out, "expected.npy"))
    scale = float(np.abs(expected).max())
    diff = float(np.abs(got - expected).max()) if got.shape == expected.shape else float("inf")
    t.check(diff <= FP16_TOLERANCE * scale, f"{arch} fp16: max |Calvaria − PyTorch| = {diff:.2e} ≤ "
            f"{FP16_TOLERANCE:g} × {scale:.3g} (the output's range)")
    exact = np.load(os.path.join(out, "calvaria-lavapipe.npy"))
    t.check(float(np.abs(got - exact).max()) > 0, f"{arch} fp16: the activations really were rounded")

    # The CPU has no 16-bit float arithmetic: it says so and runs 32-bit.
    r = run(a.cli, "infer", "--fp16", os.path.join(out, "model.onnx"), "--raw", os.path.join(out, "input.npy"),
            os.path.join(out, "half-cpu.npy"), "--device", "cpu")
    t.check(r.returncode == 0 and "16-bit activations are for GPUs" in r.stderr and "32-bit" in r.stderr,
            f"{arch} fp16 on the CPU executor: a notice that the activations stay 32-bit", r.stderr)
    if r.returncode == 0:
        t.check(np.array_equal(np.load(os.path.join(out, "half-cpu.npy")),
                               np.load(os.path.join(out, "calvaria-cpu.npy"))),
                f"{arch} fp16 on the CPU executor: the 32-bit result")


def bad_models(t, a, tmp):
    """A truncated file and an unsupported operator: specific errors, exit 1."""
    good = os.path.join(tmp, "unet", "model.onnx")
    truncated = os.path.join(tmp, "truncated.onnx")
    with open(good, "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[: len(data) // 2])
    r = run(a.cli, "infer", truncated, "--raw", os.path.join(tmp, "unet", "input.npy"), os.path.join(tmp, "x.npy"))
    t.check(r.returncode == 1 and "ONNX" in r.stderr and not os.path.exists(os.path.join(tmp, "x.npy")),
            "a truncated model is refused with a clear error, nothing written", r.stderr)

    gelu = os.path.join(tmp, "gelu.onnx")
    torch.onnx.export(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.GELU()), torch.zeros(1, 1, 8, 8), gelu,
                      opset_version=13)
    r = run(a.cli, "infer", gelu, "--raw", os.path.join(tmp, "unet", "input.npy"), os.path.join(tmp, "x.npy"))
    t.check(r.returncode == 1 and "the operator “Div” is not supported" in r.stderr,
            "an unsupported operator is named in the error", r.stderr)


def volume_case(t, a, tmp):
    out = os.path.join(tmp, "volume")
    exported = export(a.tools, out, "unet", [1, 3, 64, 64], 2)
    t.check(exported.returncode == 0, "volume: a small U-net is exported", exported.stderr[-2000:])
    ct = os.path.join(tmp, "ct.nii.gz")
    r = run(a.cli, "convert", a.sample, ct)
    t.check(r.returncode == 0, "volume: the sample CT converts to NIfTI", r.stderr)
    for device in DEVICES:
        volume_on(t, a, out, ct, device)


def volume_on(t, a, out, ct, device):
    prob_path = os.path.join(out, f"probability-{device}.nii.gz")
    r = run(a.cli, "infer", os.path.join(out, "model.onnx"), ct, prob_path, "--device", device)
    t.check(r.returncode == 0, f"volume: calvaria-cli infer MODEL CT OUT --device {device} runs", r.stderr + r.stdout)
    if r.returncode != 0:
        return
    print("# " + r.stdout.replace("\n", "\n# "))
    img = nibabel.load(ct)
    prob_img = nibabel.load(prob_path)
    prob = np.asarray(prob_img.dataobj, dtype=np.float32)
    t.check(prob.shape == img.shape and np.allclose(prob_img.affine, img.affine, atol=1e-4),
            f"volume ({device}): the probability map is on the CT's grid", f"{prob.shape} vs {img.shape}")
    t.check(prob_img.get_data_dtype() == np.float32 and prob.min() >= 0 and prob.max() <= 1,
            f"volume ({device}): float32 probabilities between 0 and 1", f"range {prob.min()}..{prob.max()}")

    # The same job in NumPy and PyTorch: window -1000..2000 HU to 0..1, three
    # neighbouring slices (clamped), sigmoid of the logits.
    sys.path.insert(0, a.tools)
    from export_unet import build
    model = build("unet", 3, 2, 7)
    hu = np.asarray(img.dataobj, dtype=np.float32)
    nz = hu.shape[2]
    windowed = np.clip((hu + 1000.0) / 3000.0, 0, 1)
    worst = 0.0
    with torch.no_grad():
        for k in range(0, nz, 8):
            slices = [windowed[:, :, min(max(k + d, 0), nz - 1)].T for d in (-1, 0, 1)]
            x = torch.from_numpy(np.stack(slices)[None].astype(np.float32))
            expected = torch.sigmoid(model(x))[0, 0].numpy().T
            worst = max(worst, float(np.abs(prob[:, :, k] - expected).max()))
    t.check(worst <= TOLERANCE, f"volume ({device}): every 8th slice matches PyTorch (max |Δp| = {worst:.2e})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--sample", required=True)
    a = ap.parse_args()
    t = Tap()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory(prefix="cal-unet-") as tmp:
        raw_case(t, a, tmp, "unet", [3, 3, 48, 80], 16, {"BatchNormalization", "Resize", "MaxPool", "Concat"})
        raw_case(t, a, tmp, "unet-transpose", [1, 5, 80, 48], 8, {"BatchNormalization", "ConvTranspose"})
        raw_case(t, a, tmp, "monai", [3, 1, 112, 48], 16, {"InstanceNormalization", "PRelu", "ConvTranspose", "Add"})
        for arch in ("unet", "unet-transpose", "monai"):
            fp16_case(t, a, tmp, arch)
        bad_models(t, a, tmp)
        volume_case(t, a, tmp)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
