"""Every rule that can fire in scan mode, proved on CloudFormation/SAM fixtures: one trigger, one near-miss.

Each fixture names the rule and the case (STYLE.md) and says at its top which SEMANTICS.md fact it rests
on. Each test asserts the exact (rule_id, resource, line) list of that rule, or that the rule is absent.
"""

from __future__ import annotations

import functools

import pytest
from conftest import FIXTURES, findings_of, scan_fixture, scan_json

CFN = FIXTURES / "cfn"


@functools.cache
def _scan(name: str, extra: tuple[str, ...] = ()) -> dict:
    return scan_json(CFN / name, extra=extra) if extra else scan_fixture(CFN / name)


def scan(name: str, *extra: str) -> dict:
    return _scan(name, tuple(extra))


def severities(report: dict, rule_id: str) -> list[tuple[str, int, str]]:
    return sorted((f["resource"], f["line"], f["severity"]) for f in report["findings"] if f["rule_id"] == rule_id)


def verdicts(report: dict, function: str) -> dict[str, str]:
    fn = next(f for f in report["functions"] if f["resource"] == function)
    return {n["target"]: n["verdict"] for n in fn["needs"]}


def need(report: dict, function: str, target: str) -> dict:
    fn = next(f for f in report["functions"] if f["resource"] == function)
    return next(n for n in fn["needs"] if n["target"] == target)


def messages(report: dict, rule_id: str) -> list[str]:
    return [f["message"] for f in report["findings"] if f["rule_id"] == rule_id]


# --- VR001 unresolved ---------------------------------------------------------------------------------
def test_imported_subnets_give_unresolved_and_no_route_verdict():
    report = scan("vr001_import_value_subnets.yaml")
    assert findings_of(report, "VR001") == [
        ("VR001", "ListFunction", 21),
        ("VR001", "ListFunction", 21),
        ("VR001", "ListFunction", 21),
        ("VR001", "ListFunction", 21),
        ("VR001", "SplitFunction", 8),
        ("VR001", "SplitFunction", 8),
        ("VR001", "SplitFunction", 8),
    ]
    for rule in ("VR101", "VR102", "VR104", "VR105", "VR302"):
        assert findings_of(report, rule) == [], rule
    assert verdicts(report, "SplitFunction") == {"internet": "unknown"}
    assert verdicts(report, "ListFunction") == {"internet": "unknown"}


def test_fully_resolved_template_has_no_unresolved_finding():
    report = scan("vr001_near_miss_parameter_defaults.yaml")
    assert findings_of(report, "VR001") == []
    assert report["unknowns"] == []
    assert sorted(g["subnet"] for g in report["eni_groups"]) == ["PrivateSubnetA", "PrivateSubnetB"]


def test_unresolved_dual_stack_without_an_ipv6_path_is_unknown_not_vr110():
    report = scan("vr001_dual_stack_unresolved.yaml")
    assert findings_of(report, "VR001") == [("VR001", "DualStackFunction", 117)]
    assert findings_of(report, "VR110") == []
    assert verdicts(report, "DualStackFunction") == {"internet": "reachable", "internet6": "unknown"}
    assert need(report, "DualStackFunction", "internet6")["origin"] == "dual-stack"
    assert messages(report, "VR001") == [
        "whether DualStackFunction reaches internet6 is unknown: Ipv6AllowedForDualStack: parameter DualStack has "
        "no default (pass --param DualStack=VALUE)"
    ]
    # Given the value, the verdict is decided: true → no IPv6 path (VR110), false → no internet6 need.
    report = scan("vr001_dual_stack_unresolved.yaml", "--param", "DualStack=true")
    assert findings_of(report, "VR110") == [("VR110", "DualStackFunction", 117)]
    assert findings_of(report, "VR001") == []
    report = scan("vr001_dual_stack_unresolved.yaml", "--param", "DualStack=false")
    assert verdicts(report, "DualStackFunction") == {"internet": "reachable"}
    assert findings_of(report, "VR001") == findings_of(report, "VR110") == []


def test_unresolved_dual_stack_with_an_ipv6_path_is_reachable():
    report = scan("vr001_near_miss_dual_stack_unresolved.yaml")
    assert findings_of(report, "VR001") == []
    assert findings_of(report, "VR110") == []
    assert verdicts(report, "DualStackFunction") == {"internet": "reachable", "internet6": "reachable"}
    assert need(report, "DualStackFunction", "internet6")["via"][-1] == "EgressOnlyIgw"


# --- VR101 no-egress-route ----------------------------------------------------------------------------
def test_internet_need_without_default_route_is_no_egress_route():
    report = scan("vr101_no_default_route.yaml")
    assert findings_of(report, "VR101") == [("VR101", "NeedsInternetFunction", 53)]
    assert verdicts(report, "NeedsInternetFunction") == {"internet": "blocked"}
    # DESIGN decision 1: the function in the same subnets with no known need gets nothing.
    assert verdicts(report, "QuietFunction") == {}
    assert [f for f in report["findings"] if f["resource"] == "QuietFunction" and f["rule_id"] != "VR301"] == []


def test_route_table_associated_with_external_subnets_decides_the_path():
    """Subnets given as parameters, associated with the template's own route table: its routes are theirs, so
    the need is blocked (VR101); their network ACL and zone stay unknown, and VR001 says so."""
    report = scan("vr101_external_subnet_route_table.yaml")
    assert findings_of(report, "VR101") == [("VR101", "WebhookFunction", 49)]
    assert verdicts(report, "WebhookFunction") == {"internet": "blocked"}
    assert need(report, "WebhookFunction", "internet")["via"][-2:] == ["subnet-0a1b2c3d4e5f60718", "PrivateRouteTable"]
    assert messages(report, "VR001") == [
        f"WebhookFunction: subnet {s} is not defined in the source; its routes are those of route table "
        f"PrivateRouteTable (associated by {a}), but its network ACL, Availability Zone and CIDR block are unknown"
        for s, a in (
            ("subnet-0a1b2c3d4e5f60718", "PrivateSubnetAAssociation"),
            ("subnet-0f1e2d3c4b5a69788", "PrivateSubnetBAssociation"),
        )
    ]
    assert findings_of(report, "VR302") == []  # two subnets of unknown zones


