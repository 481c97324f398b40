#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The desktop file, AppStream metainfo and GSettings schema pass their
# validators (the desktop file without a hint), the metainfo's screenshot
# is one the GUI tests took, and the shipped NIfTI MIME definition makes
# xdg-mime call a .nii.gz file application/x-nifti, which the desktop file
# opens (and no longer every folder).
# Usage: test-desktop-data.sh SOURCE_ROOT BUILD_ROOT
src="$1"
build="$2"
echo "1..9"
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
check "desktop-file-validate has no hint either" \
  sh -c "test -z \"\$(desktop-file-validate '$build/data/org.calvaria.Calvaria.desktop' 2>&1)\""
check "appstreamcli validate --no-net accepts the metainfo" \
  appstreamcli validate --no-net --pedantic "$build/data/org.calvaria.Calvaria.metainfo.xml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check "glib-compile-schemas --strict accepts the schema" \
  glib-compile-schemas --strict --targetdir="$tmp" "$src/data"
check "the metainfo's screenshot is a real screenshot in data/screenshots" \
  sh -c "grep -q 'screenshots/main-window.png' '$src/data/org.calvaria.Calvaria.metainfo.xml.in' &&
         file '$src/data/screenshots/main-window.png' | grep -q 'PNG image data'"

# The MIME definition as an installation would have it, in a data folder of
# its own; xdg-mime asks GIO (as under GNOME), which reads shared-mime-info.
mkdir -p "$tmp/share/mime/packages" "$tmp/home"
cp "$src/data/org.calvaria.Calvaria.mime.xml" "$tmp/share/mime/packages/"
check "update-mime-database accepts the NIfTI MIME definition" \
  update-mime-database "$tmp/share/mime"
head -c 400 /dev/zero | gzip > "$tmp/scan.nii.gz"
{ head -c 344 /dev/zero; printf 'n+1\000\000\000\000\000'; } > "$tmp/scan.nii"   # a NIfTI-1 file's magic
filetype() {
  HOME="$tmp/home" XDG_DATA_HOME="$tmp/home" XDG_DATA_DIRS="$tmp/share:/usr/share" XDG_CURRENT_DESKTOP=GNOME \
    xdg-mime query filetype "$1"
}
check "xdg-mime calls a .nii.gz file application/x-compressed-nifti" \
  test "$(filetype "$tmp/scan.nii.gz")" = application/x-compressed-nifti
check "xdg-mime calls a .nii file application/x-nifti" \
  test "$(filetype "$tmp/scan.nii")" = application/x-nifti
check "the desktop file opens both NIfTI types and DICOM, and not every folder" \
  grep -qx 'MimeType=application/dicom;application/x-nifti;application/x-compressed-nifti;' \
    "$build/data/org.calvaria.Calvaria.desktop"
