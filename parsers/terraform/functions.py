"""Terraform's built-in functions, as far as a static reading can evaluate them.

Most functions are strict: any unknown argument makes the result unknown (with the attributes it came
from). Collection functions are lenient where Terraform itself keeps unknown elements in a known
collection (`length([aws_subnet.a.id])` is 1, `concat`, `element`, `lookup` and friends keep the TfRefs
they move around), because that is how subnet and security-group ids reach a function's `vpc_config`.
Functions whose result depends on the run (timestamp, uuid) or on AWS are Unknown, never guessed.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import ipaddress
import json
import math
import os
import re
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import re2
from vpcreach.graph.model import Unknown

from ..files import FileRefused
from .expressions import (
    CHARS_PER_STEP,
    MAX_COLLECTION,
    MAX_STRING,
    Budget,
    Ctx,
    EvalError,
    Lazy,
    LimitError,
    Scope,
    brief,
    check_length,
    check_string,
    join_pieces,
    normalise_number,
    plain,
    to_bool,
    to_number,
    to_text,
    type_name,
    values_equal,
)
from .filesystem import FileSystem
from .instance import TfRef
from .values import Derived, decode_json, first_unknown, is_unknown, number_problem, unknown_from

Strict = Callable[..., Any]
Lenient = Callable[[list[Any], Ctx], Any]
_STRICT: dict[str, Strict] = {}
_LENIENT: dict[str, Lenient] = {}
_RUNTIME = {
    "timestamp": "the time Terraform runs",
    "plantimestamp": "the time Terraform plans",
    "uuid": "a random UUID",
    "uuidv5": "a UUID",
    "bcrypt": "a salted hash",
    "timeadd": "a time computation",
    "timecmp": "a time computation",
    "formatdate": "a date",
    "rsadecrypt": "a decryption",
    "yamlencode": "YAML output",
    "textencodebase64": "an encoding",
    "textdecodebase64": "a decoding",
    "type": "a type",
    "ephemeralasnull": "an ephemeral value",
}
_MISSING = object()


def strict(*names: str) -> Callable[[Strict], Strict]:
    def register(fn: Strict) -> Strict:
        for n in names:
            _STRICT[n] = fn
        return fn

    return register


def lenient(*names: str) -> Callable[[Lenient], Lenient]:
    def register(fn: Lenient) -> Lenient:
        for n in names:
            _LENIENT[n] = fn
        return fn

    return register


def call(name: str, args: list[Any], ctx: Ctx) -> Any:
    """Call a built-in, charging the budget for what it reads and builds.

    A strict function reads its arguments whole (`plain` charges that walk) and builds its result from
    them: the result is charged as a walk too. A lenient function moves references around: it is charged
    the top level of each collection argument and of its result, and the few that look deeper (equality,
    flattening, encoding) charge their own walks. Strings returned are charged by length; numbers are
    checked (no infinities, no endless integers)."""
    budget = ctx.scope.budget
    try:
        if name in _LENIENT:
            budget.spend(sum(len(a) for a in args if isinstance(a, (list, dict))))
            result = _LENIENT[name](args, ctx)
            if isinstance(result, (list, dict)):
                budget.spend(len(result))
        elif name in _STRICT:
            values = [plain(a, ctx, f"{name}()") for a in args]
            unknown = [u for u in (first_unknown(v) for v in values) if u is not None]
            if unknown:
                return unknown_from(f"{name}()", unknown)
            result = _STRICT[name](*values)
            if isinstance(result, str):
                check_string(result, f"{name}()")
            elif isinstance(result, (list, dict)):
                budget.walk(result, f"{name}()")
        else:
            result = _MISSING
        if isinstance(result, str):
            budget.spend(len(result) // CHARS_PER_STEP)
        elif isinstance(result, (int, float)):
            problem = number_problem(result)
            if problem:
                raise EvalError(f"{name}(): {problem}")
        if result is not _MISSING:
            return result
        if name in _RUNTIME:
            return Unknown(f"{name}() gives {_RUNTIME[name]}, known only when Terraform runs")
    except (EvalError, LimitError):
        raise
    except RecursionError:
        raise EvalError(f"{name}(): value nested too deeply") from None
    except (
        TypeError,
        ValueError,
        KeyError,
        IndexError,
        AttributeError,
        ZeroDivisionError,
        OverflowError,
        re2.error,
        csv.Error,
    ) as exc:
        raise EvalError(f"{name}(): {exc}") from None
    raise EvalError(f"call to unknown function {name}()")


def names() -> set[str]:
    return set(_STRICT) | set(_LENIENT) | set(_RUNTIME) | {"try", "can"}


def _check_size(n: int, what: str) -> None:
    if n > MAX_COLLECTION:
        count = str(n) if n < 10**12 else f"about 2^{int(n).bit_length()}"
        raise LimitError(f"{what} would have {count} elements, more than vpcreach evaluates ({MAX_COLLECTION})")


def _list(value: Any, ctx: Ctx, what: str) -> Any:
    if isinstance(value, Lazy):
        value = value.materialize(ctx)
    if isinstance(value, list) or is_unknown(value):
        return value
    raise EvalError(f"{what} must be a list, not a {type_name(value)}")


def _map(value: Any, ctx: Ctx, what: str) -> Any:
    if isinstance(value, Lazy):
        value = value.materialize(ctx)
    if isinstance(value, dict) or is_unknown(value):
        return value
    raise EvalError(f"{what} must be a map or object, not a {type_name(value)}")


def _scalar_unknown(value: Any) -> bool:
    """An unknown that is surely one scalar (an id, a built string), not a collection."""
    return isinstance(value, TfRef) or (isinstance(value, Derived) and value.text is not None)


# --- numbers --------------------------------------------------------------------------------------------
@strict("abs")
def _abs(x: Any) -> Any:
    return normalise_number(abs(to_number(x)))


@strict("ceil")
def _ceil(x: Any) -> Any:
    return math.ceil(to_number(x))


@strict("floor")
def _floor(x: Any) -> Any:
    return math.floor(to_number(x))


@strict("log")
def _log(x: Any, base: Any) -> Any:
    return normalise_number(math.log(to_number(x), to_number(base)))


@strict("pow")
def _pow(x: Any, y: Any) -> Any:
    return normalise_number(math.pow(to_number(x), to_number(y)))


@strict("signum")
def _signum(x: Any) -> Any:
    n = to_number(x)
    return (n > 0) - (n < 0)


@strict("max")
def _max(*xs: Any) -> Any:
    if not xs:
        raise EvalError("max() needs at least one number")
    return normalise_number(max(to_number(x) for x in xs))


@strict("min")
def _min(*xs: Any) -> Any:
    if not xs:
        raise EvalError("min() needs at least one number")
    return normalise_number(min(to_number(x) for x in xs))


@strict("parseint")
def _parseint(text: Any, base: Any) -> Any:
    return int(to_text(text), int(to_number(base)))


@strict("sum")
def _sum(xs: Any) -> Any:
    if not isinstance(xs, list) or not xs:
        raise EvalError("sum() needs a non-empty list of numbers")
    return normalise_number(sum(to_number(x) for x in xs))


# --- strings -------------------------------------------------------------------------------------------
@strict("chomp")
def _chomp(s: Any) -> Any:
    # Terraform (go-cty's ChompFunc) removes `(?:\r\n?|\n)*\z`, which is every CR and LF at the end.
    return to_text(s).rstrip("\r\n")


@strict("startswith")
def _startswith(s: Any, prefix: Any) -> Any:
    return to_text(s).startswith(to_text(prefix))


@strict("endswith")
def _endswith(s: Any, suffix: Any) -> Any:
    return to_text(s).endswith(to_text(suffix))


@strict("strcontains")
def _strcontains(s: Any, sub: Any) -> Any:
    return to_text(sub) in to_text(s)


@strict("lower")
def _lower(s: Any) -> Any:
    return to_text(s).lower()


@strict("upper")
def _upper(s: Any) -> Any:
    return to_text(s).upper()


@strict("title")
def _title(s: Any) -> Any:
    return re.sub(r"\b[a-z]", lambda mt: mt.group(0).upper(), to_text(s))


@strict("strrev")
def _strrev(s: Any) -> Any:
    return to_text(s)[::-1]


@strict("substr")
def _substr(s: Any, offset: Any, length: Any) -> Any:
    text, start, n = to_text(s), int(to_number(offset)), int(to_number(length))
    if start < 0:
        start = max(len(text) + start, 0)
    return text[start:] if n == -1 else text[start : start + n]


@strict("trim")
def _trim(s: Any, chars: Any) -> Any:
    return to_text(s).strip(to_text(chars))


@strict("trimprefix")
def _trimprefix(s: Any, prefix: Any) -> Any:
    return to_text(s).removeprefix(to_text(prefix))


@strict("trimsuffix")
def _trimsuffix(s: Any, suffix: Any) -> Any:
    return to_text(s).removesuffix(to_text(suffix))


@strict("trimspace")
def _trimspace(s: Any) -> Any:
    return to_text(s).strip()


@strict("indent")
def _indent(n: Any, s: Any) -> Any:
    text, width = to_text(s), max(0, int(to_number(n)))
    check_length(len(text) + text.count("\n") * width, "indent()")
    return text.replace("\n", "\n" + " " * width)


@strict("split")
def _split(sep: Any, s: Any) -> Any:
    text, separator = to_text(s), to_text(sep)
    if text == "":
        return [""] if separator else []
    return text.split(separator) if separator else list(text)


# Terraform's regex, regexall and replace use Go's regexp, the RE2 syntax
# (https://developer.hashicorp.com/terraform/language/functions/regex: "Terraform uses the RE2 regular
# expression language"). google-re2 gives the same syntax and RE2's guarantee: no backtracking, time
# linear in the text for one search (times the pattern's program size when RE2 falls back to its NFA).
# Each compiled pattern may use at most _RE2_MEMORY; the library caches the last 128.
_RE2_MEMORY = 2 * 1024 * 1024
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # errors become EvalErrors, not lines on stderr
_RE2_OPTIONS.max_mem = _RE2_MEMORY
# Work units (characters a search may scan times the program's size) per budget step: RE2's NFA, its
# slowest path, does ~80 million units a second here. A search also costs ~5 us in the binding.
REGEX_UNITS_PER_STEP = 128
REGEX_SEARCH_STEPS = 3


def _go_regex(pattern: str) -> Any:
    _refuse_any_byte(pattern)
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        message = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise EvalError(f"invalid regular expression {brief(pattern)}: {message}") from None


def _refuse_any_byte(pattern: str) -> None:
    """Go's syntax has no `\\C` (any byte, which RE2 accepts and which can split a character)."""
    i, literal = 0, False
    while True:
        i = pattern.find("\\", i)
        if i < 0 or i + 1 >= len(pattern):
            return
        escaped = pattern[i + 1]
        if literal:
            literal = escaped != "E"
        elif escaped == "Q":
            literal = True
        elif escaped == "C":
            raise EvalError("invalid regular expression: invalid escape sequence \\C")
        i += 2


