"""EC2 describe filters applied to a snapshot's records, as the EC2 API applies them: "If you specify multiple
filters, the filters are joined with an AND"; "If you specify multiple values for a filter, the values are
joined with an OR"; names and values are case-sensitive (EC2 API Reference, Filter:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Filter.html). Values may hold wildcards: "* specifies
that zero or more characters must match, and ? specifies that exactly one character must match. Use a backslash
to escape special characters" (AWS SDK for .NET, Amazon.EC2.Model.Filter:
https://docs.aws.amazon.com/sdkfornet1/latest/apidocs/html/T_Amazon_EC2_Model_Filter.htm). `tag:<key>` filters
on the value of the tag with that key, `tag-key` on tag keys. Only the filter names below are evaluated: another name is reported,
never taken as matching.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import Record, Snapshot, dict_items

Getter = Callable[[dict], list[str]]


def _field(name: str) -> Getter:
    return lambda item: _texts(item.get(name))


def _texts(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (str, int)):
        return [str(value)]
    return []


def _nested(list_key: str, name: str) -> Getter:
    return lambda item: [t for x in dict_items(item.get(list_key)) for t in _texts(x.get(name))]


def _tag_keys(item: dict) -> list[str]:
    return [t["Key"] for t in dict_items(item.get("Tags")) if isinstance(t, dict) and isinstance(t.get("Key"), str)]


_COMMON: dict[str, Getter] = {"vpc-id": _field("VpcId"), "owner-id": _field("OwnerId"), "tag-key": _tag_keys}
FIELDS: dict[str, dict[str, Getter]] = {
    "Vpcs": {
        "vpc-id": _field("VpcId"),
        "cidr": _field("CidrBlock"),
        "cidr-block-association.cidr-block": _nested("CidrBlockAssociationSet", "CidrBlock"),
        "ipv6-cidr-block-association.ipv6-cidr-block": _nested("Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock"),
        "is-default": _field("IsDefault"),
        "state": _field("State"),
        "dhcp-options-id": _field("DhcpOptionsId"),
    },
    "Subnets": {
        "subnet-id": _field("SubnetId"),
        "availability-zone": _field("AvailabilityZone"),
        "availability-zone-id": _field("AvailabilityZoneId"),
        "cidr-block": _field("CidrBlock"),
        "cidr": _field("CidrBlock"),
        "cidrBlock": _field("CidrBlock"),
        "default-for-az": _field("DefaultForAz"),
        "defaultForAz": _field("DefaultForAz"),
        "map-public-ip-on-launch": _field("MapPublicIpOnLaunch"),
        "state": _field("State"),
        "subnet-arn": _field("SubnetArn"),
        "ipv6-cidr-block-association.ipv6-cidr-block": _nested("Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock"),
    },
    "SecurityGroups": {
        "group-id": _field("GroupId"),
        "group-name": _field("GroupName"),
        "description": _field("Description"),
    },
    "RouteTables": {
        "route-table-id": _field("RouteTableId"),
        "association.subnet-id": _nested("Associations", "SubnetId"),
        "association.gateway-id": _nested("Associations", "GatewayId"),
        "association.route-table-association-id": _nested("Associations", "RouteTableAssociationId"),
        "association.main": _nested("Associations", "Main"),
        "route.destination-cidr-block": _nested("Routes", "DestinationCidrBlock"),
        "route.gateway-id": _nested("Routes", "GatewayId"),
        "route.nat-gateway-id": _nested("Routes", "NatGatewayId"),
        "route.transit-gateway-id": _nested("Routes", "TransitGatewayId"),
    },
    "NatGateways": {
        "nat-gateway-id": _field("NatGatewayId"),
        "subnet-id": _field("SubnetId"),
        "state": _field("State"),
    },
    "VpcEndpoints": {
        "vpc-endpoint-id": _field("VpcEndpointId"),
        "service-name": _field("ServiceName"),
        "vpc-endpoint-type": _field("VpcEndpointType"),
        "vpc-endpoint-state": _field("State"),
    },
    "PrefixLists": {
        "prefix-list-id": _field("PrefixListId"),
        "prefix-list-name": _field("PrefixListName"),
        "owner-id": _field("OwnerId"),
    },
}
# The AWS CLI command that prints each key, for the reason of an empty lookup.
COMMANDS = {
    "Vpcs": "aws ec2 describe-vpcs",
    "Subnets": "aws ec2 describe-subnets",
    "SecurityGroups": "aws ec2 describe-security-groups",
    "RouteTables": "aws ec2 describe-route-tables",
    "NatGateways": "aws ec2 describe-nat-gateways",
    "VpcEndpoints": "aws ec2 describe-vpc-endpoints",
    "PrefixLists": "aws ec2 describe-managed-prefix-lists",
}


def _getter(key: str, name: str) -> Getter | None:
    if name.startswith("tag:"):
        tag = name[4:]
        return lambda item: [
            t["Value"]
            for t in dict_items(item.get("Tags"))
            if isinstance(t, dict) and t.get("Key") == tag and isinstance(t.get("Value"), str)
        ]
    return FIELDS.get(key, {}).get(name) or (_COMMON.get(name) if key != "PrefixLists" else None)


def _pattern(value: str) -> re.Pattern:
    parts, escaped = [], False
    for c in value:
        if escaped:
            parts.append(re.escape(c))
            escaped = False
        elif c == "\\":
            escaped = True
        else:
            parts.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
    return re.compile("".join(parts), re.DOTALL)


def select(snap: Snapshot, key: str, filters: list[tuple[str, list[str]]]) -> list[Record] | str:
    """The records of `key` matching every filter, in snapshot order; or why the filters cannot be evaluated."""
    if not any(r.key == key for r in snap.records.values()):
        return f"the snapshot holds no {key} ({COMMANDS.get(key, key)})"
    checks = []
    for name, values in filters:
        getter = _getter(key, name)
        if getter is None:
            return f"filter {name} is not one vpcreach evaluates on {key}"
        checks.append((getter, [_pattern(v) for v in values]))
    out = []
    for rec in snap.records.values():
        if rec.key != key:
            continue
        if all(any(p.fullmatch(t) for t in get(rec.item) for p in patterns) for get, patterns in checks):
            out.append(rec)
    return out


__all__ = ["COMMANDS", "FIELDS", "select"]
