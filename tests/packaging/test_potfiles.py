#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""po/POTFILES.in lists every file with translatable strings (and only
files that exist), and the Thai translation covers every string the
sources have today, none fuzzy."""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from tap import Tap  # noqa: E402

C_MARKERS = re.compile(r'\b(_|N_|C_|NC_|ngettext|g_dngettext)\s*\(\s*"')
SCANNED = ("app", "viewer", "ui", "data")


def translatable_files(root):
    found = set()
    for top in SCANNED:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                if rel.startswith("app/cli/"):
                    continue  # the CLI speaks English to scripts on purpose
                if name.endswith(".c"):
                    if C_MARKERS.search(open(path, encoding="utf-8").read()):
                        found.add(rel)
                elif name.endswith(".ui"):
                    if 'translatable="yes"' in open(path, encoding="utf-8").read():
                        found.add(rel)
                elif name.endswith((".desktop.in", ".metainfo.xml.in", ".gschema.xml")):
                    found.add(rel)
    return found


def listed_files(root):
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        return {l.strip() for l in f if l.strip() and not l.startswith("#")}


XGETTEXT_ARGS = [
    "--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
    "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dngettext:2,3",
    "--keyword=ngettext:1,2",
]


def untranslated(root, language):
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "calvaria.pot")
        merged = os.path.join(tmp, language + ".po")
        subprocess.run(["xgettext", "--directory", root, "--files-from",
                        os.path.join(root, "po", "POTFILES.in"), "--output", pot]
                       + XGETTEXT_ARGS, check=True, capture_output=True)
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "--output-file", merged,
                        os.path.join(root, "po", language + ".po"), pot],
                       check=True, capture_output=True)
        stats = subprocess.run(["msgfmt", "--check", "--statistics", "--output-file", "/dev/null",
                                merged], check=True, capture_output=True, text=True).stderr
        untranslated_ids = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", merged],
                                          check=True, capture_output=True, text=True).stdout
        return stats.strip(), [l for l in untranslated_ids.splitlines() if l.startswith("msgid ")][1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    tap = Tap()
    found, listed = translatable_files(args.root), listed_files(args.root)
    tap.check(found - listed == set(), "every file with translatable strings is in POTFILES.in",
              "missing: " + ", ".join(sorted(found - listed)))
    missing = [p for p in listed if not os.path.exists(os.path.join(args.root, p))]
    tap.check(not missing, "every file POTFILES.in lists exists", "gone: " + ", ".join(missing))
    stats, ids = untranslated(args.root, "th")
    tap.check(not ids and "untranslated" not in stats and "fuzzy" not in stats,
              "the Thai translation covers every string (%s)" % stats,
              "untranslated: " + "; ".join(ids[:10]))
    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
