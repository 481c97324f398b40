#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end tests of calvaria-cli against independent readers: nibabel
and plastimatch must see the geometry Calvaria wrote.  TAP output."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import nibabel
import numpy as np

from tap import Tap, run

MARK_LEFT, MARK_ANTERIOR, MARK_SUPERIOR = 1000, 2000, 3000


def marker_centroid_ras(path, value):
    img = nibabel.load(path)
    data = np.asarray(img.dataobj)
    ijk = np.argwhere(data == value)
    xyz = nibabel.affines.apply_affine(img.affine, ijk)
    return xyz.mean(axis=0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--sample", required=True)
    a = ap.parse_args()
    t = Tap()
    tmp = tempfile.mkdtemp(prefix="cal-e2e-")

    if not os.path.exists(a.sample):
        print("Bail out! the sample CT is missing: install invesalius-examples (README)")
        return 1

    # info on the sample, text and JSON
    r = run(a.cli, "info", a.sample)
    t.check(r.returncode == 0 and "256×256×108" in r.stdout, "info prints 256×256×108", r.stdout + r.stderr)
    t.check(re.search(r"Spacing:\s+0\.957 × 0\.957 × 1\.5 mm", r.stdout) is not None,
            "info prints spacing 0.957 × 0.957 × 1.5 mm", r.stdout)
    t.check("ProMED" not in r.stdout + r.stderr, "info never prints the project name")
    r = run(a.cli, "info", "--json", a.sample)
    info = json.loads(r.stdout)
    t.check(info["dims"] == [256, 256, 108] and abs(info["spacing_mm"][0] - 0.957) < 1e-3
            and info["spacing_mm"][2] == 1.5 and info["hu_min"] == -1024,
            "info --json has dims, spacing and HU range", r.stdout)

    # convert the sample; nibabel and plastimatch see the same geometry
    out = os.path.join(tmp, "cranium.nii.gz")
    r = run(a.cli, "convert", a.sample, out)
    t.check(r.returncode == 0 and os.path.exists(out), "convert writes a NIfTI", r.stderr)
    img = nibabel.load(out)
    zooms = img.header.get_zooms()
    t.check(img.shape == (256, 256, 108) and abs(zooms[0] - 0.957) < 1e-3 and abs(zooms[2] - 1.5) < 1e-6,
            "nibabel reads 256×256×108 at 0.957×0.957×1.5 mm", f"{img.shape} {zooms}")
    lps = np.array(info["affine_lps"])
    ras_expected = np.diag([-1, -1, 1, 1]) @ lps
    t.check(np.allclose(img.affine, ras_expected, atol=1e-4), "nibabel affine equals Calvaria's (LPS→RAS)",
            f"{img.affine}\n{ras_expected}")
    data = np.asarray(img.dataobj)
    raw = subprocess.run(["tar", "-xzOf", a.sample, "--wildcards", "*/matrix.dat"],
                         capture_output=True, check=True).stdout
    matrix = np.frombuffer(raw, "<i2").reshape(108, 256, 256)
    t.check(np.array_equal(data.transpose(2, 1, 0), matrix), "converted voxels equal matrix.dat")
    r = subprocess.run(["plastimatch", "header", out], capture_output=True, text=True, errors="replace")
    t.check(r.returncode == 0 and "Size = 256 256 108" in r.stdout and "Spacing = 0.9570 0.9570 1.5000" in r.stdout,
            "plastimatch header reads the same size and spacing", r.stdout + r.stderr)
    direction = re.search(r"Direction = (.*)", r.stdout)
    ours = [lps[r_][c] / np.linalg.norm(lps[:3, c]) for r_ in range(3) for c in range(3)]
    theirs = [float(v) for v in direction.group(1).split()] if direction else []
    # plastimatch prints the direction cosines column by column.
    t.check(len(theirs) == 9 and np.allclose(np.array(theirs).reshape(3, 3).T, np.array(ours).reshape(3, 3), atol=1e-4),
            "plastimatch reads the same LPS direction", f"{theirs} vs {ours}")

    # masks
    mout = os.path.join(tmp, "mask.nii.gz")
    r = run(a.cli, "convert", "--mask", "0", a.sample, mout)
    m = nibabel.load(mout)
    t.check(r.returncode == 0 and m.get_data_dtype() == np.uint8 and np.allclose(m.affine, img.affine)
            and set(np.unique(np.asarray(m.dataobj))) == {0, 1}, "convert --mask writes a uint8 label map on the CT's grid")

    # the check for false defects: a mask cut at 700 HU leaves bone of 500 to
    # 700 HU touching it out; the sample's own mask (InVesalius) leaves none
    # out that is denser than 500 HU and at least 10 mm³
    thr = os.path.join(tmp, "bone700.nii.gz")
    run(a.cli, "threshold", a.sample, thr, "--min", "700", "--max", "3000", "--quiet")
    r = run(a.cli, "check", a.sample, thr, "--json")
    pieces = json.loads(r.stdout)["false_defects"] if r.returncode == 0 else []
    t.check(len(pieces) > 0 and all(p["volume_mm3"] >= 10 and 226 <= p["mean_hu"] < 2500 for p in pieces)
            and pieces == sorted(pieces, key=lambda p: -p["voxels"]),
            "check lists the bone a 700 HU mask leaves out, largest first", r.stdout[-800:] + r.stderr)
    bone = os.path.join(tmp, "bone226.nii.gz")
    run(a.cli, "threshold", a.sample, bone, "--preset", "bone", "--quiet")
    r = run(a.cli, "check", a.sample, bone)
    t.check(r.returncode == 0 and "touching the mask's bone, 10 mm³ or more): 0" in r.stdout,
            "check lists nothing for the bone preset's own mask", r.stdout[-800:] + r.stderr)

    # the patient's left stays left: DICOM (head first, feet first, prone) to NIfTI
    for case in ("hfs", "ffs", "hfp"):
        nii = os.path.join(tmp, case + ".nii")
        r = run(a.cli, "convert", os.path.join(a.cases, case), nii)
        if r.returncode != 0:
            t.check(False, f"{case}: convert", r.stderr)
            continue
        left = marker_centroid_ras(nii, MARK_LEFT)
        anterior = marker_centroid_ras(nii, MARK_ANTERIOR)
        superior = marker_centroid_ras(nii, MARK_SUPERIOR)
        # RAS: the patient's left is negative x, anterior positive y.
        t.check(left[0] < -5 and anterior[1] > 4 and superior[2] > 4,
                f"{case}: markers on the patient's left/anterior/superior in the NIfTI (nibabel)",
                f"left {left} anterior {anterior} superior {superior}")
        codes = nibabel.aff2axcodes(nibabel.load(nii).affine)
        t.check(codes == {"hfs": ("L", "P", "S"), "ffs": ("R", "P", "I"), "hfp": ("R", "A", "S")}[case],
                f"{case}: nibabel axis codes", codes)

    # series listing and choice
    r = run(a.cli, "info", "--json", os.path.join(a.cases, "two-series"))
    listing = json.loads(r.stdout)
    t.check([s["images"] for s in listing["series"]] == [12, 4], "info lists both series, largest first", r.stdout)
    r = run(a.cli, "info", "--series", "2", "--json", os.path.join(a.cases, "two-series"))
    t.check(r.returncode == 0 and json.loads(r.stdout)["dims"][2] == 4 or "at least 3" in r.stderr,
            "info --series 2 picks the second series", r.stdout + r.stderr)

    # exit codes a script can rely on
    t.check(run(a.cli).returncode == 2, "no command: exit 2")
    t.check(run(a.cli, "convert", a.sample).returncode == 2, "missing argument: exit 2")
    t.check(run(a.cli, "convert", a.sample, os.path.join(tmp, "x.stl")).returncode == 2, "non-NIfTI output: exit 2")
    r = run(a.cli, "info", os.path.join(a.cases, "random", "noise.dcm"))
    t.check(r.returncode == 1 and "Not a DICOM file" in r.stderr, "bad input: exit 1 with the reason", r.stderr)
    r = run(a.cli, "convert", a.sample, "/nonexistent-dir/out.nii")
    t.check(r.returncode == 3, "unwritable output: exit 3", r.stderr)

    # unknown orientation is refused unless accepted
    noq = os.path.join(tmp, "noorient.nii")
    nibabel.save(nibabel.Nifti1Image(np.zeros((4, 4, 4), np.int16), None), noq)
    hdr = nibabel.load(noq)
    r = run(a.cli, "info", noq)
    t.check(r.returncode == 4 and "left and right" in r.stderr, "no qform/sform: refused with exit 4", r.stderr)
    r = run(a.cli, "info", "--accept-unknown-orientation", noq)
    t.check(r.returncode == 0 and "UNKNOWN" in r.stdout, "accepted on request, marked UNKNOWN", r.stdout)
    del hdr

    # segment: what is wrong is said before any network runs
    mask = os.path.join(tmp, "unet.nii.gz")
    r = run(a.cli, "segment", a.sample, mask, "--model", os.path.join(tmp, "missing.onnx"))
    t.check(r.returncode == 1 and "missing.onnx" in r.stderr and not os.path.exists(mask),
            "segment with a missing model: exit 1, names it, writes nothing", r.stderr)
    bad_model = os.path.join(tmp, "garbage.onnx")
    with open(bad_model, "wb") as f:
        f.write(b"\x0a\xff\xff\xff\xff\x0f not a model")
    r = run(a.cli, "segment", a.sample, mask, "--model", bad_model)
    t.check(r.returncode == 1 and "garbage.onnx" in r.stderr and not os.path.exists(mask),
            "segment with a corrupt model: exit 1, writes nothing", r.stderr)
    r = run(a.cli, "segment", a.sample, os.path.join(tmp, "unet.stl"))
    t.check(r.returncode == 2 and ".nii" in r.stderr, "segment to a non-NIfTI mask: exit 2", r.stderr)
    r = run(a.cli, "segment", a.sample, mask, "--threshold", "1.5")
    t.check(r.returncode == 2 and "threshold" in r.stderr and not os.path.exists(mask),
            "segment with a threshold outside 0–1: exit 2", r.stderr)

    # phantom: the scanner model is a choice, and an unknown one is refused before anything is written
    ph_ct, ph_labels = os.path.join(tmp, "phantom-ct.nii"), os.path.join(tmp, "phantom-labels.nii")
    r = run(a.cli, "phantom", "--seed", "9013", "--size", "32", "--scanner", "2", ph_ct, ph_labels)
    t.check(r.returncode == 0 and "(scanner 2: streaks only from the metal in each slice)" in r.stdout
            and nibabel.load(ph_ct).shape[:2] == (32, 32), "phantom --scanner 2 says so and writes the phantom",
            r.stdout + r.stderr)
    os.remove(ph_ct)
    r = run(a.cli, "phantom", "--seed", "9013", "--size", "32", "--scanner", "3", ph_ct, ph_labels)
    t.check(r.returncode == 2 and "scanner model 3" in r.stderr and not os.path.exists(ph_ct),
            "phantom --scanner 3: exit 2, names the model, writes nothing", r.stderr)

    # the written header carries no patient data
    with open(os.path.join(tmp, "hfs.nii"), "rb") as f:
        head = f.read(352)
    t.check(b"Phantom" not in head and b"SYNTH" not in head, "no patient identifiers in the NIfTI header")

    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
