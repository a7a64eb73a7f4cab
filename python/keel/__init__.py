"""Keel from Python: a thin binding over the use cases the ``keel`` command runs.

What exists today (docs/python.md): ``keel.load`` and ``keel.Model`` (predict, predict_proba,
predict_row, explain, save), ``keel.read_csv``, ``keel.infer_schema``, ``keel.train``,
``keel.compare``, ``keel.audit``, ``keel.drift``, ``keel.evaluate``, ``keel.run`` (their
results in ``keel.results``), the scikit-learn estimators ``keel.KeelClassifier`` and
``keel.KeelRegressor``, and the ``keel.errors`` exceptions.
"""

from keel import _keel  # noqa: F401  (the native module; fails early when it is not built)
from keel.errors import (AlreadyExistsError, CancelledError, CorruptError,  # noqa: F401
                         FailedPreconditionError, InternalError, InvalidArgumentError, IoError,
                         KeelError, MissingColumnError, MissingFileError, NotFoundError,
                         OutOfRangeError, ParseError, ResourceExhaustedError, UnavailableError,
                         UnsupportedError)
from keel.data import IngestReport, infer_schema, read_csv  # noqa: F401
from keel.gate import audit, compare, drift, evaluate, run  # noqa: F401
from keel.model import Model, load  # noqa: F401
from keel.training import train  # noqa: F401


def __getattr__(name):
    # The estimators import scikit-learn, so only when asked for (`import keel` stays fast and
    # works without scikit-learn).
    if name in ("KeelClassifier", "KeelRegressor"):
        from keel import sklearn
        return getattr(sklearn, name)
    raise AttributeError(f"module 'keel' has no attribute {name!r}")
