#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""U-net inference: Calvaria's CPU executor (oneDNN) and its Vulkan engine
against PyTorch on the CPU, same model and input, in one run, plus the FMA
rooflines: a C multiply-add loop on every core for the CPU, a shader for
the Vulkan device.  Prints GFLOP/s of each and the ratios.

  tools/bench/unet.py [--build build] [--size 512] [--base 16] [--batch 1] [--no-vulkan]

Where a GPU is the Vulkan device (CALVARIA_VK_DEVICE), the same command
measures it; without one the Vulkan device is lavapipe.  FLOP are the
convolutions' multiply-adds × 2 (Calvaria's count, the same for all)."""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "train"))
from export_unet import build  # noqa: E402


def bench_unet(exe, *args):
    out = subprocess.run([exe, *args], capture_output=True, text=True, check=True).stdout
    return dict(re.findall(r"^(\w+) (.+)$", out, re.M))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--no-vulkan", action="store_true", help="skip the Vulkan engine (lavapipe is slow)")
    a = ap.parse_args()
    exe = os.path.join(a.build, "tools", "bench", "unet", "bench-unet")
    torch.set_num_threads(a.threads)

    with tempfile.TemporaryDirectory(prefix="cal-bench-unet-") as tmp:
        shape = [a.batch, 1, a.size, a.size]
        subprocess.run([sys.executable, os.path.join(HERE, "..", "train", "export_unet.py"), tmp, "--arch",
                        "unet-transpose", "--base", str(a.base), "--shape", *map(str, shape), "--no-reference"],
                       check=True, capture_output=True)
        model_path, input_path = os.path.join(tmp, "model.onnx"), os.path.join(tmp, "input.npy")
        cpu_peak = bench_unet(exe, "cpu-peak")
        cpu = bench_unet(exe, model_path, input_path, str(a.runs), "cpu")
        if not a.no_vulkan:
            peak = bench_unet(exe, "peak")
            ours = bench_unet(exe, model_path, input_path, str(a.runs))

        model = build("unet-transpose", 1, a.base, 7)
        x = torch.from_numpy(np.load(os.path.join(tmp, "input.npy")))
        with torch.no_grad():
            model(x)
            best = float("inf")
            for _ in range(a.runs):
                start = time.perf_counter()
                model(x)
                best = min(best, time.perf_counter() - start)

    flops = float(cpu["flops"])
    torch_gflops = flops / best / 1e9
    cpu_gflops, cpu_peak_gflops = float(cpu["gflops"]), float(cpu_peak["peak_gflops"])
    print(f"U-net base {a.base}, 4 levels, input {shape}: {flops / 1e9:.1f} GFLOP of convolutions per run")
    print(f"CPU: {cpu['device']}")
    print(f"  FMA roofline, C loop ({cpu_peak['isa']}): {cpu_peak_gflops:8.1f} GFLOP/s")
    print(f"  Calvaria CPU executor:      {cpu_gflops:8.1f} GFLOP/s  ({float(cpu['seconds']):.3f} s per run)")
    print(f"PyTorch {torch.__version__} CPU ({a.threads} threads): {torch_gflops:8.1f} GFLOP/s  ({best:.3f} s per run)")
    print(f"CPU executor / FMA peak:  {cpu_gflops / cpu_peak_gflops:.2f}  (goal ≥ 0.50)")
    print(f"CPU executor / PyTorch:   {cpu_gflops / torch_gflops:.2f}  (goal ≥ 1.8)")
    if a.no_vulkan:
        return
    ours_gflops, peak_gflops = float(ours["gflops"]), float(peak["peak_gflops"])
    print(f"Vulkan device: {peak['device']}")
    print(f"  FMA roofline shader:        {peak_gflops:8.1f} GFLOP/s")
    print(f"  Calvaria U-net:             {ours_gflops:8.1f} GFLOP/s  ({float(ours['seconds']):.3f} s per run, "
          f"upload and download included)")
    print(f"Vulkan / its FMA peak:    {ours_gflops / peak_gflops:.2f}  (goal ≥ 0.50)")
    print(f"Vulkan / PyTorch:         {ours_gflops / torch_gflops:.2f}  (> 1: Calvaria is faster)")
    print(f"CPU executor / Vulkan:    {cpu_gflops / ours_gflops:.2f}")


if __name__ == "__main__":
    main()
