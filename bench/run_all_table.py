#!/usr/bin/python3
"""Builds bench/run-all.sh's summary table from the benchmarks' logs.

    run_all_table.py LOG_DIR RESULTS_MD WRITE(0|1)

Each benchmark prints its own table for people; this reads the headline rows out of those
logs (one parser per benchmark, next to the format it reads) and prints one Markdown table:
measure, Keel, peer, and Keel's advantage (peer time / Keel time, or Keel rate / peer rate,
so > 1 means Keel is better). With WRITE=1 the table replaces the block between
"<!-- run-all:begin -->" and "<!-- run-all:end -->" in RESULTS_MD (inserted after the title
the first time). A benchmark whose log is missing or unparseable is listed as such.
"""
import datetime
import os
import platform
import re
import sys

BEGIN, END = "<!-- run-all:begin -->", "<!-- run-all:end -->"


def num(s):
    return float(s.replace(",", ""))


def csv_rows(t):
    k = re.search(r"keel ReadTable \((\d+) threads\)\s+([0-9.]+) s", t)
    n = re.search(r"\((?:[0-9.]+) MB, (\d+) rows", t)
    size = f"{int(n.group(1)) / 1e6:g}M" if n else "?"
    out = []
    for label, pattern in (("pandas.read_csv (1 thread)", r"pandas\.read_csv \(1 thread\)"),
                           ("DuckDB read_csv", r"duckdb read_csv \(\d+ threads\)"),
                           ("Polars readCSV", r"polars readCSV \(\d+ threads\)")):
        p = re.search(pattern + r"\s+([0-9.]+) s", t)
        if p:
            peer = label if "thread" in label else f"{label} ({k.group(1)} threads)"
            out.append((f"CSV read, {size} rows, keel {k.group(1)} threads (s)", num(k.group(2)),
                        num(p.group(1)), peer, "lower"))
    return out


def train_rows(t):
    out = []
    for m in re.finditer(r"^(\S+)\s+(\d+)\s+(binary|multi|reg)\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+\s+\S+"
                         r"\s+([0-9.]+)\s+([0-9.]+)", t, re.M):
        name, task = m.group(1), m.group(3)
        metric = "RMSE" if task == "reg" else "AUC"
        out.append((f"train {name}: test {metric}", num(m.group(4)), num(m.group(5)),
                    "XGBoost hist", "lower" if task == "reg" else "higher"))
        out.append((f"train {name}: seconds", num(m.group(7)), num(m.group(8)), "XGBoost hist",
                    "lower"))
    return out


def md_table_rows(t, peer, spec):
    """spec: [(row label regex, our label, better, keel col, peer col)] over '|' rows."""
    out = []
    for line in t.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        for pattern, label, better, kc, pc in spec:
            if re.fullmatch(pattern, cells[0]):
                try:
                    k = num(re.sub(r"[^0-9.,]", "", cells[kc]))
                    p = num(re.sub(r"[^0-9.,]", "", cells[pc]))
                except (ValueError, IndexError):
                    continue
                out.append((label.format(*re.fullmatch(pattern, cells[0]).groups()), k, p, peer,
                            better))
    return out


def predict_rows(t):
    return md_table_rows(t, "XGBoost C API", [
        (r"single-row latency, median \(us\)", "predict: single row, median (us)", "lower", 1, 2),
        (r"batch rows/s, (\d) threads?", "predict: batch rows/s, {} thread(s)", "higher", 1, 2),
    ])


def shap_rows(t):
    return md_table_rows(t, "XGBoost pred_contribs", [
        (r"rows/s, (\d) threads?", "SHAP: rows/s, {} thread(s)", "higher", 1, 3),
        (r"single-row latency, median \(us\)", "SHAP: single row, median (us)", "lower", 1, 3),
    ])


def rank_rows(t):
    return md_table_rows(t, "XGBoost + NumPy", [
        (r"(median|p99)", "rank: 1,000 candidates, {} (us)", "lower", 1, 2),
    ])


def drift_rows(t):
    out = []
    m = re.search(r"profile building: keel ([0-9,]+) rows/s .*pandas\+numpy ([0-9,]+) rows/s", t)
    if m:
        out.append(("drift profile, 1M rows (rows/s)", num(m.group(1)), num(m.group(2)),
                    "pandas + numpy", "higher"))
    k = re.search(r"drift windows on : ([0-9,]+) rows/s", t)
    p = re.search(r"peer \(python json \+ xgboost 500 trees\)\s+: ([0-9,]+) rows/s", t)
    if k and p:
        out.append(("stream, 500 trees, drift on (rows/s)", num(k.group(1)), num(p.group(1)),
                    "Python json + XGBoost", "higher"))
    return out


def serve_rows(t):
    out = []
    f = re.search(r"^flask \+ xgboost\s+(\d+)\s+(\d+)\s+(\d+)", t, re.M)
    if not f:
        return out
    for m in re.finditer(r"^(keel --threads \d+(?: \+ reloads)?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)"
                         r"\s+(\d+)", t, re.M):
        label = m.group(1).replace("keel ", "serve ")
        out.append((f"{label}: req/s (errors {int(m.group(5)) + int(m.group(6))})",
                    num(m.group(2)), num(f.group(1)), "Flask + XGBoost", "higher"))
        out.append((f"{label}: p99 (us)", num(m.group(4)), num(f.group(3)), "Flask + XGBoost",
                    "lower"))
    return out


PARSERS = [("csv", csv_rows), ("train", train_rows), ("predict", predict_rows),
           ("shap", shap_rows), ("drift", drift_rows), ("serve", serve_rows), ("rank", rank_rows)]


def fmt(v):
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.4g}"


def main():
    logs, results, write = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [BEGIN, "## Summary: every benchmark against its peer (bench/run-all.sh)", "",
             f"{now}; {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}. "
             "Advantage = how many times better Keel is (peer time / Keel time, or Keel rate / "
             "peer rate; for accuracy rows the plain ratio). Load = 1-minute load average when the "
             "benchmark started (timings are only meaningful near 0).", "",
             "| benchmark | measure | Keel | peer | peer value | Keel advantage | load |",
             "| --- | --- | ---: | --- | ---: | ---: | ---: |"]
    for name, parse in PARSERS:
        path = os.path.join(logs, name + ".log")
        if not os.path.exists(path):
            continue
        load = "?"
        if os.path.exists(os.path.join(logs, name + ".load")):
            load = open(os.path.join(logs, name + ".load")).read().strip()
        try:
            rows = parse(open(path, errors="replace").read())
        except Exception as e:  # a format change must not lose the other rows
            rows = []
            print(f"run_all_table: cannot parse {path}: {e}", file=sys.stderr)
        if not rows:
            lines.append(f"| {name} | (no result: see its log) | | | | | {load} |")
            continue
        for measure, keel, peer_value, peer, better in rows:
            if better == "lower":
                adv = peer_value / keel if keel else float("inf")
            else:
                adv = keel / peer_value if peer_value else float("inf")
            lines.append(f"| {name} | {measure} | {fmt(keel)} | {peer} | {fmt(peer_value)} | "
                         f"{adv:.2f}x | {load} |")
    lines.append(END)
    table = "\n".join(lines)
    print(table)
    if not write:
        return 0
    text = open(results).read() if os.path.exists(results) else "# Benchmark results\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + table + text[text.index(END) + len(END):]
    else:
        first_nl = text.find("\n")
        text = text[:first_nl + 1] + "\n" + table + "\n" + text[first_nl + 1:]
    open(results, "w").write(text)
    print(f"run_all_table: wrote the summary to {results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
