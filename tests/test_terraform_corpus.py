"""Every Terraform example of ../shared/corpus/terraform scans without a traceback.

Each directory holding .tf files is scanned as one root module (as `vpcreach scan DIR` would). The only
allowed failure is a clean InputError: checkov-runner-example/example.tf is deliberately broken HCL (an
attribute defined twice), see the corpus README. A few verdicts read off real code are pinned.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from conftest import CORPUS
from vpcreach.analyzer.engine import Analysis, analyze
from vpcreach.graph import model as m
from vpcreach.parsers.errors import InputError
from vpcreach.parsers.terraform import parse_module

pytestmark = pytest.mark.slow  # a sweep of the Terraform corpus

ROOT = CORPUS / "terraform"
BROKEN = {"checkov-runner-example"}


def _examples() -> list[str]:
    if not ROOT.is_dir():
        return []
    dirs = {p.parent for p in ROOT.rglob("*.tf") if ".terraform" not in p.parts}
    return sorted(str(d.relative_to(ROOT)) for d in dirs)


@functools.cache
def _analyse(name: str) -> Analysis:
    # Each example's top folder is a copy of its upstream repository, so it is the scan root a git work
    # tree would give: `source = "../../modules/x"` calls stay inside it and are followed.
    return analyze(parse_module(str(ROOT / name), {}, [], str(ROOT / name.split("/")[0])))


@pytest.mark.parametrize("name", _examples() or ["<corpus absent>"])
def test_example_scans_without_traceback(corpus: Path, name: str) -> None:
    if name in BROKEN:
        with pytest.raises(InputError) as exc:
            _analyse(name)
        assert exc.value.file.endswith("example.tf") and exc.value.line == 236
        assert exc.value.message == 'attribute "ingress" is defined twice (first at line 229)'
        return
    analysis = _analyse(name)
    assert analysis.network.sources == [str(ROOT / name)]


def test_the_corpus_has_the_documented_examples(corpus: Path) -> None:
    assert len(_examples()) >= 20


def _needs(analysis: Analysis, fn: str) -> dict[str, str]:
    return {r.need.target: r.verdict.status for r in analysis.functions[fn].needs}


def test_aurora_example_reaches_its_database_and_misses_the_policy_ordering(corpus: Path) -> None:
    analysis = _analyse("sp-terraform-lambda-aurora-serverless")
    fn = "aws_lambda_function.aurora_lambda"
    assert _needs(analysis, fn) == {
        "rds-data": "reachable",
        "secretsmanager": "reachable",
        "tcp:3306@aws_rds_cluster.aurora_cluster": "reachable",
    }
    assert sorted((f.rule_id, f.resource) for f in analysis.findings if f.rule_id in ("VR308", "VR304")) == [
        ("VR308", fn)
    ]


def test_module_environment_gets_module_prefixed_addresses(corpus: Path) -> None:
    analysis = _analyse("naserraoofi-terraform-lambda-vpc/environments/dev")
    (fn,) = analysis.network.of(m.Function)
    assert fn.id == "module.lambda_function.aws_lambda_function.my_lambda"
    assert fn.subnets == ["module.vpc.aws_subnet.private_1", "module.vpc.aws_subnet.private_2"]
    assert fn.security_groups == ["module.security_group.aws_security_group.lambda_sg"]


def test_registry_module_example_is_unknown_not_blocked(corpus: Path) -> None:
    analysis = _analyse("terraform-aws-lambda/examples/with-vpc")
    rules = {f.rule_id for f in analysis.findings}
    assert "VR001" in rules
    assert not rules & {"VR101", "VR102", "VR104", "VR304"}


def test_managed_instances_example_takes_its_capacity_providers_placement(corpus: Path) -> None:
    # DESIGN decision 11: the provider's three private subnets route to a NAT gateway per zone: its instances reach
    # Lambda and CloudWatch Logs (no VR113), three zones (no VR302), and the function has no known need.
    analysis = _analyse("sp-lambda-managed-instances-tf")
    provider = "aws_lambda_capacity_provider.lambda_capacity_provider"
    assert [(f.rule_id, f.resource) for f in analysis.findings] == []
    placed = analysis.compute[provider]
    assert placed.functions == ["aws_lambda_function.hello_world_function"]
    assert placed.internet is not None and placed.internet.status == "reachable"
    assert len(placed.groups) == 3
