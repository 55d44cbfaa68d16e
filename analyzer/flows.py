"""Flows (what a function sends) and the verdicts the walk gives them."""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, field

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ANY4 = ipaddress.ip_network("0.0.0.0/0")
ANY6 = ipaddress.ip_network("::/0")
# Lambda's and the NAT gateway's source ports [NACL][NATGW]: return traffic comes back to these.
EPHEMERAL = (1024, 65535)

_PRIVATE = [
    ipaddress.ip_network(c)
    for c in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
    )
]

REACHABLE, BLOCKED, UNKNOWN = "reachable", "blocked", "unknown"


@dataclass(frozen=True)
class Flow:
    """TCP traffic from a function to `dest` on `port`.

    `dest` 0.0.0.0/0 (or ::/0) stands for "an arbitrary public address": a rule or route serves it only
    when it covers the whole address space, because the function may call any host on the internet.
    """

    family: int
    port: int
    dest: Network
    protocol: str = "tcp"
    dest_sgs: frozenset[str] = frozenset()
    service: str = ""  # an AWS service reached through its public addresses (for prefix-list matching)

    @property
    def public(self) -> bool:
        return self.dest.prefixlen == 0


@dataclass
class Verdict:
    status: str
    hops: list[str] = field(default_factory=list)
    code: str = ""  # why it is blocked/unknown, in the spirit of Reachability Analyzer's codes
    component: str = ""  # the node that blocks, or whose value is unknown
    detail: str = ""
    nat: str | None = None  # the NAT gateway/instance the path relies on
    endpoint: str | None = None  # the VPC endpoint the path uses
    evidence: list[str] = field(default_factory=list)  # file:line of the rules/routes that decided
    # A service walk's endpoint facts: interface endpoints of the service that default hostnames do not
    # resolve to, with why (VR107), and gateway endpoints of the VPC not on the subnet's route table (VR109).
    dns_skipped: list[tuple[str, str]] = field(default_factory=list)
    unrouted_gateways: list[str] = field(default_factory=list)
    # Past the first blocking hop the walk goes on as if it passed (DESIGN decision 14): every further blocking
    # hop on the path, each a BLOCKED verdict of its own (code, component, detail, hops). Hops that are unknown
    # after a blocker are not recorded: the status stays BLOCKED.
    also: list[Verdict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == REACHABLE


def is_private(net: Network) -> bool:
    return any(net.version == p.version and net.subnet_of(p) for p in _PRIVATE)  # type: ignore[arg-type]


def parse_net(text: object) -> Network | None:
    if not isinstance(text, str):
        return None
    return _parse_net(text)


@functools.lru_cache(maxsize=4096)
def _parse_net(text: str) -> Network | None:
    # Route destinations and rule CIDRs repeat across every walk; ipaddress parsing is the walk's main cost.
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def relation(rule_net: Network, dest: Network) -> str:
    """How a rule's CIDR relates to a destination: covers, partial, or disjoint."""
    if rule_net.version != dest.version:
        return "disjoint"
    if dest.subnet_of(rule_net):  # type: ignore[arg-type]
        return "covers"
    if dest.prefixlen == 0:
        # "Any public address": a narrower rule serves only some of them, unless it is all private.
        return "disjoint" if is_private(rule_net) else "partial"
    return "partial" if rule_net.overlaps(dest) else "disjoint"
