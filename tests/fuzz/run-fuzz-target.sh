#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one fuzz target for SECONDS on its seeds, keeping what it learns in
# CORPUS (created if missing) and any crashing input under ARTIFACTS.
# Exit 0 when no crash, leak, timeout or out-of-memory was found.
#   run-fuzz-target.sh TARGET SECONDS CORPUS ARTIFACTS SEED_DIR...
set -eu
target=$1 seconds=$2 corpus=$3 artifacts=$4
shift 4
mkdir -p "$corpus" "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:print_stacktrace=1:halt_on_error=1"
exec "$target" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=1048576 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$@"
