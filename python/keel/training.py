"""keel.train: the `keel train` use case from Python."""

import hashlib
import json
import os

import numpy as np
import pandas as pd

from keel import _frames
from keel import _keel
from keel.model import Model


def _param_text(value):
    """A parameter's text as docs/params.md writes it. A dict (monotone={"Income": -1}) becomes
    "Income=-1,..."; a list of lists (interactions=[["a", "b"], ["c"]]) becomes "a,b;c"; a
    list of numbers (quantiles=[0.05, 0.95]) becomes "0.05,0.95"."""
    if isinstance(value, bool):
        raise ValueError("training parameters are numbers or names, not booleans")
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back to the same double
    if isinstance(value, dict):
        return ",".join(f"{name}={_param_text(v)}" for name, v in value.items())
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return ",".join(_param_text(v) for v in value)  # quantiles=[0.05, 0.95]
    if isinstance(value, (list, tuple)):
        return ";".join(",".join(map(str, g)) if isinstance(g, (list, tuple)) else str(g)
                        for g in value)
    return str(value)


def _content_sha256(names, specs):
    """SHA-256 of the columns' names and values (for the model's lineage)."""
    h = hashlib.sha256()
    for name, spec in zip(names, specs):
        h.update(name.encode() + b"\0")
        for part in (spec[1:] if isinstance(spec, tuple) else (spec,)):
            part = np.asarray(part)
            if part.dtype == object or part.dtype.kind in "US":
                part = pd.util.hash_array(part.astype(object))
            h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()


def array_columns(X, y=None, *, names=None, target="y"):
    """(names, specs) of a 2-D numpy array's columns (named ``x0``, ``x1``, ... unless
    ``names`` is given) and, when y is given, the target column named ``target``. Numbers are
    read as they are (no text in between). Errors: ValueError for a shape that does not fit."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array, got {X.ndim} dimension(s)")
    names = [f"x{j}" for j in range(X.shape[1])] if names is None else list(names)
    specs = [X[:, j] for j in range(X.shape[1])]
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be one-dimensional, got shape {y.shape}")
        if len(y) != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows and y has {len(y)}: they must match")
        names.append(target)
        specs.append(y)
    return names, specs


_FAIRNESS = ("sensitive", "include_sensitive", "reweigh", "fair_attribute", "fair_constraint",
             "fair_bound", "fair_iterations")


def _split_fairness(params):
    """(fairness keywords, training parameters) of train()'s keyword arguments."""
    fairness = {k: params.pop(k) for k in _FAIRNESS if k in params}
    return fairness, params


def train_columns(names, specs, target, *, source, name=None, schema=None, positive=None, weight=None,
                  exclude=None, out=None, **params):
    """Trains on in-memory columns (keel/_frames.py's specs) with no file in between: the
    model equals ``keel train``'s on the same data written as CSV (with ``schema``, a schema YAML
    path, read with it as ``keel train --schema`` reads the file). source: what lineage says
    the data came from; name: how messages name it ("the " + source unless given). The GIL is
    released while Keel trains. Returns a ``keel.Model``."""
    rows = len(specs[0][1] if isinstance(specs[0], tuple) else specs[0]) if specs else 0
    lineage = {"source": source, "shape": [rows, len(names)],
               "sha256": _content_sha256(names, specs)}
    fairness, params = _split_fairness(dict(params))
    native, report = _keel.train_frame(
        names, specs, target, name=name or f"the {source}", lineage=json.dumps(lineage),
        schema="" if schema is None else os.fspath(schema), positive=positive or "",
        weight=weight or "", exclude=list(exclude or []),
        out="" if out is None else os.fspath(out),
        params={name: _param_text(v) for name, v in params.items()}, fairness=fairness)
    model = Model(native)
    model.train_report = json.loads(report)
    return model


def train(data, target, *, schema=None, positive=None, weight=None, exclude=None, out=None,
          **params):
    """Trains a model as ``keel train`` does and returns it (a ``keel.Model``; its
    ``train_report`` is ``keel train --json``'s object: split metrics, features, parameters).

    data: the path of a CSV/TSV/JSON Lines file; a pandas DataFrame (read from memory, typed as
    ``keel train`` types the frame written by ``to_csv``, so the model is the same; with
    ``schema``, typed by the schema as ``keel train --schema`` reads that file); or a 2-D numpy
    array X of features named ``x0``, ``x1``, ... with ``target`` then being y (a 1-D array).
    target: the column to predict. schema: a schema YAML path. positive: the positive class of
    a binary target. weight: a sample weight column. exclude: columns not to use as features.
    out: also save the model there. params: training parameters by their docs/params.md names
    or CLI flags (``num_trees=200``, ``learning_rate=0.05``, ``algo="linear"``, ``threads=2``,
    ``seed=7``); constraints as ``monotone={"Income": -1, "Debt": 1}`` and
    ``interactions=[["Income", "Debt"], ["Age", "Seniority"]]`` (docs/constraints.md).
    Fairness, as ``keel train``'s flags of the same names (docs/fairness.md): ``sensitive`` (a
    column or a list), ``include_sensitive``, ``reweigh``, ``fair_attribute``,
    ``fair_constraint``, ``fair_bound``, ``fair_iterations``. The GIL is released while Keel
    trains.
    """
    common = dict(positive=positive, weight=weight, exclude=exclude, out=out, **params)
    if isinstance(data, np.ndarray):
        if schema is not None:
            raise ValueError("schema= reads a data file; a numpy array has no column names")
        if isinstance(target, (str, bytes, os.PathLike)):
            raise ValueError("with a numpy array X, the target is y (an array of the labels), "
                             f"not a column name ({target!r})")
        names, specs = array_columns(data, target)
        return train_columns(names, specs, "y", source="numpy array", **common)
    if isinstance(data, pd.DataFrame):
        names, specs = _frames.column_specs(data)
        return train_columns(names, specs, str(target), source="DataFrame", schema=schema, **common)
    fairness, params = _split_fairness(dict(params))
    args = dict(schema="" if schema is None else os.fspath(schema), positive=positive or "",
                weight=weight or "", exclude=list(exclude or []),
                out="" if out is None else os.fspath(out),
                params={name: _param_text(v) for name, v in params.items()}, fairness=fairness)
    native, report = _keel.train(os.fspath(data), target, **args)
    model = Model(native)
    model.train_report = json.loads(report)
    return model
