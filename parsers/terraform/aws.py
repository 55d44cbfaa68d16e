"""AWS-provider resource instances (from HCL or a plan) → `graph.model` objects.

Terraform-specific semantics are settled here and nowhere else:
- `aws_security_group` without `egress` has no egress at all: the provider revokes AWS's default allow-all
  rule on create; `egress = []` also means none [TFSG]. `aws_default_security_group` and
  `aws_default_network_acl` drop every rule they do not declare.
- Route targets are classified by what the reference points at, never by the attribute name
  (`gateway_id` may hold a NAT gateway) [TFRT]; a literal id becomes an External with the attribute as hint.
- Inline `route` blocks and `aws_route` on one table (likewise inline and standalone SG rules) overwrite
  each other on apply: both are kept and the conflict is recorded as an Unknown note [TFRT][TFRULE].
- `vpc_endpoint_type` defaults to Gateway, `private_dns_enabled` to false [TFVPCE]; VPC DNS support
  defaults to true and DNS hostnames to false [TFVPC]; `connectivity_type` defaults to public [TFNAT].
- A Lambda function whose `vpc_config` lists no subnets and no security groups is not in a VPC [TFL].

Object ids are Terraform addresses. A `TfRef` becomes the id of the instance it points at (or the VPC's
default security group / network ACL / main route table for those attributes).

This module is the entry point and the work done once every object exists (mounting standalone rules,
adopted defaults, dependencies); the handlers per resource family live in aws_network, aws_filters,
aws_iam, aws_lambda and aws_targets, and aws_context holds what they share.
"""

from __future__ import annotations

import re
from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import Loc, Unknown

from ..errors import InputError
from . import aws_filters, aws_iam, aws_lambda, aws_network, aws_targets  # noqa: F401  (register handlers)
from .annotations import parse_ignores, parse_traffic
from .aws_context import HANDLERS, Context, resource_address
from .aws_targets import GROUP_TYPES
from .instance import ResourceInstance

# Resolved first because others read them (a VPC gets CIDR associations, targets read subnet groups).
_FIRST = ("aws_vpc", "aws_default_vpc", "aws_iam_policy", *GROUP_TYPES)


# --- entry point -------------------------------------------------------------------------------------
def map_resources(instances: list[ResourceInstance], net: m.Network) -> None:
    """Add the model objects for every AWS-provider instance to `net`; data sources and instances the plan
    deletes are not part of the network."""
    managed = [i for i in instances if i.mode == "managed" and i.action != "delete"]
    ctx = Context(managed, net)
    order = sorted(range(len(managed)), key=lambda n: (0 if managed[n].type in _FIRST else 1, n))
    for n in order:
        inst = managed[n]
        handler = HANDLERS.get(inst.type)
        if handler is not None:
            handler(ctx, inst)
        _annotations(ctx, inst)
    _mount(ctx)
    _rewrite_default_ids(ctx)
    _function_dependencies(ctx)


def _annotations(ctx: Context, inst: ResourceInstance) -> None:
    obj = ctx.net.objects.get(inst.address)
    tags = inst.values.get("tags")
    tag_needs: list[str] = []
    tag_ignores: list[m.Suppression] = []
    tag_traffic: dict[str, float] = {}
    if isinstance(tags, dict):
        needs = tags.get("vpcreach:needs")
        if isinstance(needs, str):
            tag_needs = [n.strip() for n in needs.split(",") if n.strip()]
        ignore = tags.get("vpcreach:ignore")
        if isinstance(ignore, str):
            tag_ignores = parse_ignores(ignore)
        traffic = tags.get("vpcreach:traffic")
        if isinstance(traffic, str):
            tag_traffic = parse_traffic(traffic)
    if isinstance(obj, m.Function):
        obj.declared_needs = list(dict.fromkeys([*obj.declared_needs, *tag_needs]))
        for need in obj.declared_needs:
            problem = aws.need_problem(need)
            if problem is not None:
                # A misspelt need would check nothing and pass: the one line naming it, exit 2.
                where = "tag vpcreach:needs" if need in tag_needs else "vpcreach:needs"
                raise InputError(inst.loc.file, f"{inst.address}: {where}: {problem}", inst.loc.line)
        obj.ignores = [*obj.ignores, *tag_ignores]
        obj.traffic_gb = {**tag_traffic, **inst.traffic_gb}
    else:
        ignores = [*inst.ignores, *tag_ignores]
        if ignores:
            ctx.net.ignores.setdefault(inst.address, []).extend(ignores)


