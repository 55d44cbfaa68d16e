"""Plan findings point at the Terraform source (issue 19): `terraform show -json` writes one line, so without
this every finding said "line None" and SARIF pointed at a generated file. The plans here are the committed
real plans rewritten as Terraform writes them: compact JSON on one line."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, run_cli

PLANS = FIXTURES / "tfplan"


def _one_line(src, dst) -> None:
    dst.write_text(json.dumps(json.loads(src.read_text()), separators=(",", ":")))


def _findings(out: str) -> list[tuple[str, str, str, int | None]]:
    return sorted((f["rule_id"], f["resource"], f["file"], f["line"]) for f in json.loads(out)["findings"])


def test_one_line_plan_beside_its_configuration_points_at_the_blocks(tmp_path, monkeypatch):
    shutil.copytree(PLANS / "create_vpc_lambda", tmp_path / "infra")
    _one_line(PLANS / "create_vpc_lambda" / "plan.json", tmp_path / "infra" / "plan.json")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("plan", "--format", "json", "infra/plan.json")
    assert code == 1, err
    assert _findings(out) == [
        ("VR203", "module.net.aws_subnet.private[1]", "infra/modules/net/main.tf", 22),
        ("VR204", "module.net.aws_nat_gateway.this", "infra/modules/net/main.tf", 37),
        ("VR301", 'aws_lambda_function.fn["api"]', "infra/main.tf", 34),
    ]
    code, out, _ = run_cli("plan", "--format", "sarif", "infra/plan.json")
    locations = [r["locations"][0]["physicalLocation"] for r in json.loads(out)["runs"][0]["results"]]
    assert {(loc["artifactLocation"]["uri"], loc["region"]["startLine"]) for loc in locations} == {
        ("infra/modules/net/main.tf", 22)
    }  # VR204 and VR301 are informational: not SARIF alerts by default


def test_without_a_configuration_findings_point_at_the_plan_and_say_why(tmp_path, monkeypatch):
    (tmp_path / "plans").mkdir()
    _one_line(PLANS / "break_nat_route" / "plan.json", tmp_path / "plans" / "plan.json")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("plan", "--format", "json", "plans/plan.json")
    assert code == 1
    assert {(f, line) for _, _, f, line in _findings(out)} == {("plans/plan.json", None)}
    assert err == (
        "vpcreach: note: plans/plan.json: findings point at the plan: no Terraform configuration (.tf files) "
        "beside it or in the working directory; name it with --tf-dir DIR\n"
    )
    code, out, _ = run_cli("plan", "--format", "sarif", "plans/plan.json")
    regions = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in json.loads(out)["runs"][0]["results"]
    }
    assert regions == {1}  # a valid region on the plan itself


def test_tf_dir_names_the_configuration(tmp_path, monkeypatch):
    (tmp_path / "plans").mkdir()
    shutil.copy(PLANS / "break_nat_route" / "main.tf", tmp_path / "main.tf")
    _one_line(PLANS / "break_nat_route" / "plan.json", tmp_path / "plans" / "plan.json")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, out, err = run_cli("plan", "--format", "json", "--tf-dir", "..", "../plans/plan.json")
    assert code == 1, err
    assert ("VR101", "aws_lambda_function.api", "../main.tf", 82) in _findings(out)


def test_a_pretty_printed_plan_keeps_its_own_lines():
    code, out, _ = run_cli("plan", "--format", "json", str(PLANS / "break_nat_route" / "plan.json"))
    assert code == 1
    assert {f for _, _, f, _ in _findings(out)} == {str(PLANS / "break_nat_route" / "plan.json")}
