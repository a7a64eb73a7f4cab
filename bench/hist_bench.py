#!/usr/bin/python3
"""Dense numeric training speed: Keel (exact and quantized gradients) against XGBoost hist.

    OMP_WAIT_POLICY=passive /usr/bin/python3 bench/hist_bench.py [--keel build/keel]
        [--rows 1000000] [--trees 500] [--levels 16] [--repeat 1] [--no-xgboost]

Issue 22's set: `make_classification` (28 features, 20 informative, random_state 0, written by
/work/shared/bench/make_synth.py), a fixed 80/20 split (800,000 training rows at the default
1M), 500 trees, depth 6 / 63 leaves, learning rate 0.1, 255 bins, 2 threads. Keel trains through
its CLI on the training CSV (`--test-size 0 --valid-size 0`; its `fit_seconds` is the boosting
time: binned matrix -> trees) and predicts the test CSV; XGBoost's time is fit() on float32
arrays already in memory (quantile sketching included). Prints fit seconds, test AUC and the
time ratio keel / xgboost per run, with the 1-minute load average (timings only mean something
near 0). The issue's bar: Keel <= 0.5x XGBoost's time at equal AUC (within 0.001).
"""
import argparse, json, os, subprocess, sys, tempfile, time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPTH, LEAVES, LR, BINS, THREADS = 6, 63, 0.1, 255, 2


def data(rows, workdir):
    """The train/test CSVs (cached in the temp folder) and the test labels."""
    base = os.path.join(tempfile.gettempdir(), "keel-hist-bench-%d" % rows)
    tr, te = base + "_train.csv", base + "_test.csv"
    if not (os.path.exists(tr) and os.path.exists(te)):
        src = base + ".csv"
        gen = "/work/shared/bench/make_synth.py"
        print("generating %d rows with %s ..." % (rows, gen), file=sys.stderr)
        subprocess.run([sys.executable, gen, src, str(rows)], check=True)
        df = pd.read_csv(src)
        cut = int(len(df) * 0.8)  # make_classification's rows are already shuffled
        df.iloc[:cut].to_csv(tr + ".tmp", index=False)
        df.iloc[cut:].to_csv(te + ".tmp", index=False)
        os.replace(tr + ".tmp", tr)
        os.replace(te + ".tmp", te)
        os.remove(src)
    return tr, te


def run_keel(keel, tr, te, trees, workdir, extra):
    model = os.path.join(workdir, "m.keel")
    args = [keel, "train", "--data", tr, "--target", "label", "--trees", str(trees), "--depth",
            str(DEPTH), "--leaves", str(LEAVES), "--lr", str(LR), "--bins", str(BINS),
            "--threads", str(THREADS), "--test-size", "0", "--valid-size", "0",
            "--early-stopping", "0", "--positive", "1", "--out", model, "--json", "-q"] + extra
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("keel train failed: " + (r.stderr or r.stdout)[-800:])
    fit = json.loads(r.stdout)["fit_seconds"]
    out = os.path.join(workdir, "p.csv")
    subprocess.run([keel, "predict", "--model", model, "--data", te, "--out", out, "-q"],
                   check=True)
    return fit, pd.read_csv(out)["prob_1"].to_numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keel", default=os.environ.get("KEEL_BIN", os.path.join(ROOT, "build", "keel")))
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--levels", type=int, default=16, help="--quantized-grad of the quantized run")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-xgboost", action="store_true")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="keel-hist-bench-")
    tr, te = data(args.rows, workdir)
    y = pd.read_csv(te)["label"].to_numpy()
    runs = [("keel exact", ["--quantized-grad", "0"]),
            ("keel quantized %d" % args.levels, ["--quantized-grad", str(args.levels)])]
    res = {}
    for _ in range(args.repeat):
        for name, extra in runs:
            load = os.getloadavg()[0]
            fit, p = run_keel(args.keel, tr, te, args.trees, workdir, extra)
            res.setdefault(name, []).append((fit, roc_auc_score(y, p), load))
            print("%-20s fit %7.2f s  AUC %.5f  load %.1f" % ((name,) + res[name][-1]), flush=True)
        if not args.no_xgboost:
            dtr = pd.read_csv(tr)
            X, ytr = dtr.drop(columns=["label"]).to_numpy(np.float32), dtr["label"].to_numpy()
            Xte = pd.read_csv(te).drop(columns=["label"]).to_numpy(np.float32)
            load = os.getloadavg()[0]
            m = xgb.XGBClassifier(n_estimators=args.trees, max_depth=DEPTH, learning_rate=LR,
                                  max_bin=BINS + 1, tree_method="hist", n_jobs=THREADS)
            t0 = time.time()
            m.fit(X, ytr)
            fit = time.time() - t0
            res.setdefault("xgboost hist", []).append(
                (fit, roc_auc_score(y, m.predict_proba(Xte)[:, 1]), load))
            print("%-20s fit %7.2f s  AUC %.5f  load %.1f" % (("xgboost hist",) +
                                                              res["xgboost hist"][-1]), flush=True)
    print("\nbest of %d | fit s | AUC | ratio to XGBoost" % args.repeat)
    xbest = min(r[0] for r in res["xgboost hist"]) if "xgboost hist" in res else float("nan")
    for name, rs in res.items():
        best = min(rs)
        print("%-20s %7.2f  %.5f  %.2fx" % (name, best[0], best[1], best[0] / xbest))


if __name__ == "__main__":
    main()
