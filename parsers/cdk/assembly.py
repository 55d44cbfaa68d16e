"""A CDK app's cloud assembly (`cdk.out`, what `cdk synth` writes) → one `graph.model.Network` of all its stacks.

The assembly's manifest.json lists its artifacts (AWS CDK cloud-assembly-schema, artifact-schema.ts and
cloud-assembly/schema.ts): each `aws:cloudformation:stack` names its `templateFile` (relative to the assembly),
its `stackName` (else the artifact id) and its `environment` (`aws://account/region`); each
`cdk:asset-manifest` names its `file`, the stack's `*.assets.json`, whose `files` entries give each asset's
`source.path` (an asset folder `asset.<hash>`, or a nested stack's `*.nested.template.json`).

The stacks are scanned together, so that what one stack exports (Outputs with `Export.Name`, which CDK names
`<stack>:ExportsOutput...`) resolves where another imports it with Fn::ImportValue. CDK derives a resource's
logical id from its construct path inside the stack, so two stacks often hold the same logical id: in an
assembly of several stacks each resource is named `<artifact id>/<logical id>`. A nested stack whose template
CDK wrote into the assembly is read with the parameters its parent passes it (resolved in the parent), its
resources named `<parent prefix><stack resource id>/<logical id>`; its outputs read by the parent stay unknown.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

from vpcreach.graph import model as m

from ..cfn import looks_like_template, parse_template
from ..cfn.intrinsics import Derived, Resolver, ResRef
from ..errors import InputError
from ..files import FileRefused, confine
from ..yaml_loader import load_document, read_text

STACK = "aws:cloudformation:stack"
ASSETS = "cdk:asset-manifest"
MAX_STACKS = 500
MAX_NESTING = 10  # nested stacks inside nested stacks, followed this deep


def read_manifest(folder: str) -> dict | None:
    """The assembly's manifest, or None when `folder` holds none (or not one that lists a stack)."""
    path = os.path.join(folder, "manifest.json")
    try:
        doc = json.loads(read_text(path))
    except (InputError, ValueError):
        return None
    artifacts = doc.get("artifacts") if isinstance(doc, dict) else None
    if not isinstance(artifacts, dict):
        return None
    if not any(isinstance(a, dict) and a.get("type") == STACK for a in artifacts.values()):
        return None
    return doc


def stacks(manifest: dict) -> list[tuple[str, str, str, str | None]]:
    """(artifact id, template file, stack name, region) of each stack, in manifest order."""
    out = []
    for artifact_id, artifact in manifest["artifacts"].items():
        if not isinstance(artifact, dict) or artifact.get("type") != STACK:
            continue
        props = _props(artifact)
        template = props.get("templateFile")
        if not isinstance(template, str):
            continue
        name = str(props.get("stackName") or artifact_id)
        env = artifact.get("environment")
        region = env.rsplit("/", 1)[-1] if isinstance(env, str) and env.startswith("aws://") else None
        out.append((str(artifact_id), template, name, None if region in (None, "", "unknown-region") else region))
    return out


def _props(artifact: dict) -> dict:
    props = artifact.get("properties")
    return props if isinstance(props, dict) else {}


def asset_paths(folder: str, manifest: dict, root: str) -> dict[str, list[str]]:
    """Stack artifact id → the paths (inside the assembly) of its file assets: Lambda code folders and
    nested stack templates, from its `*.assets.json`."""
    out: dict[str, list[str]] = {}
    for artifact_id, artifact in manifest["artifacts"].items():
        if not isinstance(artifact, dict) or artifact.get("type") != ASSETS:
            continue
        file = _props(artifact).get("file")
        if not isinstance(file, str):
            continue
        try:
            doc = json.loads(read_text(confine(os.path.join(folder, file), root)))
        except (FileRefused, InputError, ValueError):
            continue
        files = doc.get("files") if isinstance(doc, dict) else None
        paths = []
        for entry in files.values() if isinstance(files, dict) else []:
            source = entry.get("source") if isinstance(entry, dict) else None
            path = source.get("path") if isinstance(source, dict) else None
            if isinstance(path, str):
                paths.append(os.path.join(folder, path))
        stack = str(artifact_id).removesuffix(".assets")
        out[stack] = paths
    return out


