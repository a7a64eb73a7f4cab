#!/usr/bin/env bash
# TreeSHAP throughput and single-row latency: Keel against XGBoost's pred_contribs (exact
# TreeSHAP), in the same run, on the same 500-tree depth-6 model and the same 10,000 rows.
#
#   bench/shap_bench.sh [WORK_DIR]
#
# Steps:
#   1. configure + build the benchmark programs (Release, KEEL_BUILD_BENCH=ON) in
#      KEEL_BENCH_BUILD (default ./build-bench);
#   2. bench/shap_bench.py trains the XGBoost model (binary:logistic, hist, depth DEPTH, TREES
#      trees, make_classification data with 5% missing values; reused when WORK_DIR has it),
#      writes the ROWS test rows and XGBoost's contributions for them, and times Python's
#      pred_contribs=True with 2 threads (for reference; skipped when WORK_DIR has its output);
#   3. keel_shap_bench (bench/shap_bench.cc) imports the model, checks Keel's attributions
#      against XGBoost's (max |difference| <= 1e-5, else the run fails) and times
#      Explainer::ExplainMatrix (1 and 2 threads) and one-row ExplainRows calls, for the
#      default explainer (subset tables) and for leaf polynomials;
#   4. keel_shap_xgboost (bench/shap_xgboost.cc) times XGBoost's C API contributions
#      (PredictFromDMatrix type 2) the same way;
#   5. prints a markdown table with the Keel / XGBoost ratios.
# Target (issue 6): Keel >= 2x XGBoost's throughput. The machine is shared while the team
# works: timings taken then are provisional; re-run on a quiet machine.
#
# Environment: KEEL_BENCH_BUILD, TREES (500), DEPTH (6), ROWS (10000), REPEATS (3).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KEEL_BENCH_BUILD:-$ROOT/build-bench}
W=${1:-${TMPDIR:-/tmp}/keel-shap-bench}
TREES=${TREES:-500}
DEPTH=${DEPTH:-6}
ROWS=${ROWS:-10000}
REPEATS=${REPEATS:-3}
PY=/usr/bin/python3
mkdir -p "$W"

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEEL_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" --target keel_shap_bench keel_shap_xgboost -j2 >/dev/null

# Skipped when WORK_DIR already holds its outputs (delete xgb.json to re-run it).
if [ ! -f "$W/xgb.json" ] || [ ! -f "$W/contribs.f32" ]; then
  $PY "$ROOT/bench/shap_bench.py" --out "$W" --trees "$TREES" --depth "$DEPTH" --rows "$ROWS" \
    --threads 2 --repeats "$REPEATS" >/dev/null
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)

for algo in auto polynomial; do
  "$BUILD/bench/keel_shap_bench" --model "$W/model.json" --rows "$W/X_test.f32" \
    --check "$W/contribs.f32" --algorithm "$algo" --benchmark_repetitions="$REPEATS" \
    --benchmark_report_aggregates_only=true --benchmark_format=json \
    --benchmark_out="$W/keel_$algo.json" --benchmark_out_format=json >/dev/null 2>"$W/keel_$algo.err" ||
    { cat "$W/keel_$algo.err"; exit 1; }
done
"$BUILD/bench/keel_shap_xgboost" "$W/model.json" "$W/X_test.f32" "$REPEATS" >"$W/xgboost.jsonl" \
  2>/dev/null

$PY - "$W" "$load" <<'EOF'
import json, sys
w, load = sys.argv[1], sys.argv[2]
py = json.load(open(f"{w}/xgb.json"))
x = [json.loads(l) for l in open(f"{w}/xgboost.jsonl") if l.strip()]
info = x[0]
x_batch = {r["threads"]: r["rows_per_second"] for r in x if r.get("bench") == "batch"}
x_single = next(r for r in x if r.get("bench") == "single_row")

def keel(algo):
    j = json.load(open(f"{w}/keel_{algo}.json"))
    med = {b["run_name"]: b for b in j["benchmarks"] if b.get("aggregate_name") == "median"}
    batch = {int(k.split("threads:")[1].split("/")[0]): v["rows_per_second"]
             for k, v in med.items() if k.startswith("BM_ExplainBatch")}
    lat = next(v for k, v in med.items() if k.startswith("BM_ExplainRowLatency"))
    check = [l for l in open(f"{w}/keel_{algo}.err") if l.startswith("check:")][0].split("=")[1]
    return batch, lat, check.split(" over")[0].strip()

print(f"TreeSHAP: {py['trees']} trees, depth {py['depth']}, {info['rows']} rows x {info['cols']} "
      f"features, XGBoost {info['xgboost']} C API; medians of {json.load(open(f'{w}/keel_auto.json'))['benchmarks'][0].get('repetitions', '?')} "
      f"repetitions; load average at start {load}")
print()
print("| measure | Keel (subset tables) | Keel (leaf polynomials) | XGBoost | Keel / XGBoost |")
print("| --- | ---: | ---: | ---: | ---: |")
ka, la, ca = keel("auto")
kp, lp, cp = keel("polynomial")
for t in sorted(x_batch):
    print(f"| rows/s, {t} thread{'s' if t > 1 else ''} | {ka[t]:,.0f} | {kp[t]:,.0f} | "
          f"{x_batch[t]:,.0f} | {ka[t] / x_batch[t]:.2f}x |")
print(f"| single-row latency, median (us) | {la['p50_ns'] / 1e3:.1f} | {lp['p50_ns'] / 1e3:.1f} | "
      f"{x_single['median_ns'] / 1e3:.1f} | {x_single['median_ns'] / la['p50_ns']:.1f}x faster |")
print(f"| single-row latency, p99 (us) | {la['p99_ns'] / 1e3:.1f} | {lp['p99_ns'] / 1e3:.1f} | "
      f"{x_single['p99_ns'] / 1e3:.1f} | {x_single['p99_ns'] / la['p99_ns']:.1f}x faster |")
print(f"| max abs difference vs XGBoost | {ca} | {cp} | (reference) | |")
print()
print(f"XGBoost from Python (pred_contribs=True, 2 threads, best of runs): "
      f"{py['rows_per_second']:,.0f} rows/s; single row incl. DMatrix + Python call: "
      f"{py['single_row_median_us']:.0f} us median")
print("XGBoost single row: a 1-row DMatrix + PredictFromDMatrix type 2 per call (it has no "
      "in-place contributions path); Keel: ExplainRows on one row, one thread.")
print("target: Keel / XGBoost throughput >= 2x")
EOF
