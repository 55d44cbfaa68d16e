"""Terraform plan JSON (`terraform show -json plan.out`) and state JSON → `Network` (APIS.md §7).

The planned network comes from `planned_values` (root and nested `child_modules`), the change actions
from `resource_changes`, and the network before the change from `prior_state` (or, when a plan has none,
the `before` side of each change) into `Network.previous`. Values known only after apply are omitted
from `planned_values`; `after_unknown` says where they were, and `configuration` says what they refer to:
an unknown id that an expression takes from another resource becomes a `TfRef` to that instance, so the
graph is linked even where ids do not exist yet. Everything else unknown becomes an `Unknown` with the
reason. AWS-provider semantics are not here: `aws.map_resources` maps the instances, as it does for HCL.

Reference strings are matched by string equality only, as the JSON format documentation asks. A splat
(`aws_subnet.private[*].id`) shows up as the bare resource address, which Terraform also emits as the
implied parent of every `aws_subnet.private[0]...` reference; a bare address counts as a splat only when
it occurs more often than those implied parents explain (then it means every instance). Locals are not
in plan JSON at all, so a value computed through a `local.*` stays Unknown with that reason.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from vpcreach.graph import model as m
from vpcreach.graph.model import Loc, Unknown

from ..errors import InputError
from ..files import read_input
from ..json_input import load_json
from .aws import map_resources, resource_address
from .instance import ResourceInstance, TfRef
from .values import Derived

SUPPORTED_MAJORS = (0, 1)
MAX_REFERENCE_DEPTH = 20  # module nesting followed in configuration and values (child_modules)
# Module variables and outputs followed through one another (each is resolved once per module instance and
# remembered, so this bounds only the recursion, not the work): far beyond any real configuration.
MAX_REFERENCE_CHAIN = 100
# Reference resolution steps for one plan: every reference string examined and every (instance, attribute)
# placed in a result. A real plan spends about 9 per resource instance (bench/tfplan.py: 173k for 20k
# instances, a 44 MB plan; 20 MiB hold about 10k). A plan whose 10k functions each refer to all of 10k
# subnets (`subnet_ids = aws_subnet.s[*].id`, a 7 MB file) would spend 10^8, and every function-subnet pair
# becomes graph edges and ENI groups later (~20 µs each). Past the budget, values still to be linked become
# Unknown with the reason (VR001), never a guess; the worst case stays near 5 s.
MAX_RESOLUTION_STEPS = 500_000

_ACTIONS = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("no-op",): "no-op",
    ("read",): "read",
    ("forget",): "forget",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
}
_MODULE_SEGMENT = re.compile(r'module\.([A-Za-z0-9_-]+)((?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)\.')
_RESOURCE_REF = re.compile(
    r"^(?P<base>(?:data\.)?[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*)"
    r'(?P<idx>\[(?:\d+|"(?:[^"\\]|\\.)*")\])?'
    r"(?:\.(?P<attr>[A-Za-z_][A-Za-z0-9_-]*))?"
)
_ADDRESS = re.compile(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_NOT_RESOURCES = ("count", "each", "path", "self", "terraform", "var", "local", "module")


# --- entry point ---------------------------------------------------------------------------------------
def parse_plan(path: str, tf_dir: str | None = None, root: str | None = None, sources: bool = False) -> m.Network:
    """Read `terraform show -json` output of a plan (or of a state) into the planned network.

    With `sources`, a plan written on one line as Terraform writes it (no line says anything), or any plan
    when `tf_dir` is given, has its objects pointed at their blocks in the Terraform configuration (`tf_dir`,
    else found beside the plan); a pretty-printed plan keeps the lines of its own addresses."""
    doc, text = _load(path)
    try:
        net = _parse_plan(path, doc, text)
    except (TypeError, AttributeError, KeyError, IndexError) as exc:
        # Terraform writes these files; one whose members have the wrong JSON types was edited or is
        # another tool's output. Name it and stop rather than guess at what it meant.
        raise InputError(
            path, f"not Terraform plan JSON as `terraform show -json` writes it ({type(exc).__name__}: {exc})"
        ) from None
    if sources and (tf_dir is not None or "\n" not in text.rstrip("\n")):
        from .plan_sources import point_at_sources

        point_at_sources(net, path, tf_dir, root)
    return net


def _parse_plan(path: str, doc: dict, text: str) -> m.Network:
    version = doc.get("format_version")
    _check_version(path, version)
    lines = _AddressLines(text)
    config = _Config(doc.get("configuration"))
    net = m.Network(sources=[path])
    net.region = config.region()

    if "planned_values" in doc or "resource_changes" in doc:
        reader = _PlanReader(path, doc, config, lines)
        after = reader.after_instances()
        net.actions = reader.actions
        net.types = reader.types
        # Without prior state or any `before` (a first apply) the network before the change is empty.
        before = reader.before_instances() or []
        _link_aliases(after)
        _link_aliases(before)
        previous = m.Network(sources=[path], region=net.region)
        map_resources(before, previous)
        net.previous = previous
        net.before_ids = _ids(before)
    elif isinstance(doc.get("values"), dict):
        # A state: no change, so no `previous` network and no actions.
        after = _StateReader(path, config, lines).instances(doc["values"].get("root_module"))
        _link_aliases(after)
    elif set(doc) <= {"format_version", "terraform_version"}:
        after = []  # `terraform show -json` of an empty state
    else:
        raise InputError(
            path,
            "not Terraform plan or state JSON: no planned_values, resource_changes or values (run `terraform show -json`)",
        )
    map_resources(after, net)
    return net


def _load(path: str) -> tuple[dict, str]:
    raw = read_input(path)
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(
            path, "this is a binary plan file; convert it first: terraform show -json PLANFILE > plan.json"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    doc = load_json(text, path)  # strict: duplicate keys, NaN, lone surrogates, deep nesting refused
    if not isinstance(doc, dict):
        raise InputError(path, f"not Terraform plan JSON: the top level is a JSON {type(doc).__name__}, not an object")
    return doc, text


def _check_version(path: str, version: Any) -> None:
    """Minor versions only add fields (APIS.md §7); a new major may change meanings, so refuse it."""
    if version is None:
        return  # hand-made or very old files (checkov's fixtures) carry none; read them as 0.x/1.x
    match = re.match(r"^\s*(\d+)(?:\.\d+)*\s*$", str(version))
    if not match:
        raise InputError(path, f"format_version {version!r} is not a version number")
    major = int(match.group(1))
    if major not in SUPPORTED_MAJORS:
        raise InputError(
            path,
            f"Terraform JSON format_version {version} is not supported (vpcreach reads 0.x and 1.x); "
            "a new major version may change what fields mean, so upgrade vpcreach",
        )


# VPC attributes naming objects every VPC has (its default security group, network ACL, main route table):
# `aws.map_resources` maps a TfRef to them onto those objects, but a literal id of one matches nothing.
_ALIAS_ATTRS = ("default_security_group_id", "default_network_acl_id", "default_route_table_id", "main_route_table_id")


def _link_aliases(instances: list[ResourceInstance]) -> None:
    """Known ids of a VPC's default objects → TfRefs, as they are while the VPC is still being created.

    Without this, `route_table_id = aws_vpc.main.main_route_table_id` would link in a plan that creates the
    VPC and not in the next plan, where the id is a known literal.
    """
    aliases: dict[str, tuple[str, TfRef]] = {}
    for inst in instances:
        for attr in _ALIAS_ATTRS:
            value = inst.values.get(attr)
            if isinstance(value, str) and value:
                aliases.setdefault(value, (inst.address, TfRef(inst.address, attr)))
    if not aliases:
        return

    def swap(value: Any, owner: str, depth: int) -> Any:
        if isinstance(value, str):
            hit = aliases.get(value)
            return hit[1] if hit is not None and hit[0] != owner else value
        if depth > 64:
            return value
        if isinstance(value, list):
            return [swap(v, owner, depth + 1) for v in value]
        if isinstance(value, dict):
            return {k: swap(v, owner, depth + 1) for k, v in value.items()}
        return value

    for inst in instances:
        for key, value in list(inst.values.items()):
            if key not in ("id", "arn"):  # an aws_default_* resource's own id stays its own
                inst.values[key] = swap(value, inst.address, 0)


def _ids(instances: list[ResourceInstance]) -> dict[str, str]:
    out: dict[str, str] = {}
    for inst in instances:
        for attr in ("id", "arn"):
            value = inst.values.get(attr)
            if isinstance(value, str) and value:
                out.setdefault(value, inst.address)
    return out


# --- addresses, lines, configuration -----------------------------------------------------------------
class _AddressLines:
    """Line of each resource address in the file, preferring its entry under resource_changes."""

    def __init__(self, text: str) -> None:
        self.newlines = [nl.start() for nl in re.finditer("\n", text)] if "\n" in text.rstrip("\n") else []
        changes_at = text.find('"resource_changes"')
        self.first: dict[str, int] = {}
        self.in_changes: dict[str, int] = {}
        for match in _ADDRESS.finditer(text):
            try:
                address = json.loads(f'"{match.group(1)}"')
            except ValueError:
                continue
            pos = match.start()
            self.first.setdefault(address, pos)
            if changes_at >= 0 and pos > changes_at:
                self.in_changes.setdefault(address, pos)

    def line(self, address: str) -> int | None:
        if not self.newlines:
            return None  # one-line JSON (raw `terraform show -json`): a line number would say nothing
        pos = self.in_changes.get(address, self.first.get(address))
        return None if pos is None else bisect.bisect_left(self.newlines, pos) + 1


def split_address(address: str) -> tuple[str, str]:
    """`module.a["x"].module.b.aws_s.n[0]` → (`module.a["x"].module.b.`, `aws_s.n[0]`)."""
    pos = 0
    while True:
        match = _MODULE_SEGMENT.match(address, pos)
        if not match:
            break
        pos = match.end()
    return address[:pos], address[pos:]


def config_path(module_prefix: str) -> str:
    """`module.a["x"].module.b[0].` → `module.a.module.b.` (the configuration has no instance keys)."""
    return "".join(f"module.{name}." for name, _key in _MODULE_SEGMENT.findall(module_prefix))


class _Config:
    """`configuration.root_module` flattened: config module path → module block, with parent links."""

    def __init__(self, configuration: Any) -> None:
        self.raw = configuration if isinstance(configuration, dict) else {}
        self.modules: dict[str, dict] = {}
        self.parents: dict[str, tuple[str, str]] = {}  # child path → (parent path, call name)
        self._resources: dict[str, dict[str, dict]] = {}  # config module path → resource address → block
        root = self.raw.get("root_module")
        self.present = isinstance(root, dict)
        self._add("", root if isinstance(root, dict) else {}, 0)

    def _add(self, path: str, module: dict, depth: int) -> None:
        if depth > MAX_REFERENCE_DEPTH:
            return
        self.modules[path] = module
        calls = module.get("module_calls")
        for name, call in calls.items() if isinstance(calls, dict) else []:
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                child = f"{path}module.{name}."
                self.parents[child] = (path, name)
                self._add(child, call["module"], depth + 1)

    def resource(self, cfg_path: str, local_address: str) -> dict | None:
        index = self._resources.get(cfg_path)
        if index is None:  # built once per module: a lookup per instance must not scan every block
            index = {}
            module = self.modules.get(cfg_path) or {}
            for res in module.get("resources") or []:
                if isinstance(res, dict) and isinstance(res.get("address"), str):
                    index.setdefault(res["address"], res)
            self._resources[cfg_path] = index
        return index.get(local_address)

    def region(self) -> str | None:
        providers = self.raw.get("provider_config")
        aws = providers.get("aws") if isinstance(providers, dict) else None
        expressions = aws.get("expressions") if isinstance(aws, dict) else None
        region = expressions.get("region") if isinstance(expressions, dict) else None
        value = region.get("constant_value") if isinstance(region, dict) else None
        return value if isinstance(value, str) else None


def _modules(module: Any, depth: int = 0) -> list[dict]:
    """A values representation's module and its nested child_modules, flattened."""
    if not isinstance(module, dict) or depth > MAX_REFERENCE_DEPTH:
        return []
    out = [module]
    for child in module.get("child_modules") or []:
        out.extend(_modules(child, depth + 1))
    return out


