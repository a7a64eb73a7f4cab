"""keel.compare, keel.audit, keel.drift, keel.evaluate and keel.run: their to_dict() is the
command's --json object for the same inputs (but for what is measured in time), their views
and verdicts are read from it, and bad input raises the right exception naming what is wrong."""

import json
import re
import subprocess

import numpy as np
import pandas as pd
import pytest

import keel
from conftest import CHURN_CSV, KEEL_BIN, KEEL_ENV, SOURCE_DIR, run_keel

TIMED = ("seconds", "mean_us", "p50_us", "p99_us", "rows_per_second")


def untimed(obj):
    """`obj` without what differs between two runs: durations, the measured latencies and
    throughput, and the latency quoted in the verdict's sentence."""
    if isinstance(obj, dict):
        return {k: untimed(v) for k, v in obj.items() if k not in TIMED}
    if isinstance(obj, list):
        return [untimed(v) for v in obj]
    if isinstance(obj, str):
        return re.sub(r"p99 latency [0-9.]+ us", "p99 latency _ us", obj)
    return obj


def cli_json(*args):
    return json.loads(run_keel(*args, "--json").stdout)


@pytest.fixture(scope="module")
def baseline_path(workdir):
    path = workdir / "churn_linear.keel"
    run_keel("train", "--data", CHURN_CSV, "--target", "churn", "--algo", "linear", "--out", path)
    return path


def test_compare_equals_the_cli(baseline_path, churn_model_path):
    args = ["--resamples", 100, "--threads", 2, "--min-gain", 0.01, "--latency-budget-us", 5000]
    cli = cli_json("compare", baseline_path, churn_model_path, "--data", CHURN_CSV, *args)
    result = keel.compare(baseline_path, churn_model_path, CHURN_CSV, resamples=100, threads=2,
                          min_gain=0.01, latency_budget_us=5000)
    assert untimed(result.to_dict()) == untimed(cli)
    assert result.ship_candidate == cli["verdict"]["ship_candidate"]
    assert result.gain == cli["test"]["gain"] and result.p_value == cli["test"]["p_value"]
    assert result.metric == "auc" and result.rows == 7043
    # The verdict in the CLI's words.
    text = run_keel("compare", baseline_path, churn_model_path, "--data", CHURN_CSV, *args).stdout
    words = re.search(r"^verdict: (.*)$", text, re.M).group(1)
    assert result.verdict == words
    assert words == ("SHIP THE CANDIDATE" if result.ship_candidate else "KEEP THE BASELINE")
    # The views: each model's metrics with their intervals, and the costs.
    auc = cli["candidate"]["evaluation"]["metrics"]["auc"]
    row = result.metrics.loc["auc"]
    assert (row["candidate"], row["candidate_lower"], row["candidate_upper"]) == (
        auc["value"], auc["lower"], auc["upper"])
    assert result.costs.loc["baseline", "file_bytes"] == baseline_path.stat().st_size
    html = result._repr_html_()
    assert words in html and f"{auc['value']:.4g}" in html and "<table" in html
    assert words in repr(result) and str(result) == result.text
    timed = re.compile(r"latency|batch|because")  # measured numbers
    assert [line for line in result.text.splitlines() if not timed.search(line)] == [
        line for line in text.splitlines() if not timed.search(line)]


def test_compare_takes_models_and_frames(baseline_path, churn_model_path, churn_frame):
    by_path = keel.compare(baseline_path, churn_model_path, CHURN_CSV, resamples=50, threads=2)
    by_object = keel.compare(keel.load(baseline_path), keel.load(churn_model_path), churn_frame,
                             resamples=50, threads=2)
    assert by_object.test == by_path.test
    pd.testing.assert_frame_equal(by_object.metrics, by_path.metrics)
    d = by_object.to_dict()
    assert (d["data"], d["baseline"]["name"], d["candidate"]["name"]) == (
        "<DataFrame>", "<keel.Model>", "<keel.Model>")
    assert "keel-" not in by_object.text


