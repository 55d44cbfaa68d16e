"""CloudFormation and SAM templates → `graph.model.Network`."""

from __future__ import annotations

import math
import os
from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import Loc, Unknown

from ..environment import Environment
from ..errors import InputError
from ..yaml_loader import KeyScan, key_scan, load_document, read_text
from . import functions as _functions  # noqa: F401  (registers the function handlers)
from .functions import merge_globals
from .intrinsics import ResolveLimit, Resolver, ResRef, referenced_ids
from .language import LOOP_PREFIX, expand_loops
from .resources import HANDLERS, Context, mount_standalone_rules
from .values import as_list

# Resolved first because others read their attributes (a subnet's zone, a VPC's CIDR).
_FIRST = (
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::RDS::DBSubnetGroup",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::DocDB::DBSubnetGroup",
    "AWS::Neptune::DBSubnetGroup",
    "AWS::MemoryDB::SubnetGroup",
)
_ATTRS = {
    "AWS::EC2::VPC": {"CidrBlock": "CidrBlock"},
    "AWS::EC2::Subnet": {"AvailabilityZone": "AvailabilityZone", "CidrBlock": "CidrBlock"},
}


def looks_like_template(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("Resources"), dict)
        and (
            "AWSTemplateFormatVersion" in doc
            or "Transform" in doc
            or any(
                isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
                for r in doc["Resources"].values()
            )
        )
    )


def parse_file(path: str, params: dict[str, str] | None = None) -> m.Network:
    doc = load_document(read_text(path), path)
    if not looks_like_template(doc):
        raise InputError(path, "not a CloudFormation template (no Resources with AWS:: types)")
    return parse_template(doc, path, params)


def parse_template(
    doc: dict,
    path: str,
    params: dict[str, str] | None = None,
    root: str | None = None,
    imports: dict[str, Any] | None = None,
    foreign_types: dict[str, str] | None = None,
    parameter_values: dict[str, Any] | None = None,
    env: Environment | None = None,
    param_sources: dict[str, str] | None = None,
) -> m.Network:
    """The network a template deploys. `root` is the scan root: files the template names are read only inside it.
    `imports` are the exports of stacks scanned together with this one (export name -> value, their resource
    references already named as in the merged network) and `foreign_types` those resources' types;
    `parameter_values` what a parent stack passes this one as a nested stack, resolved in the parent (a CDK
    assembly). `env` answers what the template reads from outside (SSM parameters, snapshot exports, other
    templates of the scan, the stack name); `param_sources` says where each of `params` was given
    (samconfig.toml, a --param-file), for Network.inputs."""
    return _parse(doc, path, params, root, env, param_sources, imports, foreign_types, parameter_values)[0]


