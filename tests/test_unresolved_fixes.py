"""VR001's fix follows what is unknown (issue 14 item 8): pass --param/--var only when a parameter or variable
has no value; never for a value that depends on none."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, scan_fixture
from vpcreach.analyzer.rules.unresolved import fix_for

PASS = "Pass the value (--param / --var / a tfvars file)"


@pytest.mark.parametrize(
    ("fixture", "start"),
    [
        ("cfn/vr001_parameter_without_default.yaml", PASS),
        ("terraform/vr001_deny_with_unresolved_action", "Resolve the Deny statement's actions"),
        ("cfn/vr001_import_value_subnets.yaml", "Scan the stack that exports the value"),
        ("cfn/vr001_external_subnet_ids.yaml", "Scan the template or module that defines it"),
        ("cfn/vr001_nested_stack_not_read.yaml", "Scan the nested stack's template too"),
        ("terraform/vr001_module_not_on_disk", "Run `terraform init`"),
        ("cfn/vr001_transit_gateway_default_route.yaml", "Nothing to pass"),
    ],
)
def test_each_unknown_gets_the_fix_that_applies_to_it(fixture, start):
    fixes = {f["fix"] for f in scan_fixture(FIXTURES / fixture)["findings"] if f["rule_id"] == "VR001"}
    assert fixes and all(fix.startswith(start) for fix in fixes), fixes


def test_ssm_references_suggest_no_parameter():
    fixes = [f["fix"] for f in scan_fixture(FIXTURES / "cfn" / "vr001_ssm_dynamic_reference.yaml")["findings"]]
    assert any(fix.startswith("Nothing to pass") for fix in fixes)
    assert not any("--param" in fix for fix in fixes), fixes


def test_values_that_depend_on_no_parameter_never_suggest_one():
    for reason in (
        "Fn::ImportValue network-PrivateSubnetIds comes from another stack",
        "the dynamic reference {{resolve:ssm:/network/a}} is read at deploy time",
        "aws_subnet.a.id is known only after apply",
        "PrivateSubnetA.Arn is known only after deploy",
    ):
        assert "--param" not in fix_for(reason) and "--var" not in fix_for(reason), reason
    assert fix_for("parameter SubnetIds has no default (pass --param SubnetIds=VALUE)").startswith(PASS)
