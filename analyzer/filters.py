"""Security-group and network-ACL evaluation for one flow.

Security groups are stateful and allow-only; the rules of all groups on an ENI are unioned; no egress
rule means no egress [SG]. Protocol -1 allows every protocol and port; another protocol number allows
all ports of that protocol only [IPP]. Network ACLs are stateless, evaluated lowest rule number first,
first match wins, with a final deny; IPv4 and IPv6 entries are separate [NACL].
"""

from __future__ import annotations

from dataclasses import dataclass

from vpcreach.graph import kinds as k
from vpcreach.graph import model as m
from vpcreach.graph.build import Graph, ref_key, service_short_name
from vpcreach.graph.model import Unknown

from .flows import ANY4, ANY6, BLOCKED, REACHABLE, UNKNOWN, Flow, Network, parse_net, relation


@dataclass
class Decision:
    status: str
    detail: str = ""
    evidence: str = ""  # file:line of the rule that decided
    component: str = ""
    # When blocked: the peers that rules for this protocol and port do allow (a CIDR, a security group, a prefix
    # list), so the explanation can say what the rules allow instead of suggesting that nothing does.
    allowed: tuple[str, ...] = ()


def _protocol_matches(rule_protocol: object, protocol: str) -> bool | None:
    if isinstance(rule_protocol, Unknown):
        return None
    text = str(rule_protocol).lower()
    return text in ("-1", "all") or text == protocol


def _ports_cover(rule: m.SgRule | m.NaclEntry, lo: int, hi: int) -> str | None:
    """covers / partial / disjoint, or None when a port is unknown."""
    if str(rule.protocol) in ("-1", "all"):
        return "covers"
    a, b = rule.from_port, rule.to_port
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return None
    if a is None and b is None:
        return "covers"
    a = 0 if a is None or a == -1 else a
    b = 65535 if b is None or b == -1 else b
    if a <= lo and hi <= b:
        return "covers"
    if b < lo or a > hi:
        return "disjoint"
    return "partial"


def _sg_peer_matches(
    graph: Graph, rule: m.SgRule, flow: Flow, peer_sgs: frozenset[str], peer_net: Network | None
) -> str | None:
    if rule.peer_kind in ("cidr4", "cidr6") and (rule.peer_kind == "cidr4") != (flow.family == 4):
        return "disjoint"
    if isinstance(rule.peer, Unknown) and not isinstance(rule.peer, m.External):
        return None
    if rule.peer_kind in ("cidr4", "cidr6"):
        net = parse_net(rule.peer)
        if net is None:
            return None
        if peer_net is None:  # the peer's addresses are unknown: only a rule for all addresses surely covers it
            return "covers" if net.prefixlen == 0 else None
        return relation(net, peer_net)
    if rule.peer_kind == "sg":
        key = ref_key(rule.peer)
        if key in peer_sgs:
            return "covers"
        return "disjoint" if not isinstance(rule.peer, m.External) or peer_sgs else None
    if rule.peer_kind == "pl":
        if not flow.service:
            return "disjoint"
        endpoint = graph.obj(rule.peer)
        if isinstance(endpoint, m.VpcEndpoint):
            served = [d.get("service") for _, d in ((v, graph.g.nodes[v]) for v, _ in graph.out(endpoint.id, k.SERVES))]
            return "covers" if flow.service in served else "disjoint"
        if isinstance(endpoint, m.PrefixList):  # from a snapshot: an AWS-managed list names its service
            listed = service_short_name(endpoint.name) if endpoint.name.startswith("com.amazonaws.") else None
            if isinstance(listed, str) and listed:
                return "covers" if listed == flow.service else "disjoint"
        return None  # a literal pl-… id: which service it lists is unknown here
    return None


