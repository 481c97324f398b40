#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the synthetic DICOM series the tests load, one folder per case.

Every case is built from scratch with pydicom (no patient data), so each
test knows exactly what the right answer is.  Usage: make-dicom-cases.py OUTDIR
"""
import os
import random
import shutil
import subprocess
import sys

try:
    import numpy as np
    import pydicom
except ImportError:
    # Optional at configure time: write a marker instead, and the tests that
    # need these cases say what to install.
    if __name__ == "__main__":
        os.makedirs(sys.argv[1], exist_ok=True)
        with open(os.path.join(sys.argv[1], "MISSING-PYDICOM"), "w") as marker:
            marker.write("install python3-pydicom and python3-numpy (tools/setup/bootstrap.sh test)\n")
        print("warning: python3-pydicom or python3-numpy is missing: no synthetic DICOM cases", file=sys.stderr)
        sys.exit(0)
    raise
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
COLS, ROWS, SLICES = 24, 20, 12
SPACING = (0.8, 0.7)          # between rows, between columns (DICOM order)
SLICE_GAP = 1.25

# Markers in patient space (LPS mm, relative to the volume centre) with the
# value each carries: the tests find them again by value.
MARK_LEFT, MARK_ANTERIOR, MARK_SUPERIOR = 1000, 2000, 3000


def base_dataset(series_uid, study_uid, frame_uid, modality="CT"):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SOPClassUID = CT_IMAGE_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = series_uid
    ds.FrameOfReferenceUID = frame_uid
    ds.Modality = modality
    ds.PatientName = "Phantom^Synthetic"
    ds.PatientID = "SYNTH-0001"
    ds.SeriesDescription = "synthetic"
    ds.SeriesNumber = 1
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = ROWS
    ds.Columns = COLS
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.PixelSpacing = list(SPACING)
    ds.SliceThickness = SLICE_GAP
    ds.RescaleSlope = 1
    ds.RescaleIntercept = -1024
    return ds


def phantom_value(p):
    """HU at patient point p (LPS mm): markers on the left, anterior, top."""
    x, y, z = p
    if x > 5 and abs(y) < 3 and abs(z) < 3:
        return MARK_LEFT
    if y < -4 and abs(x) < 3 and abs(z) < 3:
        return MARK_ANTERIOR
    if z > 4 and abs(x) < 3 and abs(y) < 3:
        return MARK_SUPERIOR
    return 0


def write_series(folder, row_dir, col_dir, positions, *, shuffle=True, tweak=None,
                 series_uid=None, modality="CT", value=phantom_value, prefix="img"):
    os.makedirs(folder, exist_ok=True)
    series_uid = series_uid or generate_uid()
    study, frame = generate_uid(), generate_uid()
    row_dir, col_dir = np.asarray(row_dir, float), np.asarray(col_dir, float)
    order = list(range(len(positions)))
    numbers = list(range(1, len(positions) + 1))
    if shuffle:
        random.shuffle(numbers)      # InstanceNumber must not decide the order
    for s in order:
        ds = base_dataset(series_uid, study, frame, modality)
        ds.ImageOrientationPatient = [float(v) for v in (*row_dir, *col_dir)]
        pos = np.asarray(positions[s], float)
        ds.ImagePositionPatient = [float(v) for v in pos]
        ds.InstanceNumber = numbers[s]
        img = np.zeros((ROWS, COLS), np.int16)
        for r in range(ROWS):
            for c in range(COLS):
                p = pos + c * SPACING[1] * row_dir + r * SPACING[0] * col_dir
                img[r, c] = value(p)
        stored = (img.astype(np.int32) + 1024).astype(np.int16)
        if tweak:
            stored = tweak(ds, s, stored)
        if stored is not None:
            ds.PixelData = stored.tobytes()
        ds.save_as(os.path.join(folder, f"{prefix}{numbers[s]:04d}.dcm"), write_like_original=False)
    return series_uid


def centred_positions(row_dir, col_dir, normal, n=SLICES, gap=SLICE_GAP, shift=(0, 0, 0)):
    row_dir, col_dir, normal = (np.asarray(v, float) for v in (row_dir, col_dir, normal))
    half = (COLS - 1) * SPACING[1] / 2 * row_dir + (ROWS - 1) * SPACING[0] / 2 * col_dir
    return [-half + (k - (n - 1) / 2) * gap * normal + k * np.asarray(shift, float)
            for k in range(n)]


def orientation_cases(out):
    # Head first supine: rows run to the patient's left, columns posterior.
    hfs = ([1, 0, 0], [0, 1, 0])
    write_series(f"{out}/hfs", *hfs, centred_positions(*hfs, [0, 0, 1]))
    # Feet first supine: the scanner flips the image so rows run to the
    # patient's right; the normal then points to the feet.
    ffs = ([-1, 0, 0], [0, 1, 0])
    write_series(f"{out}/ffs", *ffs, centred_positions(*ffs, [0, 0, -1]))
    # Head first prone: rows to the patient's right, columns anterior.
    hfp = ([-1, 0, 0], [0, -1, 0])
    write_series(f"{out}/hfp", *hfp, centred_positions(*hfp, [0, 0, 1]))


def geometry_cases(out):
    hfs = ([1, 0, 0], [0, 1, 0])
    pos = centred_positions(*hfs, [0, 0, 1])
    # Gantry tilt: each slice shifted along y as z grows (tan 15 deg).
    tilt = np.tan(np.radians(15.0)) * SLICE_GAP
    write_series(f"{out}/tilt", *hfs, centred_positions(*hfs, [0, 0, 1], shift=(0, tilt, 0)))
    write_series(f"{out}/missing-slice", *hfs, pos[:5] + pos[6:])
    uneven = [p.copy() for p in pos]
    for k in range(6, len(uneven)):
        uneven[k][2] += 0.4
    write_series(f"{out}/uneven", *hfs, uneven)
    write_series(f"{out}/two-slices", *hfs, pos[:2])
    write_series(f"{out}/duplicate-same", *hfs, pos + [pos[3]])

    def differ(ds, s, img):
        return img + 7 if s == len(pos) else img
    write_series(f"{out}/duplicate-different", *hfs, pos + [pos[3]], tweak=differ)

    def mixed(ds, s, img):
        if s % 3 == 1:
            ds.ImageOrientationPatient = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0]
        return img
    write_series(f"{out}/mixed-orientation", *hfs, pos, tweak=mixed)

    def no_ipp(ds, s, img):
        if s == 4:
            del ds.ImagePositionPatient
        return img
    write_series(f"{out}/no-position", *hfs, pos, tweak=no_ipp)

    # Two series in one folder: a 12-slice CT and a 4-slice one.
    write_series(f"{out}/two-series", *hfs, pos)
    write_series(f"{out}/two-series", *hfs, pos[:4], prefix="small")


def pixel_format_cases(out):
    hfs = ([1, 0, 0], [0, 1, 0])
    pos = centred_positions(*hfs, [0, 0, 1], n=4)

    def rows0(ds, s, img):
        ds.Rows = 0
        return img
    write_series(f"{out}/rows-zero", *hfs, pos, tweak=rows0)

    def huge(ds, s, img):
        ds.Rows = 65535
        ds.Columns = 65535
        return img
    write_series(f"{out}/huge-size", *hfs, pos, tweak=huge)

    def bits(ds, s, img):
        ds.BitsStored = 17
        ds.HighBit = 16
        return img
    write_series(f"{out}/bits-stored", *hfs, pos, tweak=bits)

    def rgb(ds, s, img):
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = "RGB"
        ds.PlanarConfiguration = 0
        ds.BitsAllocated = ds.BitsStored = 8
        ds.HighBit = 7
        ds.PixelRepresentation = 0
        return np.zeros((ROWS, COLS, 3), np.uint8)
    write_series(f"{out}/rgb", *hfs, pos, tweak=rgb)

    os.makedirs(f"{out}/random", exist_ok=True)
    rng = np.random.default_rng(7)
    with open(f"{out}/random/noise.dcm", "wb") as f:
        f.write(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())


def compressed_variants(out, pydicom_files):
    """CT_small and MR_small re-encoded by dcmtk's own tools: lossless, so
    the tests can require the decoded pixels to equal the originals."""
    os.makedirs(f"{out}/codecs", exist_ok=True)
    tools = {"jpeg-lossless": ["dcmcjpeg", "+e1"], "jpeg-ls": ["dcmcjpls", "+el"],
             "rle": ["dcmcrle"]}
    for name in ("CT_small", "MR_small"):
        src = os.path.join(pydicom_files, name + ".dcm")
        for variant, cmd in tools.items():
            if shutil.which(cmd[0]):
                subprocess.run(cmd + [src, f"{out}/codecs/{name}_{variant}.dcm"], check=True)


def lossy_jpeg_cases(out, pydicom_files):
    """Lossy JPEG has no bit-exact original: the reference is the same file
    decompressed by dcmtk's own dcmdjpeg, written uncompressed."""
    hfs = ([1, 0, 0], [0, 1, 0])
    folder = f"{out}/codecs/eight-bit"

    def eight_bit(ds, s, img):
        ds.BitsAllocated = ds.BitsStored = 8
        ds.HighBit = 7
        ds.PixelRepresentation = 0
        ds.RescaleIntercept = 0
        return ((np.arange(ROWS * COLS).reshape(ROWS, COLS) * 7) % 251).astype(np.uint8)
    write_series(folder, *hfs, centred_positions(*hfs, [0, 0, 1], n=1), tweak=eight_bit)
    src = os.path.join(folder, os.listdir(folder)[0])
    subprocess.run(["dcmcjpeg", "+eb", src, f"{out}/codecs/baseline8.dcm"], check=True)
    subprocess.run(["dcmdjpeg", f"{out}/codecs/baseline8.dcm", f"{out}/codecs/baseline8_ref.dcm"],
                   check=True)
    shutil.rmtree(folder)
    subprocess.run(["dcmdjpeg", os.path.join(pydicom_files, "JPGExtended.dcm"),
                    f"{out}/codecs/JPGExtended_ref.dcm"], check=True)


def main():
    out = sys.argv[1]
    random.seed(1234)
    shutil.rmtree(out, ignore_errors=True)
    orientation_cases(out)
    geometry_cases(out)
    pixel_format_cases(out)
    pydicom_files = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
    compressed_variants(out, pydicom_files)
    lossy_jpeg_cases(out, pydicom_files)
    with open(os.path.join(out, "stamp"), "w") as f:
        f.write("ok\n")


if __name__ == "__main__":
    main()
