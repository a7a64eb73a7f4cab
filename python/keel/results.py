"""The results of keel.compare, keel.audit, keel.drift, keel.evaluate and keel.run.

Each result holds the command's ``--json`` object (``to_dict()`` returns it unchanged) and its
text output (``text``, also ``str(result)``); the attributes and DataFrame views are read from
that object, never computed again. ``_repr_html_`` shows a headline and a compact table in a
notebook.
"""

import copy
import html

import pandas as pd


def _line(text, start):
    """The rest of the first line of ``text`` that starts with ``start``, or None."""
    for line in text.splitlines():
        if line.startswith(start):
            return line[len(start):]
    return None


def _metrics_frame(metrics):
    """A metrics object ({name: {value, lower, upper, ...}}) as a DataFrame indexed by name."""
    frame = pd.DataFrame.from_dict(metrics, orient="index")
    cols = [c for c in ("value", "lower", "upper") if c in frame.columns]
    frame = frame[cols + [c for c in frame.columns if c not in cols]]
    frame.index.name = "metric"
    return frame


def _side_by_side(metrics_by_model):
    """{model: metrics object} as one DataFrame: per metric, each model's value and interval
    (columns ``<model>``, ``<model>_lower``, ``<model>_upper``)."""
    frames = []
    for model, metrics in metrics_by_model.items():
        frame = _metrics_frame(metrics)[["value", "lower", "upper"]]
        frames.append(frame.rename(columns={"value": model, "lower": f"{model}_lower",
                                            "upper": f"{model}_upper"}))
    return pd.concat(frames, axis=1)


class Result:
    """What every result has: ``to_dict()``, ``text``, ``_repr_html_``."""

    def __init__(self, report, text):
        self._report = report
        self.text = text

    def to_dict(self):
        """The command's ``--json`` object."""
        return copy.deepcopy(self._report)

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"<keel.results.{type(self).__name__}: {self._headline()}>"

    def _headline(self):
        raise NotImplementedError

    def _table(self):
        raise NotImplementedError

    def _repr_html_(self):
        table = self._table().to_html(float_format=lambda v: f"{v:.4g}", na_rep="")
        return (f"<div><p><b>{html.escape(type(self).__name__)}</b>: "
                f"{html.escape(self._headline())}</p>{table}</div>")


class EvaluateResult(Result):
    """``keel evaluate``: a model's metrics on labelled rows with bootstrap intervals.

    Attributes: ``task``, ``target``, ``positive_class`` (binary, else None), ``rows`` (rows
    evaluated), ``rows_read``, ``rows_rejected``, ``rows_missing_label``, ``metrics`` (a
    DataFrame: one row per metric, columns ``value``, ``lower``, ``upper``).
    """

    def __init__(self, report, text):
        super().__init__(report, text)
        self.task = report["task"]
        self.target = report["target"]
        self.positive_class = report.get("positive_class")
        self.rows = report["rows"]
        self.rows_read = report["rows_read"]
        self.rows_rejected = report["rows_rejected"]
        self.rows_missing_label = report["rows_missing_label"]
        self.metrics = _metrics_frame(report["metrics"])

    def _headline(self):
        return f"{self.task} model, target '{self.target}', {self.rows} rows"

    def _table(self):
        return self.metrics[["value", "lower", "upper"]]


class CompareResult(Result):
    """``keel compare``: the "complexity must pay" gate.

    Attributes: ``verdict`` (the CLI's words: "SHIP THE CANDIDATE" or "KEEP THE BASELINE"),
    ``reason`` (the sentence saying why), ``ship`` ("candidate" or "baseline"),
    ``ship_candidate``, ``significant``, ``gain_reaches_min``, ``within_budget``, ``metric``
    (the gate metric), ``gain``, ``lower``/``upper`` (its interval), ``p_value``, ``method``
    (the paired test), ``rows``, ``test`` (the test as a dict); ``metrics`` (a DataFrame: one row
    per metric, each model's value with its interval), ``costs`` (a DataFrame: file size,
    single-row latency and batch throughput per model).
    """

    def __init__(self, report, text):
        super().__init__(report, text)
        verdict = report["verdict"]
        self.verdict = _line(text, "verdict: ")
        self.reason = verdict["reason"]
        self.ship = verdict["ship"]
        self.ship_candidate = verdict["ship_candidate"]
        self.significant = verdict["significant"]
        self.gain_reaches_min = verdict["gain_reaches_min"]
        self.within_budget = verdict["within_budget"]
        self.test = report["test"]
        self.metric = report["metric"]
        self.gain = self.test["gain"]
        self.lower = self.test["lower"]
        self.upper = self.test["upper"]
        self.p_value = self.test["p_value"]
        self.method = self.test["method"]
        self.rows = report["rows"]
        sides = ("baseline", "candidate")
        self.metrics = _side_by_side({s: report[s]["evaluation"]["metrics"] for s in sides})
        self.costs = pd.DataFrame({s: report[s]["cost"] for s in sides}).T
        self.costs.index.name = "model"

    def _headline(self):
        return f"{self.verdict} ({self.metric} gain {self.gain:+.4g}, p = {self.p_value:.3g})"

    def _table(self):
        return self.metrics


