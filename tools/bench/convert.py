#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: DICOM series (512×512×300) to uncompressed NIfTI,
calvaria-cli convert vs dcm2niix -z n, same input, same run.

Each tool runs once to warm the page cache, then both run REPEAT times in
turn; the best wall time of each is compared (the least disturbed run on a
noisy machine).  Calvaria fsyncs what it writes (atomic, durable writes);
dcm2niix does not, so the output goes to tmpfs where fsync costs nothing.
Both write an uncompressed .nii of the whole series; dcm2niix also writes
its JSON sidecar, which it cannot be told not to.

Usage: convert.py [--cli PATH] [--repeat N]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLE = "/usr/share/doc/invesalius-examples/examples/Cranium.inv3"


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def interleaved_best(commands, repeat):
    """Runs the tools in turn (A, B, A, B, ...) so that both meet the same
    machine noise; each command writes into a fresh folder that is removed
    after the run.  Returns each tool's best time and all its times."""
    for make in commands.values():
        timed(make(-1))                                        # warm the page cache
    times = {name: [] for name in commands}
    for run in range(repeat):
        for name, make in commands.items():
            times[name].append(timed(make(run)))
    return {name: (min(t), t) for name, t in times.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "app", "cli", "calvaria-cli"))
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()

    series = os.path.join(HERE, "out", "series-512x512x300")
    subprocess.run([sys.executable, os.path.join(HERE, "make_series.py"), SAMPLE, series], check=True)
    # Outputs go to memory (tmpfs) where there is one: this compares the
    # tools, not the disk's writeback (150 MiB per run).
    work = tempfile.mkdtemp(prefix="cal-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)

    def fresh(tool, run):
        folder = os.path.join(work, f"{tool}-{run + 1}")
        shutil.rmtree(os.path.join(work, f"{tool}-{run}"), ignore_errors=True) if run > 1 else None
        os.makedirs(folder)
        return folder

    def ours_cmd(run):
        return [a.cli, "convert", "--quiet", series, os.path.join(fresh("calvaria", run), "ct.nii")]

    def peer_cmd(run):
        return ["dcm2niix", "-z", "n", "-b", "n", "-o", fresh("dcm2niix", run), "-f", "ct", series]

    results = interleaved_best({"calvaria": ours_cmd, "dcm2niix": peer_cmd}, a.repeat)
    ours, ours_all = results["calvaria"]
    peer, peer_all = results["dcm2niix"]
    size = os.path.getsize(os.path.join(work, "calvaria-1", "ct.nii"))
    peer_size = os.path.getsize(os.path.join(work, "dcm2niix-1", "ct.nii"))
    print("DICOM 512×512×300 -> uncompressed NIfTI (best of %d interleaved runs, wall time, "
          "output in %s)" % (a.repeat, work))
    print(f"  calvaria-cli convert : {ours:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in ours_all)})  {size >> 20} MiB")
    print(f"  dcm2niix -z n -b n   : {peer:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in peer_all)})  {peer_size >> 20} MiB")
    print(f"  ratio dcm2niix / calvaria: {peer / ours:.2f}x  ({'faster' if ours < peer else 'slower'} than dcm2niix)")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
