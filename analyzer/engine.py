"""Runs the analysis: graph → needs → one walk per (ENI group, need) → rules → findings."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.build import Graph, build

from .catalogue import SEVERITIES
from .findings import Finding
from .flows import BLOCKED, UNKNOWN, Verdict
from .needs import Need, function_needs
from .reach import IPV6_DISABLED, UNRESOLVED, Walker, combine


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


@dataclass
class NeedResult:
    need: Need
    verdict: Verdict
    groups: dict[str, Verdict] = field(default_factory=dict)


@dataclass
class FunctionResult:
    function: m.Function
    groups: list[str]
    needs: list[NeedResult] = field(default_factory=list)
    need_unknowns: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    network: m.Network
    graph: Graph
    walker: Walker
    options: Options
    functions: dict[str, FunctionResult] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # plan mode: changes

    def vpc_functions(self) -> list[FunctionResult]:
        return [
            r for r in self.functions.values() if r.function.has_vpc_config and r.function.managed_instances is None
        ]


def _matches(fn: m.Function, pattern: str) -> bool:
    names = {fn.id}
    if isinstance(fn.name, str):
        names.add(fn.name)
    return any(fnmatch.fnmatchcase(n, pattern) for n in names)


def analyze(network: m.Network, options: Options | None = None) -> Analysis:
    options = options or Options()
    graph = build(network)
    walker = Walker(graph)
    analysis = Analysis(network, graph, walker, options)
    for fn in network.of(m.Function):
        result = FunctionResult(fn, graph.function_groups.get(fn.id, []))
        analysis.functions[fn.id] = result
        if not fn.has_vpc_config or fn.managed_instances is not None:
            continue
        config_needs = [n for pattern, needs in options.needs.items() if _matches(fn, pattern) for n in needs]
        needs, unknowns = function_needs(graph, fn, config_needs)
        result.need_unknowns = unknowns
        # Subnets with no identity (an unresolved ImportValue item, say) form no ENI group, but invocations
        # may land there too: the verdict can be no better than unknown [LNET].
        unplaced = [s for s in _as_list(fn.subnets) if isinstance(s, m.Unknown) and not isinstance(s, m.External)]
        for need in needs:
            per_group = {gid: _walk(walker, gid, fn, need) for gid in result.groups}
            extra = [Verdict(UNKNOWN, [], UNRESOLVED, "", f"subnet unknown: {s.reason}") for s in unplaced]
            verdict = combine([*per_group.values(), *extra])
            result.needs.append(NeedResult(need, verdict, per_group))
        for pattern, volumes in options.traffic.items():
            if _matches(fn, pattern):
                fn.traffic_gb = {**volumes, **fn.traffic_gb}
    from .rules import run_all  # rules import the engine's types

    findings = run_all(analysis)
    analysis.findings = _finalise(analysis, findings)
    return analysis


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _walk(walker: Walker, gid: str, fn: m.Function, need: Need) -> Verdict:
    if need.target == "internet6":
        if fn.ipv6_dual_stack is not True:
            status = UNKNOWN if isinstance(fn.ipv6_dual_stack, m.Unknown) else BLOCKED
            return Verdict(
                status,
                [gid],
                IPV6_DISABLED,
                fn.id,
                "the function does not set Ipv6AllowedForDualStack, so it sends no IPv6",
            )
        return walker.internet(gid, 6)
    if need.target == "internet":
        return walker.internet(gid, 4)
    private = need.private
    if private:
        return walker.private(gid, private[1], private[0])
    return walker.service(gid, need.target)


def _finalise(analysis: Analysis, findings: list[Finding]) -> list[Finding]:
    options = analysis.options
    net = analysis.network
    out: dict[tuple, Finding] = {}
    for f in findings:
        if f.rule_id in options.ignore:
            continue
        if f.rule_id in options.severity_overrides:
            f.severity = options.severity_overrides[f.rule_id]
        reason = _suppression(net, options, f)
        if reason is not None:
            f.suppressed = reason
        out.setdefault((f.rule_id, f.resource, f.key), f)
    return sorted(out.values(), key=Finding.sort_key)


def _suppression(net: m.Network, options: Options, f: Finding) -> str | None:
    candidates: list[m.Suppression] = []
    obj = net.objects.get(f.resource)
    if isinstance(obj, m.Function):
        candidates += obj.ignores
    candidates += net.ignores.get(f.resource, [])
    for pattern, sups in options.suppressions.items():
        if fnmatch.fnmatchcase(f.resource, pattern):
            candidates += sups
    for s in candidates:
        if s.rule_id == f.rule_id:
            return s.reason or "suppressed"
    # A finding about functions (reported on a NAT gateway, say) is suppressed when all of them suppress it.
    if f.functions and f.resource not in f.functions:
        reasons = []
        for fid in f.functions:
            fn = net.objects.get(fid)
            hit = next((s for s in getattr(fn, "ignores", []) if s.rule_id == f.rule_id), None)
            if hit is None:
                return None
            reasons.append(hit.reason or "suppressed")
        return reasons[0] if reasons else None
    return None


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


def failing(findings: list[Finding], threshold: str) -> list[Finding]:
    return [f for f in findings if f.suppressed is None and at_or_above(f.severity, threshold)]
