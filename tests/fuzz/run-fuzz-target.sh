#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one fuzz target on its seeds, within LIMIT:
#   run-fuzz-target.sh TARGET LIMIT CORPUS ARTIFACTS SEED_DIR...
# LIMIT is a number of seconds (exploring: random mutations, what the
# target learns kept in CORPUS, created if missing), or runs=N (the test
# suite: the seeds, the kept regressions among them, then N mutations from
# a fixed random seed into a fresh corpus, so that a commit that passes
# once passes every time).  Crashing inputs land in ARTIFACTS.  Exit 0 when
# no crash, leak, timeout or out-of-memory was found.
set -eu
target=$1 limit=$2 corpus=$3 artifacts=$4
shift 4
mkdir -p "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:print_stacktrace=1:halt_on_error=1"
common="-timeout=25 -rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 -artifact_prefix=$artifacts/"
case $limit in
  runs=*)
    fresh=$(mktemp -d)
    trap 'rm -rf "$fresh"' EXIT
    # shellcheck disable=SC2086
    "$target" -runs="${limit#runs=}" -seed=1 $common "$fresh" "$@"
    ;;
  *)
    mkdir -p "$corpus"
    # shellcheck disable=SC2086
    exec "$target" -max_total_time="$limit" $common "$corpus" "$@"
    ;;
esac
