#!/usr/bin/env bash
# Soak test of `keel serve`: mixed load for a set duration on loopback while the model is hot
# reloaded, checking that memory stays flat, good requests never fail and the server survives.
#
#   bench/soak.sh [SECONDS]          # default 600, from the repository root after a Release build
#   KEEL_BIN=build-soak/keel bench/soak.sh 60
#
# What it does:
#   1. trains two click models on examples/ads/clicks_train.csv (TREES trees each, seeds 1 and
#      2, so both are valid and differ) with `keel train`, reused from WORK when present;
#   2. starts `keel serve` on a free loopback port with the first one (name `ads`), the
#      prediction log on (SQLite in WORK), live drift windows on, an admin token, a 64 KiB body
#      limit and 64 instances per request;
#   3. runs bench/soak_load.py for SECONDS: CLIENTS keep-alive connections sending predict
#      (record API, single and batch with reasons), OIP infer, explain, rank (the ads
#      objectives over one request's candidates), /metrics, and bad requests (malformed JSON,
#      unknown model, wrong type, oversized body, too many instances: each must get its 4xx),
#      while every RELOAD_EVERY seconds the served file is swapped for the other artifact and
#      POST /v1/models/ads/reload is sent; the server's VmRSS is sampled every RSS_EVERY s;
#   4. prints requests by kind, errors on good requests, 4xx on bad ones, reloads, crashes,
#      RSS after warm-up, final and max, and final/warm-up; then stops the server with SIGTERM
#      (it must drain and exit 0).
# Exits non-zero when a criterion fails: an error on a good request, a bad request not answered
# 4xx, a failed reload, a crash (the process gone or /v2/health/live not 200 at the end, or a
# non-zero exit after SIGTERM), or final RSS above 1.10 x the RSS after warm-up.
#
# Environment: KEEL_BIN (default build/keel), TREES (400), CLIENTS (4), SERVER_THREADS (1),
# RELOAD_EVERY (seconds, 5), RSS_EVERY (seconds, 2), WARMUP (seconds; default 60, or half
# the run when it is shorter than 120 s), WORK (work dir; default a new temporary one),
# MAX_RSS_RATIO (1.10).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_TOTAL=${1:-600}
K=${KEEL_BIN:-$ROOT/build/keel}
TREES=${TREES:-400}
CLIENTS=${CLIENTS:-4}
SERVER_THREADS=${SERVER_THREADS:-1}
RELOAD_EVERY=${RELOAD_EVERY:-5}
RSS_EVERY=${RSS_EVERY:-2}
MAX_RSS_RATIO=${MAX_RSS_RATIO:-1.10}
W=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/keel-soak.XXXXXX")}
PY=/usr/bin/python3
ADS=$ROOT/examples/ads
MAX_BODY=65536
MAX_INSTANCES=64
TOKEN=soak-admin-token

[[ "$SECONDS_TOTAL" =~ ^[0-9]+$ ]] && [ "$SECONDS_TOTAL" -gt 0 ] ||
  { echo "usage: bench/soak.sh [SECONDS]   (SECONDS a positive integer, default 600)"; exit 2; }
# Caches fill during the first half minute or so (a 60 s run grows most in its first 30 s).
WARMUP=${WARMUP:-$($PY -c "t = $SECONDS_TOTAL; print(60 if t >= 120 else t / 2)")}
[ -x "$K" ] || { echo "keel binary not found at $K (set KEEL_BIN)"; exit 2; }
mkdir -p "$W"

server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "== models: 2 x $TREES trees on $(basename "$ADS")/clicks_train.csv (work dir $W)"
for seed in 1 2; do
  m="$W/ads_$seed.keel"
  if [ -f "$m" ] && [ "$(cat "$W/ads_$seed.trees" 2>/dev/null)" = "$TREES" ]; then
    echo "   (reusing $m)"
    continue
  fi
  "$K" train --data "$ADS/clicks_train.csv" --target clicked --positive 1 \
    --exclude event_time,user_id,ad_id,advertiser_id --trees "$TREES" --seed "$seed" \
    --out "$m" --quiet >"$W/train_$seed.out" 2>"$W/train_$seed.err" ||
    { echo "keel train failed: $(tail -3 "$W/train_$seed.err")"; exit 2; }
  echo "$TREES" >"$W/ads_$seed.trees"
done
cp "$W/ads_1.keel" "$W/served.keel"
rm -f "$W/soak_log.db" "$W/soak_log.db-wal" "$W/soak_log.db-shm"

echo "== keel serve (--threads $SERVER_THREADS)"
KEEL_ADMIN_TOKEN=$TOKEN "$K" serve --model ads="$W/served.keel" --port 0 \
  --threads "$SERVER_THREADS" --log-db "$W/soak_log.db" --max-body-bytes "$MAX_BODY" \
  --max-instances "$MAX_INSTANCES" 2>"$W/serve.err" &
server=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$W/serve.err")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { echo "keel serve did not start: $(tail -3 "$W/serve.err")"; exit 2; }
echo "   pid $server, port $port"

echo "== load for ${SECONDS_TOTAL}s: $CLIENTS clients, reloads every ${RELOAD_EVERY}s, warm-up ${WARMUP}s"
rc=0
$PY "$ROOT/bench/soak_load.py" --port "$port" --pid "$server" --model ads \
  --seconds "$SECONDS_TOTAL" --warmup "$WARMUP" --clients "$CLIENTS" \
  --candidates "$ADS/candidates.csv" --objectives "$ADS/objectives.yaml" \
  --served "$W/served.keel" --artifacts "$W/ads_1.keel" "$W/ads_2.keel" --token "$TOKEN" \
  --reload-every "$RELOAD_EVERY" --rss-every "$RSS_EVERY" --max-body "$MAX_BODY" \
  --max-instances "$MAX_INSTANCES" --max-rss-ratio "$MAX_RSS_RATIO" \
  --report "$W/soak.json" || rc=$?

# A graceful stop is part of surviving: SIGTERM drains and exits 0.
if kill -0 "$server" 2>/dev/null; then
  kill -TERM "$server"
  src=0
  wait "$server" || src=$?
  server=""
  if [ "$src" -ne 0 ]; then
    echo "  [FAIL] keel serve exited $src after SIGTERM: $(tail -3 "$W/serve.err")"
    rc=1
  else
    echo "  [PASS] keel serve drained and exited 0 on SIGTERM"
  fi
else
  echo "  [FAIL] keel serve is gone: $(tail -5 "$W/serve.err")"
  rc=1
fi
echo "report: $W/soak.json, server log: $W/serve.err"
[ "$rc" -eq 0 ] && echo "SOAK PASSED" || echo "SOAK FAILED"
exit "$rc"
