#!/usr/bin/env bash
# The hardening job CI runs after the main suite (.ci/run): the whole test suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer (preset `asan`, -O1), then every libFuzzer
# target for a short time from its committed seed corpus (scripts/fuzz.sh, fixed seed so a
# red run can be replayed). Any sanitizer report, failing test or fuzz finding fails the job.
#   scripts/ci-hardening.sh            # FUZZ_SECONDS per target, default 20
# Building the tree once more (clang, sanitizers and fuzzing instrumentation, -O1) is most of
# its time.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
KEEL_PRESET=asan scripts/test.sh
echo "== sanitizer suite passed in $((SECONDS - start)) s" >&2
# The asan preset's build (clang) holds the fuzz targets too: the libraries are built once with
# the sanitizers and libFuzzer's coverage instrumentation, for the suite and the fuzzers alike.
FUZZ_BUILD_DIR="$PWD/build-asan" FUZZ_SEED=${FUZZ_SEED:-1} FUZZ_NICE=${FUZZ_NICE:-0} \
  FUZZ_BUILD_NICE=${FUZZ_BUILD_NICE:-0} scripts/fuzz.sh all "${FUZZ_SECONDS:-20}"
echo "== hardening job passed in $((SECONDS - start)) s" >&2
