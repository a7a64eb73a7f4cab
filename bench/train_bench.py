#!/usr/bin/python3
"""Keel GBDT vs XGBoost (hist): accuracy and training time on the same splits.

    /usr/bin/python3 bench/train_bench.py [--keel build/keel] [--sets NAME,...] [--rows 1000000]

For each data set in tests/data (wa_churn, credit_data, attrition, mlc_churn: binary; ames:
regression) and a gen_events.py file of --rows rows, both libraries train on the same
75/25 stratified split (seed 7) with the same settings: 300 trees, depth 6 (Keel: 63 leaves,
leaf-wise; XGBoost: depth-wise, up to 64 leaves), learning rate 0.05, 255 bins, 2 threads.
Keel runs through its CLI (`keel train --test-size 0` on the training file, then `keel
predict` on the test file); its time is the training time it reports (data in memory to
model built, like XGBoost's fit()), and its wall time including reading the CSV is shown
too. Prints test AUC (RMSE for regression), logloss (MAE), seconds and the ratios.
Timings on a shared machine are provisional: re-run on a quiet one.
"""
import argparse, csv, json, math, os, random, subprocess, sys, tempfile, time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error, roc_auc_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data")
TREES, DEPTH, LEAVES, LR, BINS, THREADS, SEED = 300, 6, 63, 0.05, 255, 2, 1

# name, file, target, positive class (None = regression), columns to drop
SETS = [
    ("wa_churn", "wa_churn.csv", "churn", "Yes", []),
    ("credit_data", "credit_data.csv", "Status", "bad", []),
    ("attrition", "attrition.csv", "Attrition", "Yes", []),
    ("mlc_churn", "mlc_churn.csv", "churn", "yes", []),
    ("ames", "ames.csv", "Sale_Price", None, []),
    # ids (user_id, ad_id) and the timestamp are not features for either library
    ("events_1m", None, "clicked", "1", ["event_time", "user_id", "ad_id"]),
]


