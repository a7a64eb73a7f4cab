#!/usr/bin/python3
"""Keel from Python against its peers and against Keel's C++ API, in one run (issue 20).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [OUT_DIR] [--tiny]
        [--cpp-bench build-bench/bench/keel_predict_bench] [--keel build/keel]

Measures, and prints as a table with ratios:
  * single-row latency (median of 3,000 calls, each timed alone, after 200 warm-up calls) of
    Model.predict_proba on a 1 x 28 float32 numpy row and of Model.predict_row on a dict row,
    against XGBoost's Booster.inplace_predict on the same row and the same 500-tree depth-6
    model (trained by bench/predict_make_model.py, imported with `keel import`), and against
    the C++ API's single-row time (keel_predict_bench's BM_SingleRowLatency p50, on the same
    model and rows) when that binary exists (bench/predict_bench.sh builds it);
  * batch throughput: predict_proba on the 100,000 rows (1 and 2 threads) against the C++
    API's PredictBatch (BM_Batch) on the same rows;
  * keel.read_csv against pandas.read_csv on the 1M-row events file (bench/gen_events.py);
  * keel.train from a DataFrame against xgboost.XGBClassifier.fit from the same DataFrame
    (200,000 x 28 numeric rows, 500 trees, depth 6, learning rate 0.1, 2 threads).
--tiny shrinks every size (a smoke test that the script runs; its numbers mean nothing).
Targets (issue 20): single row <= 1/20 of XGBoost's and within 2 us of the C++ API; batch
within 10% of the C++ API; read_csv >= 3x pandas.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.datasets import make_classification

import keel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_f32(path):
    with open(path, "rb") as f:
        rows, cols = np.fromfile(f, dtype=np.int64, count=2)
        return np.fromfile(f, dtype=np.float32).reshape(int(rows), int(cols))


def median_latency_us(fn, inputs, calls):
    for x in inputs[:200]:
        fn(x)
    times = []
    for i in range(calls):
        x = inputs[i % len(inputs)]
        t0 = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def best_seconds(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def make_model(out, args):
    """The prediction benchmark's model and rows (bench/predict_make_model.py), imported."""
    if not os.path.exists(os.path.join(out, "xgb_model.json")):
        cmd = [sys.executable, os.path.join(ROOT, "bench", "predict_make_model.py"), out,
               "--trees", str(args.trees), "--rows", str(args.rows)]
        if args.tiny:
            cmd += ["--train-rows", "5000"]
        subprocess.run(cmd, check=True)
    keel_model = os.path.join(out, "model.keel")
    subprocess.run([args.keel, "import", "--from", "xgboost", os.path.join(out, "xgb_model.json"),
                    "--out", keel_model], check=True, capture_output=True)
    return keel_model


