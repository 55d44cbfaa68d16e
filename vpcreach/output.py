"""What vpcreach prints, and the one place each kind of output leaves the process.

Reports carry values an attacker writes: a pull request's template chooses its logical ids, tag values,
file names and the text of the Unknown reasons quoting them. Printed raw, a value holding a newline could
start a line of its own, such as a GitHub Actions workflow command (`::error file=x::...`, read only at
the start of a line) or a fake `summary: 0 errors`; an escape sequence could clear or rewrite the
terminal; a bidirectional override (the "Trojan Source" characters, CVE-2021-42574) could make a line
read differently from what it says; a lone surrogate (from a `\\ud800` escape in a JSON template or an
undecodable file name) cannot be encoded as UTF-8 at all.

- `escape` turns each such character into a visible escape (`\\n`, `\\x1b`, `\\u202e`, `\\ud800`); it is
  applied where values enter each report, line by line, so a report's own line breaks are the only ones.
- `say` writes the `vpcreach: error: ...` / `warning:` / `note:` lines on stderr, escaped; `error` is the one
  caller that writes an error line, and `exit_code` the one decision of the exit status.
- `write_report` writes a finished report to a file or stdout without ever failing to encode it.
- `json_text` is the JSON of the machine-readable reports: every string as it is (JSON escapes control
  characters itself), except lone surrogates, which strict JSON readers reject, spelled like `escape`.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import click

# C0 controls (tab and newline included: inside a value they are data, not layout), DEL, C1 controls
# (U+0085 NEL is a line break to some readers), the bidirectional formatting characters (ALM, LRM, RLM,
# the embeddings and overrides U+202A-U+202E, the isolates U+2066-U+2069), the line and paragraph
# separators, surrogates (in a Python string, always lone: a pair would be one character) and the
# non-characters U+FFFE/U+FFFF, which XML 1.0 forbids with the C0 controls.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    c = match.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def escape(text: str) -> str:
    """`text` with every character that could forge a line, move the cursor, reorder what a reader sees or
    fail to encode replaced by a visible escape. Printable text (any script, emoji, `→`) is unchanged,
    and so are backslashes: escaping is for safety, not for reversibility."""
    if text.isascii() and text.isprintable():  # nearly every line: no regex pass (C checks, no copy)
        return text
    return _UNSAFE.sub(_visible, text)


def lines(items: list[str]) -> str:
    """Lines of a report joined by newlines, each escaped: a value's newline cannot start a line."""
    return "\n".join(map(escape, items))


def say(level: str, message: str) -> None:
    """One `vpcreach: <level>: <message>` line on stderr (level: error, warning or note)."""
    click.echo(f"vpcreach: {level}: {escape(message)}", err=True)


# The exit statuses of every vpcreach command (cfn-lint has its own bitmask).
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def exit_code(errors: bool = False, failing: bool = False) -> int:
    """The exit status of a command: 2 when bad input or usage was reported (an error line), else 1 when a
    finding at or above the severity threshold remains, else 0."""
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def error(message: str) -> int:
    """The one way a `vpcreach: error: ...` line is printed; returns the exit status of a command that stops
    on it (a run that carries on past it passes `errors=True` to `exit_code` at its end)."""
    say("error", message)
    return exit_code(errors=True)


def json_text(data: Any) -> str:
    """JSON for a report (indented, ASCII): lone surrogates become the text `\\udXXX` (as `escape` writes
    them) instead of a `\\udXXX` escape that RFC 8259 leaves undefined and strict parsers refuse."""
    import json

    text = json.dumps(data, indent=2)
    if "\\ud" in text:  # rare: only then look for lone surrogates in the data itself
        text = json.dumps(_without_surrogates(data), indent=2)
    return text


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub(_visible, value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_surrogates(v) for v in value]
    return value


def write_report(text: str, path: str | None = None, color: bool | None = None, human: bool = False) -> None:
    """Write a finished report to `path` (UTF-8) or to stdout, ending it with a newline.

    JSON, SARIF, JUnit, HTML, DOT and Mermaid are UTF-8 by their specifications, so on stdout they are
    written as UTF-8 bytes whatever the locale says. The text report (`human`) follows the terminal's
    encoding; a character it cannot show becomes a backslash escape instead of a UnicodeEncodeError
    (`PYTHONIOENCODING=latin-1`, a Windows console). Values were escaped when the report was built; the
    `backslashreplace` below only keeps a lone surrogate that slipped through from stopping the run.
    """
    if not text.endswith("\n"):
        text += "\n"
    if path is not None:
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
        return
    if human:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        click.echo(text.encode(encoding, "backslashreplace").decode(encoding), nl=False, color=color)
    else:
        click.echo(text.encode("utf-8", "backslashreplace"), nl=False)
