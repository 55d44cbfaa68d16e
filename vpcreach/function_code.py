"""A load step: what each VPC function's code calls (issue 16, origin `code`), read with parsers/code and kept on
the model as evidence for analyzer/needs_evidence.py."""

from __future__ import annotations

import os
from typing import Any


def read_function_code(network: Any, root: str) -> None:
    """What each VPC function's code calls (issue 16, origin `code`): its inline code, or its code folder read
    inside the scan root (parsers/code, bounded there). Identical inline code is read once: a template of many
    functions often repeats one handler."""
    from vpcreach.graph import model as m

    functions = [
        fn for fn in network.of(m.Function) if fn.code is not None and (fn.has_vpc_config or fn.compute is not None)
    ]
    if not functions:
        return
    from vpcreach.parsers.code import read_inline, read_tree

    inline: dict[tuple[str, str | None], list] = {}
    for fn in functions:
        src = fn.code
        if src.kind == "inline":
            key = (src.text, src.runtime)
            if key not in inline:
                inline[key] = read_inline(src.text, src.runtime, src.loc.file, 1)
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
            evidence, notes = read_tree(path, root, src.runtime)
            found = [m.CodeEvidence(e.kind, e.service, e.url, e.file, e.line, e.text) for e in evidence]
            network.notes.extend(f"{fn.id}: {note}" for note in notes)
        fn.code_evidence = found
