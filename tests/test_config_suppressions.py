"""Inline suppressions with reasons: CloudFormation Metadata and the Terraform comment form."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, findings_of, run_cli

EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"
TF_IGNORE = FIXTURES / "integrations" / "terraform_ignore"

REPORT_META = "      vpcreach:\n        needs: [internet]\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: \"def handler(event, context): return 'ok'\"\n      VpcConfig:\n        SubnetIds: [!Ref PublicSubnetA]"


def with_report_ignore(tmp_path: Path, ignore_yaml: str) -> Path:
    """The README example with `ignore_yaml` added to ReportFunction's vpcreach Metadata."""
    text = EXAMPLE.read_text()
    assert REPORT_META in text
    path = tmp_path / "template.yaml"
    path.write_text(
        text.replace(REPORT_META, REPORT_META.replace("    Properties:\n", ignore_yaml + "    Properties:\n", 1))
    )
    return path


def test_metadata_suppression_with_reason_is_echoed_and_does_not_fail(tmp_path):
    template = with_report_ignore(
        tmp_path,
        "        ignore:\n          - {id: VR302, reason: reports are batch jobs}\n          - {id: VR102, reason: egress is not needed yet}\n",
    )
    code, out, err = run_cli("scan", "--format", "json", str(template), "--ignore", "VR201,VR203")
    assert code == 0, out
    report = json.loads(out)
    suppressed = {(f["rule_id"], f["resource"]): f["suppressed"] for f in report["findings"] if f["suppressed"]}
    assert suppressed == {
        ("VR102", "ReportFunction"): "egress is not needed yet",
        ("VR302", "ReportFunction"): "reports are batch jobs",
    }
    assert err == ""
    code, text, _ = run_cli("scan", str(template))
    assert "suppressed (reports are batch jobs) VR302 single-az" in text


def test_bare_id_still_suppresses(tmp_path):
    template = with_report_ignore(tmp_path, "        ignore: [VR302]\n")
    _, out, _ = run_cli("scan", "--format", "json", str(template))
    report = json.loads(out)
    assert findings_of(report, "VR302") == []
    assert findings_of(report, "VR302", include_suppressed=True) == [("VR302", "ReportFunction", 98)]


def test_unexplained_suppressions_are_named(tmp_path):
    from vpcreach.analyzer.engine import Options, analyze
    from vpcreach.graph.model import Suppression
    from vpcreach.parsers.cfn import parse_file

    template = with_report_ignore(tmp_path, "        ignore: [VR302, {id: VR102, reason: not yet}]\n")
    options = Options(suppressions={"Api*": [Suppression("VR201")]})
    analysis = analyze(parse_file(str(template)), options)

    from vpcreach.config import unexplained_suppressions

    assert unexplained_suppressions([analysis]) == [
        f"{template}: ReportFunction suppresses VR302 without a reason; write {{id: VR302, reason: ...}}",
        'config: Api* suppresses VR201 without a reason; write { id = "VR201", reason = "..." }',
    ]


def test_bare_id_prints_a_warning_that_a_reason_is_required(tmp_path):
    template = with_report_ignore(tmp_path, "        ignore: [VR302]\n")
    _, _, err = run_cli("scan", str(template))
    assert "vpcreach: warning: " in err
    assert "ReportFunction suppresses VR302 without a reason" in err


def _terraform_parser_ready() -> bool:
    if importlib.util.find_spec("vpcreach.parsers.terraform") is None:
        return False
    from vpcreach.parsers import terraform

    return hasattr(terraform, "parse_module")


@pytest.mark.skipif(not _terraform_parser_ready(), reason="parsers/terraform.parse_module does not exist yet")
def test_terraform_comment_suppression_with_reason(tmp_path):
    shutil.copytree(TF_IGNORE, tmp_path / "tf")
    code, out, _ = run_cli("scan", "--format", "json", str(tmp_path / "tf"))
    report = json.loads(out)
    by_rule = {f["rule_id"]: f for f in report["findings"] if f["resource"] == "aws_lambda_function.report"}
    assert by_rule["VR302"]["suppressed"] == "reports are batch jobs, one AZ is fine"
    assert by_rule["VR102"]["suppressed"] is None
    assert code == 1