def test_external_subnets_without_association_stay_unknown():
    report = scan("vr101_near_miss_external_subnet_unassociated.yaml")
    assert findings_of(report, "VR101") == []
    assert verdicts(report, "WebhookFunction") == {"internet": "unknown"}
    assert sorted(messages(report, "VR001")) == [
        "WebhookFunction: subnets subnet-0a1b2c3d4e5f60718 and subnet-0f1e2d3c4b5a69788 are not defined in the "
        "source, so their route tables and network ACLs are unknown",
        "whether WebhookFunction reaches internet is unknown: subnet-0a1b2c3d4e5f60718 is defined outside the "
        "analysed source",
    ]


def test_internet_need_behind_nat_has_no_egress_finding():
    report = scan("vr101_near_miss_nat.yaml")
    assert findings_of(report, "VR101") == []
    assert verdicts(report, "NeedsInternetFunction") == {"internet": "reachable"}
    assert need(report, "NeedsInternetFunction", "internet")["via"] == [
        "NeedsInternetFunction",
        "eni:PrivateSubnetA|FunctionSecurityGroup",
        "PrivateSubnetA",
        "PrivateRouteTable",
        "NatA",
        "PublicSubnetA",
        "PublicRouteTable",
        "Igw",
    ]


# --- VR102 public-subnet-function ---------------------------------------------------------------------
def test_function_in_public_subnet_gets_no_internet():
    report = scan("vr102_public_subnet.json")
    assert findings_of(report, "VR102") == [
        ("VR102", "ApiFunction", 131),
        ("VR102", "ApiFunction", 131),
        ("VR102", "IdleFunction", 169),
        ("VR102", "IdleFunction", 169),
    ]
    # Error with an internet need, warning without (DESIGN decision 1).
    assert severities(report, "VR102") == [
        ("ApiFunction", 131, "error"),
        ("ApiFunction", 131, "error"),
        ("IdleFunction", 169, "warning"),
        ("IdleFunction", 169, "warning"),
    ]
    assert verdicts(report, "ApiFunction") == {"internet": "blocked"}
    # The internet-gateway case is VR102's, not VR101's.
    assert findings_of(report, "VR101") == []


def test_same_functions_behind_nat_are_not_public_subnet_functions():
    report = scan("vr102_near_miss_nat.yaml")
    assert findings_of(report, "VR102") == []
    assert verdicts(report, "ApiFunction") == {"internet": "reachable"}


# --- VR103 broken-nat ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        (
            "vr103_nat_without_igw_route.yaml",
            "NatA sits in NatSubnet, whose route table NatRouteTable has no 0.0.0.0/0",
        ),
        ("vr103_private_nat.yaml", "PrivateNat is a private NAT gateway"),
        ("vr103_igw_not_attached.yaml", "internet gateway Igw, which is not attached to the VPC"),
        ("vr103_nat_without_eip.yaml", "public NAT gateway NatA has no Elastic IP allocation"),
    ],
)
def test_broken_nat_gateway_is_reported_on_the_function(fixture, reason):
    report = scan(fixture)
    line = {
        "vr103_nat_without_igw_route.yaml": 78,
        "vr103_private_nat.yaml": 82,
        "vr103_igw_not_attached.yaml": 79,
        "vr103_nat_without_eip.yaml": 79,
    }[fixture]
    assert findings_of(report, "VR103") == [("VR103", "ApiFunction", line)]
    assert reason in messages(report, "VR103")[0]
    assert verdicts(report, "ApiFunction") == {"internet": "blocked"}
    assert findings_of(report, "VR101") == []


def test_public_nat_with_eip_and_igw_route_is_not_broken():
    report = scan("vr103_near_miss_public_nat.yaml")
    assert findings_of(report, "VR103") == []
    assert verdicts(report, "ApiFunction") == {"internet": "reachable"}


# --- VR104 sg-egress-blocked --------------------------------------------------------------------------
def test_inline_egress_without_https_blocks_internet():
    report = scan("vr104_restricted_egress.yaml")
    assert findings_of(report, "VR104") == [("VR104", "ApiFunction", 91)]
    assert "no egress rule of FunctionSecurityGroup allows tcp/443" in messages(report, "VR104")[0]


def test_cdk_disallow_all_rule_matches_nothing():
    report = scan("vr104_cdk_disallow_all.template.json")
    assert findings_of(report, "VR104") == [("VR104", "Handler886CB40B", 258)]
    assert verdicts(report, "Handler886CB40B") == {"internet": "blocked"}


def test_standalone_egress_rule_keeps_cloudformation_default_allow_all():
    report = scan("vr104_near_miss_standalone_egress.yaml")
    assert findings_of(report, "VR104") == []
    assert verdicts(report, "ApiFunction") == {"internet": "reachable"}


# --- VR105 nacl-blocked -------------------------------------------------------------------------------
def test_nacl_return_range_32768_drops_lambda_ephemeral_ports():
    report = scan("vr105_nacl_narrow_return.yaml")
    assert findings_of(report, "VR105") == [("VR105", "ApiFunction", 114)]
    assert "no inbound entry of PrivateNacl allows tcp/1024-32767" in messages(report, "VR105")[0]


def test_nacl_on_nat_subnet_is_on_the_path():
    report = scan("vr105_nat_subnet_nacl.yaml")
    assert findings_of(report, "VR105") == [("VR105", "ApiFunction", 115)]
    assert "no inbound entry of PublicNacl allows tcp/443 (from 10.0.1.0/24)" in messages(report, "VR105")[0]


def test_nacl_return_range_1024_admits_replies():
    report = scan("vr105_near_miss_nacl_full_return.yaml")
    assert findings_of(report, "VR105") == []
    assert verdicts(report, "ApiFunction") == {"internet": "reachable"}


# --- VR106 service-unreachable ------------------------------------------------------------------------
def test_service_without_endpoint_or_nat_is_unreachable():
    report = scan("vr106_isolated_sqs.yaml")
    assert findings_of(report, "VR106") == [("VR106", "PublicFunction", 88), ("VR106", "QueueFunction", 75)]
    assert verdicts(report, "QueueFunction") == {"sqs": "blocked"}
    # A service need is not an internet need: the public-subnet function gets VR102 as a warning.
    assert severities(report, "VR102") == [("PublicFunction", 88, "warning")]


