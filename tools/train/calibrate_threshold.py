#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Chooses the skull model's output threshold on validation phantoms and,
with --write, writes it into the model's metadata (`calvaria.threshold`;
with --thin, `calvaria.threshold_resampled`).

  tools/train/calibrate_threshold.py --cli build/app/cli/calvaria-cli \\
      --work /tmp/skull-calibrate --model data/models/calvaria-skull.onnx

Also a check of a model on phantoms it was neither trained nor judged on
(docs/segmentation.md gives the shipped model's figures).  Validation
phantoms: the seeds `--seeds` (default 801–825) that have a defect, made
with scanner model `--scanner` (default 2: streaks only from the metal in
each slice; calvaria-cli phantom --scanner) and anatomy `--anatomy`
(default 1; 4 has the thin bone of issue 29).  They
are apart from the training phantoms (1001–1040) and from the held-out
ones that docs/segmentation-report.md judges (9001 on); the sample CT is
not used.  For each phantom, `calvaria-cli infer`
writes the bone probability once.  Each candidate threshold then gives the
mask that `calvaria-cli segment` would give: probability above it and CT
at or above the model's `calvaria.min_hu` (if it has one), largest
face-connected piece (with --thin, and the pieces within one network pixel
of it: evaluate_skull.skull_piece).  The first phantom checks that claim against a real
`segment` run, bit for bit.  Each mask is judged by the goals of issue 7:
DSC ≥ 0.97, HD95 ≤ 1.0 mm (`calvaria-cli evaluate`), and at most 1 % of
each defect called bone; and by issue 29's: no false defect (dense bone
left out through its thickness, evaluate_skull.false_defects) over
0.05 mL.  With --thin the phantoms have thin bone (anatomy 4) at the
0.35–0.5 mm pixels of evaluate_skull.py --thin-phantoms, which a model with
`calvaria.spacing_range_mm` resamples: the threshold found is the one
`segment` uses on resampled CTs (`calvaria.threshold_resampled`); with
--faint, each threshold is also tried with each stricter threshold for
faint voxels (PROBABILITY@HU: voxels under that HU need that probability;
`calvaria.threshold_resampled_faint`, written or removed with the
choice).  Chosen: the candidate with the most phantoms meeting all four
goals, then the highest mean DSC, then the threshold nearest 0.5.  Deterministic: the same model and seeds give the same threshold.
"""

import argparse
import os
import shutil
import sys

import nibabel as nib
import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from atomic import write_atomically  # noqa: E402
from evaluate_skull import (DEFECT, FALSE_DEFECT_ML, SKULL, bone_from_probability, evaluate,  # noqa: E402
                            false_defects, largest_piece, phantom_has_defect, phantom_tag, run, save_like, share_called_bone,
                            skull_piece, thin_pixel)
from skull_data import seed_range  # noqa: E402

GOAL_DSC, GOAL_HD95_MM, GOAL_DEFECT_SHARE = 0.97, 1.0, 0.01


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True, help="calvaria-cli")
    parser.add_argument("--work", required=True, help="phantoms and probability maps (kept between runs)")
    parser.add_argument("--model", required=True, help="the ONNX model; its calvaria.threshold is rewritten")
    parser.add_argument("--seeds", default="801-825", help="validation phantom seeds (first-last)")
    parser.add_argument("--thresholds", default="0.5,0.55,0.6,0.65,0.7,0.75,0.8",
                        help="candidate probabilities, comma-separated")
    parser.add_argument("--anatomy", type=int, default=1, choices=(1, 2, 3, 4),
                        help="phantom anatomy (calvaria-cli phantom --anatomy; 4 has thin bone, issue 29)")
    parser.add_argument("--scanner", type=int, default=2, choices=(1, 2),
                        help="phantom scanner model (calvaria-cli phantom --scanner; 2, streaks only from the "
                             "metal each slice holds, unless an older calibration is to be repeated)")
    parser.add_argument("--thin", action="store_true",
                        help="phantoms with thin bone at 0.35–0.5 mm pixels (anatomy 4), resampled by the model: "
                             "calibrates calvaria.threshold_resampled")
    parser.add_argument("--faint", default="",
                        help="with --thin: stricter thresholds for faint voxels to try beside none, as "
                             "PROBABILITY@HU, comma-separated (\"0.4@300\": voxels under 300 HU need 0.4); "
                             "each is tried with every threshold")
    parser.add_argument("--write", action="store_true", help="write the choice into the model (else only print it)")
    args = parser.parse_args(argv)
    try:
        args.faint_rules = [None] + [tuple(float(x) for x in f.split("@")) for f in args.faint.split(",") if f]
    except ValueError:
        parser.error(f"--faint takes PROBABILITY@HU pairs, as 0.4@300, not {args.faint!r}")
    if len(args.faint_rules) > 1 and not args.thin:
        parser.error("--faint is for resampled CTs: use it with --thin")
    if any(f is not None and (len(f) != 2 or not 0 < f[0] < 1) for f in args.faint_rules):
        parser.error(f"--faint takes PROBABILITY@HU pairs with a probability between 0 and 1, not {args.faint!r}")
    if args.thin:
        if args.anatomy not in (1, 4):
            parser.error("--thin phantoms are anatomy 4")
        args.anatomy = 4
        if not model_resamples(args.model):
            parser.error("--thin calibrates the threshold for resampled CTs, but the model has no "
                         "calvaria.spacing_range_mm: it would run the thin phantoms as they are")
    return args


def model_props(path):
    return {p.key: p.value for p in onnx.load(path).metadata_props}


def model_resamples(path):
    return model_plane_pixel(path) is not None


def model_plane_pixel(path):
    """The network's in-plane pixel (mm) on a CT it resamples: the model's
    `calvaria.spacing_mm`; None for a model that runs CTs as they are."""
    props = model_props(path)
    if "calvaria.spacing_range_mm" not in props:
        return None
    return float(props["calvaria.spacing_mm"].split(",")[0])


def model_min_hu(path):
    """The model's density floor (`calvaria.min_hu`), as `segment` applies it."""
    return float(model_props(path).get("calvaria.min_hu", "-inf"))


