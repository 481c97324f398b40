#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/train/calibrate_threshold.py's choices and what it writes:
--thin (issue 29) calibrates `calvaria.threshold_resampled` on anatomy-4
phantoms and is refused for a model that would not resample them; the
rule picks the threshold with the most phantoms meeting the goals, then
the highest mean DSC, then the one nearest 0.5; --faint adds candidates
with a stricter threshold for faint voxels (`calvaria.threshold_resampled_faint`),
only with --thin; writing keeps every other key, adds the calibration beside
the value, and writes the faint rule or removes one the choice does not
have.  TAP output."""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from tap import Tap  # noqa: E402


def tiny_model(path, props):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "tiny",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph)
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, path)


def refused(parse, argv):
    try:
        parse(argv)
    except SystemExit as e:
        return e.code != 0
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tools", required=True)
    a = ap.parse_args()
    sys.path.insert(0, a.tools)
    import onnx
    from calibrate_threshold import choose, parse_args, write_threshold

    t = Tap()
    tmp = tempfile.mkdtemp(prefix="cal-calibrate-")
    plain, resampling = (os.path.join(tmp, n) for n in ("plain.onnx", "resampling.onnx"))
    tiny_model(plain, {"calvaria.threshold": "0.5"})
    tiny_model(resampling, {"calvaria.threshold": "0.5", "calvaria.spacing_mm": "0.9,0.9",
                            "calvaria.spacing_range_mm": "0.7,1.15"})
    base = ["--cli", "calvaria-cli", "--work", tmp]

    stderr, sys.stderr = sys.stderr, open(os.devnull, "w")   # argparse's refusals
    t.check(refused(parse_args, base + ["--model", plain, "--thin"]),
            "--thin is refused for a model without calvaria.spacing_range_mm (it would not resample)")
    t.check(refused(parse_args, base + ["--model", resampling, "--thin", "--anatomy", "2"]),
            "--thin with another anatomy than 4 is refused")
    t.check(refused(parse_args, base + ["--model", plain, "--faint", "0.4@300"]),
            "--faint without --thin is refused (the rule is for resampled CTs)")
    for bad in ("0.4", "1.2@300", "0.4@x"):
        t.check(refused(parse_args, base + ["--model", resampling, "--thin", "--faint", bad]),
                f"--faint {bad} is refused (PROBABILITY@HU, the probability between 0 and 1)")
    sys.stderr = stderr
    args = parse_args(base + ["--model", resampling, "--thin"])
    t.check(args.thin and args.anatomy == 4 and args.faint_rules == [None], "--thin means anatomy 4", vars(args))
    args = parse_args(base + ["--model", resampling, "--thin", "--faint", "0.4@300,0.5@250"])
    t.check(args.faint_rules == [None, (0.4, 300.0), (0.5, 250.0)],
            "--faint 0.4@300,0.5@250: no rule and the two rules, each to be tried with every threshold",
            args.faint_rules)

    def row(dsc, met):
        return {"dsc": dsc, "met": met}

    def plain_rows(rows):
        return [{(t, None): r for t, r in each.items()} for each in rows]
    results = plain_rows([{0.2: row(0.99, True), 0.3: row(0.98, True), 0.5: row(0.97, False)},
                          {0.2: row(0.97, False), 0.3: row(0.99, True), 0.5: row(0.99, True)}])
    t.check(choose(results, [(0.2, None), (0.3, None), (0.5, None)]) == (0.3, None),
            "the most phantoms meeting the goals wins (0.3: 2 of 2)")
    better = plain_rows([{0.4: row(0.97, True), 0.6: row(0.99, True)}])
    t.check(choose(better, [(0.4, None), (0.6, None)]) == (0.6, None), "as many meeting the goals: the higher mean DSC wins")
    nearer = plain_rows([{0.3: row(0.98, True), 0.45: row(0.98, True)}])
    t.check(choose(nearer, [(0.3, None), (0.45, None)]) == (0.45, None), "then the one nearest 0.5")
    faint = (0.15, (0.4, 300.0))
    mixed = [{(0.15, None): row(0.997, False), faint: row(0.995, True)},
             {(0.15, None): row(0.997, True), faint: row(0.995, True)}]
    t.check(choose(mixed, [(0.15, None), faint]) == faint, "a faint rule that meets the goals on more phantoms wins")
    t.check(choose([mixed[1]], [(0.15, None), faint]) == (0.15, None),
            "as many meeting them: no faint rule (its DSC is higher)")

    write_threshold(resampling, "calvaria.threshold_resampled", 0.15, "seeds 801-812: 7 of 9")
    props = {p.key: p.value for p in onnx.load(resampling).metadata_props}
    t.check(props.get("calvaria.threshold_resampled") == "0.15" and
            props.get("calvaria.threshold_resampled_calibration") == "seeds 801-812: 7 of 9",
            "--thin --write writes calvaria.threshold_resampled and its calibration", props)
    t.check(props.get("calvaria.threshold") == "0.5" and props.get("calvaria.spacing_range_mm") == "0.7,1.15",
            "and leaves the other keys as they were", props)
    write_threshold(resampling, "calvaria.threshold_resampled", 0.2, "again")
    props = [p.key for p in onnx.load(resampling).metadata_props]
    t.check(props.count("calvaria.threshold_resampled") == 1, "writing again replaces the key, never adds a second")
    write_threshold(resampling, "calvaria.threshold_resampled", 0.15, "with a faint rule", (0.4, 300.0))
    props = {p.key: p.value for p in onnx.load(resampling).metadata_props}
    t.check(props.get("calvaria.threshold_resampled_faint") == "0.4,300" and
            props.get("calvaria.threshold_resampled") == "0.15",
            "a choice with a faint rule writes calvaria.threshold_resampled_faint as PROBABILITY,HU", props)
    write_threshold(resampling, "calvaria.threshold", 0.6, "plain")
    props = {p.key: p.value for p in onnx.load(resampling).metadata_props}
    t.check(props.get("calvaria.threshold_resampled_faint") == "0.4,300",
            "writing calvaria.threshold leaves the resampled faint rule alone", props)
    write_threshold(resampling, "calvaria.threshold_resampled", 0.2, "without")
    props = {p.key: p.value for p in onnx.load(resampling).metadata_props}
    t.check("calvaria.threshold_resampled_faint" not in props and props.get("calvaria.threshold") == "0.6",
            "a resampled choice without a faint rule removes the one the model had, and nothing else", props)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
