"""Reading JSON that vpcreach is given (Terraform plan JSON, `*.tfvars.json`, JSON templates): strict, bounded.

Python's `json` module accepts more than the JSON the tools we read ever write, and a hostile file (inputs
come from pull requests) uses exactly that. `load_json` parses with the C decoder and refuses, as one
`InputError` naming the place (line and column; for a duplicate key also the JSON path and the first key):

- **duplicate keys**: `json` keeps the last silently; Terraform and CloudFormation never write two, so a
  second one is an edit meant to show a reviewer one value while the tool reads the other. Found with an
  `object_pairs_hook` (`reject_duplicates`), which costs the C decoder almost nothing;
- **`NaN`, `Infinity`, `-Infinity`** (not JSON, RFC 8259 §6; Python accepts them) and numbers that
  overflow a float to infinity (`1e999`). Terraform writes its JSON with Go's encoding/json, which refuses
  to encode NaN and ±Inf at all ("json: unsupported value: NaN", golang/go#3480, #59627);
- **integers longer than Python's int/str conversion limit** (4300 digits by default; CVE-2020-10735,
  https://docs.python.org/3/library/stdtypes.html#int-max-str-digits): `int()` raises a bare ValueError
  inside the decoder;
- **lone surrogate escapes** (`"\\ud800"`): valid JSON syntax, but not a Unicode character; such a string
  cannot be encoded as UTF-8 and breaks every report written later;
- **nesting deeper than `MAX_DEPTH`**: the C decoder recurses, and every later walk of the data would too.

The depth is bounded before parsing from the bracket count of the raw bytes (a bytes.translate and one
pass, ~0.1 s for 40 MB); brackets inside strings can only make that estimate too high, and then the exact
depth of the parsed data decides. Everything else costs nothing unless the text contains the construct:
a refused file pays for finding the place it names.

The garbage collector is paused while the decoder builds the tree: JSON cannot make reference cycles,
and on a 20 MiB plan the collections triggered by millions of new containers doubled the parse time.
"""

from __future__ import annotations

import gc
import json
import re
import sys
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from .errors import MAX_DEPTH, InputError

# Python 3.11+ (and 3.10.7+) refuse int <-> str conversions past this many digits (CVE-2020-10735).
_INT_DIGITS = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_SIGN = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_SURROGATE_HINT = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE = re.compile(r"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})")
_NON_FINITE = re.compile(r"-?\b(?:NaN|Infinity)\b")
_KEY_SHOWN = 60  # characters of a key quoted in a message


class _Refused(ValueError):
    """Raised inside the decoder's hooks; `load_json` turns it into an InputError with a place."""

    def __init__(self, kind: str, detail: Any = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.detail = detail


class _DuplicateKey(dict):
    """A JSON object that had a duplicate key: the decoder goes on, and the caller looks for it afterwards."""

    duplicate: str = ""


def reject_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    """`object_pairs_hook` for `json.loads`: a dict, or a `_DuplicateKey` dict marking the object to report.

    Usable alone (`json.loads(text, object_pairs_hook=reject_duplicates)` then `find_duplicate(data)`);
    `load_json` does both and names the place.
    """
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        marked = _DuplicateKey(out)
        for key, _ in pairs:
            if key in seen:
                marked.duplicate = key
                break
            seen.add(key)
        return marked
    return out


def find_duplicate(data: Any) -> tuple[str, list[str | int]] | None:
    """The first object (document order, outermost first) that had a duplicate key: (key, its JSON path)."""
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, _DuplicateKey):
            return node.duplicate, path
        if isinstance(node, dict):
            stack.extend((v, [*path, k]) for k, v in reversed(list(node.items())) if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, [*path, i]) for i, v in reversed(list(enumerate(node))) if isinstance(v, (dict, list)))
    return None


def json_path(path: list[str | int]) -> str:
    """`["a", 0, "b c"]` → `$.a[0]["b c"]`."""
    out = "$"
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", step):
            out += f".{step}"
        else:
            out += f"[{_quoted(step)}]"
    return out


def load_json(text: str, path: str) -> Any:
    """Parse JSON text strictly (see the module docstring); every refusal is one InputError naming the place."""
    if _bracket_depth(text) > MAX_DEPTH and _deeper_than(text, MAX_DEPTH, path):
        raise InputError(path, f"JSON nested deeper than {MAX_DEPTH} levels; refusing to parse it")
    duplicates = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        nonlocal duplicates
        out = reject_duplicates(pairs)
        if out.__class__ is _DuplicateKey:
            duplicates = True
        return out

    enabled = gc.isenabled()
    gc.disable()
    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs_hook,
            parse_constant=_constant,
            parse_float=_float,
        )
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except _Refused as exc:
        raise _refusal(text, path, exc) from None
    except RecursionError:
        raise InputError(path, f"JSON nested deeper than {MAX_DEPTH} levels; refusing to parse it") from None
    except ValueError as exc:
        # int() past the digit limit, raised from inside the C decoder with no position.
        raise _long_number(text, path, exc) from None
    finally:
        if enabled:
            gc.enable()
    if duplicates:
        found = find_duplicate(data)
        if found is not None:
            raise _duplicate(text, path, *found)
    if _SURROGATE_HINT.search(text):
        where = _lone_surrogate(text)
        if where is not None:
            line, column = _position(text, where)
            raise InputError(
                path,
                f"invalid JSON: lone surrogate escape {text[where : where + 6]} (column {column}) is not a "
                "Unicode character",
                line,
            )
    return data


