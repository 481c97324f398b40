#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A DICOM series whose identifiers all carry a canary: patient name, ID,
birth date, institution, accession number, series description and the
folder's name.  The PHI tests look for the canary in everything Calvaria
writes or prints.  Usage: make-phi-canary.py OUTDIR (the series lands in
OUTDIR/<canary folder>/)."""
import importlib.util
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
if importlib.util.find_spec("pydicom") is None:
    os.makedirs(sys.argv[1], exist_ok=True)
    with open(os.path.join(sys.argv[1], "MISSING-PYDICOM"), "w") as marker:
        marker.write("install python3-pydicom (tools/setup/bootstrap.sh test)\n")
    print("warning: python3-pydicom is missing: no PHI canary series", file=sys.stderr)
    sys.exit(0)
spec = importlib.util.spec_from_file_location("mdc", os.path.join(HERE, "make-dicom-cases.py"))
mdc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mdc)

CANARY = "QZXCANARY"
BIRTH_DATE = "19031117"
FOLDER = f"{CANARY}^PATIENT {BIRTH_DATE}"


def tweak(ds, s, img):
    ds.PatientName = f"{CANARY}^PATIENT"
    ds.PatientID = f"{CANARY}-ID"
    ds.PatientBirthDate = BIRTH_DATE
    ds.InstitutionName = f"{CANARY} HOSPITAL"
    ds.AccessionNumber = f"{CANARY}A"[:16]
    ds.SeriesDescription = f"HEAD {CANARY}"
    ds.StudyDescription = f"STUDY {CANARY}"
    ds.ReferringPhysicianName = f"{CANARY}^DOCTOR"
    return img


def main():
    out = sys.argv[1]
    shutil.rmtree(out, ignore_errors=True)
    random.seed(77)
    hfs = ([1, 0, 0], [0, 1, 0])
    mdc.write_series(os.path.join(out, FOLDER), *hfs, mdc.centred_positions(*hfs, [0, 0, 1]),
                     tweak=tweak, prefix=CANARY)
    with open(os.path.join(out, "stamp"), "w") as f:
        f.write("ok\n")


if __name__ == "__main__":
    main()
