#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: quality control on the 512×512×300 pair of make_metrics_pair.py.

1. The signed-deviation map: `calvaria-cli evaluate --device cpu` (voxel
   metrics and the map at every vertex of the test's full-resolution
   surface) against VTK's vtkDistancePolyDataFilter (signed distance of each
   test vertex to the reference's surface, exact to its cells), on the same
   two meshes (Calvaria's marching cubes, written as STL).  Calvaria's time is
   its own compute time of the map alone (evaluate with the map minus
   evaluate without it, both best of --repeat), VTK's the filter's update.
   The values are compared at every vertex.
2. The QC report (`calvaria-cli report`, PDF and JSON, with the defect-edge
   band): wall time and the PDF's size (no peer writes this report).
3. Compare in the window (bench-compare, under xvfb-run when there is no
   display): the scan, reference and mask opened, the 3D surface built, then
   the time from the click to the results on screen, best of --repeat.

Usage: qc.py [--cli PATH] [--repeat N] [--skip-peers]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "out", "metrics")


def run(cmd):
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd[:2])} failed ({r.returncode}):\n{r.stderr}")
    return time.perf_counter() - start, r.stdout


def compute_ms(cmd, repeat):
    return min(json.loads(run(cmd)[1])["timing"]["compute_ms"] for _ in range(repeat))


def vtk_map(ref_stl, test_stl):
    import numpy as np
    import vtk
    from vtk.util.numpy_support import vtk_to_numpy

    readers = []
    for path in (test_stl, ref_stl):
        r = vtk.vtkSTLReader()
        r.SetFileName(path)
        r.Update()
        readers.append(r)
    f = vtk.vtkDistancePolyDataFilter()
    f.SetInputConnection(0, readers[0].GetOutputPort())
    f.SetInputConnection(1, readers[1].GetOutputPort())
    f.SignedDistanceOn()
    f.ComputeSecondDistanceOff()
    start = time.perf_counter()
    f.Update()
    seconds = time.perf_counter() - start
    out = f.GetOutput()
    points = vtk_to_numpy(out.GetPoints().GetData()).astype(np.float64)
    values = vtk_to_numpy(out.GetPointData().GetScalars()).astype(np.float64)
    return seconds, points, values


def compare_in_window(a, ref, test):
    build = os.path.dirname(os.path.dirname(os.path.dirname(a.cli)))
    bench = os.path.join(build, "tools", "bench", "qc", "bench-compare")
    sys.path.insert(0, HERE)
    import gui   # its CT: the sample resampled to the pair's grid
    ct, _ = gui.make_inputs(OUT)
    env = dict(os.environ, GSETTINGS_SCHEMA_DIR=os.path.join(build, "data"), GSETTINGS_BACKEND="memory",
               GTK_A11Y="none", NO_AT_BRIDGE="1", GDK_BACKEND="x11", LIBGL_ALWAYS_SOFTWARE="1")
    cmd = [bench, ct, ref, test, str(a.repeat)]
    if not os.environ.get("DISPLAY"):
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"] + cmd
    r = subprocess.run(cmd, capture_output=True, env=env)
    out = r.stdout.decode("utf-8", "replace")
    if r.returncode != 0:
        sys.exit(f"bench-compare failed ({r.returncode}):\n{r.stderr.decode('utf-8', 'replace')}")
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    print(f"Compare in the window ({values['device']}): {float(values['compare_best_s']):.2f} s from the click "
          f"to the results on screen (goal: 2 s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "calvaria-cli"))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--skip-peers", action="store_true")
    a = ap.parse_args()
    ref, test = os.path.join(OUT, "reference.nii"), os.path.join(OUT, "test.nii")
    if not os.path.exists(ref):
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_metrics_pair.py"), OUT], check=True)

    with_map = compute_ms([a.cli, "evaluate", "--json", "--device", "cpu", ref, test], a.repeat)
    without = compute_ms([a.cli, "evaluate", "--json", "--device", "cpu", "--no-surface-map", ref, test], a.repeat)
    print(f"Calvaria evaluate (CPU): {with_map / 1000:.2f} s with the map, {without / 1000:.2f} s without: "
          f"the map {(with_map - without) / 1000:.2f} s (meshing both, indexing, every vertex)")

    csv = os.path.join(OUT, "deviation-map.csv")
    run([a.cli, "evaluate", "--device", "cpu", ref, test, "--deviation-map", csv])
    pdf = os.path.join(OUT, "qc-report.pdf")
    report_s, _ = run([a.cli, "report", test, pdf, "--reference", ref, "--device", "cpu", "--band", "10"])
    print(f"Calvaria report (PDF + JSON, CPU metrics, 10 mm band): {report_s:.2f} s wall, "
          f"PDF {os.path.getsize(pdf) / 1e6:.2f} MB")
    compare_in_window(a, ref, test)

    if a.skip_peers:
        return 0
    import numpy as np
    ref_stl, test_stl = os.path.join(OUT, "reference.stl"), os.path.join(OUT, "test.stl")
    run([a.cli, "mesh", ref, ref_stl, "--force", "-q"])
    run([a.cli, "mesh", test, test_stl, "--force", "-q"])
    vtk_s, vtk_points, vtk_values = vtk_map(ref_stl, test_stl)
    ours = np.loadtxt(csv, delimiter=",", skiprows=1)
    ours_map_s = (with_map - without) / 1000
    print(f"VTK vtkDistancePolyDataFilter: {vtk_s:.2f} s for {len(vtk_values)} points "
          f"(the filter only; Calvaria's map includes meshing both masks)")
    print(f"ratio VTK / Calvaria (the map): {vtk_s / ours_map_s:.1f}x")
    # The same vertices in both (the STL merges identical coordinates):
    # match by rounded position.
    key = lambda p: np.round(p * 1000).astype(np.int64)
    index = {tuple(k): i for i, k in enumerate(key(ours[:, :3]))}
    diffs = [abs(vtk_values[i] - ours[index[tuple(k)], 3]) for i, k in enumerate(key(vtk_points))
             if tuple(k) in index]
    diffs = np.array(diffs)
    print(f"agreement on {len(diffs)} vertices: median {np.median(diffs):.2e} mm, 99th percentile "
          f"{np.percentile(diffs, 99):.2e} mm, max {diffs.max():.3f} mm")
    return 0


if __name__ == "__main__":
    sys.exit(main())