def test_audit_equals_the_cli(churn_model_path, churn_frame):
    cli = cli_json("audit", "--model", churn_model_path, "--data", CHURN_CSV, "--sensitive",
                   "female,senior_citizen", "--bootstrap", 100, "--threads", 2, "--no-proxies")
    result = keel.audit(churn_model_path, CHURN_CSV, sensitive=["female", "senior_citizen"],
                        bootstrap=100, threads=2, no_proxies=True)
    assert result.to_dict() == cli
    assert result.positive_class == "Yes" and result.rows_audited == 7043
    senior = cli["attributes"]["senior_citizen"]
    assert result.disparities.loc["senior_citizen", "demographic_parity_difference"] == (
        senior["demographic_parity_difference"])
    assert result.disparities.loc["senior_citizen", "demographic_parity_difference_low"] == (
        senior["demographic_parity_difference_ci"]["low"])
    groups = result.groups[result.groups["attribute"] == "senior_citizen"]
    assert sorted(groups["group"]) == ["0", "1"] and groups["count"].sum() == 7043
    assert len(result.slices) == len(cli["slices"]["worst"]) > 0
    assert result.proxies.empty
    html = result._repr_html_()
    assert "senior_citizen" in html and f"{senior['demographic_parity_difference']:.4g}" in html
    # A DataFrame and a Model give the same audit.
    again = keel.audit(keel.load(churn_model_path), churn_frame, sensitive="female,senior_citizen",
                       bootstrap=100, threads=2, no_proxies=True)
    assert again.to_dict()["attributes"] == cli["attributes"]


def test_audit_fits_thresholds_as_the_cli(churn_model_path, tmp_path):
    args = dict(sensitive="senior_citizen", fit_thresholds="demographic_parity", bootstrap=50,
                no_proxies=True, no_slices=True, threads=2)
    cli = cli_json("audit", "--model", churn_model_path, "--data", CHURN_CSV, "--sensitive",
                   "senior_citizen", "--fit-thresholds", "demographic_parity", "--out",
                   tmp_path / "cli.keel", "--bootstrap", 50, "--no-proxies", "--no-slices",
                   "--threads", 2)
    result = keel.audit(churn_model_path, CHURN_CSV, out=tmp_path / "py.keel", **args)
    assert result.mitigation["out"] == str(tmp_path / "py.keel")
    result.mitigation["out"] = cli["mitigation"]["out"]
    assert result.mitigation == cli["mitigation"]
    assert result.mitigation["disparity_after"] <= result.mitigation["bound"]
    assert keel.load(tmp_path / "py.keel").task == "binary"
    with pytest.raises(keel.InvalidArgumentError, match="out"):
        keel.audit(churn_model_path, CHURN_CSV, **args)


def test_drift_equals_the_cli(churn_model_path, churn_frame, workdir):
    shifted = churn_frame.copy()
    shifted["monthly_charges"] = shifted["monthly_charges"] * 1.5
    shifted["tenure"] = shifted["tenure"] + 24
    path = workdir / "shifted.csv"
    shifted.to_csv(path, index=False)
    cli = cli_json("drift", "--reference", churn_model_path, "--data", path, "--threads", 2)
    result = keel.drift(churn_model_path, path, threads=2)
    assert untimed(result.to_dict()) == untimed(cli)
    assert {"monthly_charges", "tenure"} <= set(result.drifted_features)
    assert result.features.loc["tenure", "drifted"]
    assert result.features.loc["tenure", "statistic"] == next(
        f["statistic"] for f in cli["features"] if f["feature"] == "tenure")
    # drifted is what --fail-on-drift exits 3 for.
    proc = subprocess.run([KEEL_BIN, "drift", "--reference", churn_model_path, "--data", path,
                           "--fail-on-drift"], capture_output=True, text=True)
    assert result.drifted == (proc.returncode == 3)
    assert result.verdict in proc.stdout and "dataset drift" in result.verdict.lower()
    assert "tenure" in result._repr_html_()
    # Unchanged data against reference rows (a DataFrame): no drift.
    same = keel.drift(churn_frame.iloc[::2], churn_frame.iloc[1::2], threads=2)
    assert not same.dataset_drift and same.verdict.endswith(
        "no dataset drift (threshold 50% of features)")
    assert same.to_dict()["reference"] == "<DataFrame>"


