"""Predictions from Python are `keel predict`'s, to the bit, whatever form the rows take."""

import threading
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import keel
from conftest import CHURN_CSV, read_exact_csv, run_keel


@pytest.fixture(scope="module")
def churn(churn_model_path):
    return keel.load(churn_model_path)


def encoded(model, frame, dtype):
    """The frame as feature vectors in model order: categories by their code."""
    cols = []
    for name, kind, cats in zip(model.features, model.feature_kinds, model.categories):
        if kind == "categorical":
            index = {c: k for k, c in enumerate(cats)}
            cols.append(frame[name].map(lambda v: index.get(v, np.nan)).to_numpy(np.float64))
        else:
            cols.append(frame[name].to_numpy(np.float64))
    return np.ascontiguousarray(np.column_stack(cols).astype(dtype))


def test_model_properties(churn):
    assert churn.task == "binary"
    assert churn.target == "churn"
    assert churn.classes == ["No", "Yes"]
    assert churn.output_names == ["prob_No", "prob_Yes"]
    assert "contract" in churn.features and "churn" not in churn.features
    k = churn.features.index("contract")
    assert churn.feature_kinds[k] == "categorical"
    assert "Month-to-month" in churn.categories[k]
    schema = churn.schema
    assert any(c["name"] == "churn" for c in schema["columns"])


def test_dataframe_equals_cli_bit_for_bit(churn, churn_frame, churn_cli_predictions):
    proba = churn.predict_proba(churn_frame)
    cli = churn_cli_predictions[churn.output_names].to_numpy()
    assert proba.shape == (len(churn_frame), 2)
    assert np.array_equal(proba, cli)  # exact, not approximate


def test_categorical_dtype_columns(churn, churn_frame, churn_cli_predictions):
    frame = churn_frame.copy()
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].astype("category")
    assert (frame.dtypes == "category").sum() >= 5
    assert np.array_equal(churn.predict_proba(frame),
                          churn_cli_predictions[churn.output_names].to_numpy())


def test_column_order_and_extra_columns_do_not_matter(churn, churn_frame, churn_cli_predictions):
    frame = churn_frame[churn.features[::-1]].copy()
    frame["unrelated"] = "x"
    assert np.array_equal(churn.predict_proba(frame),
                          churn_cli_predictions[churn.output_names].to_numpy())


def test_list_of_dicts(churn, churn_frame, churn_cli_predictions):
    rows = churn_frame.head(50).to_dict("records")
    assert np.array_equal(churn.predict_proba(rows),
                          churn_cli_predictions[churn.output_names].head(50).to_numpy())


def test_predict_row_matches_batch(churn, churn_frame, churn_cli_predictions):
    cli = churn_cli_predictions[churn.output_names].to_numpy()
    for i in [0, 1, 2, 488, 7042]:  # 488 has a blank total_charges (missing)
        row = churn_frame.iloc[i].to_dict()
        out = churn.predict_row(row)
        assert list(out) == churn.output_names
        assert [out[n] for n in churn.output_names] == list(cli[i])


def test_predict_row_reads_text_like_a_csv_cell(churn, churn_frame):
    row = churn_frame.iloc[3].to_dict()
    expected = churn.predict_row(row)
    k = churn.features.index("contract")
    row["contract"] = "  " + row["contract"].upper() + " "  # trimmed, case-insensitive
    assert churn.predict_row(row) == expected
    row["tenure"] = None  # missing
    missing = dict(churn_frame.iloc[3].to_dict(), tenure=float("nan"))
    assert churn.predict_row(row) == churn.predict_row(missing)
    assert churn.categories[k]  # the feature is categorical


def test_predict_gives_the_most_probable_class(churn, churn_frame):
    proba = churn.predict_proba(churn_frame)
    labels = churn.predict(churn_frame)
    assert list(labels) == [churn.classes[i] for i in np.argmax(proba, axis=1)]
    assert set(labels) == {"No", "Yes"}


def test_numpy_rows_give_the_same_numbers(churn, churn_frame, churn_cli_predictions):
    cli = churn_cli_predictions[churn.output_names].to_numpy()
    x32 = encoded(churn, churn_frame, np.float32)
    assert np.array_equal(churn.predict_proba(x32), cli)
    assert np.array_equal(churn.predict_proba(x32.astype(np.float64)), cli)  # converted once
    assert np.array_equal(churn.predict_proba(np.asfortranarray(x32)), cli)
    assert np.array_equal(churn.predict_proba(x32[::2]), cli[::2])  # a strided view


def test_numpy_float32_is_read_in_place(churn, churn_frame):
    x32 = np.ascontiguousarray(np.tile(encoded(churn, churn_frame, np.float32), (8, 1)))
    x64 = x32.astype(np.float64)

    def peak_while_predicting(x):
        tracemalloc.start()
        try:
            churn.predict_proba(x, threads=1)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # The output (rows x 2 doubles) is half the size of a float32 copy of the input.
    assert peak_while_predicting(x32) < 0.75 * x32.nbytes
    assert peak_while_predicting(x64) >= x32.nbytes  # the float32 copy, made once


def test_regression_model_equals_cli(workdir, charges_model_path, churn_frame):
    out = workdir / "charges_pred.csv"
    run_keel("predict", "--model", charges_model_path, "--data", CHURN_CSV, "--out", out)
    cli = read_exact_csv(out)["prediction"].to_numpy()
    model = keel.load(charges_model_path)
    assert model.task == "regression" and model.classes == []
    assert np.array_equal(model.predict(churn_frame), cli)
    assert model.predict_row(churn_frame.iloc[5].to_dict()) == {"prediction": cli[5]}
    with pytest.raises(TypeError):
        model.predict_proba(churn_frame)


def test_save_and_load_again(churn, churn_frame, workdir):
    path = workdir / "saved.keel"
    churn.save(path)
    again = keel.load(path)
    assert again.features == churn.features and again.classes == churn.classes
    assert np.array_equal(again.predict_proba(churn_frame), churn.predict_proba(churn_frame))


def test_many_python_threads_predict_from_one_model(churn, churn_frame, churn_cli_predictions):
    cli = churn_cli_predictions[churn.output_names].to_numpy()
    x32 = encoded(churn, churn_frame, np.float32)
    results, errors = {}, []

    def work(i):
        try:
            for _ in range(3):
                if i % 3 == 0:
                    got = churn.predict_proba(churn_frame, threads=2)
                elif i % 3 == 1:
                    got = churn.predict_proba(x32, threads=1)
                else:
                    got = np.array([list(churn.predict_row(r).values())
                                    for r in churn_frame.head(200).to_dict("records")])
                results.setdefault(i, []).append(got)
        except Exception as e:  # reported below, with the thread
            errors.append((i, e))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i, outs in results.items():
        for got in outs:
            assert np.array_equal(got, cli[:len(got)]), f"thread {i}"


def test_nullable_and_datetime_columns_are_read(churn, churn_frame, churn_cli_predictions):
    frame = churn_frame.copy()
    frame["tenure"] = frame["tenure"].astype("Int64")  # nullable integers
    frame["contract"] = frame["contract"].astype("string")  # pandas strings
    frame["signed_up"] = pd.Timestamp("2020-01-01")  # not a feature: ignored, but read
    assert np.array_equal(churn.predict_proba(frame),
                          churn_cli_predictions[churn.output_names].to_numpy())
