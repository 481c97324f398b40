#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports a U-net with random weights to ONNX (opset 13 by default) with
Calvaria's preprocessing metadata, plus a random input and PyTorch's output
for it as .npy, so that `calvaria-cli infer MODEL --raw input.npy out.npy`
can be checked against the framework.

  export_unet.py --arch unet|unet-transpose|monai OUTDIR [--shape N C H W] [--base 16]
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from unet_models import MonaiStyleUNet, UNet, randomize_statistics  # noqa: E402


def build(arch, channels, base, seed):
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    if arch == "monai":
        model = MonaiStyleUNet(in_channels=channels, out_channels=2, channels=(base, 2 * base, 4 * base, 8 * base))
    else:
        model = UNet(in_channels=channels, out_channels=1, base=base, levels=4,
                     up="transpose" if arch == "unet-transpose" else "bilinear")
    with torch.no_grad():
        randomize_statistics(model, generator)
    return model.eval()


def add_metadata(path, channels, arch):
    model = onnx.load(path)
    keys = {
        "calvaria.hu_window": "-1000,2000",
        "calvaria.context_slices": str(channels),
        "calvaria.size_multiple": "16",
        "calvaria.output": "logits",
        "calvaria.foreground_channel": "1" if arch == "monai" else "0",
        "calvaria.labels": "background,bone",
    }
    for key, value in keys.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir")
    parser.add_argument("--arch", choices=["unet", "unet-transpose", "monai"], default="unet")
    parser.add_argument("--shape", type=int, nargs=4, default=[3, 3, 48, 80], metavar=("N", "C", "H", "W"))
    parser.add_argument("--base", type=int, default=16)
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-reference", action="store_true", help="export only, without running PyTorch")
    args = parser.parse_args()

    os.makedirs(args.outdir, exist_ok=True)
    model = build(args.arch, args.shape[1], args.base, args.seed)
    x = torch.randn(*args.shape, generator=torch.Generator().manual_seed(args.seed + 1))
    path = os.path.join(args.outdir, "model.onnx")
    # PRESERVE keeps BatchNormalization in the graph (EVAL would fold it
    # in the exporter): Calvaria's own folding is what is being tested.
    torch.onnx.export(model, x, path, opset_version=args.opset, input_names=["slices"], output_names=["logits"],
                      dynamic_axes={"slices": {0: "batch", 2: "height", 3: "width"},
                                    "logits": {0: "batch", 2: "height", 3: "width"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)
    add_metadata(path, args.shape[1], args.arch)
    np.save(os.path.join(args.outdir, "input.npy"), x.numpy().astype(np.float32))
    if not args.no_reference:
        with torch.no_grad():
            np.save(os.path.join(args.outdir, "expected.npy"), model(x).numpy().astype(np.float32))
    ops = sorted({node.op_type for node in onnx.load(path).graph.node})
    print("exported", args.arch, "to", path, "operators:", " ".join(ops))


if __name__ == "__main__":
    main()
