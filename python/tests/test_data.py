"""keel.read_csv is `keel ingest`: the same counts, the same rejected records, and a frame
that predicts like the file."""

import json

import numpy as np
import pandas as pd
import pytest

import keel
from conftest import CHURN_CSV, SOURCE_DIR, run_keel

MESSY_CSV = SOURCE_DIR / "tests" / "data" / "messy" / "wa_churn_messy.csv"


def test_messy_file_report_equals_cli(workdir):
    rejects = workdir / "messy_rejects.csv"
    cli = json.loads(run_keel("ingest", MESSY_CSV, "--rejects", rejects, "--json").stdout)
    frame, report = keel.read_csv(MESSY_CSV)
    for key in ["rows_read", "rows_used", "rows_rejected", "duplicates"]:
        assert getattr(report, key) == cli[key], key
    assert report.rows_used + report.rows_rejected == report.rows_read
    assert len(frame) == report.rows_used > 0
    cli_rejects = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert len(report.rejected) == report.rows_rejected == len(cli_rejects) > 0
    assert list(report.rejected.columns) == list(cli_rejects.columns)
    for name in cli_rejects.columns:
        assert [str(v) for v in report.rejected[name]] == list(cli_rejects[name]), name
    first = report.rejected.iloc[0]
    assert first["line"] == 397 and first["column"] == "paperless_billing"
    assert "1.2.3" in first["reason"]
    assert len(report.anomalies) == len(cli["anomalies"])
    assert set(report.anomalies.columns) >= {"line", "column", "kind", "message"}
    # The same object but the read's time, and the rejects file only the CLI was asked for.
    ignored = {"seconds", "rejects_file"}
    assert ({k: v for k, v in report.to_dict().items() if k not in ignored} ==
            {k: v for k, v in cli.items() if k not in ignored})


def test_frame_kinds(churn_frame):
    frame, report = keel.read_csv(CHURN_CSV)
    assert report.rows_rejected == 0 and len(frame) == 7043
    assert list(frame.columns) == list(churn_frame.columns)
    assert isinstance(frame["contract"].dtype, pd.CategoricalDtype)
    assert set(frame["contract"].cat.categories) == {"Month-to-month", "One year", "Two year"}
    assert frame["tenure"].dtype == np.float64
    assert frame["total_charges"].isna().sum() == churn_frame["total_charges"].isna().sum()
    assert np.array_equal(frame["monthly_charges"].to_numpy(),
                          churn_frame["monthly_charges"].to_numpy())


def test_frame_predicts_like_the_file(churn_model_path, churn_cli_predictions):
    frame, _ = keel.read_csv(CHURN_CSV)
    model = keel.load(churn_model_path)
    assert np.array_equal(model.predict_proba(frame),
                          churn_cli_predictions[model.output_names].to_numpy())


def test_booleans_timestamps_and_text(tmp_path):
    path = tmp_path / "kinds.csv"
    rows = ["id,when,flag,note"]
    for i in range(40):
        when = "" if i == 3 else f"2024-01-{1 + i % 28:02d}T10:00:00Z"
        flag = "" if i == 5 else ("true" if i % 2 else "false")
        rows.append(f"user{i:04d},{when},{flag},free text number {i} with words")
    path.write_text("\n".join(rows) + "\n")
    frame, report = keel.read_csv(path)
    assert report.rows_used == 40
    assert frame["when"].dtype == "datetime64[ns]"
    assert frame["when"].iloc[0] == pd.Timestamp("2024-01-01T10:00:00")
    assert pd.isna(frame["when"].iloc[3])
    assert str(frame["flag"].dtype) == "boolean"
    assert frame["flag"].iloc[1] is np.bool_(True) or frame["flag"].iloc[1] == True  # noqa: E712
    assert pd.isna(frame["flag"].iloc[5])
    assert frame["id"].iloc[7] == "user0007"


def test_infer_schema_then_read_with_it(tmp_path):
    out = tmp_path / "schema.yaml"
    schema = keel.infer_schema(CHURN_CSV, target="churn", out=out)
    roles = {c["name"]: c["role"] for c in schema["columns"]}
    kinds = {c["name"]: c["kind"] for c in schema["columns"]}
    assert roles["churn"] == "target" and kinds["contract"] == "categorical"
    assert out.read_text() == schema["yaml"]
    frame, report = keel.read_csv(CHURN_CSV, schema=out)
    assert report.rows_used == 7043 and isinstance(frame["churn"].dtype, pd.CategoricalDtype)


def test_read_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        keel.read_csv(tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError, match="nope.yaml"):
        keel.read_csv(CHURN_CSV, schema=tmp_path / "nope.yaml")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(keel.KeelError, match="empty.csv"):
        keel.read_csv(empty)
    with pytest.raises(KeyError, match="chrun"):
        keel.infer_schema(CHURN_CSV, target="chrun")
    with pytest.raises(FileNotFoundError):
        keel.infer_schema(tmp_path / "nope.csv")
