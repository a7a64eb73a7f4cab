#!/usr/bin/env bash
# Drift windows on ctr_100k.csv (drift after 70% of the rows): train on the first half, stream
# the second half through `keel stream` in tumbling windows, and print one line per window.
# The acceptance criterion: no window before the drift point (data row 70,001) is flagged and
# the first window after it is.
#
# Usage: bench/drift_windows.sh [KEEL_BIN] [WINDOW]   (defaults: build/keel, 24h)
# WINDOW is a row count (tumbling windows of that many rows) or a duration such as 24h (time
# windows on event_time, aligned to midnight UTC). Windows should span the data's seasonal
# cycle: `hour` drives the click model, so a window holding part of a day (5000 rows here are
# about 1.4 days) has another hour mix than the 14 training days, and its predictions can
# drift (Wasserstein 0.106 sd in the window 65001-70000) without the world having changed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KEEL="${1:-${KEEL_BIN:-$ROOT/build/keel}}"
WINDOW="${2:-24h}"
case "$WINDOW" in
  *[a-z]) WINDOW_FLAG=(--window-time "$WINDOW") ;;
  *) WINDOW_FLAG=(--window "$WINDOW") ;;
esac
DATA="$ROOT/tests/data/ctr_100k.csv"
[ -f "$DATA" ] || DATA="$ROOT/../shared/data/ctr_100k.csv"
PY=/usr/bin/python3
WORK="$(mktemp -d /tmp/keel-drift-windows.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

head -n 50001 "$DATA" > "$WORK/train.csv"
"$PY" "$ROOT/bench/drift_csv_to_jsonl.py" "$DATA" "$WORK/rest.jsonl" --skip 50000
"$KEEL" train --data "$WORK/train.csv" --target clicked --positive 1 \
  --schema "$ROOT/bench/drift_ctr_schema.yaml" --out "$WORK/m0.keel" --quiet > /dev/null
# Attach the training profile (a no-op refresh when the trainer already stored one).
"$KEEL" drift --reference "$WORK/m0.keel" --data "$WORK/train.csv" \
  --save-profile "$WORK/m.keel" --quiet > /dev/null
"$KEEL" stream --model "$WORK/m.keel" "${WINDOW_FLAG[@]}" --all-windows \
  --drift-events "$WORK/windows.jsonl" --quiet < "$WORK/rest.jsonl" > "$WORK/preds.jsonl"

"$PY" - "$WORK/windows.jsonl" <<'PYEOF'
import json, sys
DRIFT_ROW, OFFSET = 70001, 50000   # first drifted data row; rows before the stream
print(f"{'window':>6} {'data rows':>15} {'side':>7} {'verdict':>8} {'share':>6} "
      f"{'pred':>5} {'fair':>5}  drifted features")
ok = True
first_after_seen = False
for line in open(sys.argv[1]):
    w = json.loads(line)
    a, b = w["window"]["first_row"] + OFFSET, w["window"]["last_row"] + OFFSET
    side = "before" if b < DRIFT_ROW else ("after" if a >= DRIFT_ROW else "spans")
    flag = w["drifted"]
    print(f"{w['window']['index']:>6} {a:>7}-{b:<7} {side:>7} {'DRIFT' if flag else 'ok':>8} "
          f"{w['share_drifted']:>6.2f} {str(w['prediction_drift'])[0]:>5} "
          f"{str(w['fairness_alert'])[0]:>5}  {', '.join(w['drifted_features'])}")
    if side == "before" and flag:
        ok = False
    if side == "after" and not first_after_seen:
        first_after_seen = True
        ok &= flag
print("criterion (no window before the drift flagged, first window after it flagged):",
      "PASS" if ok and first_after_seen else "FAIL")
sys.exit(0 if ok and first_after_seen else 1)
PYEOF
