#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""One-command segmentation of the sample CT: `calvaria-cli segment` on its
default device (a GPU where there is one, else the CPU executor, oneDNN)
and, with --lavapipe, on lavapipe, against the same model in a Python
pipeline (onnx weights loaded into PyTorch on the CPU, NumPy preprocessing,
SciPy's largest component), in one run.  Prints the wall times of the
whole processes, their ratios, and how far the masks agree.

  tools/bench/segment.py [--build build] [--model data/models/calvaria-skull.onnx] [--runs 2]
                         [--ct tools/bench/out/metrics/ct512.nii] [--lavapipe]

--ct: another CT (NIfTI) instead of the sample, e.g. the 512×512×300 one
tools/bench/make_metrics_pair.py makes from it.  Goals (issue 28, 2-core
machine without a GPU): the sample ≤ 3 s, the 512×512×300 CT ≤ 40 s."""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import nibabel as nib
import numpy as np
import onnx
import torch
from onnx import numpy_helper
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
from unet_models import UNet  # noqa: E402

SAMPLE = "/usr/share/doc/invesalius-examples/examples/Cranium.inv3"


def torch_model(path):
    """The ONNX model's weights in the PyTorch U-net it was exported from."""
    m = onnx.load(path)
    meta = {p.key: p.value for p in m.metadata_props}
    args = dict(re.findall(r"--(\w[\w-]*) (\S+)", meta["calvaria.training"]))
    net = UNet(in_channels=int(meta["calvaria.context_slices"]), out_channels=1, base=int(args["base"]),
               levels=int(args["levels"]), up="transpose").eval()
    return net, meta


def execution_order(net, channels):
    """The network's convolutions in the order they run, as ONNX lists its nodes."""
    order, hooks = [], []
    for mod in net.modules():
        if isinstance(mod, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            hooks.append(mod.register_forward_hook(lambda mod, i, o: order.append(mod)))
    with torch.no_grad():
        net(torch.zeros(1, channels, 32, 32))
    for hook in hooks:
        hook.remove()
    return order


def load_weights(net, path):
    """torch.onnx.export folds BatchNorm into the convolutions, so rebuild
    the network without BatchNorm's effect: load conv weights and biases in
    graph order into a copy whose BatchNorms are identities."""
    m = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    convs = [n for n in m.graph.node if n.op_type in ("Conv", "ConvTranspose")]
    assert not any(n.op_type == "BatchNormalization" for n in m.graph.node), "expected BatchNorm folded"
    modules = execution_order(net, int(m.graph.input[0].type.tensor_type.shape.dim[1].dim_value))
    assert len(convs) == len(modules), (len(convs), len(modules))
    for node, mod in zip(convs, modules):
        mod.weight.data = torch.from_numpy(init[node.input[1]].copy())
        mod.bias = torch.nn.Parameter(torch.from_numpy(init[node.input[2]].copy())) if len(node.input) > 2 else None
    for mod in net.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.zero_(), mod.running_var.fill_(1 - mod.eps), mod.weight.data.fill_(1), mod.bias.data.zero_()
    return net


def python_pipeline(ct_path, model_path, out_path):
    net, meta = torch_model(model_path)
    net = load_weights(net, model_path)
    low, high = map(float, meta["calvaria.hu_window"].split(","))
    context, multiple = int(meta["calvaria.context_slices"]), int(meta["calvaria.size_multiple"])
    image = nib.load(ct_path)
    hu = np.asarray(image.dataobj, dtype=np.float32).transpose(2, 1, 0)   # z, y, x
    x = np.clip((hu - low) / (high - low), 0, 1)
    nz, ny, nx = x.shape
    py, px = -ny % multiple, -nx % multiple
    x = np.pad(x, ((0, 0), (0, py), (0, px)))
    half = context // 2
    prob = np.empty((nz, ny, nx), np.float32)
    with torch.no_grad():
        for z0 in range(0, nz, 8):
            zs = range(z0, min(nz, z0 + 8))
            batch = np.stack([x[np.clip(np.arange(z - half, z + half + 1), 0, nz - 1)] for z in zs])
            prob[z0:z0 + len(zs)] = torch.sigmoid(net(torch.from_numpy(batch)))[:, 0, :ny, :nx].numpy()
    bone = (prob > float(meta.get("calvaria.threshold", 0.5))) & (hu >= float(meta.get("calvaria.min_hu", "-inf")))
    labels, n = ndimage.label(bone)
    if n:
        bone = labels == 1 + int(np.argmax(ndimage.sum(bone, labels, range(1, n + 1))))
    nib.save(nib.Nifti1Image(bone.transpose(2, 1, 0).astype(np.uint8), image.affine, image.header), out_path)


def timed(fn, runs):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--model", default=os.path.join(ROOT, "data", "models", "calvaria-skull.onnx"))
    ap.add_argument("--sample", default=SAMPLE)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--ct", help="a NIfTI CT to segment instead of the sample")
    ap.add_argument("--lavapipe", action="store_true", help="also time calvaria-cli segment --device lavapipe")
    a = ap.parse_args()
    torch.set_num_threads(os.cpu_count())   # PyTorch here defaults to one thread
    cli = os.path.join(a.build, "app", "cli", "calvaria-cli")
    with tempfile.TemporaryDirectory(prefix="cal-bench-segment-") as tmp:
        ct, ours, lava, theirs = (os.path.join(tmp, n) for n in ("ct.nii.gz", "ours.nii.gz", "lava.nii.gz",
                                                                 "python.nii.gz"))
        source = a.ct or a.sample
        if a.ct:
            ct = a.ct
        else:
            subprocess.run([cli, "convert", a.sample, ct], check=True, capture_output=True)

        def segment(out, *extra):
            report.append(subprocess.run([cli, "segment", source, out, "--model", a.model, *extra], check=True,
                                         capture_output=True, text=True).stdout)
        report = []
        t_ours = timed(lambda: segment(ours), a.runs)
        device = re.search(r"Device: ([^;]*)", report[-1]).group(1)
        t_lava = timed(lambda: segment(lava, "--device", "lavapipe"), 1) if a.lavapipe else None
        t_python = timed(lambda: python_pipeline(ct, a.model, theirs), a.runs)
        m_ours, m_python = (np.asarray(nib.load(p).dataobj) > 0 for p in (ours, theirs))
        dsc = 2 * (m_ours & m_python).sum() / (m_ours.sum() + m_python.sum())
        shape = nib.load(ct).shape
    print(f"{'CT ' + os.path.basename(a.ct) if a.ct else 'Sample CT'} ({' × '.join(map(str, shape))}), "
          f"model {os.path.basename(a.model)}, best of {a.runs}; wall time of the whole process")
    print(f"  calvaria-cli segment ({device}): {t_ours:7.1f} s")
    if t_lava is not None:
        print(f"  calvaria-cli segment --device lavapipe: {t_lava:7.1f} s  (one run)")
    print(f"  Python: PyTorch {torch.__version__} CPU + SciPy ({torch.get_num_threads()} threads): {t_python:7.1f} s")
    print(f"  Python / Calvaria: {t_python / t_ours:.2f}  (> 1: Calvaria is faster)")
    if t_lava is not None:
        print(f"  lavapipe / Calvaria's default: {t_lava / t_ours:.2f}")
    print(f"  agreement of the two masks: DSC {dsc:.4f}")


if __name__ == "__main__":
    main()
