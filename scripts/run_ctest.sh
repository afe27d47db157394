#!/usr/bin/env bash
# One checked ctest run (the Makefile's test targets use it):
#
#   scripts/run_ctest.sh BUILD_DIR [LABEL_REGEX]
#
# Runs ctest in BUILD_DIR (all tests, or those whose label matches LABEL_REGEX) with
# --no-tests=error, then scripts/check_test_results.py, which fails the run on a skipped test
# not listed in tests/skipped.txt and on any sanitizer report. The check runs even when ctest
# failed, so sanitizer reports of child processes are always printed. Extra ctest arguments
# come from CTEST_ARGS; JOBS sets the parallelism (default: nproc).
set -uo pipefail
build=$1
labels=${2:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
results="$build/test-results"
rm -rf "$results"
mkdir -p "$results/sanitizer"
args=(--no-tests=error --output-on-failure -j "${JOBS:-$(nproc)}"
      --output-junit "$(cd "$results" && pwd)/junit.xml" --test-output-size-passed 1000000)
[ -n "$labels" ] && args+=(-L "$labels")
start=$(date +%s)
# shellcheck disable=SC2086  # CTEST_ARGS is a list of words
(cd "$build" && ctest "${args[@]}" ${CTEST_ARGS:-})
ctest_rc=$?
echo "run_ctest: $build${labels:+ -L '$labels'}: ctest exit $ctest_rc in $(( $(date +%s) - start )) s"
/usr/bin/python3 "$repo/scripts/check_test_results.py" "$build"
check_rc=$?
[ $ctest_rc -ne 0 ] && exit $ctest_rc
exit $check_rc
