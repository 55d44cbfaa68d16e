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
    assert 0 < analysis.walker.steps < reach.MAX_WALK_STEPS // 1000
