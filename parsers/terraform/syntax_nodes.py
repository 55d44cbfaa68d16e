"""The nodes of the Terraform front end (`syntax`): blocks, attributes, expressions, each with its line.

The parsers fill them (`syntax_ts`: tree-sitter-hcl, `syntax_lark`: python-hcl2); the evaluator reads only these.
"""

from __future__ import annotations

from typing import Any

# --- nodes -----------------------------------------------------------------------------------------------


class Expr:
    __slots__ = ("line",)
    line: int | None


class Literal(Expr):
    """true, false or null."""

    __slots__ = ("value",)

    def __init__(self, value: Any, line: int | None = None) -> None:
        self.value, self.line = value, line


class Number(Expr):
    """A number as written (converted by the evaluator, which bounds its size first)."""

    __slots__ = ("text",)

    def __init__(self, text: str, line: int | None = None) -> None:
        self.text, self.line = text, line

    @property
    def is_float(self) -> bool:
        return any(c in self.text for c in ".eE")


class Name(Expr):
    """A bare name: `var`, `each`, a for iterator, `string` in a type."""

    __slots__ = ("name",)

    def __init__(self, name: str, line: int | None = None) -> None:
        self.name, self.line = name, line


class Interp:
    """`${expr}` inside a template."""

    __slots__ = ("expr",)

    def __init__(self, expr: Expr) -> None:
        self.expr = expr


class TemplateIf:
    """`%{if cond}then%{else}otherwise%{endif}`."""

    __slots__ = ("cond", "otherwise", "then")

    def __init__(self, cond: Expr, then: list[Any], otherwise: list[Any]) -> None:
        self.cond, self.then, self.otherwise = cond, merged(then), merged(otherwise)


class TemplateFor:
    """`%{for key, value in coll}body%{endfor}` (key None when only one name is given)."""

    __slots__ = ("body", "coll", "key", "value")

    def __init__(self, key: str | None, value: str, coll: Expr, body: list[Any]) -> None:
        self.key, self.value, self.coll, self.body = key, value, coll, merged(body)


def merged(parts: list[Any]) -> list[Any]:
    """Template parts in one canonical form: adjacent texts joined, empty texts dropped."""
    out: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    return out


class Template(Expr):
    """A quoted string: literal text (escapes resolved), Interp, TemplateIf, TemplateFor parts."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Any], line: int | None = None) -> None:
        self.parts, self.line = merged(parts), line


class Heredoc(Expr):
    """A heredoc: its whole token as written (`<<EOT ... EOT`), read as a template by the evaluator."""

    __slots__ = ("token", "trim")

    def __init__(self, token: str, trim: bool, line: int | None = None) -> None:
        self.token, self.trim, self.line = token, trim, line


class Tuple(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[Expr], line: int | None = None) -> None:
        self.items, self.line = items, line


class Object(Expr):
    """`{key = value, ...}`: a key is a str (a bare name, literal) or an expression."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[str | Expr, Expr]], line: int | None = None) -> None:
        self.items, self.line = items, line


class GetAttr(Expr):
    __slots__ = ("base", "name")

    def __init__(self, base: Expr, name: str, line: int | None = None) -> None:
        self.base, self.name, self.line = base, name, line


class Index(Expr):
    __slots__ = ("base", "key")

    def __init__(self, base: Expr, key: Expr, line: int | None = None) -> None:
        self.base, self.key, self.line = base, key, line


class Splat(Expr):
    """`base[*].ops` (full) or legacy `base.*.ops`; ops are ("attr", name) or ("index", Expr)."""

    __slots__ = ("base", "full", "ops")

    def __init__(self, base: Expr, ops: list[tuple[str, Any]], full: bool, line: int | None = None) -> None:
        self.base, self.ops, self.full, self.line = base, ops, full, line


class Conditional(Expr):
    __slots__ = ("cond", "otherwise", "then")

    def __init__(self, cond: Expr, then: Expr, otherwise: Expr, line: int | None = None) -> None:
        self.cond, self.then, self.otherwise, self.line = cond, then, otherwise, line


class Binary(Expr):
    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: Expr, right: Expr, line: int | None = None) -> None:
        self.op, self.left, self.right, self.line = op, left, right, line


class Unary(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Expr, line: int | None = None) -> None:
        self.op, self.operand, self.line = op, operand, line


class ForExpr(Expr):
    """`[for k, v in coll : value if cond]`, or with `key` set `{for k, v in coll : key => value... if cond}`."""

    __slots__ = ("coll", "cond", "group", "key", "key_var", "value", "value_var")

    def __init__(
        self,
        key_var: str | None,
        value_var: str,
        coll: Expr,
        key: Expr | None,
        value: Expr,
        cond: Expr | None,
        group: bool,
        line: int | None = None,
    ) -> None:
        self.key_var, self.value_var, self.coll = key_var, value_var, coll
        self.key, self.value, self.cond, self.group, self.line = key, value, cond, group, line


class Call(Expr):
    """`name(args...)`; `expand` when the last argument ends with `...`; a provider function's name has `::`."""

    __slots__ = ("args", "expand", "name")

    def __init__(self, name: str, args: list[Expr], expand: bool, line: int | None = None) -> None:
        self.name, self.args, self.expand, self.line = name, args, expand, line


class Attribute:
    """`name = expr`; `source` is the expression's text exactly as written."""

    __slots__ = ("expr", "line", "name", "source")

    def __init__(self, name: str, expr: Expr, line: int | None, source: str = "") -> None:
        self.name, self.expr, self.line, self.source = name, expr, line, source


class BlockNode:
    __slots__ = ("end_line", "items", "labels", "line", "type")

    def __init__(
        self, type: str, labels: list[str], items: list[Attribute | BlockNode], line: int | None, end_line: int | None
    ) -> None:
        self.type, self.labels, self.items, self.line, self.end_line = type, labels, items, line, end_line


# --- escapes (HCL's quoted templates; the same single pass python-hcl2 makes) -----------------------------
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_UNICODE_WIDTHS = {"u": 4, "U": 8}
_HEX = set("0123456789abcdefABCDEF")


def unescape(value: str) -> str:
    """Resolve `\\n`, `\\"`, `\\uNNNN`... in one pass; an unknown or unusable escape is kept as written."""
    if "\\" not in value:
        return value
    parts = []
    i, n = 0, len(value)
    while i < n:
        char = value[i]
        if char != "\\" or i + 1 >= n:
            parts.append(char)
            i += 1
            continue
        marker = value[i + 1]
        if marker in _SIMPLE_ESCAPES:
            parts.append(_SIMPLE_ESCAPES[marker])
            i += 2
            continue
        width = _UNICODE_WIDTHS.get(marker)
        if width:
            digits = value[i + 2 : i + 2 + width]
            if len(digits) == width and all(c in _HEX for c in digits):
                code = int(digits, 16)
                if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    parts.append(chr(code))
                    i += 2 + width
                    continue
        parts.append(char)
        parts.append(marker)
        i += 2
    return "".join(parts)
