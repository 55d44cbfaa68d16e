"""The reachability walk, once per Hyperplane ENI group and need (SEMANTICS.md §10).

For a group (one subnet × one security-group set) and a need, the walk follows security-group egress →
the subnet's network ACL (request and the return on Lambda's ephemeral ports 1024–65535) → the
longest-prefix route of the subnet's route table → the hop: a NAT gateway (then its own subnet's
ACL and route to an internet gateway attached to the same VPC), an internet gateway (no public IP on a
Hyperplane ENI: no IPv4 internet), an egress-only internet gateway (IPv6), a gateway or interface VPC
endpoint, the local route, or an opaque gateway (unknown). Results are cached per (group, need). A
verdict's hops end at the last resource on the path (the NAT's internet gateway, the endpoint, the
target), never at a synthetic node.
"""

from __future__ import annotations

import dataclasses

from vpcreach.graph import aws
from vpcreach.graph import kinds as k
from vpcreach.graph import model as m
from vpcreach.graph.build import EniGroup, Graph, ref_key
from vpcreach.graph.model import Unknown

from .filters import Decision, nacl_allows, security_groups_allow
from .flows import ANY4, ANY6, BLOCKED, EPHEMERAL, REACHABLE, UNKNOWN, Flow, Network, Verdict, parse_net

HTTPS = 443

# Explanation codes → what they mean for the rules (analyzer/rules reads these, never the walk).
SG_EGRESS = "SG_EGRESS"
NACL = "NACL"
NO_ROUTE = "NO_ROUTE"
IGW_NO_PUBLIC_IP = "IGW_NO_PUBLIC_IP"
NAT_BROKEN = "NAT_BROKEN"
UNRESOLVED = "UNRESOLVED"
OPAQUE = "OPAQUE"
DNS_DISABLED = "DNS_DISABLED"
ENDPOINT_SG = "ENDPOINT_SG"
TARGET_SG = "TARGET_SG"
TARGET_ROUTE = "TARGET_ROUTE"
IPV6_DISABLED = "IPV6_DISABLED"
# Reachable only through an interface endpoint whose service has no private DNS, if the code names it.
ENDPOINT_URL = "ENDPOINT_URL"
BPA = "BPA"  # VPC Block Public Access drops the traffic at the internet gateway


# The walks of one analysis together may examine this many security-group rules, route entries and ACL
# entries: the time goal of a hostile input (≤ 10 s for anything within the file limit, bench/hostile.py)
# bounds the work, not only the bytes. The largest benchmark network (r480: 380 functions, 48 ENI groups)
# takes 2,225; a generated 2 MB template of 3,000 functions in 18,000 groups 236,717 (~4 s).
MAX_WALK_STEPS = 300_000


class WalkLimitExceeded(Exception):
    """The network asks for more reachability work than vpcreach spends on one input (one error line)."""


