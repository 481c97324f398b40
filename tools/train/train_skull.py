#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trains Calvaria's default skull model on synthetic head CTs and exports
it to ONNX with its preprocessing in metadata_props.

  tools/train/train_skull.py --cli build/app/cli/calvaria-cli --work /tmp/skull-train \\
      --out data/models/calvaria-skull.onnx

A 2.5-D U-net (three neighbouring slices as channels, base 8, four
poolings) learns bone from phantoms `--train-seeds` (default 1001–1040;
held-out phantoms for docs/segmentation.md start at 9001, the sample CT is
never used).  Loss: (1 − soft DSC) + binary cross-entropy + λ · a
distance-weighted (Hausdorff) term that punishes errors by how far they lie
from the true surface, ramped in after a warm-up; cross-entropy counts
pixels inside defects `--defect-weight` times, since bone there (a defect
filled in) is the costliest mistake.  An optional refining stage
(`--refine-steps`, off by default) then centres half the crops on defects,
where the rims and the metal that brightens them are, and weighs defect
pixels `--refine-defect-weight` times, at a fresh, lower learning rate; it
keeps more defects open (the shipped model uses it, 1500 steps; see
docs/segmentation.md).  A last stage (`--metal-steps`, off by default)
centres half its crops on metal and weighs everything within ~10 mm of it
`--metal-weight` times, at `--metal-lr`: it keeps more defects beside
plates open but costs thin bone on the real sample, so the shipped model
does without it (docs/segmentation.md).  The model is exported with threshold
0.5 and the 226 HU density floor; calibrate_threshold.py --write then
chooses the threshold on validation phantoms (0.5 for the shipped model, on
scanner-2 phantoms; the training phantoms are scanner 1's, `--scanner`).
Everything random follows
from `--seed`; the run checkpoints every `--checkpoint-every` steps into
`--work` and continues from there when started again with the same command.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from atomic import write_atomically  # noqa: E402
from skull_data import CropSampler, Phantom, make_phantoms, seed_range, window  # noqa: E402
from unet_models import UNet  # noqa: E402

HU_WINDOW = (-1000.0, 2000.0)
CONTEXT = 3
DISTANCE_CAP = 20.0   # pixels: a far false positive costs as much as one 20 px away
BONE_HU = 226.0       # the bone convention (docs/segmentation.md)
BRIGHT_MIN_DISTANCE = 2.0   # pixels from bone before a bright pixel counts as a bright negative
METAL_REACH = 12            # pixels: the metal stage's weighted zone around metal (~10 mm)
# The pixel sizes the network learns from: the phantoms' 0.82–0.98 mm,
# zoomed by 0.85–1.2 (skull_data.CropSampler); a CT outside is resampled
# to the middle of the phantoms' range (--pixel-rule).
TRAINED_PIXELS_MM = (0.7, 1.15)
MODEL_PIXEL_MM = 0.9


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True, help="calvaria-cli, to make the phantoms")
    parser.add_argument("--work", required=True, help="phantom cache and checkpoints")
    parser.add_argument("--out", required=True, help="the ONNX model to write")
    parser.add_argument("--train-seeds", default="1001-1040")
    parser.add_argument("--val-seeds", default="801-802")
    parser.add_argument("--anatomy", type=int, default=1, choices=(1, 2, 3, 4),
                        help="phantom anatomy: 1 a schematic skull base (the shipped model), 2 a detailed one "
                             "(mastoid cells, petrous ridges, pterygoid plates, nasal bones), 3 that and thin "
                             "frontal sinus walls, 4 that and thin squama, parietal patches and orbital roofs "
                             "(500–1200 HU; issue 29)")
    parser.add_argument("--scanner", type=int, default=1, choices=(1, 2),
                        help="phantom scanner model: 1 streaks from each metal object's centre on every slice near it "
                             "(the shipped model), 2 only from the metal each slice holds (calvaria-cli phantom --scanner)")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=12)
    parser.add_argument("--crop", type=int, default=128)
    parser.add_argument("--base", type=int, default=8)
    parser.add_argument("--levels", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--hausdorff-weight", type=float, default=0.5)
    parser.add_argument("--defect-weight", type=float, default=4.0,
                        help="cross-entropy weight of pixels inside defects (bone there is the costliest error)")
    parser.add_argument("--bright-negative-weight", type=float, default=1.0,
                        help="cross-entropy weight of pixels that a 226 HU threshold would call bone but that lie "
                             "2 px or more from bone: metal bloom, streaks, the head rest (1: no extra weight)")
    parser.add_argument("--refine-steps", type=int, default=0,
                        help="steps after --steps with half the crops centred on defects (0: none; see docs/segmentation.md)")
    parser.add_argument("--refine-lr", type=float, default=1e-3)
    parser.add_argument("--refine-defect-weight", type=float, default=12.0)
    parser.add_argument("--metal-steps", type=int, default=0,
                        help="a last stage on metal's streaks (off by default)")
    parser.add_argument("--metal-lr", type=float, default=5e-4)
    parser.add_argument("--metal-weight", type=float, default=8.0,
                        help="in the metal stage, how many times pixels near metal count")
    parser.add_argument("--pose-augment", type=float, default=0.0,
                        help="share of crops turned by an in-plane flip or transpose (a head turned in the "
                             "scanner; issue 29); 0 draws nothing, as the model shipped until 2026-12-07 was trained")
    parser.add_argument("--pixel-rule", choices=("resample", "native"), default="resample",
                        help="what the exported model asks for CTs whose pixels lie outside the sizes it was "
                             "trained on (0.7–1.15 mm: the phantoms' 0.82–0.98 mm zoomed by 0.85–1.2): resampled "
                             "to 0.9 mm (the default; docs/segmentation.md says why), or run as they are")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument("--checkpoint-every", type=int, default=100)
    parser.add_argument("--export-only", action="store_true", help="export the last checkpoint as it is, and stop")
    return parser.parse_args()


def distance_maps(target):
    """Distance (px, capped) of every pixel to the target's surface, for
    each crop: outside the bone to the nearest bone, inside to the nearest
    background."""
    out = np.zeros(target.shape, np.float32)
    for i, t in enumerate(target[:, 0].numpy() > 0.5):
        if t.any() and not t.all():
            out[i, 0] = np.where(t, ndimage.distance_transform_edt(t), ndimage.distance_transform_edt(~t))
        else:
            out[i, 0] = DISTANCE_CAP
    return torch.from_numpy(np.minimum(out, DISTANCE_CAP) / DISTANCE_CAP)


def bright_negatives(x, target, distances):
    """Pixels outside bone, at least BRIGHT_MIN_DISTANCE from it, whose
    centre-slice value is at or above the bone threshold: what plain
    thresholding gets wrong and the model is for."""
    level = float(window(np.float32(BONE_HU), *HU_WINDOW))
    centre = x[:, CONTEXT // 2:CONTEXT // 2 + 1]
    return ((centre >= level) & (target < 0.5) & (distances >= BRIGHT_MIN_DISTANCE / DISTANCE_CAP)).float()


def loss_terms(logits, target, distances, weights):
    prob = torch.sigmoid(logits)
    intersection = (prob * target).sum()
    dice = 1 - (2 * intersection + 1) / (prob.sum() + target.sum() + 1)
    bce = F.binary_cross_entropy_with_logits(logits, target, weight=weights)
    hausdorff = ((prob - target) ** 2 * distances ** 2).mean() * 10
    return dice, bce, hausdorff


def save_checkpoint(path, model, optimizer, step, rng, log):
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
             "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(), "log": log}
    write_atomically(path, lambda tmp: torch.save(state, tmp))


def validation_scores(model, batch):
    """DSC on the validation crops, and the share of their defect pixels
    called bone."""
    model.eval()
    with torch.no_grad():
        x, y, defect, _ = batch
        pred = (model(x) > 0).float()
    model.train()
    return (float(2 * (pred * y).sum() / (pred.sum() + y.sum() + 1e-6)),
            float((pred * defect).sum() / (defect.sum() + 1e-6)))


def learning_rate(args, step):
    """Cosine from --lr over --steps, then cosine again from --refine-lr,
    and again from --metal-lr."""
    start, length, lr = {"main": (0, args.steps, args.lr),
                         "refine": (args.steps, args.refine_steps, args.refine_lr),
                         "metal": (args.steps + args.refine_steps, args.metal_steps, args.metal_lr)}[stage_at(args, step)]
    return lr * 0.5 * (1 + np.cos(np.pi * (step - start) / max(length, 1)))


def stage_at(args, step):
    """"main", "refine" or "metal": the stage that `step` belongs to."""
    if step < args.steps:
        return "main"
    return "refine" if step < args.steps + args.refine_steps else "metal"


def near_metal(metal):
    """Pixels within METAL_REACH of metal: where its streaks are brightest."""
    return (F.max_pool2d(metal, 2 * METAL_REACH + 1, stride=1, padding=METAL_REACH) > 0).float()


def pixel_weights(args, stage, x, y, defect, metal, distances):
    """Cross-entropy's weight per pixel: defects always count more; the
    metal stage also weighs everything near metal, bone and not alike, so
    that the network learns streaks from bone rather than to call less bone
    near screws."""
    defect_weight = args.defect_weight if stage == "main" else args.refine_defect_weight
    weights = 1 + (defect_weight - 1) * defect
    if args.bright_negative_weight != 1:   # off by default: the weights stay as they were
        weights = weights + (args.bright_negative_weight - 1) * bright_negatives(x, y, distances)
    if stage == "metal":
        weights = torch.maximum(weights, 1 + (args.metal_weight - 1) * near_metal(metal))
    return weights


def export(model, args, path, log):
    model.eval()
    x = torch.zeros(1, CONTEXT, 256, 256)
    tmp = path + ".tmp"
    torch.onnx.export(model, x, tmp, opset_version=13, input_names=["slices"], output_names=["logits"],
                      dynamic_axes={"slices": {0: "batch", 2: "height", 3: "width"},
                                    "logits": {0: "batch", 2: "height", 3: "width"}},
                      do_constant_folding=True)
    m = onnx.load(tmp)
    keys = {
        "calvaria.hu_window": f"{HU_WINDOW[0]:.0f},{HU_WINDOW[1]:.0f}",
        "calvaria.context_slices": str(CONTEXT),
        "calvaria.size_multiple": str(2 ** args.levels),
        "calvaria.output": "logits",
        "calvaria.threshold": "0.5",
        # Nothing less dense than bone's definition is bone: noise and
        # partial volume at a defect's rim (docs/segmentation.md).
        "calvaria.min_hu": f"{BONE_HU:.0f}",
        "calvaria.labels": "background,bone",
        # The phantoms' arrays: x to the patient's left, y posterior, z up
        # (Calvaria reorders every CT into this before the network).
        "calvaria.orientation": "LPS",
        "calvaria.bone_convention": "226 HU threshold on an ideal scan (docs/segmentation.md)",
        **({"calvaria.spacing_mm": f"{MODEL_PIXEL_MM:g},{MODEL_PIXEL_MM:g}",
            "calvaria.spacing_range_mm": f"{TRAINED_PIXELS_MM[0]:g},{TRAINED_PIXELS_MM[1]:g}"}
           if args.pixel_rule == "resample" else {}),
        "calvaria.training": (f"tools/train/train_skull.py --train-seeds {args.train_seeds} "
                              + (f"--anatomy {args.anatomy} " if args.anatomy != 1 else "")
                              + (f"--scanner {args.scanner} " if args.scanner != 1 else "")
                              + (f"--pose-augment {args.pose_augment} " if args.pose_augment else "")
                              + (f"--pixel-rule {args.pixel_rule} " if args.pixel_rule != "resample" else "")
                              + f"--steps {args.steps} "
                              f"--batch {args.batch} --crop {args.crop} --base {args.base} --levels {args.levels} "
                              f"--lr {args.lr} --hausdorff-weight {args.hausdorff_weight} --defect-weight {args.defect_weight} "
                              + (f"--bright-negative-weight {args.bright_negative_weight} "
                                 if args.bright_negative_weight != 1 else "")
                              + (f"--refine-steps {args.refine_steps} --refine-lr {args.refine_lr} "
                                 f"--refine-defect-weight {args.refine_defect_weight} " if args.refine_steps else "")
                              + (f"--metal-steps {args.metal_steps} --metal-lr {args.metal_lr} "
                                 f"--metal-weight {args.metal_weight} " if args.metal_steps else "")
                              + f"--seed {args.seed}"),
        "calvaria.validation_dice": f"{log[-1]['val_dice']:.4f}" if log else "",
    }
    for key, value in keys.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = key, value
    m.producer_name, m.doc_string = "calvaria train_skull.py", "Calvaria default skull model (2.5-D U-net)"
    write_atomically(path, lambda out: onnx.save(m, out))


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    cache = os.path.join(args.work, "phantoms")
    train_seeds, val_seeds = seed_range(args.train_seeds), seed_range(args.val_seeds)
    t0 = time.time()
    make_phantoms(args.cli, cache, train_seeds + val_seeds, args.anatomy, args.scanner)
    print(f"phantoms ready in {time.time() - t0:.0f} s", flush=True)
    train = CropSampler([Phantom(cache, s, args.anatomy, args.scanner) for s in train_seeds], rng, args.crop, CONTEXT, HU_WINDOW,
                        pose=args.pose_augment)
    refine = CropSampler(train.phantoms, rng, args.crop, CONTEXT, HU_WINDOW, defect_focus=0.5, pose=args.pose_augment)
    # Half the metal stage's crops on metal; the rest as the refining stage
    # drew them, so that what it learnt stays learnt.
    metal = CropSampler(train.phantoms, rng, args.crop, CONTEXT, HU_WINDOW, defect_focus=0.5, metal_focus=0.5,
                        pose=args.pose_augment)
    samplers = {"main": train, "refine": refine, "metal": metal}
    # The same validation crops as before the refining stage existed, so a
    # rerun logs (and exports) the validation DSC the shipped model records.
    val = CropSampler([Phantom(cache, s, args.anatomy, args.scanner) for s in val_seeds], np.random.default_rng(1), args.crop, CONTEXT,
                      HU_WINDOW, augment=False).batch(48)

    model = UNet(in_channels=CONTEXT, out_channels=1, base=args.base, levels=args.levels, up="transpose")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    checkpoint, step, log = os.path.join(args.work, "checkpoint.pt"), 0, []
    if os.path.exists(checkpoint):
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, log = state["step"], state["log"]
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at step {step}", flush=True)
    if args.export_only:
        export(model, args, args.out, log)
        print(f"exported step {step} to {args.out}")
        return
    model.train()
    t0, sums, total = time.time(), np.zeros(3), args.steps + args.refine_steps + args.metal_steps
    while step < total:
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(args, step)
        stage = stage_at(args, step)
        x, y, defect, metal_mask = samplers[stage].batch(args.batch)
        distances = distance_maps(y)
        weights = pixel_weights(args, stage, x, y, defect, metal_mask, distances)
        dice, bce, hausdorff = loss_terms(model(x), y, distances, weights)
        ramp = min(1.0, step / (0.3 * args.steps))
        loss = dice + bce + args.hausdorff_weight * ramp * hausdorff
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        sums += [dice.item(), bce.item(), hausdorff.item()]
        if step % args.checkpoint_every == 0 or step == total:
            n = args.checkpoint_every if step % args.checkpoint_every == 0 else step % args.checkpoint_every
            val_dice, val_defect = validation_scores(model, val)
            entry = {"step": step, "dice_loss": sums[0] / n, "bce": sums[1] / n, "hausdorff": sums[2] / n,
                     "val_dice": val_dice, "val_defect_called_bone": val_defect, "seconds": time.time() - t0}
            log.append(entry)
            print(json.dumps(entry), flush=True)
            sums[:] = 0
            save_checkpoint(checkpoint, model, optimizer, step, rng, log)
    export(model, args, args.out, log)
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
