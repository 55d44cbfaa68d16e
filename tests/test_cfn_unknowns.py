"""Values a template cannot tell: Unknown is a verdict, never a silent allowed or blocked (DESIGN: Parsers, Principles)."""

from __future__ import annotations

from conftest import FIXTURES, findings_of, scan_json

CFN = FIXTURES / "cfn"
PATH_RULES = ("VR101", "VR102", "VR103", "VR104", "VR105", "VR106", "VR107", "VR108", "VR110", "VR111")


def messages(report: dict, rule_id: str, resource: str) -> list[str]:
    return sorted(f["message"] for f in report["findings"] if f["rule_id"] == rule_id and f["resource"] == resource)


def no_path_findings(report: dict) -> bool:
    return all(findings_of(report, rule) == [] for rule in PATH_RULES)


def test_import_value_subnets_are_unresolved_not_blocked():
    report = scan_json(CFN / "vr001_import_value_subnets.yaml")
    assert no_path_findings(report)
    assert messages(report, "VR001", "SplitFunction") == [
        "SplitFunction: security groups: Fn::ImportValue network-LambdaSecurityGroupId comes from another stack",
        "SplitFunction: subnets: Fn::ImportValue network-PrivateSubnetIds comes from another stack",
        "whether SplitFunction reaches internet is unknown: subnet unknown: Fn::ImportValue network-PrivateSubnetIds "
        "comes from another stack",
    ]
    assert {"resource": "SplitFunction", "reason": messages(report, "VR001", "SplitFunction")[1]} in report["unknowns"]


def test_two_imported_subnets_do_not_list_the_function_twice():
    report = scan_json(CFN / "vr001_import_value_subnets.yaml")
    for group in report["eni_groups"]:
        assert len(group["functions"]) == len(set(group["functions"])), group
    assert not any("ListFunction, ListFunction" in m for m in messages(report, "VR301", "ListFunction"))


def test_parameters_without_default_are_unresolved():
    report = scan_json(CFN / "vr001_parameter_without_default.yaml")
    assert no_path_findings(report)
    assert messages(report, "VR001", "ApiFunction") == [
        "ApiFunction: security groups: parameter SecurityGroupId has no default (pass --param SecurityGroupId=VALUE)",
        "ApiFunction: subnets: parameter SubnetIds has no default (pass --param SubnetIds=VALUE)",
        "whether ApiFunction reaches internet is unknown: subnet unknown: parameter SubnetIds has no default "
        "(pass --param SubnetIds=VALUE)",
    ]
    assert report["eni_groups"] == []


def test_param_values_for_list_parameters_key_the_eni_groups():
    report = scan_json(
        CFN / "vr001_parameter_without_default.yaml",
        extra=("--param", "SubnetIds=subnet-0aaa,subnet-0bbb", "--param", "SecurityGroupId=sg-0ccc"),
    )
    assert [(g["subnet"], g["security_groups"]) for g in report["eni_groups"]] == [
        ("subnet-0aaa", ["sg-0ccc"]),
        ("subnet-0bbb", ["sg-0ccc"]),
    ]
    # The ids now resolve, but they name a network outside the template: still unknown, still no path finding.
    assert no_path_findings(report)
    # One finding for both subnets defined elsewhere (they differ only by the subnet), one for the group.
    assert findings_of(report, "VR001") == [("VR001", "ApiFunction", 11)] * 3


def test_ssm_dynamic_references_and_ssm_parameter_types_are_unresolved():
    report = scan_json(CFN / "vr001_ssm_dynamic_reference.yaml")
    assert no_path_findings(report)
    assert messages(report, "VR001", "SsmParameterFunction")[0] == (
        "SsmParameterFunction: subnets: dynamic reference {{resolve:ssm:/network/private-subnet-a}} is read at deploy time"
    )
    assert (
        "SsmTypedFunction: security groups: parameter LambdaSecurityGroupId is read from SSM parameter "
        "/network/lambda-security-group-id at deploy time"
    ) in messages(report, "VR001", "SsmTypedFunction")


def test_two_different_ssm_subnets_are_not_one_subnet():
    report = scan_json(CFN / "vr001_ssm_dynamic_reference.yaml")
    assert findings_of(report, "VR302") == []


def test_literal_subnet_ids_outside_the_template_are_unresolved():
    report = scan_json(CFN / "vr001_external_subnet_ids.yaml")
    assert no_path_findings(report)
    assert messages(report, "VR001", "LegacyFunction") == [
        "LegacyFunction: security group sg-0a1b2c3d4e5f60001 is not defined in the source, so its rules are unknown",
        # Two subnets that differ only by their id are one finding naming both (issue 19).
        "LegacyFunction: subnets subnet-0a1b2c3d4e5f60001 and subnet-0a1b2c3d4e5f60002 are not defined in the "
        "source, so their route tables and network ACLs are unknown",
        "whether LegacyFunction reaches internet is unknown: subnet-0a1b2c3d4e5f60001 is defined outside the "
        "analysed source",
    ]
    # Literal ids keep their identity for ENI grouping; two subnets of unknown zone are not "single AZ".
    assert [g["id"] for g in report["eni_groups"]] == [
        "eni:subnet-0a1b2c3d4e5f60001|sg-0a1b2c3d4e5f60001",
        "eni:subnet-0a1b2c3d4e5f60002|sg-0a1b2c3d4e5f60001",
    ]
    assert findings_of(report, "VR302") == []
    assert report["functions"][0]["needs"][0]["verdict"] == "unknown"