def _matches(regex: Any, text: str, budget: Budget) -> Iterator[Any]:
    """The matches Go's FindAll gives: successive non-overlapping matches, without an empty match that
    abuts the previous match. Each search is charged before it runs for the text it may scan."""
    size = max(1, regex.programsize)
    searches = regex.finditer(text)
    previous_end, start = -1, 0
    while True:
        budget.spend(REGEX_SEARCH_STEPS + (len(text) - start + 1) * size // REGEX_UNITS_PER_STEP)
        match = next(searches, None)
        if match is None:
            return
        begin, end = match.span()
        start = end if end > begin else end + 1
        if not (begin == end and begin == previous_end):
            yield match
        previous_end = end


def _regex_result(regex: Any, names: dict[str, int], match: Any) -> Any:
    if names:
        if len(names) != regex.groups:
            raise EvalError("a pattern cannot mix named and unnamed capture groups")
        return {name: match.group(name) or "" for name in names}
    if regex.groups:
        return [g or "" for g in match.groups()]
    return match.group(0)


def _regex_call(name: str, args: list[Any], ctx: Ctx, every: bool) -> Any:
    if len(args) != 2:
        raise EvalError(f"{name}() takes a pattern and a string")
    if any(is_unknown(a) for a in args):
        return unknown_from(f"{name}()", args)
    regex, text = _go_regex(to_text(args[0])), to_text(args[1])
    names = regex.groupindex
    found = _matches(regex, text, ctx.scope.budget)
    if every:
        return [_regex_result(regex, names, match) for match in found]
    match = next(found, None)
    if match is None:
        raise EvalError(f"{name}(): the pattern does not match")
    return _regex_result(regex, names, match)


@lenient("regex")
def _regex(args: list[Any], ctx: Ctx) -> Any:
    return _regex_call("regex", args, ctx, every=False)


@lenient("regexall")
def _regexall(args: list[Any], ctx: Ctx) -> Any:
    return _regex_call("regexall", args, ctx, every=True)


@lenient("replace")
def _replace(args: list[Any], ctx: Ctx) -> Any:
    if len(args) != 3:
        raise EvalError("replace() takes a string, a substring and a replacement")
    if any(is_unknown(a) for a in args):
        return unknown_from("replace()", args)
    text, find, repl = (to_text(a) for a in args)
    if not (len(find) > 1 and find.startswith("/") and find.endswith("/")):
        check_length(len(text) + text.count(find) * (len(repl) - len(find)), "replace()")
        return text.replace(find, repl)
    regex = _go_regex(find[1:-1])
    names = regex.groupindex
    pieces: list[str] = []
    length, pos = 0, 0
    for match in _matches(regex, text, ctx.scope.budget):
        begin, end = match.span()
        pieces.append(text[pos:begin])
        tail = len(text) - end  # still to be copied: the result is checked with it counted
        length = _expand(regex.groups, names, match, repl, pieces, length + begin - pos + tail) - tail
        pos = end
    pieces.append(text[pos:])
    return join_pieces(pieces, "replace()", ctx)


def _expand(groups: int, names: dict[str, int], match: Any, template: str, out: list[str], length: int) -> int:
    """Go's Regexp.Expand (https://pkg.go.dev/regexp#Regexp.Expand), appending to `out`: `$name` or
    `${name}` is a group by number or name (the longest run of letters, digits and `_`, so `$1x` is
    `${1x}`), a missing or unmatched group gives nothing, `$$` is `$`, and a `$` that starts no valid name
    stays as it is. `length` is the size of the result so far; each piece is checked against MAX_STRING
    before it is copied, and the new length returned."""
    rest = template
    while rest:
        before, dollar, rest = rest.partition("$")
        group: int | None = None
        if dollar and rest.startswith("$"):
            before, rest = before + "$", rest[1:]
        elif dollar:
            braced = rest.startswith("{")
            body = rest[1:] if braced else rest
            n = 0
            while n < len(body) and (body[n].isalpha() or body[n].isdecimal() or body[n] == "_"):
                n += 1
            if n == 0 or (braced and body[n : n + 1] != "}"):
                before += "$"
            else:
                name, rest = body[:n], body[n + 1 :] if braced else body[n:]
                if name.isdecimal() and name.isascii() and not (name[0] == "0" and len(name) > 1):
                    group = int(name) if len(name) < 9 and int(name) <= groups else None
                else:
                    group = names.get(name)
        begin, end = match.span(group) if group is not None else (0, 0)
        length += len(before) + max(0, end - begin)
        check_length(length, "replace()")
        out.append(before)
        if end > begin:
            out.append(match.group(group))
    return length


_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def _format_size(digits: str | None) -> int:
    """A width or precision, refused before the padding or digits are built past MAX_STRING."""
    size = int(digits) if digits and len(digits) < 10 else MAX_STRING + 1 if digits else 0
    check_length(size, "format()")
    return size


def _format_one(verb: str, flags: str, width: str | None, precision: str | None, value: Any) -> str:
    _format_size(width)
    _format_size(precision)
    if verb in ("v", "s") and not isinstance(value, (list, dict)):
        text = to_text(value) if value is not None else "null"
    elif verb == "v":
        text = _json_text(value, "format()", ascii_only=True)
    elif verb == "q":
        text = json.dumps(to_text(value))
    elif verb == "t":
        text = "true" if to_bool(value) else "false"
    elif verb in "dbox":
        n = to_number(value)
        if isinstance(n, float) and not n.is_integer():
            raise EvalError(f"format(): %{verb} needs an integer")
        spec = {"d": "d", "b": "b", "o": "o", "x": "x"}[verb]
        text = format(int(n), ("+" if "+" in flags else "") + spec)
    elif verb == "X":
        text = format(int(to_number(value)), "X")
    elif verb in "eEfgG":
        spec = ("+" if "+" in flags else "") + (f".{precision}" if precision else "") + verb
        text = format(float(to_number(value)), spec)
        precision = None
    else:
        raise EvalError(f"format(): unsupported verb %{verb}")
    if precision is not None and verb in ("s", "v", "q"):
        text = text[: int(precision)]
    if width:
        w = int(width)
        if "-" in flags:
            text = text.ljust(w)
        elif "0" in flags and verb not in ("s", "v", "q"):
            sign = text[0] if text[:1] in "+-" else ""
            text = sign + text[len(sign) :].rjust(w - len(sign), "0")
        else:
            text = text.rjust(w)
    return text


def _format_pieces(fmt: str, args: list[Any]) -> list[Any]:
    pieces: list[Any] = []
    pos = 0
    next_arg = 0
    for match in _VERB.finditer(fmt):
        pieces.append(fmt[pos : match.start()])
        pos = match.end()
        index, flags, width, precision, verb = match.groups()
        if verb == "%":
            pieces.append("%")
            continue
        n = int(index) - 1 if index else next_arg
        next_arg = n + 1
        if not 0 <= n < len(args):
            raise EvalError("format(): not enough arguments for the format string")
        value = args[n]
        if is_unknown(value) or (isinstance(value, (list, dict)) and first_unknown(value) is not None):
            pieces.append(value if is_unknown(value) else first_unknown(value))
            continue
        pieces.append(_format_one(verb, flags, width, precision, value))
    pieces.append(fmt[pos:])
    return pieces


@lenient("format")
def _format(args: list[Any], ctx: Ctx) -> Any:
    if not args:
        raise EvalError("format() needs a format string")
    fmt = args[0]
    if is_unknown(fmt):
        return unknown_from("format()", [fmt])
    values = [plain(a, ctx, "format()") for a in args[1:]]
    return join_pieces(_format_pieces(to_text(fmt), values), "format()", ctx)


@lenient("formatlist")
def _formatlist(args: list[Any], ctx: Ctx) -> Any:
    values = [plain(a, ctx, "formatlist()") for a in args]
    unknown = [u for u in (first_unknown(v) for v in values) if u is not None and not _scalar_unknown(u)]
    if unknown or is_unknown(values[0]):
        return unknown_from("formatlist()", unknown or [values[0]])
    lists = [v for v in values[1:] if isinstance(v, list)]
    n = len(lists[0]) if lists else 1
    if any(len(x) != n for x in lists):
        raise EvalError("formatlist(): list arguments differ in length")
    out = []
    for i in range(n):
        row = [v[i] if isinstance(v, list) else v for v in values[1:]]
        out.append(join_pieces(_format_pieces(to_text(values[0]), row), "formatlist()", ctx))
    return out


@lenient("join")
def _join(args: list[Any], ctx: Ctx) -> Any:
    if len(args) < 2:
        raise EvalError("join() needs a separator and a list")
    sep = args[0]
    lists = [_list(a, ctx, "join()'s argument") for a in args[1:]]
    if is_unknown(sep) or any(is_unknown(x) for x in lists):
        return unknown_from("join()", [sep, *lists])
    items = [item for lst in lists for item in lst]
    pieces: list[Any] = []
    for i, item in enumerate(items):
        if i:
            pieces.append(sep)
        pieces.append(to_text(item, "a joined element") if not is_unknown(item) else item)
    return join_pieces(pieces, "join()", ctx)


@lenient("tostring")
def _tostring(args: list[Any], ctx: Ctx) -> Any:
    (value,) = args
    if value is None or is_unknown(value) or isinstance(value, str):
        return value
    return to_text(value)


@lenient("tonumber")
def _tonumber(args: list[Any], ctx: Ctx) -> Any:
    (value,) = args
    return None if value is None else to_number(value)


@lenient("tobool")
def _tobool(args: list[Any], ctx: Ctx) -> Any:
    (value,) = args
    return None if value is None else to_bool(value)


@lenient("sensitive", "nonsensitive")
def _identity(args: list[Any], ctx: Ctx) -> Any:
    (value,) = args
    return value


@lenient("issensitive")
def _issensitive(args: list[Any], ctx: Ctx) -> Any:
    return False


# --- collections -----------------------------------------------------------------------------------------
@lenient("length")
def _length(args: list[Any], ctx: Ctx) -> Any:
    (value,) = args
    if isinstance(value, Lazy):
        value = value.materialize(ctx)
    if isinstance(value, (list, dict)):
        return len(value)
    if isinstance(value, str):
        return len(value)
    if is_unknown(value):
        return unknown_from("length()", [value])
    raise EvalError(f"length() of a {type_name(value)}")


@lenient("element")
def _element(args: list[Any], ctx: Ctx) -> Any:
    lst, idx = _list(args[0], ctx, "element()'s list"), args[1]
    if is_unknown(lst) or is_unknown(idx):
        return unknown_from("element()", [lst, idx])
    if not lst:
        raise EvalError("element() of an empty list")
    n = int(to_number(idx))
    if n < 0:
        raise EvalError("element() with a negative index")
    return lst[n % len(lst)]


@lenient("concat")
def _concat(args: list[Any], ctx: Ctx) -> Any:
    lists = [_list(a, ctx, "concat()'s argument") for a in args]
    if any(is_unknown(x) for x in lists):
        return unknown_from("concat()", [x for x in lists if is_unknown(x)])
    out = [item for lst in lists for item in lst]
    _check_size(len(out), "concat()")
    return out


@lenient("lookup")
def _lookup(args: list[Any], ctx: Ctx) -> Any:
    if len(args) not in (2, 3):
        raise EvalError("lookup() takes a map, a key and an optional default")
    mapping, key = _map(args[0], ctx, "lookup()'s map"), args[1]
    if is_unknown(key):
        return unknown_from("lookup()", [key])
    if is_unknown(mapping):
        return unknown_from("lookup()", [mapping])
    text = to_text(key)
    if text in mapping:
        return mapping[text]
    if len(args) == 3:
        return args[2]
    raise EvalError(f"lookup(): no key {brief(text)} and no default")


@lenient("merge")
def _merge(args: list[Any], ctx: Ctx) -> Any:
    out: dict[str, Any] = {}
    for arg in args:
        if arg is None:
            continue
        mapping = _map(arg, ctx, "merge()'s argument")
        if is_unknown(mapping):
            return unknown_from("merge()", [mapping])
        out.update(mapping)
    return out


@lenient("keys")
def _keys(args: list[Any], ctx: Ctx) -> Any:
    mapping = _map(args[0], ctx, "keys()'s argument")
    return unknown_from("keys()", [mapping]) if is_unknown(mapping) else sorted(mapping)


@lenient("values")
def _values(args: list[Any], ctx: Ctx) -> Any:
    mapping = _map(args[0], ctx, "values()'s argument")
    return unknown_from("values()", [mapping]) if is_unknown(mapping) else [mapping[k] for k in sorted(mapping)]


def _flatten_into(value: list[Any], out: list[Any], depth: int) -> Any:
    if depth > 50:
        raise EvalError("flatten(): nested too deeply")
    for item in value:
        if isinstance(item, list):
            found = _flatten_into(item, out, depth + 1)
            if found is not None:
                return found
        elif is_unknown(item) and not _scalar_unknown(item):
            return item  # it may be a list: the flattened length is unknown
        else:
            out.append(item)
    return None


@lenient("flatten")
def _flatten(args: list[Any], ctx: Ctx) -> Any:
    lst = _list(args[0], ctx, "flatten()'s argument")
    if is_unknown(lst):
        return unknown_from("flatten()", [lst])
    ctx.scope.budget.walk(lst, "flatten()")  # every nested list is copied out, as often as it occurs
    out: list[Any] = []
    unknown = _flatten_into(lst, out, 0)
    if unknown is not None:
        return unknown_from("flatten()", [unknown])
    _check_size(len(out), "flatten()")
    return out


@lenient("coalesce")
def _coalesce(args: list[Any], ctx: Ctx) -> Any:
    for arg in args:
        if is_unknown(arg):
            return unknown_from("coalesce()", [arg]) if not _scalar_unknown(arg) else arg
        if arg is not None and arg != "":
            return arg
    raise EvalError("coalesce(): every argument is null or empty")


@lenient("coalescelist")
def _coalescelist(args: list[Any], ctx: Ctx) -> Any:
    for arg in args:
        lst = _list(arg, ctx, "coalescelist()'s argument")
        if is_unknown(lst):
            return unknown_from("coalescelist()", [lst])
        if lst:
            return lst
    raise EvalError("coalescelist(): every list is empty")


@lenient("compact")
def _compact(args: list[Any], ctx: Ctx) -> Any:
    lst = _list(args[0], ctx, "compact()'s argument")
    if is_unknown(lst):
        return unknown_from("compact()", [lst])
    out = []
    for item in lst:
        if is_unknown(item) and not isinstance(item, TfRef):
            return unknown_from("compact()", [item])  # it may be "" and be dropped
        if item is not None and item != "":
            out.append(item)
    return out


@lenient("contains")
def _contains(args: list[Any], ctx: Ctx) -> Any:
    lst, value = _list(args[0], ctx, "contains()'s list"), args[1]
    if is_unknown(lst):
        return unknown_from("contains()", [lst])
    undecided = None
    for item in lst:
        equal = values_equal(item, value, ctx)
        if equal is True:
            return True
        if is_unknown(equal):
            undecided = equal
    return undecided if undecided is not None else False


@lenient("matchkeys")
def _matchkeys(args: list[Any], ctx: Ctx) -> Any:
    """The elements of valueslist whose keyslist element, at the same index, is in searchset; both lists of one
    length, order kept (https://developer.hashicorp.com/terraform/language/functions/matchkeys). Values are
    moved, not read: `matchkeys(aws_subnet.private[*].id, aws_subnet.private[*].availability_zone, [...])`
    gives the subnets themselves."""
    if len(args) != 3:
        raise EvalError("matchkeys() takes three arguments")
    values = _list(args[0], ctx, "matchkeys()'s values")
    keys = _list(args[1], ctx, "matchkeys()'s keys")
    search = _list(args[2], ctx, "matchkeys()'s search set")
    if is_unknown(values) or is_unknown(keys) or is_unknown(search):
        return unknown_from("matchkeys()", [values, keys, search])
    if len(values) != len(keys):
        raise EvalError("matchkeys(): the values and keys lists differ in length")
    out = []
    for value, key in zip(values, keys):
        found: Any = False
        for wanted in search:
            equal = values_equal(key, wanted, ctx)
            if equal is True:
                found = True
                break
            if is_unknown(equal):
                found = equal
        if is_unknown(found):
            return unknown_from("matchkeys()", [found])  # whether this element is kept, and so the length
        if found:
            out.append(value)
    return out


@lenient("index")
def _index(args: list[Any], ctx: Ctx) -> Any:
    lst, value = _list(args[0], ctx, "index()'s list"), args[1]
    if is_unknown(lst):
        return unknown_from("index()", [lst])
    for i, item in enumerate(lst):
        equal = values_equal(item, value, ctx)
        if is_unknown(equal):
            return equal
        if equal:
            return i
    raise EvalError("index(): the value is not in the list")


def set_key(value: Any) -> Any:
    if isinstance(value, list):
        return ("list", tuple(set_key(v) for v in value))
    if isinstance(value, dict):
        return ("map", tuple(sorted((k, set_key(v)) for k, v in value.items())))
    if isinstance(value, Lazy):
        return ("lazy", id(value))
    if isinstance(value, Unknown):
        return ("unknown", id(value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, str):
        return ("str", str(value))
    return (type(value).__name__, value)


def _distinct_items(lst: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for item in lst:
        key = set_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


@lenient("distinct")
def _distinct(args: list[Any], ctx: Ctx) -> Any:
    lst = _list(args[0], ctx, "distinct()'s argument")
    if is_unknown(lst):
        return unknown_from("distinct()", [lst])
    ctx.scope.budget.walk(lst, "distinct()")  # every element is hashed whole
    return _distinct_items(lst)


def _as_set(value: Any) -> list[Any]:
    items = _distinct_items(value)
    if items and all(isinstance(i, str) for i in items):
        return sorted(items, key=str)
    if items and all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in items):
        return sorted(items)
    return items


@lenient("toset")
def _toset(args: list[Any], ctx: Ctx) -> Any:
    (value,) = args
    if value is None:
        return None
    lst = _list(value, ctx, "toset()'s argument")
    if is_unknown(lst):
        return unknown_from("toset()", [lst])
    ctx.scope.budget.walk(lst, "toset()")  # every element is hashed whole
    return _as_set(lst)


@lenient("tolist")
def _tolist(args: list[Any], ctx: Ctx) -> Any:
    (value,) = args
    return None if value is None else _list(value, ctx, "tolist()'s argument")


@lenient("tomap")
def _tomap(args: list[Any], ctx: Ctx) -> Any:
    (value,) = args
    return None if value is None else _map(value, ctx, "tomap()'s argument")


@lenient("list")
def _legacy_list(args: list[Any], ctx: Ctx) -> Any:
    return list(args)


@lenient("map")
def _legacy_map(args: list[Any], ctx: Ctx) -> Any:
    if len(args) % 2:
        raise EvalError("map() needs key/value pairs")
    return {to_text(args[i]): args[i + 1] for i in range(0, len(args), 2)}


@lenient("slice")
def _slice(args: list[Any], ctx: Ctx) -> Any:
    lst, start, end = _list(args[0], ctx, "slice()'s list"), args[1], args[2]
    if is_unknown(lst) or is_unknown(start) or is_unknown(end):
        return unknown_from("slice()", [lst, start, end])
    a, b = int(to_number(start)), int(to_number(end))
    if not 0 <= a <= b <= len(lst):
        raise EvalError(f"slice(): indexes {a}..{b} are out of range for a list of {len(lst)}")
    return lst[a:b]


@lenient("reverse")
def _reverse(args: list[Any], ctx: Ctx) -> Any:
    lst = _list(args[0], ctx, "reverse()'s argument")
    return unknown_from("reverse()", [lst]) if is_unknown(lst) else list(reversed(lst))


@lenient("one")
def _one(args: list[Any], ctx: Ctx) -> Any:
    lst = _list(args[0], ctx, "one()'s argument") if args[0] is not None else []
    if is_unknown(lst):
        return unknown_from("one()", [lst])
    if len(lst) > 1:
        raise EvalError(f"one(): the list has {len(lst)} elements")
    return lst[0] if lst else None


@lenient("zipmap")
def _zipmap(args: list[Any], ctx: Ctx) -> Any:
    keys, values = _list(args[0], ctx, "zipmap()'s keys"), _list(args[1], ctx, "zipmap()'s values")
    if is_unknown(keys) or is_unknown(values) or any(is_unknown(k) for k in keys):
        return unknown_from("zipmap()", [keys, values, *[k for k in keys if is_unknown(k)]])
    if len(keys) != len(values):
        raise EvalError("zipmap(): keys and values differ in length")
    return {to_text(k): v for k, v in zip(keys, values)}


@lenient("range")
def _range(args: list[Any], ctx: Ctx) -> Any:
    if any(is_unknown(a) for a in args):
        return unknown_from("range()", args)
    nums = [to_number(a) for a in args]
    if len(nums) == 1:
        start, limit, step = 0, nums[0], 1
    elif len(nums) == 2:
        start, limit, step = nums[0], nums[1], 1 if nums[1] >= nums[0] else -1
    elif len(nums) == 3:
        start, limit, step = nums
    else:
        raise EvalError("range() takes one to three numbers")
    if step == 0:
        raise EvalError("range(): step is zero")
    count = max(0, math.ceil((limit - start) / step))
    _check_size(count, "range()")
    return [normalise_number(start + i * step) for i in range(count)]


@strict("chunklist")
def _chunklist(lst: Any, size: Any) -> Any:
    n = int(to_number(size))
    if n <= 0:
        return [lst]
    return [lst[i : i + n] for i in range(0, len(lst), n)]


@strict("alltrue")
def _alltrue(lst: Any) -> Any:
    return all(to_bool(x) for x in lst)


@strict("anytrue")
def _anytrue(lst: Any) -> Any:
    return any(to_bool(x) for x in lst)


@strict("sort")
def _sort(lst: Any) -> Any:
    return sorted(to_text(x) for x in lst)


@strict("setunion")
def _setunion(*sets: Any) -> Any:
    return _as_set([x for s in sets for x in s])


@strict("setintersection")
def _setintersection(first: Any, *rest: Any) -> Any:
    others = [{set_key(y) for y in s} for s in rest]
    return _as_set([x for x in first if all(set_key(x) in other for other in others)])


@strict("setsubtract")
def _setsubtract(a: Any, b: Any) -> Any:
    drop = {set_key(y) for y in b}
    return _as_set([x for x in a if set_key(x) not in drop])


@strict("setproduct")
def _setproduct(*sets: Any) -> Any:
    total = 1
    for s in sets:
        total *= len(s)
    _check_size(total, "setproduct()")
    out: list[list[Any]] = [[]]
    for s in sets:
        out = [[*prefix, x] for prefix in out for x in s]
    return out


@strict("transpose")
def _transpose(mapping: Any) -> Any:
    out: dict[str, list[str]] = {}
    for key in sorted(mapping):
        for value in mapping[key]:
            out.setdefault(to_text(value), []).append(key)
    return {k: sorted(v) for k, v in out.items()}


# --- encoding and hashing --------------------------------------------------------------------------------
def _json_ready(value: Any) -> Any:
    if isinstance(value, float):
        return normalise_number(value)
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_ready(value[k]) for k in sorted(value)}
    return str(value) if isinstance(value, str) else value


def _json_text(value: Any, what: str, ascii_only: bool = False) -> str:
    """Compact JSON of a known value; refused as soon as the text written passes MAX_STRING."""
    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=ascii_only)
    chunks: list[str] = []
    length = 0
    for chunk in encoder.iterencode(value):
        length += len(chunk)
        check_length(length, what)
        chunks.append(chunk)
    return "".join(chunks)