class Walker:
    def __init__(self, graph: Graph, assume_bpa: str = "off") -> None:
        self.graph = graph
        # VPC Block Public Access: the source's own setting wins over the assumed one (--assume-bpa) [BPA].
        declared = graph.network.of(m.BlockPublicAccess)
        self.bpa: m.BlockPublicAccess | None = declared[0] if declared else None
        self.bpa_mode: str | Unknown = self.bpa.mode if self.bpa else aws.BPA_ASSUMED.get(assume_bpa, aws.BPA_OFF)
        self.bpa_exclusions: list[m.BlockPublicAccessExclusion] = graph.network.of(m.BlockPublicAccessExclusion)
        self.steps = 0
        self._cache: dict[tuple[str, str], Verdict] = {}
        self._routes: dict[tuple, tuple] = {}
        # Groups share subnets and so ACLs: decide each (ACL, direction, ports, peer) once.
        self._acls: dict[tuple, Decision] = {}

    # --- public entry points ------------------------------------------------------------------------
    def internet(self, gid: str, family: int = 4) -> Verdict:
        return self._cached(gid, f"internet{family}", lambda g: self._internet(g, family))

    def service(self, gid: str, service: str) -> Verdict:
        return self._cached(gid, f"svc:{service}", lambda g: self._service(g, service))

    def private(self, gid: str, target: str, port: int) -> Verdict:
        return self._cached(gid, f"tcp:{port}@{target}", lambda g: self._private(g, target, port))

    def _cached(self, gid: str, key: str, compute) -> Verdict:
        hit = self._cache.get((gid, key))
        if hit is None:
            self.charge(1)
            group = self.graph.eni_groups[gid]
            hit = self._cache[(gid, key)] = compute(group)
        return hit

    def charge(self, steps: int) -> None:
        """Count work against MAX_WALK_STEPS before doing it."""
        self.steps += steps
        if self.steps > MAX_WALK_STEPS:
            raise WalkLimitExceeded(
                f"the network needs more than {MAX_WALK_STEPS:,} reachability steps "
                f"({len(self.graph.eni_groups):,} Hyperplane ENI groups), more than vpcreach spends on one input; "
                "split it into smaller templates or roots"
            )

    def _sgs_allow(
        self,
        sg_refs: tuple | list,
        flow: Flow,
        egress: bool,
        peer_sgs: frozenset[str],
        peer_net: Network | None,
        peer: tuple[str, str] = ("", ""),
    ) -> Decision:
        """security_groups_allow, its rules counted against the step budget first.

        `peer` names the other side for the explanation: (who, its subnet), e.g. ("the function", "PrivateSubnetA").
        """
        rules = 0
        for ref in sg_refs:
            sg = self.graph.obj(ref)
            if isinstance(sg, m.SecurityGroup):
                rules += len(sg.egress if egress else sg.ingress)
        self.charge(1 + rules)
        d = security_groups_allow(self.graph, sg_refs, flow, egress, peer_sgs, peer_net)
        if d.status == BLOCKED and d.allowed:
            # The rules allow the port to someone else: say whom the flow needs them to allow.
            d = dataclasses.replace(d, detail=f"{d.detail}; {_wanted(flow, egress, peer_sgs, peer_net, peer)}")
        return d

    # --- shared steps --------------------------------------------------------------------------------
    def _subnet(self, group: EniGroup) -> tuple[m.Subnet | None, Verdict | None]:
        subnet = self.graph.obj(group.subnet_ref)
        if isinstance(subnet, m.Subnet):
            if subnet.ipv6_native is True:
                return None, Verdict(
                    UNKNOWN, [group.id, subnet.id], UNRESOLVED, subnet.id, aws.ipv6_only_subnet(subnet.id)
                )
            if isinstance(subnet.ipv6_native, Unknown):
                reason = f"whether subnet {subnet.id} is IPv6-only is unknown ({subnet.ipv6_native.reason})"
                return None, Verdict(UNKNOWN, [group.id, subnet.id], UNRESOLVED, subnet.id, reason)
            return subnet, None
        ref = group.subnet_ref
        reason = ref.reason if isinstance(ref, Unknown) else f"subnet {group.subnet} is not defined in the source"
        return None, Verdict(UNKNOWN, [group.id], UNRESOLVED, group.subnet, reason)

    def _route_table(self, subnet_id: str) -> str:
        found = self.graph.out(subnet_id, k.ASSOCIATED)
        return found[0][0] if found else k.unresolved_node("no route table")

    def _nacl(self, subnet_id: str) -> str:
        found = self.graph.out(subnet_id, k.NACL)
        return found[0][0] if found else k.unresolved_node("no network ACL")

    def lookup(self, rt: str, family: int, dest: Network | None) -> tuple[str | None, dict | None, Verdict | None]:
        """Longest-prefix match in `rt` for `dest` (0/0 = any public address). Returns (target, edge, problem)."""
        key = (rt, family, dest)
        hit = self._routes.get(key)
        if hit is None:
            self.charge(1 + len(self.graph.out(rt, k.ROUTE)) if rt in self.graph.g else 1)
            hit = self._routes[key] = self._lookup(rt, family, dest)
        target, edge, problem = hit
        # Verdicts are extended by callers; hand out a copy of a cached problem.
        return target, edge, (dataclasses.replace(problem, hops=list(problem.hops)) if problem else None)

    def _lookup(self, rt: str, family: int, dest: Network | None) -> tuple[str | None, dict | None, Verdict | None]:
        g = self.graph
        if g.kind(rt) != k.ROUTE_TABLE:
            reason = g.g.nodes[rt].get("reason", "route table unknown") if rt in g.g else "route table unknown"
            return None, None, Verdict(UNKNOWN, [rt], UNRESOLVED, rt, reason)
        best: tuple[int, str, dict] | None = None
        unresolved: dict | None = None
        halves: dict = {}  # 0.0.0.0/1 + 128.0.0.0/1 (or ::/1 + 8000::/1) also send "any address" somewhere
        for target, data in g.out(rt, k.ROUTE):
            if data.get("family") != family or data.get("prefix_list"):
                continue
            net = parse_net(data.get("destination"))
            if net is None:
                # A VPC's own CIDR (local route) never covers every address, known or not.
                if not (data.get("local") and (dest is None or dest.prefixlen == 0)):
                    unresolved = unresolved or data
                continue
            if dest is None or dest.prefixlen == 0:
                covers = net.prefixlen == 0
            else:
                covers = dest.version == net.version and dest.subnet_of(net)  # type: ignore[arg-type]
            if covers and (best is None or net.prefixlen > best[0]):
                best = (net.prefixlen, target, data)
            elif net.prefixlen == 1 and (dest is None or dest.prefixlen == 0):
                halves[net] = (target, data)
        if best is None and len(halves) == 2:
            targets = {t for t, _ in halves.values()}
            if len(targets) == 1:
                target, data = next(iter(halves.values()))
                best = (1, target, data)
            else:
                return (
                    None,
                    None,
                    Verdict(
                        UNKNOWN,
                        [rt],
                        UNRESOLVED,
                        rt,
                        f"{rt} splits the default route between {', '.join(sorted(targets))}",
                    ),
                )
        if best is None or (unresolved is not None and dest is not None and dest.prefixlen > 0):
            if unresolved is not None:
                route = unresolved.get("route")
                label = route.id if route else rt
                return (
                    None,
                    None,
                    Verdict(
                        UNKNOWN, [rt], UNRESOLVED, label, f"route {label} has a destination that could not be resolved"
                    ),
                )
            return None, None, None
        return best[1], best[2], None

    def _routes_text(self, rt: str, family: int) -> str:
        """The non-local routes of `rt` for `family`, as `destination to target` (for explanations)."""
        out = []
        for target, data in self.graph.out(rt, k.ROUTE):
            if data.get("family") != family or data.get("local"):
                continue
            dest = data.get("destination")
            if data.get("prefix_list") and isinstance(dest, str) and dest.startswith("prefix list of "):
                dest = f"the {dest}"  # a gateway endpoint's route (graph/build.py)
            elif data.get("prefix_list") and not isinstance(dest, str):
                served = sorted(self.graph.g.nodes[v].get("service", "") for v, _ in self.graph.out(target, k.SERVES))
                dest = f"the {' / '.join(served)} prefix list" if served else "a prefix list"
            out.append(
                f"{dest if isinstance(dest, str) else 'an unresolved destination'} to {target.split(':', 1)[-1]}"
            )
        return ", ".join(sorted(set(out)))

    def _filters_out(
        self, group: EniGroup, subnet: m.Subnet, flow: Flow, peer_sgs: frozenset[str], peer: Network | None
    ) -> Verdict | None:
        """Security-group egress, then the subnet ACL both ways. None when everything allows the flow."""
        sg = self._sgs_allow(group.sg_refs, flow, True, peer_sgs, peer)
        if sg.status != REACHABLE:
            first = _from_decision(sg, [group.id], SG_EGRESS)
            if first.status == BLOCKED:
                _also(first, self._acl_pair(self._nacl(subnet.id), flow, peer, [group.id, subnet.id], True))
            return first
        return self._acl_pair(self._nacl(subnet.id), flow, peer, [group.id, subnet.id], outbound_first=True)

    def _acl_pair(
        self, nacl: str, flow: Flow, peer: Network | None, hops: list[str], outbound_first: bool
    ) -> Verdict | None:
        """The request one way on the service port and the return the other way on ephemeral ports."""
        if outbound_first:
            checks = ((True, (flow.port, flow.port)), (False, EPHEMERAL))
        else:
            checks = ((False, (flow.port, flow.port)), (True, EPHEMERAL))
        for egress, ports in checks:
            key = (nacl, egress, flow.protocol, ports, peer, flow.family)
            d = self._acls.get(key)
            if d is None:
                acl = self.graph.obj(nacl)
                self.charge(1 + (len(acl.entries) if isinstance(acl, m.NetworkAcl) else 0))
                d = self._acls[key] = nacl_allows(self.graph, nacl, egress, flow.protocol, ports, peer, flow.family)
            if d.status != REACHABLE:
                return _from_decision(d, [*hops, nacl], NACL)
        return None

    # --- internet -----------------------------------------------------------------------------------
    def _internet(self, group: EniGroup, family: int) -> Verdict:
        subnet, problem = self._subnet(group)
        if problem:
            return problem
        assert subnet is not None
        # DNS support off blocks, and so does a subnet without IPv6 for an IPv6 need; past either the walk goes
        # on as if it passed (decision 14).
        walked = _Walked()
        if walked.stop(self._dns_support(subnet)):
            return walked.first  # type: ignore[return-value]
        if family == 6 and subnet.cidr_v6 is None:
            walked.stop(
                Verdict(
                    BLOCKED,
                    [group.id, subnet.id],
                    IPV6_DISABLED,
                    subnet.id,
                    f"subnet {subnet.id} has no IPv6 CIDR block",
                )
            )
        flow = Flow(family, HTTPS, ANY6 if family == 6 else ANY4)
        return walked.end(self._internet_flow(group, subnet, flow))

    def _internet_flow(self, group: EniGroup, subnet: m.Subnet, flow: Flow) -> Verdict:
        blocked = self._filters_out(group, subnet, flow, frozenset(), flow.dest)
        if blocked:
            if blocked.status == UNKNOWN and blocked.hops[-1:] == [self._nacl(subnet.id)]:
                # A subnet's network ACL that cannot be judged (that of a subnet defined elsewhere whose route
                # table the source gives) does not matter when that route table has no route at all: the
                # subnet's traffic is blocked either way.
                no_route = self._no_route(group, subnet, flow)
                if no_route is not None:
                    return no_route
            if blocked.status == BLOCKED:
                _also(blocked, self._internet_route(group, subnet, flow))
            return blocked
        return self._internet_route(group, subnet, flow)

    def _internet_route(self, group: EniGroup, subnet: m.Subnet, flow: Flow) -> Verdict:
        """The subnet's route for a public destination and the hop it leads to."""
        rt = self._route_table(subnet.id)
        hops = [group.id, subnet.id, rt]
        target, edge, problem = self.lookup(rt, flow.family, flow.dest)
        if problem:
            problem.hops = [group.id, subnet.id, *problem.hops]
            return problem
        any_text = "::/0" if flow.family == 6 else "0.0.0.0/0"
        if target is None:
            routes = self._routes_text(rt, flow.family)
            only = f"; it routes only {routes}" if routes else ""
            return Verdict(BLOCKED, hops, NO_ROUTE, rt, f"route table {rt} has no route for {any_text}{only}")
        evidence = [str(edge["route"].loc)] if edge and edge.get("route") else []
        kind = self.graph.kind(target)
        hops = [*hops, target]
        if kind == k.INTERNET_GATEWAY:
            if flow.family == 6:
                return self._igw_attached(target, subnet, hops, evidence)
            if group.compute_kind == aws.CAPACITY_PROVIDER:
                return Verdict(
                    UNKNOWN,
                    hops,
                    UNRESOLVED,
                    target,
                    f"{rt} sends {any_text} to internet gateway {target}, and {aws.MANAGED_INSTANCE_PUBLIC_IP_UNKNOWN}",
                    evidence=evidence,
                )
            return Verdict(
                BLOCKED,
                hops,
                IGW_NO_PUBLIC_IP,
                target,
                f"{rt} sends {any_text} to internet gateway {target}, but a Lambda Hyperplane ENI has no public IP",
                evidence=evidence,
            )
        if kind == k.EGRESS_ONLY_IGW:
            if flow.family == 6:
                return self._igw_attached(target, subnet, hops, evidence)
            return Verdict(
                BLOCKED, hops, NO_ROUTE, target, "an egress-only internet gateway carries only IPv6", evidence=evidence
            )
        if kind == k.NAT_GATEWAY:
            if flow.family == 6:
                return Verdict(
                    BLOCKED,
                    hops,
                    NO_ROUTE,
                    target,
                    f"{any_text} goes to NAT gateway {target}, which does not carry IPv6 to the internet",
                )
            return self._nat_gateway(target, subnet, flow, hops, evidence)
        if kind in (k.NAT_INSTANCE, k.INSTANCE):
            return self._nat_instance(target, group, subnet, flow, hops, evidence)
        if kind in k.OPAQUE_KINDS or kind == k.VPN_GATEWAY:
            return Verdict(
                UNKNOWN,
                hops,
                OPAQUE,
                target,
                f"{any_text} leaves through {kind} {target}; the far side is not in the source",
                evidence=evidence,
            )
        if kind == k.UNRESOLVED:
            reason = self.graph.g.nodes[target].get("reason", "route target unknown")
            return Verdict(
                UNKNOWN,
                hops,
                UNRESOLVED,
                target,
                f"{any_text} goes to {target.split(':', 1)[-1]}: {reason}",
                evidence=evidence,
            )
        if kind == k.VPC_ENDPOINT:
            return Verdict(
                UNKNOWN,
                hops,
                OPAQUE,
                target,
                f"{any_text} goes through endpoint {target} (an inspection appliance); what lies beyond is not in the source",
                evidence=evidence,
            )
        return Verdict(
            UNKNOWN,
            hops,
            UNRESOLVED,
            target,
            f"{any_text} goes to {target}, a target vpcreach does not model",
            evidence=evidence,
        )

    def _no_route(self, group: EniGroup, subnet: m.Subnet, flow: Flow) -> Verdict | None:
        """The verdict of a route table that certainly has no route for the flow, else None."""
        rt = self._route_table(subnet.id)
        target, _, problem = self.lookup(rt, flow.family, flow.dest)
        if target is not None or problem is not None:
            return None
        any_text = "::/0" if flow.family == 6 else "0.0.0.0/0"
        return Verdict(
            BLOCKED, [group.id, subnet.id, rt], NO_ROUTE, rt, f"route table {rt} has no route for {any_text}"
        )

    def _bpa_check(
        self, vpc: str | None, subnet: str | None, hops: list[str], gateway: str, nat: str | None = None
    ) -> Verdict | None:
        """None when VPC Block Public Access lets traffic from `subnet` (None: a regional NAT gateway, which has no
        subnet) in `vpc` through `gateway`; else why not [BPA]."""
        mode = self.bpa_mode
        where = (
            f"set by {self.bpa.id}"
            if self.bpa
            else "assumed: --assume-bpa or config assume_bpa bidirectional; the source does not set it"
        )
        if isinstance(mode, Unknown):
            return Verdict(
                UNKNOWN,
                hops,
                UNRESOLVED,
                gateway,
                f"the VPC Block Public Access mode is unknown ({mode.reason})",
                nat=nat,
            )
        if mode != aws.BPA_BIDIRECTIONAL:
            return None
        uncertain = None
        for x in self.bpa_exclusions:
            covers_vpc = x.vpc is not None and x.vpc == vpc
            covers_subnet = x.subnet is not None and subnet is not None and x.subnet == subnet
            if isinstance(x.mode, Unknown) and (covers_vpc or covers_subnet):
                uncertain = f"the mode of exclusion {x.id} is unknown ({x.mode.reason})"
            elif covers_vpc or covers_subnet:
                if x.mode in aws.BPA_EGRESS_EXCLUSIONS:
                    return None
            elif isinstance(x.vpc, Unknown) or isinstance(x.subnet, Unknown):
                uncertain = f"what exclusion {x.id} covers is unknown"
            elif subnet is None and x.subnet is not None and x.mode in aws.BPA_EGRESS_EXCLUSIONS:
                uncertain = (
                    f"whether subnet exclusion {x.id} lets a regional NAT gateway's traffic out is not documented"
                )
        if uncertain:
            return Verdict(
                UNKNOWN,
                hops,
                UNRESOLVED,
                gateway,
                f"VPC Block Public Access is block-bidirectional ({where}), and {uncertain}",
                nat=nat,
            )
        scope = f"subnet {subnet} or VPC {vpc}" if subnet else f"VPC {vpc}"
        return Verdict(
            BLOCKED,
            hops,
            BPA,
            subnet or vpc or gateway,
            f"VPC Block Public Access is block-bidirectional ({where}), and no allow-egress or allow-bidirectional "
            f"exclusion covers {scope}, so internet gateway {gateway} drops the traffic",
            nat=nat,
        )

    def _igw_attached(self, gateway: str, subnet: m.Subnet, hops: list[str], evidence: list[str]) -> Verdict:
        vpc = subnet.vpc if isinstance(subnet.vpc, str) else None
        obj = self.graph.obj(gateway)
        attached = self.graph.vpc_of(gateway) if not isinstance(obj, m.EgressOnlyInternetGateway) else obj.vpc
        if attached is None or vpc is None:
            if isinstance(obj, m.EgressOnlyInternetGateway) and isinstance(obj.vpc, Unknown):
                return Verdict(UNKNOWN, hops, UNRESOLVED, gateway, obj.vpc.reason)
            return Verdict(BLOCKED, hops, NO_ROUTE, gateway, f"{gateway} is not attached to the VPC", evidence=evidence)
        if attached != vpc:
            return Verdict(
                BLOCKED,
                hops,
                NO_ROUTE,
                gateway,
                f"{gateway} is attached to {attached}, not to {vpc}",
                evidence=evidence,
            )
        return self._bpa_check(vpc, subnet.id, hops, gateway) or Verdict(REACHABLE, hops, evidence=evidence)

    def _nat_gateway(
        self, nat_id: str, fn_subnet: m.Subnet, flow: Flow, hops: list[str], evidence: list[str]
    ) -> Verdict:
        nat = self.graph.obj(nat_id)
        assert isinstance(nat, m.NatGateway)
        if isinstance(nat.connectivity, Unknown):
            return Verdict(
                UNKNOWN,
                hops,
                UNRESOLVED,
                nat_id,
                f"connectivity type of {nat_id}: {nat.connectivity.reason}",
                nat=nat_id,
            )
        # Past each blocking hop of the NAT chain the walk goes on as if it passed (decision 14): its subnet's ACL
        # and its route to an internet gateway are still checked when the NAT itself cannot work.
        walked = _Walked()
        private = nat.connectivity == "private"
        if private:
            walked.stop(
                Verdict(
                    BLOCKED,
                    hops,
                    NAT_BROKEN,
                    nat_id,
                    f"{nat_id} is a private NAT gateway; an internet gateway drops traffic from it",
                    nat=nat_id,
                    evidence=evidence,
                )
            )
        vpc = self.graph.vpc_of(nat_id) or (fn_subnet.vpc if isinstance(fn_subnet.vpc, str) else None)
        if nat.regional:
            igw = self._attached_igw(vpc)
            if igw is None:
                return walked.end(
                    Verdict(
                        BLOCKED,
                        hops,
                        NAT_BROKEN,
                        nat_id,
                        f"regional NAT gateway {nat_id} has no internet gateway attached to {vpc}",
                        nat=nat_id,
                    )
                )
            walked.stop(self._bpa_check(vpc, None, [*hops, igw], igw, nat_id))
            return walked.end(Verdict(REACHABLE, [*hops, igw], nat=nat_id, evidence=evidence))
        if not private:
            if isinstance(nat.has_public_ip, Unknown):
                return walked.end(Verdict(UNKNOWN, hops, UNRESOLVED, nat_id, nat.has_public_ip.reason, nat=nat_id))
            if not nat.has_public_ip:
                walked.stop(
                    Verdict(
                        BLOCKED,
                        hops,
                        NAT_BROKEN,
                        nat_id,
                        f"public NAT gateway {nat_id} has no Elastic IP allocation",
                        nat=nat_id,
                    )
                )
        nat_subnet = self.graph.obj(nat.subnet)
        if not isinstance(nat_subnet, m.Subnet):
            reason = (
                nat.subnet.reason
                if isinstance(nat.subnet, Unknown)
                else f"the subnet of {nat_id} is not defined in the source"
            )
            return walked.end(Verdict(UNKNOWN, hops, UNRESOLVED, nat_id, reason, nat=nat_id))
        hops = [*hops, nat_subnet.id]
        fn_net = parse_net(fn_subnet.cidr_v4)
        nacl = self._nacl(nat_subnet.id)
        # The NAT subnet's ACL sees the function's request come in and leave for the internet, and the
        # mirror pair on the way back: the same two-way check as for the function's own subnet.
        blocked = self._acl_pair(nacl, flow, fn_net, hops, outbound_first=False) or self._acl_pair(
            nacl, flow, ANY4, hops, outbound_first=True
        )
        if walked.stop(_on_nat(blocked, nat_id)):
            return walked.first  # type: ignore[return-value]
        rt = self._route_table(nat_subnet.id)
        hops = [*hops, rt]
        target, edge, problem = self.lookup(rt, 4, ANY4)
        if problem:
            problem.hops = [*hops[:-1], *problem.hops]
            problem.nat = nat_id
            return walked.end(problem)
        if target is None:
            return walked.end(
                Verdict(
                    BLOCKED,
                    hops,
                    NAT_BROKEN,
                    nat_id,
                    f"{nat_id} sits in {nat_subnet.id}, whose route table {rt} has no 0.0.0.0/0 route to an internet gateway",
                    nat=nat_id,
                )
            )
        kind = self.graph.kind(target)
        if edge and edge.get("route"):
            evidence = [*evidence, str(edge["route"].loc)]
        if kind == k.INTERNET_GATEWAY:
            attached = self.graph.vpc_of(target)
            if attached is None or (vpc is not None and attached != vpc):
                return walked.end(
                    Verdict(
                        BLOCKED,
                        [*hops, target],
                        NAT_BROKEN,
                        nat_id,
                        f"{nat_id} routes to internet gateway {target}, which is not attached to the VPC",
                        nat=nat_id,
                    )
                )
            walked.stop(self._bpa_check(vpc, nat_subnet.id, [*hops, target], target, nat_id))
            return walked.end(Verdict(REACHABLE, [*hops, target], nat=nat_id, evidence=evidence))
        if kind in (k.UNRESOLVED, *k.OPAQUE_KINDS):
            reason = self.graph.g.nodes[target].get("reason", f"{target} is not in the source")
            return walked.end(
                Verdict(
                    UNKNOWN,
                    [*hops, target],
                    UNRESOLVED,
                    target,
                    f"the NAT gateway's subnet routes 0.0.0.0/0 to {target.split(':', 1)[-1]}: {reason}",
                    nat=nat_id,
                )
            )
        return walked.end(
            Verdict(
                BLOCKED,
                [*hops, target],
                NAT_BROKEN,
                nat_id,
                f"{nat_id} sits in {nat_subnet.id}, whose 0.0.0.0/0 route goes to {target}, not an internet gateway",
                nat=nat_id,
            )
        )

    def _attached_igw(self, vpc: str | None) -> str | None:
        if vpc is None:
            return None
        for node in self.graph.objects(k.INTERNET_GATEWAY):
            if self.graph.vpc_of(node) == vpc:
                return node
        return None

    def _nat_instance(
        self, inst_id: str, group: EniGroup, fn_subnet: m.Subnet, flow: Flow, hops: list[str], evidence: list[str]
    ) -> Verdict:
        inst = self.graph.obj(inst_id)
        assert isinstance(inst, m.Instance)
        # Past each blocking hop the walk goes on as if it passed (decision 14): the instance's check, its public
        # IP, its security groups and its subnet's route are each reported.
        walked = _Walked()
        unknown = Verdict(
            UNKNOWN, hops, UNRESOLVED, inst_id, f"whether {inst_id} can act as a NAT instance is unknown", nat=inst_id
        )
        if inst.source_dest_check is True:
            walked.stop(
                Verdict(
                    BLOCKED,
                    hops,
                    NAT_BROKEN,
                    inst_id,
                    f"{inst_id} has its source/destination check on, so it cannot forward traffic",
                    nat=inst_id,
                )
            )
        if isinstance(inst.source_dest_check, Unknown) or isinstance(inst.public_ip, Unknown):
            return walked.end(unknown)
        if not inst.public_ip:
            walked.stop(
                Verdict(BLOCKED, hops, NAT_BROKEN, inst_id, f"NAT instance {inst_id} has no public IP", nat=inst_id)
            )
        # Unlike a NAT gateway, a NAT instance's own security groups apply [NATCMP].
        fn_net = parse_net(fn_subnet.cidr_v4)
        d = self._sgs_allow(
            inst.security_groups, flow, False, frozenset(group.security_groups), fn_net, ("the function", fn_subnet.id)
        )
        if d.status != REACHABLE:
            v = _from_decision(d, [*hops], NAT_BROKEN)
            v.nat = inst_id
            v.detail = f"NAT instance {inst_id}: {v.detail}"
            if walked.stop(v):
                return walked.first  # type: ignore[return-value]
        inst_subnet = self.graph.obj(inst.subnet)
        if not isinstance(inst_subnet, m.Subnet):
            return walked.end(
                Verdict(
                    UNKNOWN,
                    hops,
                    UNRESOLVED,
                    inst_id,
                    f"the subnet of {inst_id} is not defined in the source",
                    nat=inst_id,
                )
            )
        rt = self._route_table(inst_subnet.id)
        target, _edge, problem = self.lookup(rt, 4, ANY4)
        if problem or target is None or self.graph.kind(target) != k.INTERNET_GATEWAY:
            if problem:
                problem.nat = inst_id
                return walked.end(problem)
            return walked.end(
                Verdict(
                    BLOCKED,
                    [*hops, inst_subnet.id, rt],
                    NAT_BROKEN,
                    inst_id,
                    f"NAT instance {inst_id}'s subnet has no route to an internet gateway",
                    nat=inst_id,
                )
            )
        inst_vpc = inst_subnet.vpc if isinstance(inst_subnet.vpc, str) else None
        walked.stop(self._bpa_check(inst_vpc, inst_subnet.id, [*hops, inst_subnet.id, rt, target], target, inst_id))
        return walked.end(Verdict(REACHABLE, [*hops, inst_subnet.id, rt, target], nat=inst_id, evidence=evidence))

    def _dns_support(self, subnet: m.Subnet) -> Verdict | None:
        vpc = self.graph.obj(subnet.vpc)
        if isinstance(vpc, m.Vpc):
            if vpc.dns_support is False:
                return Verdict(
                    BLOCKED,
                    [subnet.id, vpc.id],
                    DNS_DISABLED,
                    vpc.id,
                    f"VPC {vpc.id} has DNS support turned off, so no AWS or public hostname resolves",
                )
            if isinstance(vpc.dns_support, Unknown):
                return Verdict(
                    UNKNOWN,
                    [subnet.id, vpc.id],
                    UNRESOLVED,
                    vpc.id,
                    f"DNS support of {vpc.id}: {vpc.dns_support.reason}",
                )
        return None

    # --- AWS services ---------------------------------------------------------------------------------
    def _service(self, group: EniGroup, service: str) -> Verdict:
        subnet, problem = self._subnet(group)
        if problem:
            return problem
        assert subnet is not None
        dns = self._dns_support(subnet)
        if dns is not None and dns.status == BLOCKED:
            # Past DNS support off the walk goes on as if names resolved (decision 14); the rest of the walk's
            # endpoint facts (VR107, VR109) are not reported on top of it: with DNS off no hostname resolves.
            return _also(dns, self._service_walk(group, subnet, service, assume_dns=True))
        if dns:
            return dns
        return self._service_walk(group, subnet, service)

    def _service_walk(self, group: EniGroup, subnet: m.Subnet, service: str, assume_dns: bool = False) -> Verdict:
        vpc = subnet.vpc if isinstance(subnet.vpc, str) else None
        rt = self._route_table(subnet.id)
        # 1. A gateway endpoint on this route table wins by longest prefix over 0.0.0.0/0 [RT][GWE].
        for target, data in self.graph.out(rt, k.ROUTE):
            if data.get("prefix_list") and self.graph.kind(target) == k.VPC_ENDPOINT and self._serves(target, service):
                flow = Flow(4, HTTPS, ANY4, service=service)
                blocked = self._filters_out(group, subnet, flow, frozenset(), ANY4)
                if blocked:
                    blocked.endpoint = target
                    return blocked
                return Verdict(REACHABLE, [group.id, subnet.id, rt, target], endpoint=target)
        unrouted = [ep for ep in self._endpoints(vpc, service) if self._endpoint_type(ep) == "gateway"]
        # 2. An interface endpoint for the function's own Region, if default SDK hostnames resolve to it. Other
        # endpoint types never serve a service need; one whose type or Region is unknown may (SEMANTICS §11).
        interface = []
        uncertain: list[tuple[str, str]] = []
        for ep in self._endpoints(vpc, service):
            why = self._serves_here(ep)
            if why is None:
                interface.append(ep)
            elif isinstance(why, Unknown):
                uncertain.append((ep, why.reason))
        usable = []
        skipped: list[tuple[str, str]] = []
        for ep in interface:
            issue = self._endpoint_dns(ep, assume_dns)
            if issue is None:
                usable.append(ep)
            else:
                skipped.append((ep, issue.reason if isinstance(issue, Unknown) else str(issue)))
        verdict = self._service_path(group, subnet, rt, service, interface, usable, assume_dns)
        if uncertain and verdict.status == BLOCKED:
            ep, reason = uncertain[0]
            verdict = Verdict(
                UNKNOWN,
                [group.id, subnet.id, ep],
                UNRESOLVED,
                ep,
                f"whether {ep} serves the function's {service} calls is unknown: {reason}",
                endpoint=ep,
            )
        if skipped or unrouted:
            # The walk's own result: a copy, so a verdict shared with another walk is never changed.
            verdict = dataclasses.replace(verdict, dns_skipped=skipped, unrouted_gateways=unrouted)
        return verdict

    def _service_path(
        self,
        group: EniGroup,
        subnet: m.Subnet,
        rt: str,
        service: str,
        interface: list[str],
        usable: list[str],
        assume_dns: bool = False,
    ) -> Verdict:
        for ep in usable:
            return self._via_interface_endpoint(group, subnet, rt, ep, service)
        if any(isinstance(self._endpoint_dns(ep, assume_dns), Unknown) for ep in interface):
            ep = interface[0]
            return Verdict(
                UNKNOWN,
                [group.id, subnet.id, ep],
                UNRESOLVED,
                ep,
                f"whether {ep} answers the default {service} hostname is unknown",
            )
        # 3. Otherwise the public endpoint, over the internet path.
        flow = Flow(4, HTTPS, ANY4, service=service)
        public = self._internet_flow(group, subnet, flow)
        if public.status == BLOCKED and service in aws.NO_PRIVATE_DNS_SERVICES:
            # The default hostname never resolves to such an endpoint, but the code may set its client's
            # endpoint URL to the endpoint's own DNS name (vpce-....streams.dynamodb.<region>.vpce.amazonaws.com;
            # DynamoDB Developer Guide, "AWS PrivateLink for DynamoDB Streams"), which no template shows: unknown.
            for ep in interface:
                via = self._via_interface_endpoint(group, subnet, rt, ep, service)
                if via.status != BLOCKED:
                    return Verdict(
                        UNKNOWN,
                        via.hops,
                        ENDPOINT_URL,
                        ep,
                        f"the default {service} hostname resolves to its public endpoint, which is not reachable "
                        f"({public.detail}); the path goes through "
                        f"interface endpoint {ep} only if the code sets the {service} client's endpoint URL to "
                        f"{ep}'s DNS name ({service} endpoints have no private DNS), which the source does not show",
                        endpoint=ep,
                        evidence=public.evidence,
                    )
        return public

    def _serves(self, endpoint: str, service: str) -> bool:
        return any(self.graph.g.nodes[v].get("service") == service for v, _ in self.graph.out(endpoint, k.SERVES))

    def _endpoints(self, vpc: str | None, service: str) -> list[str]:
        if vpc is None:
            return []
        out = []
        for node, _ in (
            self.graph.g.in_edges(k.service_node(service)) if k.service_node(service) in self.graph.g else []
        ):
            if self.graph.kind(node) == k.VPC_ENDPOINT and self.graph.vpc_of(node) == vpc:
                out.append(node)
        return sorted(set(out))

    def _endpoint_type(self, ep: str) -> str:
        obj = self.graph.obj(ep)
        etype = obj.endpoint_type if isinstance(obj, m.VpcEndpoint) else ""
        return etype.lower() if isinstance(etype, str) else "unknown"

    def _serves_here(self, ep: str) -> str | Unknown | None:
        """None when `ep` is an interface endpoint for the function's own Region; else why not (Unknown: maybe)."""
        obj = self.graph.obj(ep)
        assert isinstance(obj, m.VpcEndpoint)
        if isinstance(obj.endpoint_type, Unknown):
            return Unknown(f"the endpoint type of {ep} is unknown ({obj.endpoint_type.reason})")
        etype = aws.endpoint_type(obj.endpoint_type)
        if etype != "interface":
            return f"{ep} is a {obj.endpoint_type} endpoint, which serves no AWS service hostname"
        region, here = obj.service_region, self.graph.network.region
        if region is None or region == aws.PSEUDO_REGION:  # `!Ref AWS::Region`: the stack's own Region
            return None
        if isinstance(region, Unknown):
            return Unknown(f"its ServiceRegion is unknown ({region.reason})")
        if here is None or here == aws.PSEUDO_REGION:
            return Unknown(
                f"it reaches the service in {region} (ServiceRegion), and the source's Region is unknown "
                "(pass --param AWS::Region=REGION, or give the Terraform provider its region with --var)"
            )
        return None if region == here else f"{ep} reaches the service in {region}, not in {here}"

    def _endpoint_dns(self, ep: str, assume_dns: bool = False) -> str | Unknown | None:
        """None when default hostnames resolve to the endpoint; else why not [DNS][CFNVPCE]. `assume_dns`: the
        VPC's DNS support is off, a blocker already reported, and the walk goes on as if it were on."""
        obj = self.graph.obj(ep)
        assert isinstance(obj, m.VpcEndpoint)
        vpc = self.graph.obj(obj.vpc)
        if obj.private_dns is False:
            return "private DNS is off on the endpoint"
        if isinstance(obj.private_dns, Unknown):
            return obj.private_dns
        if isinstance(vpc, m.Vpc):
            if vpc.dns_hostnames is False:
                return f"VPC {vpc.id} has DNS hostnames turned off"
            if vpc.dns_support is False and not assume_dns:
                return f"VPC {vpc.id} has DNS support turned off"
            if isinstance(vpc.dns_hostnames, Unknown):
                return vpc.dns_hostnames
        return None

    def _via_interface_endpoint(self, group: EniGroup, subnet: m.Subnet, rt: str, ep: str, service: str) -> Verdict:
        obj = self.graph.obj(ep)
        assert isinstance(obj, m.VpcEndpoint)
        ep_sgs = [v for v, _ in self.graph.out(ep, k.USES_SG)]
        ep_subnets = [v for v, _ in self.graph.out(ep, k.IN_SUBNET)]
        hops = [group.id, subnet.id, rt, ep]
        if not ep_subnets:
            return Verdict(UNKNOWN, hops, UNRESOLVED, ep, f"{ep} names no subnets", endpoint=ep)
        fn_net = parse_net(subnet.cidr_v4)
        for ep_subnet_id in ep_subnets:
            ep_subnet = self.graph.obj(ep_subnet_id)
            ep_net = parse_net(ep_subnet.cidr_v4) if isinstance(ep_subnet, m.Subnet) else None
            flow = Flow(4, HTTPS, ep_net or ANY4, dest_sgs=frozenset(ep_sgs))
            walked = _Walked()
            sg = self._sgs_allow(
                group.sg_refs,
                flow,
                True,
                frozenset(ref_key(s) for s in ep_sgs),
                ep_net,
                (f"endpoint {ep}", ep_subnet_id),
            )
            if sg.status != REACHABLE and walked.stop(_on_endpoint(_from_decision(sg, [group.id], SG_EGRESS), ep)):
                return walked.first  # type: ignore[return-value]
            blocked = self._acl_pair(self._nacl(subnet.id), flow, ep_net, [group.id, subnet.id], True)
            if walked.stop(_on_endpoint(blocked, ep)):
                return walked.first  # type: ignore[return-value]
            if ep_net is not None:
                target, _edge, problem = self.lookup(rt, 4, ep_net)
                if walked.stop(problem):
                    return walked.first  # type: ignore[return-value]
                if problem is None and target is not None and self.graph.kind(target) != k.VPC:
                    detail = f"traffic to {ep_subnet_id} is routed to {target} instead of the local route"
                    if walked.stop(Verdict(UNKNOWN, [*hops, target], TARGET_ROUTE, target, detail, endpoint=ep)):
                        return walked.first  # type: ignore[return-value]
            ingress = self._sgs_allow(
                ep_sgs, flow, False, frozenset(group.security_groups), fn_net, ("the function", subnet.id)
            )
            if ingress.status != REACHABLE:
                v = _from_decision(ingress, hops, ENDPOINT_SG)
                v.endpoint = ep
                if v.status == BLOCKED and ingress.allowed:
                    v.detail = f"endpoint {ep}'s security group {v.detail}"
                elif v.status == BLOCKED:
                    sg_names = ", ".join(ep_sgs) or "the VPC default security group"
                    v.detail = f"security group {sg_names} of endpoint {ep} does not admit TCP 443 from the function ({v.detail})"
                if walked.stop(v):
                    return walked.first  # type: ignore[return-value]
            if isinstance(ep_subnet, m.Subnet):
                blocked = self._acl_pair(
                    self._nacl(ep_subnet.id), flow, fn_net, [*hops, ep_subnet.id], outbound_first=False
                )
                walked.stop(_on_endpoint(blocked, ep))
            if walked.first is not None:
                return walked.first
        return Verdict(REACHABLE, hops, endpoint=ep)

    # --- private targets ------------------------------------------------------------------------------
    def _private(self, group: EniGroup, target_id: str, port: int) -> Verdict:
        subnet, problem = self._subnet(group)
        if problem:
            return problem
        assert subnet is not None
        target = self.graph.obj(target_id)
        if not isinstance(target, m.PrivateTarget):
            return Verdict(
                UNKNOWN, [group.id, subnet.id], UNRESOLVED, target_id, f"{target_id} is not defined in the source"
            )
        t_subnets = [v for v, _ in self.graph.out(target_id, k.IN_SUBNET)]
        t_sgs = [v for v, _ in self.graph.out(target_id, k.USES_SG)]
        rt = self._route_table(subnet.id)
        fn_net = parse_net(subnet.cidr_v4)
        if not t_subnets:
            return Verdict(
                UNKNOWN,
                [group.id, subnet.id, target_id],
                UNRESOLVED,
                target_id,
                f"the subnets of {target_id} are unknown",
            )
        for ts_id in t_subnets:
            ts = self.graph.obj(ts_id)
            hops = [group.id, subnet.id, rt, ts_id, target_id]
            if not isinstance(ts, m.Subnet):
                reason = self.graph.g.nodes[ts_id].get("reason", f"{ts_id} is not in the source")
                return Verdict(UNKNOWN, hops, UNRESOLVED, ts_id, reason)
            if ts.vpc != subnet.vpc:
                return Verdict(
                    UNKNOWN,
                    hops,
                    OPAQUE,
                    target_id,
                    f"{target_id} is in another VPC ({ref_key(ts.vpc)}); cross-VPC paths are not followed",
                )
            t_net = parse_net(ts.cidr_v4)
            flow = Flow(4, port, t_net or ANY4)
            walked = _Walked()
            sg = self._sgs_allow(
                group.sg_refs, flow, True, frozenset(ref_key(s) for s in t_sgs), t_net, (target_id, ts_id)
            )
            if sg.status != REACHABLE and walked.stop(_from_decision(sg, [group.id], SG_EGRESS)):
                return walked.first  # type: ignore[return-value]
            if walked.stop(self._acl_pair(self._nacl(subnet.id), flow, t_net, [group.id, subnet.id], True)):
                return walked.first  # type: ignore[return-value]
            if t_net is not None:
                hop, _edge, problem = self.lookup(rt, 4, t_net)
                if walked.stop(problem):
                    return walked.first  # type: ignore[return-value]
                if problem is None and (hop is None or self.graph.kind(hop) != k.VPC):
                    where = f"sends {t_net} to {hop}" if hop else f"has no route for {t_net}"
                    walked.stop(
                        Verdict(
                            BLOCKED,
                            [group.id, subnet.id, rt, *([hop] if hop else [])],
                            TARGET_ROUTE,
                            rt,
                            f"{rt} {where}, not to the VPC's local route; {target_id}'s subnet {ts_id} is {t_net}",
                        )
                    )
            ingress = self._sgs_allow(
                t_sgs, flow, False, frozenset(group.security_groups), fn_net, ("the function", subnet.id)
            )
            if ingress.status != REACHABLE:
                v = _from_decision(ingress, hops, TARGET_SG)
                if v.status == BLOCKED and not ingress.allowed:
                    v.detail = f"no ingress rule of {', '.join(t_sgs) or target_id} admits TCP {port} from the function ({v.detail})"
                if walked.stop(v):
                    return walked.first  # type: ignore[return-value]
            walked.stop(self._acl_pair(self._nacl(ts.id), flow, fn_net, [*hops[:-1], ts.id], outbound_first=False))
            if walked.first is not None:
                return walked.first
        # Every subnet of the target's subnet group was checked, but the target's addresses sit in one of them
        # (or a few): the path names the target after the local route, and its subnet only when it has one, never
        # the group's subnets one after another as if the traffic crossed them.
        return Verdict(REACHABLE, [group.id, subnet.id, rt, *(t_subnets if len(t_subnets) == 1 else []), target_id])


