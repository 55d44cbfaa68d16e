"""The cfn-lint plugin, driven through the real `cfn-lint` command (and once in-process to count analyses)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, findings_of, scan_json
from vpcreach.analyzer.catalogue import RULES

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
MODULE = "vpcreach.integrations.cfnlint_rules"
EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"
SAM_GLOBALS = FIXTURES / "integrations" / "sam_globals_public_subnet.yaml"
OURS = re.compile(r"^[EWI]9\d{3}$")

pytestmark = pytest.mark.slow  # the real cfn-lint command (a dependency of vpcreach), one subprocess per test


def cfn_lint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(CFN_LINT), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def parseable(out: str) -> list[tuple[str, int, str]]:
    """(id, line, message) of our rules' matches in `-f parseable` output."""
    rows = []
    for line in out.splitlines():
        parts = line.split(":", 6)  # file:line:column:end line:end column:id:message
        if len(parts) == 7 and OURS.match(parts[5]):
            rows.append((parts[5], int(parts[1]), parts[6]))
    return sorted(rows)


def test_every_catalogue_rule_is_a_cfnlint_rule_with_its_own_id():
    result = cfn_lint("-a", MODULE, "-l")
    assert result.returncode == 0, result.stderr
    listed = dict(re.findall(r"^([EWI]9\d{3}): (.*)$", result.stdout, re.M))
    primary = {r.cfn_lint_id: f"vpcreach {r.id} {r.name}" for r in RULES.values()}
    # The same rule at the other severities, for findings reported at another level than the rule's.
    levels = {
        r.cfn_lint_id_at(s): f"vpcreach {r.id} {r.name} (as {s})"
        for r in RULES.values()
        for s in ("error", "warning", "info")
        if s != r.severity
    }
    assert listed == {**primary, **levels}


def test_findings_appear_in_cfnlint_output_at_the_lines_vpcreach_reports():
    result = cfn_lint("-a", MODULE, "-c", "I", "-f", "parseable", "--", str(EXAMPLE))
    got = {(rule_id, line) for rule_id, line, _ in parseable(result.stdout)}
    report = scan_json(EXAMPLE)
    expected = {(RULES[f["rule_id"]].cfn_lint_id_at(f["severity"]), f["line"]) for f in report["findings"]}
    assert got == expected
    assert ("E9102", 98) in got  # ReportFunction in a public subnet
    assert ("W9201", 86) in got  # ApiFunction's S3 traffic through NAT
    # Exit status is cfn-lint's bitmask: 2 error | 4 warning | 8 informational.
    assert result.returncode == 2 | 4 | 8


def test_sarif_and_junit_formats_work_with_the_plugin_loaded():
    """cfn-lint's own sarif and junit formatters need its extras, which vpcreach depends on (issue 19:
    `--format sarif` and `--format junit` stopped with "Missing optional dependencies")."""
    sarif = cfn_lint("-a", MODULE, "--format", "sarif", "--", str(EXAMPLE))
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert {"E9102", "W9201"} <= {r["ruleId"] for r in results}, sarif.stderr
    junit = cfn_lint("-a", MODULE, "--format", "junit", "--", str(EXAMPLE))
    assert junit.stdout.startswith("<?xml") and 'name="E9102 ' in junit.stdout, junit.stderr


def test_a_finding_at_another_severity_has_that_severitys_id(tmp_path):
    """VR102 without an internet need is a warning (W9102, never E9102 saying "so this is a warning"); a config
    severity override moves a rule's findings the same way (issue 19)."""
    template = FIXTURES / "cfn" / "vr102_public_subnet.json"
    rows = parseable(cfn_lint("-a", MODULE, "-f", "parseable", "--", str(template)).stdout)
    levels = {(r, line) for r, line, _ in rows if r[2:] == "102"}
    assert ("W9102", 169) in levels and ("E9102", 169) not in levels
    copy = tmp_path / "template.yaml"
    shutil.copy(EXAMPLE, copy)
    (tmp_path / ".vpcreach.toml").write_text('severity = { VR302 = "info" }\n')
    rows = parseable(cfn_lint("-a", MODULE, "-c", "I", "-f", "parseable", "--", str(copy)).stdout)
    assert ("I9302", 98) in {(r, line) for r, line, _ in rows}
    assert "W9302" not in {r for r, _, _ in rows}


