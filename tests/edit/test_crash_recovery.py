#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kill -9 at random moments during scripted editing sessions, then recover.

Each session is a random script of brush strokes, erasing, islands, fill
between slices, whole-mask thresholds, undo and redo, run by
`calvaria-cli edit apply --journal-dir` (the window's CalEditSession and
journal).  A reference run without a kill gives the mask's CRC after every
step; the killed run prints a line once each step is journalled.  On
recovery the mask must equal the mask after the last reported step, or the
one after it (its record was complete, the kill came before the report);
anything else, a lost step or a wrong mask, fails.  A kill can land while
the finished mask is being saved: its hidden temporary file is the only
thing allowed beside the outputs (the next save there sweeps it away).
A record is written with one write(), so SIGKILL cannot tear it (a signal
lands between system calls); torn and damaged records are the core test's
(tests/edit/test-journal.c).  The scan's name carries
a canary: no file in the state folder may name it or hold it.  TAP output;
--sessions 100 for the benchmark (tools/bench/edit)."""
import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from tap import Tap  # noqa: E402

CANARY = "DOE^JANE-0042"
STATS = {"recovered": 0, "mid-session": 0, "one step further": 0, "tail dropped": 0}
STEP = re.compile(r"^step (\d+) seq (\d+) crc ([0-9a-f]{8})$", re.M)


def random_script(rng, dims, n_ops):
    nx, ny, nz = dims
    ops = []
    for _ in range(n_ops):
        r = rng.random()
        x, y, z = rng.uniform(0, nx - 1), rng.uniform(0, ny - 1), rng.uniform(0, nz - 1)
        if r < 0.35:
            ops.append(f"brush {x:.1f} {y:.1f} {z:.1f} {rng.uniform(0.5, 6):.1f}"
                       + (" sphere" if rng.random() < 0.4 else ""))
        elif r < 0.5:
            ops.append(f"stroke {x:.1f} {y:.1f} {z:.1f} {rng.uniform(0, nx - 1):.1f} "
                       f"{rng.uniform(0, ny - 1):.1f} {z:.1f} {rng.uniform(0.5, 4):.1f}"
                       + (" erase" if rng.random() < 0.3 else ""))
        elif r < 0.6:
            ops.append(f"erase {x:.1f} {y:.1f} {z:.1f} {rng.uniform(1, 8):.1f} sphere")
        elif r < 0.68:
            ops.append(f"threshold {rng.choice([200, 300, 500])} 3000")
        elif r < 0.74:
            ops.append(f"remove-island {int(x)} {int(y)} {int(z)}")
        elif r < 0.78:
            ops.append(f"remove-islands-under {rng.choice([5, 50, 500])}")
        elif r < 0.82:
            ops.append(f"fill-between {rng.choice('xyz')}")
        elif r < 0.93:
            ops.append("undo")
        else:
            ops.append("redo")
    return ops


def steps_of(stdout):
    return [(int(m.group(1)), int(m.group(2)), m.group(3)) for m in STEP.finditer(stdout)]


def crc_of(stdout):
    m = re.search(r"^crc ([0-9a-f]{8})$", stdout, re.M)
    return m.group(1) if m else None


def files_under(folder):
    for dirpath, dirnames, names in os.walk(folder):
        for name in dirnames + names:
            yield os.path.join(dirpath, name)


def one_session(cli, ct, dims, n_voxels, work, index, rng):
    """Returns (ok, detail)."""
    script = os.path.join(work, f"script-{index}.txt")
    with open(script, "w", encoding="utf-8") as f:
        f.write("\n".join(random_script(rng, dims, rng.randint(12, 30))) + "\n")
    ref_state = os.path.join(work, f"ref-state-{index}")
    started = time.monotonic()
    ref = subprocess.run([cli, "edit", "apply", os.path.join(work, "ref.nii"), "--ct", ct, "--script", script,
                          "--journal-dir", ref_state, "--print-steps"], capture_output=True)
    ref_seconds = time.monotonic() - started
    ref_out = ref.stdout.decode("utf-8", "replace")
    if ref.returncode != 0:
        return False, f"reference run failed ({ref.returncode}): {ref.stderr.decode('utf-8', 'replace')[-2000:]}"
    crcs = ["%08x" % zlib.crc32(bytes(n_voxels))] + [c for _, _, c in steps_of(ref_out)]
    if os.path.exists(ref_state) and os.listdir(ref_state):
        return False, "the reference run left its journal behind after saving"

    # The kill lands anywhere from start-up to the last step: during a
    # record's write, a checkpoint, a pause between steps.
    state = os.path.join(work, f"state-{index}")
    delay_ms = rng.choice([0, 1, 5, 20])
    expected = ref_seconds + (len(crcs) - 1) * delay_ms / 1000
    proc = subprocess.Popen([cli, "edit", "apply", os.path.join(work, f"never-{index}.nii"), "--ct", ct,
                             "--script", script, "--journal-dir", state, "--print-steps",
                             "--delay-ms", str(delay_ms)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.1, 0.95) * expected)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    reported = steps_of(out.decode("utf-8", "replace"))
    last = reported[-1][0] if reported else 0
    if proc.returncode != -signal.SIGKILL:
        return True, f"finished before the kill ({len(crcs) - 1} steps)"  # counted separately

    sessions = subprocess.run([cli, "edit", "sessions", state], capture_output=True).stdout.decode()
    folders = [line for line in sessions.splitlines() if line.startswith(state)]
    for path in files_under(state):
        if CANARY in path:
            return False, f"a file is named after the patient: {path}"
    strays = [name for name in os.listdir(work)
              if not re.match(r"^(script-\d+\.txt|ref-state-\d+|ref\.nii|state-\d+|rec-\d+\.nii|never-\d+\.nii|\.never-\d+\.nii\.calvaria-\d+-\w+|labels\.nii\.gz)$", name)
              and name != CANARY]
    if strays or os.listdir(os.path.dirname(ct)) != [os.path.basename(ct)]:
        return False, f"written outside the state folder: {strays}"
    for path in files_under(state):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                if CANARY.encode() in f.read():
                    return False, f"{path} holds the patient's name"
    saved = os.path.exists(os.path.join(work, f"never-{index}.nii"))
    if not folders:
        # Killed before the session existed (nothing can have been
        # reported), or after the mask was saved and the journal removed.
        return last == 0 or (saved and last == len(crcs) - 1), \
            f"no session to recover; {last} steps had been reported, mask saved: {saved}"
    rec = subprocess.run([cli, "edit", "recover", folders[0], os.path.join(work, f"rec-{index}.nii")],
                         capture_output=True)
    got = crc_of(rec.stdout.decode("utf-8", "replace"))
    allowed = crcs[last:last + 2]
    STATS["recovered"] += 1
    STATS["mid-session"] += last > 0
    STATS["one step further"] += got == crcs[min(last + 1, len(crcs) - 1)] and got != crcs[last]
    STATS["tail dropped"] += "Discarded:" in rec.stdout.decode("utf-8", "replace")
    detail = (f"killed after step {last} of {len(crcs) - 1}; recovered crc {got}, expected one of {allowed}; "
              f"{rec.stdout.decode('utf-8', 'replace').strip()} {rec.stderr.decode('utf-8', 'replace').strip()}")
    return rec.returncode == 0 and got in allowed, detail


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261206)
    a = ap.parse_args()
    t = Tap()
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="cal-crash-")
    try:
        folder = os.path.join(work, CANARY)
        os.makedirs(folder)
        ct = os.path.join(folder, f"{CANARY}.nii.gz")
        made = subprocess.run([a.cli, "phantom", "--seed", "5", "--size", "48", ct,
                               os.path.join(work, "labels.nii.gz")], capture_output=True)
        t.check(made.returncode == 0, "a small phantom CT to edit on", made.stderr.decode("utf-8", "replace"))
        info = subprocess.run([a.cli, "info", ct], capture_output=True).stdout.decode("utf-8", "replace")
        m = re.search(r"Dimensions: +(\d+)×(\d+)×(\d+)", info)
        dims = tuple(int(g) for g in m.groups())
        n_voxels = dims[0] * dims[1] * dims[2]
        killed = finished = 0
        for i in range(a.sessions):
            ok, detail = one_session(a.cli, ct, dims, n_voxels, work, i, rng)
            if detail.startswith("finished before the kill"):
                finished += 1
                continue
            killed += 1
            t.check(ok, f"session {i}: the recovered mask is the mask after the last complete step", detail)
        print("# " + ", ".join(f"{k}: {v}" for k, v in STATS.items()))
        t.check(STATS["mid-session"] >= killed // 4, f"{STATS['mid-session']} sessions were killed after "
                "at least one journalled step (a quarter at least, or the test proves little)")
        t.check(killed >= a.sessions * 3 // 4, f"{killed} of {a.sessions} sessions were killed mid-way "
                f"({finished} finished first)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