def _parse(
    doc: dict,
    path: str,
    params: dict[str, str] | None,
    root: str | None,
    env: Environment | None,
    param_sources: dict[str, str] | None,
    imports: dict[str, Any] | None = None,
    foreign_types: dict[str, str] | None = None,
    parameter_values: dict[str, Any] | None = None,
) -> tuple[m.Network, Resolver]:
    resources = doc.get("Resources")
    if not isinstance(resources, dict):
        raise InputError(path, "Resources is not a mapping")
    stand_ins: dict[str, str] = {}
    scan = key_scan(doc)
    if _loops(doc, path) if scan is None else _loops_of(scan, path):
        try:
            doc, stand_ins = expand_loops(doc, path, params)
        except ResolveLimit as exc:
            raise InputError(path, str(exc)) from None
        resources = doc["Resources"]
    net = m.Network(sources=[path], region=(params or {}).get("AWS::Region"))
    types = {str(rid): str(r.get("Type", "")) for rid, r in resources.items() if isinstance(r, dict)}
    resolver = Resolver(doc, params, set(types), imports, parameter_values, env, param_sources)
    ctx = Context(resolver, net, path, {**foreign_types, **types} if foreign_types else types)
    from .stacks import read_nested_stacks

    children = read_nested_stacks(ctx, resources, root, _parse)
    # SAM Globals sections by the resource type they apply to [SAMG]: Function, and CapacityProvider (SAM 1.10x).
    found = doc.get("Globals")
    sections: dict = found if isinstance(found, dict) else {}
    sam_globals = {
        f"AWS::Serverless::{name}": sections.get(name)
        for name in ("Function", "CapacityProvider")
        if isinstance(sections.get(name), dict)
    }

    order = sorted(types, key=lambda rid: _FIRST.index(types[rid]) if types[rid] in _FIRST else len(_FIRST))
    try:
        _add_resources(ctx, resources, order, sam_globals)
    except ResolveLimit as exc:
        raise InputError(path, str(exc)) from None
    for rid, reason in stand_ins.items():
        obj = net.objects.get(rid)
        if isinstance(obj, m.Function):
            obj.stand_in = Unknown(reason)  # VR001, on top of what its known values give
        else:
            net.unknowns.append((rid, reason))
    mount_standalone_rules(ctx)
    _attach_managed_policy_statements(net, types)
    net.unknowns.extend(_includes(doc, resources))
    net.inputs.extend(resolver.inputs)
    _join_imported_stacks(net, resolver)
    from .stacks import join_nested_stacks

    join_nested_stacks(net, children)
    return net, resolver


def _join_imported_stacks(net: m.Network, resolver: Resolver) -> None:
    """The networks of the other scanned templates whose exports this one imports (parsers/cfn/stacks.py)."""
    from .stacks import merge

    load = resolver.env.load_stack
    for template, prefix in resolver.stack_imports.items():
        other = load(template) if load is not None else None
        if other is None:
            net.unknowns.append(
                (template, f"the template {template}, whose exports this one imports, could not be read")
            )
            continue
        merge(net, other, prefix)


def _add_resources(ctx: Context, resources: dict, order: list[str], sam_globals: dict[str, Any]) -> None:
    resolver, net, path, types = ctx.r, ctx.net, ctx.path, ctx.types
    key_lines = getattr(resources, "key_lines", {})
    for rid in order:
        res = resources[rid]
        rtype = types[rid]
        loc = Loc(path, key_lines.get(rid) or getattr(res, "line", None))
        if "Condition" in res:
            exists = resolver.condition(res["Condition"])
            if exists is False:
                continue
            if isinstance(exists, Unknown):
                net.unknowns.append((rid, f"may not exist: {exists.reason}"))
        handler = HANDLERS.get(rtype)
        raw_props = res.get("Properties") or {}
        if rtype in sam_globals:
            raw_props = merge_globals(_without_ignored(sam_globals[rtype], res.get("IgnoreGlobals")), raw_props)
        net.depends[rid] = _direct_dependencies(res, raw_props, types)
        if handler is None and rtype not in _ATTRS:
            continue
        props = resolver.resolve(raw_props)
        if not isinstance(props, dict):
            net.unknowns.append((rid, props.reason if isinstance(props, Unknown) else "Properties is not a mapping"))
            props = {}
        for attr, prop in _ATTRS.get(rtype, {}).items():
            if prop in props:
                resolver.attr_values[(rid, attr)] = props[prop]
        ctx.raw_props = raw_props
        if handler is not None:
            handler(ctx, rid, props, loc)
        obj = net.objects.get(rid)
        if isinstance(obj, m.Function):
            _function_extras(obj, net.depends[rid], types)
        _metadata(net, rid, res, obj)


def _loops_of(scan: KeyScan, path: str) -> bool:
    """As _loops(), from what the loader noted while building the template (no second walk)."""
    if scan.odd_key is not None:
        _odd_key(path, *scan.odd_key)
    return scan.loops


def _odd_key(path: str, key: Any, line: int | None) -> None:
    kind = "null" if key is None else "a boolean" if isinstance(key, bool) else "a number"
    raise InputError(path, f"key {key!r} is not a string (YAML reads it as {kind}); quote it", line)