def security_groups_allow(
    graph: Graph, sg_refs: tuple | list, flow: Flow, egress: bool, peer_sgs: frozenset[str], peer_net: Network | None
) -> Decision:
    """Whether the union of `sg_refs` allows `flow` (egress: to the peer; ingress: from the peer)."""
    unknown: Decision | None = None
    partial = False
    allowed: list[str] = []
    for ref in sg_refs:
        sg = graph.obj(ref)
        if not isinstance(sg, m.SecurityGroup):
            label = ref_key(ref)
            unknown = unknown or Decision(
                UNKNOWN,
                f"security group {label} is not defined in the source, so its rules are unknown",
                component=label,
            )
            continue
        for rule in sg.egress if egress else sg.ingress:
            proto = _protocol_matches(rule.protocol, flow.protocol)
            ports = _ports_cover(rule, flow.port, flow.port)
            peer = _sg_peer_matches(graph, rule, flow, peer_sgs, peer_net)
            if proto is False or ports == "disjoint" or peer == "disjoint":
                if proto and ports == "covers" and peer == "disjoint":
                    allowed.append(_peer_text(rule))
                continue
            if proto and ports == "covers" and peer == "covers":
                return Decision(REACHABLE, evidence=str(rule.loc), component=sg.id)
            if proto is None or ports is None or peer is None:
                unknown = unknown or Decision(UNKNOWN, f"a rule of {sg.id} could not be resolved", str(rule.loc), sg.id)
            else:
                partial = True
        if sg.rules_unknown is not None:
            unknown = unknown or Decision(
                UNKNOWN, f"rules of {sg.id} could not be resolved: {sg.rules_unknown.reason}", component=sg.id
            )
    if unknown:
        return unknown
    if partial:
        return Decision(UNKNOWN, "rules allow only part of the destination's addresses or ports")
    names = ", ".join(ref_key(r) for r in sg_refs) or "(none)"
    component = ref_key(sg_refs[0]) if sg_refs else ""
    if allowed:
        peers = ", ".join(dict.fromkeys(allowed))
        verb, prep = ("allows", "to") if egress else ("admits", "from")
        only = f"{names} {verb} {flow.protocol}/{flow.port} only {prep} {peers}"
        return Decision(BLOCKED, only, component=component, allowed=tuple(dict.fromkeys(allowed)))
    direction = "egress" if egress else "ingress"
    return Decision(BLOCKED, f"no {direction} rule of {names} allows {flow.protocol}/{flow.port}", component=component)


def _peer_text(rule: m.SgRule) -> str:
    """A rule's peer as a user reads it: a CIDR, `security group X` or `prefix list X`."""
    if rule.peer_kind == "sg":
        return f"security group {ref_key(rule.peer)}"
    if rule.peer_kind == "pl":
        return f"prefix list {ref_key(rule.peer)}"
    return rule.peer if isinstance(rule.peer, str) else ref_key(rule.peer)


