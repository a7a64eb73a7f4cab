#!/usr/bin/env bash
# Drift and streaming throughput on a 1M-row click-through file, against peers in the same run:
#   1. profile building: `keel drift --save-profile` (profile time only, the JSON's
#      profile_rows_per_second) vs pandas+numpy computing the same summaries;
#   2. `keel stream` with a 500-tree model, drift windows on (and off), vs Python json.loads +
#      XGBoost inplace_predict with a 500-tree XGBoost model (bench/drift_peer.py).
# Timings are provisional while the machine is shared; re-run on a quiet machine:
#   bench/drift_bench.sh [KEEL_BIN] [ROWS]        (defaults: build/keel, 1000000)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KEEL="${1:-${KEEL_BIN:-$ROOT/build/keel}}"
ROWS="${2:-1000000}"
PY=/usr/bin/python3
GEN="$ROOT/bench/gen_events.py"
[ -f "$GEN" ] || GEN="$ROOT/../shared/tools/gen_events.py"
WORK="${DRIFT_BENCH_WORK:-$(mktemp -d /tmp/keel-drift-bench.XXXXXX)}"
mkdir -p "$WORK"
echo "work dir: $WORK" >&2

if [ ! -f "$WORK/events.csv" ]; then
  "$PY" "$GEN" --rows "$ROWS" --drift-at 0.7 --seed 42 --out "$WORK/events.csv" 2> /dev/null
fi
if [ ! -f "$WORK/events.jsonl" ]; then
  "$PY" "$ROOT/bench/drift_csv_to_jsonl.py" "$WORK/events.csv" "$WORK/events.jsonl"
fi
head -n 100001 "$WORK/events.csv" > "$WORK/train.csv"

# A 500-tree model (no early stopping), depth 6 like the peer.
if [ ! -f "$WORK/m.keel" ]; then
  "$KEEL" train --data "$WORK/train.csv" --target clicked --positive 1 \
    --schema "$ROOT/bench/drift_ctr_schema.yaml" --trees 500 --early-stopping 0 --depth 6 \
    --out "$WORK/m0.keel" --quiet > /dev/null
  "$KEEL" drift --reference "$WORK/m0.keel" --data "$WORK/train.csv" \
    --save-profile "$WORK/m.keel" --quiet > /dev/null
fi

echo "== profile building ($ROWS rows)"
"$KEEL" drift --reference "$WORK/m.keel" --data "$WORK/events.csv" \
  --save-profile "$WORK/profiled.keel" --json > "$WORK/profile.json"
"$PY" "$ROOT/bench/drift_peer.py" profile "$WORK/events.csv" > "$WORK/profile_peer.json"

echo "== keel stream ($ROWS rows, 500 trees)"
# With --json the summary is the last line of stdout, after the predictions.
"$KEEL" stream --model "$WORK/m.keel" --window 10000 --json \
  < "$WORK/events.jsonl" 2> /dev/null | tail -n 1 > "$WORK/stream.json"
"$KEEL" stream --model "$WORK/m.keel" --no-drift --json \
  < "$WORK/events.jsonl" 2> /dev/null | tail -n 1 > "$WORK/stream_nodrift.json"
if [ ! -f "$WORK/xgb.json" ]; then
  "$PY" "$ROOT/bench/drift_peer.py" train "$WORK/train.csv" "$WORK/xgb.json"
fi
"$PY" "$ROOT/bench/drift_peer.py" stream "$WORK/xgb.json" "$WORK/events.jsonl" > "$WORK/stream_peer.json"

"$PY" - "$WORK" <<'PYEOF'
import json, os, sys
w = sys.argv[1]
def last_json(path):
    lines = [l for l in open(os.path.join(w, path)) if l.strip().startswith("{")]
    return json.loads(lines[-1])
prof, prof_peer = last_json("profile.json"), last_json("profile_peer.json")
st, st_nd, st_peer = last_json("stream.json"), last_json("stream_nodrift.json"), last_json("stream_peer.json")
kp = prof["profile_rows_per_second"]
print(f"profile building: keel {kp:,.0f} rows/s (profile {prof['seconds']['profile']:.2f} s, "
      f"read {prof['seconds']['read']:.2f} s) | pandas+numpy {prof_peer['rows_per_second']:,.0f} "
      f"rows/s | ratio {kp / prof_peer['rows_per_second']:.2f}x")
print(f"keel stream, 500 trees, drift windows on : {st['rows_per_second']:,.0f} rows/s "
      f"({st['lines']:,} rows in {st['seconds']:.2f} s, {st['windows']} windows, "
      f"{st['drift_events']} drift events)")
print(f"keel stream, 500 trees, drift windows off: {st_nd['rows_per_second']:,.0f} rows/s")
print(f"peer (python json + xgboost 500 trees)   : {st_peer['rows_per_second']:,.0f} rows/s | "
      f"ratio {st['rows_per_second'] / st_peer['rows_per_second']:.2f}x")
print(f"target >= 200,000 rows/s: {'MET' if st['rows_per_second'] >= 200000 else 'NOT MET'}")
PYEOF
