# SPDX-License-Identifier: GPL-3.0-or-later
"""What the end-to-end tests share: TAP output and running the CLI."""
import subprocess


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