def nacl_allows(
    graph: Graph,
    nacl_node: str,
    egress: bool,
    protocol: str,
    ports: tuple[int, int],
    peer: Network | None,
    family: int = 4,
) -> Decision:
    """First-match evaluation of one direction of a network ACL for traffic to/from `peer` on `ports`.

    `peer` None means the peer's addresses are unknown: only an ACL that decides the same way for every
    address (allow-all or deny-all for the ports) gives a verdict.
    """
    acl = graph.obj(nacl_node)
    if not isinstance(acl, m.NetworkAcl):
        reason = (
            graph.g.nodes[nacl_node].get("reason", "network ACL unknown")
            if nacl_node in graph.g
            else "network ACL unknown"
        )
        return Decision(UNKNOWN, reason, component=nacl_node)
    if peer is None:
        if not _narrow_entries(acl, egress, family):
            return nacl_allows(graph, nacl_node, egress, protocol, ports, ANY6 if family == 6 else ANY4)
        return Decision(
            UNKNOWN, f"{acl.id} has address-specific entries and the peer's addresses are unknown", component=acl.id
        )
    family_key = "cidr_v6" if peer.version == 6 else "cidr_v4"
    entries = [e for e in acl.entries if e.egress == egress and getattr(e, family_key) is not None]
    if any(isinstance(e.rule_number, Unknown) for e in entries):
        return Decision(UNKNOWN, f"an entry of {acl.id} has an unresolved rule number", component=acl.id)
    remaining = [ports]  # port intervals not yet decided by an entry that covers the peer
    partial_allow = False
    elsewhere: list[str] = []  # CIDRs of allow entries for these ports that do not cover the peer
    for entry in sorted(entries, key=lambda e: e.rule_number):  # type: ignore[arg-type, return-value]
        proto = _protocol_matches(entry.protocol, protocol)
        if proto is False:
            continue
        net = parse_net(getattr(entry, family_key))
        port_rel = _ports_cover(entry, *ports)
        if proto is None or net is None or port_rel is None or isinstance(entry.allow, Unknown):
            return Decision(
                UNKNOWN, f"entry {entry.rule_number} of {acl.id} could not be resolved", str(entry.loc), acl.id
            )
        cidr_rel = relation(net, peer)
        if cidr_rel == "disjoint" or port_rel == "disjoint":
            if port_rel != "disjoint" and entry.allow is True:
                elsewhere.append(str(net))
            continue
        lo_e, hi_e = _entry_ports(entry)
        hit = [(max(a, lo_e), min(b, hi_e)) for a, b in remaining if max(a, lo_e) <= min(b, hi_e)]
        if not hit:
            continue
        if cidr_rel == "partial":
            partial_allow = partial_allow or bool(entry.allow)
            continue
        if not entry.allow:
            a, b = hit[0]
            span = str(a) if a == b else f"{a}-{b}"
            return Decision(
                BLOCKED, f"entry {entry.rule_number} of {acl.id} denies {protocol}/{span}", str(entry.loc), acl.id
            )
        remaining = [piece for a, b in remaining for piece in _minus((a, b), (lo_e, hi_e))]
        if not remaining:
            return Decision(REACHABLE, evidence=str(entry.loc), component=acl.id)
    direction = "outbound" if egress else "inbound"
    lo, hi = ports
    span = str(lo) if lo == hi else f"{lo}-{hi}"
    if partial_allow:
        return Decision(
            UNKNOWN, f"{acl.id} allows {direction} {protocol}/{span} only for part of the addresses", component=acl.id
        )
    a, b = remaining[0]
    left = str(a) if a == b else f"{a}-{b}"
    prep = "to" if egress else "from"
    if elsewhere:
        only = ", ".join(dict.fromkeys(elsewhere))
        return Decision(
            BLOCKED,
            f"{acl.id} allows {direction} {protocol}/{left} only {prep} {only}; "
            f"the final * rule denies it {prep} {peer}",
            component=acl.id,
            allowed=tuple(dict.fromkeys(elsewhere)),
        )
    return Decision(
        BLOCKED,
        f"no {direction} entry of {acl.id} allows {protocol}/{left} ({prep} {peer}); the final * rule denies it",
        component=acl.id,
    )


def _narrow_entries(acl: m.NetworkAcl, egress: bool, family: int) -> bool:
    key = "cidr_v6" if family == 6 else "cidr_v4"
    for entry in acl.entries:
        net = parse_net(getattr(entry, key))
        if entry.egress == egress and net is not None and net.prefixlen > 0:
            return True
    return False


def _entry_ports(entry: m.NaclEntry) -> tuple[int, int]:
    if str(entry.protocol) in ("-1", "all") or (entry.from_port is None and entry.to_port is None):
        return (0, 65535)
    a = entry.from_port if isinstance(entry.from_port, int) and entry.from_port >= 0 else 0
    b = entry.to_port if isinstance(entry.to_port, int) and entry.to_port >= 0 else 65535
    return (a, b)


def _minus(interval: tuple[int, int], cut: tuple[int, int]) -> list[tuple[int, int]]:
    a, b = interval
    c, d = cut
    out = []
    if a < c:
        out.append((a, min(b, c - 1)))
    if b > d:
        out.append((max(a, d + 1), b))
    return [(x, y) for x, y in out if x <= y]