def probability(args, seed, tag, pixel):
    """The phantom's CT, labels and bone probability (made once, then reused)."""
    ct, labels = (os.path.join(args.work, f"{tag}-{kind}.nii.gz") for kind in ("ct", "labels"))
    prob = os.path.join(args.work, f"{tag}-probability.nii.gz")
    if not os.path.exists(labels):
        run([args.cli, "phantom", "--seed", seed, "--scanner", args.scanner, "--anatomy", args.anatomy]
            + (["--pixel", f"{pixel:.2f}"] if pixel else []) + [ct, labels, "-q"])
    if not os.path.exists(prob):
        run([args.cli, "infer", args.model, ct, prob])
    return ct, nib.load(labels), np.asarray(nib.load(prob).dataobj)


def check_against_segment(args, ct, mask, candidate):
    """segment's own mask must equal the one built here from infer's
    output.  With --thin, segment runs a copy of the model that holds the
    candidate as its own keys (a resampled CT's threshold and faint rule
    apply only as the model's); else `--threshold`."""
    out = os.path.join(args.work, "segment-check.nii.gz")
    model, extra = args.model, ["--threshold", candidate[0]]
    if args.thin:
        model, extra = os.path.join(args.work, "segment-check.onnx"), []
        shutil.copyfile(args.model, model)
        write_threshold(model, "calvaria.threshold_resampled", candidate[0], "check", candidate[1])
    run([args.cli, "segment", ct, out, "--model", model, "-q"] + extra)
    theirs = np.asarray(nib.load(out).dataobj) > 0
    if not np.array_equal(theirs, mask):
        sys.exit(f"calibrate_threshold: the mask built from `infer` differs from `segment`'s in "
                 f"{int((theirs != mask).sum())} voxels for threshold {candidate_name(candidate)}; "
                 f"the calibration would not describe segment")


def candidate_name(candidate):
    threshold, faint = candidate
    return f"{threshold:g}" + (f" ({faint[0]:g} under {faint[1]:g} HU)" if faint else "")


def judge(args, tag, labels_img, case, mask):
    """case: (defect, reference, HU, voxel mL) of the phantom."""
    defect, reference, hu, voxel_ml = case
    test = os.path.join(args.work, f"{tag}-test.nii.gz")
    save_like(test, mask, labels_img)
    metrics = evaluate(args.cli, os.path.join(args.work, f"{tag}-skull.nii.gz"), test)
    defects = share_called_bone(mask, defect)
    worst = max(defects, default=0.0)
    false = max(false_defects(reference, mask, hu, voxel_ml), default=0.0)
    met = (metrics["dsc"] >= GOAL_DSC and metrics["hd95"] <= GOAL_HD95_MM and worst <= GOAL_DEFECT_SHARE
           and false <= FALSE_DEFECT_ML)
    return {"dsc": metrics["dsc"], "hd95": metrics["hd95"], "worst_defect": worst, "false_defect_ml": false, "met": met}


def choose(results, candidates):
    """Most phantoms meeting the goals, then the highest mean DSC (which,
    among equals, prefers no faint rule or the mildest), then the
    threshold nearest 0.5."""
    def rank(c):
        rows = [r[c] for r in results]
        return (sum(r["met"] for r in rows), np.mean([r["dsc"] for r in rows]), -abs(c[0] - 0.5))
    return max(candidates, key=rank)


