#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time (CTest label `fuzz`, tests/fuzz/CMakeLists.txt).
#
#   run_fuzz.sh BINARY SEED_CORPUS_DIR WORK_DIR SECONDS
#
# The seed corpus in the repo is only read; inputs that reach new coverage go to
# WORK_DIR/corpus (kept between runs, so the next run starts from there), a crashing or
# property-violating input to WORK_DIR/artifacts/ (reproduce: BINARY that-file).
# STRATA_FUZZ_SECONDS overrides SECONDS (e.g. a long local run: make test-fuzz FUZZ_SECONDS=900).
# To grow a repo corpus with what a run found (minimized):
#   BINARY -merge=1 tests/fuzz/corpus/<target> WORK_DIR/corpus
set -euo pipefail
bin=$1 seeds=$2 work=$3
seconds=${STRATA_FUZZ_SECONDS:-$4}
[ -d "$seeds" ] || { echo "run_fuzz.sh: no seed corpus at $seeds" >&2; exit 1; }
mkdir -p "$work/corpus" "$work/artifacts"
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds"
