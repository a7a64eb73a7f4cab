#!/usr/bin/env python3
"""Load generator and judge of the soak test (bench/soak.sh runs it; see there for usage).

Drives a running `keel serve` for a set duration with mixed traffic from several client
threads, each on its own keep-alive connection (Python's http.client; throughput is not the
point of a soak, steadiness is):
  good requests (must all answer 200)
    predict        record API, one instance
    predict_batch  record API, 8 instances with top-3 reasons ("explain": 3)
    infer          Open Inference Protocol, one tensor per feature (BYTES for categories)
    explain        full SHAP vectors of 2 instances
    rank           the ads objectives over one request's 10 candidate ads
    metrics        GET /metrics
  bad requests (must all answer 4xx; counted apart)
    bad_json       malformed JSON                         400
    bad_model      unknown model name                     404
    bad_type       a feature of the wrong type (strict)   400
    bad_oversize   a body over --max-body-bytes (refused from its Content-Length) 413
    bad_instances  more instances than --max-instances    413
and, from another thread, hot reloads every RELOAD_EVERY seconds: the served file is replaced
by the other of two valid artifacts (atomic rename) and POST /v1/models/{name}/reload is sent
with the admin token (each must answer 200 and change the served version).

The server's resident memory (VmRSS of /proc/PID/status) is sampled every RSS_EVERY seconds.
The warm-up RSS is the sample at the end of the warm-up; the criteria are
  errors on good requests == 0, every bad request answered 4xx, every reload 200,
  the server alive (its process runs and /v2/health/live answers 200 at the end),
  final RSS / warm-up RSS <= 1.10.
Prints the report, writes it as JSON to --report, and exits 1 when a criterion fails.
"""
import argparse
import csv
import http.client
import json
import os
import random
import shutil
import threading
import time

import yaml  # Debian's python3-yaml

GOOD = ["predict", "predict_batch", "infer", "explain", "rank", "metrics"]
BAD = ["bad_json", "bad_model", "bad_type", "bad_oversize", "bad_instances"]
# Relative frequency of each kind in the mix.
WEIGHTS = {"predict": 30, "predict_batch": 8, "infer": 15, "explain": 8, "rank": 8,
           "metrics": 1, "bad_json": 2, "bad_model": 2, "bad_type": 2, "bad_oversize": 1,
           "bad_instances": 1}
EXPECTED_BAD = {"bad_json": 400, "bad_model": 404, "bad_type": 400, "bad_oversize": 413,
                "bad_instances": 413}


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie (exited, not yet reaped) is not alive.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.total = {k: 0 for k in GOOD + BAD}
        self.errors = {k: 0 for k in GOOD + BAD}  # good: not 200; bad: not the expected 4xx
        self.status = {}  # (kind, status) -> count
        self.samples = []  # first few unexpected answers, for the report

    def add(self, kind, ok, status, detail):
        with self.lock:
            self.total[kind] += 1
            key = f"{kind}:{status}"
            self.status[key] = self.status.get(key, 0) + 1
            if not ok:
                self.errors[kind] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind} -> {status}: {detail[:300]}")


