"""parsers.terraform.aws.map_resources: AWS-provider instances (as the HCL evaluator and the plan reader
produce them) → model objects, with Terraform's semantics settled once."""

from __future__ import annotations

from vpcreach.graph import kinds as k
from vpcreach.graph import model as m
from vpcreach.graph.build import build
from vpcreach.parsers.terraform.aws import map_resources, resource_address
from vpcreach.parsers.terraform.instance import ResourceInstance, TfRef
from vpcreach.parsers.terraform.values import Named

LOC = m.Loc("main.tf", 1)


def ri(address: str, values: dict, **extra) -> ResourceInstance:
    rtype = resource_address(address).split(".")[-2]
    return ResourceInstance(address, rtype, values, LOC, **extra)


def mapped(*instances: ResourceInstance) -> m.Network:
    net = m.Network(sources=["main.tf"])
    map_resources(list(instances), net)
    return net


VPC = ri("aws_vpc.main", {"cidr_block": "10.0.0.0/16"})


def test_resource_address_strips_one_index():
    assert resource_address('module.a["x"].aws_subnet.b[0]') == 'module.a["x"].aws_subnet.b'
    assert resource_address('aws_subnet.b["a]b"]') == "aws_subnet.b"
    assert resource_address("aws_subnet.b") == "aws_subnet.b"


def test_vpc_dns_defaults():
    vpc = mapped(VPC).objects["aws_vpc.main"]
    assert (vpc.dns_support, vpc.dns_hostnames, vpc.cidrs_v4) == (True, False, ["10.0.0.0/16"])


def test_route_targets_are_classified_by_the_referenced_instance():
    net = mapped(
        VPC,
        ri("aws_nat_gateway.nat", {"subnet_id": "subnet-1", "allocation_id": "eipalloc-1"}),
        ri("aws_route_table.rt", {"vpc_id": TfRef("aws_vpc.main")}),
        ri(
            "aws_route.default",
            {
                "route_table_id": TfRef("aws_route_table.rt"),
                "destination_cidr_block": "0.0.0.0/0",
                "gateway_id": TfRef("aws_nat_gateway.nat"),
            },
        ),
        ri(
            "aws_route.literal",
            {
                "route_table_id": TfRef("aws_route_table.rt"),
                "destination_cidr_block": "10.9.0.0/16",
                "gateway_id": "nat-0abc",
            },
        ),
    )
    graph = build(net)
    assert net.objects["aws_route.default"].target == "aws_nat_gateway.nat"
    assert graph.kind("aws_nat_gateway.nat") == k.NAT_GATEWAY
    literal = net.objects["aws_route.literal"]
    assert literal.target == m.External("nat-0abc") and literal.target_hint == "gateway_id"