def parse_assembly(folder: str, params: dict[str, str] | None = None, root: str | None = None) -> m.Network:
    """Every stack of the assembly in `folder`, as one network; cross-stack imports resolved."""
    root = root if root is not None else folder
    manifest = read_manifest(folder)
    if manifest is None:
        raise InputError(os.path.join(folder, "manifest.json"), "not a CDK cloud assembly manifest (no stack artifact)")
    found = stacks(manifest)[:MAX_STACKS]
    templates: list[tuple[str, str, dict, dict[str, str]]] = []
    for artifact_id, file, _name, region in found:
        path = os.path.join(folder, file)
        try:
            confine(path, root)
        except FileRefused as exc:
            raise InputError(path, str(exc)) from None
        doc = load_document(read_text(path), path)
        if not looks_like_template(doc):
            raise InputError(path, "not a CloudFormation template (no Resources with AWS:: types)")
        stack_params = dict(params or {})
        if region:
            stack_params.setdefault("AWS::Region", region)
        templates.append((artifact_id, path, doc, stack_params))
    several = len(templates) > 1
    exports: dict[str, Any] = {}
    foreign: dict[str, str] = {}
    for artifact_id, _path, doc, stack_params in templates:
        prefix = f"{artifact_id}/" if several else ""
        types = _types(doc)
        foreign.update({prefix + rid: rtype for rid, rtype in types.items()})
        exports.update(_exports(doc, stack_params, types, prefix))
    net = m.Network(sources=[folder])
    for artifact_id, path, doc, stack_params in templates:
        prefix = f"{artifact_id}/" if several else ""
        context = _Context(folder, root, exports, foreign)
        for part in _stack(context, path, doc, stack_params, prefix, None, 0):
            _merge(net, part)
    net.assets.extend(p for paths in asset_paths(folder, manifest, root).values() for p in paths)
    return net


class _Context:
    def __init__(self, folder: str, root: str, exports: dict[str, Any], foreign: dict[str, str]) -> None:
        self.folder, self.root, self.exports, self.foreign = folder, root, exports, foreign


def _stack(
    ctx: _Context, path: str, doc: dict, params: dict[str, str], prefix: str, values: dict | None, depth: int
) -> list[m.Network]:
    """One stack's network, its resources named with `prefix`, then those of the nested stacks it deploys whose
    templates the assembly holds (named `<prefix><stack resource>/`), with the parameters it passes them."""
    types = _types(doc)
    part = parse_template(doc, path, params, ctx.root, ctx.exports, ctx.foreign, values)
    nested = _nested(ctx, doc, types) if depth < MAX_NESTING else {}
    out: list[m.Network] = []
    if nested:
        resolver = Resolver(doc, params, set(types), ctx.exports, values)
        for rid, (child_path, child_doc) in nested.items():
            obj = part.objects.get(rid)
            if isinstance(obj, m.Function) and obj.stand_in is not None:
                del part.objects[rid]  # the stand-in for a nested stack whose template is not read
            props = doc["Resources"][rid].get("Properties")
            given = resolver.resolve(props.get("Parameters")) if isinstance(props, dict) else None
            passed = (
                {str(k): _prefixed(v, set(types), prefix) for k, v in given.items()} if isinstance(given, dict) else {}
            )
            ctx.foreign.update({f"{prefix}{rid}/{k}": v for k, v in _types(child_doc).items()})
            out.extend(_stack(ctx, child_path, child_doc, params, f"{prefix}{rid}/", passed, depth + 1))
    if prefix:
        _rename(part, set(part.objects) | set(types), prefix)
    return [part, *out]