class Requests:
    """The request bodies, built from the ads candidates and the model's metadata."""

    def __init__(self, model, candidates_csv, objectives_yaml, metadata, max_body, max_instances):
        with open(candidates_csv) as f:
            rows = list(csv.DictReader(f))
        self.model = model
        inputs = {i["name"]: i["datatype"] for i in metadata["inputs"]}
        self.inputs = inputs

        def typed(row, keep_all):
            out = {}
            for k, v in row.items():
                if k not in inputs and not keep_all:
                    continue
                if k in inputs and inputs[k] != "BYTES":
                    out[k] = float(v) if v != "" else None
                else:
                    try:
                        out[k] = float(v) if k in ("bid", "ad_cost", "reserve") else v
                    except ValueError:
                        out[k] = v
            return out

        self.instances = [typed(r, False) for r in rows]
        by_request = {}
        for r in rows:
            by_request.setdefault(r["request_id"], []).append(r)
        with open(objectives_yaml) as f:
            # The route takes the objectives section (the value of the file's `objectives:`).
            objectives = yaml.safe_load(f)["objectives"]
        self.rank_bodies = []
        for group in by_request.values():
            cands = []
            for r in group:
                c = typed(r, False)
                # Model features plus what the objectives read (the constraint's advertiser).
                c.update({"advertiser_id": r["advertiser_id"], "bid": float(r["bid"]),
                          "ad_cost": float(r["ad_cost"])})
                cands.append(c)
            self.rank_bodies.append(json.dumps(
                {"objectives": objectives, "candidates": cands,
                 "request": {"reserve": float(group[0]["reserve"])}, "top": 3}))
        self.max_body = max_body
        self.max_instances = max_instances
        self.first_bytes = next(k for k, t in inputs.items() if t == "BYTES") if any(
            t == "BYTES" for t in inputs.values()) else None
        self.first_number = next(k for k, t in inputs.items() if t != "BYTES")

    def infer_body(self, inst):
        tensors = []
        for name, dtype in self.inputs.items():
            v = inst.get(name)
            if dtype == "BYTES":
                tensors.append({"name": name, "shape": [1], "datatype": "BYTES",
                                "data": [v if v is not None else ""]})
            else:
                tensors.append({"name": name, "shape": [1], "datatype": "FP64",
                                "data": [v]})
        return json.dumps({"id": "soak", "inputs": tensors})

    def make(self, kind, rnd):
        """(method, path, body, headers, expected status)."""
        m = self.model
        inst = rnd.choice(self.instances)
        if kind == "predict":
            return "POST", f"/v1/models/{m}/predict", json.dumps({"instances": [inst]}), 200
        if kind == "predict_batch":
            batch = [rnd.choice(self.instances) for _ in range(8)]
            return "POST", f"/v1/models/{m}/predict", json.dumps(
                {"instances": batch, "explain": 3}), 200
        if kind == "infer":
            return "POST", f"/v2/models/{m}/infer", self.infer_body(inst), 200
        if kind == "explain":
            batch = [rnd.choice(self.instances) for _ in range(2)]
            return "POST", f"/v1/models/{m}/explain", json.dumps({"instances": batch}), 200
        if kind == "rank":
            return "POST", f"/v1/models/{m}/rank", rnd.choice(self.rank_bodies), 200
        if kind == "metrics":
            return "GET", "/metrics", None, 200
        if kind == "bad_json":
            return "POST", f"/v1/models/{m}/predict", json.dumps({"instances": [inst]})[:-7], 400
        if kind == "bad_model":
            return "POST", "/v1/models/no_such_model/predict", json.dumps(
                {"instances": [inst]}), 404
        if kind == "bad_type":
            return "POST", f"/v1/models/{m}/predict", json.dumps(
                {"instances": [{self.first_number: {"nested": [1, 2]}}]}), 400
        if kind == "bad_instances":
            return "POST", f"/v1/models/{m}/predict", json.dumps(
                {"instances": [inst] * (self.max_instances + 1)}), 413
        raise ValueError(kind)


def client(host, port, reqs, counters, deadline, seed, stop):
    rnd = random.Random(seed)
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while time.time() < deadline and not stop.is_set():
        kind = rnd.choices(kinds, weights)[0]
        try:
            if kind == "bad_oversize":
                # Announced by Content-Length and refused before the body is sent, as a
                # careful client would see it (the server closes the connection after it).
                conn.putrequest("POST", f"/v1/models/{reqs.model}/predict")
                conn.putheader("Content-Type", "application/json")
                conn.putheader("Content-Length", str(reqs.max_body + 1))
                conn.endheaders()
                r = conn.getresponse()
                body = r.read()
                conn.close()
                counters.add(kind, r.status == 413, r.status, body.decode(errors="replace"))
                continue
            method, path, body, expect = reqs.make(kind, rnd)
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
            counters.add(kind, r.status == expect, r.status, data.decode(errors="replace"))
        except (OSError, http.client.HTTPException) as e:
            counters.add(kind, False, type(e).__name__, str(e))
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            time.sleep(0.05)
    conn.close()


