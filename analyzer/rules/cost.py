"""NAT dependence and its cost: VR201, VR202 (endpoint would serve), VR203 (cross-AZ NAT), VR204 (single NAT)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpcreach.graph import aws
from vpcreach.graph import model as m

from .. import prices
from ..findings import Finding
from .common import on_function, on_node

if TYPE_CHECKING:
    from ..analysis import Analysis, NatUse


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
    for result in analysis.vpc_functions():
        fn = result.function
        for nr in result.needs:
            v = nr.verdict
            if nr.need.kind != "service" or not v.ok or not v.nat:
                continue
            service = nr.need.target
            gateway = service in aws.GATEWAY_ENDPOINT_SERVICES
            rule_id = "VR201" if gateway else "VR202"
            azs = len(set(result.zones.values())) or 1
            out.append(
                on_function(
                    fn,
                    rule_id,
                    f"{fn.id} reaches {service} through NAT gateway {v.nat}; {'a gateway' if gateway else 'an interface'} VPC endpoint would serve it "
                    f"({_cost_sentence(fn, service, gateway, azs)})",
                    [fn.id, *v.hops],
                    key=service,
                    need=service,
                    fix=aws.endpoint_fix(service, or_nat=False),
                )
            )
    return out


def cross_az_nat(analysis: Analysis) -> list[Finding]:
    """VR203, DESIGN decision 5: a function subnet whose default route goes to a NAT in another zone."""
    by_subnet: dict[tuple[str, str], list[NatUse]] = {}
    for nat, uses in analysis.nat_uses.items():
        for use in uses:
            a, b = use.zone, use.nat_zone
            if not use.zonal or a is None or b is None or a == b:
                continue
            if aws.is_symbolic_az(a) != aws.is_symbolic_az(b):
                continue  # a symbolic and a literal zone cannot be compared
            by_subnet.setdefault((use.subnet, nat), []).append(use)
    out = []
    for (subnet, nat), uses in sorted(by_subnet.items()):
        first = uses[0]
        fids = list(dict.fromkeys(u.function for u in uses))
        za, zb = aws.zone_label(str(first.zone)), aws.zone_label(str(first.nat_zone))
        out.append(
            on_node(
                analysis.graph,
                subnet,
                "VR203",
                f"subnet {subnet} ({za}) routes through NAT gateway {nat} in {first.nat_subnet} ({zb}); "
                f"if that zone fails, {', '.join(fids)} lose egress, and cross-AZ traffic is billed",
                fids,
                [subnet, nat],
                key=nat,
            )
        )
    return out


def single_nat(analysis: Analysis) -> list[Finding]:
    """VR204, DESIGN decision 5: every NAT-served need, internet or AWS service, through one NAT gateway."""
    if len(analysis.nat_uses) != 1:
        return []
    nat, uses = next(iter(analysis.nat_uses.items()))
    fids = sorted({u.function for u in uses})
    kind = "NAT instance" if uses[0].instance else "NAT gateway"
    message = (
        f"every NAT-served need of {len(fids)} function(s) ({', '.join(fids)}) goes through the single {kind} {nat}"
    )
    fix = ""
    if not uses[0].zonal:
        # A regional NAT gateway is still one gateway, but it spans the VPC's zones and follows the workload into
        # each of them [RNAT]: a zone's failure does not take the egress down, so the catalogue's fix (a NAT per
        # zone, or a regional NAT) does not apply.
        message = (
            f"every NAT-served need of {len(fids)} function(s) ({', '.join(fids)}) goes through the single regional "
            f"NAT gateway {nat}; it spans the VPC's Availability Zones, so this is not a single-zone failure"
        )
        fix = (
            "Nothing to add for zone failures: a regional NAT gateway already serves every zone. "
            "Suppress this VR204 on the gateway if one gateway per VPC is intended."
        )
    return [on_node(analysis.graph, nat, "VR204", message, fids, [nat], key="single", fix=fix)]


CHECKS = [nat_for_services, cross_az_nat, single_nat]
