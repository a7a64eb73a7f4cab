#!/usr/bin/env python3
"""Builds the model both servers of bench/serve_bench.sh answer with: an XGBoost booster
(default 500 trees) trained on the CTR data, its schema for `keel import --schema` (so Keel
reads category texts), a one-instance request body, and XGBoost's own prediction for it.

Usage: serve_bench_model.py --data ctr_100k.csv --out DIR [--trees 500] [--depth 6]
Writes DIR/ctr_xgb.json, DIR/schema.yaml, DIR/features.json, DIR/body.json, DIR/expected.txt.
"""
import argparse
import json
import os

import pandas as pd
import xgboost as xgb

NUMERIC = ["hour", "user_age", "bid", "ad_cost"]
CATEGORICAL = ["ad_category", "device", "country", "user_gender"]
TARGET = "clicked"
# Other columns of the file, with their schema roles (accepted in requests, not used).
OTHER = {"event_time": ("timestamp", "time"), "user_id": ("string", "id"),
         "ad_id": ("string", "ignore"), "advertiser_id": ("string", "ignore")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--depth", type=int, default=6)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    df = pd.read_csv(a.data)
    features = [c for c in df.columns if c in NUMERIC or c in CATEGORICAL]  # file order
    cats = {c: sorted(df[c].dropna().astype(str).unique()) for c in CATEGORICAL}
    X = pd.DataFrame({c: (pd.Categorical(df[c].astype(str), categories=cats[c])
                          if c in cats else df[c].astype(float)) for c in features})
    y = df[TARGET].astype(int)
    dtrain = xgb.DMatrix(X, y, enable_categorical=True)
    params = {"objective": "binary:logistic", "max_depth": a.depth, "eta": 0.05,
              "tree_method": "hist", "max_cat_to_onehot": 1, "nthread": 2, "seed": 7}
    booster = xgb.train(params, dtrain, num_boost_round=a.trees)
    booster.save_model(os.path.join(a.out, "ctr_xgb.json"))

    # The schema: every column of the file, features in the model's order.
    lines = ["version: 1", "columns:"]
    for c in df.columns:
        if c in features:
            if c in cats:
                lines += [f"  - name: {c}", "    kind: categorical", "    role: feature",
                          "    categories: [" + ", ".join(json.dumps(v) for v in cats[c]) + "]"]
            else:
                lines += [f"  - name: {c}", "    kind: numeric", "    role: feature"]
        elif c == TARGET:
            lines += [f"  - name: {c}", "    kind: categorical", "    role: target",
                      "    labels:", "      classes: ['0', '1']"]
        elif c in OTHER:
            kind, role = OTHER[c]
            lines += [f"  - name: {c}", f"    kind: {kind}", f"    role: {role}"]
    with open(os.path.join(a.out, "schema.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(a.out, "features.json"), "w") as f:
        json.dump({"features": features, "categories": cats}, f)

    # One request instance: the first row, every column but the target, as a client sends it.
    row = df.iloc[0]
    inst = {}
    for c in df.columns:
        if c == TARGET:
            continue
        v = row[c]
        inst[c] = v.item() if hasattr(v, "item") else v
    with open(os.path.join(a.out, "body.json"), "w") as f:
        json.dump({"instances": [inst]}, f, separators=(",", ":"))
    p = booster.predict(xgb.DMatrix(X.iloc[:1], enable_categorical=True))[0]
    with open(os.path.join(a.out, "expected.txt"), "w") as f:
        f.write(repr(float(p)) + "\n")


if __name__ == "__main__":
    main()
