"""SARIF 2.1.0, shaped for GitHub code scanning.

- `tool.driver.rules` is the whole catalogue (texts from `analyzer.catalogue`, help text from `rules_doc`).
- Each result has one primary location (file relative to the working directory, the resource's line), a
  logical location naming the resource, and `partialFingerprints` from `Finding.fingerprint`, which ignores
  line numbers. GitHub only reads `primaryLocationLineHash`, so the fingerprint is given under that name
  too: an alert then follows its resource when lines move instead of reopening.
- The hop path is a `codeFlows` thread flow (GitHub expands code flows on the alert as the path, step by
  step) and `relatedLocations`, linked from the message text (GitHub links related locations only when
  the message embeds them as `[text](id)`).
- Suppressed findings carry `suppressions` with the reason as justification: `inSource` for template
  Metadata / Terraform comments, `external` for the config file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vpcreach import __version__
from vpcreach.analyzer.analysis import Analysis
from vpcreach.analyzer.catalogue import DOCS_URL, RULES, Rule
from vpcreach.analyzer.citations import linked
from vpcreach.analyzer.findings import Finding
from vpcreach.analyzer.rules.common import label
from vpcreach.graph import model as m
from vpcreach.output import escape
from vpcreach.parsers.errors import InputError

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub's problem.severity for non-security rules: error, warning or recommendation.
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}
MAX_DESCRIPTION = 1024  # GitHub's limit for shortDescription / fullDescription


def _rule_markdown(r: Rule) -> str:
    parts = [
        f"**{r.id} {r.name}** ({r.severity}; cfn-lint `{r.cfn_lint_id}`)",
        r.summary,
        f"**Why it matters.** {linked(r.why)}",
        f"**Fix.** {r.fix}",
    ]
    if r.example:
        parts.append(f"**Example.** {r.example}")
    parts.append(f"[Documentation]({r.help_uri})")
    return "\n\n".join(parts)


def _descriptor(r: Rule) -> dict[str, Any]:
    from vpcreach.rules_doc import render_rules

    return {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.summary[:MAX_DESCRIPTION]},
        "fullDescription": {"text": f"{r.summary} {r.why}"[:MAX_DESCRIPTION]},
        "help": {"text": render_rules(r.id, "text"), "markdown": _rule_markdown(r)},
        "helpUri": r.help_uri,
        "defaultConfiguration": {"level": LEVELS[r.severity]},
        "properties": {
            "tags": ["vpcreach", "aws-lambda", "vpc"],
            "problem.severity": PROBLEM_SEVERITY[r.severity],
            "cfn-lint-id": r.cfn_lint_id,
        },
    }


class _Locator:
    """Artifact URIs relative to the working directory, and where the nodes of one analysis are declared.

    Node ids are unique only within one analysis (two templates may both declare `ReportFunction`), so a
    locator serves the findings of one analysis.
    """

    def __init__(self, root: str, analysis: Analysis | None) -> None:
        self.root = root
        self.graph = analysis.graph.g if analysis is not None else None

    def _node(self, node: str) -> dict[str, Any]:
        return self.graph.nodes[node] if self.graph is not None and node in self.graph else {}

    def artifact(self, file: str) -> dict[str, Any]:
        absolute = os.path.abspath(file)
        relative = os.path.relpath(absolute, self.root)
        if relative.startswith(os.pardir):
            return {"uri": Path(absolute).as_uri()}
        return {"uri": Path(relative).as_posix(), "uriBaseId": SRCROOT}

    def physical(self, file: str, line: int | None) -> dict[str, Any]:
        # Every result has a region (GitHub code scanning drops or misplaces one without): the file's first
        # line when the finding has none (a plan written on one line, a resource of unknown position).
        return {"artifactLocation": self.artifact(file), "region": {"startLine": line or 1}}

    def loc(self, node: str) -> m.Loc | None:
        loc = self._node(node).get("loc")
        return loc if isinstance(loc, m.Loc) and loc.file else None

    def describe(self, node: str) -> str:
        kind = str(self._node(node).get("kind") or "")
        name = label(node)
        if kind == "hyperplane_eni":
            subnet, _, sgs = name.removeprefix("eni:").partition("|")
            return f"Hyperplane ENI in {subnet} with {{{sgs.replace('|', ', ')}}}"
        return f"{kind.replace('_', ' ')} {name}".strip()


def _escape(text: str) -> str:
    # In SARIF message text, [text](id) is a link; literal brackets must be escaped. Control characters and
    # bidi overrides become visible escapes (vpcreach.output.escape), as in the text report: the message
    # is shown to people, and its own "\nPath:" / "\nFix:" lines must be the only line breaks in it.
    return escape(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _result(f: Finding, index: dict[str, int], root: str, analysis: Analysis | None) -> dict[str, Any]:
    locator = _Locator(root, analysis)
    primary = locator.physical(f.file, f.line)
    related: list[dict[str, Any]] = []
    links: list[str] = []
    steps: list[dict[str, Any]] = []
    previous = primary
    for hop in f.path:
        loc = locator.loc(hop)
        physical = locator.physical(loc.file, loc.line) if loc else previous
        description = locator.describe(hop)
        # A synthetic hop (ENI group, the internet, an AWS service) sits where the hop before it is declared.
        steps.append({"location": {"physicalLocation": physical, "message": {"text": description}}})
        previous = physical
        if loc and hop != f.resource:
            related.append({"id": len(related) + 1, "physicalLocation": physical, "message": {"text": description}})
            links.append(f"[{_escape(label(hop))}]({len(related)})")
        else:
            links.append(_escape(label(hop)))
    text = _escape(f.message)
    if len(f.path) > 1:
        text += "\nPath: " + " → ".join(links)
    if f.severity != "info" and f.fix:
        text += "\nFix: " + _escape(f.fix)
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": primary,
                "logicalLocations": [{"name": label(f.resource), "fullyQualifiedName": f.resource, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"vpcreach/v1": f.fingerprint, "primaryLocationLineHash": f"{f.fingerprint}:1"},
        "properties": {"resource": f.resource, "path": f.path, "fix": f.fix},
    }
    if len(steps) > 1:
        result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    if related:
        result["relatedLocations"] = related
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": _suppression_kind(f, analysis), "justification": f.suppressed}]
    return result


def _suppression_kind(f: Finding, a: Analysis | None) -> str:
    """inSource when the template or module itself suppresses the finding, external for the config file.

    The engine keeps only the reason; which source it came from is read back from the places it looks
    first: the resource's own suppressions, then those of the functions the finding concerns.
    """
    if a is not None:
        net = a.network
        for owner in dict.fromkeys([f.resource, *f.functions]):
            inline = [*getattr(net.objects.get(owner), "ignores", []), *net.ignores.get(owner, [])]
            if any(s.rule_id == f.rule_id for s in inline):
                return "inSource"
    return "external"


def to_sarif(
    analyses: list[Analysis], findings: list[Finding], problems: list[InputError] | None = None
) -> dict[str, Any]:
    root = os.getcwd()
    rules = list(RULES.values())
    index = {r.id: i for i, r in enumerate(rules)}
    # The findings to report are a subset (after ignores and the baseline) of the analyses' own findings.
    owner = {id(f): a for a in analyses for f in a.findings}
    results = [_result(f, index, root, owner.get(id(f))) for f in findings]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vpcreach",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": DOCS_URL.split("/blob/", 1)[0],
                        "rules": [_descriptor(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path(root).as_uri() + "/"}},
                "results": results,
                "invocations": [_invocation(root, problems or [])],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def _invocation(root: str, problems: list[InputError]) -> dict[str, Any]:
    """Inputs that could not be read are tool execution notifications: not results, but never silent."""
    where = _Locator(root, None)
    return {
        "executionSuccessful": not problems,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": escape(p.message)},
                "locations": [{"physicalLocation": where.physical(p.file, p.line)}],
            }
            for p in problems
        ],
    }
