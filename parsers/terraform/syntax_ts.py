"""tree-sitter-hcl's tree → the syntax nodes of `syntax` (no tree-sitter type leaves this module).

A file with any error node gives None: python-hcl2 then decides (its one-line message, or its tree).
"""

from __future__ import annotations

from typing import Any

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
    unescape,
)

_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_hcl

        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    return _PARSER


class _Unsupported(Exception):
    """A construct this converter does not know: python-hcl2 reads the file instead."""


def parse_ts(text: str) -> list[Attribute | BlockNode] | None:
    src = text.encode("utf-8")
    tree = _parser().parse(src)
    root = tree.root_node
    if root.has_error:
        return None
    try:
        return _Converter(src).file(root)
    except (_Unsupported, IndexError, KeyError, AttributeError, UnicodeDecodeError, RecursionError):
        return None  # python-hcl2 reads it, or words the error (nesting too deep to read, for one)


_BINARY = {"*", "/", "%", "+", "-", ">", ">=", "<", "<=", "==", "!=", "&&", "||"}
_LITERALS = {"true": True, "false": False, "null": None}


def _named(node: Any) -> list[Any]:
    return [c for c in node.named_children if c.type != "comment"]


class _Converter:
    __slots__ = ("src",)

    def __init__(self, src: bytes) -> None:
        self.src = src

    def text(self, node: Any) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8")

    # --- structure -------------------------------------------------------------------------------------
    def file(self, root: Any) -> list[Attribute | BlockNode]:
        for child in root.children:
            if child.type == "body":
                return self.body(child)
        return []

    def body(self, node: Any) -> list[Attribute | BlockNode]:
        items: list[Attribute | BlockNode] = []
        for child in node.children:
            kind = child.type
            if kind == "attribute":
                ident, expr = _named(child)
                items.append(Attribute(self.text(ident), self.expr(expr), child.start_point[0] + 1, self.text(expr)))
            elif kind == "block":
                items.append(self.block(child))
        return items

    def block(self, node: Any) -> BlockNode:
        labels: list[str] = []
        items: list[Attribute | BlockNode] = []
        for child in node.children:
            kind = child.type
            if kind == "identifier":
                labels.append(self.text(child))
            elif kind == "string_lit":
                labels.append(self.string_lit(child))
            elif kind == "body":
                items = self.body(child)
        return BlockNode(labels[0], labels[1:], items, node.start_point[0] + 1, node.end_point[0] + 1)

    def string_lit(self, node: Any) -> str:
        children = node.children
        return literal_text(self.src[children[0].end_byte : children[-1].start_byte].decode("utf-8"))

    # --- expressions -----------------------------------------------------------------------------------
    def expr(self, node: Any) -> Expr:
        kind = node.type
        if kind == "expression":
            return self.sequence([c for c in node.children if c.type != "comment"])
        return self.term(node)

    def sequence(self, children: list[Any]) -> Expr:
        """A term and its postfix operations (get_attr, index, splat), as tree-sitter lays them side by side."""
        first = children[0]
        line = first.start_point[0] + 1  # every step of a traversal has the line its expression starts on
        if first.type == "(":
            base = self.expr(children[1])
            rest = children[3:]
        else:
            base = self.term(first)
            rest = children[1:]
        for i, op in enumerate(rest):
            kind = op.type
            if kind == "get_attr":
                base = GetAttr(base, self.text(_named(op)[0]), line)
            elif kind == "index":
                base = Index(base, self.index_key(op), line)
            elif kind == "splat":
                splat = op.named_children[0]
                ops = [self.splat_op(c) for c in _named(splat)]
                base = Splat(base, ops, splat.type == "full_splat", line)
                if rest[i + 1 :]:
                    raise _Unsupported(kind)
            else:
                raise _Unsupported(kind)
        return base

    def index_key(self, node: Any) -> Expr:
        inner = node.named_children[0]
        if inner.type == "legacy_index":
            digits = self.text(inner)[1:].strip()
            if not digits.isdigit():
                raise _Unsupported("legacy index")
            return Number(digits, inner.start_point[0] + 1)
        return self.expr(_named(inner)[0])

    def splat_op(self, node: Any) -> tuple[str, Any]:
        if node.type == "get_attr":
            return ("attr", self.text(_named(node)[0]))
        if node.type == "index":
            return ("index", self.index_key(node))
        raise _Unsupported(node.type)

    def term(self, node: Any) -> Expr:
        kind = node.type
        line = node.start_point[0] + 1
        if kind == "variable_expr":
            return Name(self.text(node.named_children[0]), line)
        if kind == "literal_value":
            inner = node.named_children[0]
            ikind = inner.type
            if ikind == "numeric_lit":
                return Number(self.text(inner), line)
            if ikind == "string_lit":
                return Template([self.string_lit(inner)], line)
            return Literal(_LITERALS[self.text(inner)], line)
        if kind == "expression":
            return self.expr(node)
        if kind == "template_expr":
            inner = node.named_children[0]
            if inner.type == "quoted_template":
                return Template(self.template(inner), line)
            if inner.type == "heredoc_template":
                start = inner.named_children[0]
                return Heredoc(self.text(inner).rstrip(), self.text(start).startswith("<<-"), line)
            raise _Unsupported(inner.type)
        if kind == "collection_value":
            return self.collection(node.named_children[0])
        if kind == "function_call":
            return self.call(node)
        if kind == "for_expr":
            return self.for_expr(node.named_children[0])
        if kind == "operation":
            return self.operation(node.named_children[0])
        if kind == "conditional":
            return self.conditional(node)
        raise _Unsupported(kind)

    def conditional(self, node: Any) -> Expr:
        """HCL's `?:` groups to the right (`a ? x : b ? y : z` is `a ? x : (b ? y : z)`); the grammar
        groups chains in other ways, so a chain is read flat, in source order, and regrouped."""
        flat: list[Any] = []
        self.flatten(node, flat)
        line = node.start_point[0] + 1
        at = 0

        def parse() -> Expr:
            nonlocal at
            first = self.expr(flat[at])
            at += 1
            if at < len(flat) and flat[at] == "?":
                then = parse_after("?")
                otherwise = parse_after(":")
                return Conditional(first, then, otherwise, line)
            return first

        def parse_after(token: str) -> Expr:
            nonlocal at
            if flat[at] != token:
                raise _Unsupported("conditional")
            at += 1
            return parse()

        result = parse()
        if at != len(flat):
            raise _Unsupported("conditional")
        return result

    def flatten(self, node: Any, out: list[Any]) -> None:
        cond, then, otherwise = _named(node)
        for i, part in enumerate((cond, then, otherwise)):
            inner = [c for c in part.children if c.type != "comment"] if part.type == "expression" else []
            if len(inner) == 1 and inner[0].type == "conditional":
                self.flatten(inner[0], out)
            else:
                out.append(part)
            if i < 2:
                out.append("?:"[i])

    def operation(self, node: Any) -> Expr:
        line = node.start_point[0] + 1
        children = [c for c in node.children if c.type != "comment"]
        if node.type == "unary_operation":
            return Unary(children[0].type, self.sequence(children[1:]), line)
        for i, child in enumerate(children):
            if not child.is_named and child.type in _BINARY and i > 0:
                return Binary(child.type, self.sequence(children[:i]), self.sequence(children[i + 1 :]), line)
        raise _Unsupported("operation")

    def collection(self, node: Any) -> Expr:
        line = node.start_point[0] + 1
        if node.type == "tuple":
            return Tuple([self.expr(c) for c in _named(node) if c.type == "expression"], line)
        items: list[tuple[str | Expr, Expr]] = []
        for elem in _named(node):
            if elem.type != "object_elem":
                continue
            key_node, value_node = _named(elem)
            items.append((self.object_key(key_node), self.expr(value_node)))
        return Object(items, line)

    def object_key(self, node: Any) -> str | Expr:
        children = [c for c in node.children if c.type != "comment"]
        if len(children) == 1 and children[0].type == "variable_expr":
            return self.text(children[0].named_children[0])  # a bare name is a literal key, not a reference
        return self.expr(node)

    def call(self, node: Any) -> Expr:
        name = self.text(node.named_children[0])
        args: list[Expr] = []
        expand = False
        for child in node.named_children:
            if child.type == "function_arguments":
                for arg in child.named_children:
                    if arg.type == "expression":
                        args.append(self.expr(arg))
                    elif arg.type == "ellipsis":
                        expand = True
        return Call(name, args, expand, node.start_point[0] + 1)

    def for_intro(self, node: Any) -> tuple[str | None, str, Expr]:
        names = [self.text(c) for c in node.named_children if c.type == "identifier"]
        coll = next(c for c in node.named_children if c.type == "expression")
        if len(names) == 2:
            return names[0], names[1], self.expr(coll)
        return None, names[0], self.expr(coll)

    def for_expr(self, node: Any) -> Expr:
        line = node.start_point[0] + 1
        exprs = []
        intro = cond = None
        group = False
        for child in _named(node):
            kind = child.type
            if kind == "for_intro":
                intro = self.for_intro(child)
            elif kind == "expression":
                exprs.append(self.expr(child))
            elif kind == "for_cond":
                cond = self.expr(_named(child)[0])
            elif kind == "ellipsis":
                group = True
        if intro is None:
            raise _Unsupported("for")
        key_var, value_var, coll = intro
        if node.type == "for_tuple_expr":
            return ForExpr(key_var, value_var, coll, None, exprs[0], cond, False, line)
        return ForExpr(key_var, value_var, coll, exprs[0], exprs[1], cond, group, line)

    # --- templates ---------------------------------------------------------------------------------------
    # The grammar skips whitespace between a template's tokens as it does between expressions, so a
    # literal's text is read from the source: every byte between the interpolations and directives.
    def template(self, node: Any) -> list[Any]:
        children = node.children
        start, end = children[0], children[-1]
        if start.type != "quoted_template_start" or end.type != "quoted_template_end":
            raise _Unsupported("template")
        return self.template_parts(children[1:-1], start.end_byte, end.start_byte)

    def template_parts(
        self, children: list[Any], start: int, end: int, strip_start: bool = False, strip_end: bool = False
    ) -> list[Any]:
        """The parts between byte `start` and `end`; `~` strip markers trim the whitespace of the literal on
        their side (`strip_start`/`strip_end`: those of the directive around these parts)."""
        parts: list[Any] = []
        at = start
        strip_next = strip_start
        for child in children:
            kind = child.type
            if kind not in ("template_interpolation", "template_directive"):
                continue  # literals (and what the grammar takes for comments) are read from the gaps
            if child.start_byte > at and self.src[child.start_byte - 1] in b"$%":
                raise _Unsupported("an escaped $${ or %%{ the grammar reads as a template sequence")
            text = literal_text(self.src[at : child.start_byte].decode("utf-8"))
            if kind == "template_interpolation":
                leading, trailing = _marks(child)
                part = Interp(self.expr(next(c for c in child.named_children if c.type == "expression")))
            else:
                directive = child.named_children[0]
                boundaries = [c for c in directive.children if c.type.startswith("template_") and c.is_named]
                leading, trailing = _marks(boundaries[0])[0], _marks(boundaries[-1])[1]
                part = self.directive(directive)
            if leading:
                text = text.rstrip()
            if strip_next:
                text = text.lstrip()
            if text:
                parts.append(text)
            parts.append(part)
            strip_next = trailing
            at = child.end_byte
        text = literal_text(self.src[at:end].decode("utf-8"))
        if strip_next:
            text = text.lstrip()
        if strip_end:
            text = text.rstrip()
        if text or not parts:
            parts.append(text)
        return parts

    def directive(self, node: Any) -> Any:
        children = [c for c in node.children if c.type != "comment"]
        if node.type == "template_if":
            intro, finish = children[0], children[-1]
            if intro.type != "template_if_intro" or finish.type != "template_if_end":
                raise _Unsupported("template if")
            cond = self.expr(next(c for c in intro.named_children if c.type == "expression"))
            middle = children[1:-1]
            split = next((i for i, c in enumerate(middle) if c.type == "template_else_intro"), None)
            after_intro, before_end = _marks(intro)[1], _marks(finish)[0]
            if split is None:
                then = self.template_parts(middle, intro.end_byte, finish.start_byte, after_intro, before_end)
                return TemplateIf(cond, then, [])
            else_intro = middle[split]
            before_else, after_else = _marks(else_intro)
            then = self.template_parts(middle[:split], intro.end_byte, else_intro.start_byte, after_intro, before_else)
            otherwise = self.template_parts(
                middle[split + 1 :], else_intro.end_byte, finish.start_byte, after_else, before_end
            )
            return TemplateIf(cond, then, otherwise)
        if node.type == "template_for":
            start, finish = children[0], children[-1]
            if start.type != "template_for_start" or finish.type != "template_for_end":
                raise _Unsupported("template for")
            names = [self.text(c) for c in start.named_children if c.type == "identifier"]
            coll = self.expr(next(c for c in start.named_children if c.type == "expression"))
            key, value = (names[0], names[1]) if len(names) == 2 else (None, names[0])
            body = self.template_parts(
                children[1:-1], start.end_byte, finish.start_byte, _marks(start)[1], _marks(finish)[0]
            )
            return TemplateFor(key, value, coll, body)
        raise _Unsupported(node.type)


def _marks(node: Any) -> tuple[bool, bool]:
    """Whether a `${...}` or `%{...}` sequence opens with `~` (`${~`) and closes with one (`~}`)."""
    named = node.named_children
    if len(named) < 3:
        return False, False
    first, last = named[0], named[-1]
    leading = named[1].type == "strip_marker" and named[1].start_byte == first.end_byte
    trailing = named[-2].type == "strip_marker" and named[-2].end_byte == last.start_byte
    return leading, trailing


def literal_text(raw: str) -> str:
    """A template literal's value: escapes resolved, `$${` and `%%{` standing for `${` and `%{`."""
    if "$${" in raw or "%%{" in raw:
        out = []
        for i, piece in enumerate(raw.split("$${")):
            out.append(("${" if i else "") + "%{".join(unescape(p) for p in piece.split("%%{")))
        return "".join(out)
    return unescape(raw)