def test_service_through_nat_is_reachable():
    report = scan("vr106_near_miss_nat.yaml")
    assert findings_of(report, "VR106") == []
    assert verdicts(report, "QueueFunction") == {"sqs": "reachable"}


def test_ecr_api_call_from_code_is_a_need():
    report = scan("vr106_ecr_api_from_code.yaml")
    assert findings_of(report, "VR106") == [("VR106", "IsolatedFunction", 137)]
    assert findings_of(report, "VR202") == [("VR202", "NatFunction", 149)]
    assert need(report, "IsolatedFunction", "ecr.api")["origin"] == "iam"


def test_image_pull_actions_are_not_needs():
    # Lambda pulls the container image with them, not the code through the VPC (DESIGN decision 3).
    report = scan("vr106_near_miss_image_pull_actions.yaml")
    assert findings_of(report, "VR106") == []
    assert findings_of(report, "VR202") == []
    assert verdicts(report, "IsolatedFunction") == {}
    assert verdicts(report, "NatFunction") == {}


def test_dynamodb_streams_actions_need_the_streams_api_not_the_gateway_endpoint():
    report = scan("vr106_dynamodb_streams_gateway_endpoint.yaml")
    assert findings_of(report, "VR106") == [("VR106", "StreamReaderFunction", 171)]
    assert verdicts(report, "StreamReaderFunction") == {"dynamodb-streams": "blocked"}
    assert verdicts(report, "TableFunction") == {"dynamodb": "reachable"}
    fix = next(f["fix"] for f in report["findings"] if f["rule_id"] == "VR106")
    assert fix == (
        "Add an interface endpoint for dynamodb-streams (com.amazonaws.<region>.dynamodb-streams) and point the "
        "client's endpoint URL at its DNS name (dynamodb-streams has no gateway endpoint and no private DNS), "
        "or a NAT route."
    )


def test_dynamodb_streams_poller_actions_are_dropped_for_every_function_of_the_role():
    report = scan("vr106_near_miss_dynamodb_streams_mapping.yaml")
    assert findings_of(report, "VR106") == []
    assert verdicts(report, "StreamConsumerFunction") == {}
    assert verdicts(report, "StreamSiblingFunction") == {}


# --- VR107 endpoint-dns -------------------------------------------------------------------------------
def test_interface_endpoint_with_private_dns_omitted_is_not_used():
    report = scan("vr107_private_dns_omitted.yaml")
    assert findings_of(report, "VR107") == [("VR107", "QueueFunction", 64)]
    assert "(private DNS is off on the endpoint); the traffic goes nowhere" in messages(report, "VR107")[0]
    assert findings_of(report, "VR106") == [("VR106", "QueueFunction", 64)]


def test_interface_endpoint_needs_vpc_dns_hostnames():
    report = scan("vr107_dns_hostnames_off.yaml")
    assert findings_of(report, "VR107") == [("VR107", "QueueFunction", 62)]
    assert "VPC Vpc has DNS hostnames turned off" in messages(report, "VR107")[0]


def test_vpc_without_dns_support_breaks_internet_need():
    report = scan("vr107_vpc_dns_support_off.yaml")
    assert findings_of(report, "VR107") == [("VR107", "ApiFunction", 85)]
    assert verdicts(report, "ApiFunction") == {"internet": "blocked"}


def test_interface_endpoint_with_private_dns_and_dns_hostnames_is_used():
    report = scan("vr107_near_miss_private_dns.yaml")
    assert findings_of(report, "VR107") == []
    assert findings_of(report, "VR106") == []
    assert need(report, "QueueFunction", "sqs")["endpoint"] == "SqsEndpoint"
    assert need(report, "QueueFunction", "sqs")["verdict"] == "reachable"


def test_dynamodb_streams_endpoint_is_used_only_if_the_code_names_it():
    # No private DNS for DynamoDB Streams: whether the code sets the endpoint URL is unknown (VR001), not blocked.
    report = scan("vr107_dynamodb_streams_endpoint_url.yaml")
    assert findings_of(report, "VR107") == [("VR107", "StreamReaderFunction", 95)]
    assert findings_of(report, "VR001") == [("VR001", "StreamReaderFunction", 95)]
    assert findings_of(report, "VR106") == []
    assert verdicts(report, "StreamReaderFunction") == {"dynamodb-streams": "unknown"}
    assert need(report, "StreamReaderFunction", "dynamodb-streams")["endpoint"] == "StreamsEndpoint"
    vr107 = next(f for f in report["findings"] if f["rule_id"] == "VR107")
    assert vr107["message"] == (
        "StreamReaderFunction calls dynamodb-streams, and interface endpoint StreamsEndpoint serves it, but the "
        "default dynamodb-streams hostname does not resolve to the endpoint (private DNS is off on the endpoint); "
        "the traffic goes nowhere unless the client's endpoint URL names the endpoint"
    )
    assert vr107["fix"] == (
        "Set the dynamodb-streams client's endpoint URL to StreamsEndpoint's DNS name (dynamodb-streams endpoints "
        "have no private DNS)."
    )
    vr001 = next(f for f in report["findings"] if f["rule_id"] == "VR001")
    assert vr001["message"] == (
        "whether StreamReaderFunction reaches dynamodb-streams is unknown: the default dynamodb-streams hostname "
        "resolves to its public endpoint, which is not reachable (route table PrivateRouteTable has no route for "
        "0.0.0.0/0); the path goes through interface endpoint StreamsEndpoint only if the code sets the "
        "dynamodb-streams client's endpoint URL to StreamsEndpoint's DNS name (dynamodb-streams endpoints have no "
        "private DNS), which the source does not show"
    )
    assert vr001["fix"] == (
        "Set the dynamodb-streams client's endpoint URL to StreamsEndpoint's DNS name in the code, or add a NAT "
        "route; if the code already sets it, suppress this VR001 on the function with that reason."
    )


