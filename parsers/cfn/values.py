"""Turning resolved CloudFormation values into model values (ids, booleans, ports, CIDRs)."""

from __future__ import annotations

from typing import Any

from vpcreach.graph import aws
from vpcreach.graph.model import External, Unknown, default_nacl_id, default_sg_id

from .intrinsics import Derived, ResRef

_ATTR_IDS = {
    "DefaultSecurityGroup": default_sg_id,
    "DefaultNetworkAcl": default_nacl_id,
}


def to_ref(value: Any, what: str = "value") -> str | Unknown:
    """A resolved value used as an id: a template resource id, an External literal, or Unknown."""
    if isinstance(value, ResRef):
        attr_id = _ATTR_IDS.get(value.attr)
        return attr_id(value.id) if attr_id else value.id
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str) and value:
        return External(value)
    return Unknown(f"{what} is {value!r}, not an id")


def to_refs(value: Any, what: str = "value") -> list[str | Unknown] | Unknown:
    if value is None:
        return []
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return [to_ref(v, what) for v in value]
    return [to_ref(value, what)]


def as_list(value: Any) -> list:
    """A property that should be a list, as a list: wrong types and unknowns iterate as nothing.

    Callers that must tell "unknown" from "empty" check for Unknown first.
    """
    if isinstance(value, list):
        return value
    return []


def to_bool(value: Any, default: bool | Unknown) -> bool | Unknown:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, Unknown):
        return value
    return Unknown(f"{value!r} is not a boolean")


def to_int(value: Any) -> int | Unknown | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Unknown(f"{value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return Unknown(f"{value!r} is not a number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Unknown):
        return value
    return Unknown(f"{value!r} is not a number")


def to_str(value: Any) -> str | Unknown | None:
    if value is None:
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResRef):
        return Derived(f"{value.id} is known only after deploy", (value,))
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return Unknown(f"{value!r} is not a string")


def to_protocol(value: Any) -> str | Unknown:
    if value is None:
        return aws.ALL_PROTOCOLS
    if isinstance(value, Unknown):
        return value
    return aws.normalise_protocol(str(value))
