"""keel.train is `keel train`: the same model from the same data and parameters."""

import numpy as np
import pytest

import keel
from conftest import CHURN_CSV


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
