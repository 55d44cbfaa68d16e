"""`vpcreach rules` and the README rule table, both generated from the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

from vpcreach.analyzer.catalogue import RULES, SEVERITIES, Rule
from vpcreach.analyzer.citations import SOURCES, cited, linked


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


def docs_page(fixtures: Path | None = None) -> str:
    """docs/rules.md: one heading per rule (what, why with its sources as links, example, fix, the fixtures that
    trigger it and the near misses that must not, in CloudFormation and Terraform). Generated, never edited."""
    out = [
        "# vpcreach rules",
        "",
        "<!-- Generated from analyzer/catalogue.py by `python -m vpcreach.rules_doc > docs/rules.md`; do not edit. -->",
        "",
        "Each rule's id is stable. The cfn-lint id is the level letter, 9 and the number (a finding reported at",
        "another level than its rule's uses that level's letter). The fixtures are complete templates and",
        "Terraform roots: the triggers show the mistake, the near misses the fixed or harmless form.",
        "",
    ]
    for r in RULES.values():
        out += _rule_section(r, fixtures)
    return "\n".join(out).rstrip() + "\n"


def _rule_section(r: Rule, fixtures: Path | None) -> list[str]:
    others = ", ".join(r.cfn_lint_id_at(s) for s in SEVERITIES if s != r.severity)
    lines = [
        f"## {r.id} {r.name}",
        "",
        f"**{r.severity}** · cfn-lint `{r.cfn_lint_id}` (at other levels: {others})",
        "",
        f"**What it finds.** {linked(r.summary)}",
        "",
        f"**Why it matters.** {linked(r.why)}",
        "",
    ]
    if r.example:
        lines += [f"**Example.** {linked(r.example)}", ""]
    lines += [f"**Fix.** {linked(r.fix)}", ""]
    if fixtures is not None:
        triggers, near = _fixtures(r, fixtures)
        if not triggers and r.summary.startswith("(plan)"):
            triggers = ["the Terraform plans in [fixtures/tfplan](../fixtures/tfplan) (see its README)"]
        if triggers:
            lines += ["**Triggers:** " + ", ".join(triggers), ""]
        if near:
            lines += ["**Near misses:** " + ", ".join(near), ""]
    keys = [k for k in cited(" ".join((r.summary, r.why, r.example, r.fix))) if k in SOURCES]
    if keys:
        lines += ["**Sources:** " + "; ".join(f"[{k}] [{SOURCES[k][0]}]({SOURCES[k][1]})" for k in keys), ""]
    return lines


def _fixtures(r: Rule, fixtures: Path) -> tuple[list[str], list[str]]:
    prefix = r.id.lower() + "_"
    found = sorted(
        [p for p in (fixtures / "cfn").glob(prefix + "*") if p.suffix in (".yaml", ".json")]
        + [p for p in (fixtures / "terraform").glob(prefix + "*") if p.is_dir()],
        key=lambda p: (p.name.split(".")[0], p.parent.name),
    )
    links = [(p, f"[{p.parent.name}/{p.name}](../fixtures/{p.parent.name}/{p.name})") for p in found]
    return [t for p, t in links if "near_miss" not in p.name], [t for p, t in links if "near_miss" in p.name]


if __name__ == "__main__":
    import sys

    sys.stdout.write(docs_page(Path(__file__).resolve().parent.parent / "fixtures"))
