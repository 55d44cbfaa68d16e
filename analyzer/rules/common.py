"""Helpers shared by the rule modules: building findings on functions and on network objects."""

from __future__ import annotations

from vpcreach.graph import model as m
from vpcreach.graph.build import Graph

from ..findings import Finding


def on_function(
    fn: m.Function,
    rule_id: str,
    message: str,
    path: list[str] | None = None,
    key: str = "",
    fix: str = "",
    severity: str = "",
    evidence: list[str] | None = None,
    need: str | None = None,
    eni_group: str | None = None,
) -> Finding:
    return Finding(
        rule_id,
        fn.id,
        fn.loc.file,
        fn.loc.line,
        message,
        path or [fn.id],
        fix,
        severity,
        functions=[fn.id],
        key=key,
        evidence=evidence or [],
        need=need,
        eni_group=eni_group,
    )


def on_node(
    graph: Graph,
    node: str,
    rule_id: str,
    message: str,
    functions: list[str],
    path: list[str] | None = None,
    key: str = "",
    fix: str = "",
    severity: str = "",
) -> Finding:
    loc = graph.g.nodes[node].get("loc") if node in graph.g else None
    file = loc.file if loc and loc.file else (graph.network.sources[0] if graph.network.sources else "")
    line = loc.line if loc else None
    return Finding(rule_id, node, file, line, message, path or [node], fix, severity, functions=functions, key=key)


def label(node: str) -> str:
    """A node id as users read it (ENI group ids and unresolved placeholders are shortened)."""
    if node.startswith("unresolved:"):
        return node.split(":", 1)[1]
    return node
