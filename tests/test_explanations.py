"""Explanations a user can act on (issue 14): a blocked path says what the blocking rule, entry or route does
allow, and what the need requires, instead of suggesting that nothing is allowed."""

from __future__ import annotations

from conftest import FIXTURES, findings_of, scan_fixture

CFN = FIXTURES / "cfn"
TF = FIXTURES / "terraform"

SG = "aws_security_group."


def messages(report: dict, rule_id: str) -> list[str]:
    return sorted(f["message"] for f in report["findings"] if f["rule_id"] == rule_id)


def test_https_only_to_the_vpc_cidr_says_what_the_internet_and_s3_need():
    report = scan_fixture(CFN / "vr104_https_only_to_vpc.yaml")
    assert findings_of(report, "VR104") == [("VR104", "ApiFunction", 92), ("VR104", "ApiFunction", 92)]
    assert messages(report, "VR104") == [
        "ApiFunction cannot reach the internet (IPv4): FunctionSecurityGroup allows tcp/443 only to 10.0.0.0/16; "
        "the internet needs 0.0.0.0/0 (need from declared)",
        "ApiFunction cannot reach the s3 API: FunctionSecurityGroup allows tcp/443 only to 10.0.0.0/16; "
        "the s3 API needs 0.0.0.0/0 or its prefix list (need from declared)",
    ]
    fn = "aws_lambda_function.api_function"
    report = scan_fixture(TF / "vr104_https_only_to_vpc")
    assert findings_of(report, "VR104") == [("VR104", fn, 103), ("VR104", fn, 103)]
    assert messages(report, "VR104")[0] == (
        f"{fn} cannot reach the internet (IPv4): {SG}function_security_group allows tcp/443 only to 10.0.0.0/16; "
        "the internet needs 0.0.0.0/0 (need from declared)"
    )


def test_https_to_the_vpc_and_to_anywhere_is_allowed():
    for path in (
        CFN / "vr104_near_miss_https_to_vpc_and_anywhere.yaml",
        TF / "vr104_near_miss_https_to_vpc_and_anywhere",
    ):
        report = scan_fixture(path)
        assert findings_of(report, "VR104") == []
        assert {n["verdict"] for n in report["functions"][0]["needs"]} == {"reachable"}


def test_target_admitting_another_subnet_names_the_function_subnet():
    report = scan_fixture(CFN / "vr111_private_targets.yaml")
    assert findings_of(report, "VR111") == [("VR111", "DataFunction", 115)]
    assert messages(report, "VR111") == [
        "DataFunction cannot reach Cache on TCP 6379: CacheSecurityGroup admits tcp/6379 only from 10.0.1.0/24; "
        "the function's subnet PrivateSubnetB is 10.0.2.0/24, and the function uses security group "
        "FunctionSecurityGroup (need from env: environment variable REDIS_HOST refers to Cache)"
    ]
    report = scan_fixture(TF / "vr111_private_targets")
    assert findings_of(report, "VR111") == [("VR111", "aws_lambda_function.data_function", 176)]
    assert (
        f"{SG}cache_security_group admits tcp/6379 only from 10.0.1.0/24; the function's subnet "
        f"aws_subnet.private_subnet_b is 10.0.2.0/24, and the function uses security group {SG}function_security_group"
    ) in messages(report, "VR111")[0]


def test_target_admitting_another_security_group_names_it():
    report = scan_fixture(CFN / "vr111_db_sg_no_ingress.yaml")
    assert findings_of(report, "VR111") == [("VR111", "OrdersFunction", 82)]
    assert (
        "DbSecurityGroup admits tcp/5432 only from security group AdminSecurityGroup; the function's subnet"
        in (messages(report, "VR111")[0])
    )


