#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wings and the direction of the arrows between them
(docs/architecture.md).  Every #include of a Calvaria header is looked up
in the folder that holds it; a wing may include only the wings its arrows
reach, and the device- and toolkit-free wings no Vulkan, GTK or GL header.
The checker is first shown a tree that breaks each rule, so a checker that
sees nothing fails too.  TAP output."""
import argparse
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from tap import Tap  # noqa: E402

# Folder → wing (sub-folders not listed belong to their parent's wing).
WINGS = {
    "core/volume": "volume", "core/io": "io", "core/mesh": "mesh", "core/analysis": "analysis",
    "core/edit": "edit", "core/view": "view", "core/qc": "qc", "phantom": "phantom", "nn": "nn", "cpu": "cpu", "compute": "compute", "viewer": "viewer",
    "app/cli": "cli", "app": "app",
}
# Which wings each wing may include (besides itself).  One way only: the
# data model at the bottom, the front ends at the top.
ARROWS = {
    "volume": set(),
    "analysis": {"volume"},
    "view": {"volume"},
    "mesh": {"volume", "analysis"},
    "io": {"volume", "analysis", "mesh"},
    "edit": {"volume", "analysis", "io"},
    "qc": {"volume", "analysis", "mesh", "io"},
    "phantom": {"volume", "io"},
    "nn": {"volume", "io"},
    "cpu": {"volume", "io", "nn"},
    "compute": {"volume", "io", "analysis", "mesh", "nn", "cpu"},
    "viewer": {"volume", "analysis", "mesh", "view", "io", "edit", "qc"},
    "cli": {"volume", "io", "analysis", "mesh", "view", "edit", "qc", "nn", "cpu", "compute", "phantom"},
    "app": {"volume", "io", "analysis", "mesh", "view", "edit", "qc", "nn", "cpu", "compute", "viewer"},
}
TOOLKIT = re.compile(r'#include\s*[<"](gtk/|gdk/|adwaita|epoxy/|GL/)')
VULKAN = re.compile(r'#include\s*[<"](vulkan/|volk\.h|cal-vk-)')
NO_TOOLKIT = {"volume", "io", "analysis", "edit", "view", "mesh", "qc", "phantom", "nn", "cpu", "compute", "cli"}
NO_VULKAN = {"volume", "io", "analysis", "edit", "view", "mesh", "qc", "phantom", "nn", "cpu", "viewer"}
INCLUDE = re.compile(r'#include\s*"([^"]+)"')


def wing_of(rel):
    best = None
    for folder, wing in WINGS.items():
        if rel == folder or rel.startswith(folder + "/"):
            if best is None or len(folder) > len(best[0]):
                best = (folder, wing)
    return best[1] if best else None


def sources(root):
    for folder in WINGS:
        for dirpath, _, names in os.walk(os.path.join(root, folder)):
            for name in names:
                if name.endswith((".c", ".h", ".cc")):
                    path = os.path.join(dirpath, name)
                    yield os.path.relpath(path, root), path


def check(root):
    """Returns (wrong arrows, toolkit includes, Vulkan includes) as lists of lines."""
    header_wing = {}
    for rel, _ in sources(root):
        if rel.endswith(".h"):
            header_wing[os.path.basename(rel)] = wing_of(os.path.dirname(rel))
    arrows, toolkit, vulkan = [], [], []
    for rel, path in sources(root):
        wing = wing_of(os.path.dirname(rel))
        text = open(path, encoding="utf-8").read()
        for n, line in enumerate(text.splitlines(), 1):
            m = INCLUDE.search(line)
            target = header_wing.get(os.path.basename(m.group(1))) if m else None
            if target and target != wing and target not in ARROWS[wing]:
                arrows.append(f"{rel}:{n}: {wing} → {target} ({m.group(1)})")
            if wing in NO_TOOLKIT and TOOLKIT.search(line):
                toolkit.append(f"{rel}:{n}: {line.strip()}")
            if wing in NO_VULKAN and VULKAN.search(line):
                vulkan.append(f"{rel}:{n}: {line.strip()}")
    return arrows, toolkit, vulkan


def broken_tree():
    """A tiny tree that breaks each rule once."""
    root = tempfile.mkdtemp(prefix="cal-layering-")
    files = {
        "core/volume/cal-volume.h": '#include "cal-mesh.h"\n',
        "core/mesh/cal-mesh.h": "",
        "nn/cal-nn-graph.c": "#include <vulkan/vulkan.h>\n",
        "compute/cal-x.c": "#include <gtk/gtk.h>\n",
        "viewer/cal-view.c": '#include "cal-segment.h"\n',
        "compute/cal-segment.h": "",
    }
    for rel, text in files.items():
        os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
            f.write(text)
    return root


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    t = Tap()

    bad = broken_tree()
    arrows, toolkit, vulkan = check(bad)
    shutil.rmtree(bad)
    t.check(len(arrows) == 2 and len(toolkit) == 1 and len(vulkan) == 1,
            "the checker sees a wrong arrow, a GTK include in compute and Vulkan in nn (a planted tree)",
            "\n".join(arrows + toolkit + vulkan))

    arrows, toolkit, vulkan = check(a.root)
    t.check(not arrows, "every include follows the arrows between wings (docs/architecture.md)", "\n".join(arrows))
    t.check(not toolkit, "core, nn, compute, phantom and the CLI include no GTK, GDK, libadwaita or GL header",
            "\n".join(toolkit))
    t.check(not vulkan, "core, nn, phantom and the viewer include no Vulkan header", "\n".join(vulkan))
    linked = []
    for folder in ("core", "nn", "compute", "phantom", "app/cli"):
        text = open(os.path.join(a.root, folder, "meson.build"), encoding="utf-8").read()
        linked += [f"{folder}/meson.build: {m}" for m in re.findall(r"dependency\('(gtk4|libadwaita-1|epoxy)'", text)]
    t.check(not linked, "core, nn, compute, phantom and the CLI link no toolkit", "\n".join(linked))
    unknown = [rel for rel, _ in sources(a.root) if wing_of(os.path.dirname(rel)) is None]
    t.check(not unknown, "every source file lies in a wing", "\n".join(unknown))
    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
