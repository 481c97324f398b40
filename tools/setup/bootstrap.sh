#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# One command for a fresh Debian 12 machine (run as root, or with sudo):
#   tools/setup/bootstrap.sh run    install what is missing, build, run the main job on the sample
#                                   and open the application on it
#   tools/setup/bootstrap.sh test   install what is missing, build with ASan+UBSan, run every test,
#                                   then the window test again on the optimised build (its timing)
#
# Environment: CI=true makes warnings errors; BUILD_DIR overrides the build folder,
# RELEASE_BUILD_DIR the optimised one the test command also uses, FUZZ_BUILD_DIR
# the clang build of the fuzz targets (warnings stay warnings there: clang's
# -Wcast-align flags casts gcc's accepts).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sample=/usr/share/doc/invesalius-examples/examples/Cranium.inv3
mode=${1:-}

install_missing() {
  missing=""
  for pkg in $(grep -v '^#' "$here/debian-packages.txt" | sed '/^$/d'); do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $pkg"
    fi
  done
  if [ -n "$missing" ]; then
    echo "Installing:$missing"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
  fi
}

# (POSIX sh has no local variables: this one must not reuse a caller's name.)
configure() {
  configure_dir=$1; shift
  if [ -f "$configure_dir/build.ninja" ]; then
    meson configure "$configure_dir" "$@" >/dev/null
  else
    meson setup "$configure_dir" "$root" "$@"
  fi
}

case "$mode" in
  run)
    install_missing
    dir=${BUILD_DIR:-$root/build}
    configure "$dir" --buildtype=release
    ninja -C "$dir"
    out=${TMPDIR:-/tmp}/calvaria-sample
    mkdir -p "$out"
    "$dir/app/cli/calvaria-cli" info "$sample"
    "$dir/app/cli/calvaria-cli" convert "$sample" "$out/cranium.nii.gz"
    "$dir/app/cli/calvaria-cli" convert --mask 0 "$sample" "$out/cranium-bone-mask.nii.gz"
    "$dir/app/cli/calvaria-cli" threshold "$sample" "$out/cranium-bone.nii.gz" --preset bone \
      --largest --fill-cavities --max-cavity 1000
    "$dir/app/cli/calvaria-cli" mesh "$out/cranium-bone.nii.gz" "$out/cranium-skull.stl" --smooth 10
    # The same skull by the bundled U-net (Vulkan; lavapipe without a GPU).
    "$dir/app/cli/calvaria-cli" segment "$sample" "$out/cranium-unet.nii.gz" --stl "$out/cranium-unet.stl" --smooth 10
    echo "Sample written to $out"
    # The application itself, on the sample, from the build folder.
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      GSETTINGS_SCHEMA_DIR="$dir/data" CALVARIA_LOCALEDIR="$dir/po" exec "$dir/app/calvaria" "$sample"
    fi
    echo "No display here, so the window was not opened: run this from a desktop session," \
         "or see the GUI tests' screenshots (build-test/tests/screenshots after the test command)."
    ;;
  test)
    install_missing
    dir=${BUILD_DIR:-$root/build-test}
    werror=false
    [ "${CI:-}" = "true" ] && werror=true
    configure "$dir" --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
      -Dwerror=$werror
    ninja -C "$dir"
    status=0
    meson test -C "$dir" --print-errorlogs --num-processes 2 || status=$?
    # The window's main-loop bound (50 ms) is for the build users run, so
    # its test runs again on the optimised build.
    release=${RELEASE_BUILD_DIR:-$root/build}
    configure "$release" --buildtype=release -Dwerror=$werror
    ninja -C "$release"
    meson test -C "$release" --print-errorlogs gui-window || status=$?
    # The fuzz targets (libFuzzer needs clang; its own build, readers only):
    # their seeds and kept regressions, then a fixed number of mutations from
    # a fixed seed, the same every run; tools/fuzz/run.sh explores for longer.
    fuzz=${FUZZ_BUILD_DIR:-$root/build-fuzz}
    if [ -f "$fuzz/build.ninja" ]; then
      meson configure "$fuzz" -Dfuzzing=true >/dev/null
    else
      CC=clang CXX=clang++ meson setup "$fuzz" "$root" -Dfuzzing=true --buildtype=debugoptimized \
        -Db_sanitize=address,undefined -Db_lundef=false
    fi
    ninja -C "$fuzz"
    meson test -C "$fuzz" --suite fuzz --print-errorlogs || status=$?
    # A closing line any CI reads: one per test program (each runs many subtests).
    python3 - "$dir/meson-logs/testlog.json" "$release/meson-logs/testlog.json" \
      "$fuzz/meson-logs/testlog.json" <<'PY'
import json, sys
results = [json.loads(line)["result"] for log in sys.argv[1:] for line in open(log) if line.strip()]
ok = sum(r in ("OK", "EXPECTEDFAIL") for r in results)
skipped = sum(r == "SKIP" for r in results)
print(f"tests: {ok} passed, {len(results) - ok - skipped} failed, {skipped} skipped")
PY
    exit $status
    ;;
  *)
    echo "Usage: $0 run|test" >&2
    exit 2
    ;;
esac