def test_nacl_allowing_https_only_to_the_vpc_says_so():
    report = scan_fixture(CFN / "vr105_nacl_https_only_to_vpc.yaml")
    assert findings_of(report, "VR105") == [("VR105", "ApiFunction", 114)]
    assert messages(report, "VR105") == [
        "ApiFunction cannot reach the internet (IPv4): PrivateNacl allows outbound tcp/443 only to 10.0.0.0/16; "
        "the final * rule denies it to 0.0.0.0/0 (need from declared)"
    ]
    fn = "aws_lambda_function.api_function"
    report = scan_fixture(TF / "vr105_nacl_https_only_to_vpc")
    assert findings_of(report, "VR105") == [("VR105", fn, 133)]
    assert "aws_network_acl.private_nacl allows outbound tcp/443 only to 10.0.0.0/16;" in messages(report, "VR105")[0]


def test_route_table_without_default_route_lists_the_routes_it_has():
    report = scan_fixture(CFN / "vr101_route_only_to_a_range.yaml")
    assert findings_of(report, "VR101") == [("VR101", "ApiFunction", 86)]
    assert findings_of(report, "VR104") == []
    assert messages(report, "VR101") == [
        "ApiFunction cannot reach the internet (IPv4): route table PrivateRouteTable has no route for 0.0.0.0/0; "
        "it routes only 192.168.0.0/16 to NatA (need from declared)"
    ]
    fn = "aws_lambda_function.api_function"
    report = scan_fixture(TF / "vr101_route_only_to_a_range")
    assert findings_of(report, "VR101") == [("VR101", fn, 102)]
    assert "it routes only 192.168.0.0/16 to aws_nat_gateway.nat_a" in messages(report, "VR101")[0]


def _via(report: dict, function: str, target: str) -> list[str]:
    fn = next(f for f in report["functions"] if f["resource"] == function)
    return next(n["via"] for n in fn["needs"] if n["target"] == target)


def test_path_through_a_db_subnet_group_does_not_cross_its_subnets():
    # The instance's subnet group lists PrivateSubnetA and PrivateSubnetB; both are checked, but the traffic goes
    # from the local route to the instance, not from one group subnet to the next (issue 14 item 13).
    report = scan_fixture(CFN / "vr111_near_miss_db_sg_ingress.yaml")
    assert _via(report, "OrdersFunction", "tcp:5432@Db") == [
        "OrdersFunction",
        "eni:PrivateSubnetA|FunctionSecurityGroup",
        "PrivateSubnetA",
        "PrivateRouteTable",
        "Db",
    ]
    fn = "aws_lambda_function.orders_function"
    report = scan_fixture(TF / "vr111_near_miss_db_sg_ingress")
    assert _via(report, fn, "tcp:5432@aws_db_instance.db") == [
        fn,
        f"eni:aws_subnet.private_subnet_a|{SG}function_security_group",
        "aws_subnet.private_subnet_a",
        "aws_route_table.private_route_table",
        "aws_db_instance.db",
    ]


def test_path_to_a_single_subnet_target_names_that_subnet():
    # Near miss: the Redis group has one subnet, the one the blocked path is about.
    report = scan_fixture(CFN / "vr111_private_targets.yaml")
    assert _via(report, "DataFunction", "tcp:6379@Cache") == [
        "DataFunction",
        "eni:PrivateSubnetB|FunctionSecurityGroup",
        "PrivateSubnetB",
        "PrivateRouteTable",
        "PrivateSubnetA",
        "Cache",
        "CacheSecurityGroup",
    ]
    assert _via(report, "DataFunction", "tcp:5432@Aurora")[-2:] == ["PrivateRouteTable", "Aurora"]


def test_gateway_endpoint_route_is_named_by_its_service():
    # StreamReaderFunction needs DynamoDB Streams (no gateway endpoint); its route table has only the local route
    # and the DynamoDB gateway endpoint's prefix-list route. (The corpus case this came from, bookstore's
    # FunctionSearch, no longer needs Streams: its role's stream actions serve another function's mapping.)
    report = scan_fixture(FIXTURES / "cfn" / "vr106_dynamodb_streams_gateway_endpoint.yaml")
    assert findings_of(report, "VR106") == [("VR106", "StreamReaderFunction", 171)]
    assert (
        "route table IsolatedRouteTable has no route for 0.0.0.0/0; it routes only the prefix list of dynamodb to "
        "DynamoDbEndpoint" in messages(report, "VR106")[0]
    )


def test_every_blocking_component_is_reported():
    # The security group and the route table both block the internet need: one finding each, on the function, each
    # with the fixes of both (issue 14 item 11, DESIGN decision 14).
    report = scan_fixture(CFN / "vr104_sg_and_no_route.yaml")
    assert findings_of(report, "VR104") == [("VR104", "ApiFunction", 85)]
    assert findings_of(report, "VR101") == [("VR101", "ApiFunction", 85)]
    (vr104,) = [f for f in report["findings"] if f["rule_id"] == "VR104"]
    (vr101,) = [f for f in report["findings"] if f["rule_id"] == "VR101"]
    assert vr104["message"].endswith("; the path is also blocked at PrivateRouteTable (VR101)")
    assert vr101["message"].endswith("; the path is also blocked at FunctionSecurityGroup (VR104)")
    assert vr101["path"][-1] == "PrivateRouteTable" and vr104["path"][-1] == "FunctionSecurityGroup"
    assert vr104["fix"] == vr101["fix"]
    assert "Add a 0.0.0.0/0 route to a NAT gateway (in a public subnet) to PrivateRouteTable." in vr104["fix"]
    assert "Add an egress rule for the port and destination" in vr104["fix"]
    fn = next(f for f in report["functions"] if f["resource"] == "ApiFunction")
    assert [n["verdict"] for n in fn["needs"]] == ["blocked"]
    fn = "aws_lambda_function.api_function"
    report = scan_fixture(TF / "vr104_sg_and_no_route")
    assert findings_of(report, "VR104") == [("VR104", fn, 96)]
    assert findings_of(report, "VR101") == [("VR101", fn, 96)]


def test_first_blocker_keeps_its_fingerprint_and_a_single_blocker_stays_alone():
    from vpcreach.analyzer.findings import Finding  # the fingerprint recipe, not a copy of it

    report = scan_fixture(CFN / "vr104_sg_and_no_route.yaml")
    (vr104,) = [f for f in report["findings"] if f["rule_id"] == "VR104"]
    (vr101,) = [f for f in report["findings"] if f["rule_id"] == "VR101"]
    first = Finding("VR104", "ApiFunction", "vr104_sg_and_no_route.yaml", 85, "", key="internet")
    extra = Finding("VR101", "ApiFunction", "vr104_sg_and_no_route.yaml", 85, "", key="internet|PrivateRouteTable")
    assert (vr104["fingerprint"], vr101["fingerprint"]) == (first.fingerprint, extra.fingerprint)
    # Near miss: the route to the NAT exists, only the security group blocks.
    for path in (CFN / "vr104_restricted_egress.yaml", TF / "vr104_restricted_egress"):
        report = scan_fixture(path)
        assert [f["rule_id"] for f in report["findings"] if f["rule_id"] not in ("VR301", "VR302")] == ["VR104"]
        assert "also blocked" not in messages(report, "VR104")[0]


