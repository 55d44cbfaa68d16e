"""A Serverless Framework service (its variables resolved) → the CloudFormation template the framework deploys.

Only what vpcreach reads is generated: a `<Name>LambdaFunction` per function with its VpcConfig, Role,
Environment, Layers and file systems, the shared `IamRoleLambdaExecution` (iam.py), the event source mappings
(events.py), then `resources` merged in as the framework merges it. Every generated resource keeps the line
of what it comes from in serverless.yml (a function's key, an event, the provider's `iam`), so findings point
there.
"""

from __future__ import annotations

import math
import re
from typing import Any

from vpcreach.graph.model import Unknown, UnknownItems

from ..yaml_loader import Mapping
from . import events, iam, naming

MAX_MERGE_DEPTH = 100


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness, which the framework's `a || b` fallbacks use: [] and {} are true."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    return True


def _js_or(first: Any, second: Any) -> Any:
    return first if js_truthy(first) else second


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def functions_of(config: dict) -> dict:
    """`functions`: a mapping, or (framework v3) a list of mappings merged in order."""
    value = config.get("functions")
    if isinstance(value, list):
        out = Mapping()
        for part in value:
            if isinstance(part, dict):
                out.update(part)
                out.key_lines.update(getattr(part, "key_lines", {}))
        return out
    return value if isinstance(value, dict) else {}


def vpc_config(function: dict, provider: dict) -> Any:
    """functions.js compileFunction: the function's VpcConfig, key by key from the function's `vpc`, else
    provider.vpc; none when the function sets `vpc: false`/null or runs on a capacity provider, or when no
    security groups or no subnets result (`!VpcConfig.SecurityGroupIds || !VpcConfig.SubnetIds`)."""
    if function.get("capacityProvider"):
        return None
    if "vpc" in function and (function["vpc"] is None or function["vpc"] is False):
        return None
    own = function.get("vpc")
    shared = provider.get("vpc")
    for value, where in ((own, "the function's vpc"), (shared, "provider.vpc")):
        if isinstance(value, Unknown):
            if (
                where == "provider.vpc"
                and isinstance(own, dict)
                and own.get("subnetIds")
                and own.get("securityGroupIds")
            ):
                break
            return Unknown(f"{where} could not be resolved: {value.reason}")
    own = _mapping(_js_or(own, {}))
    shared = _mapping(_js_or(shared, {}))
    groups = _js_or(own.get("securityGroupIds"), shared.get("securityGroupIds"))
    subnets = _js_or(own.get("subnetIds"), shared.get("subnetIds"))
    if not js_truthy(groups) or not js_truthy(subnets):
        return None
    config: dict[str, Any] = {"SecurityGroupIds": _list(groups), "SubnetIds": _list(subnets)}
    dual = own["ipv6AllowedForDualStack"] if "ipv6AllowedForDualStack" in own else shared.get("ipv6AllowedForDualStack")
    if dual is not None:
        config["Ipv6AllowedForDualStack"] = dual
    return config


def _list(value: Any) -> Any:
    """A list-valued setting given by one variable: a list of unknown length when the variable is unknown."""
    if isinstance(value, Unknown) and not isinstance(value, UnknownItems):
        return UnknownItems(value.reason)
    return value


def per_function_iam(config: dict) -> bool:
    """Whether function-level IAM settings exist for this service: framework v4 (or no frameworkVersion), or
    the serverless-iam-roles-per-function plugin that v4 built in (iam.py)."""
    plugins = config.get("plugins")
    if isinstance(plugins, dict):
        plugins = plugins.get("modules")
    if isinstance(plugins, list) and "serverless-iam-roles-per-function" in plugins:
        return True
    version = config.get("frameworkVersion")
    match = re.search(r"\d+", str(version)) if version is not None else None
    return match is None or int(match.group()) >= 4


