"""JUnit XML: one test case per function or resource, failing at or above the severity threshold."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "template.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def junit(*args: str) -> tuple[int, ET.Element]:
    code, out, err = run_cli("scan", "--format", "junit", *args)
    assert code in (0, 1), err
    assert out.startswith("<?xml version='1.0' encoding='utf-8'?>")
    return code, ET.fromstring(out)


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name"): c for c in root.iter("testcase")}


def test_one_testcase_per_function_and_per_resource_with_findings(in_tmp):
    code, root = junit("template.yaml")
    assert code == 1
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "template.yaml"
    got = cases(root)
    assert list(got) == ["ApiFunction", "ReportFunction", "NatA", "PrivateSubnetB"]
    assert got["ReportFunction"].get("file") == "template.yaml"
    assert got["ReportFunction"].get("line") == "98"
    assert got["ReportFunction"].get("classname") == "template.yaml"
    # Counts agree with the cases, at both levels.
    failed = [name for name, c in got.items() if c.find("failure") is not None]
    assert failed == ["ApiFunction", "ReportFunction", "PrivateSubnetB"]
    for element in (root, suite):
        assert element.get("tests") == "4"
        assert element.get("failures") == "3"
        assert element.get("errors") == "0"


def test_failure_lists_the_findings_at_or_above_the_threshold(in_tmp):
    _, root = junit("template.yaml")
    failure = cases(root)["ReportFunction"].find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message").startswith(
        "2 finding(s) at or above warning: VR102, VR302; ReportFunction is in subnet"
    )
    assert "error VR102 public-subnet-function at template.yaml:98" in failure.text
    assert (
        "path: ReportFunction → eni:PublicSubnetA|AppSecurityGroup → PublicSubnetA → PublicRouteTable → Igw"
        in failure.text
    )
    assert "fix: Put the function in private subnets" in failure.text
    # Informational findings do not fail the case; they are reported alongside.
    assert "info VR301 eni-groups" in cases(root)["ReportFunction"].find("system-out").text
    nat = cases(root)["NatA"]
    assert nat.find("failure") is None and "VR204" in nat.find("system-out").text


def test_threshold_decides_which_cases_fail(in_tmp):
    code, root = junit("template.yaml", "--severity-threshold", "error")
    assert code == 1
    failed = [name for name, c in cases(root).items() if c.find("failure") is not None]
    assert failed == ["ReportFunction"]
    assert "warning VR302" in cases(root)["ReportFunction"].find("system-out").text
    code, root = junit("template.yaml", "--ignore", "VR102,VR201,VR203,VR302")
    assert code == 0
    assert root.get("failures") == "0" and root.get("tests") == "3"  # both functions and NatA (VR204, info) pass


def test_suppressed_findings_pass_and_show_their_reason(in_tmp):
    (in_tmp / ".vpcreach.toml").write_text(
        '[suppress]\nReportFunction = [{ id = "VR102", reason = "egress later" }, { id = "VR302", reason = "batch" }]\n'
    )
    _, root = junit("template.yaml")
    report = cases(root)["ReportFunction"]
    assert report.find("failure") is None
    assert "suppressed: egress later" in report.find("system-out").text


def test_junit_output_to_a_file(in_tmp):
    code, out, _ = run_cli("scan", "--format", "junit", "-o", "vpcreach.xml", "template.yaml")
    assert code == 1 and out == ""
    assert ET.parse(in_tmp / "vpcreach.xml").getroot().get("tests") == "4"
