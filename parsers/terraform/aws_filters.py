"""Security groups and network ACLs.

An `aws_security_group` without `egress` has no egress at all: the provider revokes AWS's default
allow-all rule on create, and `egress = []` also means none [TFSG]. `aws_default_security_group` and
`aws_default_network_acl` drop every rule they do not declare. Standalone rule resources are mounted on
their group after every object exists.
"""

from __future__ import annotations

from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import Loc, Unknown

from .aws_context import Context, handles, is_configured, key_of, line_loc
from .aws_network import vpc_of_default
from .instance import ResourceInstance


# --- security groups and network ACLs ----------------------------------------------------------------
def _protocol(ctx: Context, value: Any) -> str | Unknown:
    if value is None:
        return aws.ALL_PROTOCOLS
    text = ctx.text(value)
    if isinstance(text, Unknown) or text is None:
        return text or aws.ALL_PROTOCOLS
    return aws.normalise_protocol(text)


def _ports(ctx: Context, protocol: Any, from_port: Any, to_port: Any) -> tuple[Any, Any]:
    if protocol == "-1":
        return None, None  # all protocols means all ports, whatever from/to say [IPP]
    return ctx.number(from_port), ctx.number(to_port)


def _inline_sg_rules(ctx: Context, group: str, r: dict, loc: Loc) -> list[m.SgRule]:
    """One aws_security_group ingress/egress block (or aws_security_group_rule) → a rule per peer."""
    protocol = _protocol(ctx, r.get("protocol"))
    from_port, to_port = _ports(ctx, protocol, r.get("from_port"), r.get("to_port"))
    peers: list[tuple[str, Any]] = []
    for kind, attr in (("cidr4", "cidr_blocks"), ("cidr6", "ipv6_cidr_blocks"), ("pl", "prefix_list_ids")):
        items = ctx.items(r.get(attr), attr)
        if isinstance(items, Unknown):
            peers.append((kind, items))
            continue
        for item in items:
            peers.append((kind, ctx.ref(item) if kind == "pl" else ctx.text(item)))
    groups = ctx.items(r.get("security_groups"), "security_groups")
    if isinstance(groups, Unknown):
        peers.append(("sg", groups))
    else:
        peers += [("sg", ctx.ref(g, "security group")) for g in groups]
    if r.get("source_security_group_id") not in (None, ""):
        peers.append(("sg", ctx.ref(r.get("source_security_group_id"), "security group")))
    is_self = ctx.flag(r.get("self"), False)
    if is_self is True:
        peers.append(("sg", group))
    elif isinstance(is_self, Unknown):
        peers.append(("sg", is_self))
    return [m.SgRule(protocol, from_port, to_port, kind, peer, loc) for kind, peer in peers]


def _sg_rules(ctx: Context, sg: m.SecurityGroup, inst: ResourceInstance) -> None:
    for direction, target in (("ingress", sg.ingress), ("egress", sg.egress)):
        rules = ctx.blocks(inst.values, direction)
        if isinstance(rules, Unknown):
            sg.rules_unknown = rules
            continue
        if is_configured(inst, direction):
            ctx.sg_inline.setdefault(sg.id, set()).add(direction)
        for i, r in enumerate(rules):
            target.extend(_inline_sg_rules(ctx, sg.id, r, line_loc(inst, direction, i)))


@handles("aws_security_group")
def _sg(ctx: Context, inst: ResourceInstance) -> None:
    # No synthetic allow-all egress: the provider revokes AWS's default rule when it creates the group [TFSG].
    v = inst.values
    sg = m.SecurityGroup(inst.address, inst.loc, vpc=ctx.ref(v.get("vpc_id")) if v.get("vpc_id") is not None else None)
    _sg_rules(ctx, sg, inst)
    ctx.net.add(sg)


@handles("aws_default_security_group")
def _default_sg(ctx: Context, inst: ResourceInstance) -> None:
    # Adopting the default group revokes every rule it does not declare (revokeDefaultSecurityGroupRules).
    v = inst.values
    vpc = ctx.ref(v.get("vpc_id")) if v.get("vpc_id") is not None else None
    sg = m.SecurityGroup(inst.address, inst.loc, vpc=vpc, is_default=True)
    _sg_rules(ctx, sg, inst)
    ctx.net.add(sg)


