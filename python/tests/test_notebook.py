"""A notebook's session end to end on a messy CSV file: read it -> train a baseline and a
candidate -> compare -> explain -> audit -> drift, checking at each step a property that must
hold (and the CLI's numbers where they are cheap to get)."""

import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import keel
from conftest import SOURCE_DIR, run_keel

MESSY_CSV = SOURCE_DIR / "tests" / "data" / "messy" / "wa_churn_messy.csv"


def test_notebook_session(tmp_path):
    # Read: the damaged records are quarantined and reported, as `keel ingest` does.
    frame, report = keel.read_csv(MESSY_CSV)
    ingest = json.loads(run_keel("ingest", MESSY_CSV, "--json").stdout)
    assert (report.rows_read, report.rows_used, report.rows_rejected) == (
        ingest["rows_read"], ingest["rows_used"], ingest["rows_rejected"])
    assert report.rows_rejected > 0 and len(report.rejected) == report.rows_rejected
    assert len(frame) == report.rows_used

    # Train on the first rows, keep the rest for the gate. Training from a frame refuses rows
    # with no label (a frame cannot drop rows behind the user's back), so the notebook drops them.
    train, test = frame.iloc[:5000], frame.iloc[5000:].reset_index(drop=True)
    with pytest.raises(ValueError, match="churn"):
        keel.train(train, "churn", num_trees=5, exclude=["notes"], threads=2)
    train = train[train["churn"].notna()]
    baseline = keel.train(train, "churn", algo="linear", exclude=["notes"], threads=2)
    candidate = keel.train(train, "churn", num_trees=60, exclude=["notes"], threads=2)
    assert baseline.train_report["parameters"]["algo"] == "linear"
    assert candidate.train_report["parameters"]["num_trees"] == 60
    assert baseline.classes == candidate.classes == ["No", "Yes"]

    # Compare: on the labelled test rows; the AUC is the one sklearn computes from the
    # candidate's probabilities, and the test is the CLI's on the same files.
    result = keel.compare(baseline, candidate, test, resamples=100, threads=2)
    labelled = test[test["churn"].notna()]
    assert result.rows == len(labelled) and result.metric == "auc"
    proba = candidate.predict_proba(labelled)[:, 1]
    auc = roc_auc_score(labelled["churn"] == "Yes", proba)
    assert result.metrics.loc["auc", "candidate"] == pytest.approx(auc, rel=1e-9)
    assert result.verdict in ("SHIP THE CANDIDATE", "KEEP THE BASELINE")
    assert result.ship_candidate == (result.significant and result.gain_reaches_min
                                     and result.within_budget)
    baseline.save(tmp_path / "baseline.keel")
    candidate.save(tmp_path / "candidate.keel")
    test.to_csv(tmp_path / "test.csv", index=False)
    cli = json.loads(run_keel("compare", tmp_path / "baseline.keel", tmp_path / "candidate.keel",
                              "--data", tmp_path / "test.csv", "--resamples", 100, "--threads", 2,
                              "--json").stdout)
    assert result.test == cli["test"]
    assert result.to_dict()["baseline"]["evaluation"] == cli["baseline"]["evaluation"]

    # Explain: each row's attributions add up to its log-odds.
    head = labelled.head(50)
    shap = candidate.explain(head, top=3)
    attributions = shap[candidate.features + ["bias"]].sum(axis=1).to_numpy()
    p = candidate.predict_proba(head)[:, 1]
    np.testing.assert_allclose(attributions, np.log(p / (1 - p)), rtol=1e-6, atol=1e-6)
    assert shap["reason"].str.len().min() > 0

    # Audit: per-group selection rates are the share of rows the model decides positive.
    audit = keel.audit(candidate, test, sensitive="senior_citizen", bootstrap=100, threads=2,
                       no_proxies=True)
    assert audit.rows_audited == len(labelled) and audit.positive_class == "Yes"
    groups = audit.groups.set_index("group")
    assert groups["count"].sum() == audit.rows_audited
    decided = candidate.predict_proba(labelled)[:, 1] >= 0.5
    for value in (0, 1):
        in_group = (labelled["senior_citizen"] == value).to_numpy()
        assert groups.loc[str(value), "selection_rate"] == pytest.approx(
            decided[in_group].mean(), rel=1e-12)
    gap = abs(groups.loc["1", "selection_rate"] - groups.loc["0", "selection_rate"])
    assert audit.disparities.loc["senior_citizen", "demographic_parity_difference"] == (
        pytest.approx(gap, rel=1e-12))

    # Drift: held-out rows of the same file look like the training rows; shifted ones do not.
    same = keel.drift(candidate, test, threads=2)
    assert not same.dataset_drift and "tenure" not in same.drifted_features
    shifted = test.copy()
    shifted["tenure"] = shifted["tenure"] + 36
    moved = keel.drift(candidate, shifted, threads=2)
    assert moved.drifted and "tenure" in moved.drifted_features
    assert moved.features.loc["tenure", "drifted"]
