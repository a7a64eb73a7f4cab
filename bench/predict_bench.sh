#!/bin/sh
# The prediction benchmark, end to end: Keel vs XGBoost's C API on the same 500-tree,
# depth-6 binary model and the same rows, printed as a table with ratios.
#
#   bench/predict_bench.sh [OUT_DIR]
#
# Environment: KEEL_BENCH_BUILD (build folder, default ./build-bench), TREES (500),
# DEPTH (6), REPEATS (3). Steps: configure + build the benchmark targets (Release,
# KEEL_BUILD_BENCH=ON); train the model with XGBoost (bench/predict_make_model.py, skipped
# when OUT_DIR already has it); `keel import` it; check Keel's predictions equal XGBoost's
# (max abs difference <= 1e-6, else the run fails); time both; print the table.
# Timings on a shared machine are noisy: re-run on a quiet one for numbers to quote.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KEEL_BENCH_BUILD:-$ROOT/build-bench}
OUT=${1:-${TMPDIR:-/tmp}/keel-predict-bench}
TREES=${TREES:-500}
DEPTH=${DEPTH:-6}
REPEATS=${REPEATS:-3}
mkdir -p "$OUT"

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEEL_BUILD_BENCH=ON \
  -DKEEL_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target keel_cli keel_predict_bench keel_predict_xgboost -j2 >/dev/null

if [ ! -f "$OUT/xgb_model.json" ] || [ ! -f "$OUT/rows.f32" ]; then
  /usr/bin/python3 "$ROOT/bench/predict_make_model.py" "$OUT" --trees "$TREES" --depth "$DEPTH"
fi
"$BUILD/keel" import --from xgboost "$OUT/xgb_model.json" --out "$OUT/model.keel" --quiet

"$BUILD/bench/keel_predict_bench" --model "$OUT/model.keel" --rows "$OUT/rows.f32" \
  --check "$OUT/xgb_pred.f32" --benchmark_repetitions="$REPEATS" \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out="$OUT/keel.json" --benchmark_out_format=json >/dev/null
"$BUILD/bench/keel_predict_xgboost" "$OUT/xgb_model.json" "$OUT/rows.f32" "$REPEATS" \
  >"$OUT/xgboost.jsonl"

/usr/bin/python3 - "$OUT/keel.json" "$OUT/xgboost.jsonl" <<'PY'
import json, sys
keel = json.load(open(sys.argv[1]))
med = {b["run_name"]: b for b in keel["benchmarks"] if b.get("aggregate_name") == "median"}
xgb = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
info = xgb[0]
x_single = next(r for r in xgb if r.get("bench") == "single_row")
x_batch = {r["threads"]: r["rows_per_second"] for r in xgb if r.get("bench") == "batch"}
k_single = next(v for k, v in med.items() if k.startswith("BM_SingleRowLatency"))
k_batch = {int(k.split("threads:")[1].split("/")[0]): v["rows_per_second"]
           for k, v in med.items() if k.startswith("BM_Batch")}
print(f"Prediction benchmark: {info['rows']} rows x {info['cols']} features, XGBoost {info['xgboost']} "
      f"(medians of {keel['benchmarks'][0].get('repetitions', '?')} repetitions)")
print(f"{'measure':<34} {'Keel':>14} {'XGBoost':>14} {'ratio':>10}")
def row(name, k, x, unit, better_low):
    ratio = (x / k) if better_low else (k / x)
    print(f"{name:<34} {k:>11.1f} {unit:<2} {x:>11.1f} {unit:<2} {ratio:>9.1f}x")
row("single-row latency, median", k_single["p50_ns"] / 1000, x_single["median_ns"] / 1000, "us", True)
row("single-row latency, p99", k_single["p99_ns"] / 1000, x_single["p99_ns"] / 1000, "us", True)
for t in sorted(k_batch):
    row(f"batch throughput, {t} thread{'s' if t > 1 else ''}", k_batch[t] / 1e6, x_batch[t] / 1e6, "M/s", False)
print("ratio: how many times better Keel is (latency: XGBoost / Keel; throughput: Keel / XGBoost)")
print(f"targets: median latency ratio >= 5, batch throughput ratio >= 2")
PY
