#!/bin/sh
# Ranking latency, end to end: one request of 1,000 candidates through Keel's whole ranking
# path (features, GBDT prediction, three objectives, two constraints, top 3), against the same
# request in Python with XGBoost + NumPy, on one thread each. Uses the ads example.
#
#   bench/rank_bench.sh [OUT_DIR]
#
# Environment: KEEL_BENCH_BUILD (build folder, default ./build-bench), CANDIDATES (1000),
# REQUESTS (2000), TREES (100, Keel's default), DEPTH (6 for the peer; Keel grows 31-leaf trees).
# Timings on a shared machine are noisy: re-run on a quiet one for numbers to quote.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KEEL_BENCH_BUILD:-$ROOT/build-bench}
OUT=${1:-${TMPDIR:-/tmp}/keel-rank-bench}
CANDIDATES=${CANDIDATES:-1000}
REQUESTS=${REQUESTS:-2000}
TREES=${TREES:-100}
DEPTH=${DEPTH:-6}
ADS="$ROOT/examples/ads"
mkdir -p "$OUT"

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKEEL_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" --target keel_cli keel_rank_bench -j2 >/dev/null

"$BUILD/keel" train --data "$ADS/clicks_train.csv" --target clicked --positive 1 \
  --exclude event_time,user_id,ad_id,advertiser_id --trees "$TREES" --out "$OUT/ads.keel" \
  --quiet >/dev/null
echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD/bench/keel_rank_bench" --model "$OUT/ads.keel" --objectives "$ADS/objectives.yaml" \
  --data "$ADS/ad_requests.csv" --candidates "$CANDIDATES" --requests "$REQUESTS" \
  | tee "$OUT/keel.txt"
/usr/bin/python3 "$ROOT/bench/rank_bench_peer.py" "$ADS/clicks_train.csv" "$ADS/ad_requests.csv" \
  --trees "$TREES" --depth "$DEPTH" --candidates "$CANDIDATES" --requests-count "$REQUESTS" \
  | tee "$OUT/peer.txt"
echo "load average after timing: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$OUT/keel.txt" "$OUT/peer.txt" <<'PY'
import json, sys
k = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
p = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
print(f"| {k['candidates']} candidates/request | Keel | XGBoost+NumPy | peer / Keel |")
print("| --- | --- | --- | --- |")
for q in ("median", "p90", "p99"):
    print(f"| {q} | {k['rank_' + q + '_us']:.0f} us | {p['peer_' + q + '_us']:.0f} us | "
          f"{p['peer_' + q + '_us'] / k['rank_' + q + '_us']:.2f}x |")
print(f"| model alone (median) | {k['model_median_us']:.0f} us | | |")
PY
