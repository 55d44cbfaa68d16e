"""vpcreach as cfn-lint rules: `cfn-lint -a vpcreach.integrations.cfnlint_rules -- template.yaml`.

cfn-lint loads a rules module by importing it and instantiating every `CloudFormationLintRule` subclass
visible in the module's namespace, so one class per catalogue entry is generated here (ids from
`Rule.cfn_lint_id`: E9xxx/W9xxx/I9xxx, texts from the catalogue, never copied).

cfn-lint calls every rule's `match()` once per template. The vpcreach analysis is whole-template work, so
the first rule to run analyses the template and caches the findings on the cfn-lint `Template` object;
the other rules only pick their own findings from the cache.

Findings are reported at `["Resources", <logical id>]`, so cfn-lint prints the line of the resource and a
resource's `Metadata: {cfn-lint: {config: {ignore_checks: [W9201]}}}` silences them like any cfn-lint rule.
Findings suppressed with vpcreach's own Metadata (`vpcreach: {ignore: [...]}`) are not reported.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from cfnlint.helpers import TRANSFORM_SAM
from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from vpcreach.analyzer.catalogue import RULES, SEVERITIES, Rule
from vpcreach.analyzer.findings import Finding
from vpcreach.output import escape

LOGGER = logging.getLogger("cfnlint")

__all__ = ["RULE_CLASSES", "VpcreachRule", "findings_for"]


@dataclass
class _Result:
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # vpcreach rule id → findings
    error: Exception | None = None


# Keyed on the Template object itself (identity), weakly, so a long-running cfn-lint (an editor plugin,
# `cfnlint.api.lint` over many templates) does not keep every template it has seen alive.
_CACHE: weakref.WeakKeyDictionary[Template, _Result] = weakref.WeakKeyDictionary()

# The rule that reports an analysis failure. Only one rule re-raises it, so cfn-lint prints a single
# E0002 naming it instead of one per vpcreach rule.
_ERROR_RULE = next(iter(RULES))


def _document(cfn: Template) -> dict[str, Any]:
    """The template as vpcreach's CloudFormation parser should see it.

    cfn-lint merges SAM `Globals` into each serverless resource (only when the SAM transform is declared)
    but leaves the `Globals` section in place; the vpcreach parser merges Globals itself, which would
    prepend every global list a second time. So drop the section when cfn-lint has already applied it.
    """
    doc = dict(cfn.template)
    transforms = cfn.transform_pre.get("Transform") or []
    if TRANSFORM_SAM in transforms:
        doc.pop("Globals", None)
    return doc


def _analyse(cfn: Template) -> _Result:
    """The template through vpcreach's one run path (`vpcreach.run.execute`), as a source already read."""
    from vpcreach import run
    from vpcreach.sources import Source

    filename = cfn.filename or "template"
    # Parameters come from the vpcreach config: cfn-lint's --parameters are dropped from its context when a
    # transform (SAM) is declared, so they cannot be relied on here.
    request = run.RunRequest(
        paths=[filename] if cfn.filename else [],  # where the config is looked for
        sources=[Source("cfn", filename, root=None, document=_document(cfn))],
    )
    results = run.execute(request)
    if results.problems:
        raise results.problems[0]
    for warning in results.warnings:
        LOGGER.warning("vpcreach: %s", escape(warning))
    result = _Result()
    for analysis in results.analyses:
        for f in analysis.findings:
            if f.suppressed is None:
                result.findings.setdefault(f.rule_id, []).append(f)
    return result


def findings_for(cfn: Template) -> _Result:
    """The vpcreach findings of one cfn-lint template, analysed at most once."""
    result = _CACHE.get(cfn)
    if result is None:
        try:
            result = _analyse(cfn)
        except Exception as exc:  # reported once, by _ERROR_RULE, as cfn-lint's E0002
            result = _Result(error=exc)
        _CACHE[cfn] = result
    return result


def _path(cfn: Template, f: Finding) -> list[str]:
    """Where cfn-lint should point: the resource the finding is about, or the function it concerns."""
    resources = cfn.template.get("Resources") or {}
    for candidate in (f.resource, f.resource.split("#", 1)[0], *f.functions):
        if candidate in resources:
            return ["Resources", candidate]
    return ["Resources"]


def _message(f: Finding) -> str:
    """One line for cfn-lint to print, its values escaped as in vpcreach's own reports (vpcreach.output)."""
    text = f"{f.message} [{f.rule_id}]"
    if f.severity != "info" and f.fix:
        text += f" Fix: {f.fix}"
    return escape(text)


class VpcreachRule(CloudFormationLintRule):
    """Base of the generated rules. Its empty id makes cfn-lint skip it when loading the module."""

    id = ""
    vpcreach_id = ""
    level = ""  # the severity of the findings this class reports (its id's letter)

    def match(self, cfn: Template) -> list[RuleMatch]:
        result = findings_for(cfn)
        if result.error is not None:
            if self.vpcreach_id == _ERROR_RULE and self.level == RULES[_ERROR_RULE].severity:
                raise result.error
            return []
        return [
            RuleMatch(_path(cfn, f), _message(f))
            for f in result.findings.get(self.vpcreach_id, [])
            if f.severity == self.level
        ]


def _rule_class(rule: Rule, level: str) -> type[VpcreachRule]:
    primary = level == rule.severity
    name = rule.id + "".join(part.capitalize() for part in rule.name.split("-")) + ("" if primary else level.title())
    return type(
        name,
        (VpcreachRule,),
        {
            "__module__": __name__,
            "__doc__": rule.summary,
            "id": rule.cfn_lint_id_at(level),
            "vpcreach_id": rule.id,
            "level": level,
            "shortdesc": f"vpcreach {rule.id} {rule.name}" + ("" if primary else f" (as {level})"),
            "description": rule.summary,
            "source_url": rule.help_uri,
            "tags": ["vpcreach", "lambda", "vpc"],
        },
    )


RULE_CLASSES: dict[str, type[VpcreachRule]] = {r.id: _rule_class(r, r.severity) for r in RULES.values()}
# A finding vpcreach reports at another severity than its rule's (VR102 without an internet need is a
# warning; config `severity` overrides) matches the class of that severity, so cfn-lint shows it at its level.
LEVEL_CLASSES: dict[tuple[str, str], type[VpcreachRule]] = {
    (r.id, level): _rule_class(r, level) for r in RULES.values() for level in SEVERITIES if level != r.severity
}
# cfn-lint finds rules with inspect.getmembers(module): each class must be a module attribute.
globals().update({cls.__name__: cls for cls in [*RULE_CLASSES.values(), *LEVEL_CLASSES.values()]})
__all__ += [cls.__name__ for cls in [*RULE_CLASSES.values(), *LEVEL_CLASSES.values()]]