# --- the checks ----------------------------------------------------------------------------------------------
def _constant(name: str) -> Any:
    raise _Refused("constant", name)


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Refused("overflow", text)
    return value


def _bracket_depth(text: str) -> int:
    """An upper bound of the nesting depth: the deepest prefix count of `[{` over `]}`, strings included."""
    signs = text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS).translate(_BRACKET_SIGN)
    return max(accumulate(c - 1 for c in signs), default=0)


def _deeper_than(text: str, limit: int, path: str) -> bool:
    """The exact depth test, for texts whose strings hold brackets that made the estimate exceed `limit`."""
    try:
        data = json.loads(text)
    except RecursionError:
        return True
    except ValueError:
        return False  # not valid JSON: the strict parse reports where
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict) else node))
    return False


def _lone_surrogate(text: str) -> int | None:
    """Offset of the first `\\uD800`-`\\uDFFF` escape that is not a high + low pair, else None."""
    paired_low = -1
    for match in _SURROGATE_ESCAPE.finditer(text):
        if len(match.group(1)) % 2 == 0:
            continue  # an escaped backslash followed by the letters "ud800"
        start = match.start(2) - 2  # the escape's own backslash
        if start == paired_low:
            continue
        value = int(match.group(2), 16)
        if value >= 0xDC00:
            return start  # a low surrogate that no high one precedes
        low = text[match.end() : match.end() + 6]
        if len(low) == 6 and low[:2] == "\\u" and _is_hex(low[2:]) and 0xDC00 <= int(low[2:], 16) <= 0xDFFF:
            paired_low = match.end()
            continue
        return start
    return None


def _is_hex(s: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in s)


# --- messages with a place ------------------------------------------------------------------------------
def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of an offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _quoted(s: str) -> str:
    shown = json.dumps(s)  # escapes control characters and surrogates
    return shown if len(shown) <= _KEY_SHOWN else shown[: _KEY_SHOWN - 4] + '..."'


def _refusal(text: str, path: str, exc: _Refused) -> InputError:
    if exc.kind == "constant":
        match = _NON_FINITE.search(text)
        line, column = _position(text, match.start()) if match else (None, None)
        where = f" (column {column})" if column else ""
        return InputError(path, f"invalid JSON: {exc.detail}{where} is not a JSON number", line)
    number = str(exc.detail)
    offset = text.find(number)
    line, column = _position(text, offset) if offset >= 0 else (None, None)
    where = f" (column {column})" if column else ""
    shown = number if len(number) <= 30 else number[:27] + "..."
    return InputError(path, f"invalid JSON: the number {shown}{where} is too large for a float", line)


def _long_number(text: str, path: str, exc: ValueError) -> InputError:
    match = re.search(rf"-?\d{{{_INT_DIGITS + 1},}}", text)
    if match is None:
        return InputError(path, f"invalid JSON: {str(exc).split(';')[0]}")
    line, column = _position(text, match.start())
    return InputError(
        path,
        f"invalid JSON: a number of {match.end() - match.start()} digits (column {column}); "
        f"vpcreach reads numbers of up to {_INT_DIGITS} digits",
        line,
    )


def _duplicate(text: str, path: str, key: str, steps: list[str | int]) -> InputError:
    offsets = list(_key_offsets(text, steps, key))
    where = f"in {json_path(steps)}"
    if len(offsets) >= 2:
        (line1, col1), (line2, col2) = _position(text, offsets[0]), _position(text, offsets[1])
        place = f" at column {col2} (first at column {col1})" if line1 == line2 else f" (first on line {line1})"
        return InputError(path, f"duplicate key {_quoted(key)}{place} {where}; {_WHY_DUPLICATES}", line2)
    return InputError(path, f"duplicate key {_quoted(key)} {where}; {_WHY_DUPLICATES}")


_WHY_DUPLICATES = "refused rather than keeping one of the values"


def _key_offsets(text: str, steps: list[str | int], key: str) -> Iterator[int]:
    """Offsets of `key` in the object at JSON path `steps`: walks down the path member by member, skipping
    each value with the C decoder's raw_decode (so the cost is one more parse of the text at most)."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    for target in [*steps, None]:
        opener = text[pos : pos + 1]
        if opener not in ("{", "["):
            return
        pos = _skip_space(text, pos + 1)
        index = 0
        while pos < len(text) and text[pos] not in "}]":
            if opener == "{":
                member, end = decoder.raw_decode(text, pos)
                key_at = pos
                pos = _skip_space(text, _skip_space(text, end) + 1)  # past the colon
                if target is None and member == key:
                    yield key_at
                elif target is not None and member == target:
                    break
            elif target == index:
                break
            _, end = decoder.raw_decode(text, pos)
            pos = _skip_space(text, end)
            if text[pos : pos + 1] == ",":
                pos = _skip_space(text, pos + 1)
            index += 1
        else:
            return
        if target is None:
            return


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


__all__ = ["find_duplicate", "json_path", "load_json", "reject_duplicates"]
