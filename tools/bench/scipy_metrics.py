#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The peer for tools/bench/metrics.py: the same metrics the way Python
pipelines compute them (MONAI / DeepMind surface-distance style):
surface = mask minus its 6-neighbourhood erosion, scipy.ndimage's exact
Euclidean distance transform with the voxel spacing, numpy percentiles.

Usage: scipy_metrics.py REF.nii TEST.nii   (prints JSON, distances in mm)
"""
import json
import sys

import nibabel
import numpy as np
from scipy import ndimage


def surface(mask):
    six = ndimage.generate_binary_structure(3, 1)
    return mask & ~ndimage.binary_erosion(mask, six, border_value=0)


def main():
    ref_img = nibabel.load(sys.argv[1])
    ref = np.asanyarray(ref_img.dataobj) > 0
    test = np.asanyarray(nibabel.load(sys.argv[2]).dataobj) > 0
    spacing = ref_img.header.get_zooms()[:3]
    s_ref, s_test = surface(ref), surface(test)
    d_ab = ndimage.distance_transform_edt(~s_test, sampling=spacing)[s_ref]
    d_ba = ndimage.distance_transform_edt(~s_ref, sampling=spacing)[s_test]
    print(json.dumps({
        "dsc": 2.0 * np.logical_and(ref, test).sum() / (ref.sum() + test.sum()),
        "hd": float(max(d_ab.max(), d_ba.max())),
        "hd95": float(max(np.percentile(d_ab, 95), np.percentile(d_ba, 95))),
        "assd": float(np.concatenate([d_ab, d_ba]).mean()),
    }))


if __name__ == "__main__":
    main()
