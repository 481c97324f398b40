#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The realistic evaluation pair of issue 3, from the sample head CT.

The InVesalius "Cranium" CT (256×256×108 at 0.957×0.957×1.5 mm) is
resampled by trilinear interpolation to 512×512×300 at 0.48×0.48×0.54 mm
(the same field of view), then
  reference = CT >= 226 HU, largest 6-connected component;
  test      = CT >= 300 HU, dilated by one voxel (6-neighbourhood) in the
              upper (superior) half of the slices.
Both are written as uncompressed NIfTI-1 uint8 masks (RAS affine, as
nibabel writes).

Usage: make_metrics_pair.py OUTDIR   (prints the two paths)
"""
import os
import sys
import tarfile

import nibabel
import numpy as np
from scipy import ndimage

SAMPLE = "/usr/share/doc/invesalius-examples/examples/Cranium.inv3"
SHAPE = (512, 512, 300)
SPACING = (0.48, 0.48, 0.54)


def sample_ct():
    with tarfile.open(SAMPLE, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("matrix.dat"))
        raw = tar.extractfile(member).read()
    return np.frombuffer(raw, "<i2").reshape(108, 256, 256).transpose(2, 1, 0)   # x, y, z


def make_pair():
    ct = sample_ct().astype(np.float32)
    zoom = [n / o for n, o in zip(SHAPE, ct.shape)]
    big = ndimage.zoom(ct, zoom, order=1)
    assert big.shape == SHAPE, big.shape
    labels, n = ndimage.label(big >= 226)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    reference = labels == sizes.argmax()
    test = big >= 300
    six = ndimage.generate_binary_structure(3, 1)
    upper = SHAPE[2] // 2
    test[:, :, upper:] = ndimage.binary_dilation(test, six)[:, :, upper:]
    return reference.astype(np.uint8), test.astype(np.uint8)


def main_paths(out):
    """Writes the pair into `out` unless there already; returns the paths."""
    os.makedirs(out, exist_ok=True)
    paths = [os.path.join(out, name) for name in ("reference.nii", "test.nii")]
    if not all(os.path.exists(p) for p in paths):
        affine = np.diag([*SPACING, 1.0])
        for path, mask in zip(paths, make_pair()):
            image = nibabel.Nifti1Image(mask, affine)
            image.set_qform(affine, 1)
            image.set_sform(affine, 1)
            nibabel.save(image, path + ".tmp.nii")
            os.replace(path + ".tmp.nii", path)
    return paths


def main():
    print("\n".join(main_paths(sys.argv[1])))


if __name__ == "__main__":
    main()