def test_inline_routes_and_route_resources_on_one_table_are_kept_and_noted():
    net = mapped(
        VPC,
        ri(
            "aws_route_table.rt",
            {"vpc_id": TfRef("aws_vpc.main"), "route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}]},
        ),
        ri(
            "aws_route.extra",
            {
                "route_table_id": TfRef("aws_route_table.rt"),
                "destination_cidr_block": "10.1.0.0/16",
                "gateway_id": "vgw-1",
            },
        ),
    )
    assert {o.id for o in net.of(m.Route)} == {"aws_route_table.rt#route0", "aws_route.extra"}
    ((where, reason),) = net.unknowns
    assert where == "aws_route_table.rt" and "overwrite each other" in reason


def test_security_group_without_egress_has_none_and_rules_mount():
    net = mapped(
        VPC,
        ri("aws_vpc_endpoint.s3", {"vpc_id": TfRef("aws_vpc.main"), "service_name": "com.amazonaws.eu-west-1.s3"}),
        ri("aws_security_group.fn", {"vpc_id": TfRef("aws_vpc.main")}, configured={"vpc_id"}),
        ri(
            "aws_vpc_security_group_egress_rule.s3",
            {
                "security_group_id": TfRef("aws_security_group.fn"),
                "ip_protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
                "prefix_list_id": TfRef("aws_vpc_endpoint.s3", "prefix_list_id"),
            },
        ),
        ri(
            "aws_security_group_rule.all",
            {
                "type": "egress",
                "security_group_id": TfRef("aws_security_group.fn"),
                "protocol": "-1",
                "from_port": 0,
                "to_port": 0,
                "cidr_blocks": ["0.0.0.0/0"],
            },
        ),
    )
    sg = net.objects["aws_security_group.fn"]
    assert [(r.protocol, r.from_port, r.to_port, r.peer_kind, r.peer) for r in sg.egress] == [
        ("tcp", 443, 443, "pl", "aws_vpc_endpoint.s3"),
        ("-1", None, None, "cidr4", "0.0.0.0/0"),
    ]
    assert net.unknowns == []


def test_default_security_group_ids_follow_the_declared_default_group():
    vpc_only = mapped(
        VPC,
        ri(
            "aws_lambda_function.f",
            {
                "vpc_config": [
                    {
                        "subnet_ids": ["subnet-1"],
                        "security_group_ids": [TfRef("aws_vpc.main", "default_security_group_id")],
                    }
                ]
            },
        ),
    )
    assert vpc_only.objects["aws_lambda_function.f"].security_groups == [m.default_sg_id("aws_vpc.main")]
    adopted = mapped(
        VPC,
        ri("aws_default_security_group.d", {"vpc_id": TfRef("aws_vpc.main")}),
        ri(
            "aws_lambda_function.f",
            {
                "vpc_config": [
                    {
                        "subnet_ids": ["subnet-1"],
                        "security_group_ids": [TfRef("aws_vpc.main", "default_security_group_id")],
                    }
                ]
            },
        ),
    )
    default = adopted.objects["aws_default_security_group.d"]
    assert default.is_default and default.egress == [] and default.ingress == []
    assert adopted.objects["aws_lambda_function.f"].security_groups == ["aws_default_security_group.d"]


def test_default_route_table_and_acl_adopt_their_vpc():
    net = mapped(
        VPC,
        ri("aws_default_route_table.main", {"default_route_table_id": TfRef("aws_vpc.main", "default_route_table_id")}),
        ri("aws_default_network_acl.main", {"default_network_acl_id": TfRef("aws_vpc.main", "default_network_acl_id")}),
    )
    rt = net.objects["aws_default_route_table.main"]
    acl = net.objects["aws_default_network_acl.main"]
    assert (rt.vpc, rt.is_main) == ("aws_vpc.main", True)
    assert (acl.vpc, acl.is_default, acl.entries) == ("aws_vpc.main", True, [])


def test_cidr_attribute_reference_reads_the_vpc_value():
    net = mapped(
        VPC, ri("aws_subnet.s", {"vpc_id": TfRef("aws_vpc.main"), "cidr_block": TfRef("aws_vpc.main", "cidr_block")})
    )
    assert net.objects["aws_subnet.s"].cidr_v4 == "10.0.0.0/16"


def test_lambda_environment_references_become_resource_refs():
    net = mapped(
        ri("aws_db_instance.db", {"engine": "postgres", "vpc_security_group_ids": []}),
        ri("aws_sqs_queue.q", {"name": "jobs"}),
        ri(
            "aws_lambda_function.f",
            {
                "environment": [
                    {
                        "variables": {
                            "DB": TfRef("aws_db_instance.db", "address"),
                            "QUEUE": Named("jobs", TfRef("aws_sqs_queue.q", "name")),
                            "MODE": "fast",
                        }
                    }
                ]
            },
        ),
    )
    env = net.objects["aws_lambda_function.f"].environment
    assert env == {
        "DB": m.ResourceRef("aws_db_instance.db", ""),
        "QUEUE": m.ResourceRef("aws_sqs_queue.q", "sqs"),
        "MODE": "fast",
    }
    assert net.objects["aws_db_instance.db"].port == 5432


def test_vpc_config_with_both_lists_empty_is_no_vpc_and_capacity_provider_is_unknown():
    net = mapped(
        ri("aws_lambda_function.off", {"vpc_config": [{"subnet_ids": [], "security_group_ids": []}]}),
        ri(
            "aws_lambda_function.managed",
            {"capacity_provider_config": [{"lambda_managed_instances_capacity_provider_config": [{}]}]},
        ),
    )
    assert net.objects["aws_lambda_function.off"].has_vpc_config is False
    assert "Managed Instances" in net.objects["aws_lambda_function.managed"].managed_instances.reason


def test_endpoint_defaults_and_associations():
    net = mapped(
        VPC,
        ri("aws_route_table.rt", {"vpc_id": TfRef("aws_vpc.main")}),
        ri("aws_vpc_endpoint.s3", {"vpc_id": TfRef("aws_vpc.main"), "service_name": "com.amazonaws.eu-west-1.s3"}),
        ri(
            "aws_vpc_endpoint_route_table_association.a",
            {"vpc_endpoint_id": TfRef("aws_vpc_endpoint.s3"), "route_table_id": TfRef("aws_route_table.rt")},
        ),
    )
    ep = net.objects["aws_vpc_endpoint.s3"]
    assert (ep.endpoint_type, ep.private_dns, ep.route_tables) == ("Gateway", False, ["aws_route_table.rt"])


def test_regional_nat_gateway_needs_no_subnet():
    net = mapped(VPC, ri("aws_nat_gateway.r", {"availability_mode": "regional", "vpc_id": TfRef("aws_vpc.main")}))
    nat = net.objects["aws_nat_gateway.r"]
    assert (nat.regional, nat.subnet, nat.vpc, nat.has_public_ip) == (True, None, "aws_vpc.main", True)


def test_nat_instance_from_source_dest_check_and_eip():
    net = mapped(
        ri("aws_instance.nat", {"subnet_id": "subnet-1", "source_dest_check": False}),
        ri("aws_eip.nat", {"instance": TfRef("aws_instance.nat")}),
    )
    nat = net.objects["aws_instance.nat"]
    assert (nat.source_dest_check, nat.public_ip) == (False, True)
    assert build(net).kind("aws_instance.nat") == k.NAT_INSTANCE


def test_network_acl_inline_entries_and_subnet_ids():
    net = mapped(
        VPC,
        ri(
            "aws_network_acl.a",
            {
                "vpc_id": TfRef("aws_vpc.main"),
                "subnet_ids": ["subnet-1"],
                "egress": [
                    {
                        "rule_no": 100,
                        "action": "allow",
                        "protocol": "tcp",
                        "cidr_block": "0.0.0.0/0",
                        "from_port": 443,
                        "to_port": 443,
                    }
                ],
            },
        ),
    )
    acl = net.objects["aws_network_acl.a"]
    assert [(e.rule_number, e.egress, e.protocol, e.allow, e.from_port, e.to_port) for e in acl.entries] == [
        (100, True, "tcp", True, 443, 443)
    ]
    assert net.objects["aws_network_acl.a#subnet-1"].nacl == "aws_network_acl.a"


def test_iam_policies_reach_roles_through_their_own_resources():
    policy = '{"Statement": [{"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface"], "Resource": "*"}]}'
    net = mapped(
        ri(
            "aws_iam_role.r",
            {
                "name": "r",
                "inline_policy": [{"policy": '{"Statement": {"Effect": "Allow", "Action": "sqs:SendMessage"}}'}],
            },
        ),
        ri("aws_iam_policy.p", {"policy": policy}),
        ri("aws_iam_role_policy_attachment.a", {"role": "r", "policy_arn": TfRef("aws_iam_policy.p", "arn")}),
        ri(
            "aws_iam_role_policy_attachment.m",
            {
                "role": Named("r", TfRef("aws_iam_role.r", "name")),
                "policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            },
        ),
    )
    assert [s.actions for s in net.objects["aws_iam_role.r"].statements] == [["sqs:SendMessage"]]
    attached = net.objects["aws_iam_role_policy_attachment.a"]
    assert attached.roles == ["aws_iam_role.r"] and attached.statements[0].actions == ["ec2:CreateNetworkInterface"]
    assert net.objects["aws_iam_role_policy_attachment.m"].managed_policy_arns == [
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    ]


def test_tag_annotations_and_plan_actions():
    net = mapped(
        ri(
            "aws_lambda_function.f",
            {
                "tags": {
                    "vpcreach:needs": "internet, s3",
                    "vpcreach:ignore": "VR302:one zone by design",
                    "vpcreach:traffic": "s3:10",
                }
            },
            action="replace",
        )
    )
    fn = net.objects["aws_lambda_function.f"]
    assert fn.declared_needs == ["internet", "s3"]
    assert fn.ignores == [m.Suppression("VR302", "one zone by design")]
    assert (fn.traffic_gb, fn.action) == ({"s3": 10.0}, "replace")


def test_data_sources_and_deleted_instances_are_not_mapped():
    net = mapped(
        ResourceInstance("data.aws_vpc.x", "aws_vpc", {"cidr_block": "10.0.0.0/16"}, LOC, mode="data"),
        ResourceInstance("aws_vpc.gone", "aws_vpc", {"cidr_block": "10.1.0.0/16"}, LOC, action="delete"),
    )
    assert net.objects == {}


def test_without_configured_names_an_empty_inline_route_list_is_no_conflict():
    net = mapped(
        VPC,
        ri("aws_route_table.rt", {"vpc_id": TfRef("aws_vpc.main"), "route": []}),
        ri(
            "aws_route.extra",
            {
                "route_table_id": TfRef("aws_route_table.rt"),
                "destination_cidr_block": "0.0.0.0/0",
                "gateway_id": "igw-1",
            },
        ),
    )
    assert net.unknowns == []
