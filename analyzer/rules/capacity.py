"""Hyperplane ENI groups and address planning: VR301, VR303, VR305, VR307."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpcreach.graph import kinds as k
from vpcreach.graph import model as m

from ..findings import Finding
from ..flows import parse_net
from .common import on_function, on_node

if TYPE_CHECKING:
    from ..engine import Analysis

RESERVED_PER_SUBNET = 5  # [SIZE]
CAPACITY_WARNING = 0.8  # DESIGN decision 7


def eni_groups(analysis: Analysis) -> list[Finding]:
    out = []
    graph = analysis.graph
    for gid, group in sorted(graph.eni_groups.items()):
        fn = analysis.functions[group.functions[0]].function
        sgs = ", ".join(group.security_groups) or "no security groups"
        out.append(
            on_function(
                fn,
                "VR301",
                f"Hyperplane ENI group {group.subnet} × {{{sgs}}} is shared by {len(group.functions)} function(s): "
                f"{', '.join(group.functions)}",
                [*group.functions, gid],
                key=gid,
            )
        )
    return out


def subnet_demand(analysis: Analysis) -> dict[str, dict[str, int]]:
    """Per subnet: Hyperplane ENIs and other ENI-holding resources placed in it (DESIGN decision 7)."""
    graph = analysis.graph
    demand: dict[str, dict[str, int]] = {}
    for group in graph.eni_groups.values():
        if isinstance(group.subnet_ref, str):
            demand.setdefault(group.subnet_ref, {"hyperplane_enis": 0, "other": 0})["hyperplane_enis"] += 1
    for obj in graph.network.objects.values():
        subnets: list = []
        if isinstance(obj, m.NatGateway) and not obj.regional:
            subnets = [obj.subnet]
        elif isinstance(obj, m.EniHolder):
            subnets = obj.subnets
        for s in subnets:
            if isinstance(s, str) and graph.kind(s) == k.SUBNET:
                demand.setdefault(s, {"hyperplane_enis": 0, "other": 0})["other"] += 1
    return demand


def usable_addresses(subnet: m.Subnet) -> int | None:
    net = parse_net(subnet.cidr_v4)
    if net is None or net.version != 4:
        return None
    return net.num_addresses - RESERVED_PER_SUBNET


def subnet_capacity(analysis: Analysis) -> list[Finding]:
    out = []
    graph = analysis.graph
    for subnet_id, d in sorted(subnet_demand(analysis).items()):
        subnet = graph.obj(subnet_id)
        if not isinstance(subnet, m.Subnet) or d["hyperplane_enis"] == 0:
            continue
        usable = usable_addresses(subnet)
        total = d["hyperplane_enis"] + d["other"]
        if usable is None or total <= CAPACITY_WARNING * usable:
            continue
        fids = sorted({f for g in graph.eni_groups.values() if g.subnet_ref == subnet_id for f in g.functions})
        out.append(
            on_node(
                graph,
                subnet_id,
                "VR303",
                f"subnet {subnet_id} ({subnet.cidr_v4}) has {usable} usable addresses and needs {total}: "
                f"{d['hyperplane_enis']} Hyperplane ENI(s) and {d['other']} other network interface(s) "
                f"(over {int(CAPACITY_WARNING * 100)}%; published versions and scaling past 65,000 connections add more)",
                fids,
                [subnet_id],
                key="capacity",
            )
        )
    return out


def sg_sprawl(analysis: Analysis) -> list[Finding]:
    out = []
    graph = analysis.graph
    sets: dict[str, set[tuple[str, ...]]] = {}
    for group in graph.eni_groups.values():
        if isinstance(group.subnet_ref, str):
            sets.setdefault(group.subnet_ref, set()).add(group.security_groups)
    for subnet_id, groups in sorted(sets.items()):
        if len(groups) < analysis.options.sprawl_threshold or graph.kind(subnet_id) != k.SUBNET:
            continue
        fids = sorted({f for g in graph.eni_groups.values() if g.subnet_ref == subnet_id for f in g.functions})
        out.append(
            on_node(
                graph,
                subnet_id,
                "VR305",
                f"subnet {subnet_id} carries {len(groups)} distinct security-group sets, each its own Hyperplane ENI; "
                "functions with the same network needs could share one group",
                fids,
                [subnet_id],
                key="sprawl",
            )
        )
    return out


def eni_quota(analysis: Analysis) -> list[Finding]:
    out = []
    graph = analysis.graph
    per_vpc: dict[str, int] = {}
    for group in graph.eni_groups.values():
        subnet = graph.obj(group.subnet_ref)
        if isinstance(subnet, m.Subnet) and isinstance(subnet.vpc, str):
            per_vpc[subnet.vpc] = per_vpc.get(subnet.vpc, 0) + 1
    quota = analysis.options.eni_quota
    for vpc, count in sorted(per_vpc.items()):
        others = sum(
            d["other"] for s, d in subnet_demand(analysis).items() if getattr(graph.obj(s), "vpc", None) == vpc
        )
        if count + others >= CAPACITY_WARNING * quota:
            fids = sorted(
                {
                    f
                    for g in graph.eni_groups.values()
                    if getattr(graph.obj(g.subnet_ref), "vpc", None) == vpc
                    for f in g.functions
                }
            )
            out.append(
                on_node(
                    graph,
                    vpc,
                    "VR307",
                    f"VPC {vpc} needs {count} Hyperplane ENI(s) and {others} other network interface(s), "
                    f"{count + others} of the {quota} per-VPC quota",
                    fids,
                    [vpc],
                    key="quota",
                )
            )
    return out


CHECKS = [eni_groups, subnet_capacity, sg_sprawl, eni_quota]