def test_evaluate_equals_the_cli(churn_model_path):
    cli = cli_json("evaluate", "--model", churn_model_path, "--data", CHURN_CSV,
                   "--resamples", 100, "--threads", 2)
    # numpy integers are integers.
    result = keel.evaluate(churn_model_path, CHURN_CSV, resamples=np.int64(100), threads=2)
    assert untimed(result.to_dict()) == untimed(cli)
    assert result.metrics.loc["auc", "value"] == cli["metrics"]["auc"]["value"]
    assert result.positive_class == "Yes" and result.rows == 7043
    assert f"{cli['metrics']['logloss']['value']:.4g}" in result._repr_html_()


def test_run_equals_the_cli(tmp_path):
    project = (SOURCE_DIR / "examples" / "telco_churn" / "keel.yaml").read_text()
    project = project.replace("num_trees: 400", "num_trees: 30").replace(
        "resamples: 1000", "resamples: 100").replace("path: wa_churn.csv", f"path: {CHURN_CSV}")
    yaml = tmp_path / "keel.yaml"
    yaml.write_text(project)
    cli = cli_json("run", yaml, "--out", tmp_path / "cli", "--threads", 2)
    result = keel.run(yaml, out=tmp_path / "py", threads=2)
    d = result.to_dict()
    for key in ("data", "split", "explanations", "fairness", "drift", "task", "project"):
        assert d[key] == cli[key], key
    assert untimed(d["comparison"]) == untimed(cli["comparison"])
    assert result.ship == cli["verdict"]["ship"]
    assert result.fairness_passed == cli["fairness"]["gate"]["passed"]
    assert result.model_path == str(tmp_path / "py" / "model.keel")
    assert result.model.task == "binary"
    assert result.models.loc["auc", "candidate"] == cli["models"]["candidate"]["metrics"]["auc"][
        "value"]
    assert result.verdict == result.reason  # `keel run` prints the reason as its verdict
    assert "auc" in result._repr_html_()


def test_frames_are_read_in_memory_as_the_cli_reads_their_csv(baseline_path, churn_model_path,
                                                                churn_frame, workdir, monkeypatch):
    # Messier than the file: categories in other cases, padded, missing tokens, a new category.
    frame = churn_frame.copy()
    frame.loc[::7, "contract"] = frame.loc[::7, "contract"].str.upper()
    frame.loc[3::11, "payment_method"] = " " + frame.loc[3::11, "payment_method"] + " "
    frame.loc[5::13, "internet_service"] = "NA"
    frame.loc[9, "internet_service"] = "Satellite"
    path, ref_path = workdir / "messy_churn.csv", workdir / "messy_ref.csv"
    frame.to_csv(path, index=False)
    frame.iloc[::2].to_csv(ref_path, index=False)
    ref = frame.iloc[::2]

    def no_csv(*args, **kwargs):
        raise AssertionError("the DataFrame was written as CSV")

    # No file in between.
    monkeypatch.setattr(pd.DataFrame, "to_csv", no_csv)

    def same(result, cli, **named):
        d = untimed(result.to_dict())
        for key, value in named.items():
            assert d[key] == "<DataFrame>"
            d[key] = str(value)
        assert d == untimed(cli)

    same(keel.evaluate(churn_model_path, frame, resamples=50, threads=2),
         cli_json("evaluate", "--model", churn_model_path, "--data", path, "--resamples", 50,
                  "--threads", 2), data=path)
    same(keel.compare(baseline_path, churn_model_path, frame, resamples=50, threads=2),
         cli_json("compare", baseline_path, churn_model_path, "--data", path, "--resamples", 50,
                  "--threads", 2), data=path)
    same(keel.audit(churn_model_path, frame, sensitive="female,senior_citizen", bootstrap=50,
                    threads=2, no_proxies=True),
         cli_json("audit", "--model", churn_model_path, "--data", path, "--sensitive",
                  "female,senior_citizen", "--bootstrap", 50, "--threads", 2, "--no-proxies"),
         data=path)
    same(keel.drift(churn_model_path, frame, threads=2),
         cli_json("drift", "--reference", churn_model_path, "--data", path, "--threads", 2),
         data=path)
    same(keel.drift(ref, frame, threads=2),
         cli_json("drift", "--reference", ref_path, "--data", path, "--threads", 2),
         reference=ref_path, data=path)


