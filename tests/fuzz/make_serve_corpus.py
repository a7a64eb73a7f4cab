#!/usr/bin/env python3
"""Writes the seed corpora of the serving fuzz targets (tests/fuzz/corpus/{http_request,
record_request,oip_request}/): one small file per seed, covering every route and codec
feature against the tiny test models (src/serve/test_model.h: features age, color, active,
signup; schema columns customer_id (id), email (pii), churned (target); models tiny, multi,
reg). Run from anywhere: /usr/bin/python3 tests/fuzz/make_serve_corpus.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

A = {"customer_id": "c-1", "email": "a@example.com", "age": 30, "color": "red"}
B = {"age": 50, "color": "blue", "active": True, "signup": "2024-01-02T00:00:00Z"}
ODD = {"age": "31.5", "color": "GREEN", "active": "false", "signup": 1704153600, "churned": "yes"}
MISSING = {"age": None, "color": "NA", "active": "", "signup": None}
ANOMALOUS = {"age": 150, "color": "purple", "churned": "maybe"}

RECORD_BODIES = {
    "one": {"instances": [A]},
    "two_explain": {"instances": [A, B], "explain": 2},
    "explain_all": {"instances": [B], "explain": True},
    "odd_types": {"instances": [ODD]},
    "missing": {"instances": [MISSING, {}]},
    "anomalies": {"instances": [ANOMALOUS]},
    "unknown_field": {"instances": [{"age": 3, "height": 180}]},
    "wrong_type": {"instances": [{"age": [1], "color": {"x": 1}}]},
    "numbers_as_category": {"instances": [{"color": 1, "active": 1, "age": -1e300}]},
    "not_instances": {"rows": [A]},
    "escapes": {"instances": [{"color": "r\u00e9d\n\"", "customer_id": "\u0000x"}]},
}

OIP_BODIES = {
    "spec_example": {"id": "42", "inputs": [
        {"name": "age", "shape": [2], "datatype": "FP32", "data": [30, 50]},
        {"name": "color", "shape": [2, 1], "datatype": "BYTES", "data": [["red"], ["blue"]]},
        {"name": "active", "shape": [2], "datatype": "BOOL", "data": [False, True]}]},
    "matrix": {"inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32",
                           "data": [[30, 0, None, None], [50, 2, 1, None]]}]},
    "matrix_flat_codes": {"inputs": [{"name": "m", "shape": [2, 4], "datatype": "FP64",
                                      "data": [30, 7, 1, 0, -5, -1, 0.5, 1e30]}]},
    "outputs_label": {"inputs": [{"name": "age", "shape": [1], "datatype": "INT64",
                                  "data": [41]}], "outputs": [{"name": "label"}]},
    "timestamp_bytes": {"inputs": [{"name": "signup", "shape": [1, 1], "datatype": "BYTES",
                                    "data": ["2024-01-02T00:00:00Z"]}],
                        "parameters": {"content_type": "np"}},
    "category_numbers": {"inputs": [{"name": "color", "shape": [3], "datatype": "UINT8",
                                     "data": [0, 1, 2]}]},
    "unknown_input": {"inputs": [{"name": "height", "shape": [1], "datatype": "FP32",
                                  "data": [1.5]}]},
    "shape_mismatch": {"inputs": [{"name": "age", "shape": [3], "datatype": "FP32",
                                   "data": [1, 2]}]},
    "twice": {"inputs": [{"name": "age", "shape": [1], "datatype": "FP16", "data": [1]},
                         {"name": "age", "shape": [1], "datatype": "FP16", "data": [2]}]},
    "empty": {"inputs": []},
}

OBJECTIVES = {"version": 1, "objectives": {
    "clicks": {"expr": "p", "normalize": "max", "weight": 1},
    "value": {"expr": "p * bid", "weight": 0.5}},
    "constraints": ["bid >= reserve", {"max_per": "color", "count": 1}], "top": 2}
RANK_BODY = {"objectives": OBJECTIVES,
             "candidates": [dict(A, bid=1.2), dict(B, bid=0.4), {"age": 20, "bid": 2}],
             "request": {"reserve": 0.5}, "top": 2}
RANK_YAML = {"objectives": "version: 1\nobjectives:\n  c: {expr: p}\n",
             "candidates": [{"age": 30}, {"age": 60, "color": None}]}


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def http(method, target, body=None, headers=(), version="HTTP/1.1"):
    lines = [f"{method} {target} {version}", "Host: localhost"]
    lines += list(headers)
    data = b""
    if body is not None:
        data = body.encode() if isinstance(body, str) else body
        if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
            lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


JSON = "Content-Type: application/json"
ADMIN = "Authorization: Bearer fuzz-token"

HTTP_SEEDS = {
    "live": http("GET", "/v2/health/live"),
    "ready": http("GET", "/v2/health/ready"),
    "server_meta": http("GET", "/v2"),
    "model_meta": http("GET", "/v2/models/tiny"),
    "model_version_ready": http("GET", "/v2/models/multi/versions/v1/ready"),
    "metrics": http("GET", "/metrics?x=1"),
    "drift": http("GET", "/v1/models/tiny/drift"),
    "predict": http("POST", "/v1/models/tiny/predict", compact(RECORD_BODIES["two_explain"]),
                    [JSON, "X-Request-Id: req-1"]),
    "predict_multi": http("POST", "/v1/models/multi/predict", compact(RECORD_BODIES["odd_types"]),
                          [JSON]),
    "predict_reg_anomalies": http("POST", "/v1/models/reg/predict",
                                  compact(RECORD_BODIES["anomalies"]), [JSON]),
    "explain": http("POST", "/v1/models/tiny/explain", compact({"instances": [A, B]}),
                    ["Content-Type: application/json; charset=utf-8"]),
    "explain_multi": http("POST", "/v1/models/multi/explain", compact({"instances": [B]}), [JSON]),
    "infer": http("POST", "/v2/models/tiny/infer", compact(OIP_BODIES["spec_example"]), [JSON]),
    "infer_matrix_reg": http("POST", "/v2/models/reg/versions/v1/infer",
                             compact(OIP_BODIES["matrix"]), [JSON]),
    "reload": http("POST", "/v1/models/tiny/reload", None, [ADMIN]),
    "reload_bad_token": http("POST", "/v1/models/reg/reload", None,
                             ["Authorization: Bearer nope"]),
    "reload_no_auth": http("POST", "/v1/models/tiny/reload"),
    "rank": http("POST", "/v1/models/tiny/rank", compact(RANK_BODY), [JSON]),
    "rank_yaml": http("POST", "/v1/models/tiny/rank", compact(RANK_YAML), [JSON]),
    "pipelined": http("GET", "/v2/health/live")
                 + http("POST", "/v1/models/tiny/predict", compact(RECORD_BODIES["one"]), [JSON])
                 + http("GET", "/v2/models/tiny/ready", None, ["Connection: close"]),
    "http10": http("GET", "/v2", version="HTTP/1.0"),
    "chunked": http("POST", "/v1/models/tiny/predict", None,
                    [JSON, "Transfer-Encoding: chunked"])
               + b"10\r\n{\"instances\":[{\"\r\n" + b"9\r\nage\":30}]}\r\n0\r\n\r\n",
    "expect_continue": http("POST", "/v2/models/tiny/infer", compact(OIP_BODIES["outputs_label"]),
                            [JSON, "Expect: 100-continue"]),
    "wrong_method": http("DELETE", "/v1/models/tiny/predict"),
    "wrong_content_type": http("POST", "/v1/models/tiny/predict", "age=3",
                               ["Content-Type: application/x-www-form-urlencoded"]),
    "unknown_model": http("POST", "/v1/models/nope/predict", compact(RECORD_BODIES["one"]), [JSON]),
    "unknown_route": http("GET", "/v1/models/tiny/nothing"),
    "malformed_json": http("POST", "/v1/models/tiny/predict", '{"instances":[{"age":', [JSON]),
    "too_large_body": http("POST", "/v1/models/tiny/predict", None,
                           [JSON, "Content-Length: 9999999"]),
    "bad_request_line": b"GET\x00/ HTTP/9.9\r\n\r\n",
    "lenient_unknown": b"\x01" + http("POST", "/v1/models/tiny/predict",
                                      compact(RECORD_BODIES["unknown_field"]), [JSON]),
    "lenient_infer": b"\x01" + http("POST", "/v2/models/multi/infer",
                                    compact(OIP_BODIES["unknown_input"]), [JSON]),
}


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        os.remove(os.path.join(d, name))
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    write("http_request", HTTP_SEEDS)
    # record_request: option byte (bit 0 lenient, 1 log inputs, 2 pii key, 3 reject explain,
    # 4 explain route, 5-6 model), then the body.
    record = {}
    for i, (name, body) in enumerate(RECORD_BODIES.items()):
        flags = (i * 37) & 0x7F  # spread the options over the seeds
        record[name] = bytes([flags]) + compact(body).encode()
    record["log_pii"] = bytes([0b0000_0110]) + compact({"instances": [A, B, MISSING]}).encode()
    record["explain_route_multi"] = bytes([0b0011_0000]) + compact({"instances": [A]}).encode()
    record["bare_model"] = bytes([0b0110_0010]) + compact({"instances": [ODD]}).encode()
    write("record_request", record)
    # oip_request: option byte (bit 0 lenient, bits 1-2 model), then the body.
    oip = {}
    for i, (name, body) in enumerate(OIP_BODIES.items()):
        oip[name] = bytes([i & 7]) + compact(body).encode()
    write("oip_request", oip)


if __name__ == "__main__":
    main()
