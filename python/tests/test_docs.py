"""docs/python.md's example runs as written: its shell block (but the line that starts Python)
in a scratch folder laid out like the source tree, then its Python blocks."""

import os
import re
import subprocess

from conftest import KEEL_BIN, SOURCE_DIR


def blocks(lang):
    text = (SOURCE_DIR / "docs" / "python.md").read_text()
    return re.findall(r"```" + lang + r"\n(.*?)```", text, re.S)


def test_quick_start_runs_as_written(tmp_path, monkeypatch):
    (tmp_path / "build").mkdir()
    os.symlink(KEEL_BIN, tmp_path / "build" / "keel")
    os.symlink(SOURCE_DIR / "examples", tmp_path / "examples")
    shell = [line for line in blocks("sh")[0].splitlines()
             if line.startswith("./build/keel")]
    assert shell, "the quick start trains a model with ./build/keel"
    for line in shell:
        subprocess.run(line, shell=True, cwd=tmp_path, check=True, capture_output=True)
    monkeypatch.chdir(tmp_path)
    python = blocks("python")
    assert python
    for code in python:
        exec(compile(code, "docs/python.md", "exec"), {})