def test_informational_rules_need_dash_c_i_like_any_cfnlint_rule():
    result = cfn_lint("-a", MODULE, "-f", "parseable", "--", str(EXAMPLE))
    ids = {rule_id for rule_id, _, _ in parseable(result.stdout)}
    assert ids == {"E9102", "W9201", "W9203", "W9302"}
    assert result.returncode == 2 | 4


def test_json_output_carries_rule_metadata_from_the_catalogue():
    result = cfn_lint("-a", MODULE, "-f", "json", "--", str(EXAMPLE))
    matches = [m for m in json.loads(result.stdout) if m["Rule"]["Id"] == "E9102"]
    assert len(matches) == 1
    m = matches[0]
    rule = RULES["VR102"]
    assert m["Level"] == "Error"
    assert m["Location"]["Start"]["LineNumber"] == 98
    assert m["Location"]["Path"] == ["Resources", "ReportFunction"]
    assert m["Rule"]["Description"] == rule.summary
    assert m["Rule"]["Source"] == rule.help_uri
    assert m["Message"].startswith("ReportFunction is in subnet PublicSubnetA")
    assert "[VR102]" in m["Message"] and rule.fix in m["Message"]


def test_cfnlintrc_append_rules_loads_the_plugin(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "template.yaml")
    (tmp_path / ".cfnlintrc").write_text(f"append_rules:\n  - {MODULE}\n")
    result = cfn_lint("-f", "parseable", "template.yaml", cwd=tmp_path)
    assert ("E9102", 98) in {(rule_id, line) for rule_id, line, _ in parseable(result.stdout)}


def test_resource_metadata_ignore_checks_silences_a_vpcreach_rule(tmp_path):
    text = EXAMPLE.read_text()
    marker = "  ReportFunction:\n    Type: AWS::Serverless::Function\n    Metadata:\n"
    assert marker in text
    template = tmp_path / "template.yaml"
    template.write_text(
        text.replace(marker, marker + "      cfn-lint:\n        config:\n          ignore_checks: [E9102]\n")
    )
    got = {
        (rule_id, line)
        for rule_id, line, _ in parseable(cfn_lint("-a", MODULE, "-f", "parseable", "--", str(template)).stdout)
    }
    assert not any(rule_id == "E9102" for rule_id, _ in got)
    assert ("W9302", 98) in got  # only the named check is ignored, on that resource only
    assert ("W9201", 86) in got


def test_vpcreach_metadata_suppression_hides_the_finding_from_cfnlint(tmp_path):
    text = EXAMPLE.read_text()
    marker = "        needs: [internet]\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: \"def handler(event, context): return 'ok'\"\n      VpcConfig:\n        SubnetIds: [!Ref PublicSubnetA]"
    assert marker in text
    template = tmp_path / "template.yaml"
    suppression = "        ignore:\n          - {id: VR302, reason: single AZ is fine for reports}\n"
    template.write_text(text.replace(marker, marker.replace("    Properties:\n", suppression + "    Properties:\n", 1)))
    got = {
        rule_id for rule_id, _, _ in parseable(cfn_lint("-a", MODULE, "-f", "parseable", "--", str(template)).stdout)
    }
    assert "W9302" not in got
    assert "E9102" in got


def test_sam_globals_are_applied_once_and_ignore_globals_is_honoured():
    result = cfn_lint("-a", MODULE, "-c", "I", "-f", "parseable", "--", str(SAM_GLOBALS))
    rows = parseable(result.stdout)
    # The VpcConfig comes from Globals; cfn-lint's merge is used, and the finding sits on the function.
    assert {(rule_id, line) for rule_id, line, _ in rows} == {("E9102", 61), ("I9301", 61)}
    assert len([r for r in rows if r[0] == "E9102"]) == 2  # one per public subnet, not one per merge
    assert not any("OptOutFunction" in message for _, _, message in rows)


