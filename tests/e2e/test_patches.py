#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A CT larger than the memory budget runs in overlapping patches.  Small
2-D and 3-D U-nets (random weights and BatchNorm statistics) are exported
with PyTorch; `calvaria-cli infer --memory-budget` must cut the CT into
patches (along the axes that need the least work), and where it says
their halos cover the network's reach, the result must equal one run
over the whole CT and PyTorch's output on the
same preprocessing (HU window, resampling, padding) done in NumPy.  A
network with InstanceNormalization (which sees the whole input) must be
reported as not exact.  Also the density floor (`calvaria.min_hu`,
`segment --min-hu`) and a malformed floor in a model.  TAP output."""
import argparse
import os
import re
import sys
import tempfile

import nibabel
import numpy as np
import onnx
import torch
from scipy import ndimage
from torch import nn

from tap import Tap, run

TOLERANCE = 1e-4


class SmallUNet(nn.Module):
    """Two levels: reach 10 voxels, alignment 2 (docs/onnx-models.md)."""

    def __init__(self, dims, channels, base=4, norm="batch"):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        bn = {"batch": nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d,
              "instance": nn.InstanceNorm2d if dims == 2 else nn.InstanceNorm3d}[norm]
        up = nn.ConvTranspose2d if dims == 2 else nn.ConvTranspose3d

        def block(cin, cout):
            return nn.Sequential(conv(cin, cout, 3, padding=1), bn(cout), nn.ReLU(),
                                 conv(cout, cout, 3, padding=1), bn(cout), nn.ReLU())
        self.down0, self.down1 = block(channels, base), block(base, 2 * base)
        self.pool = nn.MaxPool2d(2) if dims == 2 else nn.MaxPool3d(2)
        self.up = up(2 * base, base, 2, stride=2)
        self.merge = block(2 * base, base)
        self.head = conv(base, 1, 1)

    def forward(self, x):
        a = self.down0(x)
        b = self.down1(self.pool(a))
        return self.head(self.merge(torch.cat([a, self.up(b)], dim=1)))


def export(path, dims, channels, spacing, norm="batch", fixed=None):
    torch.manual_seed(11)
    model = SmallUNet(dims, channels, norm=norm)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm3d)):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    model.eval()
    shape = (1, channels) + (fixed or 16,) * dims
    axes = {0: "n"} if fixed else {0: "n", 2: "a", 3: "b"} if dims == 2 else {0: "n", 2: "a", 3: "b", 4: "c"}
    torch.onnx.export(model, torch.zeros(shape), path, opset_version=13, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": axes, "y": axes})
    m = onnx.load(path)
    for key, value in {"calvaria.hu_window": "-1000,2000", "calvaria.context_slices": str(channels),
                       "calvaria.size_multiple": "4", "calvaria.output": "logits",
                       "calvaria.spacing_mm": spacing}.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(m, path)
    return model


def write_ct(path, shape, spacing, seed):
    """Smooth random HU (x, y, z), so that resampling errors would show."""
    rng = np.random.default_rng(seed)
    hu = ndimage.gaussian_filter(rng.normal(0, 1, shape), 2.0)
    hu = (hu / hu.std() * 600 + 200).astype(np.int16)
    nibabel.save(nibabel.Nifti1Image(hu, np.diag(list(spacing) + [1.0])), path)
    return hu


def area_weights(n_in, n_out, step):
    """(n_out, n_in): each output pixel the mean over its footprint
    [x·step, (x+1)·step), cut at the line's end."""
    w = np.zeros((n_out, n_in))
    for x in range(n_out):
        lo, hi = x * step, min((x + 1) * step, n_in)
        for i in range(int(lo), int(np.ceil(hi))):
            w[x, i] = min(hi, i + 1) - max(lo, i)
        w[x] /= max(w[x].sum(), 1e-12)
    return w


def resample(vol, steps, out_shape):
    """Calvaria's resampling: in-plane (axes 0 and 1) the mean over each
    coarser output pixel's footprint; otherwise half-pixel centres, linear,
    clamped at the edges."""
    area = [k < 2 and s > 1 for k, s in enumerate(steps)]
    linear_steps = [1 if a else s for a, s in zip(area, steps)]
    for k, a in enumerate(area):
        if a:
            vol = np.moveaxis(np.tensordot(area_weights(vol.shape[k], out_shape[k], steps[k]), np.moveaxis(vol, k, 0),
                                           axes=1), 0, k)
    if all(s == 1 for s in linear_steps):
        return vol
    coords = np.meshgrid(*[np.clip((np.arange(n) + 0.5) * s - 0.5, 0, vol.shape[k] - 1)
                           for k, (n, s) in enumerate(zip(out_shape, linear_steps))], indexing="ij")
    return ndimage.map_coordinates(vol, coords, order=1, mode="nearest")


