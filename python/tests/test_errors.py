"""Bad input raises a Python exception that names what is wrong; it never crashes."""

import numpy as np
import pytest

import keel


@pytest.fixture(scope="module")
def churn(churn_model_path):
    return keel.load(churn_model_path)


def test_missing_model_file(tmp_path):
    path = tmp_path / "nope.keel"
    with pytest.raises(FileNotFoundError) as e:
        keel.load(path)
    assert isinstance(e.value, keel.KeelError)
    assert str(path) in str(e.value)


def test_corrupt_model_file(churn_model_path, tmp_path):
    data = bytearray(churn_model_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.keel"
    damaged.write_bytes(bytes(data))
    with pytest.raises(keel.CorruptError) as e:
        keel.load(damaged)
    assert isinstance(e.value, ValueError) and "damaged.keel" in str(e.value)

    truncated = tmp_path / "truncated.keel"
    truncated.write_bytes(bytes(data[:100]))
    with pytest.raises(keel.KeelError, match="truncated.keel"):
        keel.load(truncated)

    not_a_model = tmp_path / "text.keel"
    not_a_model.write_text("churn,tenure\nNo,1\n")
    with pytest.raises(keel.KeelError, match="text.keel"):
        keel.load(not_a_model)


def test_missing_column(churn, churn_frame):
    with pytest.raises(KeyError) as e:
        churn.predict_proba(churn_frame.drop(columns=["tenure"]))
    assert isinstance(e.value, keel.MissingColumnError)
    assert "tenure" in str(e.value)


def test_missing_key_in_a_row(churn, churn_frame):
    row = churn_frame.iloc[0].to_dict()
    del row["contract"]
    with pytest.raises(KeyError, match="contract"):
        churn.predict_row(row)


def test_text_in_a_numeric_column(churn, churn_frame):
    frame = churn_frame.head(10).copy()
    frame["tenure"] = frame["tenure"].astype(object)
    frame.loc[7, "tenure"] = "twelve"
    with pytest.raises(ValueError, match=r'"tenure" holds "twelve" \(row 7\)'):
        churn.predict_proba(frame)
    # Numbers written as text, and the reader's missing tokens, are read like a CSV's cells.
    frame.loc[7, "tenure"] = " 12 "
    frame.loc[8, "tenure"] = "NA"
    expected = churn_frame.head(10).copy()
    expected.loc[7, "tenure"] = 12
    expected.loc[8, "tenure"] = np.nan
    assert np.array_equal(churn.predict_proba(frame), churn.predict_proba(expected))
    row = churn_frame.iloc[0].to_dict()
    row["tenure"] = "twelve"
    with pytest.raises(ValueError, match="tenure"):
        churn.predict_row(row)


def test_wrong_value_type_in_a_row(churn, churn_frame):
    row = churn_frame.iloc[0].to_dict()
    row["tenure"] = [1, 2]
    with pytest.raises(ValueError, match="tenure"):
        churn.predict_row(row)


def test_bad_arrays(churn):
    n = len(churn.features)
    with pytest.raises(ValueError, match="dtype"):
        churn.predict_proba(np.full((3, n), "a"))
    with pytest.raises(ValueError, match="dtype"):
        churn.predict_proba(np.empty((3, n), dtype=object))
    with pytest.raises(ValueError, match=f"takes {n} features"):
        churn.predict_proba(np.zeros((3, n + 1), dtype=np.float32))
    with pytest.raises(ValueError, match="2-D"):
        churn.predict_proba(np.zeros(n, dtype=np.float32))


def test_unreadable_column_dtype(churn, churn_frame):
    frame = churn_frame.head(5).copy()
    frame["tenure"] = frame["tenure"].astype(complex)
    with pytest.raises(ValueError, match='"tenure" has dtype complex128'):
        churn.predict_proba(frame)


def test_not_a_table(churn):
    with pytest.raises(TypeError):
        churn.predict_proba("rows.csv")


def test_save_into_a_missing_folder(churn, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        churn.save(tmp_path / "no" / "such" / "m.keel")


def test_empty_inputs(churn, churn_frame):
    assert churn.predict_proba(churn_frame.head(0)).shape == (0, 2)
    assert churn.predict_proba(np.zeros((0, len(churn.features)), np.float32)).shape == (0, 2)
