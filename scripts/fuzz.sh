#!/usr/bin/env bash
# Runs Keel's libFuzzer targets (tests/fuzz/<name>_fuzzer.cc).
#
#   scripts/fuzz.sh --list                 the targets, one per line
#   scripts/fuzz.sh TARGET SECONDS         build fuzz_TARGET (preset `fuzz`, clang, build-fuzz/)
#                                          if needed and fuzz it for SECONDS
#   scripts/fuzz.sh all SECONDS            every target, one after the other (CI)
#
# Each run starts from a fresh working corpus in a temporary directory, seeded (read-only) from
# tests/fuzz/corpus/TARGET, with tests/fuzz/TARGET.dict as a dictionary when there is one. It
# prints the executions, the corpus size and the result, and exits non-zero on a finding
# (crash, sanitizer report, timeout, out-of-memory), naming the file that reproduces it:
#   build-fuzz/tests/fuzz/fuzz_TARGET <file>     replays it
# Findings are kept in build-fuzz/fuzz-findings/TARGET/.
#
# Environment:
#   FUZZ_BUILD_DIR   build directory of the `fuzz` preset (default build-fuzz; configured with
#                    the preset when missing; another directory is configured like it)
#   FUZZ_TIMEOUT     seconds one input may take before it counts as a hang (default 10)
#   FUZZ_RSS_MB      memory limit in MB before an input counts as out-of-memory (default 2048)
#   FUZZ_MAX_LEN     largest input in bytes (default: libFuzzer's, from the seeds, >= 4096)
#   FUZZ_NICE        niceness of the fuzzer (default 19: the machine is shared)
#   FUZZ_BUILD_NICE  niceness of the build (default 10)
#   FUZZ_KEEP_CORPUS directory to keep the working corpus in (default: a temporary one,
#                    deleted afterwards); merge what is worth keeping into the seeds by hand
#   FUZZ_JOBS        parallel build jobs (default 2)
#   FUZZ_SEED        libFuzzer's random seed (default: a new one each run); CI fixes it so a
#                    run is reproducible
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
TIMEOUT=${FUZZ_TIMEOUT:-10}
RSS_MB=${FUZZ_RSS_MB:-2048}
NICE=${FUZZ_NICE:-19}
BUILD_NICE=${FUZZ_BUILD_NICE:-10}
JOBS=${FUZZ_JOBS:-2}

usage() {
  awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"
  exit 2
}

targets() {
  local f
  for f in "$ROOT"/tests/fuzz/*_fuzzer.cc; do
    f=$(basename "$f")
    echo "${f%_fuzzer.cc}"
  done
}

# Builds the given targets (fuzz_<name>) under a lock: two runs never drive ninja at once.
build() {
  local t=() name
  for name in "$@"; do t+=(--target "fuzz_$name"); done
  mkdir -p "$BUILD"
  (
    flock 9
    if [ ! -f "$BUILD/build.ninja" ]; then
      echo "== configuring $BUILD (preset fuzz)" >&2
      if [ "$BUILD" = "$ROOT/build-fuzz" ]; then
        cmake --preset fuzz -S "$ROOT" >"$BUILD/configure.log" 2>&1
      else
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKEEL_BUILD_FUZZ=ON \
          -DKEEL_BUILD_TESTS=OFF >"$BUILD/configure.log" 2>&1
      fi || { tail -20 "$BUILD/configure.log" >&2; echo "configure failed: $BUILD/configure.log" >&2; exit 2; }
    fi
    echo "== building ${*/#/fuzz_}" >&2
    nice -n "$BUILD_NICE" cmake --build "$BUILD" "${t[@]}" -j"$JOBS" >"$BUILD/fuzz-build.log" 2>&1 ||
      { grep -E "error|Error" "$BUILD/fuzz-build.log" | head -20 >&2
        echo "build failed: $BUILD/fuzz-build.log" >&2; exit 2; }
  ) 9>"$BUILD/.fuzz-build.lock"
}

