"""Route targets and implicit defaults: NAT instances, opaque gateways, targets held by the "wrong" property,
the VPC's main route table and a custom network ACL without entries (SEMANTICS.md §2, §3, §5; traps 13, 14)."""

from __future__ import annotations

from conftest import FIXTURES, findings_of, scan_json

CFN = FIXTURES / "cfn"


def need(report: dict, function: str, target: str) -> dict:
    fn = next(f for f in report["functions"] if f["resource"] == function)
    return next(n for n in fn["needs"] if n["target"] == target)


def test_nat_instance_security_group_must_admit_the_function():
    report = scan_json(CFN / "vr103_nat_instance_sg.yaml")
    assert findings_of(report, "VR103") == [("VR103", "ApiFunction", 100)]
    internet = need(report, "ApiFunction", "internet")
    assert internet["verdict"] == "blocked"
    assert internet["reason"] == (
        "NAT instance NatInstance: NatInstanceSecurityGroup admits tcp/443 only from 10.99.0.0/16; the function's "
        "subnet PrivateSubnetA is 10.0.1.0/24, and the function uses security group FunctionSecurityGroup"
    )


def test_nat_instance_admitting_the_function_group_carries_internet_traffic():
    report = scan_json(CFN / "vr103_near_miss_nat_instance.yaml")
    assert findings_of(report, "VR103") == []
    internet = need(report, "ApiFunction", "internet")
    assert (internet["verdict"], internet["nat"]) == ("reachable", "NatInstance")
    assert internet["via"] == [
        "ApiFunction",
        "eni:PrivateSubnetA|FunctionSecurityGroup",
        "PrivateSubnetA",
        "PrivateRouteTable",
        "NatInstance",
        "PublicSubnetA",
        "PublicRouteTable",
        "Igw",
    ]
    assert findings_of(report, "VR204") == [("VR204", "NatInstance", 48)]


def test_default_route_to_transit_gateway_is_unknown_not_blocked():
    report = scan_json(CFN / "vr001_transit_gateway_default_route.yaml")
    assert findings_of(report, "VR001") == [("VR001", "ApiFunction", 68)]
    assert findings_of(report, "VR101") == []
    internet = need(report, "ApiFunction", "internet")
    assert (internet["verdict"], internet["reason"]) == (
        "unknown",
        "0.0.0.0/0 leaves through transit_gateway TransitGateway; the far side is not in the source",
    )


def test_nat_gateway_under_gateway_id_is_still_a_nat_gateway():
    report = scan_json(CFN / "route_target_by_resource_type.yaml")
    internet = need(report, "ApiFunction", "internet")
    assert (internet["verdict"], internet["nat"]) == ("reachable", "NatA")
    assert findings_of(report, "VR101") == findings_of(report, "VR102") == []


def test_subnet_without_association_uses_main_route_table_with_only_local_route():
    report = scan_json(CFN / "main_route_table_and_empty_nacl.yaml")
    assert findings_of(report, "VR101") == [("VR101", "MainTableFunction", 101)]
    assert (
        need(report, "MainTableFunction", "internet")["reason"] == "route table Vpc#main-rt has no route for 0.0.0.0/0"
    )


def test_custom_network_acl_without_entries_denies_everything():
    report = scan_json(CFN / "main_route_table_and_empty_nacl.yaml")
    assert findings_of(report, "VR105") == [("VR105", "EmptyNaclFunction", 116)]
    assert need(report, "EmptyNaclFunction", "internet")["reason"] == (
        "no outbound entry of EmptyNacl allows tcp/443 (to 0.0.0.0/0); the final * rule denies it"
    )


def test_aurora_proxy_and_redis_targets_from_environment_with_sg_reference_egress():
    report = scan_json(CFN / "vr111_private_targets.yaml")
    fn = report["functions"][0]
    assert {n["target"]: (n["origin"], n["verdict"]) for n in fn["needs"]} == {
        "tcp:5432@Aurora": ("env", "reachable"),
        "tcp:3306@Proxy": ("env", "reachable"),
        "tcp:6379@Cache": ("env", "blocked"),
    }
    # The Redis group admits only PrivateSubnetA's CIDR: the ENI in PrivateSubnetB is refused.
    assert findings_of(report, "VR111") == [("VR111", "DataFunction", 115)]
    redis = next(n for n in fn["needs"] if n["target"] == "tcp:6379@Cache")
    assert redis["via"][:3] == ["DataFunction", "eni:PrivateSubnetB|FunctionSecurityGroup", "PrivateSubnetB"]


def test_two_halves_of_the_address_space_to_one_nat_cover_the_internet():
    report = scan_json(CFN / "vr101_near_miss_split_default_route.yaml")
    assert findings_of(report, "VR101") == []
    assert need(report, "ApiFunction", "internet")["verdict"] == "reachable"
