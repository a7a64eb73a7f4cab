"""keel.compare, keel.audit, keel.drift, keel.evaluate and keel.run: the commands of the same
names from Python, each calling the use case the command calls (python/src/gate_binding.cc).

Options are keyword arguments named as the command's flags, with '_' for '-'
(``min_gain=0.01``, ``latency_budget_us=200``, ``no_slices=True``, ``threads=2``). Models may be
``keel.Model`` objects or ``.keel`` paths, data a file path or a pandas DataFrame. A DataFrame is
read in memory as the command reads the same data written as CSV (with the model's schema where
the command reads its file with it), so the numbers are the command's; a value the command's
reader would reject, leaving its row out, is an error naming the column, value and row instead
(a DataFrame cannot drop a row). A ``keel.Model`` is written to a temporary ``.keel`` file and
loaded as the command loads it. In ``to_dict()`` and ``text`` such inputs are named
``<DataFrame>`` and ``<keel.Model>``.
"""

import json
import os
import tempfile

import pandas as pd

from keel import _keel
from keel._frames import column_specs
from keel.errors import KeelError
from keel.model import Model
from keel.results import AuditResult, CompareResult, DriftResult, EvaluateResult, RunResult


class _Inputs:
    """Turns models into the paths the native calls read (and names the temporary files
    afterwards), and data into a path or a DataFrame's columns."""

    def __init__(self):
        self._folder = None
        self._names = {}  # temporary path -> what to call it

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # An error names the input as the caller knows it, not its temporary path.
        if isinstance(exc, KeelError) and exc.args:
            exc.args = (self.named(str(exc.args[0])),) + exc.args[1:]
        if self._folder is not None:
            self._folder.cleanup()

    def _path(self, file_name, shown_as):
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="keel-")
        path = os.path.join(self._folder.name, file_name)
        self._names[path] = shown_as
        return path

    def model(self, model, role):
        if isinstance(model, Model):
            path = self._path(f"{role}.keel", "<keel.Model>")
            model.save(path)
            return path
        return os.fspath(model)

    @staticmethod
    def data(data):
        """(the name the native call gives the data, the DataFrame's (names, specs) or None)."""
        if isinstance(data, pd.DataFrame):
            return "<DataFrame>", column_specs(data)
        return os.fspath(data), None

    def named(self, text):
        """``text`` with each temporary path replaced by its name (JSON-safe: the names have
        nothing JSON escapes)."""
        for path, name in self._names.items():
            text = text.replace(path, name)
        return text


def _options(options):
    return {k: v for k, v in options.items() if v is not None}


def compare(baseline, candidate, data, **options):
    """``keel compare``: scores both models on the same labelled rows, tests the gain in the
    gate metric, measures size, latency and throughput, and says which one ships.

    Options (``keel compare``'s flags): ``metric``, ``min_gain``, ``alpha``,
    ``latency_budget_us``, ``latency_rows``, ``threshold``, ``resamples``, ``seed``,
    ``threads``. Returns a ``keel.results.CompareResult``.
    """
    with _Inputs() as inputs:
        name, frame = inputs.data(data)
        report, text = _keel.compare(inputs.model(baseline, "baseline"),
                                     inputs.model(candidate, "candidate"), name,
                                     _options(options), frame)
        return CompareResult(json.loads(inputs.named(report)), inputs.named(text))


def audit(model, data, sensitive=None, **options):
    """``keel audit``: per-group metrics, disparities with intervals, worst slices and proxy
    features of a binary classifier on labelled data. ``sensitive``: a column name or a list
    (default: the schema's sensitive columns).

    Options (``keel audit``'s flags): ``threshold``, ``ignore_group_thresholds``,
    ``min_group_size``, ``bins``, ``quantile_bins``, ``reference``, ``bootstrap``,
    ``confidence``, ``seed``, ``no_intersections``, ``no_slices``, ``slice_min_rows``,
    ``slice_loss``, ``slice_top``, ``slice_bins``, ``fdr``, ``no_proxies``, ``proxy_auc``,
    ``proxy_nmi``, ``fit_thresholds``, ``fit_attribute``, ``bound``, ``out``, ``threads``.
    Returns a ``keel.results.AuditResult``.
    """
    options = _options(dict(options, sensitive=sensitive))
    if "out" in options:
        options["out"] = os.fspath(options["out"])
    with _Inputs() as inputs:
        name, frame = inputs.data(data)
        report, text = _keel.audit(inputs.model(model, "model"), name, options, frame)
        return AuditResult(json.loads(inputs.named(report)), inputs.named(text))


def drift(reference, data, **options):
    """``keel drift``: new data against a reference, a model (its training profile; the
    predictions are compared too) or reference data (a path or a DataFrame), feature by
    feature.

    Options (``keel drift``'s flags): ``target``, ``numeric_test``, ``categorical_test``,
    ``alpha``, ``correction``, ``psi_threshold``, ``js_threshold``, ``wasserstein_threshold``,
    ``small_sample``, ``drift_share``, ``missing_threshold``, ``max_categories``, ``bins``,
    ``histograms``, ``threads``. Returns a ``keel.results.DriftResult``.
    """
    with _Inputs() as inputs:
        if isinstance(reference, Model):
            ref, ref_frame = inputs.model(reference, "reference"), None
        else:
            ref, ref_frame = inputs.data(reference)
        name, frame = inputs.data(data)
        report, text, drifted = _keel.drift(ref, name, _options(options), ref_frame, frame)
        return DriftResult(json.loads(inputs.named(report)), inputs.named(text), drifted)


def evaluate(model, data, **options):
    """``keel evaluate``: the model's metrics on labelled data with bootstrap intervals.

    Options (``keel evaluate``'s flags): ``threshold``, ``resamples``, ``seed``,
    ``confidence``, ``bins``, ``curve_points``, ``allow_missing_columns``, ``threads``.
    Returns a ``keel.results.EvaluateResult``.
    """
    with _Inputs() as inputs:
        name, frame = inputs.data(data)
        report, text = _keel.evaluate(inputs.model(model, "model"), name, _options(options),
                                      frame)
        return EvaluateResult(json.loads(inputs.named(report)), inputs.named(text))


def run(project, out=None, threads=None):
    """``keel run``: the whole pipeline of a project file (keel.yaml). ``out``: the output
    folder (default: keel.yaml's). Returns a ``keel.results.RunResult``."""
    report, text = _keel.run(os.fspath(project), "" if out is None else os.fspath(out),
                             0 if threads is None else int(threads))
    return RunResult(json.loads(report), text)
