"""`vpcreach snapshot`: write an environment snapshot of one VPC with boto3 (the optional extra
`pip install 'vpcreach[aws]'`), the same files the README's `aws` commands write. Read-only calls only
(Describe*, Get*, List*); this is the one command that touches the network, and only when it is run.

Each file holds one response's top-level key, every page merged (botocore paginators), in the shapes
parsers/snapshot reads: the EC2, SSM and CloudFormation responses as botocore's service models define them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any


class SnapshotError(Exception):
    pass


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list:
    if client.can_paginate(operation):
        out: list = []
        for page in client.get_paginator(operation).paginate(**kwargs):
            out.extend(page.get(key, []))
        return out
    return getattr(client, operation)(**kwargs).get(key, [])


def take_snapshot(
    vpc_id: str,
    out_dir: str,
    session: Any = None,
    ssm_paths: list[str] | None = None,
    ssm_names: list[str] | None = None,
    stacks: list[str] | None = None,
    exports: bool = True,
) -> list[str]:
    """Write the snapshot of `vpc_id` into `out_dir`; the files written."""
    if session is None:
        try:
            import boto3  # type: ignore[import-untyped]
        except ImportError:
            raise SnapshotError("vpcreach snapshot needs boto3: pip install 'vpcreach[aws]'") from None
        session = boto3.Session()
    ec2 = session.client("ec2")
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    files: dict[str, Callable[[], dict]] = {
        "vpcs.json": lambda: {"Vpcs": _pages(ec2, "describe_vpcs", "Vpcs", VpcIds=[vpc_id])},
        "vpc-dns-support.json": lambda: _attribute(ec2, vpc_id, "enableDnsSupport"),
        "vpc-dns-hostnames.json": lambda: _attribute(ec2, vpc_id, "enableDnsHostnames"),
        "subnets.json": lambda: {"Subnets": _pages(ec2, "describe_subnets", "Subnets", Filters=by_vpc)},
        "route-tables.json": lambda: {
            "RouteTables": _pages(ec2, "describe_route_tables", "RouteTables", Filters=by_vpc)
        },
        "security-groups.json": lambda: {
            "SecurityGroups": _pages(ec2, "describe_security_groups", "SecurityGroups", Filters=by_vpc)
        },
        "network-acls.json": lambda: {
            "NetworkAcls": _pages(ec2, "describe_network_acls", "NetworkAcls", Filters=by_vpc)
        },
        "nat-gateways.json": lambda: {
            "NatGateways": _pages(ec2, "describe_nat_gateways", "NatGateways", Filter=by_vpc)
        },
        "internet-gateways.json": lambda: {
            "InternetGateways": _pages(
                ec2,
                "describe_internet_gateways",
                "InternetGateways",
                Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}],
            )
        },
        "egress-only-internet-gateways.json": lambda: {
            "EgressOnlyInternetGateways": [
                g
                for g in _pages(ec2, "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways")
                if any(a.get("VpcId") == vpc_id for a in g.get("Attachments", []))
            ]
        },
        "vpc-endpoints.json": lambda: {
            "VpcEndpoints": _pages(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc)
        },
    }
    if ssm_paths or ssm_names:
        ssm = session.client("ssm")

        def parameters() -> dict:
            found: list = []
            for path in ssm_paths or []:
                found += _pages(ssm, "get_parameters_by_path", "Parameters", Path=path, Recursive=True)
            names = list(ssm_names or [])
            for i in range(0, len(names), 10):  # GetParameters takes at most 10 names
                found += ssm.get_parameters(Names=names[i : i + 10]).get("Parameters", [])
            return {"Parameters": found}

        files["parameters.json"] = parameters
    if exports or stacks:
        cfn = session.client("cloudformation")
        if exports:
            files["exports.json"] = lambda: {"Exports": _pages(cfn, "list_exports", "Exports")}
        if stacks:
            files["stacks.json"] = lambda: {
                "Stacks": [s for name in stacks for s in cfn.describe_stacks(StackName=name).get("Stacks", [])]
            }
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name, read in files.items():
        path = os.path.join(out_dir, name)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(read(), fh, indent=4, default=str)
            fh.write("\n")
        written.append(path)
    return written


def _attribute(ec2: Any, vpc_id: str, attribute: str) -> dict:
    response = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}