def template(config: dict, stage: Any) -> tuple[Mapping, dict[str, str]]:
    """The CloudFormation template (lines kept) that the framework would deploy for `config`, and the event
    source service of each event source mapping it generates, as its event's key names it."""
    provider = _mapping(config.get("provider"))
    functions = functions_of(config)
    custom = _mapping(config.get("custom"))
    service = config.get("service")
    if isinstance(service, dict):  # framework v1: service: {name: ...}
        service = service.get("name")
    per_function = per_function_iam(config)
    resources = Mapping()
    role_statements: list[dict[str, Any]] = []
    roles: dict[str, str] = {}  # function name -> the id of its dedicated role
    kinds: dict[str, str] = {}  # event source mapping id -> the service its event's key names
    lines = getattr(functions, "key_lines", {})
    for name, function in functions.items():
        if not isinstance(function, dict):
            continue
        fid = naming.function_id(str(name))
        line = lines.get(name)
        mapped, statements, known = events.mappings(str(name), fid, function.get("events"), line)
        kinds.update(known)
        for rid, res in mapped.items():
            _put(resources, rid, res, res.line)
        if iam.uses_dedicated_role(function, provider, per_function):
            rid = naming.normalized(str(name)) + iam.ROLE_ID  # roles-per-function.js roleResourceName
            _put(resources, rid, iam.dedicated_role(function, provider, custom, statements, line), line)
            roles[str(name)] = rid
        elif iam.custom_role(function, provider) is None:
            role_statements.extend(statements)  # sqs.js / stream.js: the shared role serves the poller
    role = iam.generated_role(provider, functions, role_statements, _role_line(config, provider), per_function)
    if role is not None:
        _put(resources, iam.ROLE_ID, role, role.line)
    for name, function in functions.items():
        if not isinstance(function, dict):
            continue
        fid = naming.function_id(str(name))
        res = _function(
            str(name),
            function,
            provider,
            service,
            stage,
            roles.get(str(name)) or (iam.ROLE_ID if role is not None else None),
        )
        res.line = lines.get(name)
        _put(resources, fid, res, res.line)
    doc = Mapping({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
    _merge_resources(doc, config.get("resources"))
    return doc, kinds


def _put(resources: Mapping, rid: str, resource: Mapping, line: int | None) -> None:
    """A generated resource, at the serverless.yml line it comes from."""
    resources[rid] = resource
    if line is not None:
        resources.key_lines[rid] = line


def _role_line(config: dict, provider: dict) -> int | None:
    provider_lines = getattr(provider, "key_lines", {})
    for key in ("iam", "iamRoleStatements", "role"):
        if key in provider_lines:
            return provider_lines[key]
    return getattr(config, "key_lines", {}).get("provider")


def _function(name: str, function: dict, provider: dict, service: Any, stage: Any, default_role: str | None) -> Mapping:
    props: dict[str, Any] = {}
    given = function.get("name")
    if given is not None:
        props["FunctionName"] = given
    elif isinstance(service, str) and isinstance(stage, str):
        props["FunctionName"] = f"{service}-{stage}-{name}"  # the framework's default name (naming.js)
    custom = iam.custom_role(function, provider)
    depends: str | None = None
    if default_role is not None and default_role != iam.ROLE_ID:  # its dedicated role (roles-per-function.js)
        props["Role"] = {"Fn::GetAtt": [default_role, "Arn"]}
        depends = default_role
    elif custom is not None:
        props["Role"] = iam.role_property(custom)
        depends = iam.role_dependency(custom)
    elif default_role is not None:
        props["Role"] = {"Fn::GetAtt": [default_role, "Arn"]}
    vpc = vpc_config(function, provider)
    if vpc is not None:
        props["VpcConfig"] = vpc
    shared_env, own_env = provider.get("environment"), function.get("environment")
    if js_truthy(shared_env) or js_truthy(own_env):
        variables: dict[str, Any] = {}
        for part in (shared_env, own_env):  # Object.assign({}, provider.environment, function.environment)
            if isinstance(part, dict):
                variables.update(part)
            elif isinstance(part, Unknown):
                variables[f"(environment: {part.reason})"] = part
        props["Environment"] = {"Variables": variables}
    layers = _js_or(function.get("layers"), provider.get("layers"))
    if layers is not None:
        props["Layers"] = layers
    if function.get("capacityProvider"):
        props["CapacityProviderConfig"] = {"LambdaManagedInstancesCapacityProviderConfig": function["capacityProvider"]}
    fs = function.get("fileSystemConfig")
    if isinstance(fs, dict):
        props["FileSystemConfigs"] = [{"Arn": fs.get("arn"), "LocalMountPath": fs.get("localMountPath")}]
    out = Mapping({"Type": "AWS::Lambda::Function", "Properties": props})
    if depends is not None:
        out["DependsOn"] = [depends]
    own = function.get("vpcreach")
    if own is not None:
        out["Metadata"] = {"vpcreach": own}
    return out


def _merge_resources(doc: Mapping, given: Any) -> None:
    """merge-custom-provider-resources.js: `resources` (a mapping, or a list of them) is deep-merged into the
    compiled template (lodash merge), then `resources.extensions` patches generated resources."""
    parts = given if isinstance(given, list) else [given]
    for part in parts:
        if not isinstance(part, dict):
            continue
        extensions = part.get("extensions")
        rest = Mapping({k: v for k, v in part.items() if k != "extensions"})
        rest.key_lines = dict(getattr(part, "key_lines", {}))
        rest.line = getattr(part, "line", None)
        _merge(doc, rest, 0)
        if isinstance(extensions, dict):
            _extend(doc["Resources"], extensions)


def _merge(target: dict, source: dict, depth: int) -> None:
    """lodash `_.merge`: mappings merged key by key, lists index by index, anything else replaced."""
    if depth > MAX_MERGE_DEPTH:
        return
    lines = getattr(target, "key_lines", None)
    source_lines = getattr(source, "key_lines", {})
    for key, value in source.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            if not isinstance(current, Mapping):
                current = _as_mapping(current)
                target[key] = current
            _merge(current, value, depth + 1)
        elif isinstance(current, list) and isinstance(value, list):
            merged = list(current)
            for i, item in enumerate(value):
                if i < len(merged) and isinstance(merged[i], dict) and isinstance(item, dict):
                    copy = _as_mapping(merged[i])
                    _merge(copy, item, depth + 1)
                    merged[i] = copy
                elif i < len(merged):
                    merged[i] = item
                else:
                    merged.append(item)
            target[key] = merged
        else:
            target[key] = value
            if lines is not None and key in source_lines:
                lines[key] = source_lines[key]


def _as_mapping(value: dict) -> Mapping:
    out = Mapping(value)
    out.line = getattr(value, "line", None)
    out.key_lines = dict(getattr(value, "key_lines", {}))
    return out


_EXTENSIBLE = {"Condition", "CreationPolicy", "DeletionPolicy", "UpdatePolicy", "UpdateReplacePolicy"}


def _extend(resources: dict, extensions: dict) -> None:
    """`resources.extensions`: Properties and Metadata patched key by key (Object.assign), DependsOn appended,
    the policies and Condition replaced, on resources the framework generated."""
    for rid, ext in extensions.items():
        res = resources.get(rid)
        if not isinstance(res, dict) or not isinstance(ext, dict):
            continue
        for attr, value in ext.items():
            if attr in _EXTENSIBLE:
                res[attr] = value
            elif attr in ("Properties", "Metadata") and isinstance(value, dict):
                res[attr] = {**_mapping(res.get(attr)), **value}
            elif attr == "DependsOn" and isinstance(value, list):
                depends = res.get("DependsOn")
                res["DependsOn"] = ([depends] if isinstance(depends, str) else list(depends or [])) + value