def test_a_frame_value_the_cli_rejects_is_an_error(churn_model_path, churn_frame):
    frame = churn_frame.copy()
    frame["tenure"] = frame["tenure"].astype(object)
    frame.loc[4, "tenure"] = "twelve"  # the CLI rejects the record and evaluates the others
    with pytest.raises(ValueError, match=r'"tenure" holds "twelve" \(row 4\)'):
        keel.evaluate(churn_model_path, frame)
    frame = churn_frame.copy()
    frame["contract"] = np.arange(len(frame))  # numbers where the schema has categories
    with pytest.raises(ValueError, match='"contract" holds numeric values where the schema'):
        keel.evaluate(churn_model_path, frame)


# Errors: each names the column, the file or the option.


def test_missing_feature_column(baseline_path, churn_model_path, churn_frame):
    with pytest.raises(keel.MissingColumnError, match="tenure") as e:
        keel.compare(baseline_path, churn_model_path, churn_frame.drop(columns=["tenure"]))
    assert isinstance(e.value, KeyError) and "<DataFrame>" in str(e.value)
    with pytest.raises(KeyError, match="contract"):
        keel.evaluate(churn_model_path, churn_frame.drop(columns=["contract"]))


def test_missing_target(baseline_path, churn_model_path, churn_frame):
    no_target = churn_frame.drop(columns=["churn"])
    with pytest.raises(keel.MissingColumnError, match='"churn", the model\'s target'):
        keel.compare(baseline_path, churn_model_path, no_target)
    with pytest.raises(KeyError, match="churn"):
        keel.audit(churn_model_path, no_target, sensitive="female")


def test_unknown_sensitive_column(churn_model_path):
    with pytest.raises(keel.MissingColumnError, match="'gender'"):
        keel.audit(churn_model_path, CHURN_CSV, sensitive="gender")


