"""Where functions are placed: VR102 (public subnet) and VR302 (single Availability Zone)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import Unknown

from ..findings import Finding
from .common import on_function

if TYPE_CHECKING:
    from ..analysis import Analysis


def public_subnet(analysis: Analysis) -> list[Finding]:
    """VR102 is not need-scoped (DESIGN decision 1): error with an internet need, warning without."""
    out = []
    for result in analysis.vpc_functions():
        fn = result.function
        needs_internet = any(nr.need.target == "internet" for nr in result.needs)
        for gid in result.groups:
            public = analysis.public_routes.get(gid)
            if public is None:
                continue
            subnet, rt, target = public
            severity = "error" if needs_internet else "warning"
            tail = "" if needs_internet else " (no internet need is known, so this is a warning)"
            out.append(
                on_function(
                    fn,
                    "VR102",
                    f"{fn.id} is in subnet {subnet}, whose route table {rt} sends 0.0.0.0/0 to internet gateway {target}; "
                    f"a Lambda Hyperplane ENI has no public IP, so the function gets no internet access{tail}",
                    [fn.id, gid, subnet, rt, target],
                    key=subnet,
                    severity=severity,
                    eni_group=gid,
                )
            )
    return out


def single_az(analysis: Analysis) -> list[Finding]:
    """VR302, DESIGN decisions 8 and 13: fires only when the number of distinct zones is known to be one.

    One subnet is one zone, whatever its zone. An item standing for any number of subnets (UnknownItems: a
    list parameter, a split of an unknown string) leaves the count unknown, and two unresolved subnets stay
    two (Unknown equality is identity; External ids compare by value).
    """
    out = []
    for result in analysis.vpc_functions():
        fn = result.function
        if result.compute is not None:
            continue  # its capacity provider or connector gets VR302 (rules/compute.py)
        if isinstance(fn.subnets, Unknown) or any(isinstance(s, m.UnknownItems) for s in fn.subnets):
            continue
        subnets = list(dict.fromkeys(fn.subnets))
        if len(subnets) == 1:
            out.append(
                on_function(
                    fn,
                    "VR302",
                    f"{fn.id} has a single subnet ({_name(subnets[0])}), so it runs in one Availability Zone",
                    [fn.id, _name(subnets[0])],
                    key="1",
                )
            )
            continue
        zones = {result.zones.get(s) if isinstance(s, str) else None for s in subnets}
        only = next(iter(zones)) if len(zones) == 1 else None
        if only is not None:
            zone = aws.zone_label(only)
            out.append(
                on_function(
                    fn,
                    "VR302",
                    f"all {len(subnets)} subnets of {fn.id} are in the same Availability Zone ({zone})",
                    [fn.id, *map(_name, subnets)],
                    key="n",
                )
            )
    return out


def _name(ref: object) -> str:
    if isinstance(ref, m.External):
        return ref.value
    if isinstance(ref, Unknown):
        return "an unresolved subnet"
    return str(ref)


CHECKS = [public_subnet, single_az]
