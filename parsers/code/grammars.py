"""tree-sitter parsers for the languages read with it, loaded on first use.

The grammar packages are imported lazily (`vpcreach --version` and scans without code do not pay for them) and
each parser is built once per process. A missing grammar package is not an error: the files of that language
are left unread with a note.
"""

from __future__ import annotations

import functools
import importlib
import time
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


class Timeout(Exception):
    """A parse went past its deadline and was given up."""


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


# Nodes inside syntax errors (ERROR subtrees) a tree may hold and still be queried. A query's time grows with
# the square of an error region: 10,000 such nodes take ~0.04 s, 20,000 ~0.16 s, a 64 KiB run of `[` 1.7 s
# (measured on the reference machine). Real code with a construct the grammar lacks has a few dozen.
MAX_ERROR_NODES = 10_000
# Prefixes of a large source parsed first: tree-sitter's error recovery on garbage grows faster than the
# size (512 KiB of random printable text: 4.4 s for JavaScript; 128 KiB: 0.14 s; 64 KiB: 0.06 s), so a source
# that is garbage is found broken on a prefix before the whole of it is parsed.
PROBES = (64 * 1024, 256 * 1024)


class TooBroken(Exception):
    """The source has more than MAX_ERROR_NODES nodes inside syntax errors; `str()` says how many."""


def parse(name: str, source: bytes, deadline: float | None = None) -> Any:
    """The tree of `source` in language `name`.

    TooBroken when the tree (or the tree of a prefix in PROBES) has more than MAX_ERROR_NODES nodes inside
    syntax errors, which a query could not get through in bounded time; Timeout when time.monotonic() has
    passed `deadline` after a prefix. tree-sitter's own ways to stop a parse or a query part-way (a progress
    callback; a source callback that ends the input early) crash the interpreter in py-tree-sitter 0.26.1 on
    such input, so the parse is bounded by the probes and the file size instead."""
    for size in PROBES:
        if len(source) <= size:
            break
        _checked(parser(name).parse(source[:size]))
        if deadline is not None and time.monotonic() > deadline:
            raise Timeout
    return _checked(parser(name).parse(source))


def _checked(tree: Any) -> Any:
    if tree.root_node.has_error:
        broken = error_nodes(tree)
        if broken > MAX_ERROR_NODES:
            raise TooBroken(f"{broken} nodes in syntax errors")
    return tree


def error_nodes(tree: Any) -> int:
    """How many nodes of `tree` lie inside ERROR nodes (a walk that does not enter them: their size is known)."""
    cursor = tree.walk()
    total = 0
    while True:
        node = cursor.node
        if node is not None and node.type == "ERROR":
            total += node.descendant_count
        elif cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return total


def captures(name: str, pattern: str, node: Any) -> dict[str, list[Any]]:
    """The nodes under `node` each capture of `pattern` matches, by capture name."""
    tree_sitter = importlib.import_module("tree_sitter")
    result: dict[str, list[Any]] = tree_sitter.QueryCursor(query(name, pattern)).captures(node)
    return result
