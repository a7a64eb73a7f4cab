"""Imported LightGBM models (float64 models) in Python: the LightGBM 4.6.0 fixture rows
(tests/fixtures/lightgbm: held-out rows and edge rows with values on thresholds written with
17 digits) through float64 numpy arrays, float32 arrays and dict rows give LightGBM's own
predictions within 1e-9 relative: the model reads the doubles given, not their float
rounding."""

import numpy as np
import pandas as pd
import pytest

import keel
from conftest import SOURCE_DIR, read_exact_csv, run_keel

FIXTURES = SOURCE_DIR / "tests" / "fixtures" / "lightgbm"
CASES = ["binary_categorical", "binary_missing", "binary_zero", "multiclass_categorical",
         "regression_categorical"]


@pytest.fixture(scope="module", params=CASES)
def case(request, workdir):
    name = request.param
    path = workdir / f"lightgbm_{name}.keel"
    run_keel("import", "--from", "lightgbm", FIXTURES / f"{name}.txt", "--out", path)
    model = keel.load(path)
    rows = read_exact_csv(FIXTURES / f"{name}_rows.csv")
    expected = read_exact_csv(FIXTURES / f"{name}_expected.csv")
    want = expected[[c for c in expected.columns if c.startswith("pred_")]].to_numpy()
    return name, model, rows, want


def lightgbm_columns(model, out):
    """The model's outputs as LightGBM's pred_* columns (binary: P(positive) only)."""
    return out[:, 1:2] if model.task == "binary" else out


def outputs(model, x):
    """Class probabilities, or the regression values as one column."""
    if model.task == "regression":
        return model.predict(x)[:, None]
    return model.predict_proba(x)


def assert_lightgbms(got, want, name):
    err = np.abs(got - want) / np.maximum(np.abs(want), 1e-300)
    worst = np.unravel_index(np.argmax(err), err.shape)
    assert err.max() <= 1e-9, (name, worst, got[worst], want[worst])


def test_float64_arrays_give_lightgbms_predictions(case):
    name, model, rows, want = case
    x = np.ascontiguousarray(rows[model.features].to_numpy(dtype=np.float64))
    assert_lightgbms(lightgbm_columns(model, outputs(model, x)), want, name)
    # A few rows take the single-row path, a Fortran-order array is converted: the same numbers.
    for start in [0, 200, len(x) - 5]:
        few = outputs(model, x[start:start + 5])
        assert np.array_equal(few, outputs(model, x)[start:start + 5]), (name, start)
    assert np.array_equal(outputs(model, np.asfortranarray(x)), outputs(model, x))


def test_float32_arrays_are_widened(case):
    """A float32 array holds floats: the model reads them as the doubles they are."""
    name, model, rows, _ = case
    with np.errstate(over="ignore"):  # edge rows hold 1e300
        x32 = np.ascontiguousarray(rows[model.features].to_numpy(dtype=np.float64)
                                   .astype(np.float32))
    assert np.array_equal(outputs(model, x32), outputs(model, x32.astype(np.float64)))


def test_dict_rows_give_lightgbms_predictions(case):
    name, model, rows, want = case
    records = rows[model.features].to_dict("records")
    got = np.array([[row[n] for n in model.output_names]
                    for row in map(model.predict_row, records)])
    assert_lightgbms(lightgbm_columns(model, got), want, name)


def test_explanations_of_float64_arrays_equal_those_of_the_frame(case):
    """explain on a float64 array reads the doubles, as explain on the DataFrame does."""
    name, model, rows, _ = case
    frame = rows[model.features].iloc[200:260]
    by_array = model.explain(frame.to_numpy(dtype=np.float64))
    by_frame = model.explain(frame)
    assert np.array_equal(np.asarray(by_array.values), np.asarray(by_frame.values)), name
