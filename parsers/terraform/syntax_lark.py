"""python-hcl2's typed (lark) tree → the syntax nodes of `syntax` (no hcl2 or lark type leaves this module).

python-hcl2 is the reference front end: it gives every parse error its one-line message with file:line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InputError
from .syntax_nodes import (
    Attribute,
    Binary,
    BlockNode,
    Call,
    Conditional,
    Expr,
    ForExpr,
    GetAttr,
    Heredoc,
    Index,
    Interp,
    Literal,
    Name,
    Number,
    Object,
    Splat,
    Template,
    TemplateFor,
    TemplateIf,
    Tuple,
    Unary,
)


def parse_tree(text: str, path: str) -> Any:
    """python-hcl2's typed tree of one file; every parser failure becomes one InputError line."""
    import hcl2
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    if not text.endswith("\n"):
        text += "\n"  # the grammar wants a final newline after a trailing comment
    try:
        return hcl2.parses(text)
    except UnexpectedToken as exc:
        token = exc.token
        text = str(token)
        if token.type == "$END":
            what = "end of file"
        elif not text.strip() or text.startswith("\n"):
            what = "line break"  # a newline-and-comment token: quoting it raw shows escaped newlines
        else:
            what = repr(text)
        raise InputError(path, f"invalid HCL: unexpected {what} at column {exc.column}", exc.line or None) from None
    except UnexpectedCharacters as exc:
        raise InputError(
            path, f"invalid HCL: unexpected character {exc.char!r} at column {exc.column}", exc.line
        ) from None
    except UnexpectedEOF:
        raise InputError(path, "invalid HCL: unexpected end of file", text.count("\n") or None) from None
    except UnexpectedInput as exc:
        raise InputError(path, f"invalid HCL: {str(exc).splitlines()[0]}", getattr(exc, "line", None)) from None
    except RecursionError:
        raise InputError(path, "invalid HCL: nested too deeply to read") from None
    except Exception as exc:  # python-hcl2's transformer raises plain errors for some malformed input
        raise InputError(
            path, f"invalid HCL: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None


def parse_lark(text: str, path: str) -> list[Attribute | BlockNode]:
    tree = parse_tree(text, path)
    try:
        return _body(tree.body, text)
    except RecursionError:
        raise InputError(path, "invalid HCL: nested too deeply to read") from None


def _meta(node: Any, attr: str = "line") -> Any:
    meta = getattr(node, "_meta", None)
    return getattr(meta, attr, None) if meta is not None and not getattr(meta, "empty", True) else None


def _source(node: Any, text: str) -> str:
    start, end = _meta(node, "start_pos"), _meta(node, "end_pos")
    return text[start:end].strip() if start is not None and end is not None else ""


def _body(body: Any, text: str) -> list[Attribute | BlockNode]:
    from hcl2.rules.base import AttributeRule, BlockRule

    items: list[Attribute | BlockNode] = []
    for child in body.children:
        if isinstance(child, AttributeRule):
            expr = child.expression
            items.append(Attribute(str(child.identifier.serialize()), convert(expr), _meta(child), _source(expr, text)))
        elif isinstance(child, BlockRule):
            labels = [label_text(label) for label in child.labels]
            items.append(
                BlockNode(labels[0], labels[1:], _body(child.body, text), _meta(child), _meta(child, "end_line"))
            )
    return items


def label_text(node: Any) -> str:
    """A block label or an object key: an identifier or a literal string."""
    from hcl2.rules.literal_rules import TokenRule
    from hcl2.rules.strings import StringRule
    from hcl2.utils import process_escape_sequences

    if isinstance(node, StringRule):
        return "".join(process_escape_sequences(str(p.content.serialize())) for p in node.string_parts)
    if isinstance(node, TokenRule):
        return str(node.token.value)
    return str(node.serialize())


def convert(node: Any) -> Expr:
    handler = _DISPATCH.get(type(node))
    if handler is None:
        raise InputError("<hcl>", f"unsupported expression ({type(node).__name__})")
    return handler(node)


def _line(node: Any) -> int | None:
    return _meta(node)


def _string_parts(parts: list[Any]) -> list[Any]:
    from hcl2.rules.directives import TemplateForRule, TemplateIfRule
    from hcl2.rules.strings import InterpolationRule
    from hcl2.utils import process_escape_sequences

    out: list[Any] = []
    for part in parts:
        content = getattr(part, "content", part)
        if isinstance(content, InterpolationRule):
            out.append(Interp(convert(content.expression)))
        elif isinstance(content, TemplateIfRule):
            out.append(
                TemplateIf(
                    convert(content._if_start.condition),
                    _string_parts(content._if_body),
                    _string_parts(content._else_body),
                )
            )
        elif isinstance(content, TemplateForRule):
            start = content._for_start
            first = str(start.iterator.token.value)
            second = str(start.key_iterator.token.value) if start.key_iterator is not None else None
            key, value = (first, second) if second is not None else (None, first)
            out.append(TemplateFor(key, value, convert(start.collection), _string_parts(content._body)))
        else:
            token = str(content.value)
            if content.lark_name() in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                out.append(token[1:])
            else:
                out.append(process_escape_sequences(token))
    return out


def _splat_ops(node: Any) -> list[tuple[str, Any]]:
    from hcl2.rules.indexing import GetAttrRule

    ops: list[tuple[str, Any]] = []
    for op in node.attr_splat.get_attrs:
        if op is None:
            continue
        if isinstance(op, GetAttrRule):
            ops.append(("attr", str(op.identifier.token.value)))
        else:
            ops.append(("index", _index_key(op)))
    return ops


def _index_key(index_node: Any) -> Expr:
    from hcl2.rules.indexing import ShortIndexRule

    if isinstance(index_node, ShortIndexRule):
        return Number(str(int(str(index_node.index.value))), _line(index_node))
    return convert(index_node.index_expression)


def _object(node: Any) -> Expr:
    from hcl2.rules.containers import ObjectElemKeyExpressionRule
    from hcl2.rules.literal_rules import TokenRule

    items: list[tuple[str | Expr, Expr]] = []
    for element in node.elements:
        key_node = element.key
        key: str | Expr
        if isinstance(key_node, ObjectElemKeyExpressionRule):
            key = convert(key_node.expression)
        elif isinstance(key_node.value, TokenRule):
            key = str(key_node.value.token.value)  # a bare name is a literal key, not a reference
        else:
            key = convert(key_node.value)
        items.append((key, convert(element.expression)))
    return Object(items, _line(node))


def _for_intro(intro: Any) -> tuple[str | None, str, Expr]:
    first = str(intro.first_iterator.token.value)
    if intro.second_iterator is None:
        return None, first, convert(intro.iterable)
    return first, str(intro.second_iterator.token.value), convert(intro.iterable)


def _for_tuple(node: Any) -> Expr:
    key_var, value_var, coll = _for_intro(node.for_intro)
    cond = convert(node.condition.condition_expr) if node.condition is not None else None
    return ForExpr(key_var, value_var, coll, None, convert(node.value_expr), cond, False, _line(node))


def _for_object(node: Any) -> Expr:
    key_var, value_var, coll = _for_intro(node.for_intro)
    cond = convert(node.condition.condition_expr) if node.condition is not None else None
    return ForExpr(
        key_var,
        value_var,
        coll,
        convert(node.key_expr),
        convert(node.value_expr),
        cond,
        node.ellipsis is not None,
        _line(node),
    )


def _call(node: Any) -> Expr:
    name = "::".join(str(i.token.value) for i in node.identifiers)
    args_node = node.arguments
    args = [convert(a) for a in args_node.arguments] if args_node is not None else []
    return Call(name, args, bool(args_node is not None and args_node.has_ellipsis and args), _line(node))


def _dispatch() -> dict[type, Callable[[Any], Expr]]:
    from hcl2.rules import containers, expressions, for_expressions, functions, indexing, literal_rules, strings
    from hcl2.utils import process_escape_sequences

    def string(node: Any) -> Expr:
        return Template(_string_parts(node.string_parts), _line(node))

    return {
        expressions.ExprTermRule: lambda n: convert(n.expression),
        expressions.ConditionalRule: lambda n: Conditional(
            convert(n.condition), convert(n.if_true), convert(n.if_false), _line(n)
        ),
        expressions.BinaryOpRule: lambda n: Binary(
            str(n.binary_term.binary_operator.token.value).strip(),
            convert(n.expr_term),
            convert(n.binary_term.expr_term),
            _line(n),
        ),
        expressions.UnaryOpRule: lambda n: Unary(n.operator.strip(), convert(n.expr_term), _line(n)),
        literal_rules.LiteralValueRule: lambda n: Literal(
            {"true": True, "false": False, "null": None}[str(n.token.value)], _line(n)
        ),
        literal_rules.IntLitRule: lambda n: Number(str(n.token.value), _line(n)),
        literal_rules.FloatLitRule: lambda n: Number(str(n.token.value), _line(n)),
        literal_rules.IdentifierRule: lambda n: Name(str(n.token.value), _line(n)),
        strings.StringRule: string,
        strings.HeredocTemplateRule: lambda n: Heredoc(str(n.heredoc.value).rstrip(), False, _line(n)),
        strings.HeredocTrimTemplateRule: lambda n: Heredoc(str(n.heredoc.value).rstrip(), True, _line(n)),
        strings.TemplateStringRule: lambda n: Template([process_escape_sequences(n.inner_value)], _line(n)),
        strings.InterpolationRule: lambda n: convert(n.expression),
        containers.TupleRule: lambda n: Tuple([convert(e) for e in n.elements], _line(n)),
        containers.ObjectRule: _object,
        indexing.GetAttrExprTermRule: lambda n: GetAttr(
            convert(n.expr_term), str(n.get_attr.identifier.token.value), _line(n)
        ),
        indexing.IndexExprTermRule: lambda n: Index(convert(n.children[0]), _index_key(n.children[1]), _line(n)),
        indexing.FullSplatExprTermRule: lambda n: Splat(convert(n.expr_term), _splat_ops(n), True, _line(n)),
        indexing.AttrSplatExprTermRule: lambda n: Splat(convert(n.expr_term), _splat_ops(n), False, _line(n)),
        for_expressions.ForTupleExprRule: _for_tuple,
        for_expressions.ForObjectExprRule: _for_object,
        functions.FunctionCallRule: _call,
    }


_DISPATCH_CACHE: dict[type, Callable[[Any], Expr]] = {}


class _LazyDispatch:
    def get(self, key: type) -> Callable[[Any], Expr] | None:
        if not _DISPATCH_CACHE:
            _DISPATCH_CACHE.update(_dispatch())
        return _DISPATCH_CACHE.get(key)


_DISPATCH = _LazyDispatch()
