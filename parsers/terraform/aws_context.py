"""What every AWS-provider handler shares: the indexes over the instances, how a value becomes an object
id, a string, a flag or a number, and the registry of handlers by resource type."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vpcreach.graph import model as m
from vpcreach.graph.model import External, Loc, Unknown

from .instance import ResourceInstance, TfRef
from .values import Derived, Named, one_value

_INDEX = re.compile(r'^(?P<base>.*?)\[(?:\d+|"(?:[^"\\]|\\.)*")\]$')


def resource_address(address: str) -> str:
    """`module.a["x"].aws_subnet.b[0]` → `module.a["x"].aws_subnet.b`."""
    match = _INDEX.match(address)
    return match.group("base") if match else address


_ATTR_IDS: dict[str, Callable[[str], str]] = {
    "default_security_group_id": m.default_sg_id,
    "default_network_acl_id": m.default_nacl_id,
    "default_route_table_id": m.main_rt_id,
    "main_route_table_id": m.main_rt_id,
}

# Name attributes by type: a literal name elsewhere (`role = "app-role"`) finds the resource through them.
_NAME_ATTRS = {
    "aws_iam_role": "name",
    "aws_iam_policy": "name",
    "aws_lambda_function": "function_name",
    "aws_db_subnet_group": "name",
    "aws_elasticache_subnet_group": "name",
    "aws_docdb_subnet_group": "name",
    "aws_neptune_subnet_group": "name",
    "aws_memorydb_subnet_group": "name",
    "aws_security_group": "name",
}


class Context:
    """Indexes over the instances and the work left for after every object exists."""

    def __init__(self, instances: list[ResourceInstance], net: m.Network) -> None:
        self.net = net
        self.instances = instances
        self.by_addr = {i.address: i for i in instances}
        self.by_resource: dict[str, list[ResourceInstance]] = {}
        self.ids: dict[str, str] = {}
        self.names: dict[tuple[str, str], str] = {}
        for inst in instances:
            self.by_resource.setdefault(resource_address(inst.address), []).append(inst)
            for attr in ("id", "arn"):
                value = inst.values.get(attr)
                if isinstance(value, str) and value and not isinstance(value, Named):
                    self.ids.setdefault(value, inst.address)
            name_attr = _NAME_ATTRS.get(inst.type)
            name = inst.values.get(name_attr) if name_attr else None
            if isinstance(name, str) and name:
                self.names.setdefault((inst.type, str(name)), inst.address)
        self.pending_sg_rules: list[tuple[Any, bool, list[m.SgRule], str]] = []
        self.pending_nacl_entries: list[tuple[Any, m.NaclEntry, str]] = []
        self.pending_nacl_assocs: list[tuple[str, Any, Any]] = []
        self.endpoint_links: list[tuple[Any, str, Any, str]] = []  # (endpoint, field, ref, source address)
        self.inline_routes: set[str] = set()
        self.route_resources: dict[str, list[str]] = {}
        self.sg_inline: dict[str, set[str]] = {}  # group → directions managed inline
        self.policy_docs: dict[str, list[m.PolicyStatement]] = {}
        self.public_ips: list[Any] = []
        self.subnet_groups: dict[str, Any] = {}
        self.mounts: list[m.FileSystemMount] = []  # EFS mount targets, folded into their file systems
        self.access_points: dict[str, Any] = {}  # EFS access point address → its file system

    # --- values -----------------------------------------------------------------------------------
    def ref(self, value: Any, what: str = "value", types: tuple[str, ...] = ()) -> m.Ref:
        """A value used as an object id: an address, an External literal, or Unknown."""
        if isinstance(value, Named):
            value = value.ref
        if isinstance(value, TfRef):
            # An attribute set from another resource's attribute stands for that one (a security group's
            # vpc_id is its VPC), unless it is itself of the type asked for (a role's name is the role).
            while value.via is not None and not (types and self._type(value.address) in types):
                value = value.via
            if value.address not in self.by_addr:
                if is_data_address(value.address):
                    return Unknown(f"{value.address}.{value.attr} is read from AWS when Terraform plans")
                return Unknown(f"{value.address} is not in the analysed configuration")
            to_id = _ATTR_IDS.get(value.attr)
            return to_id(value.address) if to_id else value.address
        if isinstance(value, Derived) and len(value.refs) == 1 and value.refs[0].address in self.by_addr:
            # A name built from exactly one resource's attribute (a template around it, say) is not an id.
            return value
        if isinstance(value, Unknown):
            return value
        if isinstance(value, str) and value:
            if value in self.ids:
                return self.ids[value]
            for rtype in types:
                found = self.names.get((rtype, value))
                if found:
                    return found
            return External(value)
        return Unknown(f"{what} is {value!r}, not an id")

    def _type(self, address: str) -> str | None:
        inst = self.by_addr.get(address)
        return inst.type if inst else None

    def refs(self, value: Any, what: str = "value", types: tuple[str, ...] = ()) -> list[m.Ref] | Unknown:
        items = self.items(value, what)
        if isinstance(items, Unknown):
            return items
        return [_item(v) if isinstance(v, Unknown) else self.ref(v, what, types) for v in items]

    def items(self, value: Any, what: str = "value") -> list[Any] | Unknown:
        if value is None:
            return []
        if isinstance(value, Unknown):
            return value
        if isinstance(value, TfRef):
            return Unknown(f"{what} comes from {value.address}.{value.attr}, known only after apply")
        if isinstance(value, (list, tuple, set)):
            return [v for v in value if v is not None and v != ""]
        return [value]

    def text(self, value: Any, depth: int = 0) -> str | Unknown | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return str(value)
        if isinstance(value, (int, float)):
            return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if isinstance(value, TfRef):
            target = self.by_addr.get(value.address)
            known = target.values.get(value.attr) if target is not None else None
            if known is not None and not isinstance(known, (list, dict)) and depth < 10:
                return self.text(known, depth + 1)
            return Unknown(f"{value.address}.{value.attr} is known only after apply")
        if isinstance(value, Unknown):
            return value
        return Unknown(f"{value!r} is not a string")

    def flag(self, value: Any, default: bool | Unknown) -> bool | Unknown:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if isinstance(value, TfRef):
            return Unknown(f"{value.address}.{value.attr} is known only after apply")
        if isinstance(value, Unknown):
            return value
        return Unknown(f"{value!r} is not a boolean")

    def number(self, value: Any) -> int | Unknown | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return Unknown(f"{value!r} is not a number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                return Unknown(f"{value!r} is not a number")
        if isinstance(value, TfRef):
            return Unknown(f"{value.address}.{value.attr} is known only after apply")
        if isinstance(value, Unknown):
            return value
        return Unknown(f"{value!r} is not a number")

    def blocks(self, values: dict, name: str) -> list[dict] | Unknown:
        """A nested block type as a list of dicts (Unknown when a dynamic block could not be expanded)."""
        value = values.get(name)
        if value is None:
            return []
        if isinstance(value, dict):
            return [value]
        if isinstance(value, Unknown):
            return value
        if isinstance(value, TfRef):
            return Unknown(f"{name} comes from {value.address}.{value.attr}, known only after apply")
        if isinstance(value, list):
            out = []
            for item in value:
                if isinstance(item, dict):
                    out.append(item)
                elif isinstance(item, Unknown):
                    return item
            return out
        return Unknown(f"{name} is not a block")

    def block(self, values: dict, name: str) -> dict | Unknown | None:
        found = self.blocks(values, name)
        if isinstance(found, Unknown):
            return found
        return found[0] if found else None

    def note(self, obj_id: str, value: Any) -> None:
        if isinstance(value, Unknown) and not isinstance(value, External):
            self.net.unknowns.append((obj_id, value.reason))

    def type_of(self, ref: Any) -> str:
        inst = self.by_addr.get(ref) if isinstance(ref, str) else None
        return inst.type if inst is not None else ""


def is_data_address(address: str) -> bool:
    return address.startswith("data.") or ".data." in address


def line_loc(inst: ResourceInstance, block: str, index: int) -> Loc:
    lines = inst.block_lines.get(block) or []
    return Loc(inst.loc.file, lines[index]) if index < len(lines) else inst.loc


Handler = Callable[[Context, ResourceInstance], None]
HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for t in types:
            HANDLERS[t] = fn
        return fn

    return register


def is_configured(inst: ResourceInstance, name: str) -> bool:
    """Whether the configuration manages `name` itself. Without that knowledge (plan values, where computed
    blocks are always present) only a non-empty value counts, so no conflict is reported from an empty one."""
    if inst.configured is not None:
        return name in inst.configured
    return bool(inst.values.get(name))


def key_of(ref: Any) -> str:
    return ref.value if isinstance(ref, External) else (ref if isinstance(ref, str) else "?")


def _item(value: Unknown) -> Unknown:
    """An unknown item of an id list; one that may stand for a whole list is marked so (DESIGN decision 13)."""
    if isinstance(value, m.UnknownItems) or one_value(value):
        return value
    return m.UnknownItems(value.reason)
