# SPDX-License-Identifier: GPL-3.0-or-later
"""What the end-to-end tests share: TAP output, running the CLI, and
saying which optional package a test needs when it is missing."""
import importlib.util
import subprocess
import sys


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, detail=""):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {name}")
        if not ok:
            self.failed += 1
            for line in str(detail).splitlines():
                print(f"# {line}")


def run(cli, *args):
    return subprocess.run([cli, *args], capture_output=True, text=True, errors="replace")


def require_modules(*modules):
    """Stops the test, saying what to install, when a Python module it
    needs is missing (they are optional at configure time)."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        packages = " ".join("python3-" + m.split(".")[0] for m in missing)
        print(f"Bail out! this test needs {packages} (tools/setup/bootstrap.sh test installs it)")
        sys.exit(1)
