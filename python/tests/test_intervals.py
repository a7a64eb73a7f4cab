"""Conformal intervals and sets from Python equal `keel predict --interval`'s; calibration is a
training keyword like any other parameter."""

import numpy as np
import pandas as pd
import pytest

import keel

from conftest import CHURN_CSV, SOURCE_DIR, read_exact_csv, run_keel

AMES_CSV = SOURCE_DIR / "tests" / "data" / "ames.csv"


def test_predict_set_equals_the_cli(churn_model_path, churn_frame, workdir):
    out = workdir / "churn_sets.csv"
    run_keel("predict", "--model", churn_model_path, "--data", CHURN_CSV, "--interval", 0.9,
             "--out", out)
    cli = pd.read_csv(out, keep_default_na=False)["set"]
    model = keel.load(churn_model_path)
    sets = model.predict_set(churn_frame, 0.9)
    assert ["|".join(s) for s in sets] == list(cli)
    # Some rows are sure enough for one class, some need both.
    assert {len(s) for s in sets} >= {1, 2}


def test_predict_interval_equals_the_cli(workdir):
    path = workdir / "ames.keel"
    run_keel("train", "--data", AMES_CSV, "--target", "Sale_Price", "--trees", 50, "--out", path)
    out = workdir / "ames_int.csv"
    run_keel("predict", "--model", path, "--data", AMES_CSV, "--interval", 0.8, "--out", out)
    cli = read_exact_csv(out)
    model = keel.load(path)
    got = model.predict_interval(read_exact_csv(AMES_CSV), 0.8)
    np.testing.assert_array_equal(got, cli[["lower", "upper"]].to_numpy())
    with pytest.raises(TypeError):
        model.predict_set(read_exact_csv(AMES_CSV))


def test_calibrate_keyword_and_clear_errors(churn_frame):
    model = keel.train(churn_frame, "churn", calibrate="sigmoid", class_weight="balanced",
                       num_trees=30)
    report = model.train_report
    assert report["calibration"]["method"] == "sigmoid"
    assert report["calibration"]["test"]["after"]["ece"] < report["calibration"]["test"]["before"]["ece"]
    plain = keel.train(churn_frame, "churn", valid_size=0, num_trees=10)
    with pytest.raises(Exception, match="no conformal scores"):
        plain.predict_set(churn_frame.head(3), 0.9)
    with pytest.raises(Exception, match="between 0 and 1"):
        model.predict_set(churn_frame.head(3), 1.5)


def test_quantiles_keyword_gives_sorted_levels_and_cqr_intervals_equal_to_the_cli(workdir):
    frame = read_exact_csv(AMES_CSV)
    model = keel.train(frame, "Sale_Price", objective="quantile", quantiles=[0.95, 0.05],
                       num_trees=40)
    assert model.output_names == ["quantile_0.05", "quantile_0.95"]
    q = model.predict(frame)
    assert q.shape == (len(frame), 2)
    assert (q[:, 0] <= q[:, 1]).all()
    path = workdir / "ames_q.keel"
    model.save(path)
    out = workdir / "ames_q_int.csv"
    run_keel("predict", "--model", path, "--data", AMES_CSV, "--interval", 0.9, "--out", out)
    cli = read_exact_csv(out)
    got = model.predict_interval(frame, 0.9)
    np.testing.assert_array_equal(got, cli[["lower", "upper"]].to_numpy())
    np.testing.assert_array_equal(q, cli[["quantile_0.05", "quantile_0.95"]].to_numpy())
    assert (got[:, 0] <= got[:, 1]).all()