def _mount(ctx: Context) -> None:
    """Attach standalone rules, entries and associations to their parents, EFS mount targets to their file
    systems, and resolve the file systems functions mount through access points (after all parents exist)."""
    net = ctx.net
    m.attach_mount_targets(net, ctx.mounts)
    for fn in net.of(m.Function):
        fn.file_systems = [ctx.access_points.get(ref, ref) if isinstance(ref, str) else ref for ref in fn.file_systems]
    for group_ref, egress, rules, addr in ctx.pending_sg_rules:
        group = net.get(group_ref)
        if isinstance(group, m.SecurityGroup):
            (group.egress if egress else group.ingress).extend(rules)
            if ("egress" if egress else "ingress") in ctx.sg_inline.get(group.id, set()):
                ctx.note(
                    group.id,
                    Unknown(
                        f"{group.id} manages {'egress' if egress else 'ingress'} rules inline and {addr} adds one "
                        "separately; Terraform makes them overwrite each other on every apply"
                    ),
                )
        else:
            ctx.note(addr, group_ref)
    for nacl_ref, entry, addr in ctx.pending_nacl_entries:
        nacl = net.get(nacl_ref)
        if isinstance(nacl, m.NetworkAcl):
            nacl.entries.append(entry)
        else:
            ctx.note(addr, nacl_ref)
    for assoc_id, subnet, nacl in ctx.pending_nacl_assocs:
        net.add(m.NaclAssociation(assoc_id, _loc_of(ctx, assoc_id), subnet=subnet, nacl=nacl))
    for ep_ref, field_name, ref, addr in ctx.endpoint_links:
        endpoint = net.get(ep_ref)
        if isinstance(endpoint, m.VpcEndpoint):
            getattr(endpoint, field_name).append(ref)
        else:
            ctx.note(addr, ep_ref)
    for endpoint in net.of(m.VpcEndpoint):
        etype = endpoint.endpoint_type
        if isinstance(etype, str) and aws.endpoint_type(etype) in aws.ENI_ENDPOINT_TYPES and endpoint.subnets:
            net.add(
                m.EniHolder(
                    f"{endpoint.id}#eni", endpoint.loc, subnets=list(endpoint.subnets), resource_type="aws_vpc_endpoint"
                )
            )
    for ref in ctx.public_ips:
        target = net.get(ref)
        if isinstance(target, m.Instance):
            target.public_ip = True
    for rt, routes in ctx.route_resources.items():
        if rt in ctx.inline_routes:
            ctx.note(
                rt,
                Unknown(
                    f"{rt} declares inline route blocks and {', '.join(routes)} adds routes to it; Terraform makes "
                    "them overwrite each other on every apply"
                ),
            )


def _loc_of(ctx: Context, addr: str) -> Loc:
    inst = ctx.by_addr.get(addr) or ctx.by_addr.get(addr.split("#", 1)[0])
    return inst.loc if inst is not None else m.NOWHERE


