"""Some inputs cannot be read: each gets its one line, the others are still analysed and reported, exit 2.

The same holds in every output format, so a CI system that keeps only the report file still sees the
unreadable input; and no baseline is written from a scan that missed a file.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli
from test_sarif import validate

EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"
BROKEN_YAML = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Fn: {Type: [\n'
BROKEN_HCL = 'resource "aws_lambda_function" "fn" {\n  function_name = "x"\n  runtime = \n}\n'


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """infra/a-good.yaml (the README example), infra/b-broken.yaml, tf/broken/main.tf, tf/good (a twin)."""
    (tmp_path / "infra").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "infra" / "a-good.yaml")
    (tmp_path / "infra" / "b-broken.yaml").write_text(BROKEN_YAML)
    (tmp_path / "tf" / "broken").mkdir(parents=True)
    (tmp_path / "tf" / "broken" / "main.tf").write_text(BROKEN_HCL)
    shutil.copytree(FIXTURES / "terraform" / "example_private_nat", tmp_path / "tf" / "good")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def error_lines(err: str) -> list[str]:
    assert "Traceback" not in err and "internal error" not in err, err
    return [line for line in err.splitlines() if line.startswith("vpcreach: error:")]


def test_each_unreadable_input_gets_its_line_and_the_rest_is_reported(repo):
    code, out, err = run_cli("scan", "infra", "tf", "--format", "json")
    assert code == 2
    assert error_lines(err) == [
        "vpcreach: error: infra/b-broken.yaml:4: invalid YAML/JSON: did not find expected node content",
        "vpcreach: error: tf/broken/main.tf:3: invalid HCL: unexpected line break at column 13",
    ]
    report = json.loads(out)
    assert report["sources"][0] == "infra/a-good.yaml"
    assert report["sources"][1:] == ["tf/good"]
    assert {f["resource"] for f in report["functions"]} >= {"ReportFunction", "aws_lambda_function.report_function"}
    assert report["errors"] == [
        {"file": "infra/b-broken.yaml", "line": 4, "message": "invalid YAML/JSON: did not find expected node content"},
        {"file": "tf/broken/main.tf", "line": 3, "message": "invalid HCL: unexpected line break at column 13"},
    ]


def test_errors_is_an_empty_list_when_every_input_was_read(repo):
    code, out, _ = run_cli("scan", "infra/a-good.yaml", "--format", "json")
    assert code == 1
    assert json.loads(out)["errors"] == []


def test_text_report_of_the_readable_inputs_is_still_printed(repo):
    code, out, err = run_cli("scan", "infra", "--no-color")
    assert code == 2
    assert len(error_lines(err)) == 1
    assert "ReportFunction" in out and out.rstrip().splitlines()[-1].startswith("summary:")


def test_a_single_unreadable_input_prints_only_its_line(repo):
    code, out, err = run_cli("scan", "infra/b-broken.yaml", "--format", "json")
    assert (code, out) == (2, "")
    assert error_lines(err) == [
        "vpcreach: error: infra/b-broken.yaml:4: invalid YAML/JSON: did not find expected node content"
    ]


def test_sarif_reports_the_unreadable_input_as_a_tool_execution_notification(repo):
    code, out, _ = run_cli("scan", "infra", "--format", "sarif")
    assert code == 2
    log = json.loads(out)
    validate(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "invalid YAML/JSON: did not find expected node content"
    location = note["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == ("infra/b-broken.yaml", 4)
    assert {r["properties"]["resource"] for r in log["runs"][0]["results"]} >= {"ReportFunction"}


def test_sarif_invocation_is_successful_when_every_input_was_read(repo):
    code, out, _ = run_cli("scan", "infra/a-good.yaml", "--format", "sarif")
    assert code == 1
    (invocation,) = json.loads(out)["runs"][0]["invocations"]
    assert invocation == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_junit_has_an_errored_case_for_the_unreadable_input(repo):
    code, out, _ = run_cli("scan", "infra", "--format", "junit")
    assert code == 2
    root = ET.fromstring(out)
    assert root.get("errors") == "1"
    suite = next(s for s in root.iter("testsuite") if s.get("name") == "infra/b-broken.yaml")
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    (error,) = suite.iter("error")
    assert error.get("message") == "infra/b-broken.yaml:4: invalid YAML/JSON: did not find expected node content"
    assert [s.get("name") for s in root.iter("testsuite")] == ["infra/a-good.yaml", "infra/b-broken.yaml"]
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in root.iter("testsuite"))


def test_no_baseline_is_written_while_an_input_is_unreadable(repo):
    code, _, err = run_cli("scan", "infra", "--create-baseline", "base.json")
    assert code == 2
    assert "vpcreach: error: baseline not written to base.json: 1 input(s) could not be read" in err
    assert not (repo / "base.json").exists()
