#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seed corpora for the fuzz targets, one folder each, from data on the
machine: pydicom's test files (many transfer syntaxes), the synthetic
series the tests use, small NIfTI and InVesalius files, ONNX models from
Debian's libonnx-testdata and Calvaria's own.  Usage: make-seeds.py OUTDIR"""
import gzip
import os
import shutil
import struct
import sys
import tempfile

import numpy as np
import pydicom

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import bad_input_cases as bic  # noqa: E402

PYDICOM_FILES = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
ONNX_NODE_TESTS = "/usr/share/libonnx-testdata/data/node"
SEPARATOR = b"CALVARIA-NEXT-FILE"


def dicom_seeds(out):
    os.makedirs(out)
    for name in sorted(os.listdir(PYDICOM_FILES)):
        src = os.path.join(PYDICOM_FILES, name)
        if name.endswith(".dcm") and os.path.getsize(src) < 600_000:
            shutil.copy(src, os.path.join(out, name))
    # One slice of a synthetic series, and a short nesting that still loads.
    with tempfile.TemporaryDirectory() as tmp:
        bic.series(os.path.join(tmp, "s"), n=3)
        first = bic.files_of(os.path.join(tmp, "s"))[0]
        shutil.copy(first, os.path.join(out, "synthetic-slice.dcm"))
    bic.nested_sequences(os.path.join(out, "nested-8.dcm"), 8)


def series_seeds(out):
    os.makedirs(out)
    with tempfile.TemporaryDirectory() as tmp:
        for name, tweak in (("plain", None), ("tilted", None), ("missing", None)):
            folder = os.path.join(tmp, name)
            if name == "tilted":
                positions = bic.mdc.centred_positions(*bic.HFS, [0, 0, 1], n=4, shift=(0, 0.3, 0))
                bic.mdc.write_series(folder, *bic.HFS, positions)
            elif name == "missing":
                positions = bic.mdc.centred_positions(*bic.HFS, [0, 0, 1], n=5)
                bic.mdc.write_series(folder, *bic.HFS, positions[:2] + positions[3:])
            else:
                bic.series(folder, n=4)
            parts = [open(p, "rb").read() for p in bic.files_of(folder)]
            open(os.path.join(out, name), "wb").write(SEPARATOR.join(parts))


def nifti_seeds(out):
    os.makedirs(out)
    bic.nifti1(os.path.join(out, "int16.nii"), shape=(6, 5, 4))
    bic.nifti1(os.path.join(out, "float.nii"), shape=(4, 4, 3), dtype="<f4", code=16)
    bic.nifti1(os.path.join(out, "scaled.nii"), shape=(4, 4, 3), slope=2.0, inter=-1024.0)
    bic.nifti1(os.path.join(out, "mask.nii"), shape=(4, 4, 3), dtype="u1", code=2,
               data=(np.arange(48) % 3).astype("u1"))
    bic.nifti1(os.path.join(out, "oblique.nii"), shape=(4, 4, 3), qform=1, sform=0,
               quatern=(0.1, 0.0, 0.0))
    bic.nifti1(os.path.join(out, "compressed.nii"), shape=(6, 5, 4), gz=True)
    bic.nifti2_dim0(os.path.join(out, "nifti2.nii"), 3)


def inv3_seeds(out):
    os.makedirs(out)
    bic.inv3_project(os.path.join(out, "tiny.inv3"), (3, 5, 6))


def onnx_seeds(out, models_dir):
    os.makedirs(out)
    wanted = ("conv", "convtranspose", "batchnorm", "instancenorm", "relu", "leakyrelu", "prelu",
              "sigmoid", "softmax", "maxpool", "resize", "upsample", "concat", "add", "mul")
    for name in sorted(os.listdir(ONNX_NODE_TESTS)):
        if any(name.startswith("test_" + w) for w in wanted):
            src = os.path.join(ONNX_NODE_TESTS, name, "model.onnx")
            if os.path.exists(src):
                shutil.copy(src, os.path.join(out, name + ".onnx"))
    for name in os.listdir(models_dir) if os.path.isdir(models_dir) else []:
        path = os.path.join(models_dir, name)
        if name.endswith(".onnx") and os.path.getsize(path) < 4 << 20:
            shutil.copy(path, os.path.join(out, name))
    bic.relu_model(os.path.join(out, "free-axes.onnx"), [1, 1, "h", "w"], {"calvaria.spacing_mm": "0.5,0.5"})


def regressions(out):
    """Inputs that once crashed a target (tests/fuzz/regressions/SEEDS/):
    every run replays them first."""
    for kind in os.listdir(os.path.join(HERE, "regressions")):
        folder = os.path.join(HERE, "regressions", kind)
        for name in os.listdir(folder):
            shutil.copy(os.path.join(folder, name), os.path.join(out, kind, "regression-" + name))


def main():
    out, models_dir = sys.argv[1], sys.argv[2]
    shutil.rmtree(out, ignore_errors=True)
    bic.mdc.random.seed(5)
    dicom_seeds(os.path.join(out, "dicom"))
    series_seeds(os.path.join(out, "series"))
    nifti_seeds(os.path.join(out, "nifti"))
    inv3_seeds(os.path.join(out, "inv3"))
    onnx_seeds(os.path.join(out, "onnx"), models_dir)
    regressions(out)
    open(os.path.join(out, "stamp"), "w").write("ok\n")


if __name__ == "__main__":
    main()
