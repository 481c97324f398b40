#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/train/evaluate_skull.py's false defects (issue 29): dense bone
the model left out through its thickness counts, by piece and in mL; a
one-voxel rim along what the model did call bone does not (surface error,
which HD95 and ASSD measure), nor does faint bone under 500 HU.  A slab of
'skull' 4 voxels thick with a hole cut in the prediction.  TAP output."""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from tap import Tap  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tools", required=True)
    a = ap.parse_args()
    sys.path.insert(0, a.tools)
    from evaluate_skull import DENSE_HU, false_defects

    t = Tap()
    shape = (40, 40, 20)
    reference = np.zeros(shape, bool)
    reference[:, :, 8:12] = True                      # a slab of bone, 4 voxels thick
    ct = np.where(reference, 900, 30).astype(np.int16)
    voxel_ml = 0.5 ** 3 / 1000                         # 0.5 mm voxels

    found = false_defects(reference, reference.copy(), ct, voxel_ml)
    t.check(found == [], "a perfect mask has no false defect", found)

    rim = reference.copy()
    rim[:, :, 11] = False                             # one surface layer left out everywhere
    found = false_defects(reference, rim, ct, voxel_ml)
    t.check(found == [], "a one-voxel rim left out along the surface is not a false defect", found)

    hole = reference.copy()
    hole[10:20, 10:20, :] = False                     # a hole through the bone, 10 × 10 voxels
    found = false_defects(reference, hole, ct, voxel_ml)
    # The hole's voxels that touch no predicted voxel by a face: 8 × 8 × 4.
    t.check(len(found) == 1 and abs(found[0] - 8 * 8 * 4 * voxel_ml) < 1e-12,
            f"a hole through the bone is one false defect of its inner volume ({found})")

    faint = ct.copy()
    faint[10:20, 10:20, :] = DENSE_HU - 1             # the same hole where the bone is faint
    found = false_defects(reference, hole, faint, voxel_ml)
    t.check(found == [], f"faint bone (under {DENSE_HU} HU) left out is not counted", found)

    two = hole.copy()
    two[25:35, 25:31, :] = False                      # a second, smaller hole
    found = false_defects(reference, two, ct, voxel_ml)
    t.check(len(found) == 2 and found[0] > found[1] and abs(found[1] - 8 * 4 * 4 * voxel_ml) < 1e-12,
            f"two holes are two pieces, largest first ({found})")
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
