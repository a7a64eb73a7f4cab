"""Reading data files as `keel ingest` reads them, and inferring their schema."""

import copy
import json
import os

import pandas as pd

from keel import _frames
from keel import _keel


def _threads(threads):
    return 0 if threads is None else int(threads)


class IngestReport:
    """What ``keel ingest --json`` reports about a read: counts, per-column statistics,
    anomalies, and every rejected record.

    Attributes: ``rows_read``, ``rows_used``, ``rows_rejected``, ``duplicates`` (counts that
    add up: every record is used or rejected), ``columns`` (per-column statistics, a list of
    dicts), ``anomalies`` (a DataFrame, as listed in the report), ``rejected`` (a DataFrame of
    every rejected record with the columns of ``keel ingest --rejects``: ``line`` where it
    starts, header = 1; ``column``, empty when the whole record is at fault; ``kind``;
    ``reason``; ``raw``, the record's text).
    """

    def __init__(self, report, rejected):
        self._report = report
        self.rows_read = report["rows_read"]
        self.rows_used = report["rows_used"]
        self.rows_rejected = report["rows_rejected"]
        self.duplicates = report["duplicates"]
        self.columns = report.get("columns", [])
        self.anomalies = pd.DataFrame(report.get("anomalies", []))
        self.rejected = pd.DataFrame(rejected, columns=["line", "column", "kind", "reason", "raw"])

    def to_dict(self):
        """The report exactly as ``keel ingest --json`` prints it (rejected records listed up
        to 1000; ``rejected`` has them all)."""
        return copy.deepcopy(self._report)

    def __repr__(self):
        return (f"keel.IngestReport(rows_read={self.rows_read}, rows_used={self.rows_used}, "
                f"rows_rejected={self.rows_rejected}, duplicates={self.duplicates})")


def read_csv(path, schema=None, threads=None):
    """Reads a CSV, TSV or JSON Lines file as ``keel ingest`` does (dialect sniffing, type
    inference or the schema's kinds, validation, quarantine of bad records, PII handling) and
    returns ``(DataFrame, IngestReport)``. The frame holds the rows used, in file order:
    numeric columns as float64, categorical ones as pandas categoricals, booleans as the
    nullable boolean dtype, timestamps as datetime64[ns] (UTC), text as objects.

    ``schema``: the path of a schema YAML (``keel schema infer`` or ``infer_schema(out=...)``
    writes one); None infers the kinds.
    """
    payloads, report, rejected = _keel.read_csv(
        os.fspath(path), "" if schema is None else os.fspath(schema), _threads(threads))
    return _frames.from_columns(payloads), IngestReport(json.loads(report), rejected)


def infer_schema(path, target=None, out=None, threads=None):
    """Infers a data file's schema as ``keel schema infer`` does and returns its ``--json``
    object: ``columns`` (name, kind, role) and ``yaml``, the editable schema. ``target`` gives
    that column the target role (and a label mapping for classification); ``out`` also writes
    the YAML to that path, for ``read_csv(schema=...)``."""
    result = _keel.infer_schema(os.fspath(path), target or "",
                                "" if out is None else os.fspath(out), _threads(threads))
    return json.loads(result)
