"""keel.train is `keel train`: the same model from the same data and parameters."""

import numpy as np
import pytest

import keel
from conftest import CHURN_CSV, run_keel


def test_train_from_a_file_equals_the_cli(churn_model_path, churn_frame, tmp_path):
    # The CLI fixture trained with --trees 60; here the keel.yaml name of the same parameter.
    model = keel.train(CHURN_CSV, "churn", num_trees=60, out=tmp_path / "py.keel")
    cli = keel.load(churn_model_path)
    assert model.features == cli.features and model.classes == cli.classes
    assert np.array_equal(model.predict_proba(churn_frame), cli.predict_proba(churn_frame))
    assert model.train_report["parameters"]["num_trees"] == 60
    assert model.train_report["positive"] == "Yes"
    saved = keel.load(tmp_path / "py.keel")
    assert np.array_equal(saved.predict_proba(churn_frame), model.predict_proba(churn_frame))


def test_train_from_a_dataframe(churn_model_path, churn_frame):
    model = keel.train(churn_frame, "churn", trees=60)  # the CLI flag name works too
    cli = keel.load(churn_model_path)
    assert np.array_equal(model.predict_proba(churn_frame), cli.predict_proba(churn_frame))


def test_quantized_grad_is_the_cli_option(churn_frame, tmp_path):
    # The same option and model as `keel train --quantized-grad 16`, and a model of its own.
    cli = tmp_path / "cli.keel"
    run_keel("train", "--data", CHURN_CSV, "--target", "churn", "--trees", "30",
             "--quantized-grad", "16", "--threads", "2", "--out", cli)
    model = keel.train(CHURN_CSV, "churn", num_trees=30, quantized_grad=16, threads=1)
    assert model.train_report["parameters"]["quantized_grad"] == 16
    assert np.array_equal(model.predict_proba(churn_frame),
                          keel.load(cli).predict_proba(churn_frame))
    exact = keel.train(CHURN_CSV, "churn", num_trees=30, threads=1)
    assert not np.array_equal(model.predict_proba(churn_frame), exact.predict_proba(churn_frame))


def test_tune_keyword_runs_the_clis_search(churn_frame, tmp_path):
    model = keel.train(CHURN_CSV, "churn", tune="8trials", threads=2)
    tuning = model.train_report["tuning"]
    assert len(tuning["trials"]) == 8 and tuning["budget"] == "8trials"
    run_keel("train", "--data", CHURN_CSV, "--target", "churn", "--tune", "8trials", "--threads", 2,
             "--out", tmp_path / "cli.keel")
    cli = keel.load(tmp_path / "cli.keel")
    assert np.array_equal(model.predict_proba(churn_frame), cli.predict_proba(churn_frame))
    with pytest.raises(ValueError, match="parameter tune"):
        keel.train(CHURN_CSV, "churn", tune="forty")


def test_linear_regression_with_options(churn_frame):
    model = keel.train(CHURN_CSV, "monthly_charges", algo="linear", exclude=["total_charges"],
                       threads=1, seed=7, learning_rate=0.1)
    assert model.task == "regression" and "total_charges" not in model.features
    assert model.train_report["algo"] == "linear"
    pred = model.predict(churn_frame)
    assert pred.shape == (len(churn_frame),) and np.isfinite(pred).all()


def test_train_errors(tmp_path):
    with pytest.raises(ValueError, match="num_trees"):
        keel.train(CHURN_CSV, "churn", num_tress=10)  # a typo: the nearest name is named
    with pytest.raises(ValueError, match="trees"):
        keel.train(CHURN_CSV, "churn", num_trees=-1)
    with pytest.raises(ValueError):
        keel.train(CHURN_CSV, "churn", algo="forest")
    with pytest.raises(KeyError, match="chrun"):
        keel.train(CHURN_CSV, "chrun")
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        keel.train(tmp_path / "nope.csv", "churn")


@pytest.mark.parametrize("flags,keywords", [
    (["--reweigh", "senior_citizen"], dict(reweigh="senior_citizen")),
    (["--sensitive", "female", "--fair-attribute", "senior_citizen", "--fair-constraint",
      "equalized_odds", "--fair-bound", "0.03", "--fair-iterations", "4"],
     dict(sensitive="female", fair_attribute="senior_citizen", fair_constraint="equalized_odds",
          fair_bound=0.03, fair_iterations=4)),
    (["--sensitive", "female,senior_citizen", "--include-sensitive"],
     dict(sensitive=["female", "senior_citizen"], include_sensitive=True)),
])
def test_fairness_keywords_train_keel_trains_model(tmp_path, churn_frame, flags, keywords):
    """keel.train's fairness keywords are `keel train`'s flags: the same model, from a file and
    from a DataFrame."""
    path = tmp_path / "cli.keel"
    run_keel("train", "--data", CHURN_CSV, "--target", "churn", "--trees", 15, "--threads", 1,
             *flags, "--out", path)
    cli = keel.load(path)
    X = churn_frame.drop(columns=["churn"])
    for data in (CHURN_CSV, churn_frame):
        model = keel.train(data, "churn", num_trees=15, threads=1, **keywords)
        assert model.features == cli.features
        assert np.array_equal(model.predict_proba(X), cli.predict_proba(X))
    if keywords.get("include_sensitive"):  # sensitive columns kept as features: the plain model
        without = keel.train(churn_frame, "churn", num_trees=15, sensitive=keywords["sensitive"])
        assert not set(keywords["sensitive"]) & set(without.features)
        assert set(keywords["sensitive"]) <= set(model.features)
    else:  # reweighed or reduced: not the plain model
        plain = keel.train(CHURN_CSV, "churn", num_trees=15, threads=1)
        assert not np.array_equal(plain.predict_proba(X), cli.predict_proba(X))


def test_fairness_keyword_errors(churn_frame):
    with pytest.raises(ValueError, match="fair_constraint: expected demographic_parity"):
        keel.train(churn_frame, "churn", fair_attribute="female", fair_constraint="equal")
    with pytest.raises(ValueError, match="bound"):
        keel.train(churn_frame, "churn", fair_attribute="female", fair_bound=2.0)
    with pytest.raises(ValueError, match="fair_iterations: expected an integer"):
        keel.train(churn_frame, "churn", fair_attribute="female", fair_iterations=2.5)
    with pytest.raises(ValueError, match="sensitive: expected a column name"):
        keel.train(churn_frame, "churn", sensitive=3)
    with pytest.raises(KeyError, match="no_such"):
        keel.train(churn_frame, "churn", reweigh="no_such")


def test_folds_cross_validate_and_refit(churn_frame):
    """folds= and cv_below= are `keel train`'s --folds and --cv-below: the report says k-fold
    and the model is refit on every non-test row (7043 - 1409 test rows)."""
    model = keel.train(churn_frame, "churn", folds=3, threads=1)
    report = model.train_report
    trees = report["iterations"]
    assert report["validation"] == f"3-fold CV on 5634 rows, refit on all 5634 rows, {trees} trees"
    assert report["cross_validation"]["folds"] == 3
    assert report["splits"]["cv"]["rows"] == 5634 and "valid" not in report["splits"]
    off = keel.train(churn_frame, "churn", cv_below=1000, num_trees=20, threads=1)
    assert off.train_report["validation"] == "auto" and "cross_validation" not in off.train_report
    clf = keel.sklearn.KeelClassifier(folds=0, cv_below=5000)
    assert clf.get_params()["folds"] == 0 and clf.get_params()["cv_below"] == 5000
