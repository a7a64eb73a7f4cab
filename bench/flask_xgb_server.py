#!/usr/bin/env python3
"""The reference server of bench/serve_bench.sh: what a user might otherwise write to serve an
XGBoost model, a Flask app around Booster.predict, answering the same record request as
`keel serve` (POST /v1/models/<name>/predict with {"instances": [{...}]}).

Usage: flask_xgb_server.py --model ctr_xgb.json --features features.json --port PORT
Runs Flask's threaded server; request logging is off so it does not slow the server down.
"""
import argparse
import json
import logging

import pandas as pd
import xgboost as xgb
from flask import Flask, jsonify, request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()

    booster = xgb.Booster()
    booster.load_model(a.model)
    booster.set_param({"nthread": 1})
    with open(a.features) as f:
        meta = json.load(f)
    features, cats = meta["features"], meta["categories"]

    app = Flask(__name__)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    @app.get("/health")
    def health():
        return jsonify(ready=True)

    @app.post("/v1/models/<name>/predict")
    def predict(name):
        body = request.get_json()
        df = pd.DataFrame(body["instances"])
        cols = {}
        for c in features:
            col = df[c] if c in df else pd.Series([None] * len(df))
            cols[c] = (pd.Categorical(col.astype(str), categories=cats[c]) if c in cats
                       else pd.to_numeric(col, errors="coerce").astype(float))
        p = booster.predict(xgb.DMatrix(pd.DataFrame(cols), enable_categorical=True))
        return jsonify(model=name, predictions=[
            {"prob_0": 1.0 - float(v), "prob_1": float(v)} for v in p])

    app.run(host=a.host, port=a.port, threaded=True)


if __name__ == "__main__":
    main()
