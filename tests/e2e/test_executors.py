#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What runs the U-net: the CPU executor (oneDNN, the default without a
GPU), the Vulkan engine (lavapipe here, when named) and the CPU reference
give the same mask; with no Vulkan driver at all, segment and infer run on
the CPU executor and say why; devices that do not exist are wrong
arguments.  TAP output."""
import argparse
import os
import re
import subprocess
import tempfile

import numpy as np

from tap import Tap

NO_DRIVER = {"VK_ICD_FILENAMES": "/nonexistent/icd.json", "VK_DRIVER_FILES": "/nonexistent/icd.json"}


def run(cli, *args, env=None):
    return subprocess.run([cli, *args], capture_output=True, text=True, errors="replace",
                          env=dict(os.environ, **(env or {})))


def nifti_voxels(path, dtype):
    """The voxels of an uncompressed NIfTI-1 file Calvaria wrote (vox_offset 352)."""
    with open(path, "rb") as f:
        data = f.read()
    offset = int(np.frombuffer(data[108:112], "<f4")[0])
    return np.frombuffer(data[offset:], dtype)


def bone_voxels(stdout):
    m = re.search(r"Bone: (\d+) voxels", stdout)
    return int(m.group(1)) if m else -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--model", required=True)
    a = ap.parse_args()
    t = Tap()
    tmp = tempfile.mkdtemp(prefix="cal-executors-")
    path = lambda name: os.path.join(tmp, name)

    # A small held-out phantom: enough bone that one wrong voxel would show.
    r = run(a.cli, "phantom", "--seed", "9018", "--size", "48", "--slice", "5", path("ct.nii"), path("labels.nii"))
    t.check(r.returncode == 0, "a 48² phantom CT", r.stderr)

    vk = run(a.cli, "segment", path("ct.nii"), path("vk.nii"), "--device", "lavapipe")
    ref = run(a.cli, "segment", path("ct.nii"), path("ref.nii"), "--device", "reference")
    cpu = run(a.cli, "segment", path("ct.nii"), path("cpu.nii"))
    t.check(vk.returncode == 0 and "Device: llvmpipe" in vk.stdout, "segment --device lavapipe runs on lavapipe",
            vk.stdout + vk.stderr)
    t.check(cpu.returncode == 0 and "Device: CPU: oneDNN" in cpu.stdout and "notice:" not in cpu.stderr,
            "segment without --device (no GPU here) runs on the CPU executor, no notice", cpu.stdout + cpu.stderr)
    t.check(ref.returncode == 0 and "Device: CPU reference" in ref.stdout and "notice:" not in ref.stderr,
            "segment --device reference runs on the CPU reference, as asked (no notice)", ref.stdout + ref.stderr)
    same = (vk.returncode == 0 and ref.returncode == 0 and
            np.array_equal(nifti_voxels(path("vk.nii"), np.uint8), nifti_voxels(path("ref.nii"), np.uint8)))
    t.check(same and bone_voxels(vk.stdout) > 1000 and bone_voxels(vk.stdout) == bone_voxels(ref.stdout),
            f"the reference's mask is the Vulkan mask, voxel for voxel ({bone_voxels(vk.stdout)} bone voxels)",
            vk.stdout + ref.stdout)
    t.check(cpu.returncode == 0 and vk.returncode == 0 and
            np.array_equal(nifti_voxels(path("vk.nii"), np.uint8), nifti_voxels(path("cpu.nii"), np.uint8)),
            "the CPU executor's mask is the Vulkan mask, voxel for voxel", cpu.stdout)

    # No Vulkan driver: the answer from the CPU executor, and a notice that says why.
    hfs = os.path.join(a.cases, "hfs")
    vk = run(a.cli, "segment", hfs, path("hfs-vk.nii"), "--device", "lavapipe")
    fallback = run(a.cli, "segment", hfs, path("hfs-fallback.nii"), env=NO_DRIVER)
    t.check(fallback.returncode == 0 and "notice: No Vulkan device" in fallback.stderr
            and "CPU (oneDNN)" in fallback.stderr and "Device: CPU: oneDNN" in fallback.stdout,
            "no Vulkan driver: segment runs on the CPU executor with a notice", fallback.stdout + fallback.stderr)
    t.check(fallback.returncode == 0 and vk.returncode == 0 and
            np.array_equal(nifti_voxels(path("hfs-vk.nii"), np.uint8), nifti_voxels(path("hfs-fallback.nii"), np.uint8)),
            "no Vulkan driver: the same mask as on lavapipe")

    model = a.model
    vk = run(a.cli, "infer", model, hfs, path("prob-vk.nii"), "--device", "lavapipe")
    fallback = run(a.cli, "infer", model, hfs, path("prob-fallback.nii"), env=NO_DRIVER)
    t.check(fallback.returncode == 0 and "notice: No Vulkan device" in fallback.stderr,
            "no Vulkan driver: infer runs on the CPU executor with a notice", fallback.stdout + fallback.stderr)
    if vk.returncode == 0 and fallback.returncode == 0:
        p_vk, p_ref = nifti_voxels(path("prob-vk.nii"), "<f4"), nifti_voxels(path("prob-fallback.nii"), "<f4")
        worst = float(np.max(np.abs(p_vk - p_ref))) if p_vk.shape == p_ref.shape else float("inf")
    else:
        worst = float("inf")
    t.check(worst < 1e-4, f"no Vulkan driver: probabilities within 1e-4 of lavapipe's (worst {worst:.2e})",
            vk.stderr + fallback.stderr)

    # A device that was asked for and does not exist is the user's to fix.
    r = run(a.cli, "segment", hfs, path("x.nii"), "--device", "99", env=NO_DRIVER)
    t.check(r.returncode == 2 and not os.path.exists(path("x.nii")),
            "no Vulkan driver, --device 99: exit 2, no fallback", r.stderr)
    r = run(a.cli, "segment", hfs, path("x.nii"), "--device", "lavapipe", env=NO_DRIVER)
    t.check(r.returncode == 2 and "lavapipe" in r.stderr and not os.path.exists(path("x.nii")),
            "no Vulkan driver, --device lavapipe: exit 2, no fallback", r.stderr)
    r = run(a.cli, "segment", hfs, path("cpu-named.nii"), "--device", "cpu", env=NO_DRIVER)
    t.check(r.returncode == 0 and "notice:" not in r.stderr and "Device: CPU: oneDNN" in r.stdout,
            "--device cpu without any Vulkan: runs, nothing to explain", r.stdout + r.stderr)
    r = run(a.cli, "segment", hfs, path("env-cpu.nii"), env={"CALVARIA_VK_DEVICE": "cpu"})
    t.check(r.returncode == 0 and "Device: CPU: oneDNN" in r.stdout, "CALVARIA_VK_DEVICE=cpu picks the CPU executor",
            r.stdout + r.stderr)
    r = run(a.cli, "segment", hfs, path("env-ref.nii"), env={"CALVARIA_VK_DEVICE": "reference"})
    t.check(r.returncode == 0 and "Device: CPU reference" in r.stdout,
            "CALVARIA_VK_DEVICE=reference picks the CPU reference", r.stdout + r.stderr)
    r = run(a.cli, "infer", model, "--raw", path("none.npy"), path("out.npy"), "--reference", "--device", "0")
    t.check(r.returncode == 2 and "two different devices" in r.stderr, "infer --reference --device 0: exit 2", r.stderr)
    r = run(a.cli, "segment", hfs, path("fp16.nii"), "--device", "reference", "--fp16")
    t.check(r.returncode == 0 and "stay 32-bit" in r.stderr, "--fp16 on the reference: a notice, 32-bit kept",
            r.stderr)
    r = run(a.cli, "segment", hfs, path("fp16-cpu.nii"), "--device", "cpu", "--fp16")
    t.check(r.returncode == 0 and "16-bit activations are for GPUs" in r.stderr and "stay 32-bit" in r.stderr,
            "--fp16 on the CPU executor: a notice, 32-bit kept", r.stderr)

    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
