"""The low-latency paths (a few numpy rows, dict rows) and numpy explanations give the same
numbers as the table paths and the CLI, to the bit; threads and the GIL."""

import threading
import time

import numpy as np
import pandas as pd
import pytest

import keel
from conftest import CHURN_CSV, read_exact_csv, run_keel
from test_predict import encoded


@pytest.fixture(scope="module")
def churn(churn_model_path):
    return keel.load(churn_model_path)


@pytest.fixture(scope="module")
def cli(churn, churn_cli_predictions):
    return churn_cli_predictions[churn.output_names].to_numpy()


def test_few_numpy_rows_equal_cli(churn, churn_frame, cli):
    x32 = encoded(churn, churn_frame, np.float32)
    # 1..8 rows take the single-row path, more the batch path: the same numbers either way.
    for start in [0, 488, 7000]:  # row 488 has a missing total_charges
        for n in [1, 2, 7, 8, 9, 33]:
            rows = x32[start:start + n]
            assert np.array_equal(churn.predict_proba(rows), cli[start:start + n]), (start, n)
            assert np.array_equal(churn.predict_proba(rows.astype(np.float64)),
                                  cli[start:start + n])
    one = x32[5:6]
    assert churn.predict(one).tolist() == [churn.classes[int(np.argmax(cli[5]))]]
    assert churn.predict_proba(x32[:0]).shape == (0, 2)


def test_a_numpy_row_is_read_in_place(churn, churn_frame):
    """A float32 C-contiguous row is not copied: the native call sees the caller's buffer
    (a view into a bigger array shares its memory, so writing through the view changes the
    prediction of the next call)."""
    x32 = encoded(churn, churn_frame, np.float32)[:4].copy()
    row = x32[1:2]  # a C-contiguous view
    before = churn.predict_proba(row)
    row[0, :] = np.nan
    after = churn.predict_proba(row)
    assert np.array_equal(after, churn.predict_proba(np.full_like(row, np.nan)))
    assert not np.array_equal(before, after)


def test_dict_rows_equal_cli(churn, churn_frame, cli):
    records = churn_frame.to_dict("records")
    for i in list(range(0, 7043, 37)) + [488]:
        out = churn.predict_row(records[i])
        assert list(out) == churn.output_names
        assert [out[n] for n in churn.output_names] == list(cli[i]), i



def test_dict_rows_in_any_key_layout_equal_cli(churn, churn_frame, cli):
    """A dict keyed by Model.features' own strings in model order is read in one pass over its
    items; any other layout is looked up key by key. Every layout gives the CLI's numbers."""
    features = churn.features
    assert features == list(churn.features) and features[0] is churn.features[0]
    records = churn_frame.to_dict("records")

    def copy(name):
        return "".join(list(name))  # equal, but another object

    for i in [0, 5, 488, 7000]:
        values = [records[i][f] for f in features]
        layouts = {
            "model order, own keys": dict(zip(features, values)),
            "copied keys": {copy(f): v for f, v in zip(features, values)},
            "reversed": dict(reversed(list(zip(features, values)))),
            "one copied key midway": {(copy(f) if j == 3 else f): v
                                      for j, (f, v) in enumerate(zip(features, values))},
            "extra keys first": {"id": 1, **dict(zip(features, values))},
            "extra keys last": {**dict(zip(features, values)), "zz": "x"},
        }
        for name, row in layouts.items():
            out = churn.predict_row(row)
            assert [out[n] for n in churn.output_names] == list(cli[i]), (i, name)
    with pytest.raises(KeyError, match=features[-1]):
        churn.predict_row(dict(zip(features[:-1], values[:-1])))

def test_dict_row_values_read_like_a_one_row_frame(churn, churn_frame):
    """Every kind of value a dict may hold is encoded as the table path encodes it."""
    base = churn_frame.iloc[11].to_dict()
    variants = [
        {"contract": " month-TO-month "},  # trimmed, case-insensitive category
        {"contract": "NA"},  # a missing token
        {"contract": "never seen"},  # unseen category: missing
        {"tenure": " 12 "},  # a number as text
        {"tenure": "12"},
        {"tenure": None},
        {"tenure": float("nan")},
        {"tenure": pd.NA},
        {"tenure": np.float64(3.5)},  # a float subclass
        {"tenure": np.float32(0.1)},  # numpy scalars
        {"tenure": np.int64(9)},
        {"tenure": np.bool_(True)},
        {"contract": np.bool_(False)},
        {"contract": np.int32(2)},
        {"tenure": 7},  # an int
        {"tenure": True},  # a bool reads as 1
        {"contract": 1.0},  # a number for a categorical feature: matched by its text
    ]
    for change in variants:
        row = dict(base, **change)
        frame = pd.DataFrame.from_records([row])
        expected = churn.predict_proba(frame)[0]
        got = churn.predict_row(row)
        assert [got[n] for n in churn.output_names] == list(expected), change