def _resources(module: Any) -> list[dict]:
    return [
        r for mod in _modules(module) for r in (mod.get("resources") or []) if isinstance(r, dict) and r.get("address")
    ]


# --- plans ---------------------------------------------------------------------------------------------
class _PlanReader:
    def __init__(self, path: str, doc: dict, config: _Config, lines: _AddressLines) -> None:
        self.path = path
        self.doc = doc
        self.config = config
        self.lines = lines
        self.changes: dict[str, dict] = {}
        self.actions: dict[str, str] = {}
        self.types: dict[str, str] = {}
        for rc in doc.get("resource_changes") or []:
            if not isinstance(rc, dict) or not isinstance(rc.get("address"), str) or rc.get("deposed"):
                continue  # a deposed object (create_before_destroy leftovers) is not the resource's current one
            rc_change = rc.get("change")
            change = rc_change if isinstance(rc_change, dict) else {}
            change_actions = change.get("actions")
            actions = change_actions if isinstance(change_actions, list) else []
            self.changes[rc["address"]] = rc
            self.actions[rc["address"]] = _ACTIONS.get(tuple(actions), "no-op" if not actions else "update")
            if isinstance(rc.get("type"), str):
                self.types[rc["address"]] = rc["type"]
        planned_values = doc.get("planned_values")
        planned = planned_values if isinstance(planned_values, dict) else {}
        self.planned = {r["address"]: r for r in _resources(planned.get("root_module"))}
        prior = doc.get("prior_state") if isinstance(doc.get("prior_state"), dict) else None
        prior_values = prior.get("values") if prior and isinstance(prior.get("values"), dict) else None
        self.prior = {r["address"]: r for r in _resources(prior_values.get("root_module"))} if prior_values else None

    def after_instances(self) -> list[ResourceInstance]:
        """The planned network: planned_values, completed with after_unknown and configuration links."""
        entries: dict[str, dict] = {}
        for address, res in self.planned.items():
            entries[address] = res
        for address, rc in self.changes.items():
            action = self.actions[address]
            change = rc.get("change") or {}
            if address in entries or action == "delete":
                continue
            if action == "forget":
                # Removed from state but left in AWS: it is still part of the network after apply.
                values = change.get("before")
            else:
                values = change.get("after")
            if isinstance(values, dict):
                entries[address] = {
                    "address": address,
                    "mode": rc.get("mode", "managed"),
                    "type": rc.get("type", ""),
                    "index": rc.get("index"),
                    "values": values,
                }
        resolver = _Resolver(self.config, {a: r.get("values") for a, r in entries.items()})
        out = []
        for address, res in entries.items():
            found = self.changes.get(address)
            action = self.actions.get(address, "no-op" if self.prior and address in self.prior else "create")
            change = (found or {}).get("change") or {}
            values = _copy(res.get("values")) if isinstance(res.get("values"), dict) else {}
            inst = ResourceInstance(
                address=address,
                type=str(res.get("type") or (found or {}).get("type") or ""),
                values=values,
                loc=Loc(self.path, self.lines.line(address)),
                action=action,
                mode=str(res.get("mode") or "managed"),
            )
            cfg = resolver.resource_config(address)
            if cfg is not None:
                inst.configured = resolver.configured(cfg)
            unknown = change.get("after_unknown")
            if action == "forget":
                unknown = None
            resolver.complete(inst, cfg, unknown, change.get("after_sensitive"), change.get("before"))
            inst.depends_on = resolver.dependencies(address, cfg, res.get("depends_on"))
            out.append(inst)
        return out

    def before_instances(self) -> list[ResourceInstance] | None:
        """The network before the change: prior_state, else the `before` of each change (None: no before)."""
        entries: dict[str, dict] = {}
        if self.prior is not None:
            entries = dict(self.prior)
        else:
            for address, rc in self.changes.items():
                before = (rc.get("change") or {}).get("before")
                if isinstance(before, dict):
                    entries[address] = {
                        "address": address,
                        "mode": rc.get("mode", "managed"),
                        "type": rc.get("type", ""),
                        "values": before,
                    }
            if not entries:
                return None
        resolver = _Resolver(self.config, {a: r.get("values") for a, r in entries.items()})
        out = []
        for address, res in entries.items():
            inst = ResourceInstance(
                address=address,
                type=str(res.get("type") or ""),
                values=_copy(res.get("values")) if isinstance(res.get("values"), dict) else {},
                loc=Loc(self.path, self.lines.line(address)),
                action="no-op",
                mode=str(res.get("mode") or "managed"),
            )
            cfg = resolver.resource_config(address)
            if cfg is not None:
                inst.configured = resolver.configured(cfg)
            deps = res.get("depends_on")
            inst.depends_on = {d for d in deps if isinstance(d, str)} if isinstance(deps, list) else set()
            out.append(inst)
        return out


