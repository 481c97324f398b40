#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end: calvaria-cli threshold and mesh on the real sample and on
marker phantoms, checked by independent tools (admesh, numpy, nibabel).
TAP output."""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

import nibabel
import numpy as np

from tap import Tap, run

MARK_LEFT = 1000  # HU of the left marker in the DICOM cases (tests/data)


def read_binary_stl(path):
    """Header and an (n, 3, 3) array of triangle corners, read with numpy
    (not Calvaria's reader)."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack_from("<I", data, 80)[0]
    facets = np.frombuffer(data, dtype=np.dtype([("normal", "<f4", 3), ("v", "<f4", (3, 3)),
                                                 ("attr", "<u2")]), count=n, offset=84)
    return data[:80], facets["v"].astype(np.float64), facets["normal"].astype(np.float64)


def area_centroid(tris):
    """Centroid of the enclosed solid (signed tetrahedra), in mm."""
    a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]
    vol = np.einsum("ij,ij->i", a, np.cross(b, c)) / 6
    centres = (a + b + c) / 4
    return (centres * vol[:, None]).sum(0) / vol.sum(), vol.sum()


def admesh_report(path):
    # admesh prints the STL's 80-byte header unterminated, with whatever
    # bytes follow it in memory: read bytes, decode leniently.
    r = subprocess.run(["admesh", path], capture_output=True)
    text = (r.stdout + r.stderr).decode("utf-8", errors="replace")

    def value(label):
        m = re.search(re.escape(label) + r"\s*:\s*(\d+)", text)
        return int(m.group(1)) if m else None
    return text, {
        "disconnected": value("Total disconnected facets"),
        "degenerate": value("Degenerate facets"),
        "backwards": value("Backwards edges"),
        "facets_added": value("Facets added"),
        "holes_ok": "No holes need to be filled" in text,
    }


def check_admesh(t, path, what):
    text, rep = admesh_report(path)
    t.check(rep["disconnected"] == 0, f"admesh: {what}: 0 disconnected facets", text)
    t.check(rep["degenerate"] == 0, f"admesh: {what}: 0 degenerate facets", text)
    t.check(rep["backwards"] == 0, f"admesh: {what}: 0 backwards edges", text)
    t.check(rep["holes_ok"] and rep["facets_added"] == 0, f"admesh: {what}: no hole filling needed", text)


def sample_skull(t, cli, sample, tmp):
    mask = os.path.join(tmp, "bone.nii.gz")
    r = run(cli, "threshold", sample, mask, "--preset", "bone", "--largest")
    t.check(r.returncode == 0 and "226 to 3071 HU" in r.stdout, "threshold the sample at 226–3071 HU", r.stdout + r.stderr)
    for extra, name in (([], "raw"), (["--smooth", "10", "--decimate", "0.5"], "smoothed and decimated")):
        stl = os.path.join(tmp, f"skull-{len(extra)}.stl")
        r = run(cli, "mesh", mask, stl, "--json", *extra)
        rep = json.loads(r.stdout) if r.returncode == 0 else {}
        t.check(r.returncode == 0 and rep.get("passed") and rep.get("written"),
                f"mesh the sample skull ({name}): checks pass", r.stdout + r.stderr)
        if not rep:
            continue
        t.check(rep["boundary_edges"] == 0 and rep["nonmanifold_edges"] == 0 and rep["misoriented_edges"] == 0,
                f"{name}: closed, manifold, consistently wound", r.stdout)
        t.check(rep["volume_mm3"] > 0 and abs(rep["volume_difference"]) < 0.01,
                f"{name}: volume {rep['volume_mm3']:.0f} mm³ within 1 % of the mask's", r.stdout)
        check_admesh(t, stl, f"sample skull, {name}")
        header, tris, normals = read_binary_stl(stl)
        t.check(header.startswith(b"Calvaria binary STL; units mm; space LPS"), f"{name}: header says mm, LPS", header)
        t.check(len(tris) == rep["triangles"], f"{name}: numpy reads {rep['triangles']} triangles", len(tris))
        # Normals point out: the normal of each facet agrees with its winding.
        wound = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
        wound /= np.linalg.norm(wound, axis=1)[:, None]
        t.check(np.all(np.einsum("ij,ij->i", wound, normals) > 0.999), f"{name}: stored normals match the winding")


