#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The desktop file, AppStream metainfo and GSettings schema pass their
# validators, and the metainfo's screenshot is one the GUI tests took.
# Usage: test-desktop-data.sh SOURCE_ROOT BUILD_ROOT
src="$1"
build="$2"
echo "1..4"
n=0
check() {
  n=$((n + 1))
  description="$1"; shift
  if out=$("$@" 2>&1); then
    echo "ok $n - $description"
  else
    echo "not ok $n - $description"
    echo "$out" | sed 's/^/# /'
  fi
}
check "desktop-file-validate accepts the desktop file" \
  desktop-file-validate "$build/data/org.calvaria.Calvaria.desktop"
check "appstreamcli validate --no-net accepts the metainfo" \
  appstreamcli validate --no-net --pedantic "$build/data/org.calvaria.Calvaria.metainfo.xml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check "glib-compile-schemas --strict accepts the schema" \
  glib-compile-schemas --strict --targetdir="$tmp" "$src/data"
check "the metainfo's screenshot is a real screenshot in data/screenshots" \
  sh -c "grep -q 'screenshots/main-window.png' '$src/data/org.calvaria.Calvaria.metainfo.xml.in' &&
         file '$src/data/screenshots/main-window.png' | grep -q 'PNG image data'"
