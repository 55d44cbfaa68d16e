"""Runs the analysis: graph → needs → one walk per (ENI group, need) → rules → findings."""

from __future__ import annotations

import dataclasses
import fnmatch

from vpcreach.graph import aws
from vpcreach.graph import kinds as k
from vpcreach.graph import model as m
from vpcreach.graph.build import Graph, build, service_short_name

from .analysis import (
    Analysis,
    ComputeResult,
    EniPermission,
    FunctionResult,
    NatUse,
    NeedResult,
    Options,
    PlacementGap,
)
from .catalogue import SEVERITIES
from .eni import per_vpc, subnet_uses
from .findings import Finding
from .flows import BLOCKED, UNKNOWN, Verdict
from .iam import RoleGrants, grants_action, role_grants
from .iam_tables import ENI_ACTIONS
from .need import Need
from .needs import IamNeedMemo, function_needs, mapping_kinds
from .needs_evidence import peer_needs
from .reach import IPV6_DISABLED, UNRESOLVED, Walker, combine
from .rules import run_all
from .rules.paths import blockers

__all__ = [
    "Analysis",
    "EniPermission",
    "FunctionResult",
    "NeedResult",
    "Options",
    "analyze",
    "at_or_above",
    "failing",
]


def _matches(fn: m.Function, pattern: str) -> bool:
    names = {fn.id}
    if isinstance(fn.name, str):
        names.add(fn.name)
    return any(fnmatch.fnmatchcase(n, pattern) for n in names)


def analyze(network: m.Network, options: Options | None = None) -> Analysis:
    options = options or Options()
    graph = build(network)
    walker = Walker(graph, options.assume_bpa)
    analysis = Analysis(network, graph, options)
    analysis.subnet_uses = subnet_uses(graph)
    analysis.vpc_uses = per_vpc(analysis.subnet_uses)
    roles: dict[str, RoleGrants] = {}
    mappings = mapping_kinds(network)
    iam_needs: IamNeedMemo = {}
    peers = peer_needs(graph, network)  # once per run: which targets' security groups admit which function
    profile_targets: dict[frozenset[str | None], list[str]] = {}  # reach-profile targets by set of VPCs
    for placement in network.of(m.ComputePlacement):
        analysis.compute[placement.id] = _compute(graph, walker, placement)
    for fn in network.of(m.Function):
        result = FunctionResult(fn, graph.function_groups.get(fn.id, []))
        analysis.functions[fn.id] = result
        if fn.managed_instances is not None or not (fn.has_vpc_config or fn.compute is not None):
            continue
        config_needs = [n for pattern, needs in options.needs.items() if _matches(fn, pattern) for n in needs]
        grants = role_grants(graph, fn.id, roles)
        needs, unknowns = function_needs(
            graph, fn, config_needs, grants, mappings.get(fn.id, frozenset()), iam_needs, peers
        )
        result.need_unknowns = unknowns
        if fn.compute is not None:
            # The placement's: its zones and gaps are judged on it, once; the function's role manages no network
            # interface (the capacity provider's operator role launches the instances) [LMI].
            result.compute = fn.compute
            placed = analysis.compute.get(fn.compute)
            if placed is not None:
                placed.functions.append(fn.id)
                result.zones = dict(placed.zones)
            else:
                reason = f"{fn.compute}, the capacity provider or network connector it names, is not one in the source"
                result.placement_gaps = [PlacementGap(reason, True)]
            subnets = placed.placement.subnets if placed and isinstance(placed.placement.subnets, list) else []
            unplaced = [s for s in subnets if isinstance(s, m.Unknown) and not isinstance(s, m.External)]
        else:
            result.eni_permission = _eni_permission(network, fn, grants)
            result.zones = _zones(graph, fn.subnets)
            result.placement_gaps = _placement_gaps(graph, fn.subnets, fn.security_groups)
            # Subnets with no identity (an unresolved ImportValue item, say) form no ENI group, but invocations
            # may land there too: the verdict can be no better than unknown [LNET].
            unplaced = [s for s in _as_list(fn.subnets) if isinstance(s, m.Unknown) and not isinstance(s, m.External)]
        for need in needs:
            per_group = {gid: _walk(walker, gid, fn, need) for gid in result.groups}
            extra = [Verdict(UNKNOWN, [], UNRESOLVED, "", f"subnet unknown: {s.reason}") for s in unplaced]
            verdict = combine([*per_group.values(), *extra])
            result.needs.append(NeedResult(need, verdict, per_group, blockers(need, verdict)))
        if not needs:
            result.default_routes = {gid: walker.internet(gid, 4) for gid in result.groups}
            result.reach = _reach_profile(graph, walker, fn, result.groups, unplaced, profile_targets)
        for pattern, volumes in options.traffic.items():
            if _matches(fn, pattern):
                fn.traffic_gb = {**volumes, **fn.traffic_gb}
    analysis.public_routes = _public_routes(graph, walker)
    analysis.nat_uses = _nat_uses(analysis)
    analysis.walk_steps = walker.steps
    findings = run_all(analysis)
    if options.mode == "plan" and network.previous is not None:
        analysis.before = analyze(network.previous, dataclasses.replace(options, mode="scan"))
        from .changes import change_set  # plan mode only: a scan never imports it

        analysis.changes = change_set(analysis, analysis.before)
        findings += analysis.changes.findings
    analysis.findings = _finalise(analysis, findings)
    return analysis


