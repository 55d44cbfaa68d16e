"""Other stacks of the same deployment: exports of the other templates in a scan (Fn::ImportValue) and nested
stacks whose template is a local file (AWS::CloudFormation::Stack TemplateURL, AWS::Serverless::Application
Location as a relative path).

Another template's objects join the importing (or parent) template's network as they are, so an exported
subnet is that subnet, with its route table and NAT gateway, and findings on them point at the template that
defines them. Their ids stay the logical ids of their own template unless one is also a logical id of the
template they join; then all of them are named `<stack>/<id>`.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from vpcreach.graph import model as m

from ..errors import InputError
from .intrinsics import Derived, ResRef, prefix_for, renamed

# What another stack's export brings into an importing template: its network, not its functions.
NETWORK_OBJECTS = (
    m.Vpc,
    m.Subnet,
    m.RouteTable,
    m.Route,
    m.RouteTableAssociation,
    m.MainRouteTableAssociation,
    m.InternetGateway,
    m.GatewayAttachment,
    m.EgressOnlyInternetGateway,
    m.NatGateway,
    m.Instance,
    m.OpaqueGateway,
    m.VpcEndpoint,
    m.SecurityGroup,
    m.NetworkAcl,
    m.NaclAssociation,
    m.PrivateTarget,
)
# Model fields that hold object ids (or lists/sets of them).
_REF_FIELDS = {
    "vpc",
    "subnet",
    "subnets",
    "route_table",
    "route_tables",
    "target",
    "prefix_list",
    "gateway",
    "nacl",
    "security_groups",
    "role",
    "roles",
    "function",
    "depends_on",
}


@dataclass
class StackExport:
    """An Output's export of a scanned template: its resolved value (a literal, a ResRef to one of its
    resources, or a string built from them), and where it is."""

    name: str
    template: str
    line: int | None
    value: Any
    resource_ids: frozenset[str] = field(default_factory=frozenset)
    stack: str = ""  # the stack name, or the template's file name

    @property
    def where(self) -> str:
        return f"{self.template}:{self.line}" if self.line else self.template


def merge(net: m.Network, other: m.Network, prefix: str, everything: bool = False) -> None:
    """Add `other`'s objects to `net` (its network only, or `everything` for a nested stack, whose functions
    are deployed with the parent), ids prefixed by `prefix`; objects `net` already has are left alone."""
    ids = set(other.objects)

    def name(ref: str) -> str:
        base = ref.split("#", 1)[0]
        return prefix + ref if ref in ids or base in ids else ref

    for obj in other.objects.values():
        if not everything and not isinstance(obj, NETWORK_OBJECTS):
            continue
        new = copy.deepcopy(obj)
        if prefix:
            new.id = name(new.id)
            _rename(new, name)
        if new.id not in net.objects:
            net.add(new)
    if everything:
        net.unknowns += [(name(rid), reason) for rid, reason in other.unknowns]
        net.ignores.update({name(rid): s for rid, s in other.ignores.items()})
        net.depends.update({name(rid): {name(d) for d in deps} for rid, deps in other.depends.items()})
        net.notes += other.notes
        net.inputs += other.inputs


def _rename(obj: Any, name: Any) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name in _REF_FIELDS:
            setattr(obj, f.name, _names(value, name))
        elif f.name == "environment" and isinstance(value, dict):
            setattr(
                obj,
                f.name,
                {
                    k: m.ResourceRef(name(v.id), v.service) if isinstance(v, m.ResourceRef) else v
                    for k, v in value.items()
                },
            )
        elif f.name in ("ingress", "egress") and isinstance(value, list):
            for rule in value:
                if isinstance(rule, m.SgRule) and rule.peer_kind in ("sg", "pl") and isinstance(rule.peer, str):
                    rule.peer = name(rule.peer)


def _names(value: Any, name: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, m.Unknown):
        return name(value)
    if isinstance(value, list):
        return [_names(v, name) for v in value]
    if isinstance(value, set):
        return {_names(v, name) for v in value}
    return value


# --- nested stacks ---------------------------------------------------------------------------------------
NESTED_TYPES = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")
MAX_NESTING = 8  # levels of nested stacks read (CloudFormation itself has no documented limit)


@dataclass
class Child:
    rid: str
    path: str
    network: m.Network
    prefix: str


def local_template(where: Any, parent: str, root: str | None) -> str | None:
    """The file a nested stack's TemplateURL / Location names when it is a relative local path inside the scan
    root (as `sam build`/`aws cloudformation package` take it), else None: an S3/HTTPS URL or a Serverless
    Application Repository app is not read."""
    import os

    from ..files import FileRefused, confine

    if not isinstance(where, str) or not where or "://" in where or where.startswith(("s3:", "/")):
        return None
    path = os.path.normpath(os.path.join(os.path.dirname(parent), where))
    if not os.path.isfile(path):
        return None
    try:
        confine(path, root or os.path.dirname(os.path.abspath(parent)))
    except FileRefused:
        return None
    return path


def _param_text(value: Any) -> Any:
    """A parent's resolved parameter value as the child receives it: text, a parent resource's id (joined
    with commas for a list), or Unknown."""
    if isinstance(value, ResRef):
        return value.id
    if isinstance(value, Derived) and value.pieces is not None:  # `!Join [",", [!Ref A, !Ref B]]`
        return "".join(p.id if isinstance(p, ResRef) else str(p) for p in value.pieces)
    if isinstance(value, list):
        items = [_param_text(v) for v in value]
        if any(isinstance(i, m.Unknown) for i in items):
            return next(i for i in items if isinstance(i, m.Unknown))
        return ",".join(str(i) for i in items)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, m.Unknown):
        return value
    return m.Unknown("a nested stack parameter value vpcreach cannot pass on")


_CHAIN: list[str] = []


def read_nested_stacks(ctx: Any, resources: dict, root: str | None, parse: Any) -> list[Child]:
    """Read the local templates of the nested stacks in `resources` with the parameters the parent passes; fill
    the parent resolver's `Fn::GetAtt <Stack>.Outputs.<Key>` with the child's outputs."""
    import os

    from ..yaml_loader import load_document, read_text

    resolver, path = ctx.r, ctx.path
    out: list[Child] = []
    for rid, res in resources.items():
        if not isinstance(res, dict) or res.get("Type") not in NESTED_TYPES:
            continue
        props: dict = res["Properties"] if isinstance(res.get("Properties"), dict) else {}
        where = resolver.resolve(props.get("TemplateURL", props.get("Location")))
        child_path = local_template(where, path, root)
        if child_path is None or len(_CHAIN) >= MAX_NESTING:
            continue
        if os.path.realpath(child_path) in _CHAIN:
            ctx.net.unknowns.append((str(rid), f"nested stack {child_path} includes itself; not read again"))
            continue
        if "Condition" in res and resolver.condition(res["Condition"]) is False:
            continue
        passed = resolver.resolve(props.get("Parameters") or {})
        params = {str(k): _param_text(v) for k, v in passed.items()} if isinstance(passed, dict) else {}
        try:
            doc = load_document(read_text(child_path), child_path)
        except InputError as exc:
            ctx.net.unknowns.append((str(rid), f"nested stack template {child_path} could not be read: {exc.message}"))
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
            ctx.net.unknowns.append((str(rid), f"nested stack template {child_path} is not a CloudFormation template"))
            continue
        from vpcreach.parsers.environment import Environment

        env = Environment(snapshot=resolver.env.snapshot, own_path=child_path)
        sources = dict.fromkeys(params, f"{path}: {rid}.Parameters")
        _CHAIN.append(os.path.realpath(child_path))
        try:
            child, child_resolver = parse(doc, child_path, params, root, env, sources)
        except InputError as exc:
            ctx.net.unknowns.append((str(rid), f"nested stack template {child_path} could not be read: {exc.message}"))
            continue
        finally:
            _CHAIN.pop()
        own = set(resolver.resource_ids)
        prefix = prefix_for(own, frozenset(child.objects), str(rid))
        outputs = doc.get("Outputs")
        for key, output in outputs.items() if isinstance(outputs, dict) else []:
            if isinstance(output, dict) and child_resolver is not None:
                value = renamed(child_resolver.resolve(output.get("Value")), prefix)
                resolver.attr_values[(str(rid), f"Outputs.{key}")] = value
        ctx.nested_read.add(str(rid))
        ctx.net.also_read.append(child_path)
        out.append(Child(str(rid), child_path, child, prefix))
    return out


def join_nested_stacks(net: m.Network, children: list[Child]) -> None:
    """Every object of each child (its functions too) into the parent; the values the parent passed as its own
    resource ids become those resources."""
    from ..snapshot.attach import resolve_in

    before = set(net.objects)
    for child in children:
        merge(net, child.network, child.prefix, everything=True)
    for oid in set(net.objects) - before:
        resolve_in(net.objects[oid], net.objects)
