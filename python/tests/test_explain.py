"""Model.explain gives `keel explain --top K`'s table, to the bit."""

import numpy as np
import pandas as pd
import pytest

import keel
from conftest import CHURN_CSV, run_keel


def cli_explanation(workdir, model_path, top, name):
    out = workdir / f"{name}_shap.csv"
    run_keel("explain", "--model", model_path, "--data", CHURN_CSV, "--out", out, "--top", top)
    # Reason values are texts ("No", "1", "29.85"): read them as written.
    return pd.read_csv(out, float_precision="round_trip", keep_default_na=False,
                       na_values=[""])


def assert_same_table(got, cli):
    assert list(got.columns) == list(cli.columns)
    for name in cli.columns:
        a, b = got[name], cli[name]
        if pd.api.types.is_numeric_dtype(b) and pd.api.types.is_numeric_dtype(a):
            assert np.array_equal(a.to_numpy(float), b.to_numpy(float), equal_nan=True), name
        else:
            assert [str(v) for v in a.fillna("")] == [str(v) for v in b.fillna("")], name


def test_binary_explanation_equals_cli(workdir, churn_model_path, churn_frame):
    model = keel.load(churn_model_path)
    got = model.explain(churn_frame, top=3)
    assert_same_table(got, cli_explanation(workdir, churn_model_path, 3, "churn"))
    # Rows sum to the raw margin: log-odds of the positive class.
    p = model.predict_proba(churn_frame)[:, 1]
    margin = got[model.features + ["bias"]].sum(axis=1).to_numpy()
    assert np.allclose(margin, np.log(p / (1 - p)), atol=1e-9)


def test_without_reason_codes(churn_model_path, churn_frame):
    model = keel.load(churn_model_path)
    got = model.explain(churn_frame.head(20))
    assert list(got.columns) == model.features + ["bias"]
    assert len(got) == 20


def test_multiclass_explanation_equals_cli(workdir, churn_frame):
    path = workdir / "contract.keel"
    run_keel("train", "--data", CHURN_CSV, "--target", "contract", "--trees", 20, "--out", path)
    model = keel.load(path)
    assert model.task == "multiclass" and len(model.classes) == 3
    got = model.explain(churn_frame, top=2)
    assert got.columns[0] == f"{model.classes[0]}:{model.features[0]}"
    assert "reason_class" in got.columns
    assert_same_table(got, cli_explanation(workdir, path, 2, "contract"))


def test_explain_errors(churn_model_path, churn_frame):
    model = keel.load(churn_model_path)
    with pytest.raises(KeyError, match="contract"):
        model.explain(churn_frame.drop(columns=["contract"]))
    with pytest.raises(ValueError, match="top"):
        model.explain(churn_frame.head(3), top=-1)
