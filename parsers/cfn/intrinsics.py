"""CloudFormation intrinsic functions, parameters and conditions, evaluated as far as a template allows.

Values that exist only after deployment (resource ids, imported values, SSM parameters) are never guessed:
a reference to a resource becomes a `ResRef`, everything else that cannot be known becomes `Unknown`
with the reason, and a string built from a resource attribute becomes `Derived`, an Unknown that still
remembers which resources it was built from (so `DB_HOST: !GetAtt Db.Endpoint.Address` still points at Db).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Container
from typing import Any

from vpcreach.graph.aws import PSEUDO_REGION, SYMBOLIC_AZS
from vpcreach.graph.model import Unknown, UnknownItems

from ..environment import Environment

NO_VALUE = object()

_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")
_DYNAMIC_REF = re.compile(r"\{\{resolve:([a-z0-9-]+):([^}]*)\}\}")

# Fn::Cidr's count: "The number of CIDRs to generate. Valid range is between 1 and 256." (CloudFormation
# Template Reference, Fn::Cidr: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-cidr.html)
MAX_CIDR_COUNT = 256
# Characters of one string built by Fn::Join or Fn::Sub: checked before the string is allocated. A parameter
# value is at most 4,096 bytes and a template 1 MB (CloudFormation quotas), so no deployable template
# builds more.
MAX_STRING = 1_000_000
# Work one template's intrinsics may cost: a step per value resolved, plus the size of every value an
# intrinsic hands out (characters / 64 for a string, items for a list). Past it the template is refused:
# Fn::FindInMap or Ref of a large value repeated a million times would otherwise copy it a million times.
MAX_STEPS = 5_000_000


class ResRef:
    """`Ref` or `Fn::GetAtt` to a resource: an id only known after deploy."""

    __slots__ = ("attr", "id")

    def __init__(self, id: str, attr: str = "") -> None:
        self.id = id
        self.attr = attr

    def __repr__(self) -> str:
        return f"ResRef({self.id!r}, {self.attr!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResRef) and (other.id, other.attr) == (self.id, self.attr)

    def __hash__(self) -> int:
        return hash((self.id, self.attr))


class Derived(Unknown):
    """A value computed from resource attributes: unknown, but its sources are known.

    A string built by `Fn::Join` or `Fn::Sub` keeps its pieces (literal strings and `ResRef`s, concatenated),
    so that `Fn::Split` gives the references back: templates pass subnet lists through
    `!Split [",", !Join [",", [...]]]` and `!Split [",", !Sub "${SubnetA},${SubnetB}"]`.
    """

    __slots__ = ("pieces", "refs")

    def __init__(self, reason: str, refs: tuple[ResRef, ...], pieces: list | None = None) -> None:
        super().__init__(reason)
        self.refs = refs
        self.pieces = pieces


# What an id, ARN, name or DNS name that a `Ref`/`Fn::GetAtt` gives may contain: a separator made of none of
# these cannot occur inside such a value, so a reference between two separators is exactly one element.
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/*@+=")


class DerivedItems(Derived, UnknownItems):
    """A list of unknown length computed from resource attributes (`Fn::Split` of a string known after deploy)."""

    __slots__ = ()


def _items(value: Any) -> Any:
    """`value` as a list of unknown length when it is unknown (DESIGN decision 13): what a list-valued
    intrinsic (Fn::Split, Fn::Cidr) or parameter gives when it cannot be evaluated."""
    if isinstance(value, UnknownItems) or not isinstance(value, Unknown):
        return value
    if isinstance(value, Derived):
        return DerivedItems(value.reason, value.refs)
    return UnknownItems(value.reason)


def _one(value: Any) -> Any:
    """An element taken from an unknown list: a single unknown value, a new one for every element taken
    (two Fn::Select items of one unknown list are two values, not one)."""
    if isinstance(value, Derived):
        return Derived(value.reason, value.refs)
    if isinstance(value, Unknown):
        return Unknown(value.reason)
    return value


def _refs_in(value: Any) -> tuple[ResRef, ...]:
    if isinstance(value, ResRef):
        return (value,)
    if isinstance(value, Derived):
        return value.refs
    if isinstance(value, list):
        return tuple(r for item in value for r in _refs_in(item))
    return ()


class ResolveLimit(Exception):
    """The template's intrinsics ask for more work than MAX_STEPS: the caller refuses the template."""


class _TooLong(Exception):
    pass


