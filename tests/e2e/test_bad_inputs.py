#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bad-input table (shared/bad-inputs.md), every case through
calvaria-cli: exit code, message, no sanitizer report, no output left where
the input was refused, and peak memory under 512 MB.  TAP output.

calvaria-cli's loads go through cal_volume_load(), the loader the window
uses too.  Output is read as bytes: crafted inputs put invalid UTF-8 and
escape codes into it on purpose."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from tap import Tap, require_modules

require_modules("pydicom", "numpy")
import bad_input_cases  # noqa: E402

PEAK_LIMIT_MB = 512
SANITIZER_WORDS = (b"AddressSanitizer", b"runtime error:", b"LeakSanitizer", b"UndefinedBehaviorSanitizer")


def run(cli, args, env):
    start = time.monotonic()
    proc = subprocess.Popen([cli, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **env})
    out, err = proc.communicate(timeout=120)
    _, status, usage = os.wait4(proc.pid, 0) if proc.returncode is None else (0, 0, None)
    return dict(rc=proc.returncode, out=out, err=err, seconds=time.monotonic() - start)


def peak_mb_of(cli, args, env):
    """Peak resident memory of one run (wait4 reports the child's own)."""
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.execve(cli, [cli, *args], {**os.environ, **env})
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_maxrss / 1024


def check_case(t, cli, case, tmp, index):
    name = f"case {case['number']}: {case['what']}"
    out_path = os.path.join(tmp, f"out-{index}.nii.gz")
    args = [a.replace("{in}", case["input"]).replace("{out}", out_path) for a in case["cmd"]]
    env = case.get("env", {})
    r = run(cli, args, env)
    text = r["out"] + r["err"]
    err = r["err"].decode("utf-8", "replace")
    out = r["out"].decode("utf-8", "replace")
    problems = []
    if r["rc"] != case["rc"]:
        problems.append(f"exit {r['rc']}, expected {case['rc']}")
    problems += [f"stderr lacks “{w}”" for w in case["err"] if w not in err]
    problems += [f"stderr holds “{w}”" for w in case.get("err_absent", []) if w in err]
    if any(w in text for w in SANITIZER_WORDS):
        problems.append("a sanitizer report")
    if case.get("out_absent") and os.path.exists(out_path):
        problems.append("an output was written for a refused input")
    if "out_has" in case and case["out_has"] not in out:
        problems.append(f"stdout lacks “{case['out_has']}”")
    if "json_equal" in case or "json_len" in case:
        try:
            doc = json.loads(out)
            for key, value in case.get("json_equal", {}).items():
                if doc.get(key) != value:
                    problems.append(f"{key} is {doc.get(key)}, expected {value}")
            if "json_len" in case:
                key, n = case["json_len"]
                if len(doc.get(key, [])) != n:
                    problems.append(f"{key} has {len(doc.get(key, []))} entries, expected {n}")
        except ValueError as e:
            problems.append(f"no JSON: {e}")
    if "json_same_as" in case:
        reference, keys = case["json_same_as"]
        theirs = json.loads(run(cli, ["info", "--json", reference], {})["out"])
        mine = json.loads(out) if r["rc"] == 0 else {}
        problems += [f"{k} is {mine.get(k)}, the plain series' is {theirs.get(k)}"
                     for k in keys if mine.get(k) != theirs.get(k)]
    if "nifti_same_as" in case and r["rc"] == 0:
        import nibabel
        import numpy as np
        reference = os.path.join(tmp, f"ref-{index}.nii.gz")
        run(cli, ["convert", case["nifti_same_as"], reference], {})
        a = np.asarray(nibabel.load(out_path).dataobj, float)
        b = np.asarray(nibabel.load(reference).dataobj, float)
        if a.shape != b.shape or np.abs(a - b).max() > 0.5:
            problems.append("HU differ from the plain series' by more than 0.5")
    if case.get("no_raw_escape") and (b"\x1b" in text or b"\xff" in text or b"etc/passwd" in text):
        problems.append("raw escape codes, invalid UTF-8 or the path-like text reached the terminal")
    if r["seconds"] > case.get("max_seconds", 60):
        problems.append(f"took {r['seconds']:.1f} s")
    if r["rc"] != 0:
        peak = peak_mb_of(cli, args, env)
        if peak >= PEAK_LIMIT_MB:
            problems.append(f"peak memory {peak:.0f} MB")
    t.check(not problems, name, "\n".join(problems) + "\n" + err[-1500:])

    then = case.get("then")
    if then:
        r = run(cli, args + then["extra"], env)
        err = r["err"].decode("utf-8", "replace")
        ok = r["rc"] == then["rc"] and all(w in err for w in then["err"])
        t.check(ok, f"{name}: loads once accepted ({' '.join(then['extra'])})", f"exit {r['rc']}\n{err[-1500:]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--cases", required=True)
    a = ap.parse_args()
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="cal-bad-") as tmp:
        cases = bad_input_cases.build(os.path.join(tmp, "in"), a.cases)
        numbers = {c["number"] for c in cases if c["number"] > 0}
        t.check(numbers == set(range(1, 44)), "every row of the table (1–43) has a case",
                sorted(set(range(1, 44)) - numbers))
        cases += bad_input_cases.model_cases(os.path.join(tmp, "in"), os.path.join(a.cases, "hfs"))
        for i, case in enumerate(cases):
            check_case(t, a.cli, case, tmp, i)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
