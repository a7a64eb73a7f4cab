#!/usr/bin/env bash
# Every benchmark against its peer, in one go, and one summary table in bench/RESULTS.md.
#
#   bench/run-all.sh [--only NAME,...] [--no-write]
#
# Runs, one after another (each script's own header says what it measures and how):
#   csv      bench/csv_bench.sh          keel ingest vs pandas.read_csv (1M rows)
#   train    bench/train_bench.py        Keel GBDT vs XGBoost hist (every shared data set, 1M rows)
#   predict  bench/predict_bench.sh      Predictor vs XGBoost C API (500 trees)
#   shap     bench/shap_bench.sh         TreeSHAP vs XGBoost pred_contribs (500 trees)
#   drift    bench/drift_bench.sh        profiles vs pandas+numpy; keel stream vs Python+XGBoost
#   serve    bench/serve_bench.sh        keel serve vs Flask+XGBoost under wrk
#   rank     bench/rank_bench.sh         1,000-candidate ranking vs XGBoost+NumPy
# then writes the table (measure, Keel, peer, Keel's advantage as a ratio > 1 when Keel is
# better) with the machine, the date and the load averages between the markers
# "<!-- run-all:begin -->" and "<!-- run-all:end -->" at the top of bench/RESULTS.md (the
# per-benchmark sections below them keep their details). Raw logs go to $OUT (default a
# fresh temp dir). Needs a Release build in build/ (the default preset) and the benchmark
# dependencies (scripts/install-deps.sh installs them). Timings are only meaningful on a quiet
# machine: the script prints the load average before each benchmark.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$(mktemp -d /tmp/keel-run-all.XXXXXX)}
ONLY="csv,train,predict,shap,drift,serve,rank"
WRITE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY=$2; shift 2 ;;
    --no-write) WRITE=0; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-all: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
export KEEL_BIN=${KEEL_BIN:-$ROOT/build/keel}
export KEEL_BENCH_BUILD=${KEEL_BENCH_BUILD:-$ROOT/build-bench}
[ -x "$KEEL_BIN" ] || { echo "run-all: no keel binary at $KEEL_BIN (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
mkdir -p "$OUT"
echo "run-all: logs in $OUT" >&2

failed=()
run() {  # NAME COMMAND...
  local name=$1; shift
  case ",$ONLY," in *",$name,"*) ;; *) return 0 ;; esac
  echo "== $name (load $(cut -d' ' -f1-3 /proc/loadavg)): $*" >&2
  cut -d' ' -f1 /proc/loadavg > "$OUT/$name.load"
  if ! (cd "$ROOT" && "$@") > "$OUT/$name.log" 2>&1; then
    echo "   $name FAILED (log: $OUT/$name.log)" >&2
    failed+=("$name")
  fi
  tail -n 12 "$OUT/$name.log" >&2
}

run csv bench/csv_bench.sh
run train /usr/bin/python3 bench/train_bench.py --keel "$KEEL_BIN"
run predict bench/predict_bench.sh "$OUT/predict"
run shap bench/shap_bench.sh "$OUT/shap"
run drift env DRIFT_BENCH_WORK="$OUT/drift" bench/drift_bench.sh "$KEEL_BIN" 1000000
run serve env WORK="$OUT/serve" bench/serve_bench.sh
run rank bench/rank_bench.sh "$OUT/rank"

/usr/bin/python3 "$ROOT/bench/run_all_table.py" "$OUT" "$ROOT/bench/RESULTS.md" "$WRITE"
status=$?
if [ ${#failed[@]} -gt 0 ]; then
  echo "run-all: failed: ${failed[*]} (their rows are missing from the table)" >&2
  exit 1
fi
exit $status
