#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped skull model's mask of the sample CT (InVesalius' Cranium)
stays bit for bit what it was before the house was reorganised (issue
25): the checksum below was recorded then, on lavapipe, at commit 172cac9.
A change that moves a voxel fails here and must say why.  Both backends
are held to it: the Vulkan engine (lavapipe) and the CPU executor
(oneDNN, the default without a GPU); their probability maps may differ
in rounding, so the test also counts the voxels whose class differs
between them and checks each lies within 1e-4 of the threshold.
TAP output."""
import argparse
import hashlib
import os
import re
import subprocess
import tempfile

import numpy as np

from tap import Tap

RECORDED_SHA256 = "22a4416aa6e2ff1fceecb1d10babfeb8c3fe4099a5c34f6064ae4125fa540e00"
RECORDED_BONE_VOXELS = 401974
THRESHOLD = 0.5   # the shipped model's calvaria.threshold


def nifti_voxels(path, dtype):
    """The voxels of an uncompressed NIfTI-1 file Calvaria wrote."""
    data = open(path, "rb").read() if os.path.exists(path) else b"\0" * 352
    offset = int(np.frombuffer(data[108:112], "<f4")[0])
    return np.frombuffer(data[offset:], dtype)


def compare_probabilities(t, a, tmp):
    """The two backends' probabilities: where they put a voxel on opposite
    sides of the threshold, it must be within 1e-4 of it."""
    prob = {}
    for device in ("lavapipe", "cpu"):
        out = os.path.join(tmp, f"prob-{device}.nii")
        r = subprocess.run([a.cli, "infer", "-q", a.model, a.sample, out, "--device", device], capture_output=True)
        t.check(r.returncode == 0, f"infer the sample on {device}", r.stderr.decode("utf-8", "replace"))
        prob[device] = nifti_voxels(out, "<f4")
    vk, cpu = prob["lavapipe"], prob["cpu"]
    if vk.shape != cpu.shape:
        t.check(False, "the two probability maps have the same size", f"{vk.shape} vs {cpu.shape}")
        return
    differ = (vk > THRESHOLD) != (cpu > THRESHOLD)
    near = np.abs(vk[differ] - THRESHOLD) <= 1e-4
    worst = float(np.abs(vk - cpu).max())
    print(f"# CPU executor vs lavapipe: {int(differ.sum())} voxels on opposite sides of the threshold "
          f"(max |Δp| over the volume {worst:.2e})")
    t.check(bool(near.all()), f"every voxel the backends classify differently ({int(differ.sum())}) lies within "
            "1e-4 of the threshold", f"farthest {float(np.abs(vk[differ] - THRESHOLD).max()) if differ.any() else 0}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--model", required=True)
    a = ap.parse_args()
    t = Tap()
    if not os.path.exists(a.sample):
        print("Bail out! the sample CT is missing: install invesalius-examples (README)")
        return 1
    tmp = tempfile.mkdtemp(prefix="cal-shipped-")
    for device in ("lavapipe", "cpu"):
        out = os.path.join(tmp, f"mask-{device}.nii")
        r = subprocess.run([a.cli, "segment", "-q", a.sample, out, "--device", device], capture_output=True)
        t.check(r.returncode == 0 and os.path.exists(out), f"segment the sample with the shipped model on {device}",
                r.stderr.decode("utf-8", "replace"))
        voxels = nifti_voxels(out, np.uint8)
        digest = hashlib.sha256(voxels.tobytes()).hexdigest()
        t.check(int(np.count_nonzero(voxels)) == RECORDED_BONE_VOXELS,
                f"{device}: {RECORDED_BONE_VOXELS} bone voxels, as recorded", f"now {np.count_nonzero(voxels)}")
        t.check(digest == RECORDED_SHA256, f"{device}: the mask's voxels are the recorded ones, bit for bit",
                f"sha256 now {digest}")
    compare_probabilities(t, a, tmp)
    r = subprocess.run([a.cli, "info", out], capture_output=True)
    t.check(re.search(rb"Dimensions:\s+256\xc3\x97256\xc3\x97108", r.stdout) is not None,
            "on the sample's grid (256×256×108)", r.stdout.decode("utf-8", "replace"))
    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
