"""Work is bounded, not only bytes: a network within the file limits may still ask for too many walks."""

from __future__ import annotations

from conftest import FIXTURES, run_cli
from vpcreach.analyzer import reach


def test_a_network_needing_more_walk_steps_than_the_budget_is_refused_with_one_line(monkeypatch) -> None:
    path = FIXTURES / "cfn" / "example_private_nat.yaml"
    code, _, _ = run_cli("scan", str(path))
    assert code in (0, 1)
    monkeypatch.setattr(reach, "MAX_WALK_STEPS", 5)
    code, _, err = run_cli("scan", str(path))
    assert code == 2
    assert err.splitlines() == [
        f"vpcreach: error: {path}: the network needs more than 5 reachability steps (3 Hyperplane ENI groups), "
        "more than vpcreach spends on one input; split it into smaller templates or roots"
    ]


def test_the_benchmark_network_is_far_inside_the_budget() -> None:
    from vpcreach.analyzer.engine import analyze
    from vpcreach.parsers.cfn import parse_file

    analysis = analyze(parse_file(str(FIXTURES / "cfn" / "example_private_nat.yaml")))
    assert 0 < analysis.walk_steps < reach.MAX_WALK_STEPS // 1000


def test_a_file_over_the_string_limit_is_an_unknown_not_a_failed_scan(tmp_path) -> None:
    (tmp_path / "big.txt").write_text("x" * 1_000_001)
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  role = "r"\n'
        '  vpc_config {\n    subnet_ids = [file("big.txt")]\n    security_group_ids = ["sg-1"]\n  }\n}\n'
    )
    code, out, err = run_cli("scan", str(tmp_path))
    assert code in (0, 1), err
    assert "aws_lambda_function.f" in out


def test_a_terraform_root_past_the_byte_budget_is_refused_before_it_is_parsed(tmp_path) -> None:
    from vpcreach.parsers.errors import MAX_TERRAFORM_BYTES

    (tmp_path / "a.tf").write_text("# " + "x" * (MAX_TERRAFORM_BYTES // 2) + "\n")
    (tmp_path / "b.tf").write_text("# " + "x" * (MAX_TERRAFORM_BYTES // 2) + "\n")
    code, _, err = run_cli("scan", str(tmp_path))
    assert code == 2
    assert err.splitlines() == [
        f"vpcreach: error: {tmp_path / 'b.tf'}: the Terraform files of this root and its modules pass 256 KiB, "
        "more than vpcreach parses within its time limit; check its plan instead (vpcreach plan PLAN.json)"
    ]
