"""Baselines: `--create-baseline` records today's findings, `--baseline` fails only on new ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"

# A second function in ReportFunction's public subnet and ENI group: a VR102 and a VR302 no baseline knows.
NEW_FUNCTION = """  LateFunction:
    Type: AWS::Serverless::Function
    Metadata:
      vpcreach:
        needs: [internet]
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return 'ok'"
      VpcConfig:
        SubnetIds: [!Ref PublicSubnetA]
        SecurityGroupIds: [!Ref AppSecurityGroup]
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.yaml"
    shutil.copy(EXAMPLE, path)
    return path


def test_baseline_survives_lines_inserted_above_every_finding(template, tmp_path):
    baseline = tmp_path / "vpcreach-baseline.json"
    code, _, err = run_cli("scan", str(template), "--create-baseline", str(baseline))
    # The scan itself still reports today's findings, and says what it wrote (issue 19).
    assert code == 1 and err == f"vpcreach: note: wrote 7 fingerprint(s) to {baseline}\n"
    template.write_text("\n\n\n# moved down\n\n" + template.read_text())
    code, out, err = run_cli("scan", str(template), "--baseline", str(baseline))
    assert code == 0, out
    assert err == f"vpcreach: note: 7 finding(s) hidden by the baseline {baseline}, 0 not in it\n"
    assert out.strip().endswith("summary: 0 errors, 0 warnings, 0 infos")


def test_a_new_finding_fails_despite_the_baseline(template, tmp_path):
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(template), "--create-baseline", str(baseline))
    template.write_text(template.read_text() + NEW_FUNCTION)
    code, out, err = run_cli("scan", "--format", "json", str(template), "--baseline", str(baseline))
    assert code == 1
    assert err == f"vpcreach: note: 7 finding(s) hidden by the baseline {baseline}, 2 not in it\n"
    assert sorted((f["rule_id"], f["resource"]) for f in json.loads(out)["findings"]) == [
        ("VR102", "LateFunction"),
        ("VR302", "LateFunction"),
    ]


def test_baseline_file_holds_fingerprints_not_lines(template, tmp_path):
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(template), "--create-baseline", str(baseline))
    data = json.loads(baseline.read_text())
    assert data["version"] == 1
    entries = data["findings"]
    assert {e["file"] for e in entries} == {"template.yaml"}  # relative to the baseline file
    assert all(set(e) == {"file", "fingerprint", "rule_id", "resource"} for e in entries)
    assert ("VR102", "ReportFunction") in {(e["rule_id"], e["resource"]) for e in entries}
    assert entries == sorted(entries, key=lambda e: (e["file"], e["rule_id"], e["resource"], e["fingerprint"]))


def test_same_template_name_in_another_directory_is_not_covered(tmp_path):
    # SAM projects all name their template template.yaml; one service's baseline must not hide another's.
    for service in ("orders", "billing"):
        (tmp_path / service).mkdir()
        shutil.copy(EXAMPLE, tmp_path / service / "template.yaml")
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(tmp_path / "orders" / "template.yaml"), "--create-baseline", str(baseline))
    assert run_cli("scan", str(tmp_path / "orders" / "template.yaml"), "--baseline", str(baseline))[0] == 0
    assert run_cli("scan", str(tmp_path / "billing" / "template.yaml"), "--baseline", str(baseline))[0] == 1


def test_baseline_matches_whatever_the_working_directory(template, tmp_path, monkeypatch):
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(template), "--create-baseline", str(baseline))
    monkeypatch.chdir(tmp_path)
    assert run_cli("scan", "template.yaml", "--baseline", "baseline.json")[0] == 0


def test_suppressed_findings_are_not_written_to_the_baseline(template, tmp_path):
    (tmp_path / ".vpcreach.toml").write_text('[suppress]\nReportFunction = [{ id = "VR302", reason = "batch" }]\n')
    baseline = tmp_path / "baseline.json"
    run_cli("scan", str(template), "--create-baseline", str(baseline))
    assert "VR302" not in {e["rule_id"] for e in json.loads(baseline.read_text())["findings"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a vpcreach baseline"),
        ('{"findings": []}', "not a vpcreach baseline"),
        ('{"version": 1, "findings": [{"file": "x"}]}', "not a vpcreach baseline"),
        ('{"version": 9, "findings": []}', "baseline version 9 is not supported"),
    ],
)
def test_a_file_that_is_not_a_baseline_is_a_usage_error(template, tmp_path, content, message):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    code, _, err = run_cli("scan", str(template), "--baseline", str(baseline))
    assert code == 2
    assert message in err
