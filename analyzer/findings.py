"""Findings: what a rule reports, and the stable fingerprint that baselines match on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .catalogue import RULES


@dataclass
class Finding:
    rule_id: str
    resource: str
    file: str
    line: int | None
    message: str
    path: list[str] = field(default_factory=list)
    fix: str = ""
    severity: str = ""
    functions: list[str] = field(default_factory=list)  # functions the finding is about
    key: str = ""  # what distinguishes findings of one rule on one resource (a need, a subnet...)
    suppressed: str | None = None  # the reason, when an inline/config suppression applies
    evidence: list[str] = field(default_factory=list)
    # Structured references for reports (never decoded from `key`, which only keeps fingerprints stable):
    # the need whose verdict the finding explains, and the Hyperplane ENI group it is about.
    need: str | None = None
    eni_group: str | None = None

    def __post_init__(self) -> None:
        rule = RULES[self.rule_id]
        self.severity = self.severity or rule.severity
        self.fix = self.fix or rule.fix

    @property
    def name(self) -> str:
        return RULES[self.rule_id].name

    @property
    def fingerprint(self) -> str:
        """Survives line moves and message rewording: rule, file name, resource and key only."""
        basename = self.file.replace("\\", "/").rsplit("/", 1)[-1]
        raw = "|".join((self.rule_id, basename, self.resource, self.key))
        # surrogatepass: a name that is not UTF-8 (a lone surrogate) still has a fingerprint, the same every run
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, self.rule_id, self.resource, self.key)