def test_dynamodb_streams_endpoint_without_a_streams_caller():
    report = scan("vr107_near_miss_dynamodb_streams_endpoint_url.yaml")
    assert [f for f in report["findings"] if f["rule_id"] != "VR301"] == []
    assert verdicts(report, "StreamConsumerFunction") == {}
    assert verdicts(report, "TableFunction") == {"dynamodb": "reachable"}
    assert need(report, "TableFunction", "dynamodb")["endpoint"] == "DynamoDbEndpoint"


# --- VR108 endpoint-sg-blocked ------------------------------------------------------------------------
def test_endpoint_without_security_groups_uses_vpc_default_group():
    report = scan("vr108_endpoint_default_sg.yaml")
    assert findings_of(report, "VR108") == [("VR108", "SecretFunction", 62)]
    # The default group admits only its own members; the function carries another group.
    assert (
        "endpoint SecretsEndpoint's security group Vpc#default-sg admits tcp/443 only from security group "
        "Vpc#default-sg; the function's subnet PrivateSubnetA is 10.0.1.0/24, and the function uses security group "
        "FunctionSecurityGroup"
    ) in messages(report, "VR108")[0]


def test_endpoint_security_group_admitting_function_group():
    report = scan("vr108_near_miss_endpoint_sg.yaml")
    assert findings_of(report, "VR108") == []
    assert need(report, "SecretFunction", "secretsmanager")["endpoint"] == "SecretsEndpoint"
    assert verdicts(report, "SecretFunction") == {"secretsmanager": "reachable"}


# --- VR109 gateway-endpoint-not-routed ----------------------------------------------------------------
def test_gateway_endpoint_not_on_function_route_table():
    report = scan("vr109_gateway_endpoint_unrouted.yaml")
    assert findings_of(report, "VR109") == [("VR109", "ReportFunction", 93)]
    assert findings_of(report, "VR201") == [("VR201", "ReportFunction", 93)]


def test_gateway_endpoint_on_function_route_table_serves_isolated_subnets():
    report = scan("vr109_near_miss_routed.yaml")
    assert findings_of(report, "VR109") == []
    assert need(report, "ReportFunction", "s3")["endpoint"] == "S3Endpoint"
    assert verdicts(report, "ReportFunction") == {"s3": "reachable"}


# --- VR110 ipv6-egress --------------------------------------------------------------------------------
def test_dual_stack_without_ipv6_default_route():
    report = scan("vr110_no_ipv6_route_byoip.yaml")
    assert findings_of(report, "VR110") == [("VR110", "DualStackFunction", 111)]
    assert "route table PrivateRouteTable has no route for ::/0" in messages(report, "VR110")[0]


def test_ipv6_need_without_ipv6_allowed_for_dual_stack():
    report = scan("vr110_no_ipv6_route.yaml")
    assert ("VR110", "V4OnlyFunction", 127) in findings_of(report, "VR110")
    assert verdicts(report, "V4OnlyFunction") == {"internet6": "blocked"}


def test_dual_stack_with_amazon_provided_ipv6_and_no_ipv6_route():
    report = scan("vr110_no_ipv6_route.yaml")
    assert findings_of(report, "VR110") == [("VR110", "DualStackFunction", 111), ("VR110", "V4OnlyFunction", 127)]
    assert verdicts(report, "DualStackFunction") == {"internet": "reachable", "internet6": "blocked"}


def test_ipv6_default_route_to_egress_only_gateway():
    report = scan("vr110_near_miss_egress_only_igw.yaml")
    assert findings_of(report, "VR110") == []
    assert verdicts(report, "DualStackFunction") == {"internet": "reachable", "internet6": "reachable"}
    assert need(report, "DualStackFunction", "internet6")["via"][-1] == "EgressOnlyIgw"


def test_dual_stack_function_with_an_internet_need_needs_ipv6():
    report = scan("vr110_dual_stack_internet_need.yaml")
    assert findings_of(report, "VR110") == [("VR110", "DualStackFunction", 113)]
    assert verdicts(report, "DualStackFunction") == {"internet": "reachable", "internet6": "blocked"}
    assert need(report, "DualStackFunction", "internet6")["origin"] == "dual-stack"
    # Without Ipv6AllowedForDualStack the function sends no IPv6: no internet6 need.
    assert verdicts(report, "V4OnlyFunction") == {"internet": "reachable"}


def test_dual_stack_function_with_an_ipv6_path():
    report = scan("vr110_near_miss_dual_stack_internet_need.yaml")
    assert findings_of(report, "VR110") == []
    assert verdicts(report, "DualStackFunction") == {"internet": "reachable", "internet6": "reachable"}
    assert need(report, "DualStackFunction", "internet6")["via"][-1] == "EgressOnlyIgw"


# --- VR111 private-target-unreachable -----------------------------------------------------------------
def test_database_security_group_not_admitting_function():
    report = scan("vr111_db_sg_no_ingress.yaml")
    assert findings_of(report, "VR111") == [("VR111", "OrdersFunction", 82)]
    assert verdicts(report, "OrdersFunction") == {"tcp:5432@Db": "blocked"}


def test_database_security_group_admitting_function_group():
    report = scan("vr111_near_miss_db_sg_ingress.yaml")
    assert findings_of(report, "VR111") == []
    assert verdicts(report, "OrdersFunction") == {"tcp:5432@Db": "reachable"}


# --- VR201 nat-for-gateway-service --------------------------------------------------------------------
def test_s3_through_nat_suggests_free_gateway_endpoint():
    report = scan("vr201_s3_through_nat.yaml")
    assert findings_of(report, "VR201") == [("VR201", "ReportFunction", 77)]
    assert need(report, "ReportFunction", "s3")["nat"] == "NatA"


def test_gateway_endpoint_prefix_route_wins_over_default_route_to_nat():
    report = scan("vr201_near_miss_gateway_endpoint.yaml")
    assert findings_of(report, "VR201") == []
    s3 = need(report, "ReportFunction", "s3")
    assert (s3["verdict"], s3["endpoint"], s3["nat"]) == ("reachable", "S3Endpoint", None)


# --- VR202 nat-for-interface-service ------------------------------------------------------------------
def test_sqs_through_nat_suggests_interface_endpoint():
    report = scan("vr202_sqs_through_nat.yaml")
    assert findings_of(report, "VR202") == [("VR202", "QueueFunction", 86)]


