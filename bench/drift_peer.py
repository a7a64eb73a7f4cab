#!/usr/bin/python3
"""Peers for bench/drift_bench.sh, timed on the same files in the same run.

  profile CSV        pandas + numpy computing the summaries a Keel profile holds (count,
                     missing, mean/std/min/max, 20 quantile edges, histogram, value counts)
                     for the same columns; prints rows/s (after the CSV is loaded, like
                     Keel's profile time excludes reading).
  stream MODEL.json JSONL
                     Python json.loads per line + XGBoost inplace_predict in blocks of 16384
                     rows with a 500-tree XGBoost model of the same depth: the usual Python
                     consumer; prints rows/s.
  train CSV OUT.json trains that XGBoost model (500 trees) on CSV for the stream peer.
"""
import json
import sys
import time

import numpy as np
import pandas as pd

NUMERIC = ["hour", "user_age", "bid", "ad_cost"]
CATEGORICAL = ["ad_category", "device", "country", "user_gender"]


def profile(csv):
    d = pd.read_csv(csv, usecols=NUMERIC + CATEGORICAL)
    t = time.perf_counter()
    out = {}
    for c in NUMERIC:
        x = d[c].to_numpy(dtype=float)
        ok = x[~np.isnan(x)]
        edges = np.unique(np.quantile(ok, np.arange(1, 20) / 20))
        out[c] = (len(ok), len(x) - len(ok), ok.mean(), ok.std(), ok.min(), ok.max(),
                  np.histogram(ok, np.concatenate(([-np.inf], edges, [np.inf])))[0],
                  np.unique(ok, return_counts=True))
    for c in CATEGORICAL:
        out[c] = d[c].value_counts(dropna=False)
    s = time.perf_counter() - t
    print(json.dumps({"peer": "pandas+numpy profile", "rows": len(d), "seconds": s,
                      "rows_per_second": len(d) / s}))


def encode(frame, cats):
    x = np.empty((len(frame), len(NUMERIC) + len(CATEGORICAL)), dtype=np.float32)
    for i, c in enumerate(NUMERIC):
        x[:, i] = frame[c].astype(float)
    for j, c in enumerate(CATEGORICAL):
        x[:, len(NUMERIC) + j] = frame[c].map(cats[c]).astype(float)
    return x


def train(csv, out):
    import xgboost as xgb
    d = pd.read_csv(csv)
    cats = {c: {v: i for i, v in enumerate(sorted(d[c].dropna().unique()))} for c in CATEGORICAL}
    x = encode(d, cats)
    m = xgb.XGBClassifier(n_estimators=500, max_depth=6, tree_method="hist", n_jobs=2)
    m.fit(x, d["clicked"].to_numpy())
    m.save_model(out)
    with open(out + ".cats.json", "w") as f:
        json.dump(cats, f)


def stream(model, jsonl):
    import xgboost as xgb
    booster = xgb.Booster()
    booster.load_model(model)
    booster.set_param({"nthread": 2})
    with open(model + ".cats.json") as f:
        cats = json.load(f)
    cols = NUMERIC + CATEGORICAL
    t = time.perf_counter()
    rows = 0
    block = []
    sink = 0.0

    out = open("/dev/null", "w")

    def flush(block):
        x = np.empty((len(block), len(cols)), dtype=np.float32)
        for r, o in enumerate(block):
            for i, c in enumerate(NUMERIC):
                x[r, i] = o.get(c, np.nan)
            for j, c in enumerate(CATEGORICAL):
                x[r, len(NUMERIC) + j] = cats[c].get(o.get(c), np.nan)
        p = booster.inplace_predict(x)
        # Write the same output lines keel stream writes (id, both class probabilities).
        out.write("".join(json.dumps({"user_id": o.get("user_id"), "prob_0": 1 - float(v),
                                      "prob_1": float(v)}) + "\n" for o, v in zip(block, p)))
        return float(p.sum())

    with open(jsonl) as f:
        for line in f:
            block.append(json.loads(line))
            rows += 1
            if len(block) == 16384:
                sink += flush(block)
                block = []
    if block:
        sink += flush(block)
    out.close()
    s = time.perf_counter() - t
    print(json.dumps({"peer": "python json + xgboost inplace_predict", "rows": rows,
                      "seconds": s, "rows_per_second": rows / s}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "profile":
        profile(sys.argv[2])
    elif cmd == "train":
        train(sys.argv[2], sys.argv[3])
    elif cmd == "stream":
        stream(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown command {cmd}")