def test_corrupt_and_missing_model(baseline_path, churn_model_path, tmp_path):
    data = bytearray(churn_model_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.keel"
    damaged.write_bytes(bytes(data))
    with pytest.raises(keel.CorruptError, match="damaged.keel"):
        keel.compare(baseline_path, damaged, CHURN_CSV)
    with pytest.raises(keel.CorruptError, match="damaged.keel"):
        keel.audit(damaged, CHURN_CSV, sensitive="female")
    with pytest.raises(FileNotFoundError, match="nope.keel"):
        keel.drift(tmp_path / "nope.keel", CHURN_CSV)
    with pytest.raises(FileNotFoundError, match="nope.yaml"):
        keel.run(tmp_path / "nope.yaml")


def test_run_errors(tmp_path):
    yaml = tmp_path / "keel.yaml"
    yaml.write_text("data:\n  path: nope.csv\ntarget:\n  column: churn\n")
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        keel.run(yaml, out=tmp_path / "out")
    yaml.write_text(f"data:\n  path: {CHURN_CSV}\ntarget:\n  column: churned\n")
    with pytest.raises(keel.MissingColumnError, match="churned"):
        keel.run(yaml, out=tmp_path / "out")


def test_bad_options(baseline_path, churn_model_path):
    with pytest.raises(keel.InvalidArgumentError, match="unknown option 'min_gian'"):
        keel.compare(baseline_path, churn_model_path, CHURN_CSV, min_gian=0.1)
    with pytest.raises(ValueError, match="option 'metric'"):
        keel.compare(baseline_path, churn_model_path, CHURN_CSV, metric="accuracyy")
    with pytest.raises(ValueError, match="option 'bootstrap': expected an integer"):
        keel.audit(churn_model_path, CHURN_CSV, sensitive="female", bootstrap="many")
    with pytest.raises(ValueError, match=r"option 'threshold': expected a number in \[0, 1\]"):
        keel.audit(churn_model_path, CHURN_CSV, sensitive="female", threshold=1.5)
    with pytest.raises(ValueError, match="option 'min_gain': expected a number, not NaN"):
        keel.compare(baseline_path, churn_model_path, CHURN_CSV, min_gain=float("nan"))
    with pytest.raises(ValueError, match="option 'numeric_test'"):
        keel.drift(churn_model_path, CHURN_CSV, numeric_test="chi2")


@pytest.mark.parametrize("call,flag,option,value,shown", [
    ("compare", "--alpha", "alpha", 1.0, r"\(0, 1\)"),
    ("compare", "--latency-rows", "latency_rows", 0, r"\[1, 10000000\]"),
    ("drift", "--alpha", "alpha", 0.0, r"\(0, 1\)"),
    ("drift", "--js-threshold", "js_threshold", 1.5, r"\(0, 1\]"),
    ("drift", "--drift-share", "drift_share", 0.0, r"\(0, 1\]"),
    ("drift", "--missing-threshold", "missing_threshold", 2.0, r"\(0, 1\]"),
    ("evaluate", "--confidence", "confidence", 1.0, r"\(0, 1\)"),
    ("evaluate", "--bins", "bins", 0, r"\[1, 1000\]"),
    ("evaluate", "--curve-points", "curve_points", 1, r"\[2, 1000000\]"),
    ("audit", "--quantile-bins", "quantile_bins", 101, r"\[2, 100\]"),
    ("audit", "--fdr", "fdr", 0.9, r"\[0.0001, 0.5\]"),
])
def test_options_accept_what_the_flags_accept(baseline_path, churn_model_path, call, flag, option,
                                             value, shown):
    """Every ranged option is checked against the range its flag is checked against (one
    declaration, usecase/option_ranges.h): the CLI refuses the value with exit 2, Python with
    ValueError showing the same range."""
    inputs = {"compare": [baseline_path, churn_model_path, CHURN_CSV],
              "audit": [churn_model_path, CHURN_CSV], "drift": [churn_model_path, CHURN_CSV],
              "evaluate": [churn_model_path, CHURN_CSV]}[call]
    extra = {"sensitive": "female"} if call == "audit" else {}
    with pytest.raises(ValueError, match=rf"option '{option}': expected an? \w+ in {shown}"):
        getattr(keel, call)(*inputs, **{option: value}, **extra)
    cli_args = {"compare": [baseline_path, churn_model_path, "--data", CHURN_CSV],
                "audit": ["--model", churn_model_path, "--data", CHURN_CSV, "--sensitive",
                          "female"],
                "drift": ["--reference", churn_model_path, "--data", CHURN_CSV],
                "evaluate": ["--model", churn_model_path, "--data", CHURN_CSV]}[call]
    proc = subprocess.run([KEEL_BIN, call, *map(str, cli_args), flag, str(value)],
                          capture_output=True, text=True, env=KEEL_ENV)
    assert proc.returncode == 2, proc.stderr