def read_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_rows(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def split(src, target, workdir, name, drop, stratify, test_frac=0.25, seed=7):
    """Stratified (classification) or random split of the raw CSV rows."""
    header, rows = read_rows(src)
    keep = [i for i, h in enumerate(header) if h not in drop]
    header = [header[i] for i in keep]
    rows = [[r[i] for i in keep] for r in rows]
    ti = header.index(target)
    rng = random.Random(seed)
    groups = {}
    for r in rows:
        groups.setdefault(r[ti] if stratify else "", []).append(r)
    train, test = [], []
    for key in sorted(groups):
        g = groups[key]
        rng.shuffle(g)
        k = int(round(len(g) * test_frac))
        test += g[:k]
        train += g[k:]
    rng.shuffle(train)
    rng.shuffle(test)
    tr, te = os.path.join(workdir, name + "_train.csv"), os.path.join(workdir, name + "_test.csv")
    write_rows(tr, header, train)
    write_rows(te, header, test)
    return tr, te


def events_file(rows, workdir):
    gen = os.path.join(ROOT, "bench", "gen_events.py")
    if not os.path.exists(gen):
        gen = os.path.join(os.path.dirname(ROOT), "shared", "tools", "gen_events.py")
    if not os.path.exists(gen):
        gen = "/work/shared/tools/gen_events.py"
    cache = os.path.join(tempfile.gettempdir(), "keel-bench-events-%d.csv" % rows)
    if not os.path.exists(cache):
        print("generating %d events with %s ..." % (rows, gen), file=sys.stderr)
        subprocess.run([sys.executable, gen, "--rows", str(rows), "--seed", "42", "--out",
                        cache + ".tmp"], check=True, stderr=subprocess.DEVNULL)
        os.replace(cache + ".tmp", cache)
    return cache


def scores(task, y, p):
    if task == "binary":
        return roc_auc_score(y, p), log_loss(y, np.clip(p, 1e-15, 1 - 1e-15))
    return math.sqrt(mean_squared_error(y, p)), mean_absolute_error(y, p)


def run_keel(keel, tr, te, target, positive, workdir, name):
    model = os.path.join(workdir, name + ".keel")
    args = [keel, "train", "--data", tr, "--target", target, "--algo", "gbdt", "--trees",
            str(TREES), "--depth", str(DEPTH), "--leaves", str(LEAVES), "--lr", str(LR),
            "--bins", str(BINS), "--threads", str(THREADS), "--seed", str(SEED),
            "--test-size", "0", "--out", model, "--json"]
    if positive is not None:
        args += ["--positive", positive]
    t0 = time.time()
    r = subprocess.run(args, capture_output=True, text=True)
    wall = time.time() - t0
    if r.returncode != 0:
        raise RuntimeError("keel train failed: " + (r.stderr or r.stdout)[-500:])
    report = json.loads(r.stdout)
    out = os.path.join(workdir, name + "_pred.csv")
    r = subprocess.run([keel, "predict", "--model", model, "--data", te, "--out", out],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("keel predict failed: " + (r.stderr or r.stdout)[-500:])
    pred = pd.read_csv(out)
    if positive is not None:
        cols = [c for c in pred.columns if c.lower() == ("prob_" + positive).lower()]
        if not cols:
            raise RuntimeError("no prob_%s column in %s" % (positive, list(pred.columns)))
        p = pred[cols[0]].to_numpy()
    else:
        p = pred["prediction"].to_numpy()
    return p, report["training_seconds"], wall


def run_xgb(tr, te, target, positive):
    dtr, dte = pd.read_csv(tr), pd.read_csv(te)

    def prep(d):
        X = d.drop(columns=[target])
        for c in X.columns:
            if X[c].dtype == object:
                X[c] = X[c].astype("category")
        return X

    Xtr, Xte = prep(dtr), prep(dte)
    for c in Xtr.columns:
        if str(Xtr[c].dtype) == "category":
            Xte[c] = pd.Categorical(Xte[c], categories=Xtr[c].cat.categories)
    kw = dict(n_estimators=TREES, max_depth=DEPTH, learning_rate=LR, max_bin=BINS,
              tree_method="hist", enable_categorical=True, n_jobs=THREADS, random_state=SEED)
    if positive is not None:
        ytr = (dtr[target].astype(str) == positive).astype(int)
        m = xgb.XGBClassifier(**kw)
        t0 = time.time()
        m.fit(Xtr, ytr)
        secs = time.time() - t0
        return m.predict_proba(Xte)[:, 1], secs
    m = xgb.XGBRegressor(**kw)
    t0 = time.time()
    m.fit(Xtr, dtr[target])
    secs = time.time() - t0
    return m.predict(Xte), secs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keel", default=os.environ.get("KEEL_BIN", os.path.join(ROOT, "build", "keel")))
    ap.add_argument("--sets", default=",".join(s[0] for s in SETS))
    ap.add_argument("--rows", type=int, default=1000000, help="rows of the generated events file")
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="keel-train-bench-")
    wanted = set(args.sets.split(","))
    lines = []
    hdr = ("%-12s %9s %-5s %8s %8s %8s %9s %9s %8s %8s %8s %7s" %
           ("data", "rows", "task", "keel", "xgb", "gap", "keel_2nd", "xgb_2nd", "keel_s",
            "xgb_s", "wall_s", "time"))
    print(hdr)
    print("%-12s %9s %-5s %8s %8s %8s %9s %9s %8s %8s %8s %7s" %
          ("", "", "", "auc/rmse", "auc/rmse", "", "ll/mae", "ll/mae", "", "", "keel", "ratio"))
    ok = True
    for name, fname, target, positive, drop in SETS:
        if name not in wanted:
            continue
        src = events_file(args.rows, workdir) if fname is None else os.path.join(DATA, fname)
        task = "binary" if positive is not None else "reg"
        tr, te = split(src, target, workdir, name, drop, stratify=positive is not None)
        yte = pd.read_csv(te)[target]
        y = (yte.astype(str) == positive).astype(int).to_numpy() if positive else yte.to_numpy()
        pk, keel_s, wall = run_keel(args.keel, tr, te, target, positive, workdir, name)
        px, xgb_s = run_xgb(tr, te, target, positive)
        k1, k2 = scores("binary" if positive else "reg", y, pk)
        x1, x2 = scores("binary" if positive else "reg", y, px)
        gap = k1 - x1
        rows = len(yte) * 4
        print("%-12s %9d %-5s %8.4f %8.4f %+8.4f %9.4f %9.4f %8.2f %8.2f %8.2f %7.2f" %
              (name, rows, task, k1, x1, gap, k2, x2, keel_s, xgb_s, wall, keel_s / xgb_s),
              flush=True)
        if positive is not None and gap < -0.005:
            ok = False
        if name == "events_1m" and keel_s > xgb_s:
            ok = False
    print("gap = keel - xgboost (AUC: higher is better; RMSE: lower is better); "
          "time ratio = keel training seconds / xgboost fit seconds")
    print("bar: AUC gap >= -0.005 on every classification set, 1M-row time ratio <= 1: %s" %
          ("met" if ok else "NOT met"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