def _wanted(flow: Flow, egress: bool, peer_sgs: frozenset[str], peer_net: Network | None, peer: tuple[str, str]) -> str:
    """What a rule must allow for `flow`: the whole address space for a public destination, else the peer."""
    if egress and flow.public:
        any_text = "::/0" if flow.family == 6 else "0.0.0.0/0"
        if not flow.service:
            return f"the internet needs {any_text}"
        # S3 and DynamoDB publish AWS-managed prefix lists an SG rule can name (SEMANTICS.md §4, [GWE]).
        also = " or its prefix list" if flow.service in aws.GATEWAY_ENDPOINT_SERVICES else ""
        return f"the {flow.service} API needs {any_text}{also}"
    who, subnet = peer
    who = who or "the peer"
    text = (
        f"{who}'s subnet {subnet} is {peer_net}"
        if subnet and peer_net
        else f"{who} is at {peer_net or 'unknown addresses'}"
    )
    if peer_sgs:
        groups = "security groups" if len(peer_sgs) > 1 else "security group"
        text += f", and {who} uses {groups} {', '.join(sorted(peer_sgs))}"
    return text


def _also(first: Verdict, later: Verdict | None) -> Verdict:
    """`first` blocks and the walk went on as if it passed: keep `later`'s blocking hops with it (decision 14)."""
    if later is not None and later.status == BLOCKED:
        first.also.extend([dataclasses.replace(later, also=[]), *later.also])
    return first