def _loops(doc: Any, path: str) -> bool:
    """Refuse a template with a key that is not a string (`1:`, `true:`, `null:`) anywhere in it; say whether
    any key is a Fn::ForEach loop.

    A template's names and keys are strings (JSON allows nothing else); YAML reads `1:` as a number, and a
    number as a logical id, parameter, condition or property name is not what the author wrote. One line with
    the fix (quote it) instead of a KeyError later. Walked once, shared (aliased) nodes once.
    """
    loops = False
    seen: set[int] = set()
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            for key, value in item.items():
                if not isinstance(key, str):
                    _odd_key(path, key, getattr(item, "key_lines", {}).get(key))
                if key.startswith(LOOP_PREFIX):
                    loops = True
                if isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(item, list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return loops


def _includes(doc: dict, resources: dict) -> list[tuple[str, str]]:
    """Notes for `AWS::Include` transforms that may splice resources in (the Transform section, or a
    `Fn::Transform` in Resources). CloudFormation fetches the snippet from its `Location`, an Amazon S3 URI,
    when it creates a change set (AWS::Include transform, CloudFormation Template Reference): vpcreach reads
    no file and no URL for it, so what it adds is unknown, never silently absent. An include inside a
    resource's properties is already an Unknown value of that property (Fn::Transform in intrinsics.py)."""
    found: list[tuple[str, Any]] = []
    transform = doc.get("Transform")
    for item in transform if isinstance(transform, list) else [transform]:
        found.append(("Transform", item))
    for rid, res in resources.items():
        if rid == "Fn::Transform":
            found.append(("Resources", res))
        elif isinstance(res, dict) and "Fn::Transform" in res:
            found.append((str(rid), res["Fn::Transform"]))
    out = []
    for where, spec in found:
        if isinstance(spec, dict) and spec.get("Name") == "AWS::Include":
            params = spec.get("Parameters")
            location = params.get("Location") if isinstance(params, dict) else None
            named = f" from {location}" if isinstance(location, str) else ""
            out.append(
                (
                    where,
                    f"AWS::Include{named} adds template content when CloudFormation deploys it; vpcreach does not read it",
                )
            )
    return out


def _without_ignored(sam_globals: dict, ignore: Any) -> dict:
    """SAM's `IgnoreGlobals` resource attribute: "*" or a list of property names not to inherit."""
    if ignore == "*":
        return {}
    if isinstance(ignore, list):
        return {k: v for k, v in sam_globals.items() if k not in ignore}
    return sam_globals


def _direct_dependencies(res: dict, raw_props: Any, types: dict[str, str]) -> set[str]:
    depends = res.get("DependsOn")
    if isinstance(depends, str):
        depends = [depends]
    # `types` itself is the id lookup: a set copy of it per resource would make this quadratic.
    return {d for d in as_list(depends) if isinstance(d, str)} | referenced_ids(raw_props, types)


def _function_extras(fn: m.Function, depends: set[str], types: dict[str, str]) -> None:
    fn.depends_on = set(depends)
    fn.environment = {str(k): env_value(v, types) for k, v in fn.environment.items()}


def env_value(value: Any, types: dict[str, str]) -> Any:
    refs = (value,) if isinstance(value, ResRef) else getattr(value, "refs", ())
    for ref in refs:
        return m.ResourceRef(ref.id, aws.service_of_resource_type(types.get(ref.id, "")))
    if isinstance(value, (str, Unknown)):
        return value
    if isinstance(value, (int, float, bool)):
        return str(value)
    return Unknown("environment value could not be resolved")


# The keys of a resource's `Metadata.vpcreach`; anything else is a misspelling that would do nothing.
_METADATA_KEYS = ("needs", "ignore", "traffic")


def _metadata(net: m.Network, rid: str, res: dict, obj: Any) -> None:
    meta = res.get("Metadata")
    path = net.sources[0] if net.sources else ""
    line = getattr(res, "key_lines", {}).get("Metadata") or getattr(res, "line", None)
    if isinstance(meta, dict):
        for key in meta:
            if key not in ("vpcreach", "vpcreach-test") and _close(str(key), "vpcreach"):
                net.warnings.append(f"{path}:{line}: {rid}: Metadata key {str(key)!r} is not vpcreach; it is ignored")
    asset = meta.get("aws:asset:path") if isinstance(meta, dict) else None
    if (
        isinstance(obj, m.Function)
        and obj.code is None
        and isinstance(meta, dict)
        and isinstance(asset, str)
        and meta.get("aws:asset:property") == "Code"
    ):
        # A CDK function's code: the asset folder `cdk synth` wrote beside the template (cdk.out/asset.<hash>).
        folder = os.path.abspath(os.path.join(os.path.dirname(path), asset))
        obj.code = m.CodeSource("path", obj.loc, path=folder)
    own = meta.get("vpcreach") if isinstance(meta, dict) else None
    if own is not None and not isinstance(own, dict):
        net.warnings.append(
            f"{path}:{line}: {rid}: Metadata vpcreach is not a mapping of needs, ignore, traffic; it is ignored"
        )
    if not isinstance(own, dict):
        return
    for key in own:
        if key not in _METADATA_KEYS:
            net.warnings.append(
                f"{path}:{line}: {rid}: Metadata vpcreach key {str(key)!r} is not one of {', '.join(_METADATA_KEYS)}; "
                "it is ignored"
            )
    ignores = []
    for item in as_list(own.get("ignore")):
        if isinstance(item, str):
            ignores.append(m.Suppression(item))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            ignores.append(m.Suppression(item["id"], str(item.get("reason") or "")))
    if isinstance(obj, m.Function):
        needs = own.get("needs")
        needs = [n.strip() for n in needs.split(",")] if isinstance(needs, str) else as_list(needs)
        for need in needs:
            problem = aws.need_problem(need)
            if problem is not None:
                # A misspelt need would check nothing and pass: the one line naming it, exit 2.
                raise InputError(path, f"{rid}: Metadata vpcreach.needs: {problem}", line)
        obj.declared_needs = [str(n) for n in needs if isinstance(n, (str, int))]
        obj.ignores = ignores
        traffic = own.get("traffic")
        if isinstance(traffic, dict):
            obj.traffic_gb = {str(k): gb for k, v in traffic.items() if (gb := _volume(v)) is not None}
    elif ignores:
        net.ignores[rid] = ignores


def _close(word: str, wanted: str) -> bool:
    """A misspelling of `wanted` (one or two letters off), not another tool's key."""
    lowered = word.lower()
    if lowered == wanted:
        return True
    if abs(len(lowered) - len(wanted)) > 2:
        return False  # too long or short to be a slip of one or two letters (most Metadata keys: no work)
    from difflib import SequenceMatcher

    return SequenceMatcher(None, lowered, wanted).ratio() >= 0.8


def _volume(value: Any) -> float | None:
    """A traffic volume in GB: a finite number (not .inf, .nan, or an int too big for a float)."""
    if not isinstance(value, (int, float)):
        return None
    try:
        gb = float(value)
    except OverflowError:
        return None
    return gb if math.isfinite(gb) else None


def _attach_managed_policy_statements(net: m.Network, types: dict[str, str]) -> None:
    # A role listing a template-defined managed policy in ManagedPolicyArns gets its statements directly.
    for role in net.of(m.Role):
        keep = []
        for arn in role.managed_policy_arns:
            policy = net.get(arn.id) if isinstance(arn, ResRef) else None
            if isinstance(policy, m.Policy):
                role.statements.extend(policy.statements)
            elif isinstance(arn, ResRef):
                keep.append(Unknown(f"managed policy {arn.id} could not be read"))
            else:
                keep.append(arn)
        role.managed_policy_arns = keep
