"""keel.train: the `keel train` use case from Python."""

import json
import os
import tempfile

import pandas as pd

from keel import _keel
from keel.model import Model


def _param_text(value):
    if isinstance(value, bool):
        raise ValueError("training parameters are numbers or names, not booleans")
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back to the same double
    return str(value)


def train(data, target, *, schema=None, positive=None, weight=None, exclude=None, out=None,
          **params):
    """Trains a model as ``keel train`` does and returns it (a ``keel.Model``; its
    ``train_report`` is ``keel train --json``'s object: split metrics, features, parameters).

    data: the path of a CSV/TSV/JSON Lines file, or a pandas DataFrame (written to a temporary
    CSV file and read back exactly as ``keel train`` reads that file). target: the column to
    predict. schema: a schema YAML path. positive: the positive class of a binary target.
    weight: a sample weight column. exclude: columns not to use as features. out: also save
    the model there. params: training parameters by their docs/params.md names or CLI flags
    (``num_trees=200``, ``learning_rate=0.05``, ``algo="linear"``, ``threads=2``, ``seed=7``).
    """
    args = dict(schema="" if schema is None else os.fspath(schema), positive=positive or "",
                weight=weight or "", exclude=list(exclude or []),
                out="" if out is None else os.fspath(out),
                params={name: _param_text(v) for name, v in params.items()})
    if isinstance(data, pd.DataFrame):
        with tempfile.TemporaryDirectory(prefix="keel-train-") as folder:
            path = os.path.join(folder, "data.csv")
            data.to_csv(path, index=False)
            native, report = _keel.train(path, target, **args)
    else:
        native, report = _keel.train(os.fspath(data), target, **args)
    model = Model(native)
    model.train_report = json.loads(report)
    return model