def _compute(graph: Graph, walker: Walker, placement: m.ComputePlacement) -> ComputeResult:
    """A capacity provider or connector, once (DESIGN decision 11): its zones, what of its placement is unknown, and
    its subnets' IPv4 internet path with the interface endpoints of its VPC (VR113, VR114)."""
    groups = graph.compute_groups.get(placement.id, [])
    users = sorted({u.id.split("#", 1)[0] for u in graph.network.of(m.ComputeUse) if u.placement == placement.id})
    result = ComputeResult(placement, groups, [], users)
    result.zones = _zones(graph, placement.subnets)
    result.placement_gaps = _placement_gaps(graph, placement.subnets, placement.security_groups)
    unplaced = [
        Verdict(UNKNOWN, [], UNRESOLVED, "", f"subnet unknown: {s.reason}")
        for s in _as_list(placement.subnets)
        if isinstance(s, m.Unknown) and not isinstance(s, m.External)
    ]
    if groups or unplaced:
        result.internet = combine([*(walker.internet(gid, 4) for gid in groups), *unplaced])
        if placement.dual_stack is not False:
            result.internet6 = combine([*(walker.internet(gid, 6) for gid in groups), *unplaced])
    result.endpoints = _interface_endpoints(graph, _vpcs_of(graph, groups))
    return result


def _vpcs_of(graph: Graph, groups: list[str]) -> frozenset[str | None]:
    return frozenset(
        graph.vpc_of(group.subnet_ref) for gid in groups if isinstance((group := graph.eni_groups[gid]).subnet_ref, str)
    )


def _interface_endpoints(graph: Graph, vpcs: frozenset[str | None]) -> list[str]:
    """The interface endpoints of the VPCs `vpcs` (a capacity provider's own traffic, a function's reach profile)."""
    return sorted(
        ep
        for ep in graph.objects(k.VPC_ENDPOINT)
        if graph.vpc_of(ep) in vpcs
        and isinstance(obj := graph.obj(ep), m.VpcEndpoint)
        and isinstance(obj.endpoint_type, str)
        and aws.endpoint_type(obj.endpoint_type) == "interface"
    )


def _public_routes(graph: Graph, walker: Walker) -> dict[str, tuple[str, str, str]]:
    out = {}
    for gid, group in graph.hyperplane_groups().items():
        subnet = graph.obj(group.subnet_ref)
        if not isinstance(subnet, m.Subnet):
            continue
        rt = graph.first_out(subnet.id, k.ASSOCIATED)
        if rt is None:
            continue
        target = walker.lookup(rt, 4, None)[0]
        if target is not None and graph.kind(target) == k.INTERNET_GATEWAY:
            out[gid] = (subnet.id, rt, target)
    return out


def _zone(graph: Graph, ref: object) -> str | None:
    obj = graph.obj(ref)
    return obj.az if isinstance(obj, m.Subnet) and isinstance(obj.az, str) else None


def _zones(graph: Graph, subnets: object) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for s in _as_list(subnets):
        if isinstance(s, m.External):
            out[s.value] = None
        elif isinstance(s, str):
            out[s] = _zone(graph, s)
    return out


# What is unknown of a subnet or security group defined elsewhere, in the singular and the plural.
_OUTSIDE = {
    "subnet": ("its route table and network ACL are", "their route tables and network ACLs are"),
    "security group": ("its rules are", "their rules are"),
}


