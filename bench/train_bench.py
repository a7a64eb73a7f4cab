#!/usr/bin/python3
"""Keel GBDT vs XGBoost (hist): accuracy and training time on the same splits.

    /usr/bin/python3 bench/train_bench.py [--keel build/keel] [--sets NAME,...] [--rows 1000000]
                                          [--markdown FILE] [--keel-arg=ARG ...] [--no-xgboost]

Data sets: every classification / regression set in the shared data folder (--data, default
/work/shared/data, else tests/data): wa_churn, credit_data, attrition, mlc_churn, MplsStops
(binary), penguins (multiclass), ames (regression), ctr_100k (binary), plus a file of --rows
rows from gen_events.py (events_1m). Both libraries train on the same 75/25 split (stratified
by class for classification, seed 7; rows without a target are dropped first) with the same
settings: 300 trees, depth 6 (Keel: at most 63 leaves, leaf-wise; XGBoost: depth-wise, up to
64 leaves), learning rate 0.05, 255 bins, 2 threads, categorical columns native in both.
Id and timestamp columns are dropped for both.

Keel runs through its CLI (`keel train --test-size 0` on the training file, then `keel predict`
on the test file). Keel's time is the training time it reports (CSV already parsed into a
table -> model built: target, features, binning and boosting), XGBoost's is fit() on a pandas
frame already in memory (DMatrix building and quantile sketching included). Keel's wall time
including reading the CSV and writing the model is shown too.

Prints test AUC (binary; macro one-vs-rest for multiclass; RMSE for regression), logloss
(MAE for regression), seconds and the time ratio keel / xgboost, with the 1-minute load
average before each set. Timings on a shared machine are provisional: re-run on a quiet one.
Exit status 0 when the issue's bar holds: AUC gap >= -0.005 on every classification set and
the events_1m time ratio <= 1.
"""
import argparse, csv, math, os, random, subprocess, sys, tempfile, time, json

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error, roc_auc_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TREES, DEPTH, LEAVES, LR, BINS, THREADS, SEED = 300, 6, 63, 0.05, 255, 2, 1

# name, file, target, positive class ("*" = multiclass, None = regression), columns to drop
SETS = [
    ("wa_churn", "wa_churn.csv", "churn", "Yes", []),
    ("credit_data", "credit_data.csv", "Status", "bad", []),
    ("attrition", "attrition.csv", "Attrition", "Yes", []),
    ("mlc_churn", "mlc_churn.csv", "churn", "yes", []),
    ("MplsStops", "MplsStops.csv", "personSearch", "YES", ["idNum", "date"]),
    ("penguins", "penguins.csv", "species", "*", []),
    ("ames", "ames.csv", "Sale_Price", None, []),
    # ids (user_id, ad_id) and the timestamp are not features for either library
    ("ctr_100k", "ctr_100k.csv", "clicked", "1", ["event_time", "user_id", "ad_id"]),
    ("events_1m", None, "clicked", "1", ["event_time", "user_id", "ad_id"]),
]


def load1():
    return os.getloadavg()[0]


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
    """Stratified (classification) or random split of the raw CSV rows with a target."""
    header, rows = read_rows(src)
    keep = [i for i, h in enumerate(header) if h not in drop]
    header = [header[i] for i in keep]
    ti = header.index(target)
    rows = [[r[i] for i in keep] for r in rows]
    rows = [r for r in rows if r[ti].strip() != ""]
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
    return tr, te, len(train) + len(test)


def events_file(rows):
    gen = "/work/shared/tools/gen_events.py"
    if not os.path.exists(gen):
        gen = os.path.join(ROOT, "bench", "gen_events.py")
    cache = os.path.join(tempfile.gettempdir(), "keel-bench-events-%d.csv" % rows)
    if not os.path.exists(cache):
        print("generating %d events with %s ..." % (rows, gen), file=sys.stderr)
        subprocess.run([sys.executable, gen, "--rows", str(rows), "--seed", "42", "--out",
                        cache + ".tmp"], check=True, stderr=subprocess.DEVNULL)
        os.replace(cache + ".tmp", cache)
    return cache


def scores(kind, y, p, classes=None):
    if kind == "binary":
        return roc_auc_score(y, p), log_loss(y, np.clip(p, 1e-15, 1 - 1e-15))
    if kind == "multi":
        p = np.clip(p, 1e-15, 1)
        p = p / p.sum(1, keepdims=True)
        return (roc_auc_score(y, p, multi_class="ovr", average="macro", labels=classes),
                log_loss(y, p, labels=classes))
    return math.sqrt(mean_squared_error(y, p)), mean_absolute_error(y, p)


