#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A segmentation that does not depend on how the scan is stored (issue
29): one phantom CT written in each of the 48 axis orders and flips (the
same voxels at the same places in the patient, the NIfTI matrix adjusted),
segmented with the shipped model, must give the identical mask in patient
space; the CLI says when it reordered the voxels.  A model that declares
no orientation runs on the voxels as stored, and a malformed declaration
is refused.  TAP output.

--ct CT.nii runs the 48 on another CT instead (how docs/segmentation.md
checked the sample: `calvaria-cli convert` it to NIfTI first)."""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile

import nibabel
import numpy as np
import onnx

from tap import Tap, run


def stored_as(data, affine, perm, flips):
    """The same image with its voxel axes permuted (new axis t = old axis
    perm[t]) and flipped, and the affine that keeps every voxel where it
    was in the patient."""
    new = np.transpose(data, perm)
    to_old = np.zeros((4, 4))
    to_old[3, 3] = 1
    for t in range(3):
        if flips[t]:
            new = np.flip(new, t)
            to_old[perm[t], t] = -1
            to_old[perm[t], 3] = new.shape[t] - 1
        else:
            to_old[perm[t], t] = 1
    return np.ascontiguousarray(new), affine @ to_old


def back_to_original(mask, perm, flips):
    for t in range(3):
        if flips[t]:
            mask = np.flip(mask, t)
    return np.transpose(mask, np.argsort(perm))


def save(path, data, affine):
    image = nibabel.Nifti1Image(data, affine)
    image.set_sform(affine, code=1)
    image.set_qform(affine, code=1)
    image.header.set_xyzt_units("mm")
    nibabel.save(image, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--ct", help="a NIfTI CT to use instead of the phantom")
    a = ap.parse_args()
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="cal-orientation-") as tmp:
        P = lambda name: os.path.join(tmp, name)
        if a.ct:
            original = nibabel.load(a.ct)
        else:
            r = run(a.cli, "phantom", "--seed", "9018", "--size", "64", "--slice", "2.5", P("ct.nii"), P("labels.nii"))
            t.check(r.returncode == 0, "a 64² phantom CT", r.stderr)
            original = nibabel.load(P("ct.nii"))
        data = np.asarray(original.dataobj).astype(np.int16)
        affine = original.affine
        reference, differing, reordered, said = None, [], 0, 0
        for index, (perm, flips) in enumerate(itertools.product(itertools.permutations(range(3)),
                                                                itertools.product((False, True), repeat=3))):
            ct, out = P(f"ct{index}.nii"), P(f"mask{index}.nii")
            save(ct, *stored_as(data, affine, perm, flips))
            r = run(a.cli, "segment", ct, out, "--device", "cpu")
            if r.returncode != 0:
                differing.append(f"{perm} {flips}: segment failed: {r.stderr.strip()[-300:]}")
                continue
            reordered += "reordered to LPS" in r.stdout
            said += "Orientation:" in r.stdout
            mask = back_to_original(np.asarray(nibabel.load(out).dataobj) > 0, perm, flips)
            if reference is None:
                reference = mask
            elif not np.array_equal(mask, reference):
                differing.append(f"{perm} {flips}: {int((mask != reference).sum())} voxels differ")
        t.check(reference is not None and reference.sum() > 1000,
                f"the CT has bone ({0 if reference is None else int(reference.sum())} voxels)")
        t.check(not differing, "all 48 storage orders give the identical mask in patient space",
                "\n".join(differing))
        # One of the 48 is stored as the model wants it (LPS): no reordering;
        # every other one is reordered.
        t.check(said == 48 and reordered == 47, f"the CLI says how it reordered ({reordered} of 48 reordered)")
        if a.ct:
            print(f"1..{t.n}")
            return 1 if t.failed else 0

        # Without calvaria.orientation the voxels run as stored: a flipped
        # copy is then a different input (the old behaviour, kept for
        # models that do not say).
        plain = P("no-orientation.onnx")
        m = onnx.load(a.model)
        keep = [p for p in m.metadata_props if p.key != "calvaria.orientation"]
        del m.metadata_props[:]
        m.metadata_props.extend(keep)
        onnx.save(m, plain)
        r = run(a.cli, "segment", P("ct5.nii"), P("plain.nii"), "--model", plain, "--device", "cpu")
        t.check(r.returncode == 0 and "reordered" not in r.stdout,
                "a model without calvaria.orientation runs on the voxels as stored", r.stdout + r.stderr)

        bad = P("bad-orientation.onnx")
        m = onnx.load(a.model)
        for p in m.metadata_props:
            if p.key == "calvaria.orientation":
                p.value = "LPL"
        onnx.save(m, bad)
        r = run(a.cli, "segment", P("ct0.nii"), P("bad.nii"), "--model", bad)
        t.check(r.returncode != 0 and "calvaria.orientation" in r.stderr and "LPL" in r.stderr
                and not os.path.exists(P("bad.nii")),
                "calvaria.orientation “LPL” is refused, naming the key and the value", r.stderr)
    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