class AuditResult(Result):
    """``keel audit``: the fairness audit of a binary classifier.

    Attributes: ``positive_class``, ``rows_audited``, ``rows_without_label``, ``overall`` (a
    dict of the overall rates), ``groups`` (a DataFrame: one row per group of each attribute
    and intersection, with ``attribute``, ``group``, counts and rates), ``disparities`` (a
    DataFrame: one row per attribute and intersection, each disparity with its interval's
    ``_low``/``_high`` and ``four_fifths_rule_violated``), ``slices`` (the worst slices),
    ``proxies`` (proxy features), ``mitigation`` (the fitted thresholds' dict or None).
    """

    _DISPARITIES = ("demographic_parity_difference", "demographic_parity_ratio",
                    "disparate_impact_ratio", "equal_opportunity_difference",
                    "equalized_odds_difference", "predictive_parity_difference")

    def __init__(self, report, text):
        super().__init__(report, text)
        self.positive_class = report["positive_class"]
        self.rows_audited = report["rows_audited"]
        self.rows_without_label = report["rows_without_label"]
        self.overall = report["overall"]
        attributes = {**report.get("attributes", {}), **report.get("intersections", {})}
        groups, disparities = [], []
        for name, a in attributes.items():
            for g in a["groups"]:
                groups.append({"attribute": name, **g})
            row = {"attribute": name}
            for key in self._DISPARITIES:
                if key in a:
                    row[key] = a[key]
                    ci = a.get(f"{key}_ci") or {}
                    row[f"{key}_low"] = ci.get("low")
                    row[f"{key}_high"] = ci.get("high")
            row["four_fifths_rule_violated"] = a.get("four_fifths_rule_violated")
            disparities.append(row)
        self.groups = pd.DataFrame(groups)
        self.disparities = pd.DataFrame(disparities).set_index("attribute")
        self.slices = pd.DataFrame(report.get("slices", {}).get("worst", []))
        self.proxies = pd.DataFrame(report.get("proxies", []))
        self.mitigation = report.get("mitigation")

    def _headline(self):
        return f"{self.rows_audited} rows, positive class '{self.positive_class}'"

    def _table(self):
        keys = ["demographic_parity_difference", "disparate_impact_ratio",
                "equalized_odds_difference", "four_fifths_rule_violated"]
        return self.disparities[[k for k in keys if k in self.disparities.columns]]


class DriftResult(Result):
    """``keel drift``: new data against a reference, feature by feature.

    Attributes: ``drifted`` (the data set, the predictions or the labels drifted: what
    ``keel drift --fail-on-drift`` exits 3 for), ``dataset_drift``, ``prediction_drift``,
    ``label_drift``, ``share_drifted``, ``drifted_features`` (their names), ``verdict`` (the
    CLI's line, e.g. "0 of 19 features drifted (0%): no dataset drift (threshold 50% of
    features)"), ``features`` (a DataFrame: one row per feature with its test, statistic,
    p-values, PSI, Jensen-Shannon, ``drifted``...), ``prediction`` and ``label`` (dicts, when
    compared).
    """

    def __init__(self, report, text, drifted):
        super().__init__(report, text)
        self.drifted = drifted
        dataset = report["dataset"]
        self.dataset_drift = dataset["dataset_drift"]
        self.prediction_drift = dataset.get("prediction_drift", False)
        self.label_drift = dataset.get("label_drift", False)
        self.share_drifted = dataset["share_drifted"]
        self.features = pd.DataFrame(report["features"])
        if not self.features.empty:
            self.features = self.features.set_index("feature")
        self.drifted_features = [f["feature"] for f in report["features"] if f.get("drifted")]
        self.prediction = report.get("prediction")
        self.label = report.get("label")
        self.verdict = next((line for line in text.splitlines()
                             if "dataset drift" in line.lower()), None)

    def _headline(self):
        return self.verdict or ""

    def _table(self):
        keys = ["kind", "test", "statistic", "threshold", "p_value_adjusted", "drifted"]
        return self.features[[k for k in keys if k in self.features.columns]]


class RunResult(Result):
    """``keel run``: the whole pipeline of a project file (``summary.json``'s object).

    Attributes: ``project``, ``task``, ``ship`` ("candidate" or "baseline"), ``reason``,
    ``verdict`` (the CLI's verdict line), ``outputs`` (paths: ``model``, ``report``,
    ``summary``, ...), ``model_path``, ``report_path``, ``models`` (a DataFrame: each model's
    metrics with intervals on the test rows), ``fairness_passed`` (None when not audited),
    ``dataset_drift`` (None when not checked), ``warnings``; ``model`` loads the shipped model.
    """

    def __init__(self, report, text):
        super().__init__(report, text)
        self.project = report["project"]
        self.task = report["task"]
        verdict = report["verdict"]
        self.ship = verdict["ship"]
        self.reason = verdict["reason"]
        self.verdict = _line(text, "verdict: ")
        self.outputs = report["outputs"]
        self.model_path = self.outputs["model"]
        self.report_path = self.outputs.get("report")
        self.models = _side_by_side(
            {s: report["models"][s]["metrics"] for s in ("baseline", "candidate")})
        fairness = report.get("fairness") or {}
        self.fairness_passed = (fairness.get("gate") or {}).get("passed")
        self.dataset_drift = (report.get("drift") or {}).get("dataset_drift")
        self.warnings = report.get("warnings", [])

    @property
    def model(self):
        """The shipped model (``outputs["model"]``), loaded."""
        from keel.model import load
        return load(self.model_path)

    def _headline(self):
        return f"{self.project}: ship the {self.ship}; {self.reason}"

    def _table(self):
        return self.models
