"""scikit-learn estimators: ``keel.KeelClassifier`` and ``keel.KeelRegressor``.

They train with ``keel.train``'s in-memory path (no file in between) and predict with the
trained ``keel.Model``. Parameters are docs/params.md's, by the same names; ``None`` means
Keel's default. Unlike ``keel train``, ``test_size`` defaults to 0: an estimator trains on all
the rows it is given (scikit-learn's model selection holds rows out). ``threads`` defaults to 1
(many small fits, as in cross-validation, are faster one thread each; raise it for large data)
and ``seed`` to 42, so fits repeat exactly.

Inputs: a numpy array (or anything ``check_array`` takes) is read as numbers, NaN = missing;
a pandas DataFrame keeps its columns by name (text and categorical columns are categorical
features, as ``keel.train`` reads them).
"""

import os
import tempfile

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (_check_sample_weight, check_array, check_consistent_length,
                                      check_is_fitted, column_or_1d)

from keel import _frames
from keel.model import load
from keel.training import array_columns, train_columns



def _free_name(name, taken):
    """`name`, or with underscores around it until no feature column has it."""
    while name in taken:
        name = f"_{name}_"
    return name

# docs/params.md's parameters the estimators take (task is the estimator's; split, threads
# and seed have estimator defaults). The order is __init__'s.
_COMMON = ("algo", "split", "test_size", "valid_size", "folds", "cv_below", "num_trees",
           "num_leaves", "max_depth", "learning_rate", "max_bins", "lambda_l1", "lambda_l2",
           "min_data_in_leaf", "min_sum_hessian", "min_split_gain", "subsample", "colsample",
           "quantized_grad", "max_cat_bins",
           "max_cat_to_onehot", "max_cat_threshold", "cat_smooth", "cat_l2",
           "min_data_per_group", "early_stopping_rounds", "monotone", "interactions", "linear_l2",
           "linear_top_k", "linear_max_iter", "linear_tol", "threads", "seed")


def _name_text_cell(X, error):
    """Raises a ValueError naming the column, row and value of the first cell of a text array
    that is not a number (check_array's own message names none of them)."""
    a = np.asarray(X) if not hasattr(X, "dtype") else X
    if getattr(a, "dtype", None) is None or a.dtype.kind not in "OUS" or a.ndim != 2:
        return
    for j in range(a.shape[1]):
        for i in range(a.shape[0]):
            try:
                float(a[i, j])
            except (TypeError, ValueError):
                raise ValueError(f"column x{j} holds {a[i, j]!r} (row {i}), which is not a "
                                 f"number: {error}") from error


def _store_params(estimator, init_locals):
    """__init__'s work, as scikit-learn wants it: each keyword stored unchanged as an
    attribute of the same name (get_params reads them back by __init__'s signature)."""
    for name, value in init_locals.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


class _KeelEstimator(BaseEstimator):
    _extra = ()  # the subclass's own parameters

    def _params(self):
        names = _COMMON + self._extra
        # class_weight as a dict is scikit-learn's form, applied as row weights by fit.
        return {n: getattr(self, n) for n in names
                if getattr(self, n) is not None
                and not (n == "class_weight" and isinstance(getattr(self, n), dict))}

    def _more_tags(self):
        return {"allow_nan": True}

    # --- inputs -------------------------------------------------------------------------------
    def _columns(self, X, reset):
        """(names, specs) of X's feature columns, validated as scikit-learn validates them;
        at predict time named as at fit time (scikit-learn requires the fit's column order)."""
        if isinstance(X, pd.DataFrame):
            self._check_feature_names(X, reset=reset)
            self._check_n_features(X, reset=reset)
            if X.shape[0] < 1:
                raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a "
                                 "minimum of 1 is required.")
            names, specs = _frames.column_specs(X)
        else:
            try:
                X = self._validate_data(X, reset=reset, dtype=[np.float64, np.float32],
                                        force_all_finite="allow-nan")
            except ValueError as e:
                _name_text_cell(X, e)
                raise

            names, specs = array_columns(X)
        if reset:
            self._fit_names = names
        return list(self._fit_names), specs

    def _fit(self, X, y, sample_weight, task, positive=None):
        names, specs = self._columns(X, reset=True)
        check_consistent_length(X, y)
        # Messages name the target "y" (and the weights "sample_weight"), as the caller does.
        target = _free_name("y", names)
        names.append(target)
        specs.append(y)
        weight = None
        if sample_weight is not None:
            weight = _free_name("sample_weight", names)
            names.append(weight)
            specs.append(_check_sample_weight(sample_weight, np.empty(len(y)), dtype=np.float64))
        params = self._params()
        params.setdefault("test_size", 0)
        params.setdefault("threads", 1)
        params.setdefault("seed", 42)
        self.model_ = train_columns(names, specs, target, source="scikit-learn fit",
                                    name=f"the {type(self).__name__}'s training data",
                                    positive=positive, weight=weight, task=task, **params)
        return self

    def _outputs(self, X):
        check_is_fitted(self, "model_")
        names, specs = self._columns(X, reset=False)
        frame = pd.DataFrame(dict(zip(names, specs)), columns=names)
        return self.model_, frame

    # --- pickling: the native model travels as its .keel bytes -------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        if "model_" in state:
            with tempfile.TemporaryDirectory(prefix="keel-pickle-") as folder:
                path = os.path.join(folder, "m.keel")
                state["model_"].save(path)
                with open(path, "rb") as f:
                    state["model_"] = f.read()
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            with tempfile.TemporaryDirectory(prefix="keel-pickle-") as folder:
                path = os.path.join(folder, "m.keel")
                with open(path, "wb") as f:
                    f.write(state["model_"])
                state["model_"] = load(path)
        self.__dict__.update(state)