class Resolver:
    """Evaluates intrinsics of one template against its parameters, mappings and conditions."""

    def __init__(
        self,
        template: dict,
        overrides: dict[str, str] | None = None,
        resource_ids: set[str] | None = None,
        imports: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
        env: Environment | None = None,
        sources: dict[str, str] | None = None,
    ) -> None:
        self.template = template
        # Export name -> value, from the other stacks scanned with this one (a CDK app's cloud assembly).
        self.imports = imports or {}
        # The world outside the template (snapshot, other stacks) and what was read from it (Network.inputs).
        self.env = env or Environment()
        self.inputs: list[tuple[str, str, str]] = []
        # Other templates of the scan whose exports this one imports: template path → prefix of its ids here.
        self.stack_imports: dict[str, str] = {}
        # Sections of the wrong type are treated as absent (cfn-lint reports them; we must not crash).
        self.mappings = _mapping(template.get("Mappings"))
        self.condition_defs = _mapping(template.get("Conditions"))
        self.resource_ids = resource_ids if resource_ids is not None else set(template.get("Resources") or {})
        self.params: dict[str, Any] = {}
        self.attr_values: dict[tuple[str, str], Any] = {}
        self._conditions: dict[str, Any] = {}
        self.steps = 0
        overrides = overrides or {}
        self.pseudo: dict[str, Any] = {
            "AWS::Region": overrides.get("AWS::Region", PSEUDO_REGION),
            "AWS::AccountId": Unknown("the account id is known only at deploy time"),
            "AWS::StackName": self.env.stack_name
            or Unknown("the stack name is known only at deploy time (samconfig.toml stack_name or --stack-name)"),
            "AWS::StackId": Unknown("the stack id is known only at deploy time"),
            "AWS::Partition": overrides.get("AWS::Partition", "aws"),
            "AWS::URLSuffix": overrides.get("AWS::URLSuffix", "amazonaws.com"),
            "AWS::NotificationARNs": Unknown("notification ARNs are known only at deploy time"),
        }
        sources = sources or {}
        for name, spec in _mapping(template.get("Parameters")).items():
            spec = spec if isinstance(spec, dict) else {}
            value = self._parameter_value(str(name), spec, overrides)
            self.params[name] = value
            if str(name) in overrides and not isinstance(value, Unknown):
                where = sources.get(str(name), "--param")
                self.inputs.append((f"parameter {name}", _shown(value), where))
        # Values a parent stack passes a nested stack, already resolved in the parent (references included).
        for name, value in (values or {}).items():
            if name in self.params:
                self.params[name] = value

    def _parameter_value(self, name: str, spec: dict, overrides: dict[str, str]) -> Any:
        ptype = str(spec.get("Type", "String"))
        if name in overrides and isinstance(overrides[name], Unknown):  # a nested stack's unknown parameter
            return _items(overrides[name]) if _is_list_type(ptype) else overrides[name]
        if name in overrides:
            raw: Any = overrides[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            unknown = Unknown(f"parameter {name} has no default (pass --param {name}=VALUE)")
            return _items(unknown) if _is_list_type(ptype) else unknown
        if ptype.startswith("AWS::SSM::Parameter::Value"):
            # CloudFormation reads the SSM parameter named by the value when it deploys: from the snapshot's
            # Parameters (ssm get-parameters) when it holds it (AWS CloudFormation User Guide, "Specify existing
            # resources at runtime with CloudFormation-supplied parameter types": SSM parameter types).
            answer = self.env.ssm(str(raw))
            if answer is None:
                unknown = Unknown(f"parameter {name} is read from SSM parameter {raw!s} at deploy time")
                return _items(unknown) if _is_list_type(ptype) else unknown
            self.inputs.append((f"parameter {name} (SSM parameter {raw!s})", str(answer.value), answer.where))
            if _is_list_type(ptype):
                return [x.strip() for x in str(answer.value).split(",") if x.strip()]
            return str(answer.value)
        if _is_list_type(ptype):
            if isinstance(raw, list):
                return [str(x).strip() for x in raw]
            text = str(raw)
            return [x.strip() for x in text.split(",")] if text.strip() else []
        if isinstance(raw, bool):
            return "true" if raw else "false"
        return raw if isinstance(raw, str) else str(raw)

    # --- conditions -----------------------------------------------------------------------------
    def condition(self, name: Any) -> bool | Unknown:
        if not isinstance(name, str):
            return Unknown(f"condition name {name!r} is not a string")
        if name in self._conditions:
            value = self._conditions[name]
            if value is _IN_PROGRESS:
                return Unknown(f"condition {name} refers to itself")
            return value
        if name not in self.condition_defs:
            return Unknown(f"condition {name} is not defined")
        self._conditions[name] = _IN_PROGRESS
        value = self._eval_condition(self.condition_defs[name], name)
        self._conditions[name] = value
        return value

    def _eval_condition(self, expr: Any, name: str) -> bool | Unknown:
        if isinstance(expr, bool):
            return expr
        if isinstance(expr, dict) and len(expr) == 1:
            ((fn, arg),) = expr.items()
            if fn == "Condition":
                return self.condition(arg)
            if fn == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
                a, b = (self.resolve(x) for x in arg)
                if _is_unresolved(a) or _is_unresolved(b):
                    return Unknown(f"condition {name} compares a value unknown before deploy")
                if any(isinstance(x, str) and PSEUDO_REGION in x for x in (a, b)):
                    return Unknown(f"condition {name} depends on the Region (pass --param AWS::Region=REGION)")
                return _norm(a) == _norm(b)
            if fn in ("Fn::And", "Fn::Or") and isinstance(arg, list):
                values = [self._eval_condition(x, name) for x in arg]
                decided = [v for v in values if isinstance(v, bool)]
                if fn == "Fn::And" and False in decided:
                    return False
                if fn == "Fn::Or" and True in decided:
                    return True
                if len(decided) < len(values):
                    return next(v for v in values if isinstance(v, Unknown))
                return fn == "Fn::And"
            if fn == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
                value = self._eval_condition(arg[0], name)
                return value if isinstance(value, Unknown) else not value
        return Unknown(f"condition {name} uses an expression vpcreach does not evaluate")

    # --- values ------------------------------------------------------------------------------------
    def charge(self, steps: int) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise ResolveLimit(
                f"the template's intrinsic functions build more than {MAX_STEPS:,} values (repeated "
                "Fn::FindInMap, Ref or Fn::Join of large values); refusing it"
            )

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """Evaluate every intrinsic inside `value`; dict/list shapes are kept, AWS::NoValue is dropped."""
        if depth > 100:
            return Unknown("expression nested too deeply")
        self.charge(1)
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, arg),) = value.items()
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._intrinsic(key, arg, depth + 1)
            out = {}
            for k, v in value.items():
                resolved = self.resolve(v, depth + 1)
                if resolved is not NO_VALUE:
                    out[k] = resolved
            return out
        if isinstance(value, list):
            items = [self.resolve(v, depth + 1) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if isinstance(value, str):
            match = _DYNAMIC_REF.search(value)
            if match:
                return self._dynamic(value)
        return value

    def _dynamic(self, text: str) -> Any:
        """A string holding `{{resolve:ssm:NAME}}` / `{{resolve:ssm:NAME:VERSION}}`: each reference replaced by the
        snapshot's parameter value (a StringList's value is its comma-separated text, as CloudFormation puts
        it in), or Unknown when one is not in the snapshot, names another version, or is not ssm (secrets,
        ssm-secure: never read). CloudFormation User Guide, "Get values stored in other services using dynamic
        references": `{{resolve:ssm:parameter-name:version}}`."""
        out, last = [], 0
        for match in _DYNAMIC_REF.finditer(text):
            service, rest = match.group(1), match.group(2)
            if service != "ssm":
                return Unknown(f"dynamic reference {match.group(0)} is read at deploy time")
            name, _, version = rest.rpartition(":") if re.fullmatch(r".*:\d+", rest) else (rest, "", "")
            answer = self.env.ssm(name)
            if answer is None:
                return Unknown(f"dynamic reference {match.group(0)} is read at deploy time")
            held = self.env.ssm_version(name)
            if version and held is not None and int(version) != held:
                return Unknown(
                    f"dynamic reference {match.group(0)} names version {version}; the snapshot holds version {held}"
                )
            self.inputs.append((match.group(0), str(answer.value), answer.where))
            out += [text[last : match.start()], str(answer.value)]
            last = match.end()
        out.append(text[last:])
        return "".join(out)

    def _intrinsic(self, fn: str, arg: Any, depth: int) -> Any:
        handler = _HANDLERS.get(fn)
        if handler is None:
            return Unknown(f"{fn} is not evaluated by vpcreach")
        try:
            out = handler(self, arg, depth)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError):
            # OverflowError: a .inf where a number is expected (int(inf)); .nan gives ValueError.
            return Unknown(f"{fn} has arguments vpcreach cannot evaluate")
        # What an intrinsic hands out is copied and walked by its callers: charge its size to the budget.
        if isinstance(out, str):
            self.charge(len(out) // 64)
        elif isinstance(out, list):
            self.charge(len(out))
        return out

    def _ref(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, str):
            arg = self.resolve(arg, depth)
            if not isinstance(arg, str):
                return Unknown("Ref to a computed name")
        if arg == "AWS::NoValue":
            return NO_VALUE
        if arg in self.pseudo:
            return self.pseudo[arg]
        if arg in self.params:
            return self.params[arg]
        if arg in self.resource_ids:
            return ResRef(arg)
        return Unknown(f"Ref to {arg}, which is not defined in the template")

    def _getatt(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::GetAtt with an unexpected shape")
        rid, attr = arg[0], self.resolve(arg[1], depth)
        if not isinstance(attr, str):
            return Unknown("Fn::GetAtt with a computed attribute name")
        if (rid, attr) in self.attr_values:
            return self.attr_values[(rid, attr)]
        if rid in self.resource_ids:
            return ResRef(rid, attr)
        return Unknown(f"Fn::GetAtt of {rid}, which is not defined in the template")

    def _join(self, arg: Any, depth: int) -> Any:
        sep, items = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
        if isinstance(items, Unknown) or isinstance(sep, Unknown):
            return _unknown_from("Fn::Join", [sep, items])
        parts = [_as_text(x) for x in items]
        if any(p is None for p in parts):
            joined = _unknown_from("Fn::Join", items)
            if isinstance(joined, Derived) and all(isinstance(x, (str, ResRef)) for x in items):
                pieces: list = []
                for i, item in enumerate(items):
                    pieces.extend([str(sep), item] if i else [item])
                joined = Derived(joined.reason, joined.refs, pieces)
            return joined
        sep = str(sep)
        size = sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0)  # type: ignore[arg-type]
        if size > MAX_STRING:
            return _too_long("Fn::Join", size)
        return sep.join(parts)  # type: ignore[arg-type]

    def _sub(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, list):
            text, local = arg[0], self.resolve(arg[1], depth) if len(arg) > 1 else {}
        else:
            text, local = arg, {}
        if isinstance(text, Unknown):
            return text  # a string Fn::ForEach could not build (parsers/cfn/language.py)
        if not isinstance(text, str) or not isinstance(local, dict):
            return Unknown("Fn::Sub with an unexpected shape")
        unresolved: list[Any] = []
        pieces: list = []  # literal text and resource references, in order (see Derived)
        size = len(text)
        start = 0
        for match in _SUB_VAR.finditer(text):
            pieces.append(text[start : match.start()])
            start = match.end()
            name = match.group(1).strip()
            if name in local:
                value = local[name]
            elif "." in name and name.split(".", 1)[0] in self.resource_ids:
                value = self._getatt(name.split(".", 1), depth)
            else:
                value = self._ref(name, depth)
            piece = _as_text(value)
            if piece is None:
                unresolved.append(value)
                pieces.append(value)
                continue
            size += len(piece)
            if size > MAX_STRING:  # before the pieces are joined
                return _too_long("Fn::Sub", size)
            pieces.append(piece)
        pieces.append(text[start:])
        pieces = [p.replace("${!", "${") if isinstance(p, str) else p for p in pieces]
        if unresolved:
            out = _unknown_from("Fn::Sub", unresolved)
            if isinstance(out, Derived) and all(isinstance(v, ResRef) for v in unresolved):
                out = Derived(out.reason, out.refs, pieces)
            return out
        return "".join(pieces)

    def _select(self, arg: Any, depth: int) -> Any:
        index, items = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
        if isinstance(items, Unknown) or isinstance(index, Unknown):
            return _one(_unknown_from("Fn::Select", [index, items]))
        index = int(index)
        if not isinstance(items, list) or not 0 <= index < len(items):
            return Unknown("Fn::Select index out of range")
        return items[index]

    def _split(self, arg: Any, depth: int) -> Any:
        sep, text = self.resolve(arg[0], depth), self.resolve(arg[1], depth)
        if isinstance(text, Derived) and text.pieces is not None and isinstance(sep, str):
            split = _split_pieces(text.pieces, sep)
            if split is not None:
                return split
        if not isinstance(text, str) or not isinstance(sep, str):
            return _items(_unknown_from("Fn::Split", [sep, text]))
        return text.split(sep)

    def _if(self, arg: Any, depth: int) -> Any:
        cond = self.condition(arg[0])
        if isinstance(cond, Unknown):
            a, b = self.resolve(arg[1], depth), self.resolve(arg[2], depth)
            if a == b:
                return a
            unknown = Unknown(f"depends on {cond.reason}")
            return _items(unknown) if any(isinstance(x, (list, UnknownItems)) for x in (a, b)) else unknown
        return self.resolve(arg[1] if cond else arg[2], depth)

    def _find_in_map(self, arg: Any, depth: int) -> Any:
        keys = [self.resolve(x, depth) for x in arg[:3]]
        default = None
        if len(arg) > 3 and isinstance(arg[3], dict):
            default = arg[3].get("DefaultValue")
        if any(isinstance(k, (Unknown, ResRef)) for k in keys):
            return _unknown_from("Fn::FindInMap", keys)
        try:
            return self.resolve(self.mappings[keys[0]][keys[1]][keys[2]], depth)
        except (KeyError, TypeError):
            if default is not None:
                return self.resolve(default, depth)
            return Unknown(f"Fn::FindInMap {keys} has no such entry")

    def _get_azs(self, arg: Any, depth: int) -> Any:
        return list(SYMBOLIC_AZS)

    def _cidr(self, arg: Any, depth: int) -> Any:
        block, count, bits = (self.resolve(x, depth) for x in arg[:3])
        if any(isinstance(x, (Unknown, ResRef)) for x in (block, count, bits)):
            return _items(_unknown_from("Fn::Cidr", [block, count, bits]))
        count = int(count)
        if not 1 <= count <= MAX_CIDR_COUNT:
            # Checked before any list is built: CloudFormation refuses the template too.
            return Unknown(f"Fn::Cidr count {count} is outside 1-{MAX_CIDR_COUNT}, the range CloudFormation accepts")
        net = ipaddress.ip_network(str(block), strict=False)
        new_prefix = net.max_prefixlen - int(bits)
        out = []
        for i, sub in enumerate(net.subnets(new_prefix=new_prefix)):
            if i >= count:
                break
            out.append(str(sub))
        return out

    def _import_value(self, arg: Any, depth: int) -> Any:
        name = self.resolve(arg, depth)
        if isinstance(name, str) and name in self.imports:
            return self.imports[name]  # exported by a stack scanned together with this one
        label = name if isinstance(name, str) else "a computed export name"
        answer = self.env.export(name) if isinstance(name, str) else None
        if answer is None:
            return Unknown(f"Fn::ImportValue {label} comes from another stack")
        # The value another stack exports (cloudformation list-exports, or an Output's Export of a template in
        # the same scan): a subnet exported as an id keeps its identity.
        value = answer.value
        if not isinstance(value, str) and hasattr(value, "resource_ids"):  # parsers.cfn.stacks.StackExport
            if value.template == self.env.own_path:
                return Unknown(f"Fn::ImportValue {name} names an export of this template, which CloudFormation refuses")
            prefix = self.stack_imports.setdefault(
                value.template, prefix_for(self.resource_ids, value.resource_ids, value.stack)
            )
            value = renamed(value.value, prefix)
        self.inputs.append((f"Fn::ImportValue {name}", _shown(value), answer.where))
        return value

    def _unknown_fn(self, arg: Any, depth: int) -> Any:
        return Unknown("value computed at deploy time")


_IN_PROGRESS = object()


def _split_pieces(pieces: list, sep: str) -> list | None:
    """Fn::Split of a string built from literal text and resource references (Derived.pieces).

    Each element is a string when only literal text makes it, the reference itself when it is exactly one
    reference, and an unknown string built from its references otherwise. None (the split is unknown) when
    the separator is empty or could occur inside a reference's value (an ARN split on ":").
    """
    if not sep or any(c in _ID_CHARS for c in sep):
        return None
    elements: list[list] = [[]]
    for piece in pieces:
        if isinstance(piece, str):
            first, *rest = piece.split(sep)
            elements[-1].append(first)
            elements.extend([r] for r in rest)
        else:
            elements[-1].append(piece)
    out: list = []
    for element in elements:
        refs = [p for p in element if not isinstance(p, str)]
        text = [p for p in element if isinstance(p, str) and p]
        if not refs:
            out.append("".join(text))
        elif len(refs) == 1 and not text:
            out.append(refs[0])
        else:
            out.append(_unknown_from("Fn::Split", refs))
    return out


def _is_list_type(ptype: str) -> bool:
    """List<...>, CommaDelimitedList, and the SSM parameter types holding them (`AWS::SSM::Parameter::Value<
    List<String>>`, `...<CommaDelimitedList>`): CloudFormation parameter types whose value is a list."""
    inner = ptype[len("AWS::SSM::Parameter::Value<") : -1] if ptype.startswith("AWS::SSM::Parameter::Value<") else ptype
    return inner.startswith("List<") or inner == "CommaDelimitedList"


def prefix_for(own_ids: set[str] | frozenset[str], other_ids: frozenset[str], stack: str) -> str:
    """The prefix another template's ids take when they join this one: none when they can join as they are,
    else `<stack>/` (parsers/cfn/stacks.py)."""
    return f"{stack}/" if own_ids & other_ids else ""


def renamed(value: Any, prefix: str) -> Any:
    """A resolved value of the other template with its resource references named as they are after joining."""
    if not prefix:
        return value
    if isinstance(value, ResRef):
        return ResRef(prefix + value.id, value.attr)
    if isinstance(value, Derived):
        pieces = [renamed(p, prefix) for p in value.pieces] if value.pieces is not None else None
        return Derived(value.reason, tuple(renamed(r, prefix) for r in value.refs), pieces)
    if isinstance(value, list):
        return [renamed(v, prefix) for v in value]
    return value


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_shown(v) for v in value)
    if isinstance(value, ResRef):
        return value.id
    if isinstance(value, Derived) and value.pieces is not None:
        return "".join(_shown(p) for p in value.pieces)
    return str(value)


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _norm(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _is_unresolved(value: Any) -> bool:
    return isinstance(value, (Unknown, ResRef))


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _too_long(fn: str, size: int) -> Unknown:
    return Unknown(f"{fn} would build a string of {size:,} characters, more than the {MAX_STRING:,} vpcreach builds")


def _unknown_from(fn: str, parts: list) -> Unknown:
    refs = tuple(r for p in parts for r in _refs_in(p))
    for part in parts:
        if isinstance(part, Unknown) and not isinstance(part, Derived):
            if refs:
                return Derived(part.reason, refs)
            # A list of unknown length used in a computation gives one value (callers that give a list say so).
            return Unknown(part.reason) if isinstance(part, UnknownItems) else part
    if refs:
        names = ", ".join(sorted({r.id + (f".{r.attr}" if r.attr else "") for r in refs}))
        return Derived(f"{fn} uses {names}, known only after deploy", refs)
    return Unknown(f"{fn} could not be evaluated")


_HANDLERS = {
    "Ref": Resolver._ref,
    "Fn::GetAtt": Resolver._getatt,
    "Fn::Join": Resolver._join,
    "Fn::Sub": Resolver._sub,
    "Fn::Select": Resolver._select,
    "Fn::Split": Resolver._split,
    "Fn::If": Resolver._if,
    "Fn::FindInMap": Resolver._find_in_map,
    "Fn::GetAZs": Resolver._get_azs,
    "Fn::Cidr": Resolver._cidr,
    "Fn::ImportValue": Resolver._import_value,
    "Fn::Base64": Resolver._unknown_fn,
    "Fn::Transform": Resolver._unknown_fn,
    "Fn::ToJsonString": Resolver._unknown_fn,
    "Fn::Length": Resolver._unknown_fn,
}


def referenced_ids(value: Any, resource_ids: Container[str]) -> set[str]:
    """Resource ids a raw (unresolved) value points at through Ref, Fn::GetAtt or Fn::Sub."""
    out: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, arg in item.items():
                if key == "Ref" and isinstance(arg, str) and arg in resource_ids:
                    out.add(arg)
                elif key == "Fn::GetAtt":
                    name = (
                        arg.split(".", 1)[0]
                        if isinstance(arg, str)
                        else (arg[0] if isinstance(arg, list) and arg else None)
                    )
                    if isinstance(name, str) and name in resource_ids:
                        out.add(name)
                elif key == "Fn::Sub":
                    text = arg[0] if isinstance(arg, list) and arg else arg
                    if isinstance(text, str):
                        for var in _SUB_VAR.findall(text):
                            base = var.split(".", 1)[0].strip()
                            if base in resource_ids:
                                out.add(base)
                stack.append(arg)
        elif isinstance(item, list):
            stack.extend(item)
    return out
