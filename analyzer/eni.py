"""Hyperplane ENI and address accounting per subnet and VPC (DESIGN decision 7; SEMANTICS §1, §8).

Each (subnet, security-group set) takes one Hyperplane ENI and at least one address [LNET]; other
ENI-holding resources (NAT gateways, interface endpoints, instances, load balancers, mount targets) take
one address each; AWS reserves 5 addresses per subnet [SIZE].
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vpcreach.graph import aws
from vpcreach.graph import kinds as k
from vpcreach.graph import model as m
from vpcreach.graph.build import Graph

from .flows import parse_net


@dataclass
class SubnetUse:
    subnet: str
    vpc: str | None
    az: str | None
    cidr: str | None
    usable: int | None
    groups: list[str] = field(default_factory=list)  # ENI group ids
    other: int = 0
    # Capacity providers that launch instances here, one address each, how many is unknown (scaling) [LMI].
    unknown_demand: list[str] = field(default_factory=list)

    @property
    def demand(self) -> int:
        return len(self.groups) + self.other


def usable_addresses(subnet: m.Subnet) -> int | None:
    net = parse_net(subnet.cidr_v4)
    if net is None or net.version != 4:
        return None
    return net.num_addresses - aws.RESERVED_PER_SUBNET


def subnet_uses(graph: Graph) -> dict[str, SubnetUse]:
    uses: dict[str, SubnetUse] = {}

    def use(subnet_id: str) -> SubnetUse | None:
        if subnet_id in uses:
            return uses[subnet_id]
        subnet = graph.obj(subnet_id)
        if not isinstance(subnet, m.Subnet):
            return None
        uses[subnet_id] = SubnetUse(
            subnet_id,
            subnet.vpc if isinstance(subnet.vpc, str) else None,
            subnet.az if isinstance(subnet.az, str) else None,
            subnet.cidr_v4 if isinstance(subnet.cidr_v4, str) else None,
            usable_addresses(subnet),
        )
        return uses[subnet_id]

    for gid, group in sorted(graph.eni_groups.items()):
        if isinstance(group.subnet_ref, str):
            u = use(group.subnet_ref)
            if u and not group.compute:
                u.groups.append(gid)
            elif u and group.compute not in u.unknown_demand:
                u.unknown_demand.append(group.compute)
    for obj in graph.network.objects.values():
        subnets: list = []
        if isinstance(obj, m.NatGateway) and not obj.regional:
            subnets = [obj.subnet]
        elif isinstance(obj, m.EniHolder):
            subnets = obj.subnets
        for s in subnets:
            if isinstance(s, str) and graph.kind(s) == k.SUBNET:
                u = use(s)
                if u:
                    u.other += aws.ADDRESSES_PER_ENI
    return uses


def per_vpc(uses: dict[str, SubnetUse]) -> dict[str, list[SubnetUse]]:
    out: dict[str, list[SubnetUse]] = {}
    for u in sorted(uses.values(), key=lambda u: (u.vpc or "", u.az or "", u.subnet)):
        if u.vpc:
            out.setdefault(u.vpc, []).append(u)
    return out