def cpp_numbers(binary, out):
    """keel_predict_bench's single-row p50 (us) and batch rows/s by threads, or None."""
    if not binary or not os.path.exists(binary):
        return None
    result = os.path.join(out, "cpp.json")
    subprocess.run([binary, "--model", os.path.join(out, "xgb_model.json"), "--rows",
                    os.path.join(out, "rows.f32"), "--benchmark_format=json",
                    f"--benchmark_out={result}", "--benchmark_out_format=json"],
                   check=True, capture_output=True)
    runs = json.load(open(result))["benchmarks"]
    single = next(r for r in runs if r["name"].startswith("BM_SingleRowLatency"))
    batch = {int(r["name"].split("threads:")[1].split("/")[0]): r["rows_per_second"]
             for r in runs if r["name"].startswith("BM_Batch")}
    return single["p50_ns"] / 1e3, batch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default=os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                           "keel-python-bench"))
    ap.add_argument("--tiny", action="store_true", help="small sizes: checks the script runs")
    ap.add_argument("--keel", default=os.path.join(ROOT, "build", "keel"))
    ap.add_argument("--cpp-bench", default=os.path.join(
        os.environ.get("KEEL_BENCH_BUILD", os.path.join(ROOT, "build-bench")), "bench",
        "keel_predict_bench"))
    args = ap.parse_args()
    args.trees, args.rows = (20, 2000) if args.tiny else (500, 100000)
    events_rows, train_rows = (20000, 5000) if args.tiny else (1000000, 200000)
    calls, repeats = (500, 1) if args.tiny else (3000, 3)
    out = os.path.join(args.out, "tiny" if args.tiny else "full")
    os.makedirs(out, exist_ok=True)
    table = []  # (measure, keel, peer, peer name, ratio text)

    # Single row and batch: the same model and rows as bench/predict_bench.sh.
    model = keel.load(make_model(out, args))
    booster = xgb.Booster(model_file=os.path.join(out, "xgb_model.json"))
    booster.set_param({"nthread": 1})
    x = read_f32(os.path.join(out, "rows.f32"))
    rows = [x[i:i + 1].copy() for i in range(min(len(x), 10000))]
    dicts = [dict(zip(model.features, map(float, r[0]))) for r in rows]
    k_np = median_latency_us(model.predict_proba, rows, calls)
    k_dict = median_latency_us(model.predict_row, dicts, calls)
    x_np = median_latency_us(booster.inplace_predict, rows, calls)
    cpp = cpp_numbers(args.cpp_bench, out)
    table.append(("single row, numpy (us)", k_np, x_np, "XGBoost inplace_predict",
                  f"{x_np / k_np:.1f}x"))
    table.append(("single row, dict (us)", k_dict, x_np, "XGBoost inplace_predict",
                  f"{x_np / k_dict:.1f}x"))
    if cpp:
        table.append(("single row, numpy (us)", k_np, cpp[0], "Keel C++ API",
                      f"+{k_np - cpp[0]:.2f} us"))
        table.append(("single row, dict (us)", k_dict, cpp[0], "Keel C++ API",
                      f"+{k_dict - cpp[0]:.2f} us"))
    for threads in (1, 2):
        seconds = best_seconds(lambda: model.predict_proba(x, threads=threads), repeats)
        rate = len(x) / seconds
        if cpp and threads in cpp[1]:
            table.append((f"batch rows/s, {threads} thread(s)", rate, cpp[1][threads],
                          "Keel C++ API", f"{rate / cpp[1][threads]:.2f}x"))
        else:
            table.append((f"batch rows/s, {threads} thread(s)", rate, float("nan"),
                          "Keel C++ API (not built)", "n/a"))

    # read_csv on the events file.
    events = os.path.join(out, "events.csv")
    if not os.path.exists(events):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_events.py"), "--rows",
                        str(events_rows), "--seed", "42", "--out", events], check=True,
                       capture_output=True)
    k_read = best_seconds(lambda: keel.read_csv(events), repeats)
    p_read = best_seconds(lambda: pd.read_csv(events), repeats)
    table.append((f"read_csv, {events_rows:,} events (s)", k_read, p_read, "pandas.read_csv",
                  f"{p_read / k_read:.2f}x"))

    # Training from one DataFrame.
    xt, yt = make_classification(
        n_samples=train_rows, n_features=28, n_informative=20, random_state=0)
    frame = pd.DataFrame(xt.astype(np.float32), columns=[f"f{i}" for i in range(28)])
    frame["label"] = yt
    k_train = best_seconds(lambda: keel.train(frame, "label", num_trees=args.trees, max_depth=6,
                                              learning_rate=0.1, threads=2, test_size=0), 1)
    features = frame.drop(columns=["label"])
    x_train = best_seconds(lambda: xgb.XGBClassifier(
        n_estimators=args.trees, max_depth=6, learning_rate=0.1, tree_method="hist",
        n_jobs=2).fit(features, frame["label"]), 1)
    table.append((f"train from a DataFrame, {train_rows:,} x 28, {args.trees} trees (s)",
                  k_train, x_train, "XGBClassifier.fit", f"{x_train / k_train:.2f}x"))

    print(f"Keel from Python ({'TINY sizes: not a measurement' if args.tiny else 'full sizes'}); "
          f"xgboost {xgb.__version__}, pandas {pd.__version__}, numpy {np.__version__}; "
          f"load average {os.getloadavg()[0]:.1f}")
    if not cpp:
        print(f"(no C++ API numbers: {args.cpp_bench} is missing; bench/predict_bench.sh "
              "builds it)")
    print()
    print("| measure | Keel (Python) | peer | peer value | ratio |")
    print("| --- | ---: | --- | ---: | ---: |")
    for measure, k, p, peer, ratio in table:
        fmt = "{:,.0f}" if "rows/s" in measure else "{:.2f}"
        print(f"| {measure} | {fmt.format(k)} | {peer} | {fmt.format(p)} | {ratio} |")
    print()
    print("ratio: the peer's time / Keel's (above 1: Keel is faster); against the C++ API, the "
          "microseconds Python adds to a single row, and Python's rows/s / C++'s for batches.")
    print("targets: single row >= 20x XGBoost and <= +2 us over C++; batch >= 0.9x C++; "
          "read_csv >= 3x pandas.")


if __name__ == "__main__":
    main()
