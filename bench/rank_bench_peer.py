#!/usr/bin/python3
"""The peer of keel_rank_bench: the same ranking request in Python with XGBoost and NumPy.

Trains an XGBoost classifier on the ads example's click log (hist, categorical features
native, the tree count and depth given), then times one request of N candidates: predict
P(click), evaluate clicks = p, revenue = p * bid, profit = p * (bid - ad_cost), drop
bid < reserve, divide each objective by its max over the request, weight, sort, and pick
the top K with at most one ad per advertiser. Prints median/p90/p99 in microseconds; the last
line is JSON.

  /usr/bin/python3 bench/rank_bench_peer.py TRAIN.csv REQUESTS.csv --trees T --depth D
      [--candidates 1000] [--requests 2000] [--top 3]
"""
import argparse
import json
import time

import numpy as np
import pandas as pd
import xgboost as xgb

FEATURES = ["ad_category", "device", "country", "hour", "user_age", "user_gender", "bid",
            "ad_cost"]
CATEGORICAL = ["ad_category", "device", "country", "user_gender"]


def frame(df, categories):
    x = df[FEATURES].copy()
    for c in CATEGORICAL:
        x[c] = pd.Categorical(x[c], categories=categories[c])
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("requests")
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--requests-count", dest="count", type=int, default=2000)
    ap.add_argument("--top", type=int, default=3)
    a = ap.parse_args()

    train = pd.read_csv(a.train)
    log = pd.read_csv(a.requests)
    categories = {c: sorted(set(train[c]) | set(log[c])) for c in CATEGORICAL}
    model = xgb.XGBClassifier(n_estimators=a.trees, max_depth=a.depth, learning_rate=0.1,
                              tree_method="hist", enable_categorical=True, n_jobs=1)
    model.fit(frame(train, categories), train["clicked"])
    booster = model.get_booster()
    booster.set_param({"nthread": 1})

    windows = []
    for w in range(min(16, len(log) // a.candidates)):
        part = log.iloc[w * a.candidates:(w + 1) * a.candidates]
        windows.append((frame(part, categories), part["bid"].to_numpy(),
                        part["ad_cost"].to_numpy(), part["reserve"].to_numpy(),
                        pd.factorize(part["advertiser_id"])[0]))
    weights = np.array([1.0, 1.0, 1.0])

    def rank(x, bid, cost, reserve, adv):
        p = booster.inplace_predict(x)
        ok = bid >= reserve
        values = np.stack([p, p * bid, p * (bid - cost)])[:, ok]
        values /= np.abs(values).max(axis=1, keepdims=True)
        score = weights @ values
        rows = np.flatnonzero(ok)[np.argsort(-score, kind="stable")]
        shown, used = [], set()
        for r in rows:
            if adv[r] in used:
                continue
            used.add(adv[r])
            shown.append(r)
            if len(shown) == a.top:
                break
        return shown

    times = []
    for i in range(a.count + a.count // 10):
        t0 = time.perf_counter()
        rank(*windows[i % len(windows)])
        t1 = time.perf_counter()
        if i >= a.count // 10:
            times.append((t1 - t0) * 1e6)
    t = np.array(times)
    med, p90, p99 = np.percentile(t, [50, 90, 99])
    print(f"peer (XGBoost {xgb.__version__} inplace_predict + NumPy), {a.trees} trees depth "
          f"{a.depth}: median {med:.1f} us  p90 {p90:.1f} us  p99 {p99:.1f} us")
    print(json.dumps({"peer_median_us": med, "peer_p90_us": p90, "peer_p99_us": p99}))


if __name__ == "__main__":
    main()
