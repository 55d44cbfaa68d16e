"""Putting a snapshot's objects into a parsed network, and resolving the literal ids that name them.

What a template or configuration references by a literal id (`subnet-0abc`, a parameter's value, an SSM
parameter's value, an import) is an `External` after parsing. For each such id the snapshot holds, the
objects of its VPC are added (the VPC, its subnets, route tables with their routes and associations, security
groups, network ACLs, gateways and endpoints: what AWS applies to traffic from that subnet), and every
External naming an added object becomes the object's id, so the walk follows it like any parsed object.

The source wins: an object the source also defines (the same id, as a plan's known id may be) is not added,
and the network notes that once. A subnet the source associates with a route table or network ACL of its
own keeps only the source's association (AWS allows one of each per subnet; the source's replaces it).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from vpcreach.graph import model as m

from . import Snapshot


def referenced_ids(net: m.Network) -> set[str]:
    """The External values anywhere in the network's objects."""
    found: set[str] = set()
    for obj in net.objects.values():
        _collect(obj, found, 0)
    return found


def _collect(value: Any, found: set[str], depth: int) -> None:
    if depth > 4:
        return
    if isinstance(value, m.External):
        found.add(value.value)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _collect(getattr(value, f.name), found, depth + 1)


def attach(net: m.Network, snap: Snapshot) -> list[str]:
    """Add what `net` references from `snap` to `net` and resolve the references; the ids added."""
    wanted = {oid for oid in referenced_ids(net) if oid in snap.records}
    if not wanted:
        return []
    vpcs = {v for v in (snap.vpc_of(oid) for oid in wanted) if v}
    include = set(wanted) | {v for v in vpcs if v in snap.records}
    include |= {oid for oid in snap.records if snap.vpc_of(oid) in vpcs}
    if vpcs:  # prefix lists belong to the Region, not a VPC: the security groups and routes added may name them
        include |= {oid for oid, rec in snap.records.items() if rec.key == "PrefixLists"}
    clash = sorted(oid for oid in include if oid in net.objects or oid in net.before_ids)
    include -= set(clash)
    own_rt = {_value(a.subnet) for a in net.of(m.RouteTableAssociation)}
    own_acl = {_value(a.subnet) for a in net.of(m.NaclAssociation)}
    added = []
    for oid in sorted(include):
        for part in snap.parts.get(oid, []):
            obj = snap.objects[part]
            if isinstance(obj, m.RouteTableAssociation) and _value(obj.subnet) in own_rt:
                continue
            if isinstance(obj, m.NaclAssociation) and _value(obj.subnet) in own_acl:
                continue
            if part not in net.objects:
                net.add(copy.deepcopy(obj))
                added.append(part)
    resolve_externals(net)
    for vpc in sorted(v for v in vpcs if v in include and v in snap.records):
        missing = [
            a
            for a, k in (("enableDnsSupport", "support"), ("enableDnsHostnames", "hostnames"))
            if k not in snap.dns.get(vpc, {})
        ]
        if missing:
            net.notes.append(
                f"the snapshot has no describe-vpc-attribute output for {vpc} ({', '.join(missing)}): DNS support is "
                "taken as AWS's default (on) and DNS hostnames as unknown (they matter only for interface "
                f"endpoints' private DNS); add: aws ec2 describe-vpc-attribute --vpc-id {vpc} --attribute {missing[-1]}"
            )
    for oid in sorted(wanted - set(clash)):
        net.inputs.append((oid, snap.records[oid].key, str(snap.records[oid].loc)))
    if clash:
        shown = ", ".join(clash[:5]) + (", ..." if len(clash) > 5 else "")
        net.notes.append(
            f"{net.sources[0] if net.sources else 'the source'} defines {shown}, also in the snapshot: the "
            "source's definition is used (it is what will be deployed)"
        )
    return added


def _value(ref: Any) -> Any:
    return ref.value if isinstance(ref, m.External) else ref


def resolve_externals(net: m.Network) -> None:
    """Every External whose id is now an object of the network becomes that id."""
    for obj in net.objects.values():
        _rewrite(obj, net.objects, 0)


def resolve_in(obj: m.Obj, known: dict[str, m.Obj]) -> None:
    """resolve_externals for one object."""
    _rewrite(obj, known, 0)


def _rewrite(target: Any, known: dict[str, m.Obj], depth: int) -> None:
    for f in dataclasses.fields(target):
        value = getattr(target, f.name)
        new = _mapped(value, known, depth + 1)
        if new is not value:
            setattr(target, f.name, new)


def _mapped(value: Any, known: dict[str, m.Obj], depth: int) -> Any:
    if isinstance(value, m.External):
        return value.value if value.value in known else value
    if depth > 4:
        return value
    if isinstance(value, list):
        items = [_mapped(v, known, depth + 1) for v in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and not value.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        _rewrite(value, known, depth)
    return value