@lenient("jsonencode")
def _jsonencode(args: list[Any], ctx: Ctx) -> Any:
    value = plain(args[0], ctx, "jsonencode()")
    unknown = first_unknown(value)
    if unknown is not None:
        base = unknown_from("jsonencode()", [unknown])
        return Derived(base.reason, base.refs if isinstance(base, Derived) else (), value=value)
    return _json_text(_json_ready(value), "jsonencode()")


@lenient("jsondecode")
def _jsondecode(args: list[Any], ctx: Ctx) -> Any:
    value = decode_json(args[0])
    if isinstance(value, Unknown) and not is_unknown(args[0]):
        raise EvalError(f"jsondecode(): {value.reason}")
    if isinstance(value, (list, dict)):
        ctx.scope.budget.walk(value, "jsondecode()")
    return value


@strict("yamldecode")
def _yamldecode(text: Any) -> Any:
    # The CloudFormation loader's guards: nesting estimated before parsing, depth, alias bombs.
    from ..errors import InputError
    from ..yaml_loader import load_document

    try:
        value = load_document(to_text(text), "yamldecode()", cfn_tags=False)
    except InputError as exc:
        raise EvalError(f"yamldecode(): {exc.message}") from None
    except ValueError as exc:  # PyYAML's int() of a number past Python's 4300-digit limit, say
        problem = "a number too long to convert" if "digits" in str(exc) else brief(str(exc), 120)
        raise EvalError(f"yamldecode(): {problem}") from None
    _check_yaml_scalars(value)
    return value


