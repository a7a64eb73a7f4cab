"""keel.train from memory: a DataFrame or numpy X + y trains with no file in between, and the
model is the one `keel train` makes from the same data written as CSV."""

import json

import numpy as np
import pandas as pd
import pytest

import keel
from conftest import run_keel


def _messy_frame(n=600, seed=3):
    rng = np.random.RandomState(seed)
    x = rng.randn(n)
    plan = rng.choice(["basic", "Basic", " premium ", "pro", "NA"], n)
    frame = pd.DataFrame({
        "x": x,
        "x_with_gaps": np.where(rng.rand(n) < 0.1, np.nan, rng.exponential(size=n)),
        "count": rng.randint(0, 50, n),
        "flag": rng.rand(n) < 0.3,
        "plan": plan,  # text: trimmed, "NA" missing, "basic"/"Basic" one category
        "region": pd.Categorical(rng.choice(["north", "south", "east"], n)),
        "amount_text": [f"{v:.3f}" for v in rng.rand(n) * 100],  # numbers held as text
        "yes_no": rng.choice(["yes", "no"], n),
        "true_false": rng.choice(["True", "false"], n),  # text the reader reads as booleans
        "one_letter": rng.choice(["A", "a"], n),  # one category: constant, not a feature
        "when": pd.date_range("2020-01-01", periods=n, freq="h"),  # the time column
        "customer": [f"c{i}" for i in range(n)],  # an id
        "email": [f"user{i}@example.com" for i in range(n)],  # PII: dropped
        "nothing": np.full(n, np.nan),
    })
    score = x + (plan == "pro") * 1.5 + frame["flag"] * 0.7 + rng.randn(n) * 0.5
    frame["label"] = np.where(score > 0.4, "good", "bad")
    frame["amount"] = score * 10 + rng.randn(n)
    return frame


@pytest.mark.parametrize("target,exclude", [("label", ["amount"]), ("amount", ["label"])])
def test_a_frame_trains_the_model_its_csv_trains(tmp_path, target, exclude):
    frame = _messy_frame()
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False)
    from_file = keel.train(path, target, exclude=exclude, num_trees=30, threads=1)
    from_frame = keel.train(frame, target, exclude=exclude, num_trees=30, threads=1)
    assert from_frame.features == from_file.features
    assert from_frame.schema == from_file.schema
    assert from_frame.categories == from_file.categories
    columns = [c["name"] for c in from_frame.schema["columns"]]
    assert "email" not in columns and "customer" in columns  # PII dropped, the id kept
    assert not {"when", "customer", "one_letter", "nothing"} & set(from_frame.features)
    X = frame.drop(columns=[target])
    X["true_false"] = X["true_false"].str.lower() == "true"  # predict reads booleans as such
    assert np.array_equal(from_frame.predict_proba(X) if target == "label" else
                          from_frame.predict(X),
                          from_file.predict_proba(X) if target == "label" else
                          from_file.predict(X))
    assert from_frame.train_report["split"] == from_file.train_report["split"]



def test_a_frame_with_a_schema_trains_the_model_its_csv_trains(tmp_path, monkeypatch):
    """schema=: the frame is typed by the schema in memory, as `keel train --schema` reads the
    file: the schema `keel schema infer` writes, and one changed by hand (a count read as a
    category, a text column ignored)."""
    frame = _messy_frame()
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False)
    inferred = tmp_path / "inferred.yaml"
    run_keel("schema", "infer", path, "--target", "label", "--out", inferred)
    edited = tmp_path / "edited.yaml"
    run_keel("schema", "infer", path, "--target", "label", "--kind", "count=categorical",
             "--role", "plan=ignore", "--out", edited)
    # A category column holds text, as in the CSV: numbers where the schema reads categories
    # are an error that says so, never categories of another spelling.
    with pytest.raises(ValueError, match='column "count" holds numeric values where the schema '
                                         'reads categorical'):
        keel.train(frame, "label", schema=edited)
    as_text = frame.assign(count=frame["count"].astype(str))
    for schema, data in ((inferred, frame), (edited, as_text)):
        from_file = keel.train(path, "label", schema=schema, exclude=["amount"], num_trees=20,
                               threads=1)
        with monkeypatch.context() as m:
            m.setattr(pd.DataFrame, "to_csv", lambda *a, **k: pytest.fail("a file was written"))
            from_frame = keel.train(data, "label", schema=schema, exclude=["amount"],
                                    num_trees=20, threads=1)
        assert from_frame.features == from_file.features
        assert from_frame.feature_kinds == from_file.feature_kinds
        assert from_frame.categories == from_file.categories
        assert from_frame.schema == from_file.schema
        X = data.drop(columns=["label"])
        X["true_false"] = X["true_false"].str.lower() == "true"  # predict reads booleans as such
        assert np.array_equal(from_frame.predict_proba(X), from_file.predict_proba(X))
    kinds = dict(zip(from_frame.features, from_frame.feature_kinds))
    assert kinds["count"] == "categorical" and "plan" not in kinds
    with pytest.raises(FileNotFoundError, match="no_such"):
        keel.train(frame, "label", schema=tmp_path / "no_such.yaml")
    with pytest.raises(KeyError, match="count"):
        keel.train(frame.drop(columns=["count"]), "label", schema=edited)


