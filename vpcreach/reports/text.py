"""Human output. By default a lint log: one line per finding (`file:line: severity VRxxx name: message`),
errors first, then a short digest of what the findings and verdicts add up to, then the summary. `--explain`
adds the full report (each function's needs, verdicts and paths, each finding with its fix, the Hyperplane
ENIs); `--quiet` keeps the finding lines and the summary. Colour only on a terminal.

The report is built as a list of lines, each a string or a tuple of strings and `_Styled` parts, and every
part is escaped (`vpcreach.output.escape`) when the lines are joined: a resource name, tag value or file
name holding a newline or an escape sequence stays inside its line, and only the colours added here reach
the terminal as escape sequences.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, NamedTuple

import click

from vpcreach.analyzer.analysis import Analysis
from vpcreach.analyzer.findings import Finding
from vpcreach.analyzer.flows import BLOCKED
from vpcreach.graph import aws
from vpcreach.output import escape

if TYPE_CHECKING:
    from vpcreach.graph.build import EniGroup

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


_RANK = {"error": 0, "warning": 1, "info": 2}
_DECLARE = "declare them: Metadata `vpcreach: {needs: [...]}`, a `vpcreach:needs` comment or tag, or the config"
# A plan carries tags but not comments (terraform show -json drops them).
_DECLARE_PLAN = (
    'declare them with the tag "vpcreach:needs" = "internet,s3" (plan JSON keeps tags, not comments), or the config'
)


def _declare(analyses: list[Analysis]) -> str:
    return _DECLARE_PLAN if analyses and all(a.options.mode == "plan" for a in analyses) else _DECLARE


# Needs named by a finding's `need`: the internet (IPv4 or IPv6), a private target (tcp:PORT@TARGET), or else
# an AWS service by its endpoint name.
_INTERNET = ("internet", "internet6")
# The rules that report a blocked path (a hop of a need's walk), as the catalogue numbers them.
_PATH_RULES = frozenset(f"VR1{n:02d}" for n in range(1, 100))


def render(
    analyses: list[Analysis],
    findings: list[Finding],
    colour: bool,
    explain_needs: bool = False,
    graph_out: str | None = None,
    *,
    explain: bool = False,
    quiet: bool = False,
    threshold: str = "warning",
) -> str:
    """The text report; `explain` (or `explain_needs`) adds the full per-function report, `quiet` leaves out
    the digest and the plan's changes. Info findings other than VR001 are lines only under `--severity-threshold
    info` (the digest counts them); an unknown (VR001) is a verdict, so it always has its line."""
    lines: list[_Line] = []
    explain = explain or explain_needs
    if explain:
        lines.extend(_explained(analyses, findings, explain_needs))
    lines.extend(_log(findings, threshold, quiet))
    if not quiet and not explain:
        lines.extend(_unchecked(analyses))
    if not quiet:
        if not explain:
            for a in analyses:
                lines.extend(_change_lines(a))
        digest = _digest(analyses, findings, threshold, explain)
        if digest:
            lines.append("")
            lines.extend(digest)
    legend = [] if quiet else _legend(lines)
    if legend:
        lines.append("")
        lines.extend(legend)
    if lines:
        lines.append("")
    lines.append(_summary(findings))
    if graph_out:
        lines.append(f"picture of the paths: {graph_out}")
    return "\n".join(_finish(line, colour) for line in lines)


def _logged(f: Finding, threshold: str) -> bool:
    """Whether a finding gets its lint-log line: not suppressed, and at or above the threshold (at most
    warning, so warnings always show), or an unknown."""
    if f.suppressed is not None:
        return False
    return f.rule_id == "VR001" or _RANK[f.severity] <= max(_RANK["warning"], _RANK.get(threshold, 1))


def _log(findings: list[Finding], threshold: str, quiet: bool = False) -> list[_Line]:
    """One line per finding, errors first, each `file:line: severity VRxxx name: message` (the form editors
    and CI log parsers jump from)."""
    shown = [f for f in findings if _logged(f, threshold)]
    shown.sort(key=lambda f: (_RANK[f.severity], f.file, f.line or 0, f.rule_id, f.resource, f.key))
    out: list[_Line] = []
    for f in shown:
        out.append((f"{_where(f)}: ", _Styled(f.severity, f.severity), f" {f.rule_id} {f.name}: {f.message}"))
    if not quiet:
        # A suppression in effect is echoed with its reason, so a reviewer sees what was waived and why.
        for f in sorted((f for f in findings if f.suppressed is not None), key=lambda f: f.sort_key()):
            out.append(f"{_where(f)}: suppressed ({f.suppressed}) {f.rule_id} {f.name}: {f.message}")
    return out


_PROFILE_NAMES = {"internet": "internet (IPv4)", "internet6": "internet (IPv6)"}


def _profile(reach: dict) -> str:
    """`it reaches internet (IPv4), s3; it cannot reach internet (IPv6); whether it reaches sqs is unknown`."""
    by_status: dict[str, list[str]] = defaultdict(list)
    for target, verdict in reach.items():
        by_status[verdict.status].append(_PROFILE_NAMES.get(target, target))
    if not by_status["reachable"] and not by_status["unknown"]:
        return "it reaches nothing outside its VPC" + (f" ({', '.join(by_status['blocked'])})" if reach else "")
    parts = []
    if by_status["reachable"]:
        parts.append(f"it reaches {', '.join(by_status['reachable'])}")
    if by_status["blocked"]:
        parts.append(f"it cannot reach {', '.join(by_status['blocked'])}")
    if by_status["unknown"]:
        parts.append(f"whether it reaches {', '.join(by_status['unknown'])} is unknown")
    return "; ".join(parts)


def _unchecked(analyses: list[Analysis]) -> list[_Line]:
    """A line per VPC function with no known need: nothing was checked for it (never a silent pass), and what
    it can reach, so the reader sees at a glance whether that matches what the function does."""
    out: list[_Line] = []
    for a in analyses:
        for r in a.vpc_functions():
            if r.needs:
                continue
            fn = r.function
            where = f"{fn.loc.file}:{fn.loc.line}" if fn.loc.line else fn.loc.file
            out.append(f"{where}: note {fn.id} has no known need, so nothing was checked: {_profile(r.reach)}")
    return out


def _where(f: Finding) -> str:
    return f"{f.file}:{f.line}" if f.line else f.file


def _names(items: list[str], limit: int = 4) -> str:
    """The first names in order, and how many functions more: two templates may each have an `ApiFunction`,
    which are two functions but one name."""
    # Natural order: Fn2 before Fn10, as a reader counts.
    shown = sorted(set(items), key=lambda n: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", n)])[:limit]
    rest = sum(1 for item in items if item not in shown)
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _digest(analyses: list[Analysis], findings: list[Finding], threshold: str, explain: bool) -> list[str]:
    """What the findings and verdicts add up to, a line per kind of problem, from the findings still active
    (a suppressed finding is not a problem) and the engine's results (functions whose needs are unknown)."""
    vpc_fns = [r for a in analyses for r in a.vpc_functions()]
    managed = [r for a in analyses for r in a.functions.values() if r.function.managed_instances is not None]
    if not vpc_fns and not managed:
        return []
    active = [f for f in findings if f.suppressed is None]
    sources = sum(
        1 for a in analyses if a.vpc_functions() or any(r.function.managed_instances for r in a.functions.values())
    )
    out = [f"{_plural(len(vpc_fns) + len(managed), 'VPC-attached function')} in {_plural(sources, 'source')}:"]

    # Blocked needs come from the verdicts, named with the rules of their active findings: a need whose
    # findings are all suppressed is not reported here either. Per kind: function → (targets, rule ids).
    blocked: dict[str, dict[tuple[str, str], tuple[set[str], set[str]]]] = {
        "internet": {},
        "service": {},
        "private": {},
    }
    accounted: set[int] = set()
    by_function: dict[str, list[Finding]] = defaultdict(list)  # a function's path findings, looked up per need
    for f in active:
        if f.rule_id in _PATH_RULES:
            for fn_id in f.functions:
                by_function[fn_id].append(f)
    for r in vpc_fns:
        for nr in r.needs:
            if nr.verdict.status != BLOCKED:
                continue
            target = nr.need.target
            # VR102 (a public subnet) is not need-scoped, yet it is why an internet need is blocked there.
            mine = [
                f
                for f in by_function.get(r.function.id, ())
                if f.need == target or (target == "internet" and f.rule_id == "VR102")
            ]
            if not mine:
                continue
            accounted.update(id(f) for f in mine)
            kind = "internet" if target in _INTERNET else "private" if target.startswith("tcp:") else "service"
            key = (r.function.loc.file, r.function.id)  # two templates may each have an ApiFunction
            targets, rule_ids = blocked[kind].setdefault(key, (set(), set()))
            targets.add(target)
            rule_ids.update(f.rule_id for f in mine)
    for kind, one, many in (
        ("internet", "the internet", "the internet"),
        ("service", "an AWS service it needs", "AWS services they need"),
        ("private", "a database or other private target it needs", "databases or other private targets they need"),
    ):
        of_kind = blocked[kind]
        if not of_kind:
            continue
        named = ", ".join(sorted({rule for _, rule_ids in of_kind.values() for rule in rule_ids}))
        services = sorted({t for targets, _ in of_kind.values() for t in targets}) if kind == "service" else []
        n = len(of_kind)
        extra = f" ({', '.join(services)})" if services else ""
        out.append(
            f"  {_plural(n, 'function')} cannot reach {one if n == 1 else many}{extra}: "
            f"{_names([fn for _, fn in of_kind])} ({named})"
        )
    others = [f for f in active if id(f) not in accounted and f.severity != "info" and f.rule_id != "VR201"]
    if others:
        counts: dict[str, int] = defaultdict(int)
        for f in others:
            counts[f"{f.rule_id} {f.name}"] += 1
        out.append("  other findings: " + ", ".join(f"{rule} ×{n}" for rule, n in sorted(counts.items())))
    unknown_needs = [f for f in active if f.rule_id == "VR001" and f.need]
    if unknown_needs:
        unsure = {(f.file, fn) for f in unknown_needs for fn in f.functions}
        out.append(
            f"  {_plural(len(unsure), 'function')} with {_plural(len(unknown_needs), 'need')} whose reach is "
            f"unknown: {_names([fn for _, fn in unsure])} (VR001: pass the missing values, or scan what defines them)"
        )
    other_unknowns = [f for f in active if f.rule_id == "VR001" and not f.need]
    if other_unknowns:
        unsure = {(f.file, fn) for f in other_unknowns for fn in f.functions}
        out.append(
            f"  {_plural(len(unsure), 'function')} with a subnet, security group or role that is not known: "
            f"{_names([fn for _, fn in unsure])} (VR001)"
        )
    no_needs = [r.function.id for r in vpc_fns if not r.needs]
    if no_needs:
        out.append(
            f"  {_plural(len(no_needs), 'function')} with no known need, so no path was checked: {_names(no_needs)} "
            f"({_declare(analyses)})"
        )
    for rule, what in (
        ("VR201", "could use a free gateway endpoint"),
        ("VR202", "could use an interface endpoint"),
    ):
        hits = [f for f in active if f.rule_id == rule]
        if hits:
            out.append(f"  {_plural(len(hits), 'NAT-served need')} {what} ({rule})")
    groups = sum(len(a.graph.eni_groups) for a in analyses)
    vpcs = sum(1 for a in analyses for uses in a.vpc_uses.values() if any(u.groups for u in uses))
    if groups:
        out.append(f"  {_plural(groups, 'Hyperplane ENI group')} in {_plural(vpcs, 'VPC')} (VR301)")
    hidden = [f for f in active if not _logged(f, threshold)]
    if hidden and not explain:
        out.append(
            f"  {_plural(len(hidden), 'informational finding')} not listed above "
            f"({', '.join(sorted({f.rule_id for f in hidden}))}): "
            "--severity-threshold info lists them"
        )
    if len(out) == 1:
        out.append("  every known need is reachable")
    if not explain:
        out.append("  --explain shows each function's needs, paths and the fix for each finding")
    return out


# Ids vpcreach gives objects AWS creates without the source declaring them, and symbolic zones: each kind that
# appears in a report is explained once at its end.
_LEGEND = (
    (
        re.compile(r"\S+#main-rt"),
        "VPC#main-rt is the main route table AWS creates with the VPC (subnets without an association use it)",
    ),
    (re.compile(r"\S+#default-sg"), "VPC#default-sg is the default security group AWS creates with the VPC"),
    (re.compile(r"\S+#default-nacl"), "VPC#default-nacl is the default network ACL AWS creates with the VPC"),
    (
        re.compile(r"zone #\d"),
        "zone #N is the Region's Nth Availability Zone in the order Fn::GetAZs and aws_availability_zones list them "
        "(the source does not name it)",
    ),
)


def _legend(lines: list[_Line]) -> list[str]:
    text = "\n".join(
        line if isinstance(line, str) else "".join(p if isinstance(p, str) else p.text for p in line) for line in lines
    )
    found = [what for pattern, what in _LEGEND if pattern.search(text)]
    return ["names:", *(f"  {what}" for what in found)] if found else []


def _explained(analyses: list[Analysis], findings: list[Finding], explain_needs: bool) -> list[_Line]:
    """The full report: per source, each VPC function's ENI groups and needs with their verdicts and paths,
    the findings on it with their fixes, the network findings, the Hyperplane ENIs and the plan's changes."""
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
        groups = a.graph.eni_groups
        lines.append((_Styled(source, bold=True),))
        for result in vpc_fns:
            fn = result.function
            key = (fn.loc.file, fn.id)
            shown.add(key)
            enis = ", ".join(_group_name(groups[g]) if g in groups else g for g in result.groups)
            placement = f"Hyperplane ENIs {enis}" if enis else "no ENI group (placement unknown)"
            lines.append(("  ", _Styled(fn.id, bold=True), f" (line {fn.loc.line})  {placement}"))
            for nr in result.needs:
                verdict = nr.verdict
                via = " → ".join(_hop(h, groups) for h in [fn.id, *verdict.hops])
                origin = nr.need.origin + (f": {nr.need.detail}" if explain_needs and nr.need.detail else "")
                if explain_needs and nr.need.file and (nr.need.file, nr.need.line) != (fn.loc.file, fn.loc.line):
                    origin += f" at {nr.need.file}:{nr.need.line}" if nr.need.line else f" in {nr.need.file}"
                status = _Styled(verdict.status.upper(), verdict.status, width=9)
                lines.append((f"    {nr.need.target:<14} ", status, f"  [{origin}]"))
                if via:
                    lines.append(f"      {via}")
            if not result.needs:
                lines.append(f"    no needs known ({_declare(analyses)})")
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
    return lines


def _group_name(group: EniGroup) -> str:
    return f"{group.subnet} × {{{', '.join(group.security_groups)}}}"


def _hop(node: str, groups: dict[str, EniGroup]) -> str:
    """A path hop as users read it: an ENI group is `ENI {SGs}` (its subnet is the next hop), an unresolved
    value its reason."""
    if node in groups:
        return f"ENI {{{', '.join(groups[node].security_groups)}}}"
    return _short(node)


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