class KeelClassifier(ClassifierMixin, _KeelEstimator):
    """A Keel gradient-boosted (or, with algo="linear", logistic) classifier.

    class_weight: "none", "balanced" (Keel's), or a dict {class: weight} (scikit-learn's),
    which multiplies the rows' sample weights. calibrate: "none", "isotonic" or "sigmoid",
    fitted on the validation rows, or on k-fold's out-of-fold predictions (folds, cv_below;
    docs/calibration.md)."""

    _extra = ("class_weight", "calibrate")

    def __init__(self, *, algo=None, class_weight=None, calibrate=None, split=None, test_size=None,
                 valid_size=None, folds=None, cv_below=None, num_trees=None, num_leaves=None, max_depth=None,
                 learning_rate=None, max_bins=None, lambda_l1=None, lambda_l2=None,
                 min_data_in_leaf=None, min_sum_hessian=None, min_split_gain=None,
                 subsample=None, colsample=None, quantized_grad=None, max_cat_bins=None,
                 max_cat_to_onehot=None,
                 max_cat_threshold=None, cat_smooth=None, cat_l2=None, min_data_per_group=None,
                 early_stopping_rounds=None, monotone=None, interactions=None, linear_l2=None,
                 linear_top_k=None, linear_max_iter=None, linear_tol=None, threads=1, seed=42):
        _store_params(self, locals())

    def fit(self, X, y, sample_weight=None):
        """Trains on X and the labels y (any labels np.unique orders; ``classes_`` lists
        them). sample_weight: per-row weights."""
        y = column_or_1d(y, warn=True)
        missing = np.flatnonzero(pd.isna(y))
        if len(missing):
            raise ValueError(f"y (the target) is missing (NaN or None) in {len(missing)} rows, "
                             f"the first at row {missing[0]}")
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"KeelClassifier needs at least 2 classes in y, got "
                             f"{len(self.classes_)} class")
        binary = len(self.classes_) == 2
        if isinstance(self.class_weight, dict):
            # Per-class weights (scikit-learn's form) are row weights; Keel's own class_weight
            # takes "none" or "balanced".
            unknown = set(self.class_weight) - set(self.classes_)
            if unknown:
                raise ValueError(f"class_weight names classes not in y: {sorted(unknown)}")
            per_class = np.array([self.class_weight.get(c, 1.0) for c in self.classes_],
                                 dtype=np.float64)
            base = (np.ones(len(y)) if sample_weight is None else
                    _check_sample_weight(sample_weight, np.empty(len(y)), dtype=np.float64))
            sample_weight = base * per_class[codes]
        # Keel's target: the class index, so its class k is classes_[k] (binary: 1 positive).
        return self._fit(X, codes.astype(np.int64), sample_weight,
                         "binary" if binary else "multiclass", positive="1" if binary else None)

    def predict_proba(self, X):
        """Class probabilities, columns in ``classes_`` order."""
        model, frame = self._outputs(X)
        proba = np.asarray(model.predict_proba(frame, threads=self.threads), dtype=np.float64)
        proba = proba.reshape(len(frame), -1)
        order = [int(float(c)) for c in model.classes]
        out = np.empty_like(proba)
        out[:, order] = proba
        return out

    def predict(self, X):
        """The most probable class of each row (the first in ``classes_`` order on ties)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class KeelRegressor(RegressorMixin, _KeelEstimator):
    """A Keel gradient-boosted (or, with algo="linear", linear) regressor."""

    _extra = ("objective", "huber_delta", "alpha", "tweedie_variance_power")

    def __init__(self, *, algo=None, objective=None, huber_delta=None, alpha=None,
                 tweedie_variance_power=None, split=None,
                 test_size=None, valid_size=None, folds=None, cv_below=None, num_trees=None,
                 num_leaves=None, max_depth=None, learning_rate=None, max_bins=None,
                 lambda_l1=None, lambda_l2=None, min_data_in_leaf=None, min_sum_hessian=None,
                 min_split_gain=None, subsample=None, colsample=None, quantized_grad=None,
                 max_cat_bins=None,
                 max_cat_to_onehot=None, max_cat_threshold=None, cat_smooth=None, cat_l2=None,
                 min_data_per_group=None, early_stopping_rounds=None, monotone=None,
                 interactions=None, linear_l2=None, linear_top_k=None, linear_max_iter=None,
                 linear_tol=None, threads=1, seed=42):
        _store_params(self, locals())

    def fit(self, X, y, sample_weight=None):
        """Trains on X and the numeric target y. sample_weight: per-row weights."""
        y = column_or_1d(y, warn=True)
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        return self._fit(X, y, sample_weight, "regression")

    def predict(self, X):
        """The predicted values."""
        model, frame = self._outputs(X)
        return np.asarray(model.predict(frame, threads=self.threads), dtype=np.float64)