def test_sqs_through_private_dns_endpoint_despite_nat_route():
    report = scan("vr202_near_miss_interface_endpoint.yaml")
    assert findings_of(report, "VR202") == []
    sqs = need(report, "QueueFunction", "sqs")
    assert (sqs["verdict"], sqs["endpoint"], sqs["nat"]) == ("reachable", "SqsEndpoint", None)


# --- VR203 cross-az-nat -------------------------------------------------------------------------------
def test_subnet_routing_to_nat_in_other_getazs_index():
    report = scan("vr203_cross_az_nat.yaml")
    assert findings_of(report, "VR203") == [("VR203", "PrivateSubnetB", 54)]
    assert messages(report, "VR203") == [
        "subnet PrivateSubnetB (zone #1) routes through NAT gateway NatA in PublicSubnetA (zone #0); "
        "if that zone fails, ApiFunction lose egress, and cross-AZ traffic is billed"
    ]


def test_nat_gateway_per_zone_is_not_cross_az():
    report = scan("vr203_near_miss_nat_per_az.yaml")
    assert findings_of(report, "VR203") == []
    assert verdicts(report, "ApiFunction") == {"internet": "reachable"}


# --- VR204 single-nat ---------------------------------------------------------------------------------
def test_all_nat_served_needs_through_one_nat_gateway():
    report = scan("vr204_single_nat.yaml")
    assert findings_of(report, "VR204") == [("VR204", "NatA", 42)]
    assert "every NAT-served need of 2 function(s) (ApiFunction, WorkerFunction)" in messages(report, "VR204")[0]


def test_two_nat_gateways_are_not_single_nat():
    report = scan("vr203_near_miss_nat_per_az.yaml")
    assert findings_of(report, "VR204") == []


def test_one_regional_nat_gateway_is_single_nat_but_not_a_zone_failure():
    # Issue 18 item 3, SEMANTICS §2/§11 [RNAT]: a regional NAT gateway spans the VPC's zones and sits in no (public)
    # subnet; VR204 still counts it as the one NAT and says it is not a single-zone failure; no VR203 across zones.
    report = scan("vr204_single_regional_nat.yaml")
    assert findings_of(report, "VR204") == [("VR204", "NatA", 21)]
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR204"]
    assert "single regional NAT gateway NatA" in f["message"] and "not a single-zone failure" in f["message"]
    assert f["fix"].startswith("Nothing to add for zone failures")
    assert findings_of(report, "VR203") == findings_of(report, "VR103") == []
    assert verdicts(report, "ApiFunction") == {"internet": "reachable"}
    assert need(report, "WorkerFunction", "sqs")["nat"] == "NatA"


def test_a_regional_and_a_zonal_nat_gateway_are_not_single_nat():
    report = scan("vr204_near_miss_regional_and_zonal_nat.yaml")
    assert findings_of(report, "VR204") == findings_of(report, "VR203") == []
    assert need(report, "WorkerFunction", "sqs")["nat"] == "NatA"


def test_regional_nat_gateway_without_internet_gateway_is_broken_nat():
    report = scan("vr103_regional_nat_no_igw.yaml")
    assert findings_of(report, "VR103") == [("VR103", "ApiFunction", 64)]
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR103"]
    assert "regional NAT gateway NatA has no internet gateway attached to Vpc" in f["message"]
    assert findings_of(report, "VR101") == findings_of(report, "VR203") == findings_of(report, "VR204") == []


def test_private_nat_that_serves_nothing_is_not_single_nat():
    report = scan("vr103_private_nat.yaml")
    assert findings_of(report, "VR204") == []


# --- VR301 eni-groups ---------------------------------------------------------------------------------
def test_eni_groups_are_keyed_by_subnet_and_set_of_security_groups():
    report = scan("vr301_eni_groups.yaml")
    assert findings_of(report, "VR301") == [("VR301", "AuditFunction", 87), ("VR301", "OrdersFunction", 63)]
    # The shared set's two groups differ only by the subnet: one finding lists both (issue 19).
    assert sorted(messages(report, "VR301")) == [
        "Hyperplane ENI group PrivateSubnetA × {AppSecurityGroup, AuditSecurityGroup, DbClientSecurityGroup} is "
        "shared by 1 function(s): AuditFunction",
        "Hyperplane ENI groups PrivateSubnetA, PrivateSubnetB × {AppSecurityGroup, DbClientSecurityGroup} (one ENI "
        "per subnet) are shared by 2 function(s): OrdersFunction, BillingFunction",
    ]
    groups = {(g["subnet"], tuple(g["security_groups"])): g["functions"] for g in report["eni_groups"]}
    assert groups == {
        ("PrivateSubnetA", ("AppSecurityGroup", "DbClientSecurityGroup")): ["OrdersFunction", "BillingFunction"],
        ("PrivateSubnetB", ("AppSecurityGroup", "DbClientSecurityGroup")): ["OrdersFunction", "BillingFunction"],
        ("PrivateSubnetA", ("AppSecurityGroup", "AuditSecurityGroup", "DbClientSecurityGroup")): ["AuditFunction"],
    }


def test_functions_without_vpc_attachment_have_no_eni_groups():
    report = scan("vr301_near_miss_no_vpc.yaml")
    assert findings_of(report, "VR301") == []
    assert report["eni_groups"] == []
    assert report["findings"] == []


# --- VR302 single-az ----------------------------------------------------------------------------------
def test_single_subnet_and_same_zone_subnets_are_single_az():
    report = scan("vr302_single_az.yaml")
    assert findings_of(report, "VR302") == [("VR302", "SameZoneFunction", 64), ("VR302", "SingleSubnetFunction", 52)]


def test_subnets_in_two_getazs_indexes_are_two_zones():
    report = scan("vr302_near_miss_two_azs.yaml")
    assert findings_of(report, "VR302") == []


def test_split_of_sub_over_subnet_refs_is_those_subnets():
    """Issue 14 item 8: !Split [",", !Sub "${A},${A2}"] is the list [A, A2], not "known only after deploy"."""
    report = scan("vr302_split_sub_subnets.yaml")
    assert findings_of(report, "VR302") == [("VR302", "ListFunction", 64)]
    assert findings_of(report, "VR001") == []
    report = scan("vr302_near_miss_split_sub_subnets.yaml")
    assert findings_of(report, "VR302") == findings_of(report, "VR001") == []
    assert sorted(g["subnet"] for g in report["eni_groups"]) == ["PrivateSubnetA", "PrivateSubnetA2", "PrivateSubnetB"]


