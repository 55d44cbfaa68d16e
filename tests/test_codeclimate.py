"""`--format codeclimate`: GitLab Code Quality issues (description, check_name, fingerprint, severity,
location.path relative to the working directory, location.lines.begin), one per unsuppressed finding."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, run_cli, scan_json

EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"


def test_issues_are_the_findings_at_or_above_warning(tmp_path, monkeypatch):
    (tmp_path / "infra").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "infra" / "template.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("scan", "--format", "codeclimate", "infra/template.yaml")
    assert code == 1, err
    issues = json.loads(out)
    report = scan_json("infra/template.yaml")
    expected = [f for f in report["findings"] if f["severity"] != "info" and f["suppressed"] is None]
    assert sorted((i["check_name"], i["location"]["lines"]["begin"], i["fingerprint"]) for i in issues) == sorted(
        (f"vpcreach/{f['rule_id']}", f["line"], f["fingerprint"]) for f in expected
    )
    assert {i["location"]["path"] for i in issues} == {"infra/template.yaml"}
    assert {i["severity"] for i in issues} == {"major", "minor"}  # error → major, warning → minor
    vr102 = next(i for i in issues if i["check_name"] == "vpcreach/VR102")
    assert vr102["description"].startswith("VR102 public-subnet-function: ReportFunction is in subnet PublicSubnetA")
    assert " — Fix: " in vr102["description"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab shows one issue per fingerprint


def test_informational_findings_when_asked(tmp_path):
    code, out, _ = run_cli("scan", "--format", "codeclimate", "--severity-threshold", "info", str(EXAMPLE))
    assert code == 1
    assert "info" in {i["severity"] for i in json.loads(out)}


def test_a_clean_scan_is_an_empty_list():
    code, out, _ = run_cli(
        "scan", "--format", "codeclimate", str(FIXTURES / "integrations" / "clean_s3_gateway_endpoint.yaml")
    )
    assert (code, json.loads(out)) == (0, [])
