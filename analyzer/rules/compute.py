"""Lambda compute placed as a group (DESIGN decision 11, SEMANTICS.md §11): capacity providers (Lambda Managed
Instances) and network connectors, judged once each whatever functions bind to them. VR113 (the instances' own
egress), VR302 (one zone) and VR001 (what of the placement or its egress is unknown), reported on the provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpcreach.graph import aws
from vpcreach.graph import model as m

from ..findings import Finding
from ..flows import BLOCKED, REACHABLE
from .common import label, on_node
from .unresolved import fix_for

if TYPE_CHECKING:
    from ..analysis import Analysis, ComputeResult


def _what(c: ComputeResult) -> str:
    return "capacity provider" if c.placement.compute_kind == aws.CAPACITY_PROVIDER else "network connector"


def _functions(c: ComputeResult) -> str:
    users = [*c.functions, *c.users]
    return f" (used by {', '.join(users)})" if users else ""


def capacity_provider_egress(analysis: Analysis) -> list[Finding]:
    """VR113 (not need-scoped): the instances' own traffic has no IPv4 internet path and no interface endpoint at all
    is in the VPC; with endpoints but no NAT, which set suffices is UNVERIFIED [LMIT], so VR001."""
    out = []
    for pid, c in sorted(analysis.compute.items()):
        v = c.internet
        if c.placement.compute_kind != aws.CAPACITY_PROVIDER or v is None or v.status == REACHABLE:
            continue
        path = [pid, *map(label, v.hops)]
        if v.status == BLOCKED and not c.endpoints:
            out.append(
                on_node(
                    analysis.graph,
                    pid,
                    "VR113",
                    f"the Managed Instances of capacity provider {pid}{_functions(c)} cannot reach Lambda or CloudWatch "
                    f"Logs: {v.detail}, and the VPC has no interface endpoints; the provider stays in CREATING "
                    "(no image pull, no Lambda service communication) and logs go missing",
                    c.functions,
                    path,
                    key="egress",
                )
            )
            continue
        if v.status == BLOCKED:
            reason = (
                f"the subnets of capacity provider {pid} have no IPv4 internet path ({v.detail}); the VPC has interface "
                f"endpoints ({', '.join(c.endpoints)}), but which endpoints fully replace NAT for Managed Instances "
                f"(Lambda, CloudWatch Logs, and likely ECR and S3) is not documented"
            )
            fix = (
                "Check that the endpoints cover what the instances call (at least "
                + ", ".join(f"com.amazonaws.{aws.PSEUDO_REGION}.{s}" for s in aws.CAPACITY_PROVIDER_SERVICES)
                + "), or add a NAT route; then suppress this VR001 on the capacity provider with that reason."
            )
        elif c.placement_gaps:
            continue  # unknown because of its unresolved placement, which placement_unknowns reports
        else:
            reason = f"whether the Managed Instances of capacity provider {pid} reach Lambda and CloudWatch Logs is unknown: {v.detail}"
            fix = fix_for(v.detail)
        out.append(on_node(analysis.graph, pid, "VR001", reason, c.functions, path, key="egress", fix=fix))
    return out


def connector_egress(analysis: Analysis) -> list[Finding]:
    """VR114 (warning): a connector replaces the default public IPv4 path and its subnets have none [NC]. VR115
    (error): a DualStack connector without an IPv6 CIDR or a ::/0 path on a subnet. Unknown paths: VR001, once."""
    out = []
    for pid, c in sorted(analysis.compute.items()):
        if c.placement.compute_kind != aws.NETWORK_CONNECTOR:
            continue
        v = c.internet
        if v is not None and v.status == BLOCKED:
            out.append(
                on_node(
                    analysis.graph,
                    pid,
                    "VR114",
                    f"network connector {pid}{_functions(c)} replaces the default public egress, and its subnets have "
                    f"no IPv4 internet path: {v.detail}; public names still resolve but connections time out",
                    c.functions,
                    [pid, *map(label, v.hops)],
                    key="internet",
                )
            )
        elif v is not None and v.status != REACHABLE and not c.placement_gaps:
            out.append(
                on_node(
                    analysis.graph,
                    pid,
                    "VR001",
                    f"whether network connector {pid} gives public IPv4 egress is unknown: {v.detail}",
                    c.functions,
                    [pid, *map(label, v.hops)],
                    key="internet",
                    fix=fix_for(v.detail),
                )
            )
        v6 = c.internet6
        dual = c.placement.dual_stack
        if v6 is None or v6.status == REACHABLE:
            continue
        if dual is True and v6.status == BLOCKED:
            out.append(
                on_node(
                    analysis.graph,
                    pid,
                    "VR115",
                    f"network connector {pid}{_functions(c)} is DualStack, but its IPv6 egress does not work: {v6.detail}",
                    c.functions,
                    [pid, *map(label, v6.hops)],
                    key="ipv6",
                )
            )
        elif not c.placement_gaps and (dual is True or isinstance(dual, m.Unknown)):
            why = v6.detail if dual is True else f"its NetworkProtocol is unknown ({dual.reason})"
            out.append(
                on_node(
                    analysis.graph,
                    pid,
                    "VR001",
                    f"whether network connector {pid}'s IPv6 egress works is unknown: {why}",
                    c.functions,
                    [pid],
                    key="ipv6",
                    fix=fix_for(why),
                )
            )
    return out


def placement_unknowns(analysis: Analysis) -> list[Finding]:
    """VR001 for what of a capacity provider's or connector's own placement is unresolved, once on it."""
    out = []
    for pid, c in sorted(analysis.compute.items()):
        for gap in c.placement_gaps:
            out.append(
                on_node(
                    analysis.graph,
                    pid,
                    "VR001",
                    f"{pid}: {gap.reason}",
                    c.functions,
                    key=gap.reason,
                    fix=fix_for(gap.reason),
                )
            )
    return out


def single_az(analysis: Analysis) -> list[Finding]:
    """VR302 on the capacity provider or connector (decisions 8 and 13): its subnets are known to span one zone;
    AWS recommends three or more for Managed Instances [LMIT]."""
    out = []
    for pid, c in sorted(analysis.compute.items()):
        subnets = c.placement.subnets
        if isinstance(subnets, m.Unknown) or any(isinstance(s, m.UnknownItems) for s in subnets):
            continue
        distinct = list(dict.fromkeys(subnets))
        zones = {c.zones.get(s) if isinstance(s, str) else None for s in distinct}
        if len(distinct) == 1:
            name = label(distinct[0]) if isinstance(distinct[0], str) else getattr(distinct[0], "value", "?")
            message = f"{_what(c)} {pid} has a single subnet ({name}), so its compute runs in one Availability Zone"
        elif len(zones) == 1 and None not in zones:
            zone = aws.zone_label(str(next(iter(zones))))
            message = f"all {len(distinct)} subnets of {_what(c)} {pid} are in the same Availability Zone ({zone})"
        else:
            continue
        out.append(
            on_node(
                analysis.graph,
                pid,
                "VR302",
                message + _functions(c),
                c.functions,
                [pid],
                key="1" if len(distinct) == 1 else "n",
                fix=f"List subnets in at least two Availability Zones in the {_what(c)}'s VPC configuration"
                + (
                    " (AWS recommends three or more for Managed Instances)."
                    if c.placement.compute_kind == aws.CAPACITY_PROVIDER
                    else "."
                ),
            )
        )
    return out


CHECKS = [capacity_provider_egress, connector_egress, placement_unknowns, single_az]
