"""Shared test helpers: paths, running the CLI in-process, scanning a fixture."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"


def run_cli(*args: str) -> tuple[int, str, str]:
    from vpcreach.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def scan_json(*paths: str | os.PathLike, extra: tuple[str, ...] = ()) -> dict:
    code, out, err = run_cli("scan", "--format", "json", *map(str, paths), *extra)
    assert code in (0, 1), err
    return json.loads(out)


@functools.cache
def _fixture_scan(path: str) -> str:
    code, out, err = run_cli("scan", "--format", "json", path)
    assert code in (0, 1), err
    return out


def scan_fixture(path: str | os.PathLike) -> dict:
    """scan_json of one fixture with its defaults, scanned once per session; each call gets its own copy."""
    return json.loads(_fixture_scan(str(path)))


def findings_of(
    report: dict, rule_id: str | None = None, include_suppressed: bool = False
) -> list[tuple[str, str, int]]:
    """(rule_id, resource, line) of each finding, optionally of one rule."""
    return sorted(
        (f["rule_id"], f["resource"], f["line"])
        for f in report["findings"]
        if (rule_id is None or f["rule_id"] == rule_id) and (include_suppressed or f["suppressed"] is None)
    )


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS
