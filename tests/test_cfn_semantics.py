"""AWS and CloudFormation semantics the CloudFormation front end must get right (SEMANTICS.md traps).

Traps already proved in test_cfn_rules.py: 1 (public subnet, VR102), 2 (standalone egress keeps the
default, VR104 near-miss), 3 (CDK match-nothing egress, VR104), 4 (private NAT / NAT without an IGW
route, VR103), 6 (gateway-endpoint prefix route beats 0.0.0.0/0 → NAT, VR201 near-miss), 7 (interface
endpoint DNS and SG, VR107/VR108), 8 (NACL ephemeral range, VR105), 10 (ENI groups by SG set, VR301),
11 (policy ordering, VR308). This file covers the rest and the template language itself.
"""

from __future__ import annotations

from conftest import FIXTURES, findings_of, scan_json

CFN = FIXTURES / "cfn"


def verdicts(report: dict, function: str) -> dict[str, str]:
    fn = next(f for f in report["functions"] if f["resource"] == function)
    return {n["target"]: n["verdict"] for n in fn["needs"]}


def groups(report: dict) -> dict[str, dict]:
    return {g["id"]: g for g in report["eni_groups"]}


# --- trap 9: every subnet of a function must work --------------------------------------------------------
def test_one_working_and_one_isolated_subnet_is_blocked():
    report = scan_json(CFN / "vr101_one_bad_subnet.yaml")
    assert findings_of(report, "VR101") == [("VR101", "ApiFunction", 101)]
    assert verdicts(report, "ApiFunction") == {"internet": "blocked"}
    fn = report["functions"][0]
    assert fn["needs"][0]["via"] == [
        "ApiFunction",
        "eni:PrivateSubnetB|FunctionSecurityGroup",
        "PrivateSubnetB",
        "IsolatedRouteTable",
    ]


# --- trap 10: ENI key is (subnet, set of SGs); order does not matter ---------------------------------------
def test_same_security_groups_in_different_order_share_one_eni_group():
    report = scan_json(CFN / "vr301_eni_groups.yaml")
    by_function = {f["resource"]: f["eni_groups"] for f in report["functions"]}
    assert (
        by_function["OrdersFunction"]
        == by_function["BillingFunction"]
        == [
            "eni:PrivateSubnetA|AppSecurityGroup,DbClientSecurityGroup",
            "eni:PrivateSubnetB|AppSecurityGroup,DbClientSecurityGroup",
        ]
    )
    assert by_function["AuditFunction"] == [
        "eni:PrivateSubnetA|AppSecurityGroup,AuditSecurityGroup,DbClientSecurityGroup"
    ]
    assert len(report["eni_groups"]) == 3


# --- trap 15: SAM Globals ----------------------------------------------------------------------------------
def test_sam_globals_vpcconfig_lists_are_prepended():
    report = scan_json(CFN / "sam_globals_vpcconfig.yaml")
    by_function = {f["resource"]: f["eni_groups"] for f in report["functions"]}
    # Globals' PrivateSubnetA comes first, then the function's own PrivateSubnetB; the SG set is the union.
    assert by_function == {
        "ApiFunction": [
            "eni:PrivateSubnetA|AppSecurityGroup,SharedSecurityGroup",
            "eni:PrivateSubnetB|AppSecurityGroup,SharedSecurityGroup",
        ],
        "PlainFunction": ["eni:PrivateSubnetA|SharedSecurityGroup"],
    }
    assert findings_of(report, "VR302") == [("VR302", "PlainFunction", 63)]
    # SAM generates the roles and adds AWSLambdaVPCAccessExecutionRole because VpcConfig is set (from Globals).
    assert findings_of(report, "VR304") == []


def test_serverless_function_without_transform_line_is_read_as_sam(tmp_path):
    # DESIGN decision 10: AWS::Serverless::* without `Transform:` still gets SAM semantics.
    path = tmp_path / "no_transform.yaml"
    path.write_text(
        "Resources:\n"
        "  Vpc:\n"
        "    Type: AWS::EC2::VPC\n"
        "    Properties: {CidrBlock: 10.0.0.0/16}\n"
        "  SubnetA:\n"
        "    Type: AWS::EC2::Subnet\n"
        "    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: !Select [0, !GetAZs '']}\n"
        "  SubnetB:\n"
        "    Type: AWS::EC2::Subnet\n"
        "    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, AvailabilityZone: !Select [1, !GetAZs '']}\n"
        "  Sg:\n"
        "    Type: AWS::EC2::SecurityGroup\n"
        "    Properties: {GroupDescription: fn, VpcId: !Ref Vpc}\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Runtime: python3.12\n"
        "      Handler: index.handler\n"
        "      InlineCode: x\n"
        "      Policies: [S3ReadPolicy: {BucketName: reports}]\n"
        "      VpcConfig: {SubnetIds: [!Ref SubnetA, !Ref SubnetB], SecurityGroupIds: [!Ref Sg]}\n"
    )
    report = scan_json(path)
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR106") == [("VR106", "Fn", 14)]
    assert verdicts(report, "Fn") == {"s3": "blocked"}


# --- Conditions and parameters -----------------------------------------------------------------------------
def test_condition_false_by_default_removes_the_nat_gateway():
    report = scan_json(CFN / "conditions_optional_nat.yaml")
    assert findings_of(report, "VR101") == [("VR101", "ApiFunction", 96)]
    assert findings_of(report, "VR204") == []
    assert verdicts(report, "ApiFunction") == {"internet": "blocked"}


def test_param_override_makes_the_conditional_nat_gateway_exist():
    report = scan_json(CFN / "conditions_optional_nat.yaml", extra=("--param", "CreateNat=true"))
    assert findings_of(report, "VR101") == []
    assert findings_of(report, "VR204") == [("VR204", "NatA", 52)]
    assert verdicts(report, "ApiFunction") == {"internet": "reachable"}


def test_parameter_default_chooses_the_if_branch_and_param_overrides_it():
    default = scan_json(CFN / "vr001_near_miss_parameter_defaults.yaml")
    assert [f["eni_groups"] for f in default["functions"]] == [
        ["eni:PrivateSubnetA|FunctionSecurityGroup", "eni:PrivateSubnetB|FunctionSecurityGroup"]
    ]
    assert findings_of(default, "VR302") == []
    single = scan_json(CFN / "vr001_near_miss_parameter_defaults.yaml", extra=("--param", "UseTwoZones=false"))
    assert [f["eni_groups"] for f in single["functions"]] == [["eni:PrivateSubnetA|FunctionSecurityGroup"]]
    assert findings_of(single, "VR302") == [("VR302", "ApiFunction", 53)]


def test_region_param_decides_a_condition_on_the_region():
    east = scan_json(CFN / "conditions_region.yaml", extra=("--param", "AWS::Region=us-east-1"))
    assert findings_of(east, "VR101") == []
    assert verdicts(east, "ApiFunction") == {"internet": "reachable"}
    west = scan_json(CFN / "conditions_region.yaml", extra=("--param", "AWS::Region=eu-west-1"))
    assert findings_of(west, "VR101") == [("VR101", "ApiFunction", 92)]


def test_condition_on_unknown_region_is_not_decided():
    report = scan_json(CFN / "conditions_region.yaml")
    assert findings_of(report, "VR101") == []
    assert {u["resource"] for u in report["unknowns"]} >= {"NatA", "NatEip", "PrivateDefaultRoute"}


# --- Intrinsic functions ----------------------------------------------------------------------------------
def test_findinmap_cidr_select_split_join_sub_and_if_resolve_with_defaults():
    report = scan_json(CFN / "intrinsics_resolved.yaml")
    assert [(g["subnet"], g["availability_zone"], g["subnet_usable_addresses"]) for g in report["eni_groups"]] == [
        ("PrivateSubnetA", "eu-west-1a", 251),
        ("PrivateSubnetB", "eu-west-1b", 251),
    ]
    fn = report["functions"][0]
    needs = {n["target"]: (n["origin"], n["verdict"], n["endpoint"], n["nat"]) for n in fn["needs"]}
    assert needs == {
        # Fn::Sub built the endpoint's service name: the S3 gateway endpoint serves the IAM-inferred need.
        "s3": ("iam", "reachable", "S3Endpoint", None),
        # Fn::Sub built https://api.example.com/v1 from a parameter default.
        "internet": ("env", "reachable", None, "NatA"),
    }
    assert findings_of(report, "VR001") == []
    assert findings_of(report, "VR201") == []
    # Literal zone names from the CommaDelimitedList: PrivateSubnetB (eu-west-1b) uses NatA in eu-west-1a.
    assert findings_of(report, "VR203") == [("VR203", "PrivateSubnetB", 73)]


def test_param_override_reaches_findinmap_and_if():
    report = scan_json(CFN / "intrinsics_resolved.yaml", extra=("--param", "Environment=dev"))
    # dev: Fn::If keeps one subnet, and Fn::FindInMap's SubnetBits 4 makes Fn::Cidr cut a /28 (11 usable).
    assert [(g["subnet"], g["availability_zone"], g["subnet_usable_addresses"]) for g in report["eni_groups"]] == [
        ("PrivateSubnetA", "eu-west-1a", 11)
    ]
    assert findings_of(report, "VR302") == [("VR302", "ApiFunction", 130)]


def test_split_of_join_of_subnet_refs_gives_the_subnets():
    report = scan_json(CFN / "intrinsics_join_split_refs.yaml")
    assert findings_of(report, "VR001") == []
    assert [f["eni_groups"] for f in report["functions"]] == [
        ["eni:PrivateSubnetA|FunctionSecurityGroup", "eni:PrivateSubnetB|FunctionSecurityGroup"]
    ]


def test_split_of_join_of_subnet_refs_is_never_reported_as_blocked():
    # Whatever the resolver makes of it, an unresolved subnet list is never a false blocked verdict.
    report = scan_json(CFN / "intrinsics_join_split_refs.yaml")
    blocking = [f for f in report["findings"] if f["rule_id"] in ("VR101", "VR102", "VR104", "VR105", "VR106")]
    assert blocking == []


# --- DESIGN decision 11: Lambda Managed Instances -----------------------------------------------------------
def test_managed_instances_function_takes_its_capacity_providers_placement():
    # DESIGN decision 11, SEMANTICS §11: the provider's subnet routes to an internet gateway, and whether Managed
    # Instances get public IPs is UNVERIFIED: unknown, never VR101/VR102; VR302 on the provider; no Hyperplane ENI.
    report = scan_json(CFN / "vr001_managed_instances.yaml")
    assert findings_of(report) == [
        ("VR001", "Capacity", 58),
        ("VR001", "ManagedFunction", 66),
        ("VR001", "SharedFunction", 81),
        ("VR302", "Capacity", 58),
    ]
    messages = {f["resource"]: f["message"] for f in report["findings"] if f["rule_id"] == "VR001"}
    assert "whether Lambda Managed Instances get public IPv4 addresses is not documented" in messages["Capacity"]
    assert (
        "capacity provider arn:aws:lambda:eu-west-1:111122223333:capacity-provider:shared is defined outside"
        in (messages["SharedFunction"])
    )
    assert report["eni_groups"] == []
    (placed,) = report["compute"]
    assert (placed["resource"], placed["kind"], placed["functions"]) == (
        "Capacity",
        "capacity_provider",
        ["ManagedFunction"],
    )
    assert [g["id"] for g in placed["groups"]] == ["cp:Capacity|PublicSubnetA"]


def _resolve(template: dict, value: object) -> object:
    from vpcreach.parsers.cfn.intrinsics import Resolver

    return Resolver(template).resolve(value)


def test_split_of_sub_over_resource_refs_gives_the_refs():
    """Issue 14 item 8: Fn::Split of a Fn::Sub built from Refs to the template's resources."""
    from vpcreach.parsers.cfn.intrinsics import ResRef

    template = {"Resources": {"A": {}, "B": {}}}
    split = _resolve(template, {"Fn::Split": [",", {"Fn::Sub": "${A},${B}, subnet-0abc"}]})
    assert split == [ResRef("A"), ResRef("B"), " subnet-0abc"]
    # An element that mixes text and a reference is one unknown value built from it.
    mixed = _resolve(template, {"Fn::Split": [",", {"Fn::Sub": "x-${A},${B}"}]})
    assert isinstance(mixed, list) and len(mixed) == 2 and mixed[1] == ResRef("B")
    assert [r.id for r in mixed[0].refs] == ["A"]
    # A separator that may occur inside a reference's value (":" in an ARN) leaves the list unknown in length.
    from vpcreach.graph.model import UnknownItems

    assert isinstance(_resolve(template, {"Fn::Split": [":", {"Fn::Sub": "${A}:${B}"}]}), UnknownItems)


def test_list_parameters_and_splits_of_unknowns_are_lists_of_unknown_length():
    from vpcreach.graph.model import Unknown, UnknownItems

    template = {
        "Parameters": {"L": {"Type": "List<AWS::EC2::Subnet::Id>"}, "S": {"Type": "AWS::EC2::Subnet::Id"}},
        "Resources": {},
    }
    assert isinstance(_resolve(template, {"Ref": "L"}), UnknownItems)
    one = _resolve(template, {"Ref": "S"})
    assert isinstance(one, Unknown) and not isinstance(one, UnknownItems)
    assert isinstance(_resolve(template, {"Fn::Split": [",", {"Fn::ImportValue": "x"}]}), UnknownItems)
    first, second = _resolve(template, [{"Fn::Select": [0, {"Ref": "L"}]}, {"Fn::Select": [1, {"Ref": "L"}]}])
    assert not isinstance(first, UnknownItems) and first is not second
