#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`calvaria-cli report` on masks from the real sample CT (reference: bone
from 226 HU, test: from 300 HU, both their largest piece), with the test's
STL: the PDF's text (pdftotext) holds every number `evaluate --json` gives
for the same pair, as printed (DSC to 6 decimals, mm to 4, shares in %);
the STL's SHA-256 in the PDF and the JSON is sha256sum's; the JSON carries
the same metrics; the PDF is under 5 MB; its pages are rendered with
pdftoppm into the build folder (report-pages/) to be looked at, and the
colour-map page holds the map's colours.  TAP output."""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from tap import Tap, run  # noqa: E402

# evaluate --json key → how the PDF prints it (decimals; "%" for shares).
VOXEL = {"dsc": 6, "dsc_slice_mean": 6, "dsc_slice_harmonic": 6, "hd": 4, "hd95": 4, "assd": 4,
         "deviation_mean": 4, "deviation_sd": 4, "surface_voxels_reference": 0, "surface_voxels_test": 0}
SURFACE = {"mean": 4, "sd": 4, "rms": 4, "min": 4, "max": 4, "tolerance_mm": 2, "within_tolerance": "%",
           "area_mm2": 1, "vertices": 0, "reference_triangles": 0}


def printed(value, decimals):
    if decimals == "%":
        return f"{100 * value:.2f}"
    return f"{value:.{decimals}f}"


def numbers_in(text):
    return set(m.lstrip("+") for m in re.findall(r"[-+]?\d+(?:\.\d+)?", text))


def red_and_blue_pixels(ppm_path):
    """Counts of clearly reddish and bluish pixels of a binary PPM."""
    data = open(ppm_path, "rb").read()
    parts = data.split(maxsplit=4)
    pixels = parts[4]
    red = blue = 0
    for i in range(0, len(pixels) - 2, 3 * 7):   # every 7th pixel is plenty
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        red += r > b + 60 and r > g + 20
        blue += b > r + 60
    return red, blue


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--pages", required=True, help="where the rendered pages go, to be looked at")
    ap.add_argument("--model", required=True, help="a model file, to be named with its SHA-256")
    a = ap.parse_args()
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="cal-report-") as tmp:
        P = lambda name: os.path.join(tmp, name)
        for cmd in (["threshold", a.sample, P("ref.nii.gz"), "--largest", "-q"],
                    ["threshold", a.sample, P("test.nii.gz"), "--min", "300", "--largest", "-q"],
                    ["mesh", P("test.nii.gz"), P("test.stl"), "-q"]):
            r = run(a.cli, *cmd)
            t.check(r.returncode == 0, f"calvaria-cli {cmd[0]} for the inputs", r.stderr)
        ev = run(a.cli, "evaluate", P("ref.nii.gz"), P("test.nii.gz"), "--json", "--device", "cpu")
        rep = run(a.cli, "report", P("test.nii.gz"), P("qc.pdf"), "--reference", P("ref.nii.gz"),
                  "--ct", a.sample, "--stl", P("test.stl"), "--device", "cpu", "--method", "threshold, 300 HU",
                  "--threshold", "300", "--model", a.model)
        t.check(ev.returncode == 0 and rep.returncode == 0, "evaluate and report run", ev.stderr + rep.stderr)
        t.check("Metrics computed on the CPU" in rep.stdout, "report says where the metrics were computed", rep.stdout)
        if ev.returncode or rep.returncode:
            print(f"1..{t.n}")
            return 1
        evaluated = json.loads(ev.stdout)
        text = subprocess.run(["pdftotext", "-layout", P("qc.pdf"), "-"], capture_output=True, check=True).stdout.decode("utf-8", "replace")
        found = numbers_in(text)
        missing = []
        for key, dec in VOXEL.items():
            if printed(evaluated[key], dec).lstrip("+") not in found:
                missing.append((key, printed(evaluated[key], dec)))
        for key, dec in SURFACE.items():
            value = evaluated["surface_deviation"][key]
            if printed(value, dec).lstrip("+").lstrip("-") not in {n.lstrip("-") for n in found}:
                missing.append(("surface_deviation." + key, printed(value, dec)))
        t.check(not missing, f"the PDF holds all {len(VOXEL) + len(SURFACE)} numbers of evaluate --json", missing)

        digest = hashlib.sha256(open(P("test.stl"), "rb").read()).hexdigest()
        report = json.load(open(P("qc.json")))
        t.check(digest in text and report["stl"]["sha256"] == digest,
                "the STL's SHA-256 in the PDF and the JSON is sha256sum's", report["stl"])
        t.check(report["stl"]["bytes"] == os.path.getsize(P("test.stl")) and report["stl"]["file"] == "test.stl",
                "the STL's size and file name (its base name only)", report["stl"])
        model_digest = hashlib.sha256(open(a.model, "rb").read()).hexdigest()
        t.check(report["mask"]["model_sha256"] == model_digest and model_digest in text
                and report["mask"]["model"] == os.path.basename(a.model) and report["mask"]["threshold_hu"] == 300,
                "how the mask was made: the model's name and SHA-256, the threshold", report["mask"])
        m = report["comparison"]["metrics"]
        t.check(all(m[k] == evaluated[k] for k in VOXEL), "the JSON's metrics are evaluate's",
                {k: (m[k], evaluated[k]) for k in VOXEL})
        names = [c["name"] for c in report["checks"]]
        t.check(len(names) >= 3 and any("Mesh checks" in n for n in names)
                and any("false defects" in n for n in names) and any("tolerance" in n for n in names),
                "the checks: mesh, deviation within tolerance, false defects (and their pass/fail)", names)
        size = os.path.getsize(P("qc.pdf"))
        t.check(size < 5 * 1024 * 1024, f"the PDF is under 5 MB ({size} bytes)")

        shutil.rmtree(a.pages, ignore_errors=True)
        os.makedirs(a.pages)
        subprocess.run(["pdftoppm", "-r", "60", P("qc.pdf"), os.path.join(a.pages, "page")], check=True)
        pages = sorted(os.listdir(a.pages))
        t.check(len(pages) >= 4, f"{len(pages)} pages rendered into {a.pages}", pages)
        counts = [red_and_blue_pixels(os.path.join(a.pages, p)) for p in pages]
        t.check(any(blue > 500 for _, blue in counts),
                "a page shows the map's blue (test inside the reference: it was made from 300 HU)", counts)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
