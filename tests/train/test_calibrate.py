#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/train/calibrate_threshold.py's choices and what it writes:
--thin (issue 29) calibrates `calvaria.threshold_resampled` on anatomy-4
phantoms and is refused for a model that would not resample them; the
rule picks the threshold with the most phantoms meeting the goals, then
the highest mean DSC, then the one nearest 0.5; writing keeps every other
key and adds the calibration beside the value.  TAP output."""
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
    sys.stderr = stderr
    args = parse_args(base + ["--model", resampling, "--thin"])
    t.check(args.thin and args.anatomy == 4, "--thin means anatomy 4", vars(args))

    def row(dsc, met):
        return {"dsc": dsc, "met": met}
    results = [{0.2: row(0.99, True), 0.3: row(0.98, True), 0.5: row(0.97, False)},
               {0.2: row(0.97, False), 0.3: row(0.99, True), 0.5: row(0.99, True)}]
    t.check(choose(results, [0.2, 0.3, 0.5]) == 0.3, "the most phantoms meeting the goals wins (0.3: 2 of 2)")
    better = [{0.4: row(0.97, True), 0.6: row(0.99, True)}]
    t.check(choose(better, [0.4, 0.6]) == 0.6, "as many meeting the goals: the higher mean DSC wins")
    nearer = [{0.3: row(0.98, True), 0.45: row(0.98, True)}]
    t.check(choose(nearer, [0.3, 0.45]) == 0.45, "then the one nearest 0.5")

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
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
