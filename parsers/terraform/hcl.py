"""A Terraform root module, evaluated: variables, locals, modules, count/for_each → ResourceInstances.

Values are computed on demand and cached per module instance, so an expression is evaluated only when
something needs it and a reference cycle is reported instead of looping. Variable values follow
Terraform's precedence: declared defaults < terraform.tfvars < *.auto.tfvars (lexical order) <
--var-file (in order) < --var. Instances get Terraform's addresses (`aws_subnet.private[0]`,
`module.app["x"].aws_lambda_function.fn`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from vpcreach.graph import aws
from vpcreach.graph.aws import PSEUDO_REGION, SYMBOLIC_AZS
from vpcreach.graph.model import Loc, Suppression, Unknown

from ..errors import MAX_TERRAFORM_BYTES, InputError
from ..files import FileRefused, confine, shown
from ..json_input import load_json
from . import syntax
from .annotations import block_annotations
from .config import Attr, Block, ModuleConfig, load_module, parse_hcl, read_source
from .data_sources import data_attribute
from .expressions import (
    Budget,
    Ctx,
    EvalError,
    Lazy,
    LimitError,
    Scope,
    evaluate,
    evaluate_safely,
    iterate,
    plain,
    to_number,
    traversal_text,
)
from .filesystem import FileSystem
from .functions import call as call_function
from .instance import ResourceInstance, TfRef
from .types import convert, parse_type
from .values import Named, Pending, Single, first_unknown, is_unknown, unknown_from

MAX_INSTANCES = 10_000
MAX_MODULE_DEPTH = 32
_META_ATTRS = {"count", "for_each", "depends_on", "provider", "providers", "lifecycle"}
_META_BLOCKS = {"lifecycle", "provisioner", "connection", "precondition", "postcondition"}
_MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}


class ConstScope(Scope):
    """Variable defaults, tfvars values, module sources: literals only, as Terraform requires. Terraform
    evaluates them with no evaluation context ("nil because no function calls or variable references are
    allowed here", internal/command/meta_vars.go), so a name is "Variables not allowed" and a call
    "Function calls not allowed" - which also means nothing here can read a file."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def root(self, name: str, ctx: Ctx) -> Any:
        raise EvalError(f'Variables not allowed: "{name}" cannot be used here (only literal values are allowed)')

    def call(self, name: str, args: list[Any], ctx: Ctx) -> Any:
        raise EvalError(f"Function calls not allowed: {name}() cannot be called here (only literal values are allowed)")


@dataclass
class Expansion:
    kind: str  # single | count | for_each | unknown
    keys: list[Any] = field(default_factory=list)
    each: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def bindings(self, key: Any) -> dict[str, Any]:
        if self.kind == "count":
            return {"count": {"index": key}}
        if self.kind == "for_each":
            return {"each": {"key": key, "value": self.each[key]}}
        if self.kind == "unknown":
            why = Unknown(self.reason)
            return {"count": {"index": why}, "each": {"key": why, "value": why}}
        return {}

    def suffix(self, key: Any) -> str:
        if self.kind == "count":
            return f"[{key}]"
        if self.kind == "for_each":
            return f"[{json.dumps(key)}]"
        return ""


_MISSING = object()


@dataclass
class CliValue:
    """A `--var` value: a string, or an HCL literal when the variable's type is not a primitive."""

    text: str


class Tree:
    """State shared by every module instance of one root module."""

    def __init__(self, root_dir: str, root_values: dict[str, Any], budget: Budget, files: FileSystem) -> None:
        self.root_dir = root_dir
        self.root_values = root_values
        self.budget = budget
        self.files = files
        self.configs: dict[str, ModuleConfig] = {}
        self.source_bytes = 0  # of every module read so far, against MAX_TERRAFORM_BYTES
        self.modules_json = _modules_json(files)
        self.instances = 0
        self.notes: list[tuple[str, str]] = []
        # Module calls whose folder is not on disk (address → why, what to do), and their stand-ins.
        self.absent: dict[str, tuple[str, str]] = {}
        self.stand_ins: list[StandIn] = []
        self.region: str | None = None
        self.env: Any = None  # parsers.environment.Environment: the existing network, for data sources
        self.inputs: list[tuple[str, str, str]] = []  # what data sources read from it (Network.inputs)

    def config(self, directory: str) -> ModuleConfig:
        key = os.path.realpath(directory)
        if key not in self.configs:
            config = load_module(directory, MAX_TERRAFORM_BYTES - self.source_bytes, self.files.scan_root)
            self.source_bytes += config.size
            self.configs[key] = config
        return self.configs[key]

    def count(self, n: int, file: str, line: int | None, what: str) -> None:
        self.instances += n
        if self.instances > MAX_INSTANCES:
            raise LimitError(
                f"{what} brings the configuration past {MAX_INSTANCES} instances, more than vpcreach expands",
                file,
                line,
            )


def _modules_json(files: FileSystem) -> dict[str, str]:
    """`terraform init`'s record of downloaded modules: module key → folder as written (relative to the root
    module's folder). Read like any file the configuration names: inside the scan root, bounded."""
    try:
        data = json.loads(files.read(os.path.join(".terraform", "modules", "modules.json")))
    except (FileRefused, EvalError, ValueError, RecursionError):
        return {}
    out = {}
    for entry in data.get("Modules") or [] if isinstance(data, dict) else []:
        if isinstance(entry, dict) and isinstance(entry.get("Key"), str) and isinstance(entry.get("Dir"), str):
            out[entry["Key"]] = entry["Dir"]
    return out


class _Cache:
    """Values computed once per module instance, remembering the dependencies they were built from."""

    def __init__(self) -> None:
        self.values: dict[Any, tuple[Any, set[str], str | None]] = {}
        self.busy: set[Any] = set()

    def get(self, key: Any, ctx: Ctx, compute: Any, label: str) -> Any:
        if key not in self.values:
            if key in self.busy:
                raise EvalError(f"{label} refers to itself")
            self.busy.add(key)
            deps: set[str] = set()
            try:
                value, error = compute(deps), None
            except EvalError as exc:
                value, error = None, str(exc)
            finally:
                self.busy.discard(key)
            self.values[key] = (value, deps, error)
        value, deps, error = self.values[key]
        if ctx.deps is not None:
            ctx.deps.update(deps)
        if error is not None:
            raise EvalError(error)
        return value


class _Root(Lazy):
    def __init__(self, mi: ModuleInstance, kind: str, rtype: str = "") -> None:
        self.mi, self.kind, self.rtype = mi, kind, rtype

    def attr(self, name: str, ctx: Ctx) -> Any:
        mi = self.mi
        if self.kind == "var":
            return mi.var(name, ctx)
        if self.kind == "local":
            return mi.local(name, ctx)
        if self.kind == "module":
            return mi.module_value(name, ctx)
        if self.kind == "data":
            return _Root(mi, "data_type", name)
        if self.kind == "data_type":
            return mi.resource_value(f"data.{self.rtype}.{name}", ctx)
        return mi.resource_value(f"{self.rtype}.{name}", ctx)

    def describe(self) -> str:
        return self.rtype or self.kind


class Instance(Lazy):
    """One resource (or data source) instance: configured arguments are known, the rest after apply."""

    def __init__(self, mi: ModuleInstance, block: Block, key: str, address: str, bindings: dict[str, Any]) -> None:
        self.mi, self.block, self.key, self.address, self.bindings = mi, block, key, address, bindings

    @property
    def is_data(self) -> bool:
        return self.key.startswith("data.")

    def attr(self, name: str, ctx: Ctx) -> Any:
        if ctx.deps is not None:
            ctx.deps.add(self.address)
        if self.is_data:
            return self.mi.data_attr(self, name, ctx)
        return self.mi.instance_attr(self, name, ctx)

    def materialize(self, ctx: Ctx) -> Any:
        return Unknown(f"the whole object {self.address} is known only after apply")

    def describe(self) -> str:
        return self.address


class ModuleObject(Lazy):
    """`module.x`: its outputs, evaluated when read."""

    def __init__(self, child: ModuleInstance) -> None:
        self.child = child

    def attr(self, name: str, ctx: Ctx) -> Any:
        return self.child.output(name, ctx)

    def materialize(self, ctx: Ctx) -> Any:
        out = {}
        for name in self.child.config.outputs:
            try:
                out[name] = self.child.output(name, ctx)
            except EvalError as exc:
                out[name] = Unknown(f"output {name} of {self.child.label}: {exc}")
        return out

    def describe(self) -> str:
        return self.child.label


class ModuleInstance(Scope):
    def __init__(
        self,
        tree: Tree,
        config: ModuleConfig,
        prefix: str = "",
        key_path: str = "",
        parent: ModuleInstance | None = None,
        inputs: dict[str, tuple[Attr, dict[str, Any]]] | None = None,
        depth: int = 0,
        waits_for: frozenset[str] = frozenset(),
    ) -> None:
        self.tree = tree
        self.config = config
        self.prefix = prefix
        self.key_path = key_path
        self.parent = parent
        self.inputs = inputs or {}
        self.depth = depth
        # A module's depends_on makes everything in it wait for those addresses (and its parent's).
        self.waits_for = waits_for
        self.budget = tree.budget
        self.files = tree.files
        self.cache = _Cache()
        self.expansions: dict[str, Expansion] = {}
        self.objects: dict[str, Any] = {}
        self.children_of: dict[str, Any] = {}
        self._roots = {"var": _Root(self, "var"), "local": _Root(self, "local"), "module": _Root(self, "module")}
        self._roots["data"] = _Root(self, "data")

    @property
    def label(self) -> str:
        return self.prefix[:-1] if self.prefix else "the root module"

    # --- names ----------------------------------------------------------------------------------------
    def call(self, name: str, args: list[Any], ctx: Ctx) -> Any:
        return call_function(name, args, ctx)

    def root(self, name: str, ctx: Ctx) -> Any:
        if name in self._roots:
            return self._roots[name]
        if name == "path":
            # As Terraform gives them: module and root relative to the working directory (the root module's
            # folder), cwd absolute - virtual, so that no runner path reaches a report (filesystem.py).
            files = self.tree.files
            return {
                "module": files.relative(self.config.dir),
                "root": files.relative(self.tree.root_dir),
                "cwd": files.cwd(),
            }
        if name == "terraform":
            return {"workspace": "default"}
        if name == "self":
            return Unknown("self is known only after apply")
        if name in ("count", "each"):
            raise EvalError(f'"{name}" is used in a block that has no {name if name == "count" else "for_each"}')
        if name in self.config.resource_types:
            return _Root(self, "resource", name)
        raise EvalError(f'"{name}" is not declared in {self.label}')

    def var(self, name: str, ctx: Ctx) -> Any:
        decl = self.config.variables.get(name)
        if decl is None:
            raise EvalError(f'variable "{name}" is not declared in {self.label}')
        return self.cache.get(("var", name), ctx, lambda deps: self._var_value(name, decl, deps), f"var.{name}")

    def _var_value(self, name: str, decl: Block, deps: set[str]) -> Any:
        vtype = parse_type(decl.attrs["type"].expr) if "type" in decl.attrs else None
        const = Ctx(ConstScope(self.budget))
        value: Any = _MISSING
        if self.parent is None:
            value = self.tree.root_values.get(name, _MISSING)
            if isinstance(value, CliValue):
                value = _cli_value(value.text, vtype, const)
        elif name in self.inputs:
            attr, bindings = self.inputs[name]
            value = _guard(
                attr,
                lambda: evaluate_safely(attr.expr, Ctx(self.parent, bindings, deps), f"input {name} of {self.label}"),
            )
        nullable = _const_bool(decl.attrs.get("nullable"), const, True)
        if value is _MISSING or (value is None and nullable is False):
            if "default" in decl.attrs:
                value = _guard(
                    decl.attrs["default"],
                    lambda: evaluate_safely(decl.attrs["default"].expr, const, f"the default of var.{name}"),
                )
            else:
                reason = (
                    f"variable {name} has no value (pass --var {name}=VALUE or a --var-file)"
                    if self.parent is None
                    else f"input {name} of {self.label} is not set"
                )
                # A variable typed string/number/bool is one value; any other may be a list (decision 13).
                return Single(reason) if vtype in (("string",), ("number",), ("bool",)) else Unknown(reason)
        if vtype is None:
            return value
        return convert(value, vtype, f"var.{name}", const)

    def local(self, name: str, ctx: Ctx) -> Any:
        attr = self.config.locals.get(name)
        if attr is None:
            raise EvalError(f'local value "{name}" is not declared in {self.label}')
        return self.cache.get(
            ("local", name),
            ctx,
            lambda deps: _guard(attr, lambda: evaluate(attr.expr, Ctx(self, None, deps))),
            f"local.{name}",
        )

    def output(self, name: str, ctx: Ctx) -> Any:
        block = self.config.outputs.get(name)
        if block is None or "value" not in block.attrs:
            raise EvalError(f'{self.label} has no output "{name}"')
        attr = block.attrs["value"]
        return self.cache.get(
            ("output", name),
            ctx,
            lambda deps: _guard(attr, lambda: evaluate(attr.expr, Ctx(self, None, deps))),
            f"output {name}",
        )

    # --- resources ------------------------------------------------------------------------------------
    def _block(self, key: str) -> Block | None:
        if key.startswith("data."):
            return self.config.data.get(key[5:])
        return self.config.resources.get(key)

    def expansion(self, key: str, block: Block, what: str) -> Expansion:
        if key in self.expansions:
            return self.expansions[key]
        exp = self._expand(block, what)
        self.expansions[key] = exp
        return exp

    def _expand(self, block: Block, what: str) -> Expansion:
        ctx = Ctx(self)
        if "count" in block.attrs:
            attr = block.attrs["count"]
            value = _guard(attr, lambda: evaluate_safely(attr.expr, ctx, f"count of {what}"))
            try:
                n = to_number(value, f"count of {what}")
            except EvalError as exc:
                return Expansion("unknown", reason=str(exc))
            if is_unknown(n):
                return Expansion("unknown", reason=f"its count is unknown: {_reason(n)}")
            if n is None or n < 0 or not float(n).is_integer():
                return Expansion("unknown", reason=f"its count {n!r} is not a whole number")
            if n > MAX_INSTANCES:
                raise LimitError(
                    f"count = {int(n)} on {what} asks for more instances than vpcreach expands ({MAX_INSTANCES})",
                    attr.file,
                    attr.line,
                )
            return Expansion("count", list(range(int(n))))
        if "for_each" in block.attrs:
            attr = block.attrs["for_each"]
            value = _guard(attr, lambda: evaluate_safely(attr.expr, ctx, f"for_each of {what}"))
            if isinstance(value, Lazy):
                value = value.materialize(ctx)
            if isinstance(value, dict):
                each = dict(value)
            elif isinstance(value, list):
                unknown = first_unknown(value)
                if unknown is not None:
                    return Expansion("unknown", reason=f"its for_each keys are unknown: {_reason(unknown)}")
                if any(not isinstance(v, str) for v in value):
                    return Expansion("unknown", reason="its for_each set holds values that are not strings")
                each = {str(v): v for v in value}
            elif is_unknown(value):
                return Expansion("unknown", reason=f"its for_each is unknown: {_reason(value)}")
            else:
                return Expansion("unknown", reason=f"its for_each is a {type(value).__name__}, not a map or set")
            if len(each) > MAX_INSTANCES:
                raise LimitError(
                    f"for_each on {what} has {len(each)} elements, more instances than vpcreach expands ({MAX_INSTANCES})",
                    attr.file,
                    attr.line,
                )
            return Expansion("for_each", sorted(each), each)
        return Expansion("single", [None])

    def resource_value(self, key: str, ctx: Ctx) -> Any:
        block = self._block(key)
        if block is None:
            kind = "data source" if key.startswith("data.") else "resource"
            raise EvalError(f"{kind} {key} is not declared in {self.label}")
        address = self.prefix + key
        if ctx.deps is not None:
            ctx.deps.add(address)
        exp = self.expansion(key, block, address)
        if exp.kind == "unknown":
            return Unknown(f"the instances of {address} are unknown: {exp.reason}")
        objs = [self.instance(key, block, exp, k) for k in exp.keys]
        if exp.kind == "single":
            return objs[0]
        if exp.kind == "count":
            return objs
        return dict(zip(exp.keys, objs))

    def instance(self, key: str, block: Block, exp: Expansion, index: Any) -> Instance:
        address = self.prefix + key + exp.suffix(index)
        if address not in self.objects:
            self.objects[address] = Instance(self, block, key, address, exp.bindings(index))
        return self.objects[address]

    def instance_attr(self, obj: Instance, name: str, ctx: Ctx) -> Any:
        block = obj.block
        nested = [b for b in block.blocks if b.type == name or (b.type == "dynamic" and b.labels[:1] == [name])]
        if name == "id" or name in _META_ATTRS or (name not in block.attrs and not nested):
            return TfRef(obj.address, name)

        def compute(deps: set[str]) -> Any:
            inner = Ctx(self, obj.bindings, deps)
            if name in block.attrs:
                attr = block.attrs[name]
                value = _guard(attr, lambda: evaluate_safely(attr.expr, inner, f"{obj.address}.{name}"))
            else:
                value = self.body(block, inner, obj.address, only=name).get(name, [])
            if isinstance(value, str):
                return Named(str(value), TfRef(obj.address, name))
            if value is None or isinstance(value, Unknown):
                # An argument set to null is an omitted one ("Terraform behaves as though you had completely
                # omitted it", Terraform's type docs): a computed attribute (a role's `name`, assigned by
                # the provider when `name = var.x == "" ? null : var.x`) is known only after apply, like the
                # omitted attributes above, and the reference still identifies the resource (issue 14 item 3).
                # An Unknown value likewise: unknown either way, but as this resource's attribute it still
                # identifies the resource.
                return TfRef(obj.address, name)
            if isinstance(value, TfRef):
                return TfRef(obj.address, name, via=value)
            return value

        return self.cache.get(("attr", obj.address, name), ctx, compute, f"{obj.address}.{name}")

    def data_attr(self, obj: Instance, name: str, ctx: Ctx) -> Any:
        def compute(deps: Any) -> Any:
            inner = Ctx(self, obj.bindings, deps)
            body = lambda: self.body(obj.block, inner, obj.address)  # noqa: E731 - read only for a policy document
            tree = self.tree
            return data_attribute(obj.block, obj.address, name, inner, tree.region, body, tree.env, tree.inputs)

        return self.cache.get(("data", obj.address, name), ctx, compute, f"{obj.address}.{name}")

    # --- blocks ---------------------------------------------------------------------------------------
    def body(self, block: Block, ctx: Ctx, where: str, only: str | None = None, lines: dict | None = None) -> dict:
        """A block's arguments and nested blocks as values, in the provider's shape (blocks → lists)."""
        values: dict[str, Any] = {}
        for name, attr in block.attrs.items():
            if name in _META_ATTRS or (only is not None and name != only):
                continue
            what = f"{where}.{name}"
            values[name] = _guard(
                attr, lambda attr=attr, what=what: finalize(evaluate_safely(attr.expr, ctx, what), ctx, what)
            )
        for nested in block.blocks:
            if nested.type in _META_BLOCKS:
                continue
            if nested.type == "dynamic":
                label = nested.labels[0] if nested.labels else ""
                if only is not None and label != only:
                    continue
                self._dynamic(nested, label, ctx, f"{where}.{label}", values, lines)
                continue
            if only is not None and nested.type != only:
                continue
            current = values.setdefault(nested.type, [])
            if isinstance(current, list):
                current.append(self.body(nested, ctx, f"{where}.{nested.type}"))
                if lines is not None:
                    lines.setdefault(nested.type, []).append(nested.line)
        return values

    def _dynamic(self, block: Block, label: str, ctx: Ctx, where: str, values: dict, lines: dict | None) -> None:
        attr = block.attrs.get("for_each")
        contents = block.blocks_of("content")
        if attr is None or not contents:
            values[label] = Unknown(f'dynamic "{label}" has no for_each or no content')
            return
        iterator = label
        if "iterator" in block.attrs:
            iterator = traversal_text(block.attrs["iterator"].expr) or label
        collection = _guard(attr, lambda: evaluate_safely(attr.expr, ctx, f'for_each of dynamic "{label}"'))
        try:
            items = iterate(collection, ctx)
        except EvalError as exc:
            items = Unknown(f'dynamic "{label}" blocks could not be expanded: {exc}')
        if is_unknown(items):
            values[label] = unknown_from(f'dynamic "{label}" blocks', [items])
            return
        current = values.setdefault(label, [])
        if not isinstance(current, list):
            return
        for key, value in items:
            inner = ctx.child(**{iterator: {"key": key, "value": value}})
            current.append(self.body(contents[0], inner, where))
            if lines is not None:
                lines.setdefault(label, []).append(block.line)

    # --- modules --------------------------------------------------------------------------------------
    def module_value(self, name: str, ctx: Ctx) -> Any:
        call = self.config.modules.get(name)
        if call is None:
            raise EvalError(f'module "{name}" is not declared in {self.label}')
        children = self.children(name)
        if isinstance(children, Unknown):
            return children
        exp = self.expansions[f"module.{name}"]
        if exp.kind == "unknown":
            return Unknown(f"the instances of {self.prefix}module.{name} are unknown: {exp.reason}")
        objs = [ModuleObject(child) for _, child in children]
        if exp.kind == "single":
            return objs[0]
        if exp.kind == "count":
            return objs
        return dict(zip(exp.keys, objs))

    def children(self, name: str) -> list[tuple[Any, ModuleInstance]] | Unknown:
        if name in self.children_of:
            return self.children_of[name]
        call = self.config.modules[name]
        self.children_of[name] = Unknown(f"module {self.prefix}module.{name} refers to itself")
        result = self._children(name, call)
        self.children_of[name] = result
        return result

    def _children(self, name: str, call: Block) -> list[tuple[Any, ModuleInstance]] | Unknown:
        address = f"{self.prefix}module.{name}"
        key_path = f"{self.key_path}.{name}" if self.key_path else name
        directory = self._source_dir(name, call, key_path, address)
        exp = self.expansion(f"module.{name}", call, address)
        if isinstance(directory, Unknown):
            return directory
        if self.depth >= MAX_MODULE_DEPTH or os.path.realpath(directory) in self._ancestor_dirs():
            shown_dir = shown(os.path.abspath(directory), self.tree.files.scan_root)
            raise LimitError(f"module {address} calls {shown_dir}, which leads back to itself", call.file, call.line)
        config = self.tree.config(directory)
        keys = exp.keys if exp.kind != "unknown" else [None]
        if exp.kind == "unknown":
            self.tree.notes.append((address, f"analysed as one instance: {exp.reason}"))
        self.tree.count(len(keys), call.file, call.line, f"module {address}")
        inputs = {n: a for n, a in call.attrs.items() if n not in _MODULE_META}
        waits_for = self.waits_for | self._depends_on(call)
        out = []
        for key in keys:
            bindings = exp.bindings(key)
            prefix = f"{address}{exp.suffix(key)}."
            child = ModuleInstance(
                self.tree,
                config,
                prefix,
                key_path,
                self,
                {n: (a, bindings) for n, a in inputs.items()},
                self.depth + 1,
                waits_for,
            )
            out.append((key, child))
        return out

    def _ancestor_dirs(self) -> set[str]:
        out = set()
        node: ModuleInstance | None = self
        while node is not None:
            out.add(os.path.realpath(node.config.dir))
            node = node.parent
        return out

    def _source_dir(self, name: str, call: Block, key_path: str, address: str) -> str | Unknown:
        attr = call.attrs.get("source")
        source = evaluate_safely(attr.expr, Ctx(ConstScope(self.budget)), "module source") if attr else None
        if not isinstance(source, str):
            return Unknown(f"module {address} has no literal source")
        if source in (".", "..") or source.startswith(("./", "../", ".\\", "..\\")):
            directory = os.path.normpath(os.path.join(self.config.dir, source))
            outside = self._outside(directory, f"module {address} comes from {source}")
            if outside is not None:
                return outside
            if os.path.isdir(directory) and _has_tf_files(directory):
                return directory
            # A git submodule that was not checked out is an empty folder: as absent as a missing one.
            why = "which holds no .tf files" if os.path.isdir(directory) else "which is not a directory"
            self.tree.absent[address] = (f"it comes from {source}, {why}", "check the module's folder out")
            return Unknown(f"module {address} comes from {source}, {why}")
        downloaded = self.tree.modules_json.get(key_path)
        why = "which is not downloaded"
        if downloaded:
            directory = os.path.normpath(os.path.join(self.tree.root_dir, downloaded))
            outside = self._outside(directory, f"module {address} ({source}) was downloaded to {downloaded}")
            if outside is not None:
                return outside
            if os.path.isdir(directory):
                if _has_tf_files(directory):
                    return directory
                why = f"whose folder {downloaded} holds no .tf files"
        self.tree.absent[address] = (f"it comes from {source}, {why}", "run `terraform init`")
        advice = "which is not on disk: run `terraform init` to download it, or scan a plan with `vpcreach plan`"
        return Pending(
            address,
            f"{{path}} is an output of module {address} ({source}), {advice}",
            f"module {address} comes from {source}, {advice}",
        )

    def _outside(self, directory: str, what: str) -> Unknown | None:
        """An Unknown when a module folder lies outside the scan root (its resources are not read), else None."""
        try:
            confine(directory, self.tree.files.scan_root)
        except FileRefused:
            return Unknown(f"{what}, outside the scan root; vpcreach does not read it")
        return None

    def _depends_on(self, block: Block) -> frozenset[str]:
        """Addresses named in a block's depends_on, with this module's prefix."""
        attr = block.attrs.get("depends_on")
        if attr is None:
            return frozenset()
        texts = (traversal_text(item) for item in (attr.expr.items if isinstance(attr.expr, syntax.Tuple) else []))
        return frozenset(self.prefix + text for text in texts if text)

    # --- emission -------------------------------------------------------------------------------------
    def emit(self, out: list[ResourceInstance]) -> None:
        for key, block in self.config.resources.items():
            address = self.prefix + key
            exp = self.expansion(key, block, address)
            keys = exp.keys if exp.kind != "unknown" else [None]
            if exp.kind == "unknown":
                self.tree.notes.append((address, f"analysed as one instance: {exp.reason}"))
            self.tree.count(len(keys), block.file, block.line, address)
            for index in keys:
                out.append(self._build(key, block, exp, index))
        for name, call in self.config.modules.items():
            children = self.children(name)
            if isinstance(children, Unknown):
                address = f"{self.prefix}module.{name}"
                self.tree.notes.append((address, children.reason))
                if address in self.tree.absent:
                    self._stand_in(name, call, address, self.tree.absent[address])
                continue
            for _, child in children:
                child.emit(out)

    def _stand_in(self, name: str, call: Block, address: str, absent: tuple[str, str]) -> None:
        """A module not on disk that is handed subnets, security groups or a VPC may define VPC functions:
        a stand-in for them, reported VR001 on the call, instead of a silent all-clear (issue 14 item 5)."""
        exp = self.expansion(f"module.{name}", call, address)
        if exp.kind != "unknown" and not exp.keys:
            return  # count = 0 / an empty for_each: the module is not used
        passed = [
            arg
            for arg, attr in call.attrs.items()
            if arg not in _MODULE_META and aws.is_network_argument(arg) and not self._empty(attr, f"{address}.{arg}")
        ]
        if not passed:
            return
        notes = block_annotations(self.config.lines.get(call.file, []), call.line)
        self.tree.stand_ins.append(
            StandIn(
                address,
                Loc(call.file, call.line),
                f"a module not on disk ({absent[0]}): its functions' networks cannot be checked, though it is "
                f"passed {', '.join(passed)}; {absent[1]}, or scan a plan with `vpcreach plan`",
                notes.ignores,
            )
        )

    def _empty(self, attr: Attr, what: str) -> bool:
        """Whether a module argument is null or empty (`vpc_subnet_ids = null`: no VPC); unknown is not."""
        value = _guard(attr, lambda: evaluate_safely(attr.expr, Ctx(self), what))
        return value is None or (isinstance(value, (list, dict, str)) and not value)

    def _build(self, key: str, block: Block, exp: Expansion, index: Any) -> ResourceInstance:
        address = self.prefix + key + exp.suffix(index)
        deps: set[str] = set()
        ctx = Ctx(self, exp.bindings(index), deps)
        lines: dict[str, list[int]] = {}
        values = self.body(block, ctx, address, lines=lines)
        configured = {n for n in block.attrs if n not in _META_ATTRS}
        configured |= {b.labels[0] if b.type == "dynamic" and b.labels else b.type for b in block.blocks}
        explicit = set(self.waits_for) | self._depends_on(block)
        resource = self.prefix + key
        notes = block_annotations(self.config.lines.get(block.file, []), block.line)
        return ResourceInstance(
            address=address,
            type=block.labels[0],
            values=values,
            loc=Loc(block.file, block.line),
            depends_on=(deps | explicit) - {address, resource},
            configured=configured,
            declared_needs=notes.needs,
            ignores=notes.ignores,
            traffic_gb=notes.traffic_gb,
            block_lines={k: [n for n in v if n is not None] for k, v in lines.items()},
        )


def _has_tf_files(directory: str) -> bool:
    try:
        return any(
            syntax.is_terraform_file(n) and os.path.isfile(os.path.join(directory, n)) for n in os.listdir(directory)
        )
    except OSError:
        return False


def _guard(attr: Attr, compute: Any) -> Any:
    """Run `compute`, pinning a limit error that has no location to this attribute."""
    try:
        return compute()
    except LimitError as exc:
        if exc.file is None:
            exc.file, exc.line = attr.file, attr.line
        raise


def _reason(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, TfRef):
        return f"{value.address}.{value.attr} is known only after apply"
    return "unknown"


def finalize(value: Any, ctx: Ctx, what: str = "an attribute") -> Any:
    """A value as it is handed to the AWS mapping: module objects become their outputs. Its walk as a tree
    is charged here, so whatever reads it later (mapping, reports) reads a bounded value."""
    if isinstance(value, (Lazy, list, dict)):
        try:
            return plain(value, ctx, what)
        except EvalError as exc:
            return Unknown(str(exc))
    return value


def _const_bool(attr: Attr | None, ctx: Ctx, default: bool) -> Any:
    if attr is None:
        return default
    value = evaluate_safely(attr.expr, ctx, "nullable")
    return value if isinstance(value, bool) else default


def _cli_value(text: str, vtype: Any, const: Ctx) -> Any:
    if vtype is None or vtype[0] in ("string", "number", "bool", "any"):
        return text
    try:
        items = parse_hcl(f"v = {text}\n", "--var")
        first = items[0]
        if len(items) != 1 or not isinstance(first, syntax.Attribute):
            raise EvalError("not one value")
        return evaluate(first.expr, const)
    except (InputError, EvalError, IndexError, AttributeError):
        return Unknown(f"--var value {text!r} is not a valid HCL value for its type")


# --- variable values -------------------------------------------------------------------------------------
def read_tfvars(path: str, budget: Budget, scan_root: str | None = None) -> dict[str, Any]:
    """One tfvars file (HCL or .json): literal values by variable name.

    Terraform allows only literal values here and rejects a reference or a function call ("Variables not
    allowed", "Function calls not allowed"), so they are an error naming the file and line, as `terraform
    plan` would make them: in particular `file()` cannot read anything from a tfvars file. A JSON var file
    holds literal strings (Terraform does not read `${...}` in them), so it is taken as it stands. Files
    found next to the configuration are read only inside `scan_root`; a `--var-file` is the user's own."""
    text = read_source(path, scan_root=scan_root)
    if path.endswith(".json"):
        data = load_json(text, path)  # strict: duplicate keys, NaN, lone surrogates, deep nesting refused
        if not isinstance(data, dict):
            raise InputError(path, "a JSON var file must hold an object")
        return data
    from .config import body_of

    attrs, _ = body_of(parse_hcl(text, path), path)
    const = Ctx(ConstScope(budget))
    values = {}
    for name, a in attrs.items():
        try:
            values[name] = _guard(a, lambda a=a: evaluate(a.expr, const))
        except EvalError as exc:
            raise InputError(path, f"{name}: {exc}", a.line) from None
        except RecursionError:
            raise InputError(path, f"{name}: the value is nested too deeply to read", a.line) from None
    return values


def root_values(
    directory: str, variables: dict[str, str], var_files: list[str], budget: Budget, scan_root: str | None = None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    auto = [n for n in sorted(os.listdir(directory)) if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    files = [os.path.join(directory, n) for n in ("terraform.tfvars", "terraform.tfvars.json")]
    files = [f for f in files if os.path.isfile(f)] + [os.path.join(directory, n) for n in auto]
    for path in files:
        values.update(read_tfvars(path, budget, scan_root))
    for path in var_files:
        if not os.path.isfile(path):
            raise InputError(path, "var file not found")
        values.update(read_tfvars(path, budget))
    for name, text in variables.items():
        values[name] = CliValue(str(text))
    return values


@dataclass
class StandIn:
    """A module call not on disk that may hold VPC functions: reported unresolved (VR001) at the call."""

    address: str
    loc: Loc
    reason: str
    ignores: list[Suppression] = field(default_factory=list)


@dataclass
class Result:
    instances: list[ResourceInstance]
    notes: list[tuple[str, str]]
    region: str | None
    module_dirs: list[str]  # every module directory read besides the root's (real paths)
    stand_ins: list[StandIn] = field(default_factory=list)
    inputs: list[tuple[str, str, str]] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)  # every .tf file read, by path (for annotations)


def load_instances(
    directory: str, variables: dict[str, str], var_files: list[str], scan_root: str | None = None, env: Any = None
) -> Result:
    """Evaluate the root module in `directory` and every module it calls into resource instances.

    Files the configuration names are read only inside `scan_root` (default: `directory`)."""
    scan_root = os.path.realpath(scan_root or directory)
    budget = Budget()
    values = root_values(directory, variables, var_files, budget, scan_root)
    tree = Tree(directory, values, budget, FileSystem(directory, scan_root))
    tree.env = env
    root = ModuleInstance(tree, tree.config(directory))
    tree.region = _provider_region(root)
    instances: list[ResourceInstance] = []
    root.emit(instances)
    root_key = os.path.realpath(directory)
    modules = [d for d in tree.configs if d != root_key]
    lines = {path: text for config in tree.configs.values() for path, text in config.lines.items()}
    return Result(instances, tree.notes, tree.region, modules, tree.stand_ins, list(dict.fromkeys(tree.inputs)), lines)


def _provider_region(root: ModuleInstance) -> str | None:
    for block in root.config.providers:
        if block.labels[:1] == ["aws"] and "alias" not in block.attrs and "region" in block.attrs:
            value = evaluate_safely(block.attrs["region"].expr, Ctx(root), "the provider region")
            return str(value) if isinstance(value, str) else None
    return None


__all__ = ["MAX_INSTANCES", "PSEUDO_REGION", "SYMBOLIC_AZS", "load_instances"]
