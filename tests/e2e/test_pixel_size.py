#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A model's pixel sizes (issue 29, item 2): a model that declares the
in-plane pixel sizes it was trained on (`calvaria.spacing_range_mm`) takes
a CT inside that range as it is, and resamples one outside it to its
`calvaria.spacing_mm`, the probability back onto the CT's grid.  Where the
model's pixel is coarser, each of its pixels is the mean over its
footprint, as a scanner with bigger pixels would average: thin bright
lines that a point sample would step over keep their share.  Malformed
ranges are refused, naming the key.  The model here passes its windowed
input through (ReLU of 0…1), so the probability map is what the network
saw, resampled back.  TAP output."""
import argparse
import os
import re
import sys
import tempfile

import nibabel
import numpy as np
import onnx
from onnx import TensorProto, helper

from tap import Tap, run

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "train"))
from evaluate_skull import bone_from_probability, skull_piece  # noqa: E402


def pass_through_model(path, metadata):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 1, "h", "w"])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 1, "h", "w"])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    for key, value in ({"calvaria.output": "probabilities", "calvaria.context_slices": "1",
                        "calvaria.size_multiple": "1"} | metadata).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, path)


def write_ct(path, hu, pixel_mm):
    affine = np.diag([pixel_mm, pixel_mm, 2.0, 1.0])
    image = nibabel.Nifti1Image(hu.astype(np.int16), affine)
    image.header.set_xyzt_units("mm")
    nibabel.save(image, path)


def infer(cli, model, ct, out):
    r = run(cli, "infer", model, ct, out, "--device", "cpu")
    spacing = re.search(r"Network input spacing: ([\d.]+) × ([\d.]+)", r.stdout)
    prob = np.asarray(nibabel.load(out).dataobj, dtype=np.float64) if r.returncode == 0 else None
    return r, prob, (float(spacing.group(1)), float(spacing.group(2))) if spacing else None


def segment_mask(cli, model, hu, affine, path):
    image = nibabel.Nifti1Image(hu.astype(np.int16), affine)
    image.header.set_xyzt_units("mm")
    nibabel.save(image, path)
    out = path.replace(".nii", "-mask.nii")
    r = run(cli, "segment", path, out, "--model", model, "--device", "cpu")
    return r, (np.asarray(nibabel.load(out).dataobj) > 0 if r.returncode == 0 else None)


def check_near_pieces(t, cli, tmp):
    """On a resampled CT the skull is the largest piece and what comes
    within one network pixel of it in the network's slice plane (0.9 mm
    here): pieces 0.8 mm off along x and along y stay, 2.0 and 4.4 mm off
    go.  Stored with its y axis as the file's third axis (the slices then
    run across the network's plane), the same head gives the same mask:
    the reach follows the network's plane, not the file's first two axes."""
    model = os.path.join(tmp, "near.onnx")
    pass_through_model(model, {"calvaria.spacing_mm": "0.9,0.9", "calvaria.spacing_range_mm": "0.7,1.2",
                               "calvaria.threshold_resampled": "0.1", "calvaria.min_hu": "226",
                               "calvaria.orientation": "LPS"})
    hu = np.full((60, 60, 4), -1000)
    blocks = {"skull": np.s_[5:30, 5:30, :], "0.8 mm along x": np.s_[31:35, 10:16, :],
              "0.8 mm along y": np.s_[10:16, 31:35, :], "2.0 mm along y": np.s_[18:24, 34:38, :],
              "4.4 mm along x": np.s_[40:44, 10:16, :]}
    for block in blocks.values():
        hu[block] = 2000
    kept = np.zeros(hu.shape, bool)
    for name in ("skull", "0.8 mm along x", "0.8 mm along y"):
        kept[blocks[name]] = True
    r, mask = segment_mask(cli, model, hu, np.diag([0.4, 0.4, 2.0, 1.0]), os.path.join(tmp, "near.nii"))
    t.check(mask is not None and np.array_equal(mask, kept),
            "resampled: the pieces 0.8 mm from the largest kept with it, those 2.0 and 4.4 mm off removed",
            r.stdout + r.stderr if mask is None else f"{int((mask != kept).sum())} voxels differ")
    # The calibration's copy of the rule (tools/train) on infer's probability.
    _, prob, _ = infer(cli, model, os.path.join(tmp, "near.nii"), os.path.join(tmp, "near-p.nii"))
    ours = None if prob is None else skull_piece((prob > 0.1) & (hu >= 226), (0.4, 0.4, 2.0), 0.9)
    t.check(ours is not None and mask is not None and np.array_equal(ours, mask),
            "evaluate_skull.skull_piece, which calibrate_threshold.py uses, gives segment's mask")
    # The same head, its y axis stored third: file axis 1 runs along z.
    turned = np.transpose(hu, (0, 2, 1))
    affine = np.array([[0.4, 0, 0, 0], [0, 0, 0.4, 0], [0, 2.0, 0, 0], [0, 0, 0, 1.0]])
    r, mask = segment_mask(cli, model, turned, affine, os.path.join(tmp, "near-turned.nii"))
    back = None if mask is None else np.transpose(mask, (0, 2, 1))
    t.check(back is not None and np.array_equal(back, kept),
            "… the same head stored with its y axis third: the same mask (the reach lies in the network's plane)",
            r.stdout + r.stderr if back is None else f"{int((back != kept).sum())} voxels differ")


def check_faint_rule(t, cli, tmp):
    """`calvaria.threshold_resampled_faint` = "0.42,300": on a resampled CT,
    voxels under 300 HU need a probability above 0.42 (the pass-through
    model's probability is the windowed CT: 250 HU is 0.417, 290 HU 0.430).
    Not on a CT taken as it is, nor with an explicit --threshold; the
    calibration's copy (evaluate_skull.bone_from_probability) gives
    segment's mask on a CT of mixed densities."""
    model = os.path.join(tmp, "faint.onnx")
    pass_through_model(model, {"calvaria.spacing_mm": "0.9,0.9", "calvaria.spacing_range_mm": "0.7,1.2",
                               "calvaria.threshold": "0.1", "calvaria.threshold_resampled": "0.1",
                               "calvaria.threshold_resampled_faint": "0.42,300", "calvaria.min_hu": "226"})
    ct, out = os.path.join(tmp, "faint.nii"), os.path.join(tmp, "faint-mask.nii")
    cases = ((250, 0.36, [], False, "resampled: 250 HU at probability 0.417 is left out"),
             (290, 0.36, [], True, "resampled: 290 HU at 0.430 is bone"),
             (250, 1.0, [], True, "taken as it is: no faint rule, 250 HU is bone"),
             (250, 0.36, ["--threshold", "0.1"], True, "an explicit --threshold: no faint rule"))
    for value, pixel, extra, expect, why in cases:
        write_ct(ct, np.full((100, 60, 3), value), pixel)
        r = run(cli, "segment", ct, out, "--model", model, "--device", "cpu", *extra)
        bone = np.asarray(nibabel.load(out).dataobj) > 0 if r.returncode == 0 else None
        told = "under 300 HU needed probability above 0.42" in r.stdout
        t.check(bone is not None and bool(bone.all()) == expect and bool(bone.any()) == expect and
                told == (pixel < 0.7 and not extra), f"calvaria.threshold_resampled_faint: {why}", r.stdout + r.stderr)
    rng = np.random.default_rng(7)
    blocks = rng.choice([-500, 230, 250, 280, 295, 310, 600], size=(25, 15, 3))
    hu = np.kron(blocks, np.ones((4, 4, 1), dtype=int))
    write_ct(ct, hu, 0.36)
    r = run(cli, "segment", ct, out, "--model", model, "--device", "cpu", "--keep-all")
    mask = np.asarray(nibabel.load(out).dataobj) > 0 if r.returncode == 0 else None
    _, prob, _ = infer(cli, model, ct, os.path.join(tmp, "faint-p.nii"))
    ours = None if prob is None else bone_from_probability(prob, hu, 0.1, 226, (0.42, 300))
    plain = None if prob is None else bone_from_probability(prob, hu, 0.1, 226)
    t.check(mask is not None and ours is not None and np.array_equal(ours, mask) and (plain & ~ours).sum() > 100,
            "evaluate_skull.bone_from_probability with the faint rule gives segment's mask (and the rule left "
            f"out {0 if plain is None else int((plain & ~ours).sum())} voxels)", r.stdout + r.stderr)
    bad = os.path.join(tmp, "bad-faint.onnx")
    for value in ("0.4", "1.5,300", "0.4,soft"):
        pass_through_model(bad, {"calvaria.threshold_resampled_faint": value})
        r, _, _ = infer(cli, bad, ct, os.path.join(tmp, "bad-p.nii"))
        t.check(r.returncode != 0 and "calvaria.threshold_resampled_faint" in r.stderr and value in r.stderr,
                f"a faint rule of “{value}” is refused, naming the key", r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    a = ap.parse_args()
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="cal-pixel-size-") as tmp:
        model = os.path.join(tmp, "model.onnx")
        pass_through_model(model, {"calvaria.spacing_mm": "0.9,0.9", "calvaria.spacing_range_mm": "0.7,1.2"})

        # Inside the range: as it is, voxel for voxel.
        rng = np.random.default_rng(29)
        hu = rng.integers(-1000, 2000, size=(40, 36, 3))
        write_ct(os.path.join(tmp, "native.nii"), hu, 1.0)
        r, prob, spacing = infer(a.cli, model, os.path.join(tmp, "native.nii"), os.path.join(tmp, "native-p.nii"))
        t.check(r.returncode == 0 and spacing == (1.0, 1.0), "1.0 mm pixels, inside 0.7–1.2 mm: the network sees them as they are",
                r.stdout + r.stderr)
        expected = np.clip((hu + 1000) / 3000, 0, 1)
        t.check(prob is not None and np.abs(prob - expected).max() < 1e-6, "… and the probability is the windowed CT",
                "" if prob is None else f"max diff {np.abs(prob - expected).max():.2e}")

        # Finer than the range: resampled to 0.9 mm by footprint means.  A
        # one-pixel line every fifth column at 0.36 mm, the columns that a
        # bilinear point sample at 2.5 pixels a step never reads (2, 7, 12, …),
        # keeps its fifth of the image's mean.
        fine = np.full((100, 60, 3), -1000)
        fine[2::5, :, :] = 2000
        write_ct(os.path.join(tmp, "fine.nii"), fine, 0.36)
        r, prob, spacing = infer(a.cli, model, os.path.join(tmp, "fine.nii"), os.path.join(tmp, "fine-p.nii"))
        t.check(r.returncode == 0 and spacing == (0.9, 0.9), "0.36 mm pixels: resampled to the model's 0.9 mm",
                r.stdout + r.stderr)
        mean = float(prob.mean()) if prob is not None else -1
        t.check(prob is not None and prob.shape == fine.shape and abs(mean - 0.2) < 0.02,
                f"… each 0.9 mm pixel the mean of its footprint: thin lines keep their share (mean {mean:.3f}, lines 0.2)")

        # Coarser than the range: resampled (finer) to 0.9 mm, and back.
        write_ct(os.path.join(tmp, "coarse.nii"), hu, 1.5)
        r, prob, spacing = infer(a.cli, model, os.path.join(tmp, "coarse.nii"), os.path.join(tmp, "coarse-p.nii"))
        t.check(r.returncode == 0 and spacing == (0.9, 0.9) and prob.shape == hu.shape,
                "1.5 mm pixels: resampled to 0.9 mm, the probability back on the CT's grid", r.stdout + r.stderr)

        # On a resampled CT the model's calvaria.threshold_resampled applies:
        # -100 HU windows to 0.3, bone under 0.2 but not under 0.5.
        flat = np.full((100, 60, 3), -100)
        low = os.path.join(tmp, "low.onnx")
        pass_through_model(low, {"calvaria.spacing_mm": "0.9,0.9", "calvaria.spacing_range_mm": "0.7,1.2",
                                 "calvaria.threshold_resampled": "0.2"})
        for pixel, expect, why in ((0.36, True, "resampled: 0.2 applies"), (1.0, False, "as it is: 0.5 applies")):
            write_ct(os.path.join(tmp, "flat.nii"), flat, pixel)
            out = os.path.join(tmp, "flat-mask.nii")
            r = run(a.cli, "segment", os.path.join(tmp, "flat.nii"), out, "--model", low, "--device", "cpu")
            bone = np.asarray(nibabel.load(out).dataobj) > 0 if r.returncode == 0 else None
            t.check(bone is not None and bool(bone.all()) == expect and bool(bone.any()) == expect,
                    f"calvaria.threshold_resampled at {pixel} mm pixels ({why})", r.stdout + r.stderr)
        check_near_pieces(t, a.cli, tmp)
        check_faint_rule(t, a.cli, tmp)
        bad = os.path.join(tmp, "bad-threshold.onnx")
        pass_through_model(bad, {"calvaria.threshold_resampled": "1.5"})
        r, _, _ = infer(a.cli, bad, os.path.join(tmp, "native.nii"), os.path.join(tmp, "bad-p.nii"))
        t.check(r.returncode != 0 and "calvaria.threshold_resampled" in r.stderr, "a threshold of 1.5 is refused",
                r.stderr)

        for value, why in (("0.5,0.6", "leaves out the model's own 0.9 mm"), ("1.2,0.7", "gives its smallest after its largest"),
                           ("0.7", "is one number")):
            bad = os.path.join(tmp, "bad.onnx")
            pass_through_model(bad, {"calvaria.spacing_mm": "0.9,0.9", "calvaria.spacing_range_mm": value})
            r, _, _ = infer(a.cli, bad, os.path.join(tmp, "native.nii"), os.path.join(tmp, "bad-p.nii"))
            t.check(r.returncode != 0 and "calvaria.spacing_range_mm" in r.stderr and value in r.stderr,
                    f"a range that {why} ({value}) is refused, naming the key", r.stderr)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
