"""Values of evaluated Terraform expressions, shared by the evaluator and the AWS mapping.

Known values are plain Python: str, int, float, bool, None, list, dict. A resource attribute known only
after apply is a `TfRef`; anything else that cannot be known is a `graph.model.Unknown`. Two refinements
keep identity and structure that plain values would lose:

- `Named` is a string that is also a known attribute of a resource (`aws_iam_role.r.name` evaluates to
  `"app-role"`, and the role it names must still be found from it);
- `Derived` is an Unknown computed from resource attributes: it remembers the `TfRef`s it was built from
  (so `"${aws_db_instance.db.address}:5432"` still points at the database) and, for string templates and
  encoded JSON, the known part of its text or structure (so a policy document whose `Resource` is an ARN
  known only after apply still yields its actions).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from vpcreach.graph.model import Unknown

from .instance import TfRef

# Stand-ins for unknown pieces inside a template's text: private-use characters that survive JSON.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{_MARK_OPEN}[0-9]+{_MARK_CLOSE}")
MAX_INT_BITS = 1024  # Terraform's numbers are 512-bit floats; past this vpcreach refuses an integer


def number_problem(value: int | float) -> str | None:
    """Why vpcreach refuses a number (infinite, NaN, an integer of more than MAX_INT_BITS bits), or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else f"the number {value} (infinite or undefined) is not evaluated"
    bits = value.bit_length()
    return (
        None if bits <= MAX_INT_BITS else f"a number of {bits} bits is larger than vpcreach evaluates ({MAX_INT_BITS})"
    )


class Named(str):
    """A known string that is also `ref` (a resource attribute): ids can be recovered from names."""

    __slots__ = ("ref",)
    ref: TfRef

    def __new__(cls, value: str, ref: TfRef) -> Named:
        obj = super().__new__(cls, value)
        obj.ref = ref
        return obj

    def __reduce__(self) -> tuple:
        return (Named, (str(self), self.ref))


_NOTHING = object()


class Derived(Unknown):
    """An unknown value built from known pieces and resource attributes known only after apply."""

    __slots__ = ("refs", "text", "value")

    def __init__(self, reason: str, refs: tuple[TfRef, ...] = (), text: str | None = None, value: Any = _NOTHING):
        super().__init__(reason)
        self.refs = refs
        self.text = text  # a template's text with unknown parts replaced by markers
        self.value = value  # an encoded structure whose leaves may be unknown (jsonencode of it)

    @property
    def has_value(self) -> bool:
        return self.value is not _NOTHING


class ManagedPolicy(Unknown):
    """The document of an IAM policy read by ARN (`data.aws_iam_policy`): unknown here, but named."""

    __slots__ = ("arn",)

    def __init__(self, arn: str) -> None:
        super().__init__(f"the document of {arn} is read from AWS when Terraform plans")
        self.arn = arn


class Pending(Unknown):
    """A value read from outside the configuration (a data source, a module not on disk): unknown, but each
    attribute or element of it is a different unknown, so two subnets from it are not taken for one."""

    __slots__ = ("path", "template")

    def __init__(self, path: str, template: str, reason: str | None = None) -> None:
        super().__init__(reason if reason is not None else template.format(path=path))
        self.path = path
        self.template = template

    def extend(self, step: str) -> Pending:
        return Pending(self.path + step, self.template)


class Single(Unknown):
    """An unknown known to be one value, not a list: a string variable without a value, an element taken by
    index from an unknown list (each index a new value: two elements are not taken for one)."""

    __slots__ = ()


def one_value(value: Unknown) -> bool:
    """Whether an unknown list item is known to be one item (DESIGN decision 13). Any other unknown item may
    be a whole list: Terraform 0.11 flattened `["${var.subnets}"]`, and a module output, a data source's
    attribute or an untyped variable may hold one."""
    if isinstance(value, Single):
        return True
    if isinstance(value, Pending):
        return value.path.endswith(("]", ".id"))
    return isinstance(value, Derived) and value.text is not None


def is_unknown(value: Any) -> bool:
    return isinstance(value, (Unknown, TfRef))


def refs_in(value: Any) -> tuple[TfRef, ...]:
    """The resource attributes a value was built from, each once, in the order they first occur.

    Each list or object is looked into once, so a value that holds another twice by reference (and so
    on, exponentially) costs its distinct parts only."""
    found: dict[TfRef, None] = {}
    seen: set[int] = set()

    def visit(v: Any, depth: int) -> None:
        if isinstance(v, TfRef):
            found[v] = None
        elif isinstance(v, Named):
            found[v.ref] = None
        elif isinstance(v, Derived):
            found.update(dict.fromkeys(v.refs))
        elif isinstance(v, (list, dict)) and depth <= 50 and id(v) not in seen:
            seen.add(id(v))
            for item in v.values() if isinstance(v, dict) else v:
                visit(item, depth + 1)

    visit(value, 0)
    return tuple(found)