def _placement_gaps(graph: Graph, subnets: object, security_groups: object) -> list[PlacementGap]:
    gaps: dict[str, PlacementGap] = {}
    for what, value in (("subnet", subnets), ("security group", security_groups)):
        # Ids defined elsewhere are one gap per kind, naming each: six subnets of an existing VPC are one thing
        # to fix (scan or describe that VPC), not six findings that differ only by the subnet (issue 19).
        outside: list[str] = []
        for item in _as_list(value):
            if what == "subnet" and isinstance(item, m.External) and item.value in graph.external_subnets:
                reason = _external_subnet_gap(graph, item.value)
            elif isinstance(item, m.External):
                if item.value not in outside:
                    outside.append(item.value)
                continue
            elif isinstance(item, m.Unknown):
                reason = f"{what}s: {item.reason}"
            elif item not in graph.g:
                reason = f"{what} {item} is not defined in the source"
            elif what == "subnet" and isinstance(subnet := graph.obj(item), m.Subnet) and subnet.ipv6_native is True:
                reason = aws.ipv6_only_subnet(item)
            else:
                continue
            gaps.setdefault(
                reason, PlacementGap(reason, isinstance(item, m.Unknown) and not isinstance(item, m.External))
            )
        if outside:
            one, many = _OUTSIDE[what]
            names = outside[0] if len(outside) == 1 else f"{', '.join(outside[:-1])} and {outside[-1]}"
            plural = len(outside) > 1
            reason = (
                f"{what}{'s' if plural else ''} {names} {'are' if plural else 'is'} not defined in the source, "
                f"so {many if plural else one} unknown"
            )
            gaps[reason] = PlacementGap(reason, False)
    return list(gaps.values())


def _external_subnet_gap(graph: Graph, value: str) -> str:
    """What is known and unknown of a subnet defined elsewhere that the source associates with a route table."""
    node = graph.external_subnets[value]
    rt = graph.out(node, k.ASSOCIATED)
    via = rt[0][1].get("via") if rt else None
    unknown = ["Availability Zone", "CIDR block"]
    nacl = graph.out(node, k.NACL)
    if not nacl or graph.kind(nacl[0][0]) == k.UNRESOLVED:
        unknown.insert(0, "network ACL")
    return (
        f"subnet {value} is not defined in the source; its routes are those of route table {rt[0][0] if rt else '?'} "
        f"(associated by {via}), but its {', '.join(unknown[:-1])} and {unknown[-1]} are unknown"
    )


def _nat_uses(analysis: Analysis) -> dict[str, list[NatUse]]:
    """NAT node → the (function, ENI group) pairs with a need it serves, each once."""
    graph = analysis.graph
    nats: dict[str, tuple[str | None, str | None, bool, bool]] = {}  # NAT → subnet, zone, zonal, instance
    out: dict[str, dict[tuple[str, str], NatUse]] = {}
    for result in analysis.vpc_functions():
        fid = result.function.id
        for nr in result.needs:
            for gid, v in nr.groups.items():
                nat_id = v.nat
                if not nat_id or not v.ok:
                    continue
                uses = out.setdefault(nat_id, {})
                if (fid, gid) in uses:
                    continue
                facts = nats.get(nat_id)
                if facts is None:
                    nat = graph.obj(nat_id)
                    gateway = isinstance(nat, m.NatGateway)
                    subnet = nat.subnet if gateway and isinstance(nat.subnet, str) else None  # type: ignore[union-attr]
                    regional = gateway and nat.regional  # type: ignore[union-attr]
                    facts = nats[nat_id] = (
                        subnet,
                        _zone(graph, subnet),
                        not regional,
                        graph.kind(nat_id) == k.NAT_INSTANCE,
                    )
                group = graph.eni_groups[gid]
                ref = group.subnet_ref
                uses[(fid, gid)] = NatUse(
                    nat_id,
                    fid,
                    gid,
                    ref if isinstance(ref, str) else group.subnet,
                    result.zones.get(ref) if isinstance(ref, str) else None,
                    *facts,
                )
    return {nat: list(uses.values()) for nat, uses in out.items()}


def _eni_permission(net: m.Network, fn: m.Function, grants: RoleGrants) -> EniPermission:
    missing = [a for a in ENI_ACTIONS if grants.grant_for(a) is None]
    verdict = EniPermission(grants, missing)
    if missing:
        return verdict
    verdict.scoped = [(a, src) for a in ENI_ACTIONS if (src := grants.scoped_denial(a))]
    verdict.unknown_denials = list(grants.unknown_denials)
    # VR308: every ENI action arrives only through separate resources the function does not wait for.
    if all(grants.grant_for(a, on_role_only=True) is not None for a in ENI_ACTIONS):
        return verdict
    if fn.action not in ("create", "replace"):
        return verdict
    before = _transitive(net, fn)
    for action in ENI_ACTIONS:
        if grants.grant_for(action, on_role_only=True):
            continue
        separate = [g for g in grants.grants if g.separate and grants_action([g], action)]
        if separate and not any(g.source_id in before for g in separate):
            verdict.late.append((action, separate[0].source_id))
    return verdict


