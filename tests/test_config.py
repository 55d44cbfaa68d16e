"""Configuration files: discovery, precedence, every setting, and errors that name the file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, findings_of, run_cli, scan_json

from vpcreach.config import ConfigError, load_config

EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"
PARAM_CHOICE = FIXTURES / "integrations" / "param_subnet_choice.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project directory holding the README example as infra/template.yaml."""
    (tmp_path / "infra").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "infra" / "template.yaml")
    return tmp_path


def scan(project: Path, *extra: str) -> tuple[int, dict, str]:
    code, out, err = run_cli("scan", "--format", "json", str(project / "infra" / "template.yaml"), *extra)
    return code, (json.loads(out) if out.strip() else {}), err


def rule_ids(report: dict) -> set[str]:
    return {f[0] for f in findings_of(report)}


def test_vpcreach_toml_is_found_by_walking_up_from_the_scanned_path(project):
    (project / ".vpcreach.toml").write_text('ignore = ["VR302"]\n')
    _, report, _ = scan(project)
    assert "VR302" not in rule_ids(report)
    assert "VR102" in rule_ids(report)


def test_pyproject_tool_table_is_found_and_one_without_it_is_skipped(project):
    (project / "pyproject.toml").write_text('[tool.vpcreach]\nignore = ["VR302"]\n')
    (project / "infra" / "pyproject.toml").write_text('[project]\nname = "lambda-code"\n')
    _, report, _ = scan(project)
    assert "VR302" not in rule_ids(report)


def test_nearest_config_wins(project):
    (project / ".vpcreach.toml").write_text('ignore = ["VR302"]\n')
    (project / "infra" / ".vpcreach.toml").write_text('ignore = ["VR201"]\n')
    _, report, _ = scan(project)
    assert "VR201" not in rule_ids(report)
    assert "VR302" in rule_ids(report)


def test_explicit_config_overrides_the_search(project, tmp_path_factory):
    (project / ".vpcreach.toml").write_text('ignore = ["VR302"]\n')
    other = tmp_path_factory.mktemp("elsewhere") / "ci.toml"
    other.write_text('ignore = ["VR201"]\n')
    _, report, _ = scan(project, "--config", str(other))
    assert "VR201" not in rule_ids(report)
    assert "VR302" in rule_ids(report)