class _StateReader:
    def __init__(self, path: str, config: _Config, lines: _AddressLines) -> None:
        self.path = path
        self.config = config
        self.lines = lines

    def instances(self, root: Any) -> list[ResourceInstance]:
        out = []
        for res in _resources(root):
            deps = res.get("depends_on")
            res_values = res.get("values")
            out.append(
                ResourceInstance(
                    address=res["address"],
                    type=str(res.get("type") or ""),
                    values=res_values if isinstance(res_values, dict) else {},
                    loc=Loc(self.path, self.lines.line(res["address"])),
                    depends_on={d for d in deps if isinstance(d, str)} if isinstance(deps, list) else set(),
                    action="no-op",
                    mode=str(res.get("mode") or "managed"),
                )
            )
        return out


def _copy(value: Any) -> Any:
    """A copy of attribute values as the JSON loader built them (dicts, lists, scalars): each instance gets
    containers of its own to complete, while strings, however long, are shared. No memo is needed: JSON has
    no shared or cyclic parts, and its depth is bounded by the loader (MAX_DEPTH), so the recursion is too."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# --- completing unknown values from configuration references -------------------------------------------
def _leaves(tree: Any, path: tuple = (), depth: int = 0) -> list[tuple]:
    """Paths of the `true` leaves of an after_unknown tree."""
    if tree is True:
        return [path]
    if depth > 64:
        return []
    out: list[tuple] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += _leaves(value, (*path, key), depth + 1)
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            out += _leaves(value, (*path, i), depth + 1)
    return out


def _at(tree: Any, path: tuple) -> Any:
    for step in path:
        if isinstance(tree, dict) and isinstance(step, str):
            tree = tree.get(step)
        elif isinstance(tree, list) and isinstance(step, int) and step < len(tree):
            tree = tree[step]
        else:
            return None
    return tree


def _put(tree: dict, path: tuple, value: Any) -> None:
    """Set a leaf, creating the containers the known part of the plan left out."""
    node: Any = tree
    for i, step in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, dict):
            child = node.get(step)
            if not isinstance(child, (dict, list)):
                child = [] if isinstance(nxt, int) else {}
                node[step] = child
            node = child
        elif isinstance(node, list) and isinstance(step, int):
            while len(node) <= step:
                node.append(None)
            if not isinstance(node[step], (dict, list)):
                node[step] = [] if isinstance(nxt, int) else {}
            node = node[step]
        else:
            return
    last = path[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int):
        while len(node) <= last:
            node.append(None)
        node[last] = value


def _drop(tree: dict, path: tuple) -> None:
    parent = _at(tree, path[:-1]) if len(path) > 1 else tree
    if isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif isinstance(parent, list) and isinstance(path[-1], int) and path[-1] < len(parent):
        parent[path[-1]] = None  # keep positions; the mapping drops None items from lists


def _expression(expressions: Any, path: tuple) -> tuple[dict | None, bool]:
    """The configuration expression for an attribute path, and whether the path goes inside its value.

    Nested blocks are arrays of block objects (APIS.md §7); an attribute's expression is a dict with
    `references` or `constant_value`, and a path that continues past it (a list index, a map key) points
    at part of that attribute's value.
    """
    node = expressions
    for step in path:
        if isinstance(node, dict) and ("references" in node or "constant_value" in node):
            return node, True
        if isinstance(node, list) and isinstance(step, int):
            node = node[step] if step < len(node) else (node[0] if len(node) == 1 else None)
        elif isinstance(node, dict) and isinstance(step, str):
            node = node.get(step)
        else:
            return None, False
        if node is None:
            return None, False
    if isinstance(node, dict) and ("references" in node or "constant_value" in node):
        return node, False
    return None, False


def _id_like(attr: str) -> bool:
    """Attributes whose value identifies the resource (so the reference can stand for the value)."""
    return attr in ("id", "arn", "name") or attr.endswith(("_id", "_arn", "_name"))


def _instance_key(address: str) -> Any:
    """The count index or for_each key of an instance address (None without one)."""
    match = re.search(r'\[(\d+|"(?:[^"\\]|\\.)*")\]$', address)
    if not match:
        return None
    try:
        return json.loads(match.group(1))
    except ValueError:  # an index past Python's digit limit: Terraform writes none; keep it as text
        return match.group(1)


@dataclass
class _Targets:
    refs: list[tuple[str, str]] = field(default_factory=list)  # (instance address, attribute)
    blockers: list[str] = field(default_factory=list)  # why some part cannot be followed
    splat: bool = False  # at least one bare address meant every instance
    seen: set[Any] = field(default_factory=set)  # `refs` and `blockers` as a set: adding stays linear

    def add(self, address: str, attr: str) -> None:
        if (address, attr) not in self.seen:
            self.seen.add((address, attr))
            self.refs.append((address, attr))

    def block(self, reason: str) -> None:
        if reason not in self.seen:
            self.seen.add(reason)
            self.blockers.append(reason)


class _Resolver:
    def __init__(self, config: _Config, values: dict[str, Any]) -> None:
        self.config = config
        self.values = values  # instance address → known values of the network being built
        # Indexes built once, so that each lookup costs the size of its answer, not of the plan: instances
        # by resource address, and by (resource address, count index or for_each key).
        self.by_resource: dict[str, list[str]] = {}
        self.by_key: dict[tuple[str, Any], list[str]] = {}
        # Module address without key → its instance prefixes, in order (a dict as an ordered set).
        self.module_instances: dict[str, dict[str, None]] = {}
        for address in values:
            base = resource_address(address)
            self.by_resource.setdefault(base, []).append(address)
            self.by_key.setdefault((base, _instance_key(address)), []).append(address)
            prefix, _local = split_address(address)
            for match in _MODULE_SEGMENT.finditer(prefix):
                head = prefix[: match.end()]
                bare = prefix[: match.start()] + f"module.{match.group(1)}"
                self.module_instances.setdefault(bare, {})[head] = None
        # Module variables and outputs, each resolved once per module instance: ("variable", prefix, name) or
        # ("output", child prefix, name) → its targets. A configuration whose variables each refer to three
        # variables of the parent, twenty modules deep, would otherwise be followed 3^20 times.
        self.named: dict[tuple[str, str, str], _Targets] = {}
        self.busy: set[tuple[str, str, str]] = set()
        self.steps = MAX_RESOLUTION_STEPS
        # Per configuration block (alive as long as the document): what every instance of it shares.
        self.block_refs: dict[int, list[str]] = {}
        self.block_configured: dict[int, set[str]] = {}
        # A for_each expression's targets by instance key, per module instance (`_for_each_elements`).
        self.each_elements: dict[tuple[str, tuple[str, ...]], tuple[list[str], dict[str, list[tuple[str, str]]]]] = {}

    def resource_config(self, address: str) -> dict | None:
        prefix, local = split_address(address)
        return self.config.resource(config_path(prefix), resource_address(local))

    # --- references --------------------------------------------------------------------------------
    def configured(self, cfg: dict) -> set[str]:
        """The attribute names a configuration block sets (shared by its instances; nobody changes it)."""
        found = self.block_configured.get(id(cfg))
        if found is None:
            found = {k for k in (cfg.get("expressions") or {}) if isinstance(k, str)}
            self.block_configured[id(cfg)] = found
        return found

    def _spend(self, out: _Targets, steps: int) -> bool:
        """Charge resolution steps; False (and a blocker on `out`) once the plan's budget is spent."""
        self.steps -= steps
        if self.steps < 0:
            out.block(f"more references than vpcreach follows in one plan ({MAX_RESOLUTION_STEPS:,} steps)")
            return False
        return True

    def resolve(
        self, refs: list[Any], prefix: str, self_key: Any, depth: int = 0, each: list[Any] | None = None
    ) -> _Targets:
        """Instances (and attributes) a list of reference strings points at, in order, duplicates removed.

        `self_key` is the count index or for_each key of the block the references are in, and `each` the
        references of its for_each expression (`each.value.*` is the element of that collection with the
        same key). `depth` counts the module variables and outputs followed to get here."""
        out = _Targets()
        if depth > MAX_REFERENCE_CHAIN:
            out.block("references chain through too many module variables and outputs to follow")
            return out
        if not self._spend(out, len(refs) if isinstance(refs, list) else 0):
            return out
        refs = [r for r in refs if isinstance(r, str)]
        if any(r == "each.value" or r.startswith(("each.value.", "each.value[")) for r in refs):
            self._each_value(refs, prefix, self_key, each or [], out, depth)
        keyed = any(r in ("count.index", "each.key", "each.value") for r in refs)
        parsed = [(r, _RESOURCE_REF.match(r) if r.split(".", 1)[0] not in _NOT_RESOURCES else None) for r in refs]
        implied_bare: Counter[str] = Counter()
        implied_instance: Counter[str] = Counter()
        for _r, match in parsed:
            if match is None:
                continue
            base, idx, attr = match.group("base", "idx", "attr")
            if bool(idx) != bool(attr):
                # `T.N[0]` and `T.N.attr` each bring an implied `T.N`; `T.N[0].attr` brings `T.N[0]`.
                implied_bare[base] += 1
            elif idx and attr:
                implied_instance[base + idx] += 1
        module_outputs = {r.rsplit(".", 1)[0] for r in refs if r.startswith("module.") and r.count(".") >= 2}
        for ref, match in parsed:
            head = ref.split(".", 1)[0]
            if head == "local":
                out.block(f"{ref} (locals are not in plan JSON)")
            elif head == "var":
                self._variable(ref, prefix, out, depth)
            elif head == "module":
                self._module_output(ref, prefix, out, depth, module_outputs)
            elif match is not None:
                base, idx, attr = match.group("base", "idx", "attr")
                if idx and not attr:
                    if implied_instance[base + idx] > 0:
                        implied_instance[base + idx] -= 1
                        continue
                    self._add(out, [prefix + base + idx], "id")
                elif idx:
                    self._add(out, [prefix + base + idx], attr)
                else:
                    if not attr and implied_bare[base] > 0:
                        implied_bare[base] -= 1
                        continue
                    instances = self.by_resource.get(prefix + base, [])
                    if keyed and self_key is not None:
                        instances = self.by_key.get((prefix + base, self_key)) or instances
                    if not attr and len(instances) > 1:
                        out.splat = True
                    self._add(out, instances, attr or "id")
        return out

    def _each_value(
        self, refs: list[str], prefix: str, self_key: Any, each: list[Any], out: _Targets, depth: int
    ) -> None:
        """`each.value.subnet_id` / `each.value`: the instance of the for_each collection with this key.

        A for_each over a resource (`for_each = aws_subnet.public`) or over a map built from one (`{ for k, s
        in aws_subnet.public : k => s.id }`, a module variable or output holding either) has that resource's
        keys, so the element with the block's own key is the instance with that key. Terraform lists
        `each.value.id` with its implied parent `each.value`; a bare `each.value` beyond those parents is the
        element itself, which stands for the attribute the collection holds (`id` for a whole instance)."""
        attrs: list[str] = []
        bare = 0
        for ref in refs:
            if ref == "each.value":
                bare += 1
            elif ref.startswith("each.value."):
                match = re.match(r"[A-Za-z_][A-Za-z0-9_-]*", ref[len("each.value.") :])
                if match:
                    attrs.append(match.group(0))
            elif ref.startswith("each.value["):
                bare -= 1  # `each.value["x"]` brings an implied `each.value` too, and is not followed
        whole = bare > len(attrs)
        if self_key is None or not each:
            out.block("each.value (the for_each it comes from is not in the plan's configuration)")
            return
        blockers, by_key = self._for_each_elements(each, prefix, depth)
        for reason in blockers:
            out.block(reason)
        matched = by_key.get(_key_text(self_key), [])
        if not matched:
            if not blockers:
                out.block(f"each.value (no instance its for_each names has the key {json.dumps(self_key)})")
            return
        for attr in dict.fromkeys(attrs):
            self._add(out, list(dict.fromkeys(a for a, _ in matched)), attr)
        if whole:
            for address, attr in matched:
                self._add(out, [address], attr)

    def _for_each_elements(
        self, each: list[Any], prefix: str, depth: int
    ) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
        """What a for_each expression's references reach in module instance `prefix`, by instance key; resolved
        once for all the instances it creates (each looks up its own key), not once per instance."""
        cache_key = (prefix, tuple(r for r in each if isinstance(r, str)))
        found = self.each_elements.get(cache_key)
        if found is None:
            targets = self.resolve(each, prefix, None, depth + 1)
            by_key: dict[str, list[tuple[str, str]]] = {}
            for address, attr in targets.refs:
                by_key.setdefault(_key_text(_instance_key(address)), []).append((address, attr))
            found = (list(targets.blockers), by_key)
            self.each_elements[cache_key] = found
        return found

    def _add(self, out: _Targets, addresses: list[str], attr: str) -> None:
        if self._spend(out, len(addresses)):
            for address in addresses:
                out.add(address, attr)

    def _merge(self, out: _Targets, found: _Targets, splat: bool = False) -> None:
        if self._spend(out, 1 + len(found.refs) + len(found.blockers)):
            for address, attr in found.refs:
                out.add(address, attr)
            for reason in found.blockers:
                out.block(reason)
            out.splat = out.splat or found.splat or splat

    def _named(
        self,
        key: tuple[str, str, str],
        refs: list[Any],
        prefix: str,
        depth: int,
        self_key: Any = None,
        each: list[Any] | None = None,
    ) -> _Targets:
        """A module variable's or output's targets (its expression's `refs`, read in module instance
        `prefix`), resolved once and remembered; a variable that reaches itself again is a cycle. A module
        call's argument is read with the call's own count index or for_each key (`self_key`, `each`)."""
        found = self.named.get(key)
        if found is not None:
            return found
        if key in self.busy:
            cycle = _Targets()
            cycle.block(f"{key[0]} {key[2]} of {key[1].rstrip('.') or 'the root module'} refers to itself")
            return cycle
        self.busy.add(key)
        try:
            found = self.resolve(refs, prefix, self_key, depth + 1, each)
        finally:
            self.busy.discard(key)
        self.named[key] = found
        return found

    def _variable(self, ref: str, prefix: str, out: _Targets, depth: int) -> None:
        """`var.x` inside a module: follow the module call's argument in the parent module."""
        cfg = config_path(prefix)
        parent = self.config.parents.get(cfg)
        if parent is None:
            return  # root variables always have known values in a plan
        parent_cfg, call = parent
        segments = list(_MODULE_SEGMENT.finditer(prefix))
        parent_prefix = prefix[: segments[-1].start()] if segments else ""
        calls = self.config.modules.get(parent_cfg, {}).get("module_calls") or {}
        block = calls.get(call) or {}
        expressions = block.get("expressions") or {}
        name = ref.split(".")[1] if len(ref.split(".")) > 1 else ""
        expr = expressions.get(name) if name else None
        if isinstance(expr, dict):
            refs = expr.get("references") or []
            # `module "x" { for_each = ...; subnet_id = each.value.id }`: this instance's key.
            self_key = _instance_key(prefix[: segments[-1].end() - 1]) if segments else None
            found = self._named(("variable", prefix, name), refs, parent_prefix, depth, self_key, _for_each_refs(block))
            self._merge(out, found)

    def _module_output(self, ref: str, prefix: str, out: _Targets, depth: int, outputs: set[str]) -> None:
        """`module.net.private_subnet_ids` → the output's own references, inside that module."""
        match = re.match(r'^module\.([A-Za-z0-9_-]+)((?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?)(?:\.([A-Za-z0-9_-]+))?', ref)
        if not match:
            return
        name, key, output = match.groups()
        if output is None:
            return  # the implied parent of `module.net.x`
        child_cfg = f"{config_path(prefix)}module.{name}."
        module = self.config.modules.get(child_cfg)
        outputs_cfg = (module or {}).get("outputs") or {}
        expr = (outputs_cfg.get(output) or {}).get("expression") if isinstance(outputs_cfg.get(output), dict) else None
        if not isinstance(expr, dict):
            out.block(f"{ref} (the module's output is not in the plan's configuration)")
            return
        instances = (
            [f"{prefix}module.{name}{key}."] if key else list(self.module_instances.get(f"{prefix}module.{name}", {}))
        )
        if not instances:
            instances = [f"{prefix}module.{name}."]
        refs = expr.get("references") or []
        for child_prefix in instances:
            found = self._named(("output", child_prefix, output), refs, child_prefix, depth)
            self._merge(out, found, splat=len(instances) > 1)

    # --- values ------------------------------------------------------------------------------------
    def known(self, address: str, attr: str) -> Any:
        values = self.values.get(address)
        return values.get(attr) if isinstance(values, dict) else None

    def value_for(self, address: str, attr: str) -> Any:
        """The referenced attribute's value: known, a TfRef for an id, or Derived remembering the source."""
        value = self.known(address, attr)
        if value is not None and not isinstance(value, (dict, list)):
            return value
        ref = TfRef(address, attr)
        if _id_like(attr):
            return ref
        return Derived(f"{address}.{attr} is known only after apply", (ref,))

    def complete(self, inst: ResourceInstance, cfg: dict | None, unknown: Any, sensitive: Any, before: Any) -> None:
        """Fill every value `after_unknown` marks: linked by configuration, omitted, or Unknown."""
        expressions = (cfg or {}).get("expressions") or {}
        prefix, _local = split_address(inst.address)
        key = _instance_key(inst.address)
        each = _for_each_refs(cfg)
        paths = _leaves(unknown)
        # Elements of one list attribute are completed together (known ones keep their places).
        done: set[tuple] = set()
        for path in paths:
            expr, inside = _expression(expressions, path)
            top = path[0] if path else None
            label = f"{inst.address}.{_dotted(path)}"
            if expr is None or not (expr.get("references") or []):
                if (
                    cfg is not None
                    and isinstance(top, str)
                    and inst.configured is not None
                    and top not in inst.configured
                ):
                    # Computed by the provider and not set in configuration: leave it out, as if unset
                    # (an aws_security_group without egress blocks manages no egress rules, say).
                    _drop(inst.values, path)
                elif top in ("id", "arn"):
                    _drop(inst.values, path)  # the instance's own id: references to it are TfRefs
                else:
                    _put(inst.values, path, Unknown(f"{label} is known only after apply"))
                continue
            if inside and isinstance(path[-1], int):
                list_path = path[:-1]
                if list_path in done:
                    continue
                done.add(list_path)
                targets = self.resolve(expr["references"], prefix, key, each=each)
                self._complete_list(inst, list_path, unknown, targets, label)
                continue
            targets = self.resolve(expr["references"], prefix, key, each=each)
            if inside:
                # A key of a map attribute (an environment variable): only a single source is certain.
                distinct = list(dict.fromkeys(a for a, _ in targets.refs))
                if len(distinct) == 1 and not targets.blockers:
                    address, attr = targets.refs[0]
                    _put(inst.values, path, self.value_for(address, attr))
                else:
                    _put(inst.values, path, self._unknown(label, targets))
                continue
            collection = _is_collection(path, sensitive, before, targets)
            if not targets.refs or targets.blockers:
                _put(inst.values, path, self._unknown(label, targets))
            elif collection:
                _put(inst.values, path, [self.value_for(a, attr) for a, attr in targets.refs])
            elif len(targets.refs) == 1:
                _put(inst.values, path, self.value_for(*targets.refs[0]))
            else:
                _put(inst.values, path, self._unknown(label, targets))

    def _complete_list(self, inst: ResourceInstance, path: tuple, unknown: Any, targets: _Targets, label: str) -> None:
        current = _at(inst.values, path)
        flags = _at(unknown, path)
        if not isinstance(flags, list):
            return
        if not self._spend(targets, len(flags)):
            # Every element would be a value of its own (500k `true`s are a 2.5 MB file): one Unknown instead.
            _put(inst.values, path, self._unknown(label[: label.rfind("[")], targets))
            return
        items = list(current) if isinstance(current, list) else []
        while len(items) < len(flags):
            items.append(None)
        known = {str(v) for v, f in zip(items, flags) if f is not True and v is not None}
        spare = iter(
            [(a, attr) for a, attr in targets.refs if not (isinstance(v := self.known(a, attr), str) and v in known)]
        )
        for i, flag in enumerate(flags):
            if flag is not True:
                continue
            ref = next(spare, None) if not targets.blockers else None
            if ref is not None:
                items[i] = self.value_for(*ref)
            else:
                items[i] = self._unknown(f"{label.rsplit('.', 1)[0]}[{i}]", targets)
        _put(inst.values, path, items)

    @staticmethod
    def _unknown(label: str, targets: _Targets) -> Unknown:
        if targets.blockers:
            reasons = ", ".join(targets.blockers[:3]) + (
                f" and {len(targets.blockers) - 3} more" if len(targets.blockers) > 3 else ""
            )
            return Unknown(f"{label} is known only after apply and comes from {reasons}")
        if targets.refs:
            refs = tuple(TfRef(a, attr) for a, attr in targets.refs)
            names = ", ".join(f"{a}.{attr}" for a, attr in targets.refs[:3])
            return Derived(f"{label} is known only after apply; it is computed from {names}", refs)
        return Unknown(f"{label} is known only after apply")

    def dependencies(self, address: str, cfg: dict | None, state_deps: Any) -> set[str]:
        """Every resource the configuration of `address` refers to, plus its depends_on."""
        deps: set[str] = set()
        if isinstance(state_deps, list):
            deps.update(d for d in state_deps if isinstance(d, str))
        if cfg is None:
            return deps
        prefix, _local = split_address(address)
        refs = self.block_refs.get(id(cfg))
        if refs is None:  # collected once per configuration block, not once per instance of it
            refs = []
            _collect_refs(cfg.get("expressions"), refs)
            for key in ("count_expression", "for_each_expression"):
                _collect_refs(cfg.get(key), refs)
            self.block_refs[id(cfg)] = refs
        found = self.resolve(refs, prefix, _instance_key(address), each=_for_each_refs(cfg))
        deps.update(a for a, _ in found.refs if a != address)
        for dep in cfg.get("depends_on") or []:
            if isinstance(dep, str):
                deps.add(prefix + dep)
        return deps


