#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes survive SIGKILL: each output format is written over an existing
file and the writer killed 20 times, at moments spread over its run.  After
every kill the target is the old file or the complete new one, never a mix;
partial files are Calvaria's own temporary files (mode 0600), and the next
run removes them.  TAP output."""
import argparse
import glob
import hashlib
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time

from tap import Tap

KILLS = 20
OLD = b"the engineer's previous file\n"


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def temp_files(folder):
    return sorted(glob.glob(os.path.join(folder, ".*.calvaria-*")))


def kill_after(cmd, seconds):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def kill_while_writing(cmd, folder, rng):
    """Kills the writer a few milliseconds after its temporary file appears,
    however long the reading before it took (a loaded machine stretches it)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while proc.poll() is None and not temp_files(folder):
        time.sleep(0.001)
    time.sleep(rng.uniform(0, 0.02))
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def check_format(t, name, cmd_for, folder):
    target = os.path.join(folder, "target-" + name)
    reference = os.path.join(folder, "reference-" + name)
    start = time.monotonic()
    r = subprocess.run(cmd_for(reference), capture_output=True)
    duration = time.monotonic() - start
    if r.returncode != 0:
        t.check(False, f"{name}: reference run", r.stderr.decode("utf-8", "replace"))
        return
    new = digest(reference)
    os.remove(reference)

    with open(target, "wb") as f:
        f.write(OLD)
    old = digest(target)
    mixed, seen_temp, loose_modes, outcomes = [], 0, [], set()
    rng = random.Random(name)
    for i in range(KILLS):
        # Half the kills fall anywhere in a run (and some just after it);
        # the other half while the output is being written.
        if i % 2:
            kill_while_writing(cmd_for(target), folder, rng)
        else:
            kill_after(cmd_for(target), duration * 1.05 * (i + 0.5) / KILLS)
        now = digest(target)
        outcomes.add("old" if now == old else "new" if now == new else "mixed")
        if now not in (old, new):
            mixed.append(i)
        for path in temp_files(folder):
            seen_temp += 1
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode != 0o600:
                loose_modes.append(f"{os.path.basename(path)} {mode:o}")
        if now == new:                     # start over from the old file
            with open(target, "wb") as f:
                f.write(OLD)
    t.check(not mixed, f"{name}: after each of {KILLS} kills the target is the old or the new file "
            f"({', '.join(sorted(outcomes))} seen)", f"mixed after kills {mixed}")
    t.check(seen_temp > 0 and not loose_modes, f"{name}: partial files were left by kills, all 0600 "
            f"({seen_temp} seen)", loose_modes)
    r = subprocess.run(cmd_for(target), capture_output=True)
    left = temp_files(folder)
    t.check(r.returncode == 0 and digest(target) == new and not left,
            f"{name}: the next run writes the new file and leaves no temporary file", left)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--sample", required=True)
    a = ap.parse_args()
    t = Tap()
    with tempfile.TemporaryDirectory(prefix="cal-kill-") as folder:
        mask = os.path.join(folder, "mask.nii")
        subprocess.run([a.cli, "threshold", a.sample, mask, "--preset", "bone", "--largest"],
                       check=True, capture_output=True)
        formats = {
            "ct.nii": lambda out: [a.cli, "convert", a.sample, out],
            "ct.nii.gz": lambda out: [a.cli, "convert", a.sample, out],
            "mask.nii.gz": lambda out: [a.cli, "threshold", a.sample, out, "--preset", "bone"],
            "skull.stl": lambda out: [a.cli, "mesh", mask, out, "--smooth", "5"],
            "skull-ascii.stl": lambda out: [a.cli, "mesh", mask, out, "--ascii"],
        }
        for name, cmd_for in formats.items():
            check_format(t, name, cmd_for, folder)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
