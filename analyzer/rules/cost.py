"""NAT dependence and its cost: VR201, VR202 (endpoint would serve), VR203 (cross-AZ NAT), VR204 (single NAT)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpcreach.graph import aws
from vpcreach.graph import kinds as k
from vpcreach.graph import model as m

from .. import prices
from ..findings import Finding
from ..reach import GATEWAY_SERVICES
from .common import on_function, on_node

if TYPE_CHECKING:
    from ..analysis import Analysis


def _cost_sentence(fn: m.Function, service: str, gateway: bool, azs: int) -> str:
    gb = fn.traffic_gb.get(service, fn.traffic_gb.get("*"))
    if gb is None:
        return (
            f"cost depends on traffic: NAT processing is ${prices.NAT_GATEWAY_PER_GB}/GB "
            f"({prices.PRICES_REGION}, {prices.PRICES_DATE}); set a traffic volume to get an estimate"
        )
    nat = prices.nat_processing(gb)
    if gateway:
        return f"at {gb:g} GB/month that is ${nat:,.2f}/month of NAT processing; a gateway endpoint costs $0"
    endpoint = prices.interface_endpoint(gb, azs)
    return (
        f"at {gb:g} GB/month that is ${nat:,.2f}/month of NAT processing against about ${endpoint:,.2f}/month "
        f"for an interface endpoint in {azs} AZ(s)"
    )


def nat_for_services(analysis: Analysis) -> list[Finding]:
    out = []
    graph = analysis.graph
    for result in analysis.vpc_functions():
        fn = result.function
        for nr in result.needs:
            v = nr.verdict
            if nr.need.kind != "service" or not v.ok or not v.nat:
                continue
            service = nr.need.target
            gateway = service in GATEWAY_SERVICES
            rule_id = "VR201" if gateway else "VR202"
            azs = len({getattr(graph.obj(graph.eni_groups[g].subnet_ref), "az", None) for g in result.groups}) or 1
            out.append(
                on_function(
                    fn,
                    rule_id,
                    f"{fn.id} reaches {service} through NAT gateway {v.nat}; {'a gateway' if gateway else 'an interface'} VPC endpoint would serve it "
                    f"({_cost_sentence(fn, service, gateway, azs)})",
                    [fn.id, *v.hops],
                    key=service,
                    need=service,
                    fix=(
                        f"Add a gateway VPC endpoint for {service} (free) with the function subnets' route tables."
                        if gateway
                        else f"Add an interface endpoint for {service} with private DNS enabled."
                    ),
                )
            )
    return out


def _nat_served(analysis: Analysis) -> dict[str, list[tuple[str, str]]]:
    """NAT node → [(function, group)] for every need served through it."""
    served: dict[str, list[tuple[str, str]]] = {}
    for result in analysis.vpc_functions():
        for nr in result.needs:
            for gid, v in nr.groups.items():
                if v.ok and v.nat:
                    served.setdefault(v.nat, []).append((result.function.id, gid))
    return served


def cross_az_nat(analysis: Analysis) -> list[Finding]:
    """VR203, DESIGN decision 5: a function subnet whose default route goes to a NAT in another zone."""
    out = []
    graph = analysis.graph
    by_subnet: dict[tuple[str, str], list[str]] = {}
    for nat, users in _nat_served(analysis).items():
        nat_obj = graph.obj(nat)
        if not isinstance(nat_obj, m.NatGateway) or nat_obj.regional:
            continue
        nat_subnet = graph.obj(nat_obj.subnet)
        for fid, gid in users:
            subnet = graph.obj(graph.eni_groups[gid].subnet_ref)
            if not isinstance(subnet, m.Subnet) or not isinstance(nat_subnet, m.Subnet):
                continue
            a, b = subnet.az, nat_subnet.az
            if not isinstance(a, str) or not isinstance(b, str) or a == b:
                continue
            if aws.is_symbolic_az(a) != aws.is_symbolic_az(b):
                continue  # a symbolic and a literal zone cannot be compared
            by_subnet.setdefault((subnet.id, nat), [])
            if fid not in by_subnet[(subnet.id, nat)]:
                by_subnet[(subnet.id, nat)].append(fid)
    for (subnet_id, nat), fids in sorted(by_subnet.items()):
        subnet = graph.obj(subnet_id)
        nat_subnet = graph.obj(graph.obj(nat).subnet)  # type: ignore[union-attr]
        za, zb = (aws.zone_label(str(x.az)) for x in (subnet, nat_subnet))  # type: ignore[union-attr]
        out.append(
            on_node(
                graph,
                subnet_id,
                "VR203",
                f"subnet {subnet_id} ({za}) routes through NAT gateway {nat} in {nat_subnet.id} ({zb}); "  # type: ignore[union-attr]
                f"if that zone fails, {', '.join(fids)} lose egress, and cross-AZ traffic is billed",
                fids,
                [subnet_id, nat],
                key=nat,
            )
        )
    return out


def single_nat(analysis: Analysis) -> list[Finding]:
    """VR204, DESIGN decision 5: every NAT-served need, internet or AWS service, through one NAT gateway."""
    served = _nat_served(analysis)
    if len(served) != 1:
        return []
    nat, users = next(iter(served.items()))
    obj = analysis.graph.obj(nat)
    if isinstance(obj, m.NatGateway) and obj.regional:
        return []
    fids = sorted({f for f, _ in users})
    kind = "NAT instance" if analysis.graph.kind(nat) == k.NAT_INSTANCE else "NAT gateway"
    return [
        on_node(
            analysis.graph,
            nat,
            "VR204",
            f"every NAT-served need of {len(fids)} function(s) ({', '.join(fids)}) goes through the single {kind} {nat}",
            fids,
            [nat],
            key="single",
        )
    ]


CHECKS = [nat_for_services, cross_az_nat, single_nat]
