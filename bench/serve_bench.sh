#!/usr/bin/env bash
# Serving load test: `keel serve` against a Flask + XGBoost server (the server a user might
# otherwise write, bench/flask_xgb_server.py), in the same run, on the same model.
#
#   bench/serve_bench.sh                     # from the repository root, after a Release build
#   KEEL_BIN=build-serve/keel DURATION=10 THREADS_LIST="1 2" bench/serve_bench.sh
#
# What it does:
#   1. trains a 500-tree XGBoost model on the CTR data (bench/serve_bench_model.py) and imports
#      it with `keel import --from xgboost --schema` so both servers answer with the same trees;
#   2. checks that both servers give XGBoost's probability for the request instance (1e-6);
#   3. runs wrk (Debian package) on loopback, one connection-per-client keep-alive load of
#      single-instance record requests (-t1 -c8), for Keel with each I/O thread count in
#      THREADS_LIST, once steady and once while hot reloads of the model are triggered every
#      RELOAD_EVERY seconds (they must lose no request: non-2xx and socket errors must stay 0);
#   4. runs the same load against Flask;
#   5. prints the table with throughput, p50, p99, errors and the Keel / Flask ratios.
# Targets (issue 9, on a 2-core machine shared with wrk): Keel >= 20,000 req/s, p99 < 2 ms,
# no errors, >= 20x Flask. Timings on a busy machine are provisional: re-run on a quiet one.
#
# Environment: KEEL_BIN (default build/keel), DATA (default ../shared/data/ctr_100k.csv),
# TREES (500), DURATION (seconds per run, 10), CONNECTIONS (8), THREADS_LIST ("1 2"),
# RELOAD_EVERY (seconds, 2; 0 = no reload runs), FLASK_DURATION (DURATION), WORK (temp dir; a
# model already built there with the same TREES is reused).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
K=${KEEL_BIN:-$ROOT/build/keel}
DATA=${DATA:-$ROOT/../shared/data/ctr_100k.csv}
TREES=${TREES:-500}
DURATION=${DURATION:-10}
FLASK_DURATION=${FLASK_DURATION:-$DURATION}
CONNECTIONS=${CONNECTIONS:-8}
THREADS_LIST=${THREADS_LIST:-"1 2"}
RELOAD_EVERY=${RELOAD_EVERY:-2}
W=${WORK:-$(mktemp -d)}
PY=/usr/bin/python3
mkdir -p "$W"

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
[ -x "$K" ] || { echo "keel binary not found at $K (set KEEL_BIN)"; exit 1; }
[ -f "$DATA" ] || { echo "data not found: $DATA (set DATA)"; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "== model: XGBoost, $TREES trees, on $(basename "$DATA") (work dir $W)"
if [ -f "$W/ctr_xgb.json" ] && [ -f "$W/trees.txt" ] && [ "$(cat "$W/trees.txt")" = "$TREES" ]; then
  echo "   (reusing the model in $W)"
else
  $PY "$ROOT/bench/serve_bench_model.py" --data "$DATA" --out "$W" --trees "$TREES"
  echo "$TREES" > "$W/trees.txt"
fi
"$K" import --from xgboost "$W/ctr_xgb.json" --schema "$W/schema.yaml" --out "$W/ctr.keel" \
  >/dev/null 2>"$W/import.err" || { echo "keel import failed: $(tail -3 "$W/import.err")"; exit 1; }
expected=$(cat "$W/expected.txt")
body=$(cat "$W/body.json")
cat > "$W/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$body'
LUA

# Prints "rps p50_us p99_us non2xx socket_errors" from a wrk --latency report.
parse_wrk() {
  $PY - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def us(s):
    m = re.match(r"([0-9.]+)(us|ms|s)$", s)
    return float(m.group(1)) * {"us": 1, "ms": 1000, "s": 1e6}[m.group(2)] if m else float("nan")
rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", t).group(1))
p50 = us(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1))
p99 = us(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
non2xx = int(m.group(1)) if m else 0
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
sock = sum(int(x) for x in m.groups()) if m else 0
print(f"{rps:.0f} {p50:.0f} {p99:.0f} {non2xx} {sock}")
PY
}

check_prob() {  # URL NAME FIELD
  local got
  got=$(curl -sf -X POST -H 'Content-Type: application/json' -d "$body" "$1" |
        $PY -c "import json,sys; print(json.load(sys.stdin)['predictions'][0]['$2'])")
  $PY -c "import sys; g=float('$got'); e=float('$expected'); sys.exit(0 if abs(g-e)<=1e-6 else 1)" ||
    { echo "$3 answers $got, XGBoost says $expected"; exit 1; }
}

declare -A RESULT
# One Keel run: THREADS, RELOAD_SECONDS (0 = none), TAG (key of RESULT).
run_keel() {
  local threads=$1 every=$2 tag=$3
  echo "== keel serve --threads $threads, hot reloads: $([ "$every" = 0 ] && echo none || echo "every ${every}s")"
  export KEEL_ADMIN_TOKEN=bench-token
  "$K" serve --model ctr="$W/ctr.keel" --port 0 --threads "$threads" --log-db "$W/log_$tag.db" \
    2>"$W/keel_$tag.err" &
  kp=$!; pids+=("$kp")
  port=""
  for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/keel_$tag.err")
    [ -n "$port" ] && break; sleep 0.1
  done
  [ -n "$port" ] || { echo "keel serve did not start: $(tail -3 "$W/keel_$tag.err")"; exit 1; }
  url="http://127.0.0.1:$port/v1/models/ctr/predict"
  check_prob "$url" prob_1 "keel"
  wrk -t1 -c2 -d1s -s "$W/post.lua" "$url" >/dev/null  # warm up
  local reloads_ok=0 reloads=0 rp=""
  if [ "$every" != 0 ]; then
    (
      end=$((SECONDS + DURATION))
      while [ $SECONDS -lt "$end" ]; do
        sleep "$every"
        curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "Authorization: Bearer $KEEL_ADMIN_TOKEN" \
          "http://127.0.0.1:$port/v1/models/ctr/reload"
      done
    ) > "$W/reloads_$tag.txt" &
    rp=$!
  fi
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$W/post.lua" "$url" > "$W/keel_$tag.wrk" 2>&1
  if [ -n "$rp" ]; then
    wait "$rp" || true
    reloads=$(grep -c . "$W/reloads_$tag.txt" || true)
    reloads_ok=$(grep -c '^200$' "$W/reloads_$tag.txt" || true)
  fi
  RESULT[$tag]="$(parse_wrk "$W/keel_$tag.wrk") $reloads_ok/$reloads"
  curl -s "http://127.0.0.1:$port/metrics" > "$W/keel_$tag.metrics"
  kill "$kp"; wait "$kp" 2>/dev/null || true
  echo "   ${RESULT[$tag]}  (rps p50_us p99_us non2xx socket_errors reloads_ok/reloads)"
}
KEEL_RUNS=()
for threads in $THREADS_LIST; do
  run_keel "$threads" 0 "keel_$threads"
  KEEL_RUNS+=("keel_$threads")
  if [ "$RELOAD_EVERY" != 0 ]; then
    run_keel "$threads" "$RELOAD_EVERY" "keel_${threads}_reload"
    KEEL_RUNS+=("keel_${threads}_reload")
  fi
done

echo "== flask + xgboost"
fport=$((20000 + RANDOM % 20000))
$PY "$ROOT/bench/flask_xgb_server.py" --model "$W/ctr_xgb.json" --features "$W/features.json" \
  --port "$fport" 2>"$W/flask.err" &
fp=$!; pids+=("$fp")
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$fport/health" >/dev/null && break; sleep 0.1; done
furl="http://127.0.0.1:$fport/v1/models/ctr/predict"
check_prob "$furl" prob_1 "flask"
wrk -t1 -c"$CONNECTIONS" -d"${FLASK_DURATION}s" --latency --timeout 10s -s "$W/post.lua" "$furl" > "$W/flask.wrk" 2>&1
RESULT[flask]="$(parse_wrk "$W/flask.wrk") -"
kill "$fp"; wait "$fp" 2>/dev/null || true
echo "   ${RESULT[flask]}"

echo
echo "Single-instance record requests, wrk -t1 -c$CONNECTIONS, keep-alive, loopback, $TREES-tree model,"
echo "$(nproc) cores shared by server and wrk; '+ reloads' rows: a hot reload every ${RELOAD_EVERY}s."
read -r f_rps f_p50 f_p99 f_non f_sock _ <<< "${RESULT[flask]}"
printf "%-24s %10s %10s %10s %8s %8s %9s %12s\n" server "req/s" "p50 (us)" "p99 (us)" non-2xx sockerr reloads "x flask rps"
for tag in "${KEEL_RUNS[@]}"; do
  read -r rps p50 p99 non sock rel <<< "${RESULT[$tag]}"
  t=${tag#keel_}; label="keel --threads ${t%_reload}"; [ "$t" != "${t%_reload}" ] && label="$label + reloads"
  printf "%-24s %10s %10s %10s %8s %8s %9s %12s\n" "$label" "$rps" "$p50" "$p99" "$non" "$sock" "$rel" \
    "$($PY -c "print(f'{$rps/max($f_rps,1e-9):.1f}')")"
done
printf "%-24s %10s %10s %10s %8s %8s %9s %12s\n" "flask + xgboost" "$f_rps" "$f_p50" "$f_p99" "$f_non" "$f_sock" "-" "1.0"
echo
echo "targets: keel >= 20000 req/s, p99 < 2000 us, 0 errors, >= 20x flask; raw wrk output in $W"