def marker_mesh(t, cli, source, tmp, name, expected_lps):
    """Threshold the left marker out of `source`, mesh it in LPS and RAS,
    and find it on the patient's left: +x in LPS, -x in RAS."""
    mask = os.path.join(tmp, f"{name}-marker.nii.gz")
    r = run(cli, "threshold", source, mask, "--min", str(MARK_LEFT - 100), "--max", str(MARK_LEFT + 100))
    t.check(r.returncode == 0, f"{name}: threshold the left marker", r.stdout + r.stderr)
    centres = {}
    for space in ("LPS", "RAS"):
        stl = os.path.join(tmp, f"{name}-{space}.stl")
        r = run(cli, "mesh", mask, stl, *(["--ras"] if space == "RAS" else []))
        t.check(r.returncode == 0, f"{name}: mesh the marker in {space}", r.stdout + r.stderr)
        header, tris, _ = read_binary_stl(stl)
        t.check(f"space {space}".encode() in header, f"{name}: header says {space}", header)
        t.check(b"Phantom" not in open(stl, "rb").read() and b"SYNTH" not in open(stl, "rb").read(),
                f"{name}: no patient name or ID in the STL")
        centres[space], volume = area_centroid(tris)
        t.check(volume > 0, f"{name}: {space} mesh encloses a positive volume ({volume:.1f} mm³)")
    lps, ras = centres["LPS"], centres["RAS"]
    t.check(lps[0] > 5, f"{name}: the left marker is at x = {lps[0]:+.1f} mm in LPS (> 0: patient's left)", lps)
    t.check(ras[0] < -5, f"{name}: and at x = {ras[0]:+.1f} mm in RAS (< 0)", ras)
    t.check(np.allclose(ras, lps * [-1, -1, 1], atol=1e-3), f"{name}: RAS = LPS with x and y negated", f"{lps} {ras}")
    t.check(np.allclose(lps, expected_lps, atol=1.0), f"{name}: marker where an independent reader puts it",
            f"mesh {lps} vs voxels {expected_lps}")


def nibabel_marker_lps(path, low, high):
    img = nibabel.load(path)
    data = np.asarray(img.dataobj)
    ijk = np.argwhere((data >= low) & (data <= high))
    ras = nibabel.affines.apply_affine(img.affine, ijk).mean(0)
    return ras * [-1, -1, 1]


def write_nifti_phantom(path):
    """A NIfTI written by nibabel, stored with rows running to the patient's
    right (an x-flipped RAS affine, as many converters write) and 2 mm slices,
    with a marker on the patient's left (RAS x < 0)."""
    shape = (48, 40, 24)
    affine = np.array([[-0.8, 0, 0, 20.0], [0, 0.9, 0, -18.0], [0, 0, 2.0, -23.0], [0, 0, 0, 1]])
    data = np.full(shape, -1000, np.int16)
    ijk = np.indices(shape).reshape(3, -1).T
    ras = nibabel.affines.apply_affine(affine, ijk)
    left = (ras[:, 0] < -8) & (ras[:, 0] > -16) & (np.abs(ras[:, 1]) < 4) & (np.abs(ras[:, 2]) < 5)
    data.reshape(-1)[np.ravel_multi_index(ijk[left].T, shape)] = MARK_LEFT
    img = nibabel.Nifti1Image(data, affine)
    img.set_qform(affine, code=1)
    img.set_sform(affine, code=1)
    nibabel.save(img, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--sample", required=True)
    a = ap.parse_args()
    t = Tap()
    tmp = tempfile.mkdtemp(prefix="cal-mesh-e2e-")
    if not os.path.exists(a.sample):
        print("Bail out! the sample CT is missing: install invesalius-examples (README)")
        return 1

    sample_skull(t, a.cli, a.sample, tmp)

    # The marker from DICOM series in three patient positions (head first
    # supine, feet first supine, head first prone), through NIfTI made by
    # Calvaria, and through NIfTI made by nibabel.
    for case in ("hfs", "ffs", "hfp"):
        series = os.path.join(a.cases, case)
        converted = os.path.join(tmp, f"{case}.nii.gz")
        r = run(a.cli, "convert", series, converted, "-q")
        t.check(r.returncode == 0, f"{case}: convert the series to NIfTI", r.stderr)
        expected = nibabel_marker_lps(converted, MARK_LEFT - 100, MARK_LEFT + 100)
        marker_mesh(t, a.cli, series, tmp, f"DICOM {case}", expected)
        marker_mesh(t, a.cli, converted, tmp, f"NIfTI from {case}", expected)
    phantom = os.path.join(tmp, "nibabel-phantom.nii.gz")
    write_nifti_phantom(phantom)
    marker_mesh(t, a.cli, phantom, tmp, "NIfTI by nibabel", nibabel_marker_lps(phantom, 900, 1100))

    # A mesh that fails its checks is refused (exit 4), and --force writes it.
    specks = os.path.join(tmp, "specks.nii.gz")
    data = np.zeros((20, 20, 20), np.uint8)
    data[2:18:3, 2:18:3, 2:18:3] = 1        # lone voxels: 1/6 of their volume
    nibabel.save(nibabel.Nifti1Image(data, np.diag([1.0, 1, 1, 1])), specks)
    out = os.path.join(tmp, "specks.stl")
    r = run(a.cli, "mesh", specks, out)
    t.check(r.returncode == 4 and not os.path.exists(out) and "differs from the mask" in r.stderr,
            "a failing mesh is refused with exit 4 and the reason", r.stdout + r.stderr)
    r = run(a.cli, "mesh", specks, out, "--force")
    t.check(r.returncode == 0 and os.path.exists(out), "--force writes it anyway", r.stdout + r.stderr)

    # Decimation that meets its error bound first says so.
    mask = os.path.join(tmp, "bone.nii.gz")
    r = run(a.cli, "mesh", mask, os.path.join(tmp, "tight.stl"), "--decimate", "0.9", "--max-error", "0.001")
    t.check(r.returncode == 0 and "Decimation stopped at" in r.stdout and "0.001 mm" in r.stdout,
            "decimation stopped by --max-error is reported", r.stdout + r.stderr)

    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
