#!/usr/bin/env bash
# CSV parse throughput, Keel vs pandas.read_csv, on the same file in the same run.
#
#   bench/csv_bench.sh [ROWS] [REPEATS]
#
# Generates (once, cached) a ROWS-row click-event CSV with bench/gen_events.py (default
# 1,000,000 rows, seed 42), then times, best of REPEATS runs each:
#   keel    `keel ingest FILE --json` on all cores: the library's own read time (ReadTable:
#           mmap, sniffing, tokenizing, type inference, validation, typed columns, statistics)
#           and the wall time of the whole process;
#   pandas  pandas.read_csv(FILE) (Debian's python3-pandas, C parser, one thread).
# Prints MB/s and rows/s for each and the speed ratio. Timings depend on the machine's load.
#
# Environment: KEEL_BIN (default build/keel), CACHE_DIR (default /tmp/keel-bench-cache).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${1:-1000000}
REPEATS=${2:-5}
KEEL=${KEEL_BIN:-$ROOT/build/keel}
CACHE=${CACHE_DIR:-/tmp/keel-bench-cache}
FILE="$CACHE/events_${ROWS}.csv"

if [ ! -x "$KEEL" ]; then
  echo "csv_bench: no keel binary at $KEEL (build first, or set KEEL_BIN)" >&2
  exit 2
fi
mkdir -p "$CACHE"
if [ ! -s "$FILE" ]; then
  echo "csv_bench: generating $FILE ($ROWS rows)..." >&2
  /usr/bin/python3 "$ROOT/bench/gen_events.py" --rows "$ROWS" --seed 42 --out "$FILE.tmp" >/dev/null 2>&1
  mv "$FILE.tmp" "$FILE"
fi

exec /usr/bin/python3 - "$KEEL" "$FILE" "$ROWS" "$REPEATS" <<'PY'
import json, os, subprocess, sys, time
keel, path, rows, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
size = os.path.getsize(path)
mb = size / 1e6

# Warm the page cache so neither side pays for the disk.
with open(path, "rb") as f:
    while f.read(1 << 24):
        pass

keel_lib, keel_wall = [], []
for _ in range(repeats):
    t = time.perf_counter()
    r = subprocess.run([keel, "ingest", path, "--json", "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"keel ingest failed ({r.returncode}): {r.stderr.strip()[-300:]}")
    j = json.loads(r.stdout)
    if j["rows_used"] != rows:
        sys.exit(f"keel read {j['rows_used']} rows, expected {rows}")
    keel_lib.append(j["seconds"])
    keel_wall.append(wall)

import pandas as pd
pandas_times = []
for _ in range(repeats):
    t = time.perf_counter()
    df = pd.read_csv(path)
    pandas_times.append(time.perf_counter() - t)
    if len(df) != rows:
        sys.exit(f"pandas read {len(df)} rows, expected {rows}")
    del df

def line(name, secs):
    print(f"{name:<22} {secs:8.3f} s  {mb / secs:8.1f} MB/s  {rows / secs / 1e6:7.2f} M rows/s")

best_lib, best_wall, best_pd = min(keel_lib), min(keel_wall), min(pandas_times)
print(f"file: {path} ({mb:.1f} MB, {rows} rows, 13 columns); best of {repeats}; {os.cpu_count()} cores")
line("keel ReadTable", best_lib)
line("keel ingest (process)", best_wall)
line("pandas.read_csv", best_pd)
print(f"ratio keel/pandas: {best_pd / best_lib:.2f}x (library read), {best_pd / best_wall:.2f}x (whole process)")
PY
