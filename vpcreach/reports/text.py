"""Human output: findings grouped by function with the hop path; colour only on a terminal.

The report is built as a list of lines, each a string or a tuple of strings and `_Styled` parts, and every
part is escaped (`vpcreach.output.escape`) when the lines are joined: a resource name, tag value or file
name holding a newline or an escape sequence stays inside its line, and only the colours added here reach
the terminal as escape sequences.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import click

from vpcreach.analyzer.analysis import Analysis
from vpcreach.analyzer.findings import Finding
from vpcreach.graph import aws
from vpcreach.output import escape

_COLOURS = {
    "error": "red",
    "warning": "yellow",
    "info": "blue",
    "reachable": "green",
    "blocked": "red",
    "unknown": "white",
}


class _Styled(NamedTuple):
    """Part of a line drawn in a colour (and bold) on a terminal, padded to `width` like an f-string's `:<`."""

    text: str
    key: str = ""
    bold: bool = False
    width: int = 0


_Line = str | tuple[str | _Styled, ...]


def _finish(line: _Line, colour: bool) -> str:
    if isinstance(line, str):
        return escape(line)
    out = []
    for part in line:
        if isinstance(part, str):
            out.append(escape(part))
        else:
            text = escape(part.text)
            styled = click.style(text, fg=_COLOURS.get(part.key), bold=part.bold) if colour else text
            out.append(styled.ljust(part.width))
    return "".join(out)


def _short(node: str) -> str:
    return node.split(":", 1)[1] if node.startswith("unresolved:") else node


def render(
    analyses: list[Analysis],
    findings: list[Finding],
    colour: bool,
    explain_needs: bool = False,
    show_info: bool = True,
    graph_out: str | None = None,
) -> str:
    lines: list[_Line] = []
    by_resource: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        by_resource[(f.file, f.resource)].append(f)
    shown: set[tuple[str, str]] = set()
    for a in analyses:
        source = ", ".join(a.network.sources)
        vpc_fns = [
            r
            for r in a.functions.values()
            if r.function.has_vpc_config or r.compute is not None or r.function.managed_instances
        ]
        # This analysis' findings by identity: a Terraform root's source is its folder while its findings name
        # the .tf file, so matching on file names dropped every finding not on a function (issue 14 item 6).
        mine = {id(f) for f in a.findings}
        file_findings = [f for f in findings if id(f) in mine]
        if not vpc_fns and not file_findings:
            continue
        lines.append((_Styled(source, bold=True),))
        for result in vpc_fns:
            fn = result.function
            key = (fn.loc.file, fn.id)
            shown.add(key)
            groups = ", ".join(result.groups) or "no ENI group (placement unknown)"
            lines.append(("  ", _Styled(fn.id, bold=True), f" (line {fn.loc.line})  {groups}"))
            for nr in result.needs:
                verdict = nr.verdict
                via = " → ".join(_short(h) for h in [fn.id, *verdict.hops])
                origin = nr.need.origin + (f": {nr.need.detail}" if explain_needs and nr.need.detail else "")
                status = _Styled(verdict.status.upper(), verdict.status, width=9)
                lines.append((f"    {nr.need.target:<14} ", status, f"  [{origin}]"))
                if via:
                    lines.append(f"      {via}")
            if explain_needs and not result.needs:
                lines.append("    no needs known (declare them with Metadata vpcreach: {needs: [...]})")
            for f in by_resource.get(key, []):
                if f.rule_id != "VR301":  # the ENI section below shows the groups
                    lines.extend(_finding_lines(f, "    "))
        others = [f for f in file_findings if (f.file, f.resource) not in shown]
        if others:
            lines.append("  network findings")
            for f in others:
                lines.extend(_finding_lines(f, "    "))
        lines.extend(_eni_lines(a))
        lines.extend(_change_lines(a))
        lines.append("")
    lines.append(_summary(findings))
    if graph_out:
        lines.append(f"picture of the paths: {graph_out}")
    return "\n".join(_finish(line, colour) for line in lines)


def _change_lines(a: Analysis) -> list[str]:
    """`vpcreach plan`: what the change does to Hyperplane ENIs and to reachability (analyzer/changes.py)."""
    if a.changes is None:
        return []
    changes = a.changes.summary()
    counts = ", ".join(f"{n} to {action}" for action, n in sorted(changes["counts"].items())) or "no changes"
    lines = [f"  plan changes: {counts}"]
    for group in changes["eni_groups_created"]:
        lines.append(
            f"    + Hyperplane ENI {_short_group(group)} for {', '.join(group['functions'])} ({group['reason']})"
        )
    for group in changes["eni_groups_removed"]:
        lines.append(
            f"    - Hyperplane ENI {_short_group(group)} of {', '.join(group['functions'])} ({group['reason']})"
        )
    for d in changes["deletions_in_use"]:
        still = f"; still used after the change by {', '.join(d['still_used_by'])}" if d["still_used_by"] else ""
        lines.append(f"    ! {d['action']} {d['resource']} while in use by {', '.join(d['functions'])}{still}")
    for r in changes["reachability"]:
        lines.append(
            f"    {r['function']} {r['need']}: {r['before'] or 'no need'} → {r['after'] or 'no need'} ({r['change']})"
        )
        if r["reason"]:
            lines.append(f"      {r['reason']}")
    return lines


def _short_group(group: dict) -> str:
    return f"{group['subnet']} × {{{', '.join(group['security_groups'])}}}"


def _eni_lines(a: Analysis) -> list[str]:
    """Per VPC: Hyperplane ENIs and addresses per subnet against its usable size, and the VPC total."""
    lines: list[str] = []
    groups = a.graph.eni_groups
    for vpc, uses in a.vpc_uses.items():
        enis = sum(len(u.groups) for u in uses)
        if not enis:
            continue
        others = sum(u.other for u in uses)
        lines.append(
            f"  Hyperplane ENIs in {vpc}: {enis} ENI(s) + {others} other interface(s) = "
            f"{enis + others} of {a.options.eni_quota} network interfaces per VPC"
        )
        for u in uses:
            if not u.groups:
                continue
            zone = aws.zone_label(u.az) if u.az else "zone unknown"
            size = f"{u.demand} of {u.usable} usable addresses" if u.usable is not None else f"{u.demand} addresses"
            lines.append(f"    {u.subnet} ({u.cidr or 'CIDR unknown'}, {zone}): {len(u.groups)} ENI(s), {size}")
            for gid in u.groups:
                g = groups[gid]
                lines.append(f"      {{{', '.join(g.security_groups)}}}: {', '.join(g.functions)}")
    return lines


def _finding_lines(f: Finding, indent: str) -> list[_Line]:
    where = f"{f.file}:{f.line}" if f.line else f.file
    head: _Line = (indent, _Styled(f.severity, f.severity), f" {f.rule_id} {f.name}  {where}")
    if f.suppressed is not None:
        head = f"{indent}suppressed ({f.suppressed}) {f.rule_id} {f.name}  {where}"
    out: list[_Line] = [head, f"{indent}  {f.message}"]
    if f.suppressed is None and f.severity != "info":
        out.append(f"{indent}  fix: {f.fix}")
    return out


def _summary(findings: list[Finding]) -> str:
    active = [f for f in findings if f.suppressed is None]
    counts = {s: sum(1 for f in active if f.severity == s) for s in ("error", "warning", "info")}
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items()]
    suppressed = len(findings) - len(active)
    if suppressed:
        parts.append(f"{suppressed} suppressed")
    return "summary: " + ", ".join(parts)