def test_every_blocker_of_the_nat_chain_is_reported():
    # The NAT gateway's subnet ACL does not admit the request AND that subnet has no route to the internet
    # gateway: past the ACL the walk goes on to the route (issue 14 item 11, DESIGN decision 14).
    report = scan_fixture(CFN / "vr103_nat_acl_and_no_igw_route.yaml")
    assert findings_of(report, "VR105") == [("VR105", "ApiFunction", 110)]
    assert findings_of(report, "VR103") == [("VR103", "ApiFunction", 110)]
    (vr105,) = [f for f in report["findings"] if f["rule_id"] == "VR105"]
    (vr103,) = [f for f in report["findings"] if f["rule_id"] == "VR103"]
    assert vr105["message"].endswith("; the path is also blocked at NatA (VR103)")
    assert vr103["message"].endswith("; the path is also blocked at PublicNacl (VR105)")
    assert vr105["path"][-1] == "PublicNacl" and vr103["path"][-1] == "PublicRouteTable"
    assert vr105["fix"] == vr103["fix"]
    assert "Place the NAT gateway in a public subnet" in vr105["fix"] and "mirror pair" in vr105["fix"]
    fn = next(f for f in report["functions"] if f["resource"] == "ApiFunction")
    assert fn["needs"][0]["verdict"] == "blocked" and fn["needs"][0]["nat"] == "NatA"
    # The JSON lists both blockers, the first one first, with the rule each is reported under.
    assert [(b["component"], b["rule_id"]) for b in fn["needs"][0]["blockers"]] == [
        ("PublicNacl", "VR105"),
        ("NatA", "VR103"),
    ]
    assert fn["needs"][0]["blockers"][0]["reason"] == fn["needs"][0]["reason"]
    assert "has no 0.0.0.0/0 route to an internet gateway" in fn["needs"][0]["blockers"][1]["reason"]
    fn = "aws_lambda_function.api_function"
    report = scan_fixture(TF / "vr103_nat_acl_and_no_igw_route")
    assert findings_of(report, "VR105") == [("VR105", fn, 128)]
    assert findings_of(report, "VR103") == [("VR103", fn, 128)]


def test_a_nat_chain_with_one_blocker_reports_it_alone():
    # Near miss: the NAT subnet's ACL admits the request both ways; only the missing route blocks.
    for path, fn, line in (
        (CFN / "vr105_near_miss_nat_acl_no_igw_route.yaml", "ApiFunction", 128),
        (TF / "vr105_near_miss_nat_acl_no_igw_route", "aws_lambda_function.api_function", 148),
    ):
        report = scan_fixture(path)
        assert [f for f in report["findings"] if f["rule_id"] not in ("VR301", "VR302")] == [
            f for f in report["findings"] if f["rule_id"] == "VR103"
        ]
        assert findings_of(report, "VR103") == [("VR103", fn, line)]
        assert "also blocked" not in messages(report, "VR103")[0]
        need = next(f for f in report["functions"] if f["resource"] == fn)["needs"][0]
        assert [b["rule_id"] for b in need["blockers"]] == ["VR103"]


def test_dns_support_off_does_not_hide_the_next_blocker():
    # The VPC's DNS support is off AND the private route table has no default route: both are reported.
    report = scan_fixture(CFN / "vr107_dns_off_and_no_route.yaml")
    assert findings_of(report, "VR107") == [("VR107", "ApiFunction", 81)]
    assert findings_of(report, "VR101") == [("VR101", "ApiFunction", 81)]
    assert messages(report, "VR107")[0].endswith("; the path is also blocked at PrivateRouteTable (VR101)")
    need = next(f for f in report["functions"] if f["resource"] == "ApiFunction")["needs"][0]
    assert [(b["component"], b["rule_id"]) for b in need["blockers"]] == [
        ("Vpc", "VR107"),
        ("PrivateRouteTable", "VR101"),
    ]
    fn = "aws_lambda_function.api_function"
    report = scan_fixture(TF / "vr107_dns_off_and_no_route")
    assert findings_of(report, "VR107") == [("VR107", fn, 98)]
    assert findings_of(report, "VR101") == [("VR101", fn, 98)]
    # Near miss: with the NAT route present, DNS support off is the only blocker.
    for path in (CFN / "vr107_vpc_dns_support_off.yaml", TF / "vr107_vpc_dns_support_off"):
        report = scan_fixture(path)
        assert findings_of(report, "VR101") == []
        assert "also blocked" not in messages(report, "VR107")[0]


def test_reachable_needs_have_no_blockers():
    report = scan_fixture(CFN / "vr105_near_miss_nacl_full_return.yaml")
    assert all(n["blockers"] == [] for f in report["functions"] for n in f["needs"] if n["verdict"] != "blocked")
    assert any(n["verdict"] == "reachable" for f in report["functions"] for n in f["needs"])