@handles("aws_security_group_rule")
def _sg_rule(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    group = ctx.ref(v.get("security_group_id"), "security_group_id")
    kind = ctx.text(v.get("type"))
    if not isinstance(kind, str):
        ctx.note(inst.address, kind if isinstance(kind, Unknown) else Unknown("the rule has no type"))
        return
    rules = _inline_sg_rules(ctx, group if isinstance(group, str) else "", v, inst.loc)
    ctx.pending_sg_rules.append((group, kind == "egress", rules, inst.address))


@handles("aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule")
def _vpc_sg_rule(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    protocol = _protocol(ctx, v.get("ip_protocol"))
    from_port, to_port = _ports(ctx, protocol, v.get("from_port"), v.get("to_port"))
    kind, peer = "cidr4", Unknown("the rule names no peer")
    for k, attr in (
        ("cidr4", "cidr_ipv4"),
        ("cidr6", "cidr_ipv6"),
        ("pl", "prefix_list_id"),
        ("sg", "referenced_security_group_id"),
    ):
        if v.get(attr) not in (None, ""):
            kind = k
            peer = ctx.ref(v[attr]) if k in ("sg", "pl") else ctx.text(v[attr])  # type: ignore[assignment]
            break
    rule = m.SgRule(protocol, from_port, to_port, kind, peer, inst.loc)
    group = ctx.ref(v.get("security_group_id"), "security_group_id")
    ctx.pending_sg_rules.append((group, inst.type.endswith("egress_rule"), [rule], inst.address))


def _nacl_entries(ctx: Context, nacl: m.NetworkAcl, inst: ResourceInstance) -> None:
    for direction in ("ingress", "egress"):
        rules = ctx.blocks(inst.values, direction)
        if isinstance(rules, Unknown):
            nacl.entries_unknown = rules
            continue
        for i, r in enumerate(rules):
            nacl.entries.append(
                _nacl_entry(ctx, r, direction == "egress", "rule_no", "action", line_loc(inst, direction, i))
            )


def _nacl_entry(ctx: Context, r: dict, egress: bool, number_attr: str, action_attr: str, loc: Loc) -> m.NaclEntry:
    action = ctx.text(r.get(action_attr))
    protocol = _protocol(ctx, r.get("protocol"))
    from_port, to_port = _ports(ctx, protocol, r.get("from_port"), r.get("to_port"))
    return m.NaclEntry(
        rule_number=ctx.number(r.get(number_attr)) or 0,
        egress=egress,
        protocol=protocol,
        allow=action.lower() == "allow" if isinstance(action, str) else Unknown("rule action unknown"),
        cidr_v4=ctx.text(r.get("cidr_block")) if r.get("cidr_block") not in (None, "") else None,
        cidr_v6=ctx.text(r.get("ipv6_cidr_block")) if r.get("ipv6_cidr_block") not in (None, "") else None,
        from_port=from_port,
        to_port=to_port,
        loc=loc,
    )


@handles("aws_network_acl", "aws_default_network_acl")
def _nacl(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    if inst.type == "aws_default_network_acl":
        # Adopting the default ACL removes every entry it does not declare: no entries means deny all.
        nacl = m.NetworkAcl(
            inst.address, inst.loc, vpc=vpc_of_default(ctx, v.get("default_network_acl_id")), is_default=True
        )
    else:
        nacl = m.NetworkAcl(inst.address, inst.loc, vpc=ctx.ref(v.get("vpc_id")))
    _nacl_entries(ctx, nacl, inst)
    ctx.net.add(nacl)
    subnets = ctx.refs(v.get("subnet_ids"), "subnet")
    if isinstance(subnets, Unknown):
        ctx.note(inst.address, Unknown(f"the subnets of {inst.address} are unknown: {subnets.reason}"))
        return
    for subnet in subnets:
        ctx.pending_nacl_assocs.append((f"{inst.address}#{key_of(subnet)}", subnet, inst.address))


@handles("aws_network_acl_rule")
def _nacl_rule(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    entry = _nacl_entry(ctx, v, ctx.flag(v.get("egress"), False) is True, "rule_number", "rule_action", inst.loc)
    ctx.pending_nacl_entries.append((ctx.ref(v.get("network_acl_id")), entry, inst.address))


@handles("aws_network_acl_association")
def _nacl_assoc(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    ctx.pending_nacl_assocs.append((inst.address, ctx.ref(v.get("subnet_id")), ctx.ref(v.get("network_acl_id"))))
