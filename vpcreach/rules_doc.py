"""`vpcreach rules` and the README rule table, both generated from the catalogue."""

from __future__ import annotations

import json

from vpcreach.analyzer.catalogue import RULES


def markdown_table() -> str:
    rows = ["| id | name | severity | cfn-lint id | when |", "|---|---|---|---|---|"]
    for r in RULES.values():
        rows.append(f"| {r.id} | {r.name} | {r.severity} | {r.cfn_lint_id} | {r.summary} |")
    return "\n".join(rows)


def cfnlint_table() -> str:
    """The cfn-lint ids of the plugin by level, for the README's cfn-lint section."""
    levels = (("E", "error"), ("W", "warning"), ("I", "informational: add `-c I`"))
    rows = ["| cfn-lint level | rule ids (vpcreach id) |", "|---|---|"]
    for letter, level in levels:
        ids = ", ".join(f"{r.cfn_lint_id} ({r.id})" for r in RULES.values() if r.cfn_lint_id.startswith(letter))
        rows.append(f"| {letter} ({level}) | {ids} |")
    return "\n".join(rows)


def render_rules(rule_id: str | None, fmt: str) -> str:
    if rule_id:
        r = RULES[rule_id.upper()]
        if fmt == "json":
            return json.dumps(r.__dict__, indent=2)
        return "\n".join(
            [
                f"{r.id} {r.name} ({r.severity}; cfn-lint {r.cfn_lint_id})",
                "",
                f"What it finds: {r.summary}",
                f"Why it matters: {r.why}",
                f"Fix: {r.fix}",
            ]
            + ([f"Example: {r.example}"] if r.example else [])
        )
    if fmt == "markdown":
        return markdown_table()
    if fmt == "json":
        return json.dumps([r.__dict__ for r in RULES.values()], indent=2)
    return "\n".join(f"{r.id}  {r.severity:<7}  {r.name:<28} {r.summary}" for r in RULES.values())
