"""`# vpcreach:needs=internet,s3`, `# vpcreach:ignore=VR201:reason` and `# vpcreach:traffic=s3:100`
comments on a resource block.

They are read from the comment lines directly above the block (or a comment on its first line); a blank
line or code in between ends the annotation, so a comment belongs to exactly one resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vpcreach.graph.model import Suppression

_DIRECTIVE = re.compile(r"vpcreach:(needs|ignore|traffic)\s*=\s*(.+?)\s*(?:\*/)?$")


def parse_ignores(text: str) -> list[Suppression]:
    """`VR201,VR302` or `VR201:reason text` → suppressions (the reason applies to every id listed)."""
    text = text.strip()
    reason = ""
    if ":" in text:
        text, reason = text.split(":", 1)
    return [Suppression(i.strip(), reason.strip()) for i in text.split(",") if i.strip()]


def parse_traffic(text: str) -> dict[str, float]:
    """`s3:100,sqs:2.5` (GB/month per need) → {"s3": 100.0, "sqs": 2.5}; malformed pairs are skipped."""
    out: dict[str, float] = {}
    for pair in text.split(","):
        name, sep, amount = pair.partition(":") if ":" in pair else pair.partition("=")
        try:
            if sep and name.strip():
                out[name.strip()] = float(amount)
        except ValueError:
            continue
    return out


@dataclass
class Annotations:
    needs: list[str] = field(default_factory=list)
    ignores: list[Suppression] = field(default_factory=list)
    traffic_gb: dict[str, float] = field(default_factory=dict)


def _comment(line: str) -> str | None:
    stripped = line.strip()
    for mark in ("#", "//", "/*"):
        if stripped.startswith(mark):
            return stripped[len(mark) :].strip()
    return None


def block_annotations(lines: list[str], line: int | None) -> Annotations:
    """Needs, suppressions and traffic written on the comment lines directly above line `line` (1-based)."""
    out = Annotations()
    if not line or line > len(lines):
        return out
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
    for text in reversed(comments):
        match = _DIRECTIVE.search(text)
        if not match:
            continue
        kind, value = match.groups()
        if kind == "needs":
            out.needs.extend(n.strip() for n in value.split(",") if n.strip())
        elif kind == "ignore":
            out.ignores.extend(parse_ignores(value))
        else:
            out.traffic_gb.update(parse_traffic(value))
    return out


# A comment that mentions vpcreach: but is not one of the three directives (`# vpcreach:need=s3`, `# vpcreach: needs`).
_MENTION = re.compile(r"\bvpcreach\s*:")
_BLOCK_START = re.compile(r'^\s*(resource|data|module)\s+"')


def stray_annotations(lines: list[str]) -> list[tuple[int, str]]:
    """(line, problem) for each `vpcreach:` comment that does nothing: misspelt or malformed, or detached from
    the block below it by a blank line or code (annotations are read from the comments directly above a block).
    A mistyped annotation would otherwise check nothing, or suppress nothing, without a word."""
    out: list[tuple[int, str]] = []
    for i, raw in enumerate(lines):
        text = _comment(raw)
        if text is None:
            own = raw.split("#", 1)[1] if "#" in raw else raw.split("//", 1)[1] if "//" in raw else ""
            if _MENTION.search(own) and not _DIRECTIVE.search(own.strip()) and "vpcreach-test" not in own:
                out.append(
                    (
                        i + 1,
                        f"{own.strip()!r} is not a vpcreach annotation (vpcreach:needs=, vpcreach:ignore=, vpcreach:traffic=)",
                    )
                )
            continue
        if "vpcreach-test" in text or not _MENTION.search(text):
            continue
        if not _DIRECTIVE.search(text):
            out.append(
                (i + 1, f"{text!r} is not a vpcreach annotation (vpcreach:needs=, vpcreach:ignore=, vpcreach:traffic=)")
            )
            continue
        j = i + 1
        while j < len(lines) and _comment(lines[j]) is not None:
            j += 1
        if j >= len(lines) or not _BLOCK_START.match(lines[j]):
            out.append(
                (
                    i + 1,
                    "this vpcreach annotation is not directly above a resource, data or module block (a "
                    "blank line or code in between detaches it), so it applies to nothing",
                )
            )
    return out
