#!/bin/sh
# The prediction benchmark, end to end: Keel vs XGBoost's C API on the same 500-tree,
# depth-6 binary model and the same rows, printed as a table with ratios.
#
#   bench/predict_bench.sh [OUT_DIR]
#
# Environment: KEEL_BENCH_BUILD (build folder, default ./build-bench), TREES (500),
# DEPTH (6), REPEATS (3). Steps: configure + build the benchmark targets (Release,
# KEEL_BUILD_BENCH=ON); train the model with XGBoost (bench/predict_make_model.py, skipped
# when OUT_DIR already has it); import it; check Keel's predictions equal XGBoost's
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

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEEL_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" --target keel_predict_bench keel_predict_xgboost -j2 >/dev/null

if [ ! -f "$OUT/xgb_model.json" ] || [ ! -f "$OUT/rows.f32" ]; then
  /usr/bin/python3 "$ROOT/bench/predict_make_model.py" "$OUT" --trees "$TREES" --depth "$DEPTH"
fi
echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"

# keel_predict_bench imports the XGBoost JSON model itself (as `keel import` does).
"$BUILD/bench/keel_predict_bench" --model "$OUT/xgb_model.json" --rows "$OUT/rows.f32" \
  --check "$OUT/xgb_pred.f32" --benchmark_repetitions="$REPEATS" \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out="$OUT/keel.json" --benchmark_out_format=json >/dev/null
# The same batch runs with the portable block loop (AVX-512 kernel off), to show what it adds.
"$BUILD/bench/keel_predict_bench" --model "$OUT/xgb_model.json" --rows "$OUT/rows.f32" \
  --simd off --benchmark_filter=BM_Batch --benchmark_repetitions="$REPEATS" \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out="$OUT/keel_portable.json" --benchmark_out_format=json >/dev/null
"$BUILD/bench/keel_predict_xgboost" "$OUT/xgb_model.json" "$OUT/rows.f32" "$REPEATS" \
  >"$OUT/xgboost.jsonl"

/usr/bin/python3 - "$OUT/keel.json" "$OUT/xgboost.jsonl" "$OUT/keel_portable.json" <<'PY'
import json, sys
keel = json.load(open(sys.argv[1]))
portable = None
# Medians of the repetitions (REPEATS=1 gives plain runs, no aggregates).
def medians(benchmarks):
    m = {b["run_name"]: b for b in benchmarks if b.get("aggregate_name") == "median"}
    return m or {b["run_name"]: b for b in benchmarks if b.get("run_type") == "iteration"}
med = medians(keel["benchmarks"])
xgb = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
info = xgb[0]
x_single = next(r for r in xgb if r.get("bench") == "single_row")
x_batch = {r["threads"]: r["rows_per_second"] for r in xgb if r.get("bench") == "batch"}
k_single = next(v for k, v in med.items() if k.startswith("BM_SingleRowLatency"))
k_batch = {int(k.split("threads:")[1].split("/")[0]): v["rows_per_second"]
           for k, v in med.items() if k.startswith("BM_Batch")}
print(f"Prediction: {info['rows']:,} rows x {info['cols']} features, 500-tree depth-6 binary model "
      f"(TREES/DEPTH env), XGBoost {info['xgboost']} C API; medians of "
      f"{keel['benchmarks'][0].get('repetitions', '?')} repetitions; Keel block kernel "
      f"{keel['context'].get('keel_block_kernel', '?')}")
print()
print("| measure | Keel | XGBoost | Keel / XGBoost |")
print("| --- | ---: | ---: | ---: |")
print(f"| single-row latency, median (us) | {k_single['p50_ns'] / 1e3:.2f} | "
      f"{x_single['median_ns'] / 1e3:.2f} | {x_single['median_ns'] / k_single['p50_ns']:.1f}x faster |")
print(f"| single-row latency, p99 (us) | {k_single['p99_ns'] / 1e3:.2f} | "
      f"{x_single['p99_ns'] / 1e3:.2f} | {x_single['p99_ns'] / k_single['p99_ns']:.1f}x faster |")
for t in sorted(k_batch):
    print(f"| batch rows/s, {t} thread{'s' if t > 1 else ''} | {k_batch[t]:,.0f} | {x_batch[t]:,.0f} | "
          f"{k_batch[t] / x_batch[t]:.2f}x |")
portable = {int(k.split("threads:")[1].split("/")[0]): v["rows_per_second"]
            for k, v in medians(json.load(open(sys.argv[3]))["benchmarks"]).items()
            if k.startswith("BM_Batch")}
for t in sorted(portable):
    print(f"| batch rows/s, {t} thread{'s' if t > 1 else ''}, Keel portable loop (no AVX-512) | "
          f"{portable[t]:,.0f} | {x_batch[t]:,.0f} | {portable[t] / x_batch[t]:.2f}x |")
print()
print("targets: single-row median latency <= 1/5 of XGBoost's (>= 5x faster); batch >= 2x")
PY
