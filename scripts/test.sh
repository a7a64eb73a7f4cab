#!/usr/bin/env bash
# Builds Keel (Release) and runs the whole test suite. Installs the dependencies first.
# Usage: scripts/test.sh [ctest arguments...]
#   KEEL_PRESET=asan scripts/test.sh   # the same suite under ASan + UBSan
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
preset=${KEEL_PRESET:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" "$@"