def test_sam_globals_without_transform_line_are_still_merged_by_vpcreach(tmp_path):
    # cfn-lint merges Globals only for the SAM transform; DESIGN decision 10 reads SAM types anyway.
    template = tmp_path / "template.yaml"
    template.write_text(SAM_GLOBALS.read_text().replace("Transform: AWS::Serverless-2016-10-31\n", ""))
    rows = parseable(cfn_lint("-a", MODULE, "-f", "parseable", "--", str(template)).stdout)
    assert ("E9102", 60) in {(rule_id, line) for rule_id, line, _ in rows}  # one line up: no Transform
    assert not any("OptOutFunction" in message for _, _, message in rows)  # IgnoreGlobals, vpcreach's merge


def test_scan_honours_ignore_globals_like_cfnlint():
    report = scan_json(SAM_GLOBALS)
    assert [f for f in findings_of(report, "VR102") if f[1] == "OptOutFunction"] == []


def test_analysis_failure_is_reported_once_not_once_per_rule(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "template.yaml")
    (tmp_path / ".vpcreach.toml").write_text('severity_threshold = "loud"\n')
    result = cfn_lint("-a", MODULE, "-f", "parseable", "--", str(tmp_path / "template.yaml"))
    errors = [line for line in result.stdout.splitlines() if ":E0002:" in line]
    assert len(errors) == 1, result.stdout
    assert "I9001" in errors[0] and "severity_threshold" in errors[0]


def test_vpcreach_config_next_to_the_template_applies(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "template.yaml")
    (tmp_path / ".vpcreach.toml").write_text('ignore = ["VR302"]\n')
    got = {
        rule_id
        for rule_id, _, _ in parseable(
            cfn_lint("-a", MODULE, "-f", "parseable", "--", str(tmp_path / "template.yaml")).stdout
        )
    }
    assert "W9302" not in got and "E9102" in got


def test_the_analysis_runs_once_per_template(monkeypatch):
    from cfnlint.api import ManualArgs, lint

    from vpcreach.integrations import cfnlint_rules

    calls: list[str] = []
    real = cfnlint_rules._analyse

    def counting(cfn):  # type: ignore[no-untyped-def]
        calls.append(cfn.filename)
        return real(cfn)

    monkeypatch.setattr(cfnlint_rules, "_analyse", counting)
    args = ManualArgs(append_rules=[MODULE], include_checks=["I"], regions=["us-east-1"])
    matches = lint(EXAMPLE.read_text(), config=args)
    ours = {m.rule.id for m in matches if OURS.match(m.rule.id)}
    assert ours == {"E9102", "W9201", "W9203", "W9302", "I9204", "I9301"}
    assert len(calls) == 1
    lint(SAM_GLOBALS.read_text(), config=args)
    assert len(calls) == 2


def test_template_parameters_come_from_the_vpcreach_config(tmp_path):
    template = tmp_path / "template.yaml"
    shutil.copy(FIXTURES / "integrations" / "param_subnet_choice.yaml", template)
    assert "E9102" not in {
        r for r, _, _ in parseable(cfn_lint("-a", MODULE, "-f", "parseable", "--", str(template)).stdout)
    }
    (tmp_path / ".vpcreach.toml").write_text("[params]\nUsePublicSubnet = true\n")
    rows = parseable(cfn_lint("-a", MODULE, "-f", "parseable", "--", str(template)).stdout)
    assert ("E9102", 93) in {(r, line) for r, line, _ in rows}


def test_readme_lists_the_cfnlint_ids_generated_from_the_catalogue():
    from vpcreach.rules_doc import cfnlint_table

    manual = (ROOT / "docs" / "integrations.md").read_text()
    section = manual.split("## cfn-lint plugin", 1)[1].split("\n## ", 1)[0]
    assert cfnlint_table() in section
    assert f"cfn-lint -a {MODULE} -- template.yaml" in section