def reloader(host, port, model, token, served, artifacts, every, deadline, result, stop):
    i = 0
    versions = set()
    while not stop.wait(every) and time.time() < deadline:
        i += 1
        src = artifacts[i % 2]
        tmp = served + ".next"
        shutil.copyfile(src, tmp)
        os.replace(tmp, served)
        try:
            c = http.client.HTTPConnection(host, port, timeout=60)
            c.request("POST", f"/v1/models/{model}/reload",
                      headers={"Authorization": f"Bearer {token}"})
            r = c.getresponse()
            data = r.read().decode(errors="replace")
            c.close()
            if r.status == 200:
                result["ok"] += 1
                versions.add(json.loads(data).get("version"))
            else:
                result["failed"] += 1
                result["samples"].append(f"reload -> {r.status}: {data[:300]}")
        except (OSError, http.client.HTTPException) as e:
            result["failed"] += 1
            result["samples"].append(f"reload -> {type(e).__name__}: {e}")
    result["versions"] = sorted(v for v in versions if v)


def sampler(pid, every, start, samples, stop):
    while True:
        kb = rss_kb(pid)
        if kb is not None:
            samples.append((time.time() - start, kb))
        if stop.wait(every):
            return


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--pid", type=int, required=True, help="the server's process id")
    ap.add_argument("--model", required=True, help="the served model's name")
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--warmup", type=float, required=True, help="seconds of warm-up")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--candidates", required=True)
    ap.add_argument("--objectives", required=True)
    ap.add_argument("--served", required=True, help="the artifact path the server reloads")
    ap.add_argument("--artifacts", nargs=2, required=True, help="two valid artifacts")
    ap.add_argument("--token", required=True, help="admin bearer token")
    ap.add_argument("--reload-every", type=float, default=5)
    ap.add_argument("--rss-every", type=float, default=2)
    ap.add_argument("--max-body", type=int, required=True)
    ap.add_argument("--max-instances", type=int, required=True)
    ap.add_argument("--max-rss-ratio", type=float, default=1.10)
    ap.add_argument("--report", required=True)
    a = ap.parse_args()

    c = http.client.HTTPConnection(a.host, a.port, timeout=30)
    c.request("GET", f"/v2/models/{a.model}")
    meta = json.loads(c.getresponse().read())
    c.close()
    reqs = Requests(a.model, a.candidates, a.objectives, meta, a.max_body, a.max_instances)

    counters = Counters()
    stop = threading.Event()
    start = time.time()
    deadline = start + a.seconds
    rss = []
    reload_result = {"ok": 0, "failed": 0, "samples": [], "versions": []}
    threads = [threading.Thread(target=sampler, args=(a.pid, a.rss_every, start, rss, stop))]
    threads += [threading.Thread(target=reloader,
                                 args=(a.host, a.port, a.model, a.token, a.served, a.artifacts,
                                       a.reload_every, deadline, reload_result, stop))]
    clients = [threading.Thread(target=client,
                                args=(a.host, a.port, reqs, counters, deadline, 1000 + i, stop))
               for i in range(a.clients)]
    for t in threads + clients:
        t.start()
    last_print = start
    while any(t.is_alive() for t in clients):
        time.sleep(1)
        if not alive(a.pid):
            stop.set()  # crashed: stop at once
        if time.time() - last_print >= 30:
            last_print = time.time()
            done = sum(counters.total.values())
            kb = rss[-1][1] if rss else 0
            print(f"   t={last_print - start:5.0f}s requests {done} rss {kb / 1024:.1f} MiB "
                  f"reloads {reload_result['ok']}", flush=True)
    final_kb = rss_kb(a.pid)
    if final_kb is not None:
        rss.append((time.time() - start, final_kb))
    stop.set()
    for t in threads:
        t.join()

    server_alive = alive(a.pid)
    live = None
    try:
        c = http.client.HTTPConnection(a.host, a.port, timeout=10)
        c.request("GET", "/v2/health/live")
        live = c.getresponse().status
        c.close()
    except (OSError, http.client.HTTPException) as e:
        live = type(e).__name__

    elapsed = time.time() - start
    warm = [kb for t, kb in rss if t <= a.warmup]
    warm_kb = warm[-1] if warm else (rss[0][1] if rss else None)
    final = rss[-1][1] if rss else None
    peak = max(kb for _, kb in rss) if rss else None
    ratio = final / warm_kb if final and warm_kb else None
    good_total = sum(counters.total[k] for k in GOOD)
    good_errors = sum(counters.errors[k] for k in GOOD)
    bad_total = sum(counters.total[k] for k in BAD)
    bad_4xx = sum(counters.total[k] - counters.errors[k] for k in BAD)
    crashes = 0 if server_alive and live == 200 else 1
    checks = {
        "no errors on good requests": good_errors == 0 and good_total > 0,
        "every bad request answered 4xx": bad_4xx == bad_total and bad_total > 0,
        "every reload answered 200": reload_result["failed"] == 0 and reload_result["ok"] > 0,
        "no crash (process alive, /v2/health/live 200)": crashes == 0,
        f"final RSS / warm-up RSS <= {a.max_rss_ratio}": ratio is not None
        and ratio <= a.max_rss_ratio,
    }

    print(f"\nSoak: {elapsed:.0f} s, {a.clients} client connections, reloads every "
          f"{a.reload_every:g} s, warm-up {a.warmup:g} s")
    print(f"{'kind':<16}{'requests':>10}{'unexpected':>12}   statuses")
    for k in GOOD + BAD:
        st = ", ".join(f"{s.split(':', 1)[1]}:{n}" for s, n in sorted(counters.status.items())
                       if s.split(":", 1)[0] == k)
        print(f"{k:<16}{counters.total[k]:>10}{counters.errors[k]:>12}   {st}")
    print(f"{'good total':<16}{good_total:>10}{good_errors:>12}   (errors on good requests)")
    print(f"{'bad total':<16}{bad_total:>10}{bad_total - bad_4xx:>12}   ({bad_4xx} answered 4xx)")
    print(f"throughput      {(good_total + bad_total) / max(elapsed, 1e-9):.0f} requests/s")
    print(f"reloads         {reload_result['ok']} ok, {reload_result['failed']} failed, "
          f"versions served {', '.join(reload_result['versions'])}")
    print(f"crashes         {crashes} (process alive: {server_alive}, /v2/health/live: {live})")
    mib = lambda kb: f"{kb / 1024:.1f} MiB" if kb else "?"
    print(f"RSS             after warm-up {mib(warm_kb)}, final {mib(final)}, max {mib(peak)}, "
          f"final/warm-up {ratio:.3f}" if ratio else "RSS             not sampled")
    for s in counters.samples + reload_result["samples"]:
        print(f"  unexpected: {s}")
    for name, ok in checks.items():
        print(f"  [{'PASS' if ok else 'FAIL'}] {name}")

    report = {
        "seconds": round(elapsed, 1), "clients": a.clients, "warmup_seconds": a.warmup,
        "requests": counters.total, "unexpected": counters.errors, "statuses": counters.status,
        "good_requests": good_total, "good_errors": good_errors, "bad_requests": bad_total,
        "bad_4xx": bad_4xx, "reloads_ok": reload_result["ok"],
        "reloads_failed": reload_result["failed"], "crashes": crashes,
        "rss_warmup_kb": warm_kb, "rss_final_kb": final, "rss_max_kb": peak,
        "rss_ratio": ratio, "rss_samples": rss, "checks": checks,
        "passed": all(checks.values()),
    }
    with open(a.report, "w") as f:
        json.dump(report, f, indent=1)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
