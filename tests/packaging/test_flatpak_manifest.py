#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""flatpak/org.calvaria.Calvaria.json: valid (flatpak-builder reads it),
the app id the desktop file and metainfo use, every source pinned (a git
commit, or a checksum), the libraries Debian gives us built as modules,
Calvaria configured with options that exist, and a sandbox that asks for
nothing beyond a window and the GPU (files come through the portal).
TAP output."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from tap import Tap  # noqa: E402

APP_ID = "org.calvaria.Calvaria"
# A window (Wayland, or X11 where there is no Wayland), and the GPU for
# OpenGL and Vulkan compute.  No --filesystem: the file chooser portal
# hands over what the user picks.  No network: nothing leaves the machine.
ALLOWED_FINISH_ARGS = {"--share=ipc", "--socket=fallback-x11", "--socket=wayland", "--device=dri"}
MODULES_NEEDED = {"dcmtk", "nifti_clib", "volk", "protobuf-c", "onnx-proto", "onednn"}
HEX40 = re.compile(r"^[0-9a-f]{40}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def source_problem(module, source):
    kind = source.get("type")
    if kind == "git":
        return None if HEX40.match(source.get("commit", "")) else "a git source without a commit"
    if kind in ("archive", "file"):
        return None if HEX64.match(source.get("sha256", "")) else f"an {kind} without sha256"
    if kind == "dir" and module == "calvaria":
        return None if source.get("path") == ".." else "Calvaria's own source is not the checkout"
    return f"an unpinned {kind} source"


def meson_options(root):
    text = open(os.path.join(root, "meson_options.txt"), encoding="utf-8").read()
    return set(re.findall(r"option\('([a-z_]+)'", text)) | {"buildtype"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    a = ap.parse_args()
    t = Tap()
    path = os.path.join(a.root, "flatpak", APP_ID + ".json")

    try:
        manifest = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"Bail out! {path}: {e}")
        return 1
    t.check(True, "the manifest is valid JSON")
    builder = shutil.which("flatpak-builder")
    r = subprocess.run([builder, "--show-manifest", path], capture_output=True) if builder else None
    t.check(r is not None and r.returncode == 0 and json.loads(r.stdout.decode("utf-8", "replace"))["id"] == APP_ID,
            "flatpak-builder reads it (package flatpak-builder)",
            "flatpak-builder is not installed" if r is None else r.stderr.decode("utf-8", "replace"))

    desktop = open(os.path.join(a.root, "data", APP_ID + ".desktop.in"), encoding="utf-8").read()
    metainfo = open(os.path.join(a.root, "data", APP_ID + ".metainfo.xml.in"), encoding="utf-8").read()
    t.check(manifest.get("id") == APP_ID and f"<id>{APP_ID}</id>" in metainfo and "Icon=" + APP_ID in desktop,
            "one app id in the manifest, the metainfo and the desktop file")
    t.check(manifest.get("command") == "calvaria" and re.search(r"^Exec=calvaria\b", desktop, re.M) is not None,
            "the command is the installed executable the desktop file runs")
    t.check(manifest.get("runtime") == "org.gnome.Platform" and manifest.get("sdk") == "org.gnome.Sdk"
            and manifest.get("runtime-version") == "43",
            "GNOME 43 runtime: GTK 4.8 and libadwaita 1.2, what Calvaria is built against")

    args = manifest.get("finish-args", [])
    extra = [x for x in args if x not in ALLOWED_FINISH_ARGS]
    t.check(not extra, "finish-args: a window and the GPU only (no file system, network or bus access)",
            "\n".join(extra))
    t.check(not any(x.startswith("--filesystem") for x in args), "no --filesystem: files come through the portal")

    modules = manifest.get("modules", [])
    names = [m.get("name") for m in modules]
    t.check(MODULES_NEEDED <= set(names), "dcmtk, nifti_clib, volk, protobuf-c and onnx.proto are modules",
            ", ".join(sorted(MODULES_NEEDED - set(names))))
    t.check(names[-1:] == ["calvaria"], "Calvaria is built last, on top of them", ", ".join(names))
    problems = []
    for m in modules:
        if not m.get("sources"):
            problems.append(f"{m.get('name')}: no sources")
        for s in m.get("sources", []):
            p = source_problem(m.get("name"), s)
            if p:
                problems.append(f"{m.get('name')}: {p}")
    t.check(not problems, "every source is pinned (git commit or sha256)", "\n".join(problems))

    calvaria = modules[-1] if modules else {}
    opts = meson_options(a.root)
    used = [o[2:].split("=")[0] for o in calvaria.get("config-opts", []) if o.startswith("-D") or o.startswith("--")]
    unknown = [o for o in used if o not in opts]
    t.check(calvaria.get("buildsystem") == "meson" and not unknown,
            "Calvaria's configure options exist in meson_options.txt", ", ".join(unknown))
    config = " ".join(calvaria.get("config-opts", []))
    installs = " ".join(" ".join(m.get("build-commands", [])) for m in modules)
    t.check("-Dvolk_source=/app/include/volk.c" in config and "volk.c volk.h -t /app/include" in installs
            and "-Donnx_proto=/app/include/onnx/onnx.proto" in config
            and "/app/include/onnx/onnx.proto" in installs and "-Dtests=false" in config,
            "the paths Calvaria is pointed at are where the modules install")

    print(f"1..{t.n}")
    print(f"# {t.n - t.failed} passed, {t.failed} failed")
    return 1 if t.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
