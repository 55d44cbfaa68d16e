"""Rules: small functions that read verdicts and the graph and return findings.

They never walk the graph or re-derive AWS semantics (that is `analyzer.reach`); each module holds one
family of the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..findings import Finding
from . import capacity, compute, cost, paths, permissions, placement, unresolved

if TYPE_CHECKING:
    from ..analysis import Analysis

CHECKS: list[Callable[[Analysis], Iterable[Finding]]] = [
    *unresolved.CHECKS,
    *paths.CHECKS,
    *placement.CHECKS,
    *compute.CHECKS,
    *cost.CHECKS,
    *capacity.CHECKS,
    *permissions.CHECKS,
]


def run_all(analysis: Analysis) -> list[Finding]:
    out: list[Finding] = []
    for check in CHECKS:
        out.extend(check(analysis))
    return out
