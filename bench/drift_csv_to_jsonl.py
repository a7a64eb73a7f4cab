#!/usr/bin/python3
"""Converts a CSV file to JSON Lines for `keel stream` benchmarks and examples.

Usage: drift_csv_to_jsonl.py IN.csv OUT.jsonl [--rows N] [--skip N] [--drop COL,COL]
Numbers become JSON numbers, everything else strings, empty cells are left out.
"""
import csv
import json
import sys


def convert(value):
    if value == "":
        return None
    try:
        f = float(value)
        if f.is_integer() and "." not in value and "e" not in value.lower():
            return int(value)
        return f
    except ValueError:
        return value


def main(argv):
    args = list(argv)
    rows = skip = None
    drop = set()
    for flag in ("--rows", "--skip", "--drop"):
        if flag in args:
            i = args.index(flag)
            val = args[i + 1]
            del args[i:i + 2]
            if flag == "--rows":
                rows = int(val)
            elif flag == "--skip":
                skip = int(val)
            else:
                drop = set(val.split(","))
    src, dst = args
    with open(src, newline="", encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        reader = csv.DictReader(f)
        for i, rec in enumerate(reader):
            if skip is not None and i < skip:
                continue
            if rows is not None and i >= (skip or 0) + rows:
                break
            obj = {k: convert(v) for k, v in rec.items() if k not in drop and v != ""}
            out.write(json.dumps(obj, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
