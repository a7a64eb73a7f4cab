#!/usr/bin/python3
"""Fairness mitigations, before and after: the closing table of issue 7.

For each data set and sensitive attribute, trains the baseline GBDT (sensitive columns left out
of the features), then each mitigation Keel offers, and audits every model on the same held-out
test split with `keel audit`:
  baseline               keel train (sensitive columns excluded)
  reweigh                keel train --reweigh A                      (Kamiran-Calders)
  thresholds dp|eo       keel audit --fit-thresholds ... on the validation split, applied to
                         the test split by auditing the stored model (Hardt et al.)
  reduction dp|eo        keel train --fair-attribute A --fair-constraint ... (Agarwal et al.)
Split: 60% train / 20% validation / 20% test, stratified by the target, fixed seed. keel train
sees the train split only (holding a quarter of it out for early stopping and for judging the
reduction's bound); the group thresholds are fitted on the validation split; every number in
the table is on the test split, threshold 0.5.

  bench/fairness_mitigations.py [--keel build/keel] [--bound 0.02] [--reduction-bound 0.05]
                                [--out DIR] [--markdown]
Prints one row per (data set, attribute, method); --markdown prints the table for RESULTS.md.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = [
    # name, file, target, positive, sensitive attributes
    ("wa_churn", "tests/data/wa_churn.csv", "churn", "Yes", ["female", "senior_citizen"]),
    ("attrition", "tests/data/attrition.csv", "Attrition", "Yes", ["Gender", "MaritalStatus"]),
]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}")
    return r.stdout


def split(path, target, out, seed=7):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    parts = {"train": [], "val": [], "test": []}
    for _, g in df.groupby(target, sort=True):
        g = g.sample(frac=1.0, random_state=seed)
        a, b = int(0.6 * len(g)), int(0.8 * len(g))
        parts["train"].append(g.iloc[:a])
        parts["val"].append(g.iloc[a:b])
        parts["test"].append(g.iloc[b:])
    files = {}
    for k, v in parts.items():
        files[k] = os.path.join(out, f"{k}.csv")
        pd.concat(v).sort_index().to_csv(files[k], index=False)
    return files


def audit(keel, model, data, attr, extra=()):
    out = run([keel, "audit", "--model", model, "--data", data, "--sensitive", attr,
               "--threshold", "0.5", "--bootstrap", "200", "--no-slices", "--no-proxies",
               "--json", *extra])
    j = json.loads(out)
    a = j["attributes"][attr]
    return {
        "dp_diff": a["demographic_parity_difference"],
        "dp_ratio": a["demographic_parity_ratio"],
        "eo_diff": a["equalized_odds_difference"],
        "dp_ci": (a["demographic_parity_difference_ci"]["low"],
                  a["demographic_parity_difference_ci"]["high"]),
        "groups": {g["group"]: (g["selection_rate"], g["tpr"], g["fpr"], g["count"])
                   for g in a["groups"]},
        "accuracy": j["overall"]["accuracy"],
        "auc": j["overall"]["auc"],
        "rule": j["decision_rule"],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keel", default=os.environ.get("KEEL_BIN", os.path.join(ROOT, "build/keel")))
    ap.add_argument("--bound", type=float, default=0.02, help="group-threshold bound")
    ap.add_argument("--reduction-bound", type=float, default=0.05)
    ap.add_argument("--trees", default="200")
    ap.add_argument("--out", default=None)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    work = a.out or tempfile.mkdtemp(prefix="keel-fair-")
    os.makedirs(work, exist_ok=True)
    print(f"work dir {work}", file=sys.stderr)
    rows = []
    for name, rel, target, pos, attrs in SETS:
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        f = split(os.path.join(ROOT, rel), target, d)
        common = ["--target", target, "--positive", pos, "--trees", a.trees, "--seed", "1",
                  "--test-size", "0", "--valid-size", "0.25", "--sensitive", ",".join(attrs),
                  "--quiet"]
        base = os.path.join(d, "base.keel")
        run([a.keel, "train", "--data", f["train"], *common, "--out", base])
        for attr in attrs:
            models = [("baseline", base, ())]
            rw = os.path.join(d, f"rw_{attr}.keel")
            run([a.keel, "train", "--data", f["train"], *common, "--reweigh", attr, "--out", rw])
            models.append(("reweigh", rw, ()))
            for c, short in (("demographic_parity", "dp"), ("equalized_odds", "eo")):
                th = os.path.join(d, f"th_{short}_{attr}.keel")
                run([a.keel, "audit", "--model", base, "--data", f["val"], "--sensitive", attr,
                     "--fit-thresholds", c, "--bound", str(a.bound), "--out", th,
                     "--bootstrap", "50", "--no-slices", "--no-proxies", "--json"])
                models.append((f"thresholds {short} <= {a.bound:g} (fit on val)", th, ()))
            for c, short in (("demographic_parity", "dp"), ("equalized_odds", "eo")):
                rd = os.path.join(d, f"red_{short}_{attr}.keel")
                run([a.keel, "train", "--data", f["train"], *common, "--fair-attribute", attr,
                     "--fair-constraint", c, "--fair-bound", str(a.reduction_bound),
                     "--out", rd])
                models.append((f"reduction {short} <= {a.reduction_bound:g}", rd, ()))
            for method, m, extra in models:
                r = audit(a.keel, m, f["test"], attr, extra)
                rows.append((name, attr, method, r))
                print(name, attr, method, json.dumps(r), file=sys.stderr)
    base_of = {(n, at): r for n, at, m, r in rows if m == "baseline"}
    if a.markdown:
        print("| data | attribute | method | DP diff [95% CI] | DP ratio | EO diff | "
              "selection rate by group | TPR / FPR by group | accuracy (cost) | AUC (cost) |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, attr, method, r in rows:
        b = base_of[(name, attr)]
        sel = ", ".join(f"{g}: {v[0]:.3f}" for g, v in r["groups"].items())
        tf = ", ".join(f"{g}: {v[1]:.3f}/{v[2]:.3f}" for g, v in r["groups"].items())
        acc = f"{r['accuracy']:.4f} ({r['accuracy'] - b['accuracy']:+.4f})"
        auc = f"{r['auc']:.4f} ({r['auc'] - b['auc']:+.4f})"
        dp = f"{r['dp_diff']:.4f} [{r['dp_ci'][0]:.3f}, {r['dp_ci'][1]:.3f}]"
        if a.markdown:
            print(f"| {name} | {attr} | {method} | {dp} | {r['dp_ratio']:.3f} | "
                  f"{r['eo_diff']:.4f} | {sel} | {tf} | {acc} | {auc} |")
        else:
            print(f"{name:10} {attr:15} {method:34} dp {dp} ratio {r['dp_ratio']:.3f} "
                  f"eo {r['eo_diff']:.4f} acc {acc} auc {auc} sel {sel}")


if __name__ == "__main__":
    main()