def pytorch_probability(model, hu, steps, dims, channels):
    """The CT windowed and resampled, padded to a multiple of 4, through
    PyTorch in one piece (2-D: every slice with its neighbours); the
    sigmoid resampled back to the CT."""
    x = np.clip((hu.astype(np.float64) + 1000) / 3000, 0, 1)
    r = tuple(max(1, round(n / s)) for n, s in zip(hu.shape, steps))
    x = resample(x, steps, r) if any(s != 1 for s in steps) else x
    padded = [-(-n // 4) * 4 for n in r[:dims]] + list(r[dims:])
    p = np.zeros(padded)
    p[:r[0], :r[1], :r[2]] = x
    with torch.no_grad():
        if dims == 3:
            t = torch.from_numpy(p.transpose(2, 1, 0)[None, None].astype(np.float32))
            y = torch.sigmoid(model(t))[0, 0].numpy().transpose(2, 1, 0)
        else:
            z = np.clip(np.arange(r[2])[:, None] + np.arange(channels) - channels // 2, 0, r[2] - 1)
            t = torch.from_numpy(p.transpose(2, 1, 0)[z].astype(np.float32))
            y = torch.sigmoid(model(t))[:, 0].numpy().transpose(2, 1, 0)
    y = y[:r[0], :r[1], :r[2]].astype(np.float64)
    return resample(y, [1 / s for s in steps], hu.shape) if any(s != 1 for s in steps) else y


def infer(t, a, tmp, model_path, ct_path, name, budget=None, device="lavapipe"):
    out = os.path.join(tmp, name + ".nii.gz")
    args = ["infer", model_path, ct_path, out, "--device", device] + (["--memory-budget", str(budget)] if budget else [])
    r = run(a.cli, *args)
    t.check(r.returncode == 0, f"{name}: calvaria-cli infer runs", r.stderr[-2000:])
    if r.returncode != 0:
        return None, ""
    return np.asarray(nibabel.load(out).dataobj, dtype=np.float64), r.stdout


def case(t, a, tmp, name, dims, channels, ct_shape, ct_spacing, model_spacing, budget, cut_axes, device="lavapipe"):
    """cut_axes: how many axes the planner cuts (on lavapipe, whose memory
    is the plain float layout); None: at least one (the CPU executor's
    padded channel blocks take more memory)."""
    model_path = os.path.join(tmp, name + ".onnx")
    model = export(model_path, dims, channels, model_spacing)
    ct_path = os.path.join(tmp, name + "-ct.nii.gz")
    hu = write_ct(ct_path, ct_shape, ct_spacing, seed=dims)
    whole, _ = infer(t, a, tmp, model_path, ct_path, name + "-whole", device=device)
    tiled, text = infer(t, a, tmp, model_path, ct_path, name + "-patches", budget, device=device)
    if whole is None or tiled is None:
        return
    m = re.search(r"Patches: (\d+) of (\d+) × (\d+) × (\d+) voxels, halo (\d+) × (\d+) × (\d+)", text)
    tiled_axes = m is not None and sum(int(m.group(k)) > 0 for k in (5, 6, 7))
    if cut_axes is None:
        t.check(tiled_axes >= 1, f"{name}: {budget} MiB cuts the CT into patches", text)
    else:
        t.check(tiled_axes == cut_axes,
                f"{name}: {budget} MiB cuts the CT into patches along {cut_axes} of {dims} axes", text)
    t.check("the same result as one run" in text, f"{name}: the halos cover the network's reach", text)
    print(f"# {name}: {m.group(0) if m else text.strip()}")
    diff = float(np.abs(tiled - whole).max())
    t.check(diff <= 1e-6, f"{name}: patches = one run over the whole CT (max diff {diff:.1e})")
    steps = [m_ / c if m_ > 0 else 1.0 for m_, c in zip(map(float, model_spacing.split(",")), ct_spacing)]
    steps = [1.0 if abs(s - 1) < 0.01 else s for s in steps]
    if dims == 2:
        steps[2] = 1.0
    expected = pytorch_probability(model, hu, steps, dims, channels)
    diff = float(np.abs(tiled - expected).max())
    t.check(diff <= TOLERANCE, f"{name}: patches = PyTorch on the whole CT (max diff {diff:.1e} ≤ {TOLERANCE:g})")


def fixed_size(t, a, tmp):
    """A model that takes only 64 × 64 slices runs on a larger CT in
    patches of that size, with no budget given."""
    model_path = os.path.join(tmp, "fixed.onnx")
    model = export(model_path, 2, 3, "0,0,0", fixed=64)
    ct_path = os.path.join(tmp, "fixed-ct.nii.gz")
    hu = write_ct(ct_path, (150, 130, 3), (1, 1, 1), seed=9)
    got, text = infer(t, a, tmp, model_path, ct_path, "fixed-patches")
    if got is None:
        return
    t.check("Patches:" in text and "64 × 64 × 1" in text and "the same result as one run" in text,
            "fixed 64 × 64 input: the CT runs in exact 64 × 64 patches", text)
    diff = float(np.abs(got - pytorch_probability(model, hu, [1.0, 1.0, 1.0], 2, 3)).max())
    t.check(diff <= TOLERANCE, f"fixed 64 × 64 input: patches = PyTorch on the whole CT (max diff {diff:.1e})")


def not_exact(t, a, tmp):
    model_path = os.path.join(tmp, "instance.onnx")
    export(model_path, 2, 1, "0,0,0", norm="instance")
    ct_path = os.path.join(tmp, "instance-ct.nii.gz")
    write_ct(ct_path, (256, 256, 3), (1, 1, 1), seed=5)
    _, text = infer(t, a, tmp, model_path, ct_path, "instance-patches", 2)
    t.check("seams may differ slightly" in text, "InstanceNormalization: patches are reported as not exact", text)


def with_metadata(src, dst, key, value):
    m = onnx.load(src)
    entry = m.metadata_props.add()
    entry.key, entry.value = key, value
    onnx.save(m, dst)


def density_floor(t, a, tmp):
    """segment keeps no voxel under the floor, from the model or the
    command line; a malformed floor is refused, naming the key."""
    plain = os.path.join(tmp, "floor.onnx")
    export(plain, 2, 3, "0,0,0")
    ct_path = os.path.join(tmp, "floor-ct.nii.gz")
    hu = write_ct(ct_path, (64, 48, 4), (1, 1, 1), seed=3)
    floored = os.path.join(tmp, "floor-300.onnx")
    with_metadata(plain, floored, "calvaria.min_hu", "300")
    runs = {"no floor": (plain, []), "the model's 300 HU": (floored, []),
            "--min-hu 300": (plain, ["--min-hu", "300"]), "--min-hu none": (floored, ["--min-hu", "none"])}
    masks = {}
    for name, (model, extra) in runs.items():
        out = os.path.join(tmp, "floor-mask.nii.gz")
        r = run(a.cli, "segment", ct_path, out, "--model", model, "--keep-all", *extra)
        t.check(r.returncode == 0, f"segment with {name}", r.stderr[-2000:])
        masks[name] = np.asarray(nibabel.load(out).dataobj) > 0 if r.returncode == 0 else None
    if any(m is None for m in masks.values()):
        return
    light = hu < 300
    t.check(masks["no floor"][light].any(), "without a floor, the network calls some voxels under 300 HU bone")
    for name in ("the model's 300 HU", "--min-hu 300"):
        t.check(np.array_equal(masks[name], masks["no floor"] & ~light),
                f"{name}: the same bone less every voxel under 300 HU")
    t.check(np.array_equal(masks["--min-hu none"], masks["no floor"]), "--min-hu none lifts the model's floor")
    r = run(a.cli, "segment", ct_path, os.path.join(tmp, "x.nii.gz"), "--model", plain, "--min-hu", "300HU")
    t.check(r.returncode == 2 and "--min-hu" in r.stderr, "--min-hu 300HU: exit 2, names the option", r.stderr)
    bad = os.path.join(tmp, "floor-bad.onnx")
    with_metadata(plain, bad, "calvaria.min_hu", "dense")
    r = run(a.cli, "infer", bad, ct_path, os.path.join(tmp, "x.nii.gz"))
    t.check(r.returncode == 1 and "calvaria.min_hu" in r.stderr and "dense" in r.stderr,
            "a model whose calvaria.min_hu is not a number: exit 1, names the key and the value", r.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    a = parser.parse_args()
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="cal-patches-") as tmp:
        # 2 MiB holds strips of whole rows with halos that cover the reach:
        # less work than squares, so the planner cuts along x only.
        case(t, a, tmp, "2-D strips", 2, 3, (256, 240, 4), (1.0, 1.0, 2.0), "0,0,0", 2, cut_axes=1)
        case(t, a, tmp, "2-D", 2, 3, (256, 240, 4), (1.0, 1.0, 2.0), "0,0,0", 1, cut_axes=2)
        case(t, a, tmp, "3-D", 3, 1, (72, 64, 100), (1.0, 1.0, 1.0), "0,0,0", 8, cut_axes=3)
        case(t, a, tmp, "3-D resampled", 3, 1, (90, 76, 120), (1.0, 1.0, 1.0), "1.5,1.5,1.5", 8, cut_axes=2)
        # The CPU executor (oneDNN): patches of a shape each, one plan per shape.
        case(t, a, tmp, "2-D on the CPU executor", 2, 3, (256, 240, 4), (1.0, 1.0, 2.0), "0,0,0", 2, None, "cpu")
        case(t, a, tmp, "3-D on the CPU executor", 3, 1, (72, 64, 100), (1.0, 1.0, 1.0), "0,0,0", 24, None, "cpu")
        fixed_size(t, a, tmp)
        not_exact(t, a, tmp)
        density_floor(t, a, tmp)
    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} of {t.n} passed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
