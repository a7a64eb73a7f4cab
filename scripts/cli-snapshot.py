#!/usr/bin/env python3
"""Records every command's --json output on the bundled examples, to diff across a refactor.

    scripts/cli-snapshot.py OUTDIR [--keel build/keel]     record one snapshot
    scripts/cli-snapshot.py --diff OLD NEW                  what changed between two

Each command's JSON (stdout of `keel ... --json`) is written to OUTDIR/<step>.json with the
values that differ from run to run replaced by a placeholder: timings, latencies, throughputs,
dates, the temporary paths and the git hash. The diff lists, per step, the keys whose values
changed, appeared or disappeared, so a refactor that should not change any output can prove it
and one that does can name each change. Needs only python3's standard library.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TELCO = os.path.join(ROOT, "examples", "telco_churn")
ADS = os.path.join(ROOT, "examples", "ads")
XGB_FIXTURE = os.path.join(ROOT, "tests", "fixtures", "xgboost")
LGB_FIXTURE = os.path.join(ROOT, "tests", "fixtures", "lightgbm")

# Keys whose values are measurements of this run, not results.
VOLATILE_KEY = re.compile(
    r"(seconds|_s$|_us$|_ms$|latency|per_second|rows_per_s|throughput|elapsed|time_|_time$|"
    r"^time$|^file$|created|timestamp|date|when|git|version_info|keel_version|p50|p90|p99|mean_us|hostname|"
    r"^port$|^listening$|^cutoff$)",
    re.I)


# Artifacts hold their creation time, so their hashes and sizes change from run to run.
ARTIFACT_KEY = re.compile(r"^(sha256|file_bytes|artifact_sha256|size_bytes)$")
# Measured durations inside sentences ("p99 latency 3.2 us").
DURATION = re.compile(r"[0-9.]+ ?(us|µs|ms|s)\b")


def normalize(value, tmp, volatile=False, key=""):
    if isinstance(value, dict):
        return {k: normalize(v, tmp, volatile or bool(VOLATILE_KEY.search(k)), k)
                for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v, tmp, volatile, key) for v in value]
    if (volatile or ARTIFACT_KEY.match(key)) and isinstance(value, (int, float, str)):
        return "<measured>"
    if isinstance(value, str):
        if tmp:
            value = value.replace(tmp, "<tmp>")
        value = value.replace(ROOT, "<root>")
        return DURATION.sub("<duration>", value) if "latency" in value else value
    return value


def steps(tmp):
    t = lambda name: os.path.join(tmp, name)
    telco = os.path.join(TELCO, "wa_churn.csv")
    xgb_models = sorted(f for f in os.listdir(XGB_FIXTURE) if f.endswith(".json"))
    yield "schema_infer", ["schema", "infer", telco, "--target", "churn"], False
    yield "ingest", ["ingest", telco], True
    yield "schema_infer_out", ["schema", "infer", telco, "--target", "churn", "--out",
                               t("schema.yaml")], True
    yield "schema_check", ["schema", "check", t("schema.yaml")], True
    yield "ingest_schema", ["ingest", telco, "--schema", t("schema.yaml"), "--rejects",
                            t("rejects.csv")], True
    yield "ingest_labels", ["ingest", telco, "--target", "churn", "--positive", "Yes",
                            "--missing", "?,-", "--kind", "senior_citizen=categorical"], True
    yield "train_gbdt", ["train", "--data", telco, "--target", "churn", "--positive", "Yes",
                         "--trees", "60", "--out", t("gbdt.keel")], True
    yield "train_linear", ["train", "--data", telco, "--target", "churn", "--positive", "Yes",
                           "--algo", "linear", "--out", t("linear.keel")], True
    yield "inspect", ["inspect", t("gbdt.keel")], True
    yield "predict", ["predict", "--model", t("gbdt.keel"), "--data", telco, "--out",
                      t("pred.csv")], True
    yield "evaluate", ["evaluate", "--model", t("gbdt.keel"), "--data", telco], True
    yield "compare", ["compare", t("linear.keel"), t("gbdt.keel"), "--data", telco], True
    yield "explain", ["explain", "--model", t("gbdt.keel"), "--data", telco, "--out",
                      t("shap.csv"), "--top", "3"], True
    yield "audit", ["audit", "--model", t("gbdt.keel"), "--data", telco, "--sensitive",
                    "female,senior_citizen"], True
    yield "drift_csv", ["drift", "--reference", telco, "--data", telco], True
    yield "run", ["run", os.path.join(TELCO, "keel.yaml"), "--out", t("run")], True
    yield "drift_model", ["drift", "--reference", os.path.join(t("run"), "model.keel"), "--data",
                          telco], True
    yield "registry_add", ["registry", "add", "--name", "churn",
                           os.path.join(t("run"), "model.keel"), "--db", t("reg.db")], True
    yield "registry_list", ["registry", "list", "--db", t("reg.db")], True
    yield "registry_show", ["registry", "show", "churn@1", "--db", t("reg.db")], True
    # The registry's stage changes, a server following it, and the prediction log it writes.
    reg = ["--db", t("reg.db"), "--actor", "snapshot"]
    yield "registry_add_second", ["registry", "add", "--name", "churn", t("gbdt.keel"),
                                  "--note", "second"] + reg, True
    yield "registry_promote", ["registry", "promote", "churn@1", "--to", "production",
                               "--reason", "first"] + reg, True
    yield "registry_promote_second", ["registry", "promote", "churn@2", "--to",
                                      "production"] + reg, True
    yield "registry_rollback", ["registry", "rollback", "churn"] + reg, True
    yield "registry_archive", ["registry", "archive", "churn@2"] + reg, True
    yield "registry_history", ["registry", "history", "--db", t("reg.db")], True
    yield "registry_export", ["registry", "export", "churn@1", "--out", t("exported.keel"),
                              "--db", t("reg.db")], True
    yield "serve", ["serve", "--registry", t("reg.db"), "--port", "0", "--log-db",
                    t("predictions.db")], True, {
                        "server": {"path": "/v1/models/churn/predict", "rows": 3}}
    yield "log_stats", ["log", "stats", "--db", t("predictions.db")], True
    yield "log_prune", ["log", "prune", "--db", t("predictions.db"), "--retention", "30d"], True
    yield "log_forget", ["log", "forget", "--db", t("predictions.db"), "--subject",
                         "a" * 64], True
    ads_train = os.path.join(ADS, "clicks_train.csv")
    yield "train_ads", ["train", "--data", ads_train, "--target", "clicked", "--positive", "1",
                        "--exclude", "event_time,user_id,ad_id,advertiser_id", "--trees", "60",
                        "--out", t("ads.keel")], True
    yield "rank", ["rank", "--model", t("ads.keel"), "--objectives",
                   os.path.join(ADS, "objectives.yaml"), "--data",
                   os.path.join(ADS, "candidates.csv"), "--keep", "ad_id,advertiser_id,bid",
                   "--out", t("ranked.csv")], True
    yield "tradeoff", ["tradeoff", "--model", t("ads.keel"), "--objectives",
                       os.path.join(ADS, "objectives.yaml"), "--data",
                       os.path.join(ADS, "ad_requests.csv"), "--out", t("settings.csv")], True
    # The monitoring loop on the shipped model: a profile saved by `keel drift`, the telco
    # rows streamed as JSON Lines, and the prediction log joined with the labels.
    yield "audit_fit", ["audit", "--model", t("gbdt.keel"), "--data", telco, "--sensitive",
                        "female", "--fit-thresholds", "demographic_parity", "--out",
                        t("fair.keel"), "--bootstrap", "200"], True
    yield "audit_text", ["audit", "--model", t("fair.keel"), "--data", telco, "--sensitive",
                         "female,senior_citizen", "--bootstrap", "200"], False
    yield "drift_save_profile", ["drift", "--reference", t("gbdt.keel"), "--data", telco,
                                 "--save-profile", t("profiled.keel")], True
    yield "drift_model_text", ["drift", "--reference", t("profiled.keel"), "--data", telco], False
    yield "stream", ["stream", "--model", t("profiled.keel"), "--window", "2000", "--slide",
                     "1000", "--all-windows", "--drift-events", t("events.jsonl")], True, {
                         "stdin": t("telco.jsonl"), "files": [t("events.jsonl")]}
    yield "monitor", ["monitor", "--log", t("log.jsonl"), "--labels", t("labels.csv"),
                      "--model", t("profiled.keel"), "--window", "2000"], True
    yield "monitor_text", ["monitor", "--log", t("log.jsonl"), "--labels", t("labels.csv"),
                           "--model", t("profiled.keel"), "--window", "2000"], False
    yield "rank_rows", ["rank", "--model", t("ads.keel"), "--objectives",
                        os.path.join(ADS, "objectives.yaml"), "--data",
                        os.path.join(ADS, "candidates.csv"), "--top", "2"], True
    yield "tradeoff_report", ["tradeoff", "--model", t("ads.keel"), "--objectives",
                              os.path.join(ADS, "objectives.yaml"), "--data",
                              os.path.join(ADS, "ad_requests.csv"), "--request-size", "10",
                              "--steps", "4", "--report", t("tradeoff.html")], True
    yield "run_ads", ["run", os.path.join(ADS, "keel.yaml"), "--out", t("run_ads")], True
    for m in xgb_models[:3]:
        name = "import_" + m[:-5]
        yield name, ["import", "--from", "xgboost", os.path.join(XGB_FIXTURE, m), "--out",
                     t(m[:-5] + ".keel")], True
    lgb_models = sorted(f for f in os.listdir(LGB_FIXTURE) if f.endswith(".txt"))
    for m in lgb_models[:2]:
        yield "import_lgb_" + m[:-4], ["import", "--from", "lightgbm", os.path.join(LGB_FIXTURE, m),
                                       "--out", t(m[:-4] + ".keel")], True


def monitoring_inputs(tmp):
    """The telco rows as JSON Lines (stream's input), and a prediction log with ids and the
    labels file for `keel monitor`."""
    import csv
    with open(os.path.join(TELCO, "wa_churn.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(tmp, "telco.jsonl"), "w") as f:
        for row in rows:
            f.write(json.dumps({k: v for k, v in row.items() if v != ""}) + "\n")
    with open(os.path.join(tmp, "labels.csv"), "w") as f:
        f.write("id,churn\n")
        for i, row in enumerate(rows):
            if i % 3 != 2:  # a third of the labels never arrive
                f.write(f"r{i},{row['churn']}\n")


def prediction_log(tmp):
    with open(os.path.join(tmp, "pred.csv")) as f, open(os.path.join(tmp, "log.jsonl"), "w") as o:
        header = f.readline().strip().split(",")
        for i, line in enumerate(f):
            values = dict(zip(header, map(float, line.strip().split(","))))
            o.write(json.dumps({"id": f"r{i}", **values}) + "\n")


def serve_and_stop(cmd, tmp, server):
    """Starts `keel serve --json`, reads its start object, posts the first telco rows to
    server["path"] one request each, then stops it with SIGTERM as an operator would."""
    import csv
    import signal
    import urllib.request
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp,
                         stdin=subprocess.DEVNULL)
    first = p.stdout.readline()
    try:
        port = json.loads(first)["port"]
        with open(os.path.join(TELCO, "wa_churn.csv"), newline="") as f:
            rows = [r for _, r in zip(range(server["rows"]), csv.DictReader(f))]
        for row in rows:
            body = json.dumps({"instances": [{k: v for k, v in row.items() if v != ""}]})
            req = urllib.request.Request(f"http://127.0.0.1:{port}{server['path']}", body.encode(),
                                         {"Content-Type": "application/json"})
            urllib.request.urlopen(req, timeout=30).read()
    finally:
        p.send_signal(signal.SIGTERM)
        rest, err = p.communicate(timeout=60)
    return subprocess.CompletedProcess(cmd, p.returncode, first + rest, err)


def json_lines(text, tmp):
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [normalize(v, tmp) for v in lines]


def record(outdir, keel):
    os.makedirs(outdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="keel-snapshot-")
    try:
        monitoring_inputs(tmp)
        for name, args, json_flag, *extra in steps(tmp):
            extra = extra[0] if extra else {}
            if name == "monitor":
                prediction_log(tmp)
            cmd = [keel] + args + (["--json"] if json_flag else [])
            stdin = open(extra["stdin"]) if "stdin" in extra else subprocess.DEVNULL
            if "server" in extra:
                r = serve_and_stop(cmd, tmp, extra["server"])
            else:
                r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, stdin=stdin)
            entry = {"exit_code": r.returncode}
            try:
                entry["json"] = normalize(json.loads(r.stdout), tmp) if json_flag else None
            except json.JSONDecodeError:
                try:  # JSON Lines (keel stream): the summary is the last line
                    lines = json_lines(r.stdout, tmp)
                    entry["json"] = lines[-1]
                    entry["output_lines"] = len(lines) - 1
                    entry["first_output_lines"] = lines[:5]
                except (json.JSONDecodeError, IndexError):
                    entry["stdout"] = r.stdout[-2000:].replace(tmp, "<tmp>")
            for path in extra.get("files", []):
                entry[os.path.basename(path)] = json_lines(open(path).read(), tmp)
            if not json_flag:
                entry["stdout"] = r.stdout.replace(tmp, "<tmp>")
            if r.returncode != 0:
                entry["stderr"] = r.stderr[-2000:].replace(tmp, "<tmp>")
            with open(os.path.join(outdir, name + ".json"), "w") as f:
                json.dump(entry, f, indent=1, sort_keys=True)
            print(f"{name}: exit {r.returncode}", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def flatten(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from flatten(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, value


def diff(old, new):
    changed = 0
    for name in sorted(set(os.listdir(old)) | set(os.listdir(new))):
        a = os.path.join(old, name)
        b = os.path.join(new, name)
        if not os.path.exists(a) or not os.path.exists(b):
            print(f"{name}: only in {'new' if os.path.exists(b) else 'old'}")
            changed += 1
            continue
        # Normalized again, so snapshots recorded before a masking rule was added compare.
        fa = dict(flatten(normalize(json.load(open(a)), "")))
        fb = dict(flatten(normalize(json.load(open(b)), "")))
        lines = []
        for k in sorted(set(fa) | set(fb)):
            if k not in fb:
                lines.append(f"  - {k} = {json.dumps(fa[k])[:80]}")
            elif k not in fa:
                lines.append(f"  + {k} = {json.dumps(fb[k])[:80]}")
            elif fa[k] != fb[k]:
                lines.append(f"  ~ {k}: {json.dumps(fa[k])[:60]} -> {json.dumps(fb[k])[:60]}")
        if lines:
            changed += 1
            print(f"{name[:-5]}: {len(lines)} differences")
            print("\n".join(lines[:60] + ([f"  ... {len(lines) - 60} more"] if len(lines) > 60 else [])))
    print(f"{changed} steps differ" if changed else "no differences")
    return 1 if changed else 0


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--diff":
        sys.exit(diff(sys.argv[2], sys.argv[3]))
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    keel = os.path.join(ROOT, "build", "keel")
    if "--keel" in sys.argv:
        keel = os.path.abspath(sys.argv[sys.argv.index("--keel") + 1])
    record(sys.argv[1], keel)


if __name__ == "__main__":
    main()