def test_no_file_is_written(monkeypatch):
    frame = _messy_frame(200)

    def no_files(*args, **kwargs):
        raise AssertionError("training from memory wrote a file")

    monkeypatch.setattr(pd.DataFrame, "to_csv", no_files)
    monkeypatch.setattr("tempfile.TemporaryDirectory", no_files)
    model = keel.train(frame, "label", num_trees=5)
    assert model.task == "binary"


def test_numpy_x_and_y_train_as_their_csv(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(400, 4)
    X[rng.rand(400, 4) < 0.05] = np.nan
    y = np.nan_to_num(X[:, 0]) * 2 + np.nan_to_num(X[:, 1]) + rng.randn(400) * 0.1
    path = tmp_path / "xy.csv"
    pd.DataFrame(np.column_stack([X, y]), columns=["x0", "x1", "x2", "x3", "y"]).to_csv(
        path, index=False)
    from_file = keel.train(path, "y", num_trees=20)
    from_numpy = keel.train(X, y, num_trees=20)
    assert from_numpy.features == ["x0", "x1", "x2", "x3"]
    assert np.array_equal(from_numpy.predict(X), from_file.predict(X))


def test_lineage_names_the_dataframe(tmp_path):
    frame = _messy_frame(200)
    out = tmp_path / "m.keel"
    keel.train(frame, "label", num_trees=5, out=out)
    data = json.loads(run_keel("inspect", out, "--json").stdout)["sections"]["lineage"]["data"]
    assert data["source"] == "DataFrame" and data["shape"] == [200, frame.shape[1]]
    assert "path" not in data and len(data["sha256"]) == 64
    # The hash is of the content: another frame hashes differently, the same one the same.
    keel.train(frame.assign(x=frame["x"] + 1), "label", num_trees=5, out=tmp_path / "o.keel")
    other = json.loads(run_keel("inspect", tmp_path / "o.keel", "--json").stdout)
    assert other["sections"]["lineage"]["data"]["sha256"] != data["sha256"]


def test_training_releases_the_gil():
    import threading
    import time
    frame = _messy_frame(20000)
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    keel.train(frame, "label", num_trees=100, threads=1)
    elapsed = time.perf_counter() - start
    done.set()
    t.join()
    during = [x for x in ticks if start < x < start + elapsed]
    # With the GIL held the ticker would stall for the whole training.
    assert elapsed > 0.05 and len(during) >= 10


def test_errors_name_the_column():
    frame = _messy_frame(100)
    bad = frame.copy()
    bad.loc[5, "label"] = None
    with pytest.raises(ValueError, match=r'target column "label" is missing .* row 5'):
        keel.train(bad, "label")
    bad = frame.copy()
    bad.loc[7, "amount_text"] = "12,5 kg"
    with pytest.raises(ValueError, match=r'"amount_text" holds "12,5 kg" \(row 7\)'):
        keel.train(bad, "label")
    with pytest.raises(KeyError, match="lable"):
        keel.train(frame, "lable")
    with pytest.raises(ValueError, match="complex"):
        keel.train(frame.assign(z=np.ones(100, dtype=complex)), "label")
    X = np.ones((10, 2))
    with pytest.raises(ValueError, match="the target is y"):
        keel.train(X, "label")
    with pytest.raises(ValueError, match="10 rows and y has 9"):
        keel.train(X, np.ones(9))
    with pytest.raises(ValueError, match="target column \"y\" is missing"):
        keel.train(X, np.array([np.nan] + [1.0] * 9))
