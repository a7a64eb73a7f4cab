"""Monotone and interaction constraints from Python: keel.train and the estimators take the
same parameters as `keel train` (docs/constraints.md), as a dict and a list of lists."""

import numpy as np
import pytest

import keel
from conftest import CHURN_CSV, read_exact_csv


def _wiggly(seed=3, n=3000):
    """x0 raises y overall but wiggles (sin), so an unconstrained model is not monotone."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 3))
    y = 2 * X[:, 0] + np.sin(14 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=n)
    return X, y


def _grid_moves_down(predict, X, feature):
    """How many of 100 rows see the prediction fall somewhere along 80 values of `feature`."""
    grid = np.linspace(0, 1, 80)
    rows = np.repeat(X[:100], len(grid), axis=0)
    rows[:, feature] = np.tile(grid, 100)
    p = np.asarray(predict(rows)).reshape(100, len(grid))
    return int((np.diff(p, axis=1) < 0).any(axis=1).sum())


def test_regressor_monotone_parameter():
    X, y = _wiggly()
    free = keel.KeelRegressor(num_trees=60).fit(X, y)
    assert _grid_moves_down(free.predict, X, 0) > 0
    est = keel.KeelRegressor(num_trees=60, monotone={"x0": 1})
    assert est.get_params()["monotone"] == {"x0": 1}
    est.fit(X, y)
    assert _grid_moves_down(est.predict, X, 0) == 0


def test_train_with_constraints_records_and_obeys_them():
    frame = read_exact_csv(CHURN_CSV)
    model = keel.train(frame, "churn", num_trees=60, threads=1, monotone={"tenure": -1},
                       interactions=[["tenure", "contract"], ["monthly_charges"]])
    params = model.train_report["parameters"]
    assert params["monotone"] == "tenure=-1"
    assert params["interactions"] == "tenure,contract;monthly_charges"
    rows = frame.head(50).loc[np.repeat(frame.head(50).index, 40)].copy()
    rows["tenure"] = np.tile(np.linspace(0, 72, 40), 50)
    p = model.predict_proba(rows)[:, -1].reshape(50, 40)
    assert (np.diff(p, axis=1) <= 0).all()


def test_constraint_errors_name_the_feature():
    with pytest.raises(ValueError, match="'tenur', which is not a feature; did you mean 'tenure'"):
        keel.train(CHURN_CSV, "churn", num_trees=5, monotone={"tenur": -1})
    with pytest.raises(ValueError, match="contract is a categorical feature"):
        keel.train(CHURN_CSV, "churn", num_trees=5, monotone={"contract": 1})
    with pytest.raises(ValueError, match="direction '2'"):
        keel.train(CHURN_CSV, "churn", num_trees=5, monotone={"tenure": 2})
