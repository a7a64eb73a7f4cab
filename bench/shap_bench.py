#!/usr/bin/python3
"""The XGBoost side of bench/shap_bench.sh: model, data, and XGBoost's TreeSHAP timings.

    /usr/bin/python3 bench/shap_bench.py --out DIR [--trees 500] [--depth 6] [--rows 10000]
        [--threads 2] [--repeats 3] [--single-calls 300]

Writes into DIR:
    model.json        XGBoost binary:logistic model (hist, depth --depth, --trees rounds,
                      eta 0.1, 2 threads) trained on a make_classification data set
                      (28 features, 20 informative, random_state 0) with 5% missing values
    test.csv          --rows held-out rows (missing as empty cells, float32 values written
                      exactly): what `keel explain` reads
    contribs.csv      XGBoost's pred_contribs for those rows (feature columns + bias)
    X_test.f32, contribs.f32   the rows and their contributions for the C++ benchmark
                      programs (int64 rows, int64 cols, then row-major float32)
    xgb.json          timings: pred_contribs rows/s on all rows with --threads threads (best and
                      median of --repeats), single-row pred_contribs latency (DMatrix of one row
                      + predict, from Python: includes Python's call overhead)
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import xgboost as xgb
from sklearn.datasets import make_classification


def write_f32(path, a):
    a = np.ascontiguousarray(a, dtype=np.float32)
    with open(path, "wb") as f:
        f.write(struct.pack("<qq", a.shape[0], a.shape[1]))
        f.write(a.tobytes())


def fmt(v):
    v = float(v)
    return "" if v != v else repr(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--train-rows", type=int, default=20000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--single-calls", type=int, default=300)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    n = a.train_rows + a.rows
    X, y = make_classification(n_samples=n, n_features=28, n_informative=20, random_state=0)
    X = X.astype(np.float32)
    rng = np.random.RandomState(1)
    X[rng.rand(*X.shape) < 0.05] = np.nan
    names = [f"x{i}" for i in range(X.shape[1])]
    Xtr, ytr, Xte = X[: a.train_rows], y[: a.train_rows], X[a.train_rows:]

    model_path = os.path.join(a.out, "model.json")
    if not os.path.exists(model_path):
        dtr = xgb.DMatrix(Xtr, label=ytr, feature_names=names)
        params = dict(objective="binary:logistic", tree_method="hist", max_depth=a.depth, eta=0.1,
                      max_bin=255, nthread=a.threads, seed=1)
        bst = xgb.train(params, dtr, num_boost_round=a.trees)
        bst.save_model(model_path)
    bst = xgb.Booster(model_file=model_path)
    bst.set_param({"nthread": a.threads})

    with open(os.path.join(a.out, "test.csv"), "w") as f:
        f.write(",".join(names) + "\n")
        for row in Xte:
            f.write(",".join(fmt(v) for v in row) + "\n")
    dte = xgb.DMatrix(Xte, feature_names=names)

    # Throughput: pred_contribs over all rows, --threads threads.
    times = []
    contribs = None
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        contribs = bst.predict(dte, pred_contribs=True)
        times.append(time.perf_counter() - t0)
    with open(os.path.join(a.out, "contribs.csv"), "w") as f:
        f.write(",".join(names + ["bias"]) + "\n")
        for row in contribs:
            f.write(",".join(fmt(v) for v in row) + "\n")
    write_f32(os.path.join(a.out, "X_test.f32"), Xte)
    write_f32(os.path.join(a.out, "contribs.f32"), contribs)

    # Single-row latency: one DMatrix of one row and one predict call per request.
    lat = []
    for i in range(min(50, len(Xte))):  # warm-up
        bst.predict(xgb.DMatrix(Xte[i: i + 1], feature_names=names), pred_contribs=True)
    for i in range(a.single_calls):
        row = Xte[i % len(Xte): i % len(Xte) + 1]
        t0 = time.perf_counter()
        bst.predict(xgb.DMatrix(row, feature_names=names), pred_contribs=True)
        lat.append((time.perf_counter() - t0) * 1e6)
    lat.sort()
    times.sort()
    out = {
        "xgboost": xgb.__version__,
        "rows": int(len(Xte)),
        "trees": a.trees,
        "depth": a.depth,
        "threads": a.threads,
        "best_seconds": times[0],
        "median_seconds": times[len(times) // 2],
        "rows_per_second": len(Xte) / times[0],
        "rows_per_second_median": len(Xte) / times[len(times) // 2],
        "single_row_median_us": lat[len(lat) // 2],
        "single_row_p99_us": lat[min(len(lat) - 1, int(0.99 * len(lat)))],
        "single_calls": a.single_calls,
    }
    with open(os.path.join(a.out, "xgb.json"), "w") as f:
        json.dump(out, f)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
