"""`# vpcreach:needs=internet,s3` and `# vpcreach:ignore=VR201:reason` comments on a resource block.

They are read from the comment lines directly above the block (or a comment on its first line); a blank
line or code in between ends the annotation, so a comment belongs to exactly one resource.
"""

from __future__ import annotations

import re

from vpcreach.graph.model import Suppression

_DIRECTIVE = re.compile(r"vpcreach:(needs|ignore)\s*=\s*(.+?)\s*(?:\*/)?$")


def parse_ignores(text: str) -> list[Suppression]:
    """`VR201,VR302` or `VR201:reason text` → suppressions (the reason applies to every id listed)."""
    text = text.strip()
    reason = ""
    if ":" in text:
        text, reason = text.split(":", 1)
    return [Suppression(i.strip(), reason.strip()) for i in text.split(",") if i.strip()]


def _comment(line: str) -> str | None:
    stripped = line.strip()
    for mark in ("#", "//", "/*"):
        if stripped.startswith(mark):
            return stripped[len(mark) :].strip()
    return None


def block_annotations(lines: list[str], line: int | None) -> tuple[list[str], list[Suppression]]:
    """Declared needs and suppressions written on the comment lines directly above line `line` (1-based)."""
    if not line or line > len(lines):
        return [], []
    comments: list[str] = []
    i = line - 2
    while i >= 0:
        text = _comment(lines[i])
        if text is None:
            break
        comments.append(text)
        i -= 1
    own = lines[line - 1]
    for mark in ("#", "//"):
        if mark in own and "vpcreach:" in own.split(mark, 1)[1]:
            comments.append(own.split(mark, 1)[1].strip())
            break
    needs: list[str] = []
    ignores: list[Suppression] = []
    for text in reversed(comments):
        match = _DIRECTIVE.search(text)
        if not match:
            continue
        if match.group(1) == "needs":
            needs.extend(n.strip() for n in match.group(2).split(",") if n.strip())
        else:
            ignores.extend(parse_ignores(match.group(2)))
    return needs, ignores