def test_one_unresolved_subnet_is_one_zone():
    """DESIGN decision 8: a list holding one subnet parameter is one subnet, whatever its zone."""
    report = scan("vr302_single_unresolved_subnet.yaml")
    assert findings_of(report, "VR302") == [("VR302", "SingleSubnetFunction", 29)]
    assert findings_of(report, "VR001") == [("VR001", "SingleSubnetFunction", 29)]


def test_unknown_lists_have_unknown_length():
    """DESIGN decision 13: a list parameter or a split inside a list, two Fn::Select items of one unknown list
    and two dynamic references are not one subnet: no VR302, and VR001 says why."""
    report = scan("vr302_near_miss_unknown_lists.yaml")
    assert findings_of(report, "VR302") == []
    assert findings_of(report, "VR001") == [
        ("VR001", "DynamicReferenceFunction", 70),
        ("VR001", "DynamicReferenceFunction", 70),
        ("VR001", "ListParameterFunction", 34),
        ("VR001", "SplitImportFunction", 46),
        ("VR001", "TwoSelectsFunction", 58),
    ]
    assert "parameter SubnetIds has no default" in " ".join(messages(report, "VR001"))


# --- VR303 subnet-capacity ----------------------------------------------------------------------------
def test_slash_28_with_nine_interfaces_is_over_capacity():
    report = scan("vr303_small_subnet.yaml")
    assert findings_of(report, "VR303") == [("VR303", "SmallSubnet", 10)]
    assert (
        "has 11 usable addresses and needs 9: 1 Hyperplane ENI(s) and 8 other network interface(s)"
        in messages(report, "VR303")[0]
    )


@pytest.mark.parametrize(
    ("fixture", "expected", "demand"),
    [
        ("vr303_load_balancers_and_mount_targets.yaml", [("VR303", "SmallSubnet", 11)], 9),
        ("vr303_near_miss_load_balancers_and_mount_targets.yaml", [], 8),
    ],
)
def test_load_balancers_and_mount_targets_take_addresses(fixture, expected, demand):
    """An ALB (Subnets), an NLB (SubnetMappings) and two EFS mount targets each take one address."""
    report = scan(fixture)
    assert findings_of(report, "VR303") == expected
    small = next(g for g in report["eni_groups"] if g["subnet"] == "SmallSubnet")
    assert (small["subnet_usable_addresses"], small["subnet_demand"]) == (11, demand)


def test_slash_28_with_eight_interfaces_is_within_capacity():
    report = scan("vr303_near_miss_seven_instances.yaml")
    assert findings_of(report, "VR303") == []
    small = next(g for g in report["eni_groups"] if g["subnet"] == "SmallSubnet")
    assert (small["subnet_usable_addresses"], small["subnet_demand"]) == (11, 8)


# --- VR304 eni-permissions ----------------------------------------------------------------------------
def test_role_without_network_interface_actions():
    report = scan("vr304_role_without_eni_actions.json")
    assert findings_of(report, "VR304") == [
        ("VR304", "ExplicitRoleSamFunction", 159),
        ("VR304", "PartialFunction", 188),
        ("VR304", "ReportFunction", 128),
    ]
    partial = next(f["message"] for f in report["findings"] if f["resource"] == "PartialFunction")
    assert "lacks ec2:DeleteNetworkInterface;" in partial


def test_sam_function_without_role_gets_vpc_access_policy():
    report = scan("vr304_near_miss_sam_generated_role.yaml")
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR001") == []


def test_managed_policy_and_wildcards_grant_network_interface_actions():
    report = scan("vr304_near_miss_grants.yaml")
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR308") == []
    assert findings_of(report, "VR001") == []


# --- VR305 sg-set-sprawl ------------------------------------------------------------------------------
def test_five_security_group_sets_in_one_subnet_is_sprawl():
    report = scan("vr305_sg_set_sprawl.yaml")
    assert findings_of(report, "VR305") == [("VR305", "PrivateSubnetA", 10), ("VR305", "PrivateSubnetB", 17)]
    assert len(report["eni_groups"]) == 10


def test_five_functions_sharing_one_security_group_share_one_eni():
    report = scan("vr305_near_miss_shared_sg.yaml")
    assert findings_of(report, "VR305") == []
    assert [g["functions"] for g in report["eni_groups"]] == [
        ["FunctionA", "FunctionB", "FunctionC", "FunctionD", "FunctionE"]
    ] * 2


# --- VR307 eni-quota ----------------------------------------------------------------------------------
def test_208_hyperplane_enis_approach_the_vpc_quota():
    report = scan("vr307_eni_quota.yaml")
    assert findings_of(report, "VR307") == [("VR307", "Vpc", 31)]
    assert len(report["eni_groups"]) == 208
    assert messages(report, "VR307") == [
        "VPC Vpc needs 208 Hyperplane ENI(s) and 0 other network interface(s), 208 of the 250 per-VPC quota"
    ]


def test_192_hyperplane_enis_stay_under_80_percent_of_the_quota():
    report = scan("vr307_near_miss_below_quota.yaml")
    assert findings_of(report, "VR307") == []
    assert len(report["eni_groups"]) == 192


# --- VR308 eni-permission-ordering --------------------------------------------------------------------
def test_eni_permissions_in_separate_policy_without_depends_on():
    report = scan("vr308_policy_without_depends_on.yaml")
    assert findings_of(report, "VR308") == [("VR308", "ApiFunction", 67)]
    assert findings_of(report, "VR304") == []
    assert "only through EniPolicy, a separate resource it does not depend on" in messages(report, "VR308")[0]


def test_eni_permissions_in_separate_policy_with_depends_on():
    report = scan("vr308_near_miss_depends_on.yaml")
    assert findings_of(report, "VR308") == []
    assert findings_of(report, "VR304") == []


def test_explicit_deny_of_create_network_interface_overrides_the_managed_policy():
    report = scan("vr304_explicit_deny.yaml")
    assert findings_of(report, "VR304") == [("VR304", "ApiFunction", 61)]