def _transitive(net: m.Network, fn: m.Function) -> set[str]:
    """Everything the function waits for: its dependencies and theirs."""
    seen: set[str] = set()
    stack = list(fn.depends_on | net.depends.get(fn.id, set()))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(net.depends.get(node, ()))
    return seen


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _reach_profile(
    graph: Graph,
    walker: Walker,
    fn: m.Function,
    groups: list[str],
    unplaced: list[m.Unknown],
    targets: dict[frozenset[str | None], list[str]],
) -> dict[str, Verdict]:
    """What a function with no known need can reach, as VPC Reachability Analyzer would answer it: the internet
    over IPv4 and IPv6, S3, DynamoDB, and every service with an interface endpoint in its VPC. The walks are
    the ones needs get (cached per ENI group), and the targets are found once per set of VPCs (`targets`, kept
    by the caller for the run), so this costs little more than the groups' default routes."""
    vpcs = _vpcs_of(graph, groups)
    if vpcs not in targets:
        services = {"s3", "dynamodb"}
        for ep in _interface_endpoints(graph, vpcs):
            obj = graph.obj(ep)
            short = service_short_name(obj.service) if isinstance(obj, m.VpcEndpoint) else None
            if isinstance(short, str) and short:
                services.add(short)
        targets[vpcs] = ["internet", "internet6", *sorted(services)]
    out = {}
    for target in targets[vpcs]:
        need = Need(target, "profile")
        extra = [Verdict(UNKNOWN, [], UNRESOLVED, "", f"subnet unknown: {s.reason}") for s in unplaced]
        out[target] = combine([*(_walk(walker, gid, fn, need) for gid in groups), *extra])
    return out


def _walk(walker: Walker, gid: str, fn: m.Function, need: Need) -> Verdict:
    if need.target == "internet6":
        if isinstance(fn.ipv6_dual_stack, m.Unknown):
            # Whether the function sends IPv6 is unknown: an IPv6 path settles it, its absence does not.
            walked = walker.internet(gid, 6)
            if walked.status != BLOCKED:
                return walked
            return Verdict(UNKNOWN, [gid], UNRESOLVED, fn.id, f"Ipv6AllowedForDualStack: {fn.ipv6_dual_stack.reason}")
        if fn.ipv6_dual_stack is not True:
            return Verdict(
                BLOCKED,
                [gid],
                IPV6_DISABLED,
                fn.id,
                "the function does not set Ipv6AllowedForDualStack, so it sends no IPv6",
            )
        return walker.internet(gid, 6)
    if need.target == "internet":
        return walker.internet(gid, 4)
    private = need.private
    if private:
        return walker.private(gid, private[1], private[0])
    return walker.service(gid, need.target)


def _finalise(analysis: Analysis, findings: list[Finding]) -> list[Finding]:
    options = analysis.options
    net = analysis.network
    out: dict[tuple, Finding] = {}
    for f in findings:
        if f.rule_id in options.ignore:
            continue
        if f.rule_id in options.severity_overrides:
            f.severity = options.severity_overrides[f.rule_id]
        reason = _suppression(net, options, f)
        if reason is not None:
            f.suppressed = reason
        out.setdefault((f.rule_id, f.resource, f.key), f)
    return sorted(out.values(), key=Finding.sort_key)


def _suppression(net: m.Network, options: Options, f: Finding) -> str | None:
    candidates: list[m.Suppression] = []
    obj = net.objects.get(f.resource)
    if isinstance(obj, m.Function):
        candidates += obj.ignores
    candidates += net.ignores.get(f.resource, [])
    for pattern, sups in options.suppressions.items():
        if fnmatch.fnmatchcase(f.resource, pattern):
            candidates += sups
    for s in candidates:
        if s.rule_id == f.rule_id:
            return s.reason or "suppressed"
    # A finding about functions (reported on a NAT gateway, say) is suppressed when all of them suppress it.
    if f.functions and f.resource not in f.functions:
        reasons = []
        for fid in f.functions:
            fn = net.objects.get(fid)
            hit = next((s for s in getattr(fn, "ignores", []) if s.rule_id == f.rule_id), None)
            if hit is None:
                return None
            reasons.append(hit.reason or "suppressed")
        return reasons[0] if reasons else None
    return None


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


def failing(findings: list[Finding], threshold: str) -> list[Finding]:
    return [f for f in findings if f.suppressed is None and at_or_above(f.severity, threshold)]
