"""keel.train(path, stream=...) trains straight from the file as `keel train --stream` does:
on the example (exact bin edges) the same predictions as from the table."""

import numpy as np
import pytest

import keel
from conftest import CHURN_CSV


def test_stream_on_gives_the_table_model(churn_frame):
    streamed = keel.train(CHURN_CSV, "churn", num_trees=30, folds=0, stream="on")
    table = keel.train(CHURN_CSV, "churn", num_trees=30, folds=0, stream="off")
    assert streamed.train_report["parameters"]["stream"] == "on"
    assert streamed.features == table.features
    assert np.array_equal(streamed.predict_proba(churn_frame), table.predict_proba(churn_frame))
    assert streamed.train_report["leakage"] == table.train_report["leakage"]


def test_stream_on_refuses_what_it_cannot_do():
    with pytest.raises(Exception, match="stream on"):
        keel.train(CHURN_CSV, "churn", algo="linear", stream="on")
