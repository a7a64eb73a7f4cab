#!/usr/bin/python3
"""Trains the prediction benchmark's model and writes the rows both libraries predict.

    /usr/bin/python3 bench/predict_make_model.py OUT_DIR [--trees 500] [--depth 6] [--rows N]
        [--train-rows N]

Writes to OUT_DIR:
    xgb_model.json   XGBoost binary:logistic model, `trees` trees of max_depth `depth`
    rows.f32         100,000 rows to predict: int64 rows, int64 cols, then row-major float32
                     (the format of /work/shared/bench; 5% of the cells are missing)
    xgb_pred.f32     XGBoost's probabilities for those rows (same format, 1 column)
Data: sklearn make_classification (28 features, 20 informative, random_state=0), 200,000
rows for training (--train-rows); the rows to predict are fresh draws of the same distribution.
"""
import argparse
import os

import numpy as np
import xgboost as xgb
from sklearn.datasets import make_classification


def write_f32(path, a):
    a = np.ascontiguousarray(a, dtype=np.float32)
    with open(path, "wb") as f:
        np.array([a.shape[0], a.shape[1]], dtype=np.int64).tofile(f)
        a.tofile(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--train-rows", type=int, default=200000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    n = args.train_rows
    X, y = make_classification(n_samples=n + args.rows, n_features=28, n_informative=20,
                               random_state=0)
    X = X.astype(np.float32)
    rng = np.random.RandomState(1)
    X[rng.rand(*X.shape) < 0.05] = np.nan
    Xtr, ytr, Xte = X[:n], y[:n], X[n:]
    d = xgb.DMatrix(Xtr, label=ytr)
    params = dict(objective="binary:logistic", tree_method="hist", max_depth=args.depth, eta=0.1,
                  max_bin=255, nthread=2, seed=1)
    bst = xgb.train(params, d, num_boost_round=args.trees)
    bst.save_model(os.path.join(args.out, "xgb_model.json"))
    write_f32(os.path.join(args.out, "rows.f32"), Xte)
    pred = bst.predict(xgb.DMatrix(Xte))
    write_f32(os.path.join(args.out, "xgb_pred.f32"), pred.reshape(-1, 1))
    print(f"model: {args.trees} trees, depth {args.depth}; {len(Xte)} rows x {X.shape[1]}")


if __name__ == "__main__":
    main()