class _Walked:
    """The verdict of a sequence of hops: the first hop that does not pass decides. Past a blocking hop the walk
    goes on as if it passed and records every further blocking hop; an unknown first hop ends the walk."""

    def __init__(self) -> None:
        self.first: Verdict | None = None

    def stop(self, v: Verdict | None) -> bool:
        """Take one hop's verdict (None: it passes); True when the walk cannot go on."""
        if v is None or v.status == REACHABLE:
            return False
        if self.first is None:
            self.first = v
        elif self.first.status == BLOCKED:
            _also(self.first, v)
        return self.first.status != BLOCKED

    def end(self, v: Verdict) -> Verdict:
        """Take the last hop's verdict: the walk's verdict is the first hop that did not pass, else `v`."""
        self.stop(v)
        return self.first or v


def _on_nat(v: Verdict | None, nat: str) -> Verdict | None:
    if v is not None:
        v.nat = nat
    return v


def _on_endpoint(v: Verdict | None, ep: str) -> Verdict | None:
    if v is not None:
        v.endpoint = ep
    return v


def _from_decision(d: Decision, hops: list[str], code: str) -> Verdict:
    status = BLOCKED if d.status == BLOCKED else UNKNOWN
    return Verdict(
        status,
        [*hops, d.component] if d.component and d.component not in hops else list(hops),
        code if status == BLOCKED else UNRESOLVED,
        d.component,
        d.detail,
        evidence=[d.evidence] if d.evidence else [],
    )


def combine(verdicts: list[Verdict]) -> Verdict:
    """A function reaches a need only if every one of its subnets does [LNET]: any blocked group blocks."""
    if not verdicts:
        return Verdict(UNKNOWN, [], UNRESOLVED, "", "the function's subnets are unknown")
    for status in (BLOCKED, UNKNOWN):
        for v in verdicts:
            if v.status == status:
                return v
    return verdicts[0]
