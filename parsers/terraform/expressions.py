"""Evaluating the syntax nodes of `syntax` (the front end's tree, never text re-serialized from it).

Terraform's rules that matter for a static reading are followed: a template that is exactly one
interpolation yields the value itself (`"${var.ids}"` is a list); a conditional evaluates only the branch
its known condition selects; `&&`/`||` decide on one known operand; splats wrap a non-list and turn null
into `[]`; `for` expressions iterate maps in key order. What Terraform would reject (a missing attribute,
an index out of range) raises `EvalError`, which `try()` and `can()` catch and which otherwise becomes an
Unknown naming the problem. What is only known after apply stays `TfRef`/`Unknown`/`Derived`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from vpcreach.graph.model import Unknown

from . import syntax as syn
from .instance import TfRef
from .values import (
    MAX_INT_BITS,
    Derived,
    Pending,
    Single,
    first_unknown,
    is_unknown,
    number_problem,
    template_text,
    unknown_from,
)


class EvalError(Exception):
    """The configuration is wrong here (Terraform would refuse it); `try()` moves past it."""


class LimitError(Exception):
    """The configuration asks for more work than vpcreach does (a huge count, a huge range)."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line


MAX_STEPS = 2_000_000  # units of work per module tree: see Budget
MAX_COLLECTION = 100_000
MAX_STRING = 1_000_000  # characters of one computed string
MAX_VALUE_DEPTH = 60  # nesting of one value (lists and objects inside each other)
CHARS_PER_STEP = 8  # characters built, copied or compared for one step


def check_length(length: int, what: str) -> None:
    """Refuse a string of `length` characters before it is built."""
    if length > MAX_STRING:
        raise LimitError(
            f"{what} would build a string of {length} characters, more than vpcreach evaluates ({MAX_STRING})"
        )


def check_string(text: str, what: str) -> str:
    check_length(len(text), what)
    return text


