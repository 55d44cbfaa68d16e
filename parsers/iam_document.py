"""The one reader of IAM policy documents, used by both parsers.

A parser first turns its format's policy (a CloudFormation mapping, a Terraform `jsonencode`/JSON string or
`aws_iam_policy_document`) into a JSON-like object whose unresolved parts are Unknown or a format-specific
reference; this module reads statements out of it. Unknown is preserved, never dropped (DESIGN: Unknown is a
verdict): an unresolved document, Statement, statement, Effect or Action/NotAction item makes that
statement's part Unknown, so the analyzer reports it (VR001) instead of reading "no such action".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vpcreach.graph import model as m
from vpcreach.graph.model import Unknown

# Turns a value the format left unresolved (a reference known only after deploy or apply) into an Unknown
# with the format's reason; returns None for anything else.
Unresolved = Callable[[Any], "Unknown | None"]


def _no_format_values(value: Any) -> Unknown | None:
    return None


def read_statements(document: Any, unresolved: Unresolved = _no_format_values) -> list[m.PolicyStatement]:
    """The statements of a policy document, in order. `None` (no document) has none."""
    if document is None:
        return []
    if not isinstance(document, dict):
        reason = _reason(document, unresolved) or "not a JSON object"
        return [m.PolicyStatement(actions=Unknown(f"policy document could not be resolved: {reason}"))]
    stmts = document.get("Statement")
    if stmts is None:
        return []
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list):
        return [m.PolicyStatement(actions=_unknown(stmts, unresolved, "the policy's Statement"))]
    out = []
    for s in stmts:
        if not isinstance(s, dict):
            out.append(m.PolicyStatement(actions=_unknown(s, unresolved, "a policy statement")))
            continue
        not_actions = s.get("NotAction")
        negated: list[str] | None = None
        if not_actions is None:
            actions = _actions(s.get("Action"), unresolved)
        else:
            parsed = _actions(not_actions, unresolved)
            actions = parsed if isinstance(parsed, Unknown) else []
            negated = parsed if isinstance(parsed, list) else None
        out.append(
            m.PolicyStatement(
                effect=_effect(s.get("Effect", "Allow"), unresolved),
                actions=actions,
                not_actions=negated,
                scoped=is_scoped(s),
            )
        )
    return out


def _reason(value: Any, unresolved: Unresolved) -> str | None:
    if isinstance(value, Unknown):
        return value.reason
    found = unresolved(value)
    return found.reason if found is not None else None


def _unknown(value: Any, unresolved: Unresolved, what: str) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return unresolved(value) or Unknown(f"{what} could not be read: {type(value).__name__}")


def _effect(value: Any, unresolved: Unresolved) -> str | Unknown:
    if isinstance(value, str):
        return value
    return _unknown(value, unresolved, "a statement's Effect")


def _actions(value: Any, unresolved: Unresolved) -> list[str] | Unknown:
    """An Action or NotAction: a string or a list of strings. One item that is not known makes the list
    Unknown: the missing item may be the very action a rule asks about."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str):
                return _unknown(item, unresolved, "an action")
        return list(value)
    return _unknown(value, unresolved, "a statement's Action")


def is_scoped(statement: dict[str, Any]) -> bool:
    """True when the statement applies to only some requests: a Resource other than "*", a NotResource,
    or a Condition. A value that could not be resolved counts as a scope: it may be one."""
    if statement.get("Condition") or "NotResource" in statement:
        return True
    resource = statement.get("Resource", "*")
    resources = resource if isinstance(resource, list) else [resource]
    return any(r != "*" for r in resources)
