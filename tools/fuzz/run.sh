#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fuzzes Calvaria's readers for as long as asked:
#   tools/fuzz/run.sh SECONDS [TARGET...]
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ if
# needed, then runs each target for SECONDS, one after another, at low
# priority.  What a target learns stays in build-fuzz/tests/fuzz/corpus/
# (the next run starts from it); crashing inputs land in
# build-fuzz/tests/fuzz/artifacts/TARGET/ and make the exit status 1.
# Targets: dicom-header dicom-pixels dicom-series nifti inv3 onnx.
set -eu
seconds=${1:?usage: tools/fuzz/run.sh SECONDS [TARGET...]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=${*:-dicom-header dicom-pixels dicom-series nifti inv3 onnx}

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$dir" "$root" -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false --buildtype=debugoptimized
fi
ninja -C "$dir"

# The file-reading targets write each input to a scratch file: on tmpfs
# they never wait for the disk.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi

status=0
for target in $targets; do
  case $target in
    dicom-header|dicom-pixels) seeds=dicom ;;
    dicom-series) seeds=series ;;
    *) seeds=$target ;;
  esac
  echo "== $target: $seconds s"
  nice -n 19 "$root/tests/fuzz/run-fuzz-target.sh" "$dir/tests/fuzz/fuzz-$target" "$seconds" \
    "$dir/tests/fuzz/corpus/$target" "$dir/tests/fuzz/artifacts/$target" \
    "$dir/tests/fuzz/seeds/$seeds" 2>&1 | grep -E "^(#[0-9]+ +(INITED|DONE)|stat::|==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" || true
  if [ -n "$(ls -A "$dir/tests/fuzz/artifacts/$target" 2>/dev/null)" ]; then
    echo "!! $target left crashing inputs in $dir/tests/fuzz/artifacts/$target"
    status=1
  fi
done
exit $status