def test_explicit_pyproject_without_the_table_is_an_empty_config(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n[build-system]\nrequires = []\n')
    code, report, err = scan(project, "--config", str(pyproject))
    assert code == 1 and err == ""
    assert "VR102" in rule_ids(report)


def test_severity_threshold_from_config_and_the_command_line_wins(project):
    (project / ".vpcreach.toml").write_text('severity_threshold = "error"\nignore = ["VR102"]\n')
    code, report, _ = scan(project)
    assert code == 0  # only warnings and infos remain
    assert {"VR201", "VR302"} <= rule_ids(report)
    code, _, _ = scan(project, "--severity-threshold", "warning")
    assert code == 1


def test_ignore_accepts_a_list_or_a_comma_string_and_merges_with_the_command_line(project):
    (project / ".vpcreach.toml").write_text('ignore = "VR302, vr201"\n')
    _, report, _ = scan(project, "--ignore", "VR203")
    assert not {"VR302", "VR201", "VR203"} & rule_ids(report)
    assert "VR102" in rule_ids(report)


def test_per_rule_severity_override(project):
    (project / ".vpcreach.toml").write_text('ignore = ["VR102", "VR201", "VR203"]\n[severity]\nVR302 = "info"\n')
    code, report, _ = scan(project)
    assert [f["severity"] for f in report["findings"] if f["rule_id"] == "VR302"] == ["info"]
    assert code == 0


def test_needs_declared_in_config_by_function_name_or_glob(project):
    template = project / "infra" / "template.yaml"
    template.write_text(template.read_text().replace("        needs: [internet]\n", "        needs: []\n"))
    _, report, _ = scan(project)
    assert [f["severity"] for f in report["findings"] if f["rule_id"] == "VR102"] == ["warning"]

    (project / ".vpcreach.toml").write_text('[needs]\n"Report*" = ["internet"]\n')
    _, report, _ = scan(project)
    assert [f["severity"] for f in report["findings"] if f["rule_id"] == "VR102"] == ["error"]
    fn = next(f for f in report["functions"] if f["resource"] == "ReportFunction")
    assert [(n["target"], n["verdict"]) for n in fn["needs"]] == [("internet", "blocked")]


def test_traffic_volumes_give_a_nat_cost_estimate(project):
    (project / ".vpcreach.toml").write_text("[traffic]\nApiFunction = { s3 = 500 }\n")
    _, report, _ = scan(project)
    (vr201,) = [f for f in report["findings"] if f["rule_id"] == "VR201"]
    assert "at 500 GB/month that is $22.50/month of NAT processing" in vr201["message"]


def test_parameters_from_config_and_command_line(tmp_path):
    template = tmp_path / "template.yaml"
    shutil.copy(PARAM_CHOICE, template)
    assert findings_of(scan_json(template), "VR102") == []
    (tmp_path / ".vpcreach.toml").write_text("[params]\nUsePublicSubnet = true\n")  # a TOML boolean
    assert findings_of(scan_json(template), "VR102") == [("VR102", "ReportFunction", 93)]
    # --param beats the file
    assert findings_of(scan_json(template, extra=("--param", "UsePublicSubnet=false")), "VR102") == []


def test_terraform_variables_become_terraform_literals(tmp_path):
    path = tmp_path / ".vpcreach.toml"
    path.write_text('[variables]\nenable_nat_gateway = true\nazs = ["a", "b"]\nname = "prod"\ncount = 2\n')
    cfg = load_config(str(path), [])
    assert cfg.variables == {"enable_nat_gateway": "true", "azs": '["a", "b"]', "name": "prod", "count": "2"}


def test_config_suppression_with_reason_is_reported_as_suppressed(project):
    (project / ".vpcreach.toml").write_text(
        '[suppress]\n"Report*" = [{ id = "VR302", reason = "reports are batch jobs; one AZ is fine" }]\n'
    )
    _, report, _ = scan(project)
    (vr302,) = [f for f in report["findings"] if f["rule_id"] == "VR302"]
    assert vr302["suppressed"] == "reports are batch jobs; one AZ is fine"
    assert "VR302" not in rule_ids(report)  # not active
    _, out, _ = run_cli("scan", str(project / "infra" / "template.yaml"))
    assert "suppressed (reports are batch jobs; one AZ is fine) VR302" in out


def test_eni_quota_setting_reaches_the_analysis(project):
    (project / ".vpcreach.toml").write_text("eni_quota = 2\n")
    _, report, _ = scan(project)
    assert [f["resource"] for f in report["findings"] if f["rule_id"] == "VR307"] == ["Vpc"]


def test_assume_bpa_setting_reaches_the_analysis_and_the_command_line_wins(project):
    # The example's function reaches the internet through a NAT gateway: Block Public Access (bidirectional) would
    # drop it (SEMANTICS §11 [BPA]).
    (project / ".vpcreach.toml").write_text('assume_bpa = "bidirectional"\n')
    _, report, _ = scan(project)
    assert "VR112" in rule_ids(report)
    _, report, _ = scan(project, "--assume-bpa", "off")
    assert "VR112" not in rule_ids(report)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n", "unknown setting(s) colour"),
        ('severity_threshold = "loud"\n', "severity_threshold must be info, warning or error"),
        ('ignore = ["VR999"]\n', "ignore: unknown rule id 'VR999'"),
        ('[severity]\nVR302 = "high"\n', "severity.VR302 must be info, warning or error"),
        ('[traffic]\nApiFunction = { s3 = "lots" }\n', "traffic.ApiFunction.s3 must be a non-negative number"),
        ('needs = ["internet"]\n', "needs must be a table"),
        ('[suppress]\nFn = [{ reason = "no id" }]\n', "suppress.Fn: each entry needs an id"),
        ('eni_quota = "many"\n', "eni_quota must be a positive integer"),
        ('assume_bpa = "on"\n', 'assume_bpa must be "off", "ingress" or "bidirectional"'),
        ("ignore = [\n", "invalid TOML"),
    ],
)
def test_bad_config_is_a_usage_error_naming_the_file(project, text, message):
    path = project / ".vpcreach.toml"
    path.write_text(text)
    code, _, err = scan(project)
    assert code == 2
    assert err.startswith(f"vpcreach: error: {path}: ")
    assert message in err
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(None, [str(project / "infra")])


def test_terraform_variables_from_config_and_command_line(tmp_path):
    module = tmp_path / "tf"
    shutil.copytree(FIXTURES / "integrations" / "terraform_var", module)
    assert findings_of(scan_json(module), "VR102") == []
    (tmp_path / ".vpcreach.toml").write_text("[variables]\nuse_public_subnet = true\n")  # a TOML boolean
    assert [f[1] for f in findings_of(scan_json(module), "VR102")] == ["aws_lambda_function.report"]
    assert findings_of(scan_json(module, extra=("--var", "use_public_subnet=false")), "VR102") == []
