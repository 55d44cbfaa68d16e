"""What both parsers read the same way from an IAM policy statement (a JSON object in either format)."""

from __future__ import annotations

from typing import Any


def is_scoped(statement: dict[str, Any]) -> bool:
    """True when the statement applies to only some requests: a Resource other than "*", a NotResource,
    or a Condition. A value that could not be resolved counts as a scope: it may be one."""
    if statement.get("Condition") or "NotResource" in statement:
        return True
    resource = statement.get("Resource", "*")
    resources = resource if isinstance(resource, list) else [resource]
    return any(r != "*" for r in resources)
