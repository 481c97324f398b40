#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: the editing core on a 512×512×300 skull-sized mask
(tools/bench/edit/bench-edit.c) against the issue's numbers, and fill
between slices against the same algorithm written with SciPy
(scipy.ndimage.distance_transform_edt, labelled pieces) on the same input,
in the same run: the ratio is printed, and the two results are compared
voxel for voxel.  ITK's MorphologicalContourInterpolator is not packaged for
Debian 12 (no python3-itk), so SciPy is the peer.  With --crash N, the kill -9
harness (tests/edit/test_crash_recovery.py) runs N sessions.

Usage: edit.py [--build DIR] [--crash 100]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def scipy_fill(drawn, spacing):
    """Fill between slices along z, the algorithm of docs/editing.md."""
    out = drawn.copy()
    ks = [k for k in range(drawn.shape[0]) if drawn[k].any()]
    for k0, k1 in zip(ks, ks[1:]):
        if k1 == k0 + 1:
            continue
        a, b = drawn[k0].astype(bool), drawn[k1].astype(bool)
        core, union = a & b, a | b
        pieces, n = ndimage.label(union, structure=np.ones((3, 3)))
        keep = np.zeros(n + 1, bool)
        keep[np.unique(pieces[core])] = True
        keep[0] = False
        union &= keep[pieces]
        if not core.any():
            continue
        d_core = ndimage.distance_transform_edt(~core, sampling=spacing)
        d_out = ndimage.distance_transform_edt(union, sampling=spacing)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(union, d_core / (d_core + d_out), np.inf)
        for k in range(k0 + 1, k1):
            t = (k - k0) / (k1 - k0)
            inside = union & (core | (b & (r <= t)) | (a & (r <= 1 - t)))
            out[k] |= inside
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--crash", type=int, default=0)
    a = ap.parse_args()
    exe = os.path.join(a.build, "tools", "bench", "edit", "bench-edit")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([exe, tmp], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"bench-edit failed: {r.stderr}")
        res = json.loads(r.stdout)
        nx, ny, nz = res["dims"]
        drawn = np.fromfile(os.path.join(tmp, "fill-input.bin"), np.uint8).reshape(nz, ny, nx)
        ours = np.fromfile(os.path.join(tmp, "fill-calvaria.bin"), np.uint8).reshape(nz, ny, nx)
        t0 = time.monotonic()
        theirs = scipy_fill(drawn, (res["spacing"][1], res["spacing"][0]))
        scipy_ms = (time.monotonic() - t0) * 1000
        differ = int(np.count_nonzero(ours != theirs))

    mib = res["history_bytes"] / 2**20
    rows = [
        (f"1000 strokes of 5 mm ({res['steps']} steps): history", f"{mib:.2f} MiB", "< 64 MiB", mib < 64),
        ("stroke commit (history + journal record), median / p99 / max",
         f"{res['commit_ms_median']:.2f} / {res['commit_ms_p99']:.2f} / {res['commit_ms_max']:.2f} ms", "≤ 100 ms",
         res["commit_ms_max"] <= 100),
        ("undo of one stroke (+ its record), median / p99 / max",
         f"{res['undo_ms_median']:.3f} / {res['undo_ms_p99']:.3f} / {res['undo_ms_max']:.2f} ms", "≤ 50 ms",
         res["undo_ms_max"] <= 50),
        ("whole-mask step (U-net over threshold): make / size",
         f"{res['whole_mask_step_ms']:.0f} ms / {res['whole_mask_step_bytes'] / 1024:.0f} KiB", "", True),
        ("undo of the whole-mask step", f"{res['whole_mask_undo_ms']:.0f} ms", "≤ 500 ms", res["whole_mask_undo_ms"] <= 500),
        *[(f"3D view ({name}: grid 1/{res[key]['factor']}, {res[key]['triangles']} triangles): after a stroke",
           f"{res[key]['stroke_update_ms']:.0f} ms ({res[key]['stroke_blocks']} blocks)", "≤ 500 ms",
           res[key]["stroke_update_ms"] <= 500)
          for key, name in (("surface_software_gl", "software GL budget"), ("surface_full", "full resolution"))],
        *[(f"3D view ({name}): whole surface built in blocks", f"{res[key]['build_ms']:.0f} ms", "", True)
          for key, name in (("surface_software_gl", "software GL budget"), ("surface_full", "full resolution"))],
        (f"3D scissors through the depth ({res['scissors_voxels']} voxels cut)", f"{res['scissors_ms']:.0f} ms", "", True),
        (f"3D scissors, what is in front ({res['scissors_front_voxels']} voxels cut)", f"{res['scissors_front_ms']:.0f} ms",
         "", True),
        ("a dab + the 512×512 slice redrawn (CPU part)", f"{res['dab_ms'] + res['slice_render_ms']:.2f} ms",
         "≤ 16 ms", res["dab_ms"] + res["slice_render_ms"] <= 16),
        ("fill between 10 drawn slices, Calvaria", f"{res['fill_ms']:.0f} ms", "≤ 2000 ms", res["fill_ms"] <= 2000),
        ("fill between 10 drawn slices, SciPy (same algorithm)", f"{scipy_ms:.0f} ms", "", True),
    ]
    for name, value, target, ok in rows:
        print(f"{name:62s} {value:>24s}  {target:10s} {'' if ok else 'MISSED'}")
    print(f"fill: SciPy / Calvaria time ratio {scipy_ms / res['fill_ms']:.1f}×; "
          f"{res['fill_voxels']} voxels filled, {differ} voxels differ between the two")
    if a.crash:
        cli = os.path.join(a.build, "app", "cli", "calvaria-cli")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "edit", "test_crash_recovery.py"),
                        "--cli", cli, "--sessions", str(a.crash)], check=False)


if __name__ == "__main__":
    main()