def describe(ref: TfRef) -> str:
    return f"{ref.address}.{ref.attr}" if ref.attr else ref.address


def unknown_from(what: str, parts: list[Any]) -> Unknown:
    """The Unknown a computation over `parts` gives: the first plain reason, or the attributes it used."""
    refs = tuple(dict.fromkeys(r for p in parts for r in refs_in(p)))
    for part in parts:
        if isinstance(part, Unknown) and not isinstance(part, Derived):
            if refs:
                return Derived(part.reason, refs)
            # What a computation makes of one value may be a list (split): no longer known to be one.
            return Unknown(part.reason) if isinstance(part, Single) else part
    for part in parts:
        if isinstance(part, Derived) and not part.refs:
            return part
    if refs:
        names = ", ".join(sorted({describe(r) for r in refs})[:3])
        more = "" if len(refs) <= 3 else f" and {len(refs) - 3} more"
        return Derived(f"{what} uses {names}{more}, known only after apply", refs)
    return Unknown(f"{what} could not be evaluated")


def first_unknown(value: Any) -> Any:
    """The first Unknown or TfRef inside a value, or None when the value is wholly known.

    Each list or object is looked into once (a part met again was already found wholly known)."""
    seen: set[int] = set()

    def visit(v: Any, depth: int) -> Any:
        if is_unknown(v):
            return v
        if not isinstance(v, (list, dict)) or id(v) in seen:
            return None
        if depth > 100:
            return Unknown("value nested too deeply")
        seen.add(id(v))
        for item in v.values() if isinstance(v, dict) else v:
            found = visit(item, depth + 1)
            if found is not None:
                return found
        return None

    return visit(value, 0)


def template_text(pieces: list[Any]) -> tuple[str, list[Any]]:
    """Join template pieces, replacing unknown ones by numbered markers; returns (text, unknown pieces)."""
    out: list[str] = []
    unknowns: list[Any] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        else:
            out.append(f"{_MARK_OPEN}{len(unknowns)}{_MARK_CLOSE}")
            unknowns.append(piece)
    return "".join(out), unknowns


def has_marker(text: str) -> bool:
    return _MARK_OPEN in text


def replace_markers(text: str, replacement: str) -> str:
    return _MARK.sub(replacement, text)


def decode_json(value: Any) -> Any:
    """JSON text (or a Derived template/encoding of it) → structure; unknown parts stay Unknown."""
    if isinstance(value, Derived) and value.has_value:
        return value.value
    if isinstance(value, Derived) and value.text is not None:
        try:
            decoded = read_json(value.text)
        except ValueError:
            return Unknown(f"JSON built from values known only after apply: {value.reason}")
        return _unmark(decoded, value)
    if is_unknown(value):
        return value
    if not isinstance(value, str):
        return Unknown(f"{type(value).__name__} is not JSON text")
    try:
        return read_json(value)
    except ValueError as exc:
        return Unknown(f"invalid JSON: {exc}")


def read_json(text: str) -> Any:
    """JSON text as data, with the template loaders' depth limit checked before parsing; what JSON allows
    but Terraform's numbers do not (NaN, Infinity, 1e999, endless digits) raises ValueError."""
    from ..errors import MAX_DEPTH
    from ..yaml_loader import nesting_estimate

    if nesting_estimate(text) > MAX_DEPTH:
        raise ValueError(f"nesting deeper than {MAX_DEPTH} levels")
    return json.loads(text, parse_constant=_no_constant, parse_int=_json_int, parse_float=_json_float)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_int(text: str) -> int:
    if len(text) > MAX_INT_BITS:  # more digits than bits: refused before Python converts it
        raise ValueError(f"a number of {len(text)} digits is larger than vpcreach evaluates")
    value = int(text)
    problem = number_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _json_float(text: str) -> float:
    value = float(text)
    problem = number_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _unmark(value: Any, source: Derived) -> Any:
    if isinstance(value, str) and has_marker(value):
        return Derived(source.reason, source.refs)
    if isinstance(value, list):
        return [_unmark(v, source) for v in value]
    if isinstance(value, dict):
        return {k: _unmark(v, source) for k, v in value.items()}
    return value
