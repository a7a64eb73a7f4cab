#!/usr/bin/env python3
"""Writes extra seeds of the model importer fuzz targets:
- tests/fuzz/corpus/xgboost_import/: tiny XGBoost JSON models (2-3 trees of depth <= 2)
  covering the objectives, categorical splits (partition and one-hot), missing values, base
  scores, a DART booster and a linear booster (unsupported: the importer's error path);
- tests/fuzz/corpus/lightgbm_import/: variants of the hand-written binary_splits.txt seed with
  other objectives, an averaged (random forest) model, a linear tree (unsupported) and a
  pandas_categorical trailer;
- tests/fuzz/corpus/model_loader/ (only when KEEL_BIN names a keel binary): a linear model and
  a 2-tree model with its training schema and profile, trained by `keel train` on 60 random
  rows, each prefixed with the target's option byte (odd = repair checksums, even = as is).
Needs xgboost (Debian's python3-xgboost). Run: /usr/bin/python3 tests/fuzz/make_model_corpus.py
"""
import json
import os

import numpy as np
import pandas as pd
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "xgboost_import")


def data(n=60, seed=0):
    r = np.random.default_rng(seed)
    x = pd.DataFrame({
        "a": r.normal(size=n),
        "b": np.where(r.random(n) < 0.2, np.nan, r.normal(size=n)),
        "c": pd.Categorical(r.choice(["x", "y", "z", "w"], size=n)),
    })
    return x, r


def save(name, booster):
    text = booster.save_raw("json").decode()
    # Compact and stable: the importer reads any JSON layout.
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        f.write(json.dumps(json.loads(text), separators=(",", ":")))


def train(params, x, y, rounds=2):
    d = xgb.DMatrix(x, y, enable_categorical=True)
    p = {"max_depth": 2, "eta": 0.5, "tree_method": "hist", "nthread": 1, "seed": 1}
    p.update(params)
    return xgb.train(p, d, num_boost_round=rounds)


LIGHTGBM_VARIANTS = {
    "regression_l1": [("objective=binary sigmoid:1", "objective=regression_l1")],
    "huber": [("objective=binary sigmoid:1", "objective=huber")],
    "cross_entropy": [("objective=binary sigmoid:1", "objective=cross_entropy")],
    "poisson": [("objective=binary sigmoid:1", "objective=poisson")],
    "average_output": [("tree_sizes=", "average_output\ntree_sizes=")],
    "linear_tree": [("is_linear=0\nshrinkage=0.1", "is_linear=1\nshrinkage=0.1")],
    "pandas_categorical": [("pandas_categorical:null",
                            'pandas_categorical:[["p", "q", "r", "s"]]')],
    "negative_sigmoid": [("sigmoid:1", "sigmoid:-2.5")],
}


def lightgbm_variants():
    out = os.path.join(HERE, "corpus", "lightgbm_import")
    with open(os.path.join(out, "binary_splits.txt")) as f:
        base = f.read()
    for name, edits in LIGHTGBM_VARIANTS.items():
        text = base
        for old, new in edits:
            assert old in text, (name, old)
            text = text.replace(old, new, 1)
        with open(os.path.join(out, name + ".txt"), "w") as f:
            f.write(text)


def keel_seeds():
    import random
    import subprocess
    import tempfile
    keel = os.environ.get("KEEL_BIN")
    if not keel:
        return
    out = os.path.join(HERE, "corpus", "model_loader")
    rnd = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "tiny.csv")
        with open(data, "w") as f:
            f.write("x,c,y\n")
            for _ in range(60):
                x = rnd.gauss(0, 1)
                f.write(f"{x:.3f},{rnd.choice('ab')},{int(x + rnd.gauss(0, 1) > 0)}\n")
        models = {"linear": ["--algo", "linear"],
                  "gbdt_profile": ["--trees", "2", "--leaves", "3", "--min-data-in-leaf", "5"]}
        for name, extra in models.items():
            path = os.path.join(tmp, name + ".keel")
            subprocess.run([keel, "train", "--data", data, "--target", "y", "--test-size", "0",
                            "--quiet", "--out", path] + extra, check=True,
                           stdout=subprocess.DEVNULL)
            with open(path, "rb") as f:
                model = f.read()
            for prefix, suffix in ((b"\x01", "repair"), (b"\x00", "plain")):
                with open(os.path.join(out, f"{name}_{suffix}.bin"), "wb") as f:
                    f.write(prefix + model)


def main():
    keel_seeds()
    lightgbm_variants()
    os.makedirs(OUT, exist_ok=True)
    x, r = data()
    y_bin = (x["a"] + r.normal(size=len(x)) > 0).astype(int)
    y_reg = x["a"] * 2 + r.normal(size=len(x))
    y_cnt = r.poisson(2, size=len(x))
    y_mc = r.integers(0, 3, size=len(x))
    save("binary_logistic", train({"objective": "binary:logistic"}, x, y_bin))
    save("binary_logitraw_base", train({"objective": "binary:logitraw", "base_score": 0.3},
                                       x, y_bin))
    save("binary_onehot", train({"objective": "binary:logistic", "max_cat_to_onehot": 8},
                                x, y_bin))
    save("reg_squared", train({"objective": "reg:squarederror"}, x[["a", "b"]], y_reg))
    save("reg_absolute", train({"objective": "reg:absoluteerror"}, x[["a", "b"]], y_reg))
    save("reg_logistic", train({"objective": "reg:logistic"}, x[["a"]],
                               (y_reg > 0).astype(float)))
    save("count_poisson", train({"objective": "count:poisson"}, x, y_cnt))
    save("multi_softprob", train({"objective": "multi:softprob", "num_class": 3}, x, y_mc))
    save("multi_softmax", train({"objective": "multi:softmax", "num_class": 3}, x[["a"]], y_mc,
                                rounds=1))
    save("dart", train({"objective": "binary:logistic", "booster": "dart", "rate_drop": 0.5},
                       x[["a", "b"]], y_bin))
    save("gblinear", train({"objective": "reg:squarederror", "booster": "gblinear"},
                           x[["a", "b"]], y_reg))
    save("single_leaf", train({"objective": "binary:logistic", "max_depth": 0,
                               "min_child_weight": 1e9}, x[["a"]], y_bin, rounds=1))


if __name__ == "__main__":
    main()
