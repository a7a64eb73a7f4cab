"""keel.Model: a trained model, loaded from a .keel file (or returned by training)."""

import json
import sys

import numpy as np
import pandas as pd

from keel import _frames
from keel import _keel


def _threads(threads):
    return 0 if threads is None else int(threads)


class Model:
    """A compiled Keel model. Any number of threads may predict from one instance at once.

    Inputs to predict/predict_proba:
      * a 2-D numpy array of the model's features in ``features`` order (categorical features
        as their codes, ``categories[i]`` lists them); float32 C-contiguous arrays are read in
        place, other numeric dtypes are converted once (an imported LightGBM model reads
        float64: float64 C-contiguous arrays in place, others widened once, so its answers are
        LightGBM's);
      * a pandas DataFrame: columns matched by name (others ignored), text and categorical
        columns coded through the model's category tables exactly as ``keel predict`` does;
      * a list of dicts, one per row, read like a DataFrame.
    ``threads``: None (all cores) or a count.
    """

    def __init__(self, native):
        self._native = native
        # Read once: the single-row paths below run in about a microsecond, where every
        # attribute fetched from the native model would show.
        self._task = native.task
        # Interned, and handed out by ``features``: a dict row keyed by these objects (built
        # from ``features``, or from string literals, which Python interns) is read in one pass.
        self._keys = tuple(sys.intern(name) for name in native.features)
        self._output_keys = tuple(native.output_names)

    @property
    def task(self):
        """"binary", "multiclass" or "regression"."""
        return self._task

    @property
    def target(self):
        return self._native.target

    @property
    def features(self):
        """Feature names, in the order numpy rows must follow."""
        return list(self._keys)

    @property
    def feature_kinds(self):
        """"numeric" or "categorical" per feature."""
        return self._native.feature_kinds

    @property
    def categories(self):
        """Per feature, its categories (code k = categories[i][k]); empty for numeric ones."""
        return self._native.categories

    @property
    def output_names(self):
        """The names of predict_proba's columns, as ``keel predict`` names them."""
        return self._native.output_names

    @property
    def classes(self):
        """Class names in predict_proba's column order (binary: the positive class last);
        empty for regression."""
        if self.task == "regression":
            return []
        return [name[len("prob_"):] for name in self.output_names]

    @property
    def schema(self):
        """The data schema the model was trained with, as a dict."""
        return json.loads(self._native.schema_json)

    def _outputs(self, X, threads):
        if isinstance(X, np.ndarray):
            return self._native.predict_matrix(X, 0 if threads is None else int(threads))
        names, specs = _frames.column_specs(_frames.as_frame(X))
        return self._native.predict_columns(names, specs, _threads(threads))

    def predict_proba(self, X, threads=None):
        """Class probabilities, one row per input row, columns in ``classes`` order: the
        numbers ``keel predict`` writes as prob_<class>."""
        if self._task == "regression":
            raise TypeError("a regression model has no class probabilities; use predict")
        if type(X) is np.ndarray:  # inline: one Python call less on the single-row path
            return self._native.predict_matrix(X, 0 if threads is None else int(threads))
        return self._outputs(X, threads)

    def predict(self, X, threads=None):
        """Regression: the predicted values (rows x levels, sorted per row, for a model of
        several quantiles: its columns are ``output_names``). Classification: the class with
        the highest probability (the first one on a tie)."""
        out = self._outputs(X, threads)
        if self.task == "regression":
            return out[:, 0] if out.shape[1] == 1 else out
        return np.asarray(self.classes, dtype=object)[np.argmax(out, axis=1)]

    def predict_interval(self, X, level=0.9, threads=None):
        """Regression: split-conformal intervals at ``level`` (e.g. 0.9), an array of rows x 2
        (lower, upper) = prediction -+ q, or for a model of several quantiles (``quantiles=``)
        the conformalized quantile interval (lowest quantile - q, highest + q), the numbers
        ``keel predict --interval`` writes. The model needs conformal scores (trained with
        validation rows)."""
        if self._task != "regression":
            raise TypeError("a classifier gives prediction sets, not intervals; use predict_set")
        q = self._native.conformal_quantile(float(level))
        p = self._outputs(X, threads)
        lo, hi = p[:, 0] - q, p[:, -1] + q
        # An interval q turns inside out (q < 0 with close quantiles) is their midpoint.
        mid = (p[:, 0] + p[:, -1]) / 2
        crossed = lo > hi
        return np.column_stack([np.where(crossed, mid, lo), np.where(crossed, mid, hi)])

    def predict_set(self, X, level=0.9, threads=None):
        """Classification: split-conformal prediction sets at ``level`` (e.g. 0.9), one list
        of class names per row (possibly empty), the classes ``keel predict --interval``
        writes in its set column."""
        if self._task == "regression":
            raise TypeError("a regression model gives intervals, not sets; use predict_interval")
        q = self._native.conformal_quantile(float(level))
        inside = self._native.conformal_sets(np.ascontiguousarray(self._outputs(X, threads)), q)
        classes = self.classes
        return [[c for c, m in zip(classes, row) if m] for row in inside]

    def predict_row(self, row):
        """One row given as a dict {feature: value} (None = missing; other keys ignored):
        {output name: value}, the numbers predict_proba gives for that row. The low-latency
        path: the row is encoded and scored directly, without a table."""
        return self._native.predict_row(row, self._keys, self._output_keys)

    def explain(self, X, top=0, threads=None):
        """Per-row attributions, as ``keel explain`` computes them (exact TreeSHAP for tree
        models, linear attributions for linear ones), in raw margin units: a DataFrame with one
        column per feature plus ``bias`` (per class with a ``<class>:`` prefix for multiclass),
        each row summing to the row's raw margin. With ``top`` > 0 also the reason codes of
        ``keel explain --top``: ``reason_class`` (multiclass), ``up_<i>_feature``,
        ``up_<i>_value``, ``up_<i>_shap``, the same for ``down_<i>``, and the sentence
        ``reason``. X: a DataFrame, a list of dicts, or a 2-D numpy array of rows in
        ``features`` order as predict takes it (reason values are then the encoded values'
        texts: category names, numbers in shortest float32 form)."""
        if isinstance(X, np.ndarray):
            columns, shap, reason_columns, reasons = _keel.explain_matrix(
                self._native, X, int(top), _threads(threads))
        else:
            names, specs = _frames.column_specs(_frames.as_frame(X))
            columns, shap, reason_columns, reasons = _keel.explain_columns(
                self._native, names, specs, int(top), _threads(threads))
        frame = pd.DataFrame(shap, columns=columns)
        if reason_columns:
            frame = pd.concat([frame, self._reason_frame(reason_columns, reasons, int(top))],
                              axis=1)
        return frame

    def _reason_frame(self, columns, reasons, top):
        """Reason codes in ``columns`` order (the explain stage names them)."""
        rows = []
        for output, up, down, sentence in reasons:
            cells = [self.classes[output]] if self.task == "multiclass" else []
            for way in (up, down):
                for i in range(top):
                    cells.extend(way[i] if i < len(way) else (None, None, np.nan))
            cells.append(sentence)
            rows.append(cells)
        return pd.DataFrame(rows, columns=columns)

    def save(self, path):
        """Writes the model as a .keel file."""
        self._native.save(str(path))

    def __repr__(self):
        return (f"keel.Model(task={self.task!r}, target={self.target!r}, "
                f"features={len(self.features)})")


def load(path):
    """Reads and verifies a .keel model file."""
    return Model(_keel.Model.load(str(path)))
