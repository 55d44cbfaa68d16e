"""The installed `vpcreach` console script (vpcreach.cli:entry) leaves with os._exit after flushing: its exit
statuses and its output must be exactly those of `main`, whole, to a pipe and to a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import FIXTURES

SCRIPT = os.path.join(os.path.dirname(sys.executable), "vpcreach")
pytestmark = pytest.mark.slow


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=120)


def test_the_console_script_is_the_flushing_entry_point():
    assert os.path.exists(SCRIPT), "the test extras install the console script next to the interpreter"
    with open(SCRIPT, encoding="utf-8") as fh:
        assert "from vpcreach.cli import entry" in fh.read()


def test_exit_statuses_and_whole_output_through_a_pipe(tmp_path):
    version = _run("--version")
    assert (version.returncode, version.stdout.strip()) == (0, "vpcreach, version 0.1.0")
    findings = _run("scan", str(FIXTURES / "cfn" / "vr304_explicit_deny.yaml"), "--format", "json")
    assert findings.returncode == 1
    assert [f["rule_id"] for f in json.loads(findings.stdout)["findings"]] == [
        "VR301",
        "VR304",
    ]  # one VR301 per security-group set (issue 19)
    clean = _run("scan", str(FIXTURES / "cfn" / "vr304_near_miss_grants.yaml"), "--severity-threshold", "error")
    assert clean.returncode == 0 and clean.stdout.rstrip().endswith("summary: 0 errors, 0 warnings, 1 info")
    missing = _run("scan", str(tmp_path / "nowhere.yaml"))
    assert missing.returncode == 2
    assert missing.stderr == f"vpcreach: error: {tmp_path / 'nowhere.yaml'}: no such file or directory\n"
    usage = _run("scan", "--bogus")
    assert usage.returncode == 2 and "No such option '--bogus'" in usage.stderr


def test_a_report_written_to_a_file_is_complete(tmp_path):
    out = tmp_path / "report.sarif"
    done = _run("scan", str(FIXTURES / "cfn" / "vr304_explicit_deny.yaml"), "--format", "sarif", "--output", str(out))
    assert done.returncode == 1
    assert [r["ruleId"] for r in json.loads(out.read_text())["runs"][0]["results"]] == ["VR304"]  # no info alerts
