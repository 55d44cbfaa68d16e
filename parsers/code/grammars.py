"""tree-sitter parsers for the languages read with it, loaded on first use.

The grammar packages are imported lazily (`vpcreach --version` and scans without code do not pay for them) and
each parser is built once per process. A missing grammar package is not an error: the files of that language
are left unread with a note.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

# Language → (module of its grammar wheel, function returning the language pointer).
_GRAMMARS = {
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "java": ("tree_sitter_java", "language"),
    "go": ("tree_sitter_go", "language"),
    "csharp": ("tree_sitter_c_sharp", "language"),
}


class GrammarMissing(Exception):
    """The tree-sitter package or a language's grammar package is not installed."""


@functools.cache
def language(name: str) -> Any:
    """The tree-sitter Language of `name` (a key of _GRAMMARS); GrammarMissing when it is not installed."""
    module_name, function = _GRAMMARS[name]
    try:
        tree_sitter = importlib.import_module("tree_sitter")
        grammar = importlib.import_module(module_name)
    except ImportError as exc:
        raise GrammarMissing(f"{exc.name or module_name} is not installed") from None
    return tree_sitter.Language(getattr(grammar, function)())


@functools.cache
def parser(name: str) -> Any:
    """A tree-sitter Parser for `name`, built once; GrammarMissing when tree-sitter or the grammar is missing."""
    grammar = language(name)
    tree_sitter = importlib.import_module("tree_sitter")
    return tree_sitter.Parser(grammar)


@functools.cache
def query(name: str, pattern: str) -> Any:
    """A compiled tree-sitter Query over `name`'s grammar, built once."""
    grammar = language(name)
    tree_sitter = importlib.import_module("tree_sitter")
    return tree_sitter.Query(grammar, pattern)


def captures(name: str, pattern: str, node: Any) -> dict[str, list[Any]]:
    """The nodes under `node` each capture of `pattern` matches, by capture name."""
    tree_sitter = importlib.import_module("tree_sitter")
    result: dict[str, list[Any]] = tree_sitter.QueryCursor(query(name, pattern)).captures(node)
    return result
