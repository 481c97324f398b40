#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shipped skull model's mask of the sample CT (InVesalius' Cranium,
on lavapipe) stays bit for bit what it was before the house was
reorganised (issue 25): the checksum below was recorded then, at commit
172cac9.  A change that moves a voxel fails here and must say why.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--sample", required=True)
    a = ap.parse_args()
    t = Tap()
    if not os.path.exists(a.sample):
        print("Bail out! the sample CT is missing: install invesalius-examples (README)")
        return 1
    out = os.path.join(tempfile.mkdtemp(prefix="cal-shipped-"), "mask.nii")
    r = subprocess.run([a.cli, "segment", "-q", a.sample, out], capture_output=True)
    t.check(r.returncode == 0 and os.path.exists(out), "segment the sample with the shipped model",
            r.stderr.decode("utf-8", "replace"))
    data = open(out, "rb").read() if os.path.exists(out) else b"\0" * 352
    offset = int(np.frombuffer(data[108:112], "<f4")[0])
    voxels = np.frombuffer(data[offset:], np.uint8)
    digest = hashlib.sha256(voxels.tobytes()).hexdigest()
    t.check(int(np.count_nonzero(voxels)) == RECORDED_BONE_VOXELS,
            f"{RECORDED_BONE_VOXELS} bone voxels, as recorded", f"now {np.count_nonzero(voxels)}")
    t.check(digest == RECORDED_SHA256, "the mask's voxels are the recorded ones, bit for bit", f"sha256 now {digest}")
    r = subprocess.run([a.cli, "info", out], capture_output=True)
    t.check(re.search(rb"Dimensions:\s+256\xc3\x97256\xc3\x97108", r.stdout) is not None,
            "on the sample's grid (256×256×108)", r.stdout.decode("utf-8", "replace"))
    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
