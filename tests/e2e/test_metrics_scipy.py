#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""calvaria-cli evaluate against an independent SciPy computation of the
same definitions (../shared/DESIGN.md) on masks made from the real sample
CT: reference = CT >= 226 HU, test = CT >= 300 HU dilated by one voxel in the
upper half.  Distances must agree to 1e-3 mm, DSC exactly, on the Vulkan
device (lavapipe in CI) and on the CPU path.  Also: device choice, and the
CPU fallback with a notice where no Vulkan driver exists.  TAP output."""
import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile

import nibabel
import numpy as np
from scipy import ndimage

SPACING = (0.9570312, 0.9570312, 1.5)


def sample_ct(path):
    with tarfile.open(path, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("matrix.dat"))
        raw = tar.extractfile(member).read()
    return np.frombuffer(raw, "<i2").reshape(108, 256, 256).transpose(2, 1, 0)   # x, y, z


def surface(mask):
    six = ndimage.generate_binary_structure(3, 1)
    return mask & ~ndimage.binary_erosion(mask, six, border_value=0)


def directed(from_mask, to_mask):
    dist = ndimage.distance_transform_edt(~surface(to_mask), sampling=SPACING)
    return dist[surface(from_mask)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--sample", required=True)
    a = ap.parse_args()
    ct = sample_ct(a.sample)
    ref = ct >= 226
    test = ct >= 300
    upper = np.zeros_like(test)
    upper[:, :, ct.shape[2] // 2:] = True
    test = np.where(upper, ndimage.binary_dilation(test, ndimage.generate_binary_structure(3, 1)), test)

    tmp = tempfile.mkdtemp(prefix="cal-metrics-")
    affine = np.diag([SPACING[0], SPACING[1], SPACING[2], 1.0])
    for name, m in (("ref", ref), ("test", test)):
        nibabel.save(nibabel.Nifti1Image(m.astype(np.uint8), affine), os.path.join(tmp, name + ".nii.gz"))
    paths = [os.path.join(tmp, "ref.nii.gz"), os.path.join(tmp, "test.nii.gz")]
    runs = {}
    r = subprocess.run([a.cli, "devices", "--json"], capture_output=True, text=True, errors="replace")
    devices = json.loads(r.stdout)["devices"] if r.returncode == 0 else []
    default = next((d for d in devices if d["default"]), None)
    # The Vulkan kernels by name (the default without a GPU is the CPU path).
    vulkan = ["--device", "lavapipe"] if default is None or default["kind"] == "CPU" else []
    for device in ("vulkan", "cpu", "default"):
        extra = {"vulkan": vulkan, "cpu": ["--device", "cpu"], "default": []}[device]
        r = subprocess.run([a.cli, "evaluate", "--json", *paths, *extra], capture_output=True, text=True, errors="replace")
        if r.returncode != 0:
            print("1..1\nnot ok 1 - calvaria-cli evaluate ran on " + device + "\n# " + r.stderr)
            return 1
        runs[device] = json.loads(r.stdout)

    d_ab, d_ba = directed(ref, test), directed(test, ref)
    sign = np.where(test[surface(ref)], 1.0, -1.0)
    dev = sign * d_ab
    expected = {
        "dsc": 2.0 * np.logical_and(ref, test).sum() / (ref.sum() + test.sum()),
        "hd": max(d_ab.max(), d_ba.max()),
        "hd95": max(np.percentile(d_ab, 95), np.percentile(d_ba, 95)),
        "assd": np.concatenate([d_ab, d_ba]).mean(),
        "deviation_mean": dev.mean(),
        "deviation_sd": dev.std(ddof=1),
    }
    n = 0
    failed = 0

    def check(ok, name, detail=""):
        nonlocal n, failed
        n += 1
        failed += not ok
        print(f"{'ok' if ok else 'not ok'} {n} - {name}")
        if not ok and detail:
            print("# " + detail.replace("\n", "\n# "))

    for device, ours in runs.items():
        for key, value in expected.items():
            tolerance = 1e-10 if key == "dsc" else 1e-3   # DSC: exact up to the 12 digits printed
            check(abs(ours[key] - value) <= tolerance,
                  f"{device}: {key}: calvaria {ours[key]:.6f}, scipy {value:.6f}")
    check(runs["cpu"]["device"] == "cpu" and runs["vulkan"]["device"] != "cpu"
          and "max_dispatch_ms" in runs["vulkan"]["timing"],
          f"vulkan run used a Vulkan device ({runs['vulkan']['device']}) and timed its dispatches")
    gpu = default is not None and default["kind"] != "CPU"
    check(runs["default"]["device"] == (runs["vulkan"]["device"] if gpu else "cpu"),
          f"the default device: a GPU where there is one, else the CPU path, not a software Vulkan device "
          f"(default Vulkan device: {default and default['kind']}; ran on {runs['default']['device']})")
    check(len(devices) >= 1 and sum(d["default"] for d in devices) == 1,
          "devices lists the Vulkan devices, one marked default", r.stdout + r.stderr)
    r = subprocess.run([a.cli, "evaluate", *paths, "--device", "99"], capture_output=True, text=True, errors="replace")
    check(r.returncode == 2 and "calvaria-cli devices" in r.stderr, "--device 99: exit 2, points to `devices`",
          r.stderr)

    # No Vulkan driver at all: the same numbers from the CPU, with a notice.
    env = dict(os.environ, VK_ICD_FILENAMES="/nonexistent/icd.json", VK_DRIVER_FILES="/nonexistent/icd.json")
    r = subprocess.run([a.cli, "evaluate", "--json", *paths], capture_output=True, text=True, errors="replace", env=env)
    fallback = json.loads(r.stdout) if r.returncode == 0 else {}
    check(r.returncode == 0 and "notice:" in r.stderr and "CPU" in r.stderr and fallback.get("device") == "cpu"
          and fallback.get("hd") == runs["cpu"]["hd"],
          "no Vulkan driver: falls back to the CPU with a notice", r.stderr)
    r = subprocess.run([a.cli, "devices"], capture_output=True, text=True, errors="replace", env=env)
    check(r.returncode == 0 and "No Vulkan devices" in r.stdout, "no Vulkan driver: devices says so", r.stdout)
    print(f"1..{n}")
    print(f"# {n - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
