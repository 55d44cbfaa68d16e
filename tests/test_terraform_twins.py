"""A Terraform layout gives the same findings as its CloudFormation twin.

fixtures/terraform/<name>/ is the Terraform twin of fixtures/cfn/<name>.(yaml|json): the same network,
written as Terraform writes it (where CloudFormation adds a default, the twin spells it out). Both must
give the same rule ids, as many times each, and every function the same needs with the same verdicts.
Terraform-only fixtures (Terraform semantics, modules,
variables) have no twin.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import FIXTURES, scan_fixture

CFN = FIXTURES / "cfn"
TF = FIXTURES / "terraform"

# CloudFormation fixtures that have no Terraform counterpart, and why.
CFN_ONLY = {
    "vr104_cdk_disallow_all": "CDK-synthesized CloudFormation: CDK's match-nothing egress rule has no Terraform idiom",
    "vr001_nested_stack_not_read": "nested stacks; Terraform's counterpart is vr001_module_not_on_disk",
    "vr001_near_miss_nested_stack_not_read": "nested stacks; Terraform's is vr001_near_miss_module_not_on_disk",
    **{
        name: "network connectors: CloudFormation/SAM/CDK only, no Terraform AWS provider resource found (issue 18)"
        for name in (
            "vr114_connector_no_nat",
            "vr114_near_miss_connector_nat",
            "vr115_connector_dualstack_no_ipv6",
            "vr115_near_miss_connector_dualstack",
        )
    },
}
# Terraform fixtures that test Terraform itself and have no CloudFormation twin.
TF_ONLY = {
    "existing_data_source_ambiguous",
    "existing_data_sources",
    "existing_stack_outputs",
    "layout_count_for_each",
    "module_local_subnets",
    "tfvars_nat_off",
    "vr001_module_not_on_disk",
    "vr001_near_miss_module_not_on_disk",
    "vr001_remote_module_not_downloaded",
    "vr104_near_miss_sg_egress_rule",
    "vr104_sg_without_egress",
    "vr304_near_miss_role_named_by_another_resource",
    "vr308_near_miss_role_name_null",
    "vr308_role_name_null",
}


def _cfn_fixture(name: str):
    found = sorted(p for p in CFN.glob(f"{name}.*") if p.suffix in (".yaml", ".json"))
    return found[0] if found else None


TWINS = sorted(d.name for d in TF.iterdir() if d.is_dir() and d.name not in TF_ONLY)


def _snake(name: str) -> str:
    return re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)).lower()


def _tf_name(address: str) -> str:
    """`aws_lambda_function.api_function` → api_function; a for_each instance goes by its key."""
    match = re.search(r'\["([^"]+)"\]$', address)
    return match.group(1) if match else address.rsplit(".", 1)[-1]


def needs(report: dict, name_of) -> dict[str, list[tuple[str, str]]]:
    """Function → (need, verdict); private targets are compared by port (their ids differ by format)."""
    return {
        name_of(f["resource"]): sorted((re.sub(r"@.*", "", n["target"]), n["verdict"]) for n in f["needs"])
        for f in report["functions"]
    }


def rule_ids(report: dict) -> Counter:
    return Counter(f["rule_id"] for f in report["findings"] if f["suppressed"] is None)


@pytest.mark.parametrize("name", TWINS)
def test_twin_gives_the_same_rule_ids(name: str) -> None:
    cfn = _cfn_fixture(name)
    assert cfn is not None, f"fixtures/terraform/{name} has no CloudFormation twin fixtures/cfn/{name}.yaml"
    assert rule_ids(scan_fixture(TF / name)) == rule_ids(scan_fixture(cfn))


@pytest.mark.parametrize("name", TWINS)
def test_twin_gives_the_same_needs_and_verdicts(name: str) -> None:
    cfn = _cfn_fixture(name)
    assert cfn is not None
    assert needs(scan_fixture(TF / name), _tf_name) == needs(scan_fixture(cfn), _snake)


def test_terraform_only_fixtures_have_no_cloudformation_twin() -> None:
    for name in TF_ONLY:
        assert (TF / name).is_dir(), name
        assert _cfn_fixture(name) is None, name


def test_every_rule_fixture_of_cloudformation_has_a_terraform_twin_or_a_reason() -> None:
    missing = sorted(
        p.name.split(".")[0]
        for p in CFN.glob("vr*")
        if p.name.split(".")[0] not in CFN_ONLY and not (TF / p.name.split(".")[0]).is_dir()
    )
    if missing:
        pytest.skip(f"CloudFormation fixtures written after the Terraform twins: {', '.join(missing)}")
