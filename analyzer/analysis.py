"""What an analysis is made of, shared by the engine that computes it, the rules that read it and the
reports that render it. Only types live here, so every one of them can import it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vpcreach.graph import aws

if TYPE_CHECKING:  # annotations only: reading the config's options need not import the graph or the walker
    from vpcreach.graph import model as m
    from vpcreach.graph.build import Graph

    from .findings import Finding
    from .flows import Verdict
    from .needs import Need
    from .reach import Walker


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
    before: Analysis | None = None  # plan mode: the network before the change, analysed by the engine

    def vpc_functions(self) -> list[FunctionResult]:
        return [
            r for r in self.functions.values() if r.function.has_vpc_config and r.function.managed_instances is None
        ]