# Fuzzes one built target; prints one summary line "RESULT target seconds execs corpus".
# Returns 1 on a finding.
run() {
  local name=$1 seconds=$2
  local bin="$BUILD/tests/fuzz/fuzz_$name"
  local seeds="$ROOT/tests/fuzz/corpus/$name"
  local findings="$BUILD/fuzz-findings/$name"
  local work log
  [ -x "$bin" ] || { echo "$bin is missing (build failed?)" >&2; return 2; }
  mkdir -p "$findings"
  if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
    work="$FUZZ_KEEP_CORPUS"; mkdir -p "$work"
  else
    work=$(mktemp -d "${TMPDIR:-/tmp}/keel-fuzz-$name.XXXXXX")
  fi
  log="$findings/last-run.log"
  local args=(-max_total_time="$seconds" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB"
              -artifact_prefix="$findings/" -print_final_stats=1)
  [ -n "${FUZZ_MAX_LEN:-}" ] && args+=(-max_len="$FUZZ_MAX_LEN")
  [ -n "${FUZZ_SEED:-}" ] && args+=(-seed="$FUZZ_SEED")
  [ -f "$ROOT/tests/fuzz/$name.dict" ] && args+=(-dict="$ROOT/tests/fuzz/$name.dict")
  local dirs=("$work")
  [ -d "$seeds" ] && dirs+=("$seeds")
  echo "== fuzz_$name for ${seconds}s (seeds $(ls "$seeds" 2>/dev/null | wc -l), log $log)" >&2
  local start=$SECONDS rc=0
  nice -n "$NICE" "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1 || rc=$?
  local took=$((SECONDS - start))
  local execs corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  [ -n "$execs" ] || execs=$({ grep -oE '^#[0-9]+' "$log" || true; } | tail -1 | tr -d '#')
  corpus=$({ grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" || true; } | tail -1 | sed 's/corp: //')
  [ -z "${FUZZ_KEEP_CORPUS:-}" ] && rm -rf "$work"
  if [ "$rc" -eq 0 ]; then
    echo "   ok: ${execs:-?} executions in ${took}s, corpus ${corpus:-?} (files/bytes)" >&2
    echo "OK $name $took ${execs:-?} ${corpus:-?}"
    return 0
  fi
  local artifact kind
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  kind=$(grep -m1 -oE 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|libFuzzer): [a-zA-Z-]+|runtime error: .*|fuzz check failed: .*|ERROR: libFuzzer: [a-z-]+' "$log" || true)
  echo "   FINDING in fuzz_$name after ${took}s (${execs:-?} executions): ${kind:-exit code $rc}" >&2
  grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error:|fuzz check failed' "$log" | sed 's/^/   | /' >&2 || true
  if [ -n "$artifact" ]; then
    echo "   reproducer: $artifact" >&2
    echo "   replay:     $bin $artifact" >&2
  else
    echo "   (no reproducer written; see $log)" >&2
  fi
  echo "FINDING $name $took ${execs:-?} ${corpus:-?} ${artifact:-$log}"
  return 1
}

# The whole script is parsed before it runs (editing it mid-run cannot derail a running copy).
main() {
  [ $# -ge 1 ] || usage
  case "$1" in
    -h|--help) usage ;;
    --list) targets; exit 0 ;;
  esac
  [ $# -eq 2 ] || usage
  target=$1 seconds=$2
  [[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "SECONDS must be a positive integer, not '$seconds'" >&2; exit 2; }

  if [ "$target" = all ]; then
    mapfile -t all < <(targets)
    build "${all[@]}"
    failed=0 summary=()
    for name in "${all[@]}"; do
      line=$(run "$name" "$seconds") || failed=$((failed + 1))
      summary+=("$line")
    done
    echo
    printf "%-8s %-20s %8s %12s %14s  %s\n" result target seconds executions corpus reproducer
    for line in "${summary[@]}"; do
      read -r res name took execs corpus artifact <<<"$line"
      printf "%-8s %-20s %8s %12s %14s  %s\n" "$res" "$name" "$took" "$execs" "$corpus" "${artifact:-}"
    done
    [ "$failed" -eq 0 ] || { echo "$failed target(s) with findings" >&2; exit 1; }
    exit 0
  fi

  grep -qx "$target" <<<"$(targets)" || { echo "unknown target '$target'; targets: $(targets | tr '\n' ' ')" >&2; exit 2; }
  build "$target"
  line=$(run "$target" "$seconds") && rc=0 || rc=$?
  echo "$line"
  exit "$rc"
}

main "$@"; exit $?