def brief(value: Any, limit: int = 60) -> str:
    """A value as an error message quotes it: short, whatever its size."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Budget:
    """Work counted across one whole scan, so hostile input fails fast instead of hanging.

    Every unit of work the evaluator does is charged here before (or as) it is done, in steps: an
    expression node evaluated, a collection element iterated or built, a node visited by a deep walk,
    CHARS_PER_STEP characters of a string built. Deep walks that visit every occurrence of a value
    shared by reference (JSON encoding, hashing, flattening, conversion, rendering a resource's
    attributes) are charged by `walk`, which measures the size of the tree the walk will see without
    expanding it; walks in Python (equality) charge each node as they visit it.
    """

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps = 0

    def spend(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_STEPS:
            raise LimitError(f"the configuration needs more than {MAX_STEPS} evaluation steps")

    def text(self, length: int, what: str) -> None:
        """Charge a string of `length` characters, refusing it (before it is built) past MAX_STRING."""
        check_length(length, what)
        self.spend(1 + length // CHARS_PER_STEP)

    def walk(self, value: Any, what: str) -> int:
        """Charge a walk over every node of `value`, before it starts; returns what it charged."""
        cost = tree_cost(value, MAX_STEPS - self.steps, what)
        self.spend(cost)
        return cost


def tree_cost(value: Any, limit: int, what: str) -> int:
    """The steps of a walk over `value` as a tree: its nodes, with a value shared by reference counted
    every time it occurs, plus its strings' characters / CHARS_PER_STEP. Sizes are memoised on object
    identity, so measuring costs one visit per distinct list or object even when the tree is
    exponentially larger (`l1 = [l0, l0]`, `l2 = [l1, l1]`, ...); it stops with LimitError past `limit`.
    Numbers are checked on the way: a decoded `inf`, `nan` or oversized integer is refused here."""
    memo: dict[int, int] = {}
    visited = 0

    def too_much(total: int) -> LimitError:
        return LimitError(
            f"{what} would walk more than {total} values (a value listed twice counts twice), "
            f"more than the {MAX_STEPS} evaluation steps vpcreach spends on a configuration"
        )

    def cost(v: Any, depth: int) -> int:
        nonlocal visited
        if isinstance(v, str):
            return 1 + len(v) // CHARS_PER_STEP
        if isinstance(v, (int, float)):
            problem = number_problem(v)
            if problem:
                raise EvalError(f"{what}: {problem}")
            return 1
        if not isinstance(v, (list, dict)):
            return 1
        key = id(v)
        known = memo.get(key)
        if known is not None:
            return known
        if depth > MAX_VALUE_DEPTH:
            raise EvalError(f"{what}: value nested too deeply")
        visited += 1
        total = 1
        if isinstance(v, dict):
            for k, item in v.items():
                total += cost(item, depth + 1) + len(k) // CHARS_PER_STEP
                if total > limit:
                    raise too_much(limit)
        else:
            for item in v:
                total += cost(item, depth + 1)
                if total > limit:
                    raise too_much(limit)
        visited += len(v)
        if visited > limit:
            raise too_much(limit)
        memo[key] = total
        return total

    return cost(value, 0)


class Lazy:
    """An object whose attributes are evaluated on demand (variables, a module's outputs, a resource)."""

    def attr(self, name: str, ctx: Ctx) -> Any:
        raise EvalError(f'{self.describe()} has no attribute "{name}"')

    def index(self, key: Any, ctx: Ctx) -> Any:
        raise EvalError(f"{self.describe()} cannot be indexed")

    def materialize(self, ctx: Ctx) -> Any:
        """The whole value, when it is used as one (passed to a function, iterated)."""
        raise EvalError(f"{self.describe()} is not a value")

    def describe(self) -> str:
        return type(self).__name__


class Scope:
    """What names and function calls mean in one module instance; `parsers.terraform.hcl.ModuleInstance`
    implements it."""

    budget: Budget
    # What file functions may read: a filesystem.FileSystem (which spends this module's Budget, so it is not
    # imported here), or None: nothing.
    files: Any = None

    def root(self, name: str, ctx: Ctx) -> Any:
        raise EvalError(f'unknown name "{name}"')

    def call(self, name: str, args: list[Any], ctx: Ctx) -> Any:
        """The function `name` applied to `args`: each scope says which functions it may call (a module's,
        functions.call; literal-only values, none), so the evaluator does not depend on the library."""
        raise EvalError(f'Call to unknown function "{name}"')


class Ctx:
    """Evaluation context: the module scope, local bindings (count, each, iterators) and dependencies."""

    __slots__ = ("bindings", "deps", "scope")

    def __init__(self, scope: Scope, bindings: dict[str, Any] | None = None, deps: set[str] | None = None) -> None:
        self.scope = scope
        self.bindings = bindings or {}
        self.deps = deps

    def child(self, **bindings: Any) -> Ctx:
        return Ctx(self.scope, {**self.bindings, **bindings}, self.deps)


def evaluate(node: Any, ctx: Ctx) -> Any:
    handler = _DISPATCH.get(type(node))
    if handler is None:
        raise EvalError(f"unsupported expression ({type(node).__name__})")
    ctx.scope.budget.spend()
    return handler(node, ctx)


def evaluate_safely(node: Any, ctx: Ctx, what: str) -> Any:
    """Evaluate, turning what Terraform would reject into an Unknown that says why."""
    try:
        return evaluate(node, ctx)
    except EvalError as exc:
        return Unknown(f"{what} could not be evaluated: {exc}")
    except RecursionError:
        return Unknown(f"{what} is nested too deeply to evaluate")


# --- conversions ---------------------------------------------------------------------------------------
def normalise_number(value: float | int) -> int | float:
    """A computed number as the evaluator keeps it: whole floats as ints; infinities, NaN and integers past
    MAX_INT_BITS refused (Terraform has no NaN, and digits without end only cost time)."""
    problem = number_problem(value)
    if problem:
        raise EvalError(problem)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def to_number(value: Any, what: str = "value") -> Any:
    if isinstance(value, bool):
        raise EvalError(f"{what}: a bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return normalise_number(float(value) if any(c in value for c in ".eE") else int(value.strip()))
        except ValueError:
            raise EvalError(f"{what}: {brief(value)} is not a number") from None
    if is_unknown(value):
        return value
    raise EvalError(f"{what}: {type_name(value)} is not a number")


def to_bool(value: Any, what: str = "value") -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if is_unknown(value):
        return value
    if value is None:
        raise EvalError(f"{what} is null, not a bool")
    raise EvalError(f"{what}: {type_name(value)} is not a bool")


def to_text(value: Any, what: str = "value") -> Any:
    """Terraform's conversion to string (for templates and string functions)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if is_unknown(value):
        return value
    if value is None:
        raise EvalError(f"{what} is null")
    raise EvalError(f"{what}: a {type_name(value)} cannot be used as a string")


def format_number(value: int | float) -> str:
    value = normalise_number(value)
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def type_name(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, Lazy):
        return value.describe()
    return {bool: "bool", int: "number", float: "number", str: "string", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def plain(value: Any, ctx: Ctx, what: str = "a value") -> Any:
    """Replace lazy objects by their values, deeply (for functions that look inside a value).

    A part shared by reference stays shared in the copy (one copy per distinct part), and the walk the
    caller then makes over every occurrence is charged to the budget before it is returned."""
    if not isinstance(value, (Lazy, list, dict)):
        return value
    memo: dict[int, Any] = {}

    def copy(v: Any, depth: int) -> Any:
        if not isinstance(v, (Lazy, list, dict)):
            return v
        key = id(v)
        if key in memo:
            return memo[key]
        if depth > MAX_VALUE_DEPTH:
            raise EvalError("value nested too deeply")
        if isinstance(v, Lazy):
            out: Any = copy(v.materialize(ctx), depth + 1)
        elif isinstance(v, list):
            out = [copy(item, depth + 1) for item in v]
        else:
            out = {k: copy(item, depth + 1) for k, item in v.items()}
        memo[key] = out
        return out

    result = copy(value, 0)
    ctx.scope.budget.walk(result, what)
    return result


# --- leaves and collections ---------------------------------------------------------------------------
def _literal(node: syn.Literal, ctx: Ctx) -> Any:
    return node.value


def _number(node: syn.Number, ctx: Ctx) -> Any:
    text = node.text
    if node.is_float:
        return normalise_number(float(text))
    if len(text) > MAX_INT_BITS:  # more digits than bits: refused before Python converts it
        raise EvalError(f"the number {brief(text)} is larger than vpcreach evaluates")
    return normalise_number(int(text))


def _identifier(node: syn.Name, ctx: Ctx) -> Any:
    return root(node.name, ctx)


def root(name: str, ctx: Ctx) -> Any:
    if name in ctx.bindings:
        return ctx.bindings[name]
    return ctx.scope.root(name, ctx)


def _tuple(node: syn.Tuple, ctx: Ctx) -> Any:
    elements = node.items
    ctx.scope.budget.spend(len(elements))
    return [evaluate(e, ctx) for e in elements]


def _object(node: syn.Object, ctx: Ctx) -> Any:
    ctx.scope.budget.spend(len(node.items))
    out: dict[str, Any] = {}
    unknown_key = None
    for key_node, value_node in node.items:
        key = key_node if isinstance(key_node, str) else evaluate(key_node, ctx)
        value = evaluate(value_node, ctx)
        if is_unknown(key):
            unknown_key = key
            continue
        out[to_text(key, "object key")] = value
    if unknown_key is not None:
        return unknown_from("an object key", [unknown_key])
    return out


# --- strings and templates ----------------------------------------------------------------------------
def _string(node: syn.Template, ctx: Ctx) -> Any:
    parts = node.parts
    if len(parts) == 1:
        only = parts[0]
        if isinstance(only, syn.Interp):
            return evaluate(only.expr, ctx)  # "${x}" is x itself, whatever its type
    return join_pieces(string_pieces(parts, ctx), "a string template", ctx)


def join_pieces(pieces: list[Any], what: str, ctx: Ctx) -> Any:
    """The string of a template's (or a builder's) pieces; its size is charged and checked before joining."""
    ctx.scope.budget.text(sum(len(p) if isinstance(p, str) else 3 for p in pieces), what)
    if all(isinstance(p, str) for p in pieces):
        return "".join(pieces)
    text, unknowns = template_text(pieces)
    base = unknown_from(what, unknowns)
    refs = base.refs if isinstance(base, Derived) else ()
    return Derived(base.reason, refs, text=text)


def string_pieces(parts: list[Any], ctx: Ctx) -> list[Any]:
    pieces: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, syn.Interp):
            pieces.append(to_text(evaluate(part.expr, ctx), "an interpolated value"))
        elif isinstance(part, syn.TemplateIf):
            pieces.extend(_template_if(part, ctx))
        else:
            pieces.extend(_template_for(part, ctx))
    return pieces


def _template_if(node: syn.TemplateIf, ctx: Ctx) -> list[Any]:
    cond = to_bool(evaluate(node.cond, ctx), "a template condition")
    if is_unknown(cond):
        return [unknown_from("a template %{if}", [cond])]
    return string_pieces(node.then if cond else node.otherwise, ctx)


def _template_for(node: syn.TemplateFor, ctx: Ctx) -> list[Any]:
    items = iterate(evaluate(node.coll, ctx), ctx)
    if is_unknown(items):
        return [items]
    pieces: list[Any] = []
    for key, value in items:
        bindings = {node.value: value}
        if node.key:
            bindings[node.key] = key
        pieces.extend(string_pieces(node.body, ctx.child(**bindings)))
    return pieces


_HEREDOC = re.compile(r"<<-?([a-zA-Z][a-zA-Z0-9._-]*)\r?\n([\s\S]*)\1\s*\Z")


def heredoc_body(token: str, trim: bool) -> str:
    """The text of a heredoc: every content line keeps its newline (HCL keeps the last one too)."""
    match = _HEREDOC.match(token)
    body = match.group(2).rstrip(" \t") if match else ""  # the closing marker's indentation
    if trim:
        lines = body.split("\n")
        widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
        cut = min(widths) if widths else 0
        body = "\n".join(line[cut:] for line in lines)
    return body


_TEMPLATES: dict[str, Any] = {}
_TEMPLATE_CACHE = {"chars": 0}
MAX_TEMPLATE_CACHE_CHARS = 4 * MAX_STRING
_MISSING = object()


def template_node(text: str, budget: Budget) -> Any:
    """A template's text (a heredoc body, a templatefile) as a syntax node, or None if it is not one."""
    node = _TEMPLATES.get(text, _MISSING)
    if node is not _MISSING:
        return node
    # python-hcl2 (the reference front end) parses about a microsecond a character and a hundred an
    # interpolation or directive; the charge stays the same whichever front end reads it.
    budget.spend(len(text) // CHARS_PER_STEP + 50 * (text.count("${") + text.count("%{")))
    try:
        node = syn.parse_template(text)
    except Exception:  # any failure means "not a template vpcreach can read"
        node = None
    if len(_TEMPLATES) < 512 and _TEMPLATE_CACHE["chars"] + len(text) <= MAX_TEMPLATE_CACHE_CHARS:
        _TEMPLATES[text] = node
        _TEMPLATE_CACHE["chars"] += len(text)
    return node


def evaluate_template(text: str, ctx: Ctx, what: str) -> Any:
    if "${" not in text and "%{" not in text:
        return text
    node = template_node(text, ctx.scope.budget)
    if node is None:
        return Unknown(f"{what} is not a template vpcreach can read")
    return evaluate(node, ctx)


def _heredoc(node: syn.Heredoc, ctx: Ctx) -> Any:
    return evaluate_template(heredoc_body(node.token, node.trim), ctx, "a heredoc")


# --- traversals ---------------------------------------------------------------------------------------
def get_attr(base: Any, name: str, ctx: Ctx) -> Any:
    if isinstance(base, Lazy):
        return base.attr(name, ctx)
    if isinstance(base, dict):
        if name in base:
            return base[name]
        raise EvalError(f'the object has no attribute "{name}"')
    if isinstance(base, TfRef):
        return Derived(f"{base.address}.{base.attr}.{name} is known only after apply", (base,))
    if isinstance(base, Pending):
        return base.extend(f".{name}")
    if isinstance(base, Unknown):
        return base
    if base is None:
        raise EvalError(f'attribute "{name}" of null')
    raise EvalError(f'a {type_name(base)} has no attribute "{name}"')


def get_index(base: Any, key: Any, ctx: Ctx) -> Any:
    if isinstance(base, Pending) and isinstance(key, (str, int)) and not isinstance(key, bool):
        return base.extend(f"[{brief(key)}]")
    if is_unknown(key):
        return unknown_from("an index", [key, base]) if not isinstance(base, Lazy) else unknown_from("an index", [key])
    if isinstance(base, Lazy):
        return base.index(key, ctx)
    if isinstance(base, list):
        number = to_number(key, "a list index")
        if is_unknown(number):
            return number
        if not float(number).is_integer() or not 0 <= number < len(base):
            raise EvalError(f"index {format_number(number)} is out of range for a list of {len(base)}")
        return base[int(number)]
    if isinstance(base, dict):
        text = to_text(key, "a map key")
        if text in base:
            return base[text]
        raise EvalError(f"the map has no element {brief(text)}")
    if is_unknown(base):
        if type(base) is Unknown or isinstance(base, Single):
            return Single(base.reason)  # an element of an unknown list: a value of its own
        return base if isinstance(base, Unknown) else unknown_from("an index", [base])
    if base is None:
        raise EvalError("index into null")
    raise EvalError(f"a {type_name(base)} cannot be indexed")


def _get_attr_term(node: syn.GetAttr, ctx: Ctx) -> Any:
    return get_attr(evaluate(node.base, ctx), node.name, ctx)


def _index_term(node: syn.Index, ctx: Ctx) -> Any:
    base = evaluate(node.base, ctx)
    return get_index(base, evaluate(node.key, ctx), ctx)


def _apply_chain(value: Any, ops: list[tuple[str, Any]], ctx: Ctx) -> Any:
    for kind, arg in ops:
        if kind == "attr":
            value = get_attr(value, arg, ctx)
        else:
            value = get_index(value, evaluate(arg, ctx), ctx)
    return value


def _splat_items(base: Any, ctx: Ctx) -> Any:
    if base is None:
        return []
    if isinstance(base, list):
        return base
    if isinstance(base, dict):
        return list(base.values())  # lenient: Terraform rejects a splat over a map
    if is_unknown(base):
        return base
    return [base]


def _splat(node: syn.Splat, ctx: Ctx) -> Any:
    items = _splat_items(evaluate(node.base, ctx), ctx)
    if is_unknown(items):
        return items
    ops = node.ops
    if node.full:
        ctx.scope.budget.spend(len(items))
        return [_apply_chain(item, ops, ctx) for item in items]
    # Legacy `.*` applies only the attribute steps to each element; an index after them indexes the list.
    per_item = 0
    while per_item < len(ops) and ops[per_item][0] == "attr":
        per_item += 1
    ctx.scope.budget.spend(len(items))
    result = [_apply_chain(item, ops[:per_item], ctx) for item in items]
    return _apply_chain(result, ops[per_item:], ctx)


# --- operators ----------------------------------------------------------------------------------------
def _conditional(node: syn.Conditional, ctx: Ctx) -> Any:
    cond = to_bool(evaluate(node.cond, ctx), "the condition")
    if cond is True:
        return evaluate(node.then, ctx)
    if cond is False:
        return evaluate(node.otherwise, ctx)
    # Unknown condition: the result is known only when both branches agree.
    try:
        a, b = evaluate(node.then, ctx), evaluate(node.otherwise, ctx)
    except EvalError:
        a, b = None, 0
    if (
        first_unknown(a) is None
        and first_unknown(b) is None
        and type(a) is type(b)
        and (a is b or values_equal(a, b, ctx) is True)
    ):
        return a
    base = unknown_from("the condition", [cond])
    refs = base.refs if isinstance(base, Derived) else ()
    return Derived(f"depends on a condition that is unknown ({base.reason})", refs)


def values_equal(a: Any, b: Any, ctx: Ctx) -> Any:
    """Terraform `==`: deep, type-sensitive; unknown when either side is not wholly known."""
    if isinstance(a, Lazy) or isinstance(b, Lazy):
        return Unknown("comparison of a whole resource or module object")
    ua, ub = first_unknown(a), first_unknown(b)
    if ua is not None or ub is not None:
        return unknown_from("a comparison", [ua if ua is not None else ub])
    return _strict_equal(a, b, ctx.scope.budget, 0)


def _strict_equal(a: Any, b: Any, budget: Budget, depth: int) -> bool:
    """Deep equality, charging each pair of nodes it compares (a value is equal to itself uncompared)."""
    budget.spend()
    if a is b:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        if len(a) != len(b):
            return False
        budget.spend(len(a) // CHARS_PER_STEP)
        return str(a) == str(b)
    if depth > MAX_VALUE_DEPTH:
        raise EvalError("a comparison of values nested too deeply")
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_strict_equal(x, y, budget, depth + 1) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_strict_equal(a[k], b[k], budget, depth + 1) for k in a)
    return a is None and b is None


def _arith(op: str, a: Any, b: Any) -> Any:
    x, y = to_number(a, f"the left side of {op}"), to_number(b, f"the right side of {op}")
    if is_unknown(x) or is_unknown(y):
        return unknown_from(f"an arithmetic {op}", [x, y])
    if y == 0 and op in ("/", "%"):
        raise EvalError("division by zero")
    try:
        if op == "+":
            return normalise_number(x + y)
        if op == "-":
            return normalise_number(x - y)
        if op == "*":
            return normalise_number(x * y)
        if op == "/":
            return normalise_number(x / y)
        return normalise_number(math.fmod(x, y))
    except OverflowError:  # a large integer mixed with a fraction
        raise EvalError(f"an arithmetic {op} overflows") from None


def _compare(op: str, a: Any, b: Any) -> Any:
    x, y = to_number(a, f"the left side of {op}"), to_number(b, f"the right side of {op}")
    if is_unknown(x) or is_unknown(y):
        return unknown_from(f"a comparison {op}", [x, y])
    return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


def _binary(node: syn.Binary, ctx: Ctx) -> Any:
    op = node.op
    left = evaluate(node.left, ctx)
    if op in ("&&", "||"):
        a = to_bool(left, f"the left side of {op}")
        if a is (op == "||"):
            return a  # decided by one known operand, as cty does for && and ||
        b = to_bool(evaluate(node.right, ctx), f"the right side of {op}")
        if b is (op == "||"):
            return b
        if is_unknown(a) or is_unknown(b):
            return unknown_from(f"a logical {op}", [a, b])
        return b
    right = evaluate(node.right, ctx)
    if op == "==":
        return values_equal(left, right, ctx)
    if op == "!=":
        equal = values_equal(left, right, ctx)
        return equal if is_unknown(equal) else not equal
    if op in ("<", ">", "<=", ">="):
        return _compare(op, left, right)
    if op in ("+", "-", "*", "/", "%"):
        return _arith(op, left, right)
    raise EvalError(f"unsupported operator {op}")


def _unary(node: syn.Unary, ctx: Ctx) -> Any:
    value = evaluate(node.operand, ctx)
    if node.op == "!":
        b = to_bool(value, "the operand of !")
        return b if is_unknown(b) else not b
    n = to_number(value, "the operand of -")
    return n if is_unknown(n) else normalise_number(-n)


# --- for expressions ----------------------------------------------------------------------------------
def iterate(collection: Any, ctx: Ctx) -> Any:
    """(key, value) pairs of a collection: list indexes, or map keys in lexical order."""
    if isinstance(collection, Lazy):
        collection = collection.materialize(ctx)
    if isinstance(collection, list):
        ctx.scope.budget.spend(len(collection))
        return list(enumerate(collection))
    if isinstance(collection, dict):
        ctx.scope.budget.spend(len(collection))
        return [(k, collection[k]) for k in sorted(collection)]
    if is_unknown(collection):
        return unknown_from("a for expression's collection", [collection])
    if collection is None:
        raise EvalError("cannot iterate over null")
    raise EvalError(f"cannot iterate over a {type_name(collection)}")


def _for_bindings(node: syn.ForExpr, key: Any, value: Any) -> dict[str, Any]:
    if node.key_var is None:
        return {node.value_var: value}
    return {node.key_var: key, node.value_var: value}


def _kept(node: syn.ForExpr, ctx: Ctx) -> Iterator[Any]:
    """The scope of each item a for expression keeps (its `if` true), in order; an unknown iterable or
    condition is yielded as the Unknown itself, and the caller returns it."""
    items = iterate(evaluate(node.coll, ctx), ctx)
    if is_unknown(items):
        yield items
        return
    for key, value in items:
        inner = ctx.child(**_for_bindings(node, key, value))
        if node.cond is not None:
            keep = to_bool(evaluate(node.cond, inner), "a for condition")
            if is_unknown(keep):
                yield unknown_from("a for expression's condition", [keep])
                return
            if not keep:
                continue
        yield inner


def _for(node: syn.ForExpr, ctx: Ctx) -> Any:
    if node.key is None:
        items = []
        for inner in _kept(node, ctx):
            if is_unknown(inner):
                return inner
            items.append(evaluate(node.value, inner))
        return items
    out: dict[str, Any] = {}
    for inner in _kept(node, ctx):
        if is_unknown(inner):
            return inner
        k = evaluate(node.key, inner)
        if is_unknown(k):
            return unknown_from("a for expression's key", [k])
        k = to_text(k, "a for expression's key")
        v = evaluate(node.value, inner)
        if node.group:
            out.setdefault(k, []).append(v)
        elif k in out:
            raise EvalError(f"duplicate key {brief(k)} in a for expression (add ... to group)")
        else:
            out[k] = v
    return out


# --- function calls -----------------------------------------------------------------------------------
def _function_call(node: syn.Call, ctx: Ctx) -> Any:
    name = node.name
    arg_nodes = node.args
    if name == "try":
        return _try(arg_nodes, ctx)
    if name == "can":
        return _can(arg_nodes, ctx)
    args = [evaluate(a, ctx) for a in arg_nodes]
    if node.expand and args:
        last = args.pop()
        if isinstance(last, Lazy):
            last = last.materialize(ctx)
        if is_unknown(last):
            return unknown_from(f"{name}()", [last])
        if not isinstance(last, list):
            raise EvalError(f"{name}(...): the expanded argument is not a list")
        args.extend(last)
    if "::" in name:
        return Unknown(f"provider function {name}() is not evaluated by vpcreach")
    return ctx.scope.call(name, args, ctx)


def _try(arg_nodes: list[Any], ctx: Ctx) -> Any:
    if not arg_nodes:
        raise EvalError("try() needs at least one argument")
    for arg in arg_nodes:
        try:
            value = evaluate(arg, ctx)
        except EvalError:
            continue
        if isinstance(value, Lazy):
            return value
        unknown = first_unknown(value)
        if unknown is not None:
            # Terraform cannot tell whether an unknown value would have failed: try() is unknown too.
            return value if is_unknown(value) else unknown_from("try()", [unknown])
        return value
    raise EvalError("no argument of try() could be evaluated")


def _can(arg_nodes: list[Any], ctx: Ctx) -> Any:
    if len(arg_nodes) != 1:
        raise EvalError("can() takes one argument")
    try:
        value = evaluate(arg_nodes[0], ctx)
    except EvalError:
        return False
    unknown = first_unknown(value) if not isinstance(value, Lazy) else None
    return unknown_from("can()", [unknown]) if unknown is not None else True


_DISPATCH: dict[type, Callable[[Any, Ctx], Any]] = {
    syn.Literal: _literal,
    syn.Number: _number,
    syn.Name: _identifier,
    syn.Template: _string,
    syn.Heredoc: _heredoc,
    syn.Tuple: _tuple,
    syn.Object: _object,
    syn.GetAttr: _get_attr_term,
    syn.Index: _index_term,
    syn.Splat: _splat,
    syn.Conditional: _conditional,
    syn.Binary: _binary,
    syn.Unary: _unary,
    syn.ForExpr: _for,
    syn.Call: _function_call,
}


def traversal_text(node: Any) -> str | None:
    """`aws_iam_role_policy_attachment.vpc` or `module.net` as written (for depends_on), or None."""
    if isinstance(node, syn.Name):
        return node.name
    if isinstance(node, syn.GetAttr):
        base = traversal_text(node.base)
        return f"{base}.{node.name}" if base else None
    if isinstance(node, syn.Index):
        return traversal_text(node.base)  # depends_on means the whole resource anyway
    return None


__all__ = ["Ctx", "EvalError", "Lazy", "LimitError", "Scope", "evaluate", "evaluate_safely"]
