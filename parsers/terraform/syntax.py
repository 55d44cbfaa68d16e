"""The one Terraform (HCL native syntax) front end the evaluator sees: blocks, attributes and expression nodes.

Everything past this module works on the plain node classes below; no parser's own tree type leaks out.
Two parsers fill them:

- tree-sitter with the tree-sitter-hcl grammar (the default: a C parser, about twenty times faster than a
  pure-Python one, which a pre-commit hook pays on every commit);
- python-hcl2 (lark), the reference. It decides whenever tree-sitter finds an error, so a file's parse
  error is exactly python-hcl2's one line with file:line, and a file only python-hcl2 reads is still read.
  `VPCREACH_HCL_PARSER=python-hcl2` makes it the only parser (tests compare both front ends with it).

Every node keeps the line it starts on; an attribute keeps its expression's exact source text.
"""

from __future__ import annotations

import os

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

# --- choosing a front end ----------------------------------------------------------------------------------
FRONT_ENDS = ("tree-sitter", "python-hcl2")
TF_SUFFIXES = (".tf", ".tf.json")  # Terraform's native and JSON syntax


def is_terraform_file(name: str) -> bool:
    return name.endswith(TF_SUFFIXES)


def front_end() -> str:
    chosen = os.environ.get("VPCREACH_HCL_PARSER", "tree-sitter")
    return chosen if chosen in FRONT_ENDS else "tree-sitter"


def parse(text: str, path: str, use: str | None = None) -> list[Attribute | BlockNode]:
    """The top-level attributes and blocks of one file; every parser failure becomes one InputError line."""
    if path.endswith(".tf.json"):
        from .syntax_json import parse_json

        return parse_json(text, path, parse, parse_template)
    if "\x00" in text:
        raise InputError(path, "invalid HCL: the file contains NUL bytes", text[: text.index("\x00")].count("\n") + 1)
    if (use or front_end()) == "tree-sitter":
        from .syntax_ts import parse_ts

        items = parse_ts(text)
        if items is not None:
            return items
    from .syntax_lark import parse_lark

    return parse_lark(text, path)


def parse_template(text: str, use: str | None = None) -> Expr | None:
    """A template's text (a heredoc body, a templatefile) as a Template node, or None if it is not one."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
    try:
        items = parse(f'x = "{escaped}"\n', "<template>", use)
    except InputError:
        return None
    first = items[0] if len(items) == 1 else None
    return first.expr if isinstance(first, Attribute) else None


__all__ = [
    "Attribute",
    "Binary",
    "BlockNode",
    "Call",
    "Conditional",
    "Expr",
    "ForExpr",
    "GetAttr",
    "Heredoc",
    "Index",
    "Interp",
    "Literal",
    "Name",
    "Number",
    "Object",
    "Splat",
    "Template",
    "TemplateFor",
    "TemplateIf",
    "Tuple",
    "Unary",
    "front_end",
    "is_terraform_file",
    "parse",
    "parse_template",
]
