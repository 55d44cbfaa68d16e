"""What an analysis is made of, shared by the engine that computes it, the rules that read it and the
reports that render it. Only types live here, so every one of them can import it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vpcreach.graph import aws

if TYPE_CHECKING:  # annotations only: reading the config's options need not import the graph
    from vpcreach.graph import model as m
    from vpcreach.graph.build import Graph

    from .eni import SubnetUse
    from .findings import Finding
    from .flows import Verdict
    from .iam import RoleGrants
    from .need import Need


@dataclass
class Options:
    severity_threshold: str = "warning"
    ignore: set[str] = field(default_factory=set)
    severity_overrides: dict[str, str] = field(default_factory=dict)
    needs: dict[str, list[str]] = field(default_factory=dict)  # function name or glob → needs
    traffic: dict[str, dict[str, float]] = field(default_factory=dict)  # function glob → service → GB/month
    suppressions: dict[str, list[m.Suppression]] = field(default_factory=dict)  # resource glob → ids (config)
    mode: str = "scan"
    eni_quota: int = aws.DEFAULT_ENI_QUOTA
    sprawl_threshold: int = 5
    # VPC Block Public Access when the source does not set it (--assume-bpa, config assume_bpa): off, ingress or
    # bidirectional; the account-wide setting usually lives outside the template [BPA].
    assume_bpa: str = "off"


@dataclass
class NeedResult:
    need: Need
    verdict: Verdict
    groups: dict[str, Verdict] = field(default_factory=dict)
    # Every blocking component of a blocked verdict with the rule that reports it (rules/paths.blockers,
    # DESIGN decision 14), computed once: the path rules and the JSON report read it. Empty unless blocked.
    blockers: list[tuple[str, Verdict]] = field(default_factory=list)


@dataclass
class EniPermission:
    """Whether the execution role lets Lambda manage the function's network interfaces (VR304, VR308, VR001)."""

    grants: RoleGrants
    missing: list[str]  # ENI actions no grant allows (an explicit Deny removes a grant)
    # Deny statements limited by a Resource or Condition naming an ENI action: (action, source); only
    # looked for when nothing is missing.
    scoped: list[tuple[str, str]] = field(default_factory=list)
    # Deny statements whose actions are unresolved (why): they may deny an ENI action.
    unknown_denials: list[str] = field(default_factory=list)
    # ENI actions granted only through separate resources a function being created does not wait for:
    # (action, policy) (VR308).
    late: list[tuple[str, str]] = field(default_factory=list)

    @property
    def unknown(self) -> bool:
        """Missing actions an unknown role or an unreadable policy may grant."""
        return bool(self.missing) and (not self.grants.known or bool(self.grants.unknowns))


@dataclass
class PlacementGap:
    reason: str  # as VR001 says it
    unresolved: bool  # an unresolved value, which forms no ENI group (not an id defined elsewhere)


@dataclass
class FunctionResult:
    function: m.Function
    groups: list[str]
    needs: list[NeedResult] = field(default_factory=list)
    need_unknowns: list[str] = field(default_factory=list)
    eni_permission: EniPermission | None = None  # VPC functions only
    # The Availability Zone of each subnet the function names (by id, or by literal id for one defined
    # elsewhere), None where it is not known (VR302, and the endpoint price of VR202).
    zones: dict[str, str | None] = field(default_factory=dict)
    # Why some subnets or security groups of the function are not known (VR001, dashed in pictures).
    placement_gaps: list[PlacementGap] = field(default_factory=list)
    # Where each ENI group's default route leads, for a function with no known need (drawn neutrally).
    default_routes: dict[str, Verdict] = field(default_factory=dict)
    # A function with no known need: what it can reach (internet over IPv4/IPv6, S3, DynamoDB and each service
    # with an interface endpoint in its VPC), target → combined verdict over its ENI groups.
    reach: dict[str, Verdict] = field(default_factory=dict)
    # The capacity provider or network connector whose placement the function takes (DESIGN decision 11): its
    # groups are `groups`, and its zones, gaps and own egress are judged once, on it (Analysis.compute).
    compute: str | None = None


