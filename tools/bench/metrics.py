#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: surface metrics (DSC, HD, HD95, ASSD) of the 512×512×300 pair
made by make_metrics_pair.py, Calvaria vs SciPy's exact-EDT route
(scipy_metrics.py) vs `plastimatch dice --all`, same input, same run.

Counted the same way for every tool: wall time of the whole process, from
launch to exit, reading both uncompressed NIfTI masks included (they are
in the page cache after a warm-up read).  Calvaria also reports its own
compute time (masks in memory to metrics) and, on Vulkan, the longest
single dispatch and submission measured by GPU timestamps.

It also checks that Calvaria's HD, HD95 and ASSD agree with SciPy's to
1e-3 mm, and exits 1 if they do not.

Usage: metrics.py [--cli PATH] [--device N] [--repeat N] [--skip-peers]
(--device: the Vulkan device for the kernels' run; 0 by default)
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOLERANCE_MM = 1e-3


def timed(cmd, env=None):
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({r.returncode}):\n{r.stderr}")
    return elapsed, r.stdout, r.stderr


def best_of(cmd, repeat, env=None):
    runs = [timed(cmd, env) for _ in range(repeat)]
    best = min(runs, key=lambda r: r[0])
    return best[0], [r[0] for r in runs], best[1], best[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "calvaria-cli"))
    ap.add_argument("--device", default="0",
                    help="Calvaria's Vulkan device (default 0: the first, lavapipe on a machine without a GPU; "
                         "the automatic choice there is the CPU path, measured too)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each Calvaria variant (best counts)")
    ap.add_argument("--skip-peers", action="store_true", help="only Calvaria (e.g. on a GPU machine)")
    a = ap.parse_args()

    out = os.path.join(HERE, "out", "metrics")
    ref, test = subprocess.run([sys.executable, os.path.join(HERE, "make_metrics_pair.py"), out],
                               check=True, capture_output=True, text=True).stdout.split()
    for path in (ref, test):                       # warm the page cache
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass

    # The voxel metrics only, as the peers compute (the surface map has a
    # benchmark of its own: qc.py).
    gpu_cmd = [a.cli, "evaluate", "--json", "--no-surface-map", ref, test] + (["--device", a.device] if a.device else [])
    gpu_time, gpu_runs, gpu_out, gpu_err = best_of(gpu_cmd, a.repeat)
    gpu = json.loads(gpu_out)
    # The default device (no --device, CALVARIA_VK_DEVICE unset): a GPU, else
    # the CPU path.
    env = {k: v for k, v in os.environ.items() if k != "CALVARIA_VK_DEVICE"}
    cpu_time, cpu_runs, cpu_out, _ = best_of([a.cli, "evaluate", "--json", "--no-surface-map", ref, test], a.repeat,
                                             env=env)
    cpu = json.loads(cpu_out)

    print("Surface metrics of a 512×512×300 pair (0.48×0.48×0.54 mm); wall time of the whole process")
    print(f"  calvaria ({gpu['device']}): {gpu_time:7.2f} s  (runs {', '.join(f'{t:.2f}' for t in gpu_runs)}; "
          f"compute {gpu['timing']['compute_ms'] / 1000:.2f} s)")
    if gpu_err.strip():
        print("    " + gpu_err.strip())
    t = gpu["timing"]
    if "max_dispatch_ms" in t:
        print(f"    {t['dispatches']} dispatches in {t['submissions']} submissions; longest dispatch "
              f"{t['max_dispatch_ms']:.1f} ms ({t['max_dispatch_kernel']}), longest submission "
              f"{t['max_submission_ms']:.1f} ms, GPU busy {t['gpu_total_ms']:.0f} ms")
    print(f"  calvaria (default device: {cpu['device']}): {cpu_time:7.2f} s  (runs {', '.join(f'{t:.2f}' for t in cpu_runs)}; "
          f"compute {cpu['timing']['compute_ms'] / 1000:.2f} s)")
    if a.skip_peers:
        return 0

    scipy_time, scipy_out, _ = timed([sys.executable, os.path.join(HERE, "scipy_metrics.py"), ref, test])
    scipy = json.loads(scipy_out)
    plast_time, plast_out, _ = timed(["plastimatch", "dice", "--all", ref, test])
    print(f"  scipy exact EDT:      {scipy_time:7.2f} s  (one run)")
    print(f"  plastimatch dice --all: {plast_time:5.2f} s  (one run)")
    print(f"  ratio scipy / calvaria:       {scipy_time / gpu_time:6.1f}x   (default device: {scipy_time / cpu_time:.1f}x)")
    print(f"  ratio plastimatch / calvaria: {plast_time / gpu_time:6.1f}x   (default device: {plast_time / cpu_time:.1f}x)")

    failed = 0
    print(f"Agreement with SciPy (tolerance {TOLERANCE_MM} mm; DSC to 1e-10):")
    for key in ("dsc", "hd", "hd95", "assd"):
        tol = 1e-10 if key == "dsc" else TOLERANCE_MM
        for name, ours in (("vulkan", gpu), ("cpu", cpu)):
            diff = abs(ours[key] - scipy[key])
            failed += diff > tol
            print(f"  {key:5s} {name:6s} calvaria {ours[key]:.6f}  scipy {scipy[key]:.6f}  "
                  f"|diff| {diff:.2e}  {'ok' if diff <= tol else 'DISAGREES'}")
    hd_lines = [line.strip() for line in plast_out.splitlines() if "Hausdorff" in line or "DICE" in line]
    print("  plastimatch says: " + "; ".join(hd_lines[:3]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
