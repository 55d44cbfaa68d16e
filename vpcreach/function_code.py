"""A load step: what each VPC function's code calls (issue 16, origin `code`), read with parsers/code and kept on
the model as evidence for analyzer/needs_evidence.py."""

from __future__ import annotations

import os
import time
from typing import Any

# Each read is bounded (parsers/code: 2 s, 8 MiB, 2,000 files); a source of many functions must not multiply that:
# a pull request could name a hundred code folders. Past this many seconds of reading for one source, the rest
# of its functions' code is not read (one note names them). The corpus's 35 inline functions read in 22 ms, a
# 200-file project in 0.7-1.5 s.
SOURCE_BUDGET = 10.0


def read_function_code(network: Any, root: str) -> None:
    """What each VPC function's code calls (issue 16, origin `code`): its inline code, or its code folder read
    inside the scan root (parsers/code, bounded there). Identical inline code and a folder named by several
    functions are read once, and the whole source's reading is bounded by SOURCE_BUDGET."""
    from vpcreach.graph import model as m

    functions = [
        fn for fn in network.of(m.Function) if fn.code is not None and (fn.has_vpc_config or fn.compute is not None)
    ]
    if not functions:
        return
    from vpcreach.parsers import code as reader

    inline: dict[tuple[str, str | None], list] = {}
    trees: dict[tuple[str, str | None], tuple[list, list[str]]] = {}
    deadline = time.monotonic() + SOURCE_BUDGET
    for i, fn in enumerate(functions):
        if i and time.monotonic() > deadline:  # between reads: each read is bounded on its own
            rest = ", ".join(f.id for f in functions[i:])
            network.notes.append(
                f"code reading stopped after the source's {SOURCE_BUDGET:g} s budget; the code of {rest} was not read"
            )
            return
        src = fn.code
        if src.kind == "inline":
            key = (src.text, src.runtime)
            if key not in inline:
                inline[key] = reader.read_inline(src.text, src.runtime, src.loc.file, 1)
            # Evidence lines are relative to the code's first line, which differs between functions.
            first = src.loc.line or 1
            found = [
                m.CodeEvidence(
                    e.kind, e.service, e.url, src.loc.file, first if src.one_line else e.line + first - 1, e.text
                )
                for e in inline[key]
            ]
        else:
            path = src.path
            if not os.path.isabs(path) and network.sources and os.path.isdir(network.sources[0]):
                path = os.path.join(network.sources[0], path)  # Terraform's path.module: relative to the root
            if not os.path.lexists(path):
                continue  # code not checked in (built elsewhere, or a template kept apart from it): nothing to read
            tree_key = (path, src.runtime)
            seen = tree_key in trees
            if not seen:
                trees[tree_key] = reader.read_tree(path, root, src.runtime)
            evidence, notes = trees[tree_key]
            found = [m.CodeEvidence(e.kind, e.service, e.url, e.file, e.line, e.text) for e in evidence]
            if not seen:
                network.notes.extend(f"{fn.id}: {note}" for note in notes)
        fn.code_evidence = found
