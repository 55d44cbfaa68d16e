"""Variable type constraints: read from the `type` expression's tree, applied as Terraform converts.

A value that does not fit its declared type would stop Terraform; here it becomes an Unknown saying so.
`optional(T, default)` attributes of object types get their default (or null) when omitted.
"""

from __future__ import annotations

from typing import Any

from vpcreach.graph.model import Unknown

from . import syntax as syn
from .expressions import Ctx, EvalError, brief, evaluate_safely, normalise_number, to_text
from .values import is_unknown

# A type is a tuple: ("string",) ("number",) ("bool",) ("any",) ("list", T) ("set", T) ("map", T)
# ("tuple", [T...]) ("object", {name: (T, optional, default_node)}).
Type = tuple


def parse_type(node: Any) -> Type:
    if isinstance(node, syn.Name):
        name = node.name
        return (name,) if name in ("string", "number", "bool", "any") else ("any",)
    if isinstance(node, syn.Call):
        name, args = node.name, node.args
        if name in ("list", "set", "map") and args:
            return (name, parse_type(args[0]))
        if name == "tuple" and args:
            inner = args[0]
            return ("tuple", [parse_type(e) for e in inner.items]) if isinstance(inner, syn.Tuple) else ("any",)
        if name == "object" and args and isinstance(args[0], syn.Object):
            return ("object", {_key(k): _field(v) for k, v in args[0].items})
    return ("any",)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, syn.Template) and all(isinstance(p, str) for p in key.parts):
        return "".join(key.parts)
    return "?"


def _field(node: Any) -> tuple[Type, bool, Any]:
    if isinstance(node, syn.Call) and node.name == "optional":
        args = node.args
        return (parse_type(args[0]) if args else ("any",), True, args[1] if len(args) > 1 else None)
    return (parse_type(node), False, None)


def convert(value: Any, vtype: Type, what: str, const: Ctx) -> Any:
    try:
        if vtype[0] != "any":
            const.scope.budget.walk(value, what)  # the conversion visits every element, as often as it occurs
        return _convert(value, vtype, what, const, 0)
    except EvalError as exc:
        return Unknown(f"{what} does not fit its declared type: {exc}")


def _convert(value: Any, t: Type, what: str, const: Ctx, depth: int) -> Any:
    if depth > 30:
        raise EvalError("type nested too deeply")
    kind = t[0]
    if value is None or is_unknown(value) or kind == "any":
        return value
    if kind == "string":
        if isinstance(value, (list, dict)):
            raise EvalError(f"{what} is a {'list' if isinstance(value, list) else 'map'}, not a string")
        return value if isinstance(value, str) else to_text(value)
    if kind == "number":
        if isinstance(value, bool):
            raise EvalError(f"{what} is a bool, not a number")
        if isinstance(value, str):
            try:
                return normalise_number(float(value) if any(c in value for c in ".eE") else int(value))
            except ValueError:
                raise EvalError(f"{what} = {brief(value)} is not a number") from None
        if isinstance(value, (int, float)):
            return value
        raise EvalError(f"{what} is not a number")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        raise EvalError(f"{what} = {brief(value)} is not a bool")
    if kind in ("list", "set"):
        if not isinstance(value, list):
            raise EvalError(f"{what} is not a list")
        items = [_convert(v, t[1], f"{what}[{i}]", const, depth + 1) for i, v in enumerate(value)]
        if kind == "set":
            from .functions import set_key

            keys: set[Any] = set()
            seen: list[Any] = []
            for item in items:
                key = set_key(item)
                if key not in keys:
                    keys.add(key)
                    seen.append(item)
            items = sorted(seen) if all(isinstance(i, str) for i in seen) else seen
        return items
    if kind == "tuple":
        if not isinstance(value, list):
            raise EvalError(f"{what} is not a tuple")
        return [
            _convert(v, t[1][i], f"{what}[{i}]", const, depth + 1) if i < len(t[1]) else v for i, v in enumerate(value)
        ]
    if kind == "map":
        if not isinstance(value, dict):
            raise EvalError(f"{what} is not a map")
        return {k: _convert(v, t[1], f"{what}.{k}", const, depth + 1) for k, v in value.items()}
    if kind == "object":
        if not isinstance(value, dict):
            raise EvalError(f"{what} is not an object")
        out = {}
        for name, (ftype, optional, default) in t[1].items():
            if name in value and value[name] is not None:
                out[name] = _convert(value[name], ftype, f"{what}.{name}", const, depth + 1)
            elif optional:
                fallback = (
                    evaluate_safely(default, const, f"the default of {what}.{name}") if default is not None else None
                )
                out[name] = _convert(fallback, ftype, f"{what}.{name}", const, depth + 1)
            elif name in value:
                out[name] = None
            else:
                raise EvalError(f'{what} lacks the required attribute "{name}"')
        return out
    return value
