#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a 512×512×300 CT series (uncompressed DICOM, one file per slice)
made from the sample head CT, for benchmarks.  The sample is resampled
trilinearly to 0.479×0.479×0.54 mm; geometry is head-first supine.

Usage: make_series.py SAMPLE.inv3 OUTDIR
"""
import argparse
import os
import tarfile

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from scipy import ndimage

SHAPE = (300, 512, 512)          # slices, rows, columns


def read_sample(path):
    with tarfile.open(path, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("matrix.dat"))
        raw = tar.extractfile(member).read()
    # InVesalius: [slice][row][column], rows run anterior; DICOM rows run posterior.
    return np.frombuffer(raw, "<i2").reshape(108, 256, 256)[:, ::-1, :]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sample", help="the InVesalius sample project (Cranium.inv3)")
    parser.add_argument("out", help="the folder to write the series into (kept when complete)")
    args = parser.parse_args()
    sample, out = args.sample, args.out
    stamp = out.rstrip("/") + ".complete"   # beside the series: not a file in it
    if os.path.exists(stamp):
        return
    os.makedirs(out, exist_ok=True)
    ct = read_sample(sample).astype(np.float32)
    zoom = [SHAPE[i] / ct.shape[i] for i in range(3)]
    big = ndimage.zoom(ct, zoom, order=1, prefilter=False)
    big = np.clip(np.rint(big), -1024, 3071).astype(np.int16)
    spacing_xy = 256 * 0.9570312 / 512
    spacing_z = 108 * 1.5 / 300
    series, study, frame = generate_uid(), generate_uid(), generate_uid()
    for k in range(SHAPE[0]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.SOPClassUID = meta.MediaStorageSOPClassUID
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.Modality = "CT"
        ds.PatientName = "Bench^Phantom"
        ds.PatientID = "BENCH"
        ds.SeriesNumber = 1
        ds.InstanceNumber = k + 1
        ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        ds.ImagePositionPatient = [-122.5, -122.5, -80.0 + k * spacing_z]
        ds.PixelSpacing = [spacing_xy, spacing_xy]
        ds.SliceThickness = spacing_z
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = SHAPE[1], SHAPE[2]
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        ds.PixelRepresentation = 0
        ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
        ds.PixelData = (big[k].astype(np.int32) + 1024).astype(np.uint16).tobytes()
        ds.save_as(os.path.join(out, f"CT{k + 1:04d}.dcm"), write_like_original=False)
    open(stamp, "w").close()


if __name__ == "__main__":
    main()
