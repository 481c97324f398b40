#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Patient identifiers never leave Calvaria: a series whose name, ID, birth
date, institution, accession number, descriptions, folder and file names
carry a canary goes through every calvaria-cli command, the failing paths
too.  Nothing printed, and nothing written (outputs, caches, settings,
keys: HOME and the XDG folders point into a scratch tree that is searched
whole), may hold the canary.  TAP output."""
import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

from tap import Tap, require_modules

require_modules("numpy", "pydicom")   # the canary series is written with pydicom

CANARY = b"QZXCANARY"
BIRTH_DATE = b"19031117"


def leaks(data):
    """The canary in any form a writer might use: as is, lower case, or
    UTF-16 (a GVariant or a Windows string)."""
    found = []
    for token in (CANARY, BIRTH_DATE):
        for form in (token, token.lower(), token.decode().encode("utf-16-le")):
            if form in data:
                found.append(form)
    return found


def file_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data += gzip.decompress(data)
        except OSError:
            pass
    return data


def pdf_text(path):
    """The PDF's text and metadata, as pdftotext and pdfinfo give them."""
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, check=True).stdout
    return text + subprocess.run(["pdfinfo", path], capture_output=True, check=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--canary", required=True, help="the folder make-phi-canary.py wrote")
    ap.add_argument("--model", required=True)
    a = ap.parse_args()
    t = Tap()
    series = next(os.path.join(a.canary, d) for d in os.listdir(a.canary)
                  if os.path.isdir(os.path.join(a.canary, d)))
    one_file = os.path.join(series, sorted(os.listdir(series))[0])

    with tempfile.TemporaryDirectory(prefix="cal-phi-") as tmp:
        home = os.path.join(tmp, "home")
        out = os.path.join(tmp, "out")
        os.makedirs(home)
        os.makedirs(out)
        env = {**os.environ, "HOME": home, "XDG_CACHE_HOME": os.path.join(home, "cache"),
               "XDG_CONFIG_HOME": os.path.join(home, "config"), "XDG_DATA_HOME": os.path.join(home, "data"),
               "G_MESSAGES_DEBUG": "all"}
        # A damaged copy: the failing paths print messages too.
        broken = os.path.join(tmp, os.path.basename(series))
        shutil.copytree(series, broken)
        victim = os.path.join(broken, sorted(os.listdir(broken))[3])
        data = open(victim, "rb").read()
        open(victim, "wb").write(data[:-200])

        O = lambda name: os.path.join(out, name)
        commands = [
            (0, ["info", series]), (0, ["info", "--json", series]), (0, ["info", one_file]),
            (0, ["convert", series, O("ct.nii.gz")]), (0, ["convert", one_file, O("ct2.nii")]),
            (0, ["convert", series, O("ct3.nii"), "--nifti2"]),
            (0, ["threshold", series, O("bone.nii.gz"), "--preset", "bone"]),
            (0, ["mesh", O("bone.nii.gz"), O("bone.stl")]), (0, ["mesh", O("bone.nii.gz"), O("bone-ascii.stl"), "--ascii"]),
            (0, ["mesh", O("bone.nii.gz"), O("bone.json.stl"), "--json"]),
            (0, ["segment", series, O("unet.nii.gz"), "--model", a.model, "--stl", O("unet.stl")]),
            (0, ["evaluate", O("bone.nii.gz"), O("unet.nii.gz"), "--json"]),
            # the QC report reads the scan (its false-defect check) and names
            # the STL: neither its PDF nor its JSON may name the patient
            (0, ["report", O("unet.nii.gz"), O("qc.pdf"), "--reference", O("bone.nii.gz"), "--ct", series,
                 "--stl", O("unet.stl"), "--model", a.model, "--device", "cpu"]),
            (0, ["infer", a.model, series, O("prob.nii.gz")]),
            # an editing session whose journal is kept: its folder and files
            # (the scan's location sealed) are searched below like the rest
            (0, ["edit", "apply", O("edited.nii.gz"), "--ct", series, "--mask", O("bone.nii.gz"),
                 "--op", "brush 10 10 2 3", "--op", "undo", "--op", "redo", "--journal-dir", O("state"),
                 "--keep-journal"]),
            (0, ["edit", "sessions", O("state")]),
            # failing on purpose: their messages must not name the patient
            # either (a damaged slice among good ones is a decision: exit 4)
            (4, ["info", broken]), (4, ["convert", broken, O("never.nii")]),
            (1, ["info", os.path.join(series, "missing")]),
            (3, ["convert", series, "/nonexistent-dir/x.nii"]),
            (4, ["segment", broken, O("never2.nii.gz"), "--model", a.model]),
        ]
        names = {series: "SERIES", broken: "DAMAGED-SERIES", one_file: "ONE-FILE",
                 os.path.join(series, "missing"): "MISSING"}
        for rc, cmd in commands:
            r = subprocess.run([a.cli, *cmd], capture_output=True, env=env)
            found = leaks(r.stdout + r.stderr)
            label = " ".join(names.get(c, os.path.basename(c)) for c in cmd)
            t.check(r.returncode == rc and not found,
                    f"calvaria-cli {label}: exit {r.returncode} (expected {rc}), no identifier printed",
                    f"{found}\n{(r.stdout + r.stderr)[-800:].decode('utf-8', 'replace')}")

        written = []
        for root, _, names in os.walk(tmp):
            for name in names:
                path = os.path.join(root, name)
                if path.startswith(broken) or path.startswith(series):
                    continue
                written.append(path)
                found = leaks(file_bytes(path)) + leaks(os.path.relpath(path, tmp).encode())
                if path.endswith(".pdf"):
                    # its text is compressed: read it as a reader would
                    found += leaks(pdf_text(path))
                t.check(not found, f"written file {os.path.relpath(path, tmp).replace(CANARY.decode(), 'CANARY')} "
                        "holds no identifier", found)
        t.check(any(os.path.basename(p) == "journal" for p in written), "the editing journal was kept and searched",
                written)
        t.check(any(p.endswith("qc.pdf") for p in written) and any(p.endswith("qc.json") for p in written),
                "the QC report (PDF and JSON) was written and searched", written)
        t.check(any(p.endswith("unet.stl") for p in written) and any(p.endswith("ct.nii.gz") for p in written),
                "the outputs exist (the search above had something to search)", written)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