def _rewrite_default_ids(ctx: Context) -> None:
    """`aws_vpc.x.default_security_group_id` names the declared aws_default_security_group when there is one."""
    net = ctx.net
    mapping: dict[str, str] = {}
    for sg in net.of(m.SecurityGroup):
        if sg.is_default and isinstance(sg.vpc, str):
            mapping[m.default_sg_id(sg.vpc)] = sg.id
    for nacl in net.of(m.NetworkAcl):
        if nacl.is_default and isinstance(nacl.vpc, str):
            mapping[m.default_nacl_id(nacl.vpc)] = nacl.id
    for rt in net.of(m.RouteTable):
        if rt.is_main and isinstance(rt.vpc, str):
            mapping[m.main_rt_id(rt.vpc)] = rt.id
    for assoc in net.of(m.MainRouteTableAssociation):
        if isinstance(assoc.vpc, str) and isinstance(assoc.route_table, str):
            mapping[m.main_rt_id(assoc.vpc)] = assoc.route_table
    if not mapping:
        return

    def fix(ref: Any) -> Any:
        return mapping.get(ref, ref) if isinstance(ref, str) else ref

    for obj in net.objects.values():
        if isinstance(obj, m.Function):
            if isinstance(obj.security_groups, list):
                obj.security_groups = [fix(s) for s in obj.security_groups]
        elif isinstance(obj, (m.VpcEndpoint, m.PrivateTarget, m.Instance)):
            obj.security_groups = [fix(s) for s in obj.security_groups]
        elif isinstance(obj, m.Route):
            obj.route_table = fix(obj.route_table)
        elif isinstance(obj, m.NaclAssociation):
            obj.nacl = fix(obj.nacl)
        elif isinstance(obj, m.RouteTableAssociation):
            obj.route_table = fix(obj.route_table)
        if isinstance(obj, m.VpcEndpoint):
            obj.route_tables = [fix(r) for r in obj.route_tables]
        if isinstance(obj, m.SecurityGroup):
            for rule in (*obj.ingress, *obj.egress):
                if rule.peer_kind == "sg":
                    rule.peer = fix(rule.peer)


_MODULE_ADDRESS = re.compile(
    r'^(module\.[A-Za-z0-9_-]+(\[(\d+|"(?:[^"\\]|\\.)*")\])?\.)*module\.[A-Za-z0-9_-]+(\[(\d+|"(?:[^"\\]|\\.)*")\])?$'
)


def _is_module_address(address: str) -> bool:
    return bool(_MODULE_ADDRESS.match(address))


# Addresses gathered over every function's dependency closure: a real configuration needs a few dozen per
# function; 5,000 functions that each depend on all 5,000 instances of one resource would need 25 million
# (minutes and gigabytes). Past the budget the input is refused rather than a dependency guessed away.
MAX_DEPENDENCY_CLOSURE = 1_000_000
_MODULE_SEGMENT = re.compile(r'module\.[A-Za-z0-9_-]+(\[(?:\d+|"(?:[^"\\]|\\.)*")\])?\.')


def _function_dependencies(ctx: Context) -> None:
    """Everything a function waits for: depends_on and references, through the whole dependency graph
    (Terraform orders creation by it), where a resource address means all its instances and a module
    address everything in the module."""
    budget = MAX_DEPENDENCY_CLOSURE
    members: dict[str, list[str]] | None = None  # module address → the instances inside, built on first use
    for fn in ctx.net.of(m.Function):
        inst = ctx.by_addr.get(fn.id)
        if inst is None:
            continue
        seen: set[str] = set()
        stack = list(inst.depends_on)
        while stack:
            dep = stack.pop()
            if dep in seen or dep == fn.id:
                continue
            seen.add(dep)
            found = [dep] if dep in ctx.by_addr else []
            found += [i.address for i in ctx.by_resource.get(dep, [])]
            if _is_module_address(dep):
                if members is None:
                    members = _module_members(ctx.by_addr)
                found += members.get(dep, [])
            budget -= len(found) + sum(len(ctx.by_addr[a].depends_on) for a in found)
            if budget < 0:
                raise InputError(
                    ctx.net.sources[0] if ctx.net.sources else fn.id,
                    f"the Lambda functions depend on more than {MAX_DEPENDENCY_CLOSURE:,} resources in all "
                    "(depends_on and references, a resource counting once per instance); refusing to expand that",
                )
            for address in found:
                seen.add(address)
                stack.extend(d for d in ctx.by_addr[address].depends_on if d not in seen)
        fn.depends_on = seen


def _module_members(by_addr: dict[str, Any]) -> dict[str, list[str]]:
    """Module address (with or without its instance key) → instance addresses inside it: an index that
    answers what `address.startswith((module + ".", module + "["))` over every address would."""
    out: dict[str, list[str]] = {}
    for address in by_addr:
        pos = 0
        while (match := _MODULE_SEGMENT.match(address, pos)) is not None:
            out.setdefault(address[: match.end() - 1], []).append(address)
            if match.group(1):  # `module.a["k"].x` is also inside `module.a`
                out.setdefault(address[: match.start(1)], []).append(address)
            pos = match.end()
    return out


__all__ = ["map_resources", "resource_address"]