FAINT_KEY = "calvaria.threshold_resampled_faint"


def write_threshold(path, key, threshold, summary, faint=None):
    """Writes key, its calibration text and, for the resampled threshold,
    the faint rule (removed where the choice has none)."""
    model = onnx.load(path)
    if key == "calvaria.threshold_resampled":   # the faint rule is part of that choice: drop the old one
        kept = [p for p in model.metadata_props if p.key != FAINT_KEY]
        del model.metadata_props[:]
        model.metadata_props.extend(kept)
    props = {p.key: p for p in model.metadata_props}
    values = [(key, f"{threshold:g}"), (key + "_calibration", summary)]
    if faint is not None:
        values.append((FAINT_KEY, f"{faint[0]:g},{faint[1]:g}"))
    for name, value in values:
        entry = props.get(name) or model.metadata_props.add()
        entry.key, entry.value = name, value
    write_atomically(path, lambda tmp: onnx.save(model, tmp))


def calibrate(args):
    os.makedirs(args.work, exist_ok=True)
    thresholds = [float(t) for t in args.thresholds.split(",")]
    candidates = [(t, f) for t in thresholds for f in args.faint_rules]
    results, checked = [], set()
    min_hu = model_min_hu(args.model)
    # Thin phantoms are resampled for the network: segment keeps what lies
    # within one of its pixels of the largest piece too.
    plane_pixel = model_plane_pixel(args.model) if args.thin else None
    for seed in seed_range(args.seeds):
        if not phantom_has_defect(args.cli, seed, args.work, args.scanner, args.anatomy)[0]:
            continue
        pixel = thin_pixel(seed) if args.thin else None
        tag = phantom_tag(seed, args.scanner, args.anatomy, pixel)   # every file of this phantom is named after it
        ct, labels_img, prob = probability(args, seed, tag, pixel)
        labels = np.asarray(labels_img.dataobj)
        reference = largest_piece(labels == SKULL)
        save_like(os.path.join(args.work, f"{tag}-skull.nii.gz"), reference, labels_img)
        ct_image = nib.load(ct)
        hu = np.asarray(ct_image.dataobj)
        case = (labels == DEFECT, reference, hu, abs(np.linalg.det(ct_image.affine[:3, :3])) / 1000)
        row = {}
        for c in candidates:
            mask = skull_piece(bone_from_probability(prob, hu, c[0], min_hu, c[1]), ct_image.header.get_zooms(),
                               plane_pixel)
            if (c[1] is None) not in checked:   # the first with a faint rule and the first without
                check_against_segment(args, ct, mask, c)
                checked.add(c[1] is None)
            row[c] = judge(args, tag, labels_img, case, mask)
        results.append(row)
        print(f"{seed}: " + "  ".join(f"{candidate_name(c)}: {r['dsc']:.4f} {r['hd95']:.2f} mm "
                                      f"{100 * r['worst_defect']:.2f} % {1000 * r['false_defect_ml']:.0f} mm³"
                                      + (" ✓" if r["met"] else "") for c, r in row.items()), flush=True)
    if not results:
        sys.exit("calibrate_threshold: no validation phantom with a defect among the seeds")
    best = choose(results, candidates)
    met = sum(r[best]["met"] for r in results)
    scanner = f" --scanner {args.scanner}" if args.scanner != 1 else ""
    anatomy = " --thin" if args.thin else f" --anatomy {args.anatomy}" if args.anatomy != 1 else ""
    faint = f" --faint {args.faint}" if args.faint else ""
    summary = (f"tools/train/calibrate_threshold.py --seeds {args.seeds} --thresholds {args.thresholds}{faint}"
               f"{scanner}{anatomy}: "
               f"{met} of {len(results)} validation phantoms meet DSC >= {GOAL_DSC}, HD95 <= {GOAL_HD95_MM} mm, "
               f"<= {100 * GOAL_DEFECT_SHARE:g} % of each defect called bone and no false defect "
               f"over {1000 * FALSE_DEFECT_ML:g} mm3")
    for c in candidates:
        print(f"threshold {candidate_name(c)}: {sum(r[c]['met'] for r in results)} of {len(results)} meet the goals, "
              f"mean DSC {np.mean([r[c]['dsc'] for r in results]):.4f}" + ("  ← chosen" if c == best else ""))
    if args.write:
        key = "calvaria.threshold_resampled" if args.thin else "calvaria.threshold"
        write_threshold(args.model, key, best[0], summary, best[1])
        print(f"wrote {key} = {candidate_name(best)} into {args.model}")
    return best[0]


if __name__ == "__main__":
    calibrate(parse_args())