def test_deny_with_not_action_denies_every_other_action():
    report = scan("vr304_deny_not_action.yaml")
    assert findings_of(report, "VR304") == [("VR304", "ApiFunction", 60)]
    assert "(an explicit Deny removes some)" in messages(report, "VR304")[0]
    near = scan("vr304_near_miss_deny_not_action_keeps_ec2.yaml")
    assert findings_of(near, "VR304") == findings_of(near, "VR001") == []


def test_deny_with_unresolved_actions_is_unknown_not_granted():
    report = scan("vr001_deny_with_unresolved_action.yaml")
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR001") == [("VR001", "ApiFunction", 64)]
    assert messages(report, "VR001") == [
        "whether the execution role of ApiFunction may manage network interfaces is unknown: a Deny statement of "
        "FunctionRole: parameter DeniedAction has no default (pass --param DeniedAction=VALUE), and it may deny them"
    ]


def test_deny_limited_by_resource_and_condition_is_unknown_not_missing():
    report = scan("vr304_near_miss_scoped_deny.yaml")
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR001") == [("VR001", "ApiFunction", 64)]
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "VR001"]
    assert (
        "a Deny in FunctionRole limited by a Resource or Condition names ec2:CreateNetworkInterface"
        in (finding["message"])
    )


def test_managed_policy_attached_through_its_roles_property_is_separate():
    report = scan("vr308_managed_policy_roles.yaml")
    assert findings_of(report, "VR308") == [("VR308", "ApiFunction", 62)]
    assert findings_of(report, "VR304") == []


def test_eni_policy_reached_through_a_dependency_chain_is_ordered():
    report = scan("vr308_near_miss_transitive_depends_on.yaml")
    assert findings_of(report, "VR308") == []


# --- VR001 nested stacks (issue 14 item 5, CloudFormation's twin of a Terraform module not on disk) -------
def test_nested_stacks_handed_subnets_or_security_groups_are_unknown():
    report = scan("vr001_nested_stack_not_read.yaml")
    assert findings_of(report) == [
        ("VR001", "ApiStack", 24),
        ("VR001", "RotationApp", 39),
        ("VR001", "WorkerStack", 32),
    ]
    assert messages(report, "VR001")[0] == (
        "ApiStack: a nested stack whose template vpcreach does not read (https://s3.amazonaws.com/example-bucket/"
        "api.yaml): its functions' networks cannot be checked, though it is passed SubnetIds, "
        "LambdaSecurityGroupIds; scan that template too"
    )
    assert [m.split(": ", 1)[0] for m in messages(report, "VR001")] == ["ApiStack", "WorkerStack", "RotationApp"]
    assert "though it is passed PrivateSubnets;" in messages(report, "VR001")[1]
    assert "though it is passed vpcSecurityGroupIds;" in messages(report, "VR001")[2]
    assert findings_of(scan("vr001_near_miss_nested_stack_not_read.yaml")) == []


# --- issue 18 items 5 and 6: endpoint types and Regions, IPv6-only subnets --------------------------------------
def test_cross_region_endpoint_serves_only_its_region():
    # SEMANTICS §11 [VPCE2]: ServiceRegion names the Region the endpoint reaches; ServiceNetwork and Resource endpoints
    # never serve a service need.
    report = scan("vr001_cross_region_endpoint.yaml")
    assert findings_of(report, "VR001") == [("VR001", "QueueFunction", 81)]
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR001"]
    assert "it reaches the service in us-east-1 (ServiceRegion), and the source's Region is unknown" in f["message"]
    assert f["fix"].startswith("Pass the value")
    assert findings_of(report, "VR106") == []
    same = scan_json(CFN / "vr001_cross_region_endpoint.yaml", extra=("--param", "AWS::Region=us-east-1"))
    assert need(same, "QueueFunction", "sqs")["verdict"] == "reachable"
    assert findings_of(same, "VR001") == findings_of(same, "VR106") == []
    other = scan_json(CFN / "vr001_cross_region_endpoint.yaml", extra=("--param", "AWS::Region=eu-west-1"))
    assert findings_of(other, "VR106") == [("VR106", "QueueFunction", 81)]
    assert findings_of(other, "VR001") == []


def test_lattice_endpoints_hold_addresses_but_serve_no_service():
    report = scan_json(CFN / "vr001_cross_region_endpoint.yaml", extra=("--param", "AWS::Region=eu-west-1"))
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR106"]
    assert "LatticeEndpoint" not in f["message"] and "ResourceEndpoint" not in f["message"]
    from vpcreach.analyzer.engine import analyze
    from vpcreach.parsers.cfn import parse_file

    analysis = analyze(parse_file(str(CFN / "vr001_cross_region_endpoint.yaml")))
    # SqsEndpoint in both subnets, LatticeEndpoint in A, ResourceEndpoint in B: one address each [DESIGN 7].
    assert {s: u.other for s, u in analysis.subnet_uses.items()} == {"PrivateSubnetA": 2, "PrivateSubnetB": 2}


def test_ipv6_only_subnet_is_unknown_not_blocked():
    report = scan("vr001_ipv6_only_subnet.yaml")
    assert findings_of(report, "VR001") == [("VR001", "Ipv6Function", 78)]
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR001"]
    assert "subnet Ipv6OnlySubnet is IPv6-only (Ipv6Native)" in f["message"]
    assert verdicts(report, "Ipv6Function") == {"internet6": "unknown"}
    assert verdicts(report, "DualStackFunction") == {"internet6": "reachable"}
    assert findings_of(report, "VR110") == findings_of(report, "VR101") == []


# --- VR113 capacity-provider-egress and Managed Instances placement (issue 18 item 1) -----------------------------
def test_capacity_provider_without_egress():
    # DESIGN decision 11: the functions take the provider's placement; VR113 on the provider, not need-scoped.
    report = scan("vr113_capacity_provider_no_egress.yaml")
    assert findings_of(report) == [
        ("VR101", "ManagedFunction", 58),
        ("VR106", "QueueFunction", 70),
        ("VR113", "Capacity", 49),
    ]
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR113"]
    assert (
        "route table PrivateRouteTable has no route for 0.0.0.0/0, and the VPC has no interface endpoints"
        in f["message"]
    )
    assert report["eni_groups"] == []
    assert [fn["eni_groups"] for fn in report["functions"]] == [
        ["cp:Capacity|PrivateSubnetA", "cp:Capacity|PrivateSubnetB"]
    ] * 2


