"""Hyperplane ENI groups and address planning: VR301, VR303, VR305, VR307."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding
from .common import on_function, on_node

if TYPE_CHECKING:
    from ..analysis import Analysis

CAPACITY_WARNING = 0.8  # DESIGN decision 7


def eni_groups(analysis: Analysis) -> list[Finding]:
    """One finding per security-group set and the functions sharing it: the groups of one set in several
    subnets differ only by the subnet (one ENI per subnet), so they are one finding listing the subnets."""
    graph = analysis.graph
    merged: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for gid, group in sorted(graph.hyperplane_groups().items()):
        merged.setdefault((tuple(group.security_groups), tuple(group.functions)), []).append(gid)
    out = []
    for (security_groups, functions), gids in merged.items():
        fn = analysis.functions[functions[0]].function
        sgs = ", ".join(security_groups) or "no security groups"
        subnets = [graph.eni_groups[gid].subnet for gid in gids]
        if len(gids) == 1:
            what = f"Hyperplane ENI group {subnets[0]} × {{{sgs}}} is"
        else:
            what = f"Hyperplane ENI groups {', '.join(subnets)} × {{{sgs}}} (one ENI per subnet) are"
        out.append(
            on_function(
                fn,
                "VR301",
                f"{what} shared by {len(functions)} function(s): {', '.join(functions)}",
                [*functions, *gids],
                key=" ".join(gids),
                eni_group=", ".join(gids),
            )
        )
    return out


def _functions_in(analysis: Analysis, group_ids: list[str]) -> list[str]:
    groups = analysis.graph.eni_groups
    return sorted({f for gid in group_ids for f in groups[gid].functions})


def subnet_capacity(analysis: Analysis) -> list[Finding]:
    """VR303, DESIGN decision 7: demand over 80% of the usable addresses (size - 5). A capacity provider's instances
    take one address each, as many as scaling launches: unknown demand on top of the known one, said so [LMI]."""
    out = []
    for use in analysis.subnet_uses.values():
        if not (use.groups or use.unknown_demand) or use.usable is None or use.demand <= CAPACITY_WARNING * use.usable:
            continue
        instances = (
            f"; {', '.join(use.unknown_demand)} (capacity provider instances / network connector interfaces) take "
            "addresses here too, one each, how many depends on scaling (unknown)"
            if use.unknown_demand
            else ""
        )
        groups = [*use.groups, *(g for p in use.unknown_demand for g in analysis.graph.compute_groups.get(p, []))]
        out.append(
            on_node(
                analysis.graph,
                use.subnet,
                "VR303",
                f"subnet {use.subnet} ({use.cidr}) has {use.usable} usable addresses and needs {use.demand}: "
                f"{len(use.groups)} Hyperplane ENI(s) and {use.other} other network interface(s) "
                f"(over {int(CAPACITY_WARNING * 100)}%; published versions and scaling past 65,000 connections add more)"
                f"{instances}",
                _functions_in(analysis, groups),
                [use.subnet],
                key="capacity",
            )
        )
    return out


def sg_sprawl(analysis: Analysis) -> list[Finding]:
    out = []
    graph = analysis.graph
    for use in analysis.subnet_uses.values():
        sets = {graph.eni_groups[gid].security_groups for gid in use.groups}
        if len(sets) < analysis.options.sprawl_threshold:
            continue
        out.append(
            on_node(
                graph,
                use.subnet,
                "VR305",
                f"subnet {use.subnet} carries {len(sets)} distinct security-group sets, each its own Hyperplane ENI; "
                "functions with the same network needs could share one group",
                _functions_in(analysis, use.groups),
                [use.subnet],
                key="sprawl",
            )
        )
    return out


def eni_quota(analysis: Analysis) -> list[Finding]:
    out = []
    quota = analysis.options.eni_quota
    for vpc, uses in analysis.vpc_uses.items():
        enis = sum(len(u.groups) for u in uses)
        others = sum(u.other for u in uses)
        if not enis or enis + others < CAPACITY_WARNING * quota:
            continue
        out.append(
            on_node(
                analysis.graph,
                vpc,
                "VR307",
                f"VPC {vpc} needs {enis} Hyperplane ENI(s) and {others} other network interface(s), "
                f"{enis + others} of the {quota} per-VPC quota",
                _functions_in(analysis, [g for u in uses for g in u.groups]),
                [vpc],
                key="quota",
            )
        )
    return out


CHECKS = [eni_groups, subnet_capacity, sg_sprawl, eni_quota]
