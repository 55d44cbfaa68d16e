"""Terraform's JSON syntax (`.tf.json`) → the syntax nodes of `syntax`, with each block's and attribute's line.

Read as https://developer.hashicorp.com/terraform/language/syntax/json says: the top-level keys are block
types; `resource` and `data` nest type then name, `variable`/`output`/`module`/`provider` a name; `locals`
holds attributes; a string is a template (`"${var.x}"` is the value itself), other JSON values are
literals; `depends_on` names traversals and a variable's `type` is a type expression; `"//"` keys are
comments. Terraform tells a nested block from an attribute holding an object by the provider's schema,
which vpcreach does not have: here an object, or a list of objects, is a nested block, except under
the map attributes in MAP_ATTRIBUTES (tags...) and in a module call, whose arguments are all attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import InputError
from .syntax_nodes import Attribute, BlockNode, Expr, Literal, Number, Object, Template, Tuple

MAP_ATTRIBUTES = {"tags", "tags_all", "variables", "triggers", "labels", "parameters", "environment_variables"}
_NAMED = {"variable": 1, "output": 1, "module": 1, "provider": 1, "resource": 2, "data": 2, "check": 1}
# Keys whose strings are bare expressions (a traversal, a type), not templates; count and for_each are templates.
_EXPRESSION_KEYS = {"depends_on", "type", "provider", "ignore_changes", "replace_triggered_by"}


def parse_json(
    text: str, path: str, parse: Callable[[str, str], list[Any]], parse_template: Callable[[str], Any]
) -> list[Attribute | BlockNode]:
    """The file's blocks; `parse` and `parse_template` read the native syntax inside its strings."""
    from ..yaml_loader import load_document

    data = load_document(text, path, cfn_tags=False)
    if not isinstance(data, dict):
        raise InputError(path, "a .tf.json file must hold a JSON object")
    return _Reader(path, parse, parse_template).file(data)


def _line(mapping: Any, key: Any) -> int | None:
    lines = getattr(mapping, "key_lines", None)
    return lines.get(key) if lines else getattr(mapping, "line", None)


class _Reader:
    def __init__(self, path: str, parse: Callable[[str, str], list[Any]], parse_template: Callable[[str], Any]) -> None:
        self.path, self.parse, self.parse_template = path, parse, parse_template

    def file(self, data: dict) -> list[Attribute | BlockNode]:
        items: list[Attribute | BlockNode] = []
        for kind, content in data.items():
            if kind == "//":
                continue
            line = _line(data, kind)
            if kind == "locals":
                for body in content if isinstance(content, list) else [content]:
                    items.append(BlockNode("locals", [], self.attributes(body), line, line))
            elif kind in _NAMED:
                items.extend(self.named(kind, content, _NAMED[kind], [], line))
            elif isinstance(content, dict):
                items.append(BlockNode(kind, [], self.body(content, kind), line, line))
        return items

    def named(self, kind: str, content: Any, depth: int, labels: list[str], line: int | None) -> list[BlockNode]:
        if depth == 0:
            bodies = content if isinstance(content, list) else [content]
            return [BlockNode(kind, labels, self.body(b, kind), line, line) for b in bodies if isinstance(b, dict)]
        if not isinstance(content, dict):
            raise InputError(self.path, f"{kind} needs an object of names here", line)
        blocks: list[BlockNode] = []
        for name, inner in content.items():
            if name == "//":
                continue
            blocks.extend(self.named(kind, inner, depth - 1, [*labels, str(name)], _line(content, name)))
        return blocks

    def attributes(self, body: Any) -> list[Attribute | BlockNode]:
        if not isinstance(body, dict):
            raise InputError(self.path, "locals needs an object", getattr(body, "line", None))
        return [Attribute(str(k), self.value(v), _line(body, k)) for k, v in body.items() if k != "//"]

    def body(self, body: Any, kind: str) -> list[Attribute | BlockNode]:
        if not isinstance(body, dict):
            raise InputError(self.path, f"a {kind} block needs an object", getattr(body, "line", None))
        items: list[Attribute | BlockNode] = []
        for key, value in body.items():
            if key == "//":
                continue
            key = str(key)
            line = _line(body, key)
            if key == "dynamic" and isinstance(value, dict):
                for label, spec in value.items():
                    inner = self.body(spec, "dynamic")
                    items.append(BlockNode("dynamic", [str(label)], inner, _line(value, label), _line(value, label)))
            elif kind != "module" and key not in MAP_ATTRIBUTES and _is_blocks(value):
                for spec in value if isinstance(value, list) else [value]:
                    items.append(BlockNode(key, [], self.body(spec, key), getattr(spec, "line", line) or line, line))
            elif key in _EXPRESSION_KEYS and kind not in ("module",):
                items.append(Attribute(key, self.expression(value, line), line))
            else:
                items.append(Attribute(key, self.value(value, line), line))
        return items

    def expression(self, value: Any, line: int | None) -> Expr:
        """A value Terraform reads as an expression, not a template: `"aws_iam_role.x"`, `"list(string)"`."""
        if isinstance(value, str) and "${" not in value:
            try:
                parsed = self.parse(f"x = {value}\n", "expression.tf")
            except InputError:
                parsed = []
            first = parsed[0] if len(parsed) == 1 else None
            if not isinstance(first, Attribute):
                raise InputError(self.path, f"not an expression: {value!r}", line)
            return _at_line(first.expr, line)
        if isinstance(value, list):
            return Tuple([self.expression(v, line) for v in value], line)
        return self.value(value, line)

    def value(self, value: Any, line: int | None = None) -> Expr:
        line = getattr(value, "line", None) or line
        if isinstance(value, str):
            if "${" not in value and "%{" not in value:
                return Template([value], line)
            node = self.parse_template(value)
            if node is None:
                raise InputError(self.path, f"not a template vpcreach can read: {value[:60]!r}", line)
            return _at_line(node, line)
        if isinstance(value, bool) or value is None:
            return Literal(value, line)
        if isinstance(value, (int, float)):
            return Number(repr(value), line)
        if isinstance(value, list):
            return Tuple([self.value(v, line) for v in value], line)
        if isinstance(value, dict):
            return Object([(str(k), self.value(v, _line(value, k))) for k, v in value.items() if k != "//"], line)
        raise InputError(self.path, f"unexpected JSON value {value!r}", line)


def _is_blocks(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _at_line(node: Any, line: int | None) -> Any:
    """A node parsed out of a JSON string, given the line of the string in the file."""
    stack = [node]
    while stack:
        current = stack.pop()
        if hasattr(current, "line"):
            current.line = line
        for slot in getattr(type(current), "__slots__", ()):
            child = getattr(current, slot, None)
            if isinstance(child, Expr):
                stack.append(child)
            elif isinstance(child, list):
                stack.extend(c for c in child if isinstance(c, Expr))
    return node