def test_capacity_provider_is_walked_once_for_all_its_functions():
    from vpcreach.analyzer.engine import analyze
    from vpcreach.parsers.cfn import parse_file

    analysis = analyze(parse_file(str(CFN / "vr113_near_miss_capacity_provider_nat.yaml")))
    assert analysis.compute["Capacity"].functions == ["ManagedFunction", "QueueFunction"]
    assert analysis.compute["Capacity"].internet.status == "reachable"
    # Two groups, internet (shared by the provider's own egress and ManagedFunction) and sqs: four walks.
    walks = dict(analysis.functions["ManagedFunction"].needs[0].groups)
    assert set(walks) == {"cp:Capacity|PrivateSubnetA", "cp:Capacity|PrivateSubnetB"}
    report = scan("vr113_near_miss_capacity_provider_nat.yaml")
    assert findings_of(report, "VR113") == findings_of(report, "VR301") == findings_of(report, "VR304") == []
    assert findings_of(report, "VR203") == [("VR203", "PrivateSubnetB", 21)]  # zones are the provider's
    assert verdicts(report, "ManagedFunction") == {"internet": "reachable"}


def test_capacity_provider_subnets_count_instances_as_unknown_demand():
    from vpcreach.analyzer.engine import analyze
    from vpcreach.parsers.cfn import parse_file

    analysis = analyze(parse_file(str(CFN / "vr113_capacity_provider_no_egress.yaml")))
    uses = analysis.subnet_uses
    assert (uses["PrivateSubnetA"].groups, uses["PrivateSubnetA"].unknown_demand) == ([], ["Capacity"])


def test_capacity_provider_with_endpoints_but_no_nat_is_unknown():
    # SEMANTICS §11: which interface endpoints replace NAT for Managed Instances is UNVERIFIED: VR001, not VR113.
    report = scan("vr001_capacity_provider_endpoints_only.yaml")
    assert findings_of(report, "VR113") == []
    assert findings_of(report, "VR001") == [("VR001", "Capacity", 74)]
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR001"]
    assert "interface endpoints (LambdaEndpoint, LogsEndpoint)" in f["message"]
    assert "com.amazonaws.<region>.logs" in f["fix"]


# --- VR112 bpa-blocks-egress (issue 18 item 4) --------------------------------------------------------------------
def test_block_public_access_bidirectional_blocks_nat_egress():
    # SEMANTICS §11 [BPA]: bidirectional drops NAT egress unless an allow-egress exclusion covers the NAT's subnet.
    report = scan("vr112_bpa_bidirectional.yaml")
    assert findings_of(report, "VR112") == [("VR112", "NeedsInternetFunction", 96)]
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR112"]
    assert "block-bidirectional (set by BlockPublicAccess)" in f["message"]
    assert "exclusion covers subnet PublicSubnetA or VPC Vpc" in f["message"]
    assert f["fix"].startswith(
        "Add a VPC Block Public Access exclusion (allow-egress or allow-bidirectional) for PublicSubnetA"
    )
    assert verdicts(report, "NeedsInternetFunction") == {"internet": "blocked"}
    near = scan("vr112_near_miss_bpa_exclusion.yaml")
    assert findings_of(near, "VR112") == []
    assert verdicts(near, "NeedsInternetFunction") == {"internet": "reachable"}


def test_assumed_block_public_access_mode_says_it_is_assumed():
    path = CFN / "vr101_near_miss_nat.yaml"
    assert findings_of(scan_json(path, extra=("--assume-bpa", "ingress")), "VR112") == []
    report = scan_json(path, extra=("--assume-bpa", "bidirectional"))
    assert findings_of(report, "VR112") == [("VR112", "NeedsInternetFunction", 85)]
    (f,) = [f for f in report["findings"] if f["rule_id"] == "VR112"]
    assert "assumed: --assume-bpa or config assume_bpa bidirectional; the source does not set it" in f["message"]
    # The template's own setting wins over the assumption.
    assert (
        findings_of(scan_json(CFN / "vr112_near_miss_bpa_exclusion.yaml", extra=("--assume-bpa", "off")), "VR112") == []
    )
    assert findings_of(scan_json(CFN / "vr112_bpa_bidirectional.yaml", extra=("--assume-bpa", "off")), "VR112") != []


def test_assumed_block_public_access_blocks_egress_only_ipv6(tmp_path):
    config = tmp_path / ".vpcreach.toml"
    config.write_text('assume_bpa = "bidirectional"\n')
    report = scan_json(CFN / "vr110_near_miss_egress_only_igw.yaml", extra=("--config", str(config)))
    assert {f["rule_id"] for f in report["findings"]} >= {"VR112"}
    assert all(
        n["verdict"] == "blocked" for fn in report["functions"] for n in fn["needs"] if n["target"] == "internet6"
    )


# --- VR114 connector-no-internet, VR115 connector-dualstack (issue 18 item 2) -------------------------------------
def test_connector_without_nat_loses_public_egress():
    # SEMANTICS §11 [NC]: a connector replaces the default public path; its subnets need a NAT route.
    report = scan("vr114_connector_no_nat.yaml")
    assert findings_of(report) == [("VR114", "EgressConnector", 41)]
    (f,) = report["findings"]
    assert "(used by AgentImage)" in f["message"] and "has no route for 0.0.0.0/0" in f["message"]
    assert findings_of(scan("vr114_near_miss_connector_nat.yaml")) == []
    (placed,) = report["compute"]
    assert (placed["kind"], placed["users"], placed["internet"]) == ("network_connector", ["AgentImage"], "blocked")


def test_dualstack_connector_needs_ipv6_on_every_subnet():
    report = scan("vr115_connector_dualstack_no_ipv6.yaml")
    assert findings_of(report) == [("VR115", "EgressConnector", 119)]
    assert "subnet PrivateSubnetB has no IPv6 CIDR block" in report["findings"][0]["message"]
    assert findings_of(scan("vr115_near_miss_connector_dualstack.yaml")) == []
