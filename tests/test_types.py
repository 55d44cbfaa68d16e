"""The type contracts hold: mypy, with pyproject.toml's [tool.mypy], finds no error in the package.

The installed layout maps vpcreach.graph, vpcreach.parsers and vpcreach.analyzer onto the repository's
graph/, parsers/ and analyzer/ (pyproject's package-dir), which mypy cannot follow from the source tree;
the test builds that layout from symlinks and checks it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow


def test_mypy_is_clean(tmp_path):
    package = tmp_path / "vpcreach"
    package.mkdir()
    for entry in (ROOT / "vpcreach").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for sub in ("graph", "parsers", "analyzer"):
        (package / sub).symlink_to(ROOT / sub)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--no-incremental",
            "-p",
            "vpcreach",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