def _key_text(key: Any) -> str:
    """An instance key as one comparable text: the count index 1 and the for_each key "1" stay apart."""
    return json.dumps(key)


def _for_each_refs(block: dict | None) -> list[Any]:
    """The references of a resource's or module call's for_each expression (what `each.value` is from)."""
    expr = (block or {}).get("for_each_expression")
    refs = expr.get("references") if isinstance(expr, dict) else None
    return refs if isinstance(refs, list) else []


def _collect_refs(node: Any, out: list[str], depth: int = 0) -> None:
    if depth > 64:
        return
    if isinstance(node, dict):
        refs = node.get("references")
        if isinstance(refs, list):
            out.extend(r for r in refs if isinstance(r, str))
        for key, value in node.items():
            if key != "references":
                _collect_refs(value, out, depth + 1)
    elif isinstance(node, list):
        for item in node:
            _collect_refs(item, out, depth + 1)


def _is_collection(path: tuple, sensitive: Any, before: Any, targets: _Targets) -> bool:
    """Whether an attribute known only after apply holds a list: the plan's own hints first."""
    hint = _at(sensitive, path)
    if isinstance(hint, list):
        return True  # Terraform writes [] for a list in after_sensitive even when its value is unknown
    previous = _at(before, path)
    if previous is not None:
        return isinstance(previous, list)
    name = path[-1] if path and isinstance(path[-1], str) else ""
    return targets.splat or len(targets.refs) > 1 or name.endswith(("_ids", "_arns", "_blocks", "_names"))


def _dotted(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
