#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# core/ and compute/ must stay free of GTK and GL: they are what tests,
# the CLI and other front ends link against.
root="$1"
echo "1..2"
bad=$(grep -rnE '#include *[<"](gtk/|gdk/|adwaita|epoxy/|GL/)' "$root/core" "$root/compute" 2>/dev/null)
if [ -z "$bad" ]; then echo "ok 1 - core/ and compute/ include no GTK, GDK, libadwaita or GL header"
else echo "not ok 1 - toolkit headers in GTK-free layers:"; echo "$bad" | sed 's/^/# /'; fi
bad=$(grep -rnE "dependency\('(gtk4|libadwaita-1|epoxy)'" "$root/core" "$root/compute" "$root/app/cli" 2>/dev/null)
if [ -z "$bad" ]; then echo "ok 2 - core/, compute/ and the CLI link no toolkit"
else echo "not ok 2 - toolkit dependency in a GTK-free layer:"; echo "$bad" | sed 's/^/# /'; fi