def run_keel(keel, tr, te, target, positive, classes, workdir, name, extra=()):
    model = os.path.join(workdir, name + ".keel")
    args = [keel, "train", "--data", tr, "--target", target, "--algo", "gbdt", "--trees",
            str(TREES), "--depth", str(DEPTH), "--leaves", str(LEAVES), "--lr", str(LR),
            "--bins", str(BINS), "--threads", str(THREADS), "--seed", str(SEED),
            "--test-size", "0", "--out", model, "--json"] + list(extra)
    if positive not in (None, "*"):
        args += ["--positive", positive]
    t0 = time.time()
    r = subprocess.run(args, capture_output=True, text=True)
    wall = time.time() - t0
    if r.returncode != 0:
        raise RuntimeError("keel train failed: " + (r.stderr or r.stdout)[-800:])
    report = json.loads(r.stdout)
    out = os.path.join(workdir, name + "_pred.csv")
    r = subprocess.run([keel, "predict", "--model", model, "--data", te, "--out", out],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("keel predict failed: " + (r.stderr or r.stdout)[-800:])
    pred = pd.read_csv(out)
    lower = {c.lower(): c for c in pred.columns}
    if positive == "*":
        cols = []
        for k in classes:
            c = lower.get(("prob_" + k).lower())
            if c is None:
                raise RuntimeError("no prob_%s column in %s" % (k, list(pred.columns)))
            cols.append(c)
        p = pred[cols].to_numpy()
    elif positive is not None:
        c = lower.get(("prob_" + positive).lower())
        if c is None:
            raise RuntimeError("no prob_%s column in %s" % (positive, list(pred.columns)))
        p = pred[c].to_numpy()
    else:
        p = pred["prediction"].to_numpy()
    return p, report["training_seconds"], wall


def run_xgb(tr, te, target, positive, classes):
    dtr = pd.read_csv(tr, keep_default_na=True)
    dte = pd.read_csv(te, keep_default_na=True)

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
    if positive == "*":
        index = {k: i for i, k in enumerate(classes)}
        ytr = dtr[target].astype(str).map(index).to_numpy()
        m = xgb.XGBClassifier(**kw)
        t0 = time.time()
        m.fit(Xtr, ytr)
        secs = time.time() - t0
        return m.predict_proba(Xte), secs
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
    ap.add_argument("--data", default="/work/shared/data" if os.path.isdir("/work/shared/data")
                    else os.path.join(ROOT, "tests", "data"))
    ap.add_argument("--sets", default=",".join(s[0] for s in SETS))
    ap.add_argument("--rows", type=int, default=1000000, help="rows of the generated events file")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--markdown", default=None, help="also write the table as Markdown here")
    ap.add_argument("--keel-arg", action="append", default=[],
                    help="extra `keel train` argument (repeat), e.g. --keel-arg=--quantized-grad "
                         "--keel-arg=16")
    ap.add_argument("--no-xgboost", action="store_true",
                    help="Keel only (XGBoost columns show nan): for comparing Keel builds/options")
    args = ap.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="keel-train-bench-")
    os.makedirs(workdir, exist_ok=True)
    wanted = set(args.sets.split(","))
    fmt = "%-12s %8s %-6s %8s %8s %8s %9s %9s %8s %8s %8s %7s %5s"
    print(fmt % ("data", "rows", "task", "keel", "xgb", "gap", "keel_2nd", "xgb_2nd", "keel_s",
                 "xgb_s", "wall_s", "time", "load"))
    print(fmt % ("", "", "", "auc/rmse", "auc/rmse", "", "ll/mae", "ll/mae", "", "", "keel",
                 "ratio", "1min"))
    md = ["| data | rows | task | Keel AUC/RMSE | XGBoost AUC/RMSE | gap | Keel logloss/MAE | "
          "XGBoost logloss/MAE | Keel train s | XGBoost fit s | time ratio | load (1 min) |",
          "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    ok = True
    for name, fname, target, positive, drop in SETS:
        if name not in wanted:
            continue
        src = events_file(args.rows) if fname is None else os.path.join(args.data, fname)
        if not os.path.exists(src):
            print("%-12s skipped: %s not found" % (name, src))
            continue
        kind = "multi" if positive == "*" else "binary" if positive is not None else "reg"
        tr, te, nrows = split(src, target, workdir, name, drop, stratify=positive is not None)
        yte = pd.read_csv(te)[target]
        classes = sorted(pd.read_csv(tr)[target].astype(str).unique()) if kind == "multi" else None
        if kind == "binary":
            y = (yte.astype(str) == positive).astype(int).to_numpy()
        elif kind == "multi":
            y = yte.astype(str).to_numpy()
        else:
            y = yte.to_numpy()
        load = load1()
        pk, keel_s, wall = run_keel(args.keel, tr, te, target, positive, classes, workdir, name,
                                    args.keel_arg)
        k1, k2 = scores(kind, y, pk, classes)
        if args.no_xgboost:
            x1 = x2 = xgb_s = float("nan")
        else:
            px, xgb_s = run_xgb(tr, te, target, positive, classes)
            x1, x2 = scores(kind, y, px, classes)
        gap = k1 - x1
        print(fmt.replace("%8s %8s %8s %9s %9s %8s %8s %8s %7s %5s",
                          "%8.4f %8.4f %+8.4f %9.4f %9.4f %8.2f %8.2f %8.2f %7.2f %5.1f") %
              (name, nrows, kind, k1, x1, gap, k2, x2, keel_s, xgb_s, wall, keel_s / xgb_s, load),
              flush=True)
        prec = "%.0f" if kind == "reg" else "%.4f"
        md.append("| %s | %d | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %.2f | %.1f |" %
                  (name, nrows, kind, prec % k1, prec % x1, ("%+.0f" if kind == "reg" else "%+.4f") % gap,
                   prec % k2, prec % x2, keel_s, xgb_s, keel_s / xgb_s, load))
        if kind != "reg" and gap < -0.005:
            ok = False
        if name == "events_1m" and keel_s > xgb_s:
            ok = False
    print("gap = keel - xgboost (AUC: higher is better; RMSE: lower is better); "
          "time ratio = keel training seconds / xgboost fit seconds")
    verdict = "met" if ok else "NOT met"
    print("bar: AUC gap >= -0.005 on every classification set, 1M-row time ratio <= 1: " + verdict)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(md) + "\n\nbar (AUC gap >= -0.005 on every classification set, "
                    "1M-row time ratio <= 1): " + verdict + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