def _nested(ctx: _Context, doc: dict, types: dict[str, str]) -> dict[str, tuple[str, dict]]:
    """Nested stack resource id → (template path, template) for the AWS::CloudFormation::Stack resources whose
    template CDK wrote into the assembly: their Metadata `aws:asset:path` names it (aws-cdk-lib
    core/lib/nested-stack.ts, addResourceMetadata, when asset metadata is on, as the CDK CLI sets it)."""
    out = {}
    for rid, rtype in types.items():
        if rtype != "AWS::CloudFormation::Stack":
            continue
        meta = doc["Resources"][rid].get("Metadata")
        file = meta.get("aws:asset:path") if isinstance(meta, dict) else None
        if not isinstance(file, str) or not file.endswith(".json"):
            continue
        path = os.path.join(ctx.folder, file)
        try:
            confine(path, ctx.root)
        except FileRefused:
            continue
        if not os.path.isfile(path):
            continue
        child = load_document(read_text(path), path)
        if looks_like_template(child):
            out[rid] = (path, child)
    return out


def _types(doc: dict) -> dict[str, str]:
    resources = doc.get("Resources")
    return (
        {str(k): str(v.get("Type", "")) for k, v in resources.items() if isinstance(v, dict)}
        if isinstance(resources, dict)
        else {}
    )


def _exports(doc: dict, params: dict[str, str], types: dict[str, str], prefix: str) -> dict[str, Any]:
    """Export name → value of a stack's exported outputs, its resource references named with `prefix`."""
    outputs = doc.get("Outputs")
    if not isinstance(outputs, dict):
        return {}
    resolver = Resolver(doc, params, set(types))
    out: dict[str, Any] = {}
    for output in outputs.values():
        if not isinstance(output, dict) or not isinstance(output.get("Export"), dict):
            continue
        name = resolver.resolve(output["Export"].get("Name"))
        if isinstance(name, str) and "Value" in output:
            out[name] = _prefixed(resolver.resolve(output["Value"]), set(types), prefix)
    return out


def _prefixed(value: Any, ids: set[str], prefix: str) -> Any:
    if not prefix:
        return value
    if isinstance(value, ResRef):
        return ResRef(prefix + value.id, value.attr) if value.id in ids else value
    if isinstance(value, Derived):
        refs = tuple(_prefixed(r, ids, prefix) for r in value.refs)
        pieces = [_prefixed(p, ids, prefix) for p in value.pieces] if value.pieces is not None else None
        return type(value)(value.reason, refs, pieces)
    if isinstance(value, list):
        return [_prefixed(v, ids, prefix) for v in value]
    return value


def _rename(net: m.Network, ids: set[str], prefix: str) -> None:
    """Name every resource of one stack's network `<prefix><logical id>`, and every reference to one."""

    def name(value: str) -> str:
        head, sep, tail = value.partition("#")  # derived ids: `<vpc>#default-sg`, `<vpc>#main-rt`
        return prefix + value if value in ids else (prefix + head + sep + tail if sep and head in ids else value)

    def walk(value: Any, depth: int = 0) -> Any:
        if depth > 50:
            return value
        if isinstance(value, str):
            return name(value)
        if isinstance(value, list):
            return [walk(v, depth + 1) for v in value]
        if isinstance(value, tuple):
            return tuple(walk(v, depth + 1) for v in value)
        if isinstance(value, set):
            return {walk(v, depth + 1) for v in value}
        if isinstance(value, dict):
            return {walk(k, depth + 1): walk(v, depth + 1) for k, v in value.items()}
        if isinstance(value, ResRef):
            return ResRef(name(value.id), value.attr)
        if isinstance(value, m.Loc):
            return value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: walk(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
            if type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
                return dataclasses.replace(value, **changes)
            for key, new in changes.items():
                setattr(value, key, new)
            return value
        return value  # Unknown and External name nothing of this stack

    net.objects = {name(k): walk(v) for k, v in net.objects.items()}
    net.unknowns = [(name(i), reason) for i, reason in net.unknowns]
    net.ignores = {name(k): v for k, v in net.ignores.items()}
    net.depends = {name(k): {name(d) for d in v} for k, v in net.depends.items()}


def _merge(net: m.Network, part: m.Network) -> None:
    net.sources.extend(s for s in part.sources if s not in net.sources)
    net.objects.update(part.objects)
    net.unknowns.extend(part.unknowns)
    net.ignores.update(part.ignores)
    net.depends.update(part.depends)
    net.notes.extend(part.notes)
    net.region = net.region or part.region