def _check_yaml_scalars(value: Any) -> None:
    """Refuse what YAML decodes but Terraform's values do not hold (timestamps, binary, sets)."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, dict)):
            if id(v) not in seen:
                seen.add(id(v))
                stack.extend(v.values() if isinstance(v, dict) else v)
        elif not (v is None or isinstance(v, (str, int, float))):
            raise EvalError(f"yamldecode(): a YAML {type(v).__name__} is not a Terraform value")


@strict("csvdecode")
def _csvdecode(text: Any) -> Any:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(to_text(text))))
    if not rows:
        return []
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@strict("base64encode")
def _base64encode(s: Any) -> Any:
    return base64.b64encode(to_text(s).encode()).decode()


@strict("base64decode")
def _base64decode(s: Any) -> Any:
    return base64.b64decode(to_text(s)).decode("utf-8")


@strict("urlencode")
def _urlencode(s: Any) -> Any:
    return urllib.parse.quote(to_text(s), safe="")


def _hasher(algorithm: str) -> Strict:
    def digest(s: Any) -> Any:
        return hashlib.new(algorithm, to_text(s).encode()).hexdigest()

    return digest


for _name in ("md5", "sha1", "sha256", "sha512"):
    _STRICT[_name] = _hasher(_name)


@strict("base64sha256")
def _base64sha256(s: Any) -> Any:
    return base64.b64encode(hashlib.sha256(to_text(s).encode()).digest()).decode()


@strict("base64sha512")
def _base64sha512(s: Any) -> Any:
    return base64.b64encode(hashlib.sha512(to_text(s).encode()).digest()).decode()


# --- network addresses ---------------------------------------------------------------------------------
def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(to_text(prefix), strict=False)
    except ValueError:
        raise EvalError(f"{brief(prefix)} is not a CIDR prefix") from None


@strict("cidrsubnet")
def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    net = _network(prefix)
    bits, num = int(to_number(newbits)), int(to_number(netnum))
    new_prefix = net.prefixlen + bits
    if bits < 0 or new_prefix > net.max_prefixlen:
        raise EvalError(f"cidrsubnet(): cannot add {bits} bits to {net}")
    if not 0 <= num < 2**bits:
        raise EvalError(f"cidrsubnet(): network number {num} does not fit in {bits} bits")
    base = int(net.network_address) + (num << (net.max_prefixlen - new_prefix))
    return str(ipaddress.ip_network((base, new_prefix)))


@strict("cidrsubnets")
def _cidrsubnets(prefix: Any, *newbits: Any) -> Any:
    net = _network(prefix)
    out = []
    current = int(net.network_address)
    end = int(net.broadcast_address)
    for nb in newbits:
        length = net.prefixlen + int(to_number(nb))
        if length > net.max_prefixlen or length < net.prefixlen:
            raise EvalError(f"cidrsubnets(): cannot add {nb} bits to {net}")
        size = 1 << (net.max_prefixlen - length)
        current = (current + size - 1) // size * size  # align to the block size, as Terraform does
        if current + size - 1 > end:
            raise EvalError(f"cidrsubnets(): not enough space in {net}")
        out.append(str(ipaddress.ip_network((current, length))))
        current += size
    return out


@strict("cidrhost")
def _cidrhost(prefix: Any, hostnum: Any) -> Any:
    net = _network(prefix)
    n = int(to_number(hostnum))
    if n < 0:
        n += net.num_addresses
    if not 0 <= n < net.num_addresses:
        raise EvalError(f"cidrhost(): host number {hostnum} is outside {net}")
    return str(net.network_address + n)


@strict("cidrnetmask")
def _cidrnetmask(prefix: Any) -> Any:
    net = _network(prefix)
    if net.version != 4:
        raise EvalError("cidrnetmask() needs an IPv4 prefix")
    return str(net.netmask)


@strict("cidrcontains")
def _cidrcontains(prefix: Any, address: Any) -> Any:
    net = _network(prefix)
    text = to_text(address)
    if "/" in text:
        return ipaddress.ip_network(text, strict=False).subnet_of(net)  # type: ignore[arg-type]
    return ipaddress.ip_address(text) in net


# --- files and paths -----------------------------------------------------------------------------------
# Every function that touches the file system goes through the scope's `FileSystem` (filesystem.py): paths
# resolve inside the scan root only, and a refused path gives an Unknown with the reason.


def _files(ctx: Ctx, fn: str) -> FileSystem:
    files = ctx.scope.files
    if files is None:
        raise EvalError(f"{fn}() cannot read files here")
    return files


def _file_function(fn: str, args: list[Any], ctx: Ctx, use: Callable[[FileSystem, str], Any]) -> Any:
    """Call `use(files, path)` for a file function whose first argument is the path: an unknown path or a
    refused read is an Unknown naming the reason; what Terraform rejects stays an EvalError."""
    if not args:
        raise EvalError(f"{fn}() needs a path")
    path = plain(args[0], ctx)
    if is_unknown(path):
        return unknown_from(f"{fn}()", [path])
    files = _files(ctx, fn)
    try:
        return use(files, to_text(path, f"{fn}()'s path"))
    except FileRefused as exc:
        return Unknown(f"{fn}() is not evaluated: {exc}")


def _text_of(data: bytes, path: str) -> str:
    try:
        return check_string(data.decode("utf-8"), "file()")
    except UnicodeDecodeError:
        raise EvalError(f'contents of "{path}" are not valid UTF-8; use filebase64() for binary files') from None


@lenient("file")
def _file(args: list[Any], ctx: Ctx) -> Any:
    return _file_function("file", args, ctx, lambda files, path: _text_of(files.read(path), path))


@lenient("filebase64")
def _filebase64(args: list[Any], ctx: Ctx) -> Any:
    def use(files: FileSystem, path: str) -> str:
        return check_string(base64.b64encode(files.read(path)).decode(), "filebase64()")

    return _file_function("filebase64", args, ctx, use)


def _file_hasher(fn: str, algorithm: str, encoding: str) -> Lenient:
    def digest(args: list[Any], ctx: Ctx) -> Any:
        def use(files: FileSystem, path: str) -> str:
            h = hashlib.new(algorithm, files.read(path))
            return h.hexdigest() if encoding == "hex" else base64.b64encode(h.digest()).decode()

        return _file_function(fn, args, ctx, use)

    return digest


for _fn, _algorithm, _encoding in (
    ("filemd5", "md5", "hex"),
    ("filesha1", "sha1", "hex"),
    ("filesha256", "sha256", "hex"),
    ("filesha512", "sha512", "hex"),
    ("filebase64sha256", "sha256", "base64"),
    ("filebase64sha512", "sha512", "base64"),
):
    _LENIENT[_fn] = _file_hasher(_fn, _algorithm, _encoding)


@lenient("fileexists")
def _fileexists(args: list[Any], ctx: Ctx) -> Any:
    return _file_function("fileexists", args, ctx, lambda files, path: files.exists(path))


@lenient("fileset")
def _fileset(args: list[Any], ctx: Ctx) -> Any:
    if len(args) != 2:
        raise EvalError("fileset() takes a path and a pattern")
    pattern = plain(args[1], ctx)
    if is_unknown(pattern):
        return unknown_from("fileset()", [pattern])
    text = to_text(pattern, "fileset()'s pattern")
    return _file_function("fileset", args[:1], ctx, lambda files, path: files.glob(path, text, ctx.scope.budget))


class _TemplateScope(Scope):
    """templatefile() sees only the variables it is given, and may not call itself (as in Terraform)."""

    def __init__(self, budget: Any, files: FileSystem | None) -> None:
        self.budget = budget
        self.files = files

    def call(self, name: str, args: list[Any], ctx: Ctx) -> Any:
        if name == "templatefile":
            raise EvalError("cannot recursively call templatefile from inside templatefile call")
        return call(name, args, ctx)


@lenient("templatefile")
def _templatefile(args: list[Any], ctx: Ctx) -> Any:
    from .expressions import evaluate_template

    if not args:
        raise EvalError("templatefile() needs a path")
    variables = plain(args[1], ctx) if len(args) > 1 else {}
    if not isinstance(variables, dict):
        if is_unknown(variables):
            return unknown_from("templatefile()", [variables])
        raise EvalError("templatefile(): the variables must be an object")

    def render(files: FileSystem, path: str) -> Any:
        scope = _TemplateScope(ctx.scope.budget, files)
        return evaluate_template(_text_of(files.read(path), path), Ctx(scope, dict(variables)), f"template {path}")

    return _file_function("templatefile", args[:1], ctx, render)


@lenient("abspath")
def _abspath(args: list[Any], ctx: Ctx) -> Any:
    (path,) = args
    path = plain(path, ctx)
    if is_unknown(path):
        return unknown_from("abspath()", [path])
    return _files(ctx, "abspath").absolute(to_text(path))


@strict("basename")
def _basename(p: Any) -> Any:
    return os.path.basename(to_text(p))


@strict("dirname")
def _dirname(p: Any) -> Any:
    return os.path.dirname(to_text(p))


@strict("pathexpand")
def _pathexpand(p: Any) -> Any:
    text = to_text(p)
    if text.startswith("~"):
        # Terraform puts the home folder of whoever runs it here: the runner's, which is not part of the
        # scanned code and must not reach a report.
        return Unknown("pathexpand() gives the home folder of the machine that runs Terraform")
    return text


__all__ = ["call", "names"]
