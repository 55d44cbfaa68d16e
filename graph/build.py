"""`Network` → one networkx MultiDiGraph, plus the Hyperplane ENI groups.

What every VPC has without being declared is created here, once, for all formats: the main route table
with only local routes [RT], the default network ACL that allows everything [NACL] and the default
security group (ingress from itself, all egress) [DSG]. Hyperplane ENI nodes are keyed by
(subnet, set of security groups), order-insensitive [LNET][ENIF].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from . import aws
from . import kinds as k
from . import model as m
from .model import Loc, Unknown


@dataclass
class EniGroup:
    id: str
    subnet: str  # subnet id, External value, or "?" when the subnet is not known
    security_groups: tuple[str, ...]
    functions: list[str] = field(default_factory=list)
    subnet_ref: m.Ref = ""
    sg_refs: tuple[m.Ref, ...] = ()
    # The capacity provider or network connector whose placement this is ("" for a Hyperplane ENI), and its kind.
    compute: str = ""
    compute_kind: str = ""


def service_short_name(name: str | Unknown) -> str | Unknown:
    """`com.amazonaws.eu-west-1.s3` → `s3`; `com.amazonaws.<region>.ecr.dkr` → `ecr.dkr`."""
    if isinstance(name, Unknown) or not name:
        return name
    parts = name.split(".")
    if len(parts) >= 4 and parts[0] in ("com", "aws") and parts[1] in ("amazonaws", "api"):
        rest = parts[2:]
        if rest and (aws.is_region(rest[0]) or aws.PSEUDO_REGION in rest[0]):
            rest = rest[1:]
        return ".".join(rest) if rest else name
    return name


def ref_key(ref: object) -> str:
    """A stable string for a reference: the id, the external literal, or `?` for an unknown."""
    if isinstance(ref, m.External):
        return ref.value
    if isinstance(ref, Unknown):
        return "?"
    return str(ref)


class Graph:
    """The networkx graph and the lookups the analyzer needs, built once."""

    def __init__(self, network: m.Network) -> None:
        self.network = network
        self.g = nx.MultiDiGraph()
        self.eni_groups: dict[str, EniGroup] = {}
        self.function_groups: dict[str, list[str]] = {}
        # Capacity provider / network connector → its groups (DESIGN decision 11), walked once whatever binds to it.
        self.compute_groups: dict[str, list[str]] = {}
        self.main_route_tables: dict[str, str] = {}
        self.default_nacls: dict[str, str] = {}
        self.default_sgs: dict[str, str] = {}
        # Subnets defined outside the source (External ids) whose route table an association in the source
        # names: external id → the subnet node standing for it (see _external_subnets).
        self.external_subnets: dict[str, str] = {}
        # Memo of the lookups below (the graph never changes once built, so their answers do not either);
        # analysis state lives in the analyzer's facts, never here.
        self._memo: dict[tuple, object] = {}
        self._built = False  # the graph never changes once built, so lookups can be memoised
        self._build()
        self._built = True

    # --- lookups ----------------------------------------------------------------------------------
    def hyperplane_groups(self) -> dict[str, EniGroup]:
        """The Hyperplane ENI groups alone (one ENI each), without capacity-provider or connector placements."""
        return {gid: g for gid, g in self.eni_groups.items() if not g.compute}

    def obj(self, node: object) -> m.Obj | None:
        # The node-attribute dict networkx keeps (G._node, documented for subclasses): the walk asks this
        # thousands of times, and NodeView lookups cost more than the answer.
        if isinstance(node, str):
            data = self.g._node.get(node)
        elif isinstance(node, m.External) and node.value in self.external_subnets:
            data = self.g._node.get(self.external_subnets[node.value])
        else:
            data = None
        return None if data is None else data.get("obj")

    def kind(self, node: object) -> str | None:
        data = self.g._node.get(node) if isinstance(node, str) else None
        return None if data is None else data.get("kind")

    def out(self, node: str, edge_kind: str) -> list[tuple[str, dict]]:
        if self._built:
            key = ("out", node, edge_kind)
            hit = self._memo.get(key)
            if hit is None:
                hit = self._memo[key] = self._out(node, edge_kind)
            return hit  # type: ignore[return-value]
        return self._out(node, edge_kind)

    def _out(self, node: str, edge_kind: str) -> list[tuple[str, dict]]:
        if node not in self.g:
            return []
        # The adjacency dict directly: edge views cost more than the walk itself on large templates.
        return [(v, d) for v, keyed in self.g.succ[node].items() for d in keyed.values() if d.get("kind") == edge_kind]

    def first_out(self, node: str, edge_kind: str) -> str | None:
        found = self.out(node, edge_kind)
        return found[0][0] if found else None

    def vpc_of(self, node: str) -> str | None:
        return self.first_out(node, k.IN_VPC)

    def objects(self, kind: str) -> list[str]:
        key = ("objects", kind)
        if key not in self._memo:
            self._memo[key] = [n for n, d in self.g.nodes(data=True) if d.get("kind") == kind]
        return self._memo[key]  # type: ignore[return-value]

    # --- construction --------------------------------------------------------------------------------
    def _node(self, node_id: str, kind: str, obj: m.Obj | None = None, loc: Loc | None = None, **attrs: object) -> None:
        self.g.add_node(node_id, kind=kind, obj=obj, loc=loc or (obj.loc if obj else m.NOWHERE), **attrs)

    def _edge(self, a: str, b: str, kind: str, **attrs: object) -> None:
        self.g.add_edge(a, b, kind=kind, **attrs)

    def _target_node(self, ref: object, hint: str = "") -> str:
        if isinstance(ref, str) and ref in self.g:
            return ref
        if isinstance(ref, m.External) and ref.value in self.external_subnets:
            return self.external_subnets[ref.value]
        label = ref.value if isinstance(ref, m.External) else (ref.reason if isinstance(ref, Unknown) else str(ref))
        node = k.unresolved_node(label)
        if node not in self.g:
            reason = ref.reason if isinstance(ref, Unknown) else f"{label} is not defined in the source"
            self._node(node, k.UNRESOLVED, reason=reason, hint=hint)
        return node

    def _build(self) -> None:
        net = self.network
        for obj in net.objects.values():
            self._add_object(obj)
        for vpc in net.of(m.Vpc):
            self._vpc_defaults(vpc)
        self._external_subnets()
        for obj in net.objects.values():
            self._link(obj)
        for vpc in net.of(m.Vpc):
            self._local_routes(vpc)
        for subnet in net.of(m.Subnet):
            self._subnet_defaults(subnet)
        for value, node in self.external_subnets.items():
            if not self.out(node, k.NACL):
                reason = (
                    f"subnet {value} is not defined in the source and no network ACL association in it names "
                    "the subnet, so its network ACL is unknown"
                )
                self._edge(node, self._target_node(Unknown(reason)), k.NACL, via=None)
        for placement in net.of(m.ComputePlacement):
            self._compute_groups(placement)
        for fn in net.of(m.Function):
            self._eni_groups(fn)

    def _add_object(self, obj: m.Obj) -> None:
        kind = _KINDS.get(type(obj))
        if isinstance(obj, m.Instance):
            kind = k.NAT_INSTANCE if obj.source_dest_check is False else k.INSTANCE
        elif isinstance(obj, m.OpaqueGateway):
            kind = obj.gateway_kind
        elif isinstance(obj, m.PrivateTarget):
            kind = obj.target_kind
        elif isinstance(obj, m.ComputePlacement):
            kind = obj.compute_kind
        if kind is None:
            return
        self._node(obj.id, kind, obj)

    def _vpc_defaults(self, vpc: m.Vpc) -> None:
        net = self.network
        main = next((rt.id for rt in net.of(m.RouteTable) if rt.is_main and rt.vpc == vpc.id), None)
        for assoc in net.of(m.MainRouteTableAssociation):
            if assoc.vpc == vpc.id and isinstance(assoc.route_table, str):
                main = assoc.route_table
        if main is None:
            main = m.main_rt_id(vpc.id)
            self._node(main, k.ROUTE_TABLE, m.RouteTable(main, vpc.loc, vpc=vpc.id, is_main=True), synthetic=True)
        self.main_route_tables[vpc.id] = main
        nacl = next((a.id for a in net.of(m.NetworkAcl) if a.is_default and a.vpc == vpc.id), None)
        if nacl is None:
            nacl = m.default_nacl_id(vpc.id)
            entries = [
                m.NaclEntry(100, False, "-1", True, "0.0.0.0/0"),
                m.NaclEntry(100, True, "-1", True, "0.0.0.0/0"),
            ]
            if vpc.cidrs_v6:
                entries += [
                    m.NaclEntry(101, False, "-1", True, None, "::/0"),
                    m.NaclEntry(101, True, "-1", True, None, "::/0"),
                ]
            self._node(
                nacl,
                k.NETWORK_ACL,
                m.NetworkAcl(nacl, vpc.loc, vpc=vpc.id, is_default=True, entries=entries),
                synthetic=True,
            )
        self.default_nacls[vpc.id] = nacl
        sg = next((s.id for s in net.of(m.SecurityGroup) if s.is_default and s.vpc == vpc.id), None)
        if sg is None:
            sg = m.default_sg_id(vpc.id)
            why = "the VPC's default security group"
            egress = [m.SgRule("-1", None, None, "cidr4", "0.0.0.0/0", vpc.loc, why)]
            if vpc.cidrs_v6:
                egress.append(m.SgRule("-1", None, None, "cidr6", "::/0", vpc.loc, why))
            ingress = [m.SgRule("-1", None, None, "sg", sg, vpc.loc, why)]
            self._node(
                sg,
                k.SECURITY_GROUP,
                m.SecurityGroup(sg, vpc.loc, vpc=vpc.id, is_default=True, ingress=ingress, egress=egress),
                synthetic=True,
            )
        self.default_sgs[vpc.id] = sg
        for node in (main, nacl, sg):
            self._edge(node, vpc.id, k.IN_VPC)

    def _external_subnets(self) -> None:
        """A subnet defined elsewhere (a literal id, a parameter's value) that the source associates with one of
        its own route tables: the source knows that subnet's routing, so it gets a subnet node of its own.

        A route table and the subnets associated with it are in one VPC ("The route table and subnet must be
        in the same VPC", EC2 API AssociateRouteTable, AWS SDK for .NET AssociateRouteTableRequest remarks:
        https://docs.aws.amazon.com/sdkfornet1/latest/apidocs/html/T_Amazon_EC2_Model_AssociateRouteTableRequest.htm),
        so the node is in the route table's VPC. Its CIDR
        and zone stay unknown, and its network ACL too unless an association in the source names it.
        """
        for assoc in self.network.of(m.RouteTableAssociation):
            ref, rt = assoc.subnet, assoc.route_table
            if not isinstance(ref, m.External) or ref.value in self.g or ref.value in self.external_subnets:
                continue
            if not isinstance(rt, str) or self.kind(rt) != k.ROUTE_TABLE:
                continue
            table = self.obj(rt)
            vpc = table.vpc if isinstance(table, m.RouteTable) else None
            unknown = f"subnet {ref.value} is not defined in the source"
            subnet = m.Subnet(
                ref.value,
                assoc.loc,
                vpc=vpc,
                cidr_v4=Unknown(f"{unknown}, so its CIDR block is unknown"),
                cidr_v6=Unknown(f"{unknown}, so whether it has an IPv6 CIDR block is unknown"),
                az=Unknown(f"{unknown}, so its Availability Zone is unknown"),
            )
            self._node(ref.value, k.SUBNET, subnet, synthetic=True, external=True)
            self.external_subnets[ref.value] = ref.value
            if isinstance(vpc, str) and self.kind(vpc) == k.VPC:
                self._edge(ref.value, vpc, k.IN_VPC)

    def _subnet_node(self, ref: object) -> str | None:
        """The subnet node a reference names (a subnet of the source, or an external one given a node)."""
        if isinstance(ref, str) and self.kind(ref) == k.SUBNET:
            return ref
        if isinstance(ref, m.External):
            return self.external_subnets.get(ref.value)
        return None

    def _link(self, obj: m.Obj) -> None:
        oid = obj.id
        located = (m.Subnet, m.RouteTable, m.SecurityGroup, m.NetworkAcl, m.VpcEndpoint, m.EgressOnlyInternetGateway)
        if isinstance(obj, located) and isinstance(obj.vpc, str) and self.kind(obj.vpc) == k.VPC:
            self._edge(oid, obj.vpc, k.IN_VPC)
        if isinstance(obj, m.GatewayAttachment) and self.kind(obj.gateway) in (k.INTERNET_GATEWAY, k.VPN_GATEWAY):
            if isinstance(obj.gateway, str) and isinstance(obj.vpc, str) and self.kind(obj.vpc) == k.VPC:
                self._edge(obj.gateway, obj.vpc, k.IN_VPC)
        elif isinstance(obj, m.Route):
            self._route(obj)
        elif isinstance(obj, m.RouteTableAssociation):
            node = self._subnet_node(obj.subnet)
            if node is not None:
                self._edge(node, self._target_node(obj.route_table), k.ASSOCIATED, main=False, via=obj.id)
        elif isinstance(obj, m.NaclAssociation):
            node = self._subnet_node(obj.subnet)
            if node is not None:
                self._edge(node, self._target_node(obj.nacl), k.NACL, via=obj.id)
        elif isinstance(obj, m.NatGateway):
            if obj.subnet is not None:
                self._edge(oid, self._target_node(obj.subnet), k.IN_SUBNET)
            vpc = obj.vpc if isinstance(obj.vpc, str) else None
            if vpc is None and isinstance(obj.subnet, str):
                subnet = self.obj(obj.subnet)
                vpc = subnet.vpc if isinstance(subnet, m.Subnet) and isinstance(subnet.vpc, str) else None
            if vpc and self.kind(vpc) == k.VPC:
                self._edge(oid, vpc, k.IN_VPC)
        elif isinstance(obj, m.Instance):
            if obj.subnet is not None:
                self._edge(oid, self._target_node(obj.subnet), k.IN_SUBNET)
            for sg in obj.security_groups:
                self._edge(oid, self._target_node(sg), k.USES_SG)
        elif isinstance(obj, m.VpcEndpoint):
            service = service_short_name(obj.service)
            if isinstance(service, str) and service:
                node = k.service_node(service)
                if node not in self.g:
                    self._node(node, k.AWS_SERVICE, service=service)
                self._edge(oid, node, k.SERVES)
            etype = obj.endpoint_type.lower() if isinstance(obj.endpoint_type, str) else ""
            if etype == "gateway":
                for rt in obj.route_tables:
                    if isinstance(rt, str) and self.kind(rt) == k.ROUTE_TABLE:
                        self._edge(
                            rt,
                            oid,
                            k.ROUTE,
                            family=4,
                            destination=f"prefix list of {service}",
                            prefix_list=True,
                            route=None,
                        )
            else:
                for sub in obj.subnets:
                    self._edge(oid, self._target_node(sub), k.IN_SUBNET)
                sgs = obj.security_groups or (
                    [self.default_sgs[obj.vpc]] if isinstance(obj.vpc, str) and obj.vpc in self.default_sgs else []
                )
                for sg in sgs:
                    self._edge(oid, self._target_node(sg), k.USES_SG)
        elif isinstance(obj, m.PrivateTarget):
            for sub in obj.subnets:
                self._edge(oid, self._target_node(sub), k.IN_SUBNET)
            sgs = obj.security_groups
            if not sgs:
                # RDS, ElastiCache and OpenSearch use the VPC's default security group when none is given.
                first = self.obj(obj.subnets[0]) if obj.subnets else None
                home = first.vpc if isinstance(first, m.Subnet) else obj.vpc
                sgs = [self.default_sgs[home]] if isinstance(home, str) and home in self.default_sgs else []
            for sg in sgs:
                self._edge(oid, self._target_node(sg), k.USES_SG)
        elif isinstance(obj, m.Function):
            if obj.role is not None:
                self._edge(oid, self._target_node(obj.role), k.USES_ROLE)
        elif isinstance(obj, m.Policy):
            for role in obj.roles:
                if isinstance(role, str) and self.kind(role) == k.ROLE:
                    self._edge(oid, role, k.GRANTS)

    def _route(self, route: m.Route) -> None:
        table = route.route_table
        if not isinstance(table, str) or self.kind(table) != k.ROUTE_TABLE:
            return
        target = self._target_node(route.target, route.target_hint) if route.target is not None else None
        if target is None:
            target = k.unresolved_node("blackhole" if route.blackhole else f"no target on {route.id}")
            if target not in self.g:
                self._node(target, k.UNRESOLVED, reason="the route has no target", hint="")
        if route.prefix_list is not None:
            self._edge(
                table,
                target,
                k.ROUTE,
                family=4,
                destination=route.prefix_list,
                prefix_list=True,
                route=route,
            )
        if route.dest_v4 is not None:
            self._edge(table, target, k.ROUTE, family=4, destination=route.dest_v4, prefix_list=False, route=route)
        if route.dest_v6 is not None:
            self._edge(table, target, k.ROUTE, family=6, destination=route.dest_v6, prefix_list=False, route=route)

    def _local_routes(self, vpc: m.Vpc) -> None:
        for rt, data in self.g.nodes(data=True):
            if data.get("kind") != k.ROUTE_TABLE or self.vpc_of(rt) != vpc.id:
                continue
            for cidr in vpc.cidrs_v4:
                self._edge(rt, vpc.id, k.ROUTE, family=4, destination=cidr, prefix_list=False, route=None, local=True)
            for cidr in vpc.cidrs_v6:
                self._edge(rt, vpc.id, k.ROUTE, family=6, destination=cidr, prefix_list=False, route=None, local=True)

    def _subnet_defaults(self, subnet: m.Subnet) -> None:
        vpc = subnet.vpc if isinstance(subnet.vpc, str) and self.kind(subnet.vpc) == k.VPC else None
        if not self.out(subnet.id, k.ASSOCIATED):
            target = (
                self.main_route_tables.get(vpc)
                if vpc
                else self._target_node(
                    Unknown(f"the VPC of {subnet.id} is not in the source, so its main route table is unknown")
                )
            )
            self._edge(subnet.id, target, k.ASSOCIATED, main=True, via=None)  # type: ignore[arg-type]
        if not self.out(subnet.id, k.NACL):
            target = (
                self.default_nacls.get(vpc)
                if vpc
                else self._target_node(
                    Unknown(f"the VPC of {subnet.id} is not in the source, so its default network ACL is unknown")
                )
            )
            self._edge(subnet.id, target, k.NACL, via=None)  # type: ignore[arg-type]

    def _compute_groups(self, placement: m.ComputePlacement) -> None:
        """One group per subnet of a capacity provider or connector, with its security groups (the VPC's default
        group when it names none) [LMI][NC]; none when its subnets or security groups are unresolved."""
        self.compute_groups[placement.id] = []
        subnets, sgs = placement.subnets, placement.security_groups
        if isinstance(subnets, Unknown) or isinstance(sgs, Unknown):
            return
        if not sgs:
            vpcs = [self.obj(s).vpc for s in subnets if isinstance(self.obj(s), m.Subnet)]  # type: ignore[union-attr]
            vpc = next((v for v in vpcs if isinstance(v, str) and v in self.default_sgs), None)
            sgs = (
                [self.default_sgs[vpc]]
                if vpc
                else [
                    Unknown(f"{placement.id} names no security groups, and the VPC of its subnets is not in the source")
                ]
            )
        keys = tuple(sorted({ref_key(s) for s in sgs}))
        prefix = "cp" if placement.compute_kind == aws.CAPACITY_PROVIDER else "nc"
        for subnet in dict.fromkeys(subnets, None):
            if isinstance(subnet, Unknown) and not isinstance(subnet, m.External):
                continue  # no identity; the placement gets VR001 for it
            gid = f"{prefix}:{placement.id}|{ref_key(subnet)}"
            group = EniGroup(gid, ref_key(subnet), keys, subnet_ref=subnet, sg_refs=tuple(sgs))
            group.compute, group.compute_kind = placement.id, placement.compute_kind
            self.eni_groups[gid] = group
            self._node(gid, k.HYPERPLANE_ENI, group=group)
            self._edge(gid, self._target_node(subnet), k.IN_SUBNET)
            for sg in sgs:
                self._edge(gid, self._target_node(sg), k.USES_SG)
            self._edge(placement.id, gid, k.ATTACHED)
            self.compute_groups[placement.id].append(gid)

    def _eni_groups(self, fn: m.Function) -> None:
        self.function_groups[fn.id] = []
        if fn.managed_instances is not None:
            return
        if fn.compute is not None:
            # The placement replaces the function's own VpcConfig (DESIGN decision 11).
            if fn.compute in self.compute_groups:
                self._edge(fn.id, fn.compute, k.RUNS_ON)
                for gid in self.compute_groups[fn.compute]:
                    self.eni_groups[gid].functions.append(fn.id)
                self.function_groups[fn.id] = list(self.compute_groups[fn.compute])
            return
        if not fn.has_vpc_config:
            return
        if isinstance(fn.subnets, Unknown) or isinstance(fn.security_groups, Unknown):
            return
        sgs = tuple(sorted({ref_key(s) for s in fn.security_groups}))
        sg_refs = tuple(fn.security_groups)
        for subnet in dict.fromkeys(fn.subnets, None):
            if isinstance(subnet, Unknown) and not isinstance(subnet, m.External):
                continue  # no identity to group by; the function gets VR001 for it
            key = ref_key(subnet)
            gid = f"eni:{key}|{','.join(sgs)}"
            group = self.eni_groups.get(gid)
            if group is None:
                group = self.eni_groups[gid] = EniGroup(gid, key, sgs, subnet_ref=subnet, sg_refs=sg_refs)
                self._node(gid, k.HYPERPLANE_ENI, group=group)
                self._edge(gid, self._target_node(subnet), k.IN_SUBNET)
                for sg in sg_refs:
                    self._edge(gid, self._target_node(sg), k.USES_SG)
            if fn.id in group.functions:
                continue
            group.functions.append(fn.id)
            self._edge(fn.id, gid, k.ATTACHED)
            self.function_groups[fn.id].append(gid)


_KINDS: dict[type, str] = {
    m.Vpc: k.VPC,
    m.Subnet: k.SUBNET,
    m.RouteTable: k.ROUTE_TABLE,
    m.InternetGateway: k.INTERNET_GATEWAY,
    m.EgressOnlyInternetGateway: k.EGRESS_ONLY_IGW,
    m.NatGateway: k.NAT_GATEWAY,
    m.VpcEndpoint: k.VPC_ENDPOINT,
    m.SecurityGroup: k.SECURITY_GROUP,
    m.NetworkAcl: k.NETWORK_ACL,
    m.Function: k.FUNCTION,
    m.Role: k.ROLE,
    m.Policy: k.POLICY,
    m.EventSourceMapping: k.EVENT_SOURCE_MAPPING,
    m.EniHolder: k.ENI_HOLDER,
    m.PrefixList: k.PREFIX_LIST,
}


def build(network: m.Network) -> Graph:
    return Graph(network)
