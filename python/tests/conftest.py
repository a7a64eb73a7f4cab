"""Shared fixtures: models trained by the `keel` binary on the bundled telco example, and what
`keel predict` writes for them, so the tests compare Python with the CLI."""

import os
import pathlib
import subprocess

import pandas as pd
import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("KEEL_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
KEEL_BIN = os.environ.get("KEEL_BIN", str(SOURCE_DIR / "build" / "keel"))
CHURN_CSV = SOURCE_DIR / "examples" / "telco_churn" / "wa_churn.csv"


# The sanitizer build's test preloads the shared ASan runtime for Python; the keel binary has
# its own (static) runtime and refuses a second one.
KEEL_ENV = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


def run_keel(*args):
    """Runs the keel binary; fails the test with its stderr when it fails."""
    proc = subprocess.run([KEEL_BIN, *map(str, args)], capture_output=True, text=True,
                          env=KEEL_ENV)
    assert proc.returncode == 0, f"keel {' '.join(map(str, args))} failed:\n{proc.stderr}"
    return proc


def read_exact_csv(path):
    """A CSV read so every number is the double its shortest text names (Keel writes the
    shortest round-trip form)."""
    return pd.read_csv(path, float_precision="round_trip")


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("keel")


@pytest.fixture(scope="session")
def churn_frame():
    return read_exact_csv(CHURN_CSV)


@pytest.fixture(scope="session")
def churn_model_path(workdir):
    path = workdir / "churn.keel"
    run_keel("train", "--data", CHURN_CSV, "--target", "churn", "--trees", 60, "--out", path)
    return path


@pytest.fixture(scope="session")
def churn_cli_predictions(workdir, churn_model_path):
    out = workdir / "churn_pred.csv"
    run_keel("predict", "--model", churn_model_path, "--data", CHURN_CSV, "--out", out)
    return read_exact_csv(out)


@pytest.fixture(scope="session")
def charges_model_path(workdir):
    """A regression model (monthly charges) on the same data."""
    path = workdir / "charges.keel"
    run_keel("train", "--data", CHURN_CSV, "--target", "monthly_charges", "--trees", 40,
             "--exclude", "total_charges", "--out", path)
    return path
