#!/usr/bin/env bash
# keel stream on NATS JetStream: events/s for 1, 2 and 3 consumers sharing one durable
# consumer, against the stdin path in the same run, with the CPU split between the broker and
# the consumers. The model is the drift benchmark's (500 trees, depth 6, drift windows on),
# the events gen_events.py's click events with a drift point. Broker and consumers share this
# machine, so their CPU adds up to what the machine has.
#   bench/nats_stream_bench.sh [KEEL_BIN] [EVENTS]      (defaults: build/keel, 100000)
# Needs nats-server (scripts/install-deps.sh) and build/tests/keel_nats_tool.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KEEL="${1:-${KEEL_BIN:-$ROOT/build/keel}}"
EVENTS="${2:-100000}"
TOOL="${KEEL_NATS_TOOL:-$(dirname "$KEEL")/tests/keel_nats_tool}"
NATS_SERVER="$(command -v nats-server || echo /usr/sbin/nats-server)"
PY=/usr/bin/python3
WORK="${NATS_BENCH_WORK:-$(mktemp -d /tmp/keel-nats-bench.XXXXXX)}"
mkdir -p "$WORK"
echo "work dir: $WORK" >&2

if [ ! -f "$WORK/events.jsonl" ]; then
  "$PY" "$ROOT/bench/gen_events.py" --rows $((EVENTS + 100000)) --drift-at 0.85 --seed 42 \
    --out "$WORK/all.csv" 2> /dev/null
  head -n 100001 "$WORK/all.csv" > "$WORK/train.csv"
  { head -n 1 "$WORK/all.csv"; tail -n "$EVENTS" "$WORK/all.csv"; } > "$WORK/events.csv"
  "$PY" "$ROOT/bench/drift_csv_to_jsonl.py" "$WORK/events.csv" "$WORK/events.jsonl"
fi
if [ ! -f "$WORK/m.keel" ]; then
  "$KEEL" train --data "$WORK/train.csv" --target clicked --positive 1 \
    --schema "$ROOT/bench/drift_ctr_schema.yaml" --trees 500 --early-stopping 0 --depth 6 \
    --out "$WORK/m0.keel" --quiet > /dev/null
  "$KEEL" drift --reference "$WORK/m0.keel" --data "$WORK/train.csv" \
    --save-profile "$WORK/m.keel" --quiet > /dev/null
fi

# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

cut -d ' ' -f 1 /proc/loadavg > "$WORK/load_before"
echo "== stdin ($EVENTS events, 500 trees, windows on)"
/usr/bin/time -f "%U %S" -o "$WORK/stdin.time" "$KEEL" stream --model "$WORK/m.keel" \
  --window-time 1d --json < "$WORK/events.jsonl" 2> /dev/null | tail -n 1 > "$WORK/stdin.json"

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="nats://127.0.0.1:$PORT"
rm -rf "$WORK/store"
"$NATS_SERVER" -js -a 127.0.0.1 -p "$PORT" -sd "$WORK/store" > "$WORK/nats-server.log" 2>&1 &
BROKER=$!
trap 'kill $BROKER 2> /dev/null || true' EXIT
for _ in $(seq 100); do "$TOOL" add-stream "$URL" PROBE probe 2> /dev/null && break; sleep 0.1; done

echo "consumers,events,seconds,events_per_second,broker_cpu_s,consumers_cpu_s" > "$WORK/nats.csv"
for N in 1 2 3; do
  echo "== NATS, $N consumer(s)"
  "$TOOL" add-stream "$URL" "EVENTS$N" "events$N.>"
  "$TOOL" add-stream "$URL" "SCORES$N" "scores$N,scores$N.dead"
  "$TOOL" add-stream "$URL" "PROFILES$N" "scores$N.profiles"
  "$TOOL" publish "$URL" "events$N.clicks" "$WORK/events.jsonl"
  broker0=$(cpu_of $BROKER)
  pids=()
  for i in $(seq "$N"); do
    "$KEEL" stream --from "$URL" --stream "EVENTS$N" --subject "events$N.>" --consumer scorers \
      --model "$WORK/m.keel" --to "scores$N" --window-time 1d --threads 1 --max-idle 2s --json \
      > "$WORK/consumer$N-$i.json" 2> "$WORK/consumer$N-$i.log" &
    pids+=($!)
  done
  seconds=$("$TOOL" wait-count "$URL" "SCORES$N" "$EVENTS" 600)
  broker1=$(cpu_of $BROKER)
  consumers=0
  for p in "${pids[@]}"; do consumers=$(echo "$consumers + $(cpu_of "$p")" | bc); done
  wait "${pids[@]}"
  echo "$N,$EVENTS,$seconds,$(echo "$EVENTS / $seconds" | bc),$(echo "$broker1 - $broker0" | bc),$consumers" \
    >> "$WORK/nats.csv"
done

"$PY" - "$WORK" "$EVENTS" <<'PYEOF'
import csv, json, os, sys
w, n = sys.argv[1], int(sys.argv[2])
st = json.loads(open(os.path.join(w, "stdin.json")).read().strip().splitlines()[-1])
user, sys_ = (float(x) for x in open(os.path.join(w, "stdin.time")).read().split()[-2:])
# Wall-clock rates depend on what else runs; events per CPU second do much less.
print(f"load average before the run: {open(os.path.join(w, 'load_before')).read().strip()}")
cpu = user + sys_
print(f"stdin: {st['rows_per_second']:.0f} events/s ({n} events, {st['seconds']:.2f} s, "
      f"{cpu:.2f} CPU s = {n / cpu:.0f} events per CPU s)")
for r in csv.DictReader(open(os.path.join(w, "nats.csv"))):
    b, c = float(r["broker_cpu_s"]), float(r["consumers_cpu_s"])
    print(f"NATS, {r['consumers']} consumer(s) of 1 thread: {r['events_per_second']} events/s "
          f"({r['seconds']} s); CPU s: consumers {c:.2f} ({n / c:.0f} events per CPU s), "
          f"broker {b:.2f} ({100 * b / (b + c):.0f}% of the total)")
PYEOF
