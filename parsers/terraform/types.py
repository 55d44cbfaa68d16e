"""Variable type constraints: read from the `type` expression's tree, applied as Terraform converts.

A value that does not fit its declared type would stop Terraform; here it becomes an Unknown saying so.
`optional(T, default)` attributes of object types get their default (or null) when omitted.
"""

from __future__ import annotations

from typing import Any

from vpcreach.graph.model import Unknown

from .expressions import Ctx, EvalError, brief, evaluate_safely, normalise_number, to_text
from .values import is_unknown

# A type is a tuple: ("string",) ("number",) ("bool",) ("any",) ("list", T) ("set", T) ("map", T)
# ("tuple", [T...]) ("object", {name: (T, optional, default_node)}).
Type = tuple


def parse_type(node: Any) -> Type:
    from hcl2.rules.containers import ObjectRule, TupleRule
    from hcl2.rules.expressions import ExprTermRule
    from hcl2.rules.functions import FunctionCallRule
    from hcl2.rules.literal_rules import TokenRule

    while isinstance(node, ExprTermRule):
        node = node.expression
    if isinstance(node, TokenRule):
        name = str(node.token.value)
        return (name,) if name in ("string", "number", "bool", "any") else ("any",)
    if isinstance(node, FunctionCallRule):
        name = str(node.identifiers[0].token.value)
        args = node.arguments.arguments if node.arguments is not None else []
        if name in ("list", "set", "map") and args:
            return (name, parse_type(args[0]))
        if name == "tuple" and args:
            inner = args[0]
            while isinstance(inner, ExprTermRule):
                inner = inner.expression
            return ("tuple", [parse_type(e) for e in inner.elements]) if isinstance(inner, TupleRule) else ("any",)
        if name == "object" and args:
            inner = args[0]
            while isinstance(inner, ExprTermRule):
                inner = inner.expression
            if isinstance(inner, ObjectRule):
                return ("object", {_key(e.key): _field(e.expression) for e in inner.elements})
    return ("any",)


def _key(key_node: Any) -> str:
    from hcl2.rules.literal_rules import TokenRule

    value = getattr(key_node, "value", None)
    if isinstance(value, TokenRule):
        return str(value.token.value)
    from .config import label_text

    return label_text(value) if value is not None else str(key_node.serialize())


def _field(node: Any) -> tuple[Type, bool, Any]:
    from hcl2.rules.expressions import ExprTermRule
    from hcl2.rules.functions import FunctionCallRule

    inner = node
    while isinstance(inner, ExprTermRule):
        inner = inner.expression
    if isinstance(inner, FunctionCallRule) and str(inner.identifiers[0].token.value) == "optional":
        args = inner.arguments.arguments if inner.arguments is not None else []
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