def test_dict_row_errors(churn, churn_frame):
    row = dict(churn_frame.iloc[0].to_dict(), tenure="twelve")
    with pytest.raises(ValueError, match='"tenure" holds "twelve"'):
        churn.predict_row(row)
    row = dict(churn_frame.iloc[0].to_dict(), tenure=object())
    with pytest.raises(ValueError, match="tenure"):
        churn.predict_row(row)
    row = churn_frame.iloc[0].to_dict()
    del row["tenure"]
    with pytest.raises(KeyError, match="tenure"):
        churn.predict_row(row)
    with pytest.raises(TypeError):
        churn.predict_row([1, 2, 3])


def test_multiclass_and_regression_rows(workdir, churn_frame, charges_model_path):
    path = workdir / "contract_fast.keel"
    run_keel("train", "--data", CHURN_CSV, "--target", "contract", "--trees", 15, "--out", path)
    out = workdir / "contract_fast.csv"
    run_keel("predict", "--model", path, "--data", CHURN_CSV, "--out", out)
    model = keel.load(path)
    expected = read_exact_csv(out)[model.output_names].to_numpy()
    x32 = encoded(model, churn_frame, np.float32)
    assert np.array_equal(model.predict_proba(x32[:3]), expected[:3])
    got = model.predict_row(churn_frame.iloc[4].to_dict())
    assert [got[n] for n in model.output_names] == list(expected[4])

    charges = keel.load(charges_model_path)
    x32 = encoded(charges, churn_frame, np.float32)
    assert np.array_equal(charges.predict(x32[:5]), charges.predict(churn_frame.head(5)))


def test_explain_numpy_equals_dataframe(churn, churn_frame):
    frame = churn_frame.head(300)
    x32 = encoded(churn, frame, np.float32)
    by_frame = churn.explain(frame, top=3)
    by_array = churn.explain(x32, top=3)
    assert list(by_array.columns) == list(by_frame.columns)
    shap = churn.features + ["bias"]
    assert np.array_equal(by_array[shap].to_numpy(), by_frame[shap].to_numpy())
    for way in ["up", "down"]:
        for i in [1, 2, 3]:
            f, v, s = (f"{way}_{i}_{part}" for part in ["feature", "value", "shap"])
            assert by_array[f].equals(by_frame[f])
            assert np.array_equal(by_array[s].to_numpy(), by_frame[s].to_numpy(),
                                  equal_nan=True)
            # Values: category names alike; numbers as the float32 the array holds.
            for a, b in zip(by_array[v], by_frame[v]):
                if a is None or b is None:
                    assert a is None and b is None
                    continue
                try:
                    assert np.float32(a) == np.float32(float(b)), (a, b)
                except ValueError:
                    assert a == b
    assert churn.explain(x32[:4]).shape == (4, len(shap))
    with pytest.raises(ValueError, match="takes"):
        churn.explain(x32[:, :3])


def test_eight_threads_share_one_model(churn, churn_frame, cli):
    x32 = encoded(churn, churn_frame, np.float32)
    records = churn_frame.head(400).to_dict("records")
    errors, done = [], []

    def work(i):
        try:
            for r in range(i, 400, 3):
                if i % 2 == 0:
                    got = churn.predict_proba(x32[r:r + 1])[0]
                else:
                    out = churn.predict_row(records[r])
                    got = [out[n] for n in churn.output_names]
                assert list(got) == list(cli[r]), (i, r)
            assert np.array_equal(churn.predict_proba(x32, threads=1), cli)
            done.append(i)
        except Exception as e:  # reported below, with the thread
            errors.append((i, e))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(done) == list(range(8))


def test_the_gil_is_released_while_a_batch_predicts(churn, churn_frame):
    """A Python thread keeps running while another predicts a long batch: it notes the time
    every 100 steps, and some of those notes fall in the middle third of the call (with the GIL
    held it could run at most one switch interval, 5 ms, at the call's edges)."""
    x32 = np.ascontiguousarray(np.tile(encoded(churn, churn_frame, np.float32), (30, 1)))
    start = time.perf_counter()
    churn.predict_proba(x32[:20000], threads=1)
    per_row = (time.perf_counter() - start) / 20000
    rows = int(min(len(x32), max(20000, 0.3 / per_row)))  # about 0.3 s of work

    stamps = []
    stop = threading.Event()

    def counter():
        steps = 0
        while not stop.is_set():
            steps += 1
            if steps % 100 == 0:
                stamps.append(time.perf_counter())

    t = threading.Thread(target=counter)
    t.start()
    try:
        while not stamps:
            time.sleep(0.001)
        t0 = time.perf_counter()
        churn.predict_proba(x32[:rows], threads=1)
        t1 = time.perf_counter()
    finally:
        stop.set()
        t.join()
    third = (t1 - t0) / 3
    assert third > 0.01, "the call was too short to tell"
    middle = [s for s in stamps if t0 + third < s < t1 - third]
    assert len(middle) > 10, f"{len(middle)} notes in the middle of a {t1 - t0:.3f} s call"
