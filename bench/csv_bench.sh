#!/usr/bin/env bash
# CSV parse throughput, Keel vs pandas.read_csv, on the same file in the same run.
#
#   bench/csv_bench.sh [ROWS] [REPEATS]
#
# Generates (once, cached) a ROWS-row click-event CSV with bench/gen_events.py (default
# 1,000,000 rows, seed 42), then times, best of REPEATS runs each, THREADS threads (default
# all cores) wherever a reader uses threads:
#   keel    `keel ingest FILE --json --threads THREADS`: the library's own read time
#           (ReadTable: mmap, sniffing, tokenizing, type inference, validation, typed columns,
#           statistics) and the wall time of the whole process. Both are measured inside the
#           `keel` program, whose operator new puts allocations of 2 MiB or more on huge pages
#           (tools/cli/huge_page_new.cc); a library user without that allocator pays more faults;
#   pandas  pandas.read_csv(FILE) (Debian's python3-pandas, C parser, one thread: it has no
#           threaded reader);
#   duckdb  read_csv into an in-memory table (@duckdb/node-api, THREADS threads);
#   polars  readCSV into a DataFrame (nodejs-polars, POLARS_MAX_THREADS=THREADS).
# DuckDB and Polars are prebuilt packages from the npm registry (pinned in
# bench/csv_peers/package.json), installed once into CACHE_DIR/npm with `npm install`; they
# need node >= 18 and npm, and are skipped with a note when those are missing or offline.
# Prints MB/s and rows/s for each and the speed ratios. Timings depend on the machine's load.
#
# Environment: KEEL_BIN (default build/keel), CACHE_DIR (default /tmp/keel-bench-cache),
# THREADS (default: the number of cores).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${1:-1000000}
REPEATS=${2:-5}
KEEL=${KEEL_BIN:-$ROOT/build/keel}
CACHE=${CACHE_DIR:-/tmp/keel-bench-cache}
FILE="$CACHE/events_${ROWS}.csv"
THREADS=${THREADS:-$(nproc)}

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

# The npm peers: installed once into the cache, next to copies of the reader scripts.
PEERS="$CACHE/npm"
if command -v node >/dev/null && command -v npm >/dev/null; then
  mkdir -p "$PEERS"
  cp "$ROOT"/bench/csv_peers/package.json "$ROOT"/bench/csv_peers/*.mjs "$PEERS/"
  if [ ! -d "$PEERS/node_modules/nodejs-polars-linux-x64-gnu" ] || [ ! -d "$PEERS/node_modules/@duckdb/node-api" ]; then
    echo "csv_bench: installing DuckDB and Polars from the npm registry into $PEERS..." >&2
    (cd "$PEERS" && npm install --no-audit --no-fund >/dev/null 2>&1) || echo "csv_bench: npm install failed; DuckDB and Polars are skipped" >&2
  fi
else
  echo "csv_bench: node/npm not found; DuckDB and Polars are skipped" >&2
fi

exec /usr/bin/python3 - "$KEEL" "$FILE" "$ROWS" "$REPEATS" "$THREADS" "$PEERS" <<'PY'
import json, os, re, subprocess, sys, time
keel, path, rows, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
threads, peers = int(sys.argv[5]), sys.argv[6]
size = os.path.getsize(path)
mb = size / 1e6

# Warm the page cache so neither side pays for the disk.
with open(path, "rb") as f:
    while f.read(1 << 24):
        pass

keel_lib, keel_wall = [], []
for _ in range(repeats):
    t = time.perf_counter()
    r = subprocess.run([keel, "ingest", path, "--json", "--quiet", "--threads", str(threads)],
                       capture_output=True, text=True)
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

def node_peer(script, *args, env=None):
    # Best of the script's own timings (it reads the file REPEATS times in one process, so
    # node's start-up and the package's load are not counted), or None when it cannot run.
    if not os.path.isdir(os.path.join(peers, "node_modules")):
        return None
    r = subprocess.run(["node", script, path, str(repeats), *args], cwd=peers, capture_output=True,
                       text=True, env={**os.environ, **(env or {})})
    times = [float(t) for t, n in re.findall(r"seconds=([0-9.]+) rows=([0-9]+)", r.stdout)
             if int(n) == rows]
    if r.returncode != 0 or len(times) != repeats:
        print(f"{script} failed ({r.returncode}): {(r.stderr or r.stdout).strip()[-300:]}", file=sys.stderr)
        return None
    return min(times)

duck = node_peer("read_duckdb.mjs", str(threads))
polars = node_peer("read_polars.mjs", env={"POLARS_MAX_THREADS": str(threads)})

def line(name, secs):
    print(f"{name:<32} {secs:8.3f} s  {mb / secs:8.1f} MB/s  {rows / secs / 1e6:7.2f} M rows/s")

best_lib, best_wall, best_pd = min(keel_lib), min(keel_wall), min(pandas_times)
print(f"file: {path} ({mb:.1f} MB, {rows} rows, 13 columns); best of {repeats}; "
      f"{os.cpu_count()} cores; {threads} threads for keel, DuckDB and Polars, 1 for pandas")
line(f"keel ReadTable ({threads} threads)", best_lib)
line(f"keel ingest process ({threads} thr)", best_wall)
line("pandas.read_csv (1 thread)", best_pd)
if duck is not None:
    line(f"duckdb read_csv ({threads} threads)", duck)
if polars is not None:
    line(f"polars readCSV ({threads} threads)", polars)
print(f"ratio keel/pandas: {best_pd / best_lib:.2f}x (library read), {best_pd / best_wall:.2f}x (whole process)")
for name, secs in (("duckdb", duck), ("polars", polars)):
    if secs is not None:
        print(f"ratio keel/{name}: {secs / best_lib:.2f}x (library read), {secs / best_wall:.2f}x (whole process)")
PY
