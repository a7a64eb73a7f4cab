#!/usr/bin/env bash
# The hardening job CI runs after the main suite (.ci/run): the whole test suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer (preset `asan`), then every libFuzzer target
# for a short time from its committed seed corpus (scripts/fuzz.sh). Any sanitizer report or
# fuzz finding fails the job.
#   scripts/ci-hardening.sh            # FUZZ_SECONDS per target, default 20
set -euo pipefail
cd "$(dirname "$0")/.."
KEEL_PRESET=asan scripts/test.sh
scripts/fuzz.sh all "${FUZZ_SECONDS:-20}"