@dataclass
class ComputeResult:
    """A capacity provider or network connector, judged once whatever functions bind to it (DESIGN decision 11)."""

    placement: m.ComputePlacement
    groups: list[str]
    functions: list[str]
    users: list[str] = field(default_factory=list)  # other compute naming it (MicroVM images, Web Function revisions)
    zones: dict[str, str | None] = field(default_factory=dict)  # as FunctionResult.zones
    placement_gaps: list[PlacementGap] = field(default_factory=list)
    # The IPv4 internet verdict of its subnets (a capacity provider's instances' own traffic, VR113; a connector's
    # public egress, VR114), and the interface endpoints in its VPC that might carry that traffic instead.
    internet: Verdict | None = None
    endpoints: list[str] = field(default_factory=list)
    internet6: Verdict | None = None  # a DualStack (or unresolved-protocol) connector's IPv6 path (VR115)


@dataclass
class NatUse:
    """One ENI group of one function reaching a need through a NAT gateway or instance (VR203, VR204)."""

    nat: str
    function: str
    group: str
    subnet: str  # the ENI group's subnet
    zone: str | None  # its Availability Zone, when known
    nat_subnet: str | None
    nat_zone: str | None
    zonal: bool  # a NAT in one subnet (a regional NAT gateway spans the Region's zones)
    instance: bool  # a NAT instance rather than a NAT gateway


@dataclass
class Analysis:
    network: m.Network
    graph: Graph
    options: Options
    functions: dict[str, FunctionResult] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    # Hyperplane ENIs and other interfaces per subnet, and the same grouped per VPC (analyzer/eni.py).
    subnet_uses: dict[str, SubnetUse] = field(default_factory=dict)
    vpc_uses: dict[str, list[SubnetUse]] = field(default_factory=dict)
    # ENI group → (subnet, route table, internet gateway) when the subnet's default route goes to an
    # internet gateway, where a Hyperplane ENI (no public IP) gets no internet (VR102).
    public_routes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # NAT node → every (function, ENI group) whose need it serves, in function order (analyzer/engine.py).
    nat_uses: dict[str, list[NatUse]] = field(default_factory=dict)
    # Capacity providers and network connectors by id (analyzer/engine.py).
    compute: dict[str, ComputeResult] = field(default_factory=dict)
    walk_steps: int = 0  # reachability steps spent (bounded by reach.MAX_WALK_STEPS)
    # Plan mode: the analysis of the network before the change (`network.previous`) and the change set.
    before: Analysis | None = None
    changes: Changes | None = None

    def vpc_functions(self) -> list[FunctionResult]:
        """Functions placed in a VPC: by their own VpcConfig, or by a capacity provider / connector in the source."""
        return [
            r
            for r in self.functions.values()
            if (r.function.has_vpc_config or r.compute is not None) and r.function.managed_instances is None
        ]


@dataclass
class Changes:
    """What one plan changes: its resources, Hyperplane ENI groups and reachability, and its VR306 findings."""

    source: str
    counts: dict[str, int]  # action → how many resources
    resources: list[dict[str, Any]]
    eni_groups_created: list[dict[str, Any]]
    eni_groups_removed: list[dict[str, Any]]
    functions: list[dict[str, Any]]
    deletions_in_use: list[dict[str, Any]]
    reachability: list[dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The JSON contract's per-plan `changes` (the findings are reported with all the others)."""
        return {
            "source": self.source,
            "counts": self.counts,
            "resources": self.resources,
            "eni_groups_created": self.eni_groups_created,
            "eni_groups_removed": self.eni_groups_removed,
            "functions": self.functions,
            "deletions_in_use": self.deletions_in_use,
            "reachability": self.reachability,
        }
