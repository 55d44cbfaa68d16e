"""Lambda functions: AWS::Lambda::Function and SAM's AWS::Serverless::Function.

SAM semantics are applied here [SAM][SAMG]: `Globals.Function` is merged into every serverless function
(maps merge, lists are prepended), and when `Role` is omitted SAM generates a role with
AWSLambdaBasicExecutionRole plus AWSLambdaVPCAccessExecutionRole iff VpcConfig is set. SAM without a
Transform line is still read as SAM (DESIGN decision 10).
"""

from __future__ import annotations

import os
from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import Loc, Unknown

from .intrinsics import Derived, ResRef
from .resources import Context, event_source_service, handles, managed_arns, statements
from .values import as_list, to_bool, to_ref, to_refs, to_str

_SAM_EVENT_SOURCES = {
    "SQS": "sqs",
    "Kinesis": "kinesis",
    "DynamoDB": "dynamodb",
    "MSK": "kafka",
    "SelfManagedKafka": "kafka",
    "MQ": "mq",
    "DocumentDB": "docdb",
}


def merge_globals(global_props: Any, props: Any) -> Any:
    """SAM's Globals merge: dicts merge key by key, lists are global-first, anything else is overridden."""
    if isinstance(global_props, dict) and isinstance(props, dict) and not _is_intrinsic(props):
        out = dict(global_props)
        for key, value in props.items():
            out[key] = merge_globals(global_props[key], value) if key in global_props else value
        return out
    if isinstance(global_props, list) and isinstance(props, list):
        return list(global_props) + list(props)
    return props


def _is_intrinsic(value: dict) -> bool:
    return any(str(k) == "Ref" or str(k).startswith("Fn::") for k in value)


def _role_ref(value: Any) -> str | Unknown | None:
    if value is None:
        return None
    if isinstance(value, ResRef):
        return value.id
    if isinstance(value, Derived) and value.refs:
        return value.refs[0].id
    if isinstance(value, str):
        return m.External(value, f"execution role {value} is defined outside the template")
    if isinstance(value, Unknown):
        return value
    return Unknown("execution role could not be resolved")


@handles("AWS::Lambda::Function", "AWS::Serverless::Function")
def _function(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    is_sam = ctx.types[rid] == "AWS::Serverless::Function"
    vpc = p.get("VpcConfig")
    fn = m.Function(rid, loc, name=to_str(p.get("FunctionName")))
    if isinstance(vpc, Unknown):
        fn.has_vpc_config = True
        fn.subnets = vpc
        fn.security_groups = vpc
    elif isinstance(vpc, dict):
        subnets = to_refs(vpc.get("SubnetIds"), "SubnetIds")
        sgs = to_refs(vpc.get("SecurityGroupIds"), "SecurityGroupIds")
        # Both lists empty (a common way to switch VPC off through parameters) means no VPC attachment.
        fn.has_vpc_config = not (subnets == [] and sgs == [])
        fn.subnets, fn.security_groups = subnets, sgs
        fn.ipv6_dual_stack = to_bool(vpc.get("Ipv6AllowedForDualStack"), False)
    provider = _capacity_provider(p.get("CapacityProviderConfig"), is_sam)
    if isinstance(provider, str):
        fn.compute = provider  # the provider's placement replaces VpcConfig (DESIGN decision 11) [LMI]
    elif provider is not None:
        fn.managed_instances = provider
    env = p.get("Environment")
    if isinstance(env, dict) and isinstance(env.get("Variables"), dict):
        fn.environment = dict(env["Variables"])
    _needs_evidence(ctx, fn, p, is_sam)
    fn.role = _role_ref(p.get("Role"))
    if is_sam:
        if fn.role is None:
            fn.role = _sam_role(ctx, rid, p, loc, fn.has_vpc_config)
        _sam_events(ctx, rid, p, loc)
    ctx.net.add(fn)


def _needs_evidence(ctx: Context, fn: m.Function, p: dict, is_sam: bool) -> None:
    """What else tells what the function needs: the file systems it mounts (FileSystemConfigs, by access point
    until every resource is read), its layers, and where its code is."""
    for config in as_list(p.get("FileSystemConfigs")):
        if isinstance(config, dict):
            fn.file_systems.append(to_ref(config.get("Arn"), "FileSystemConfigs Arn"))
    fn.layers = [layer if isinstance(layer, str) else Unknown("layer") for layer in as_list(p.get("Layers"))]
    runtime = p.get("Runtime") if isinstance(p.get("Runtime"), str) else None
    raw = ctx.raw_props if isinstance(ctx.raw_props, dict) else {}
    lines = getattr(raw, "key_lines", {})
    code = p.get("Code") if not is_sam else None
    inline, key = (p.get("InlineCode"), "InlineCode") if is_sam else (None, "")
    if isinstance(code, dict):
        inline, key = code.get("ZipFile"), "ZipFile"
        lines = getattr(raw.get("Code"), "key_lines", {})
    if isinstance(inline, str):
        line = lines.get(key) or fn.loc.line or 1
        # A YAML block scalar (`ZipFile: |`) starts on the line below its key; a JSON string is all on its line.
        one_line = fn.loc.file.endswith(".json")
        block = not one_line and ("\n" in inline.rstrip("\n") or inline.endswith("\n"))
        first = line + 1 if block else line
        fn.code = m.CodeSource("inline", Loc(fn.loc.file, first), text=inline, runtime=runtime, one_line=one_line)
    elif is_sam and isinstance(p.get("CodeUri"), str) and "://" not in p["CodeUri"]:
        # SAM reads a local CodeUri relative to the template's folder [SAMCU]; an S3 URI is not local.
        folder = os.path.abspath(os.path.join(os.path.dirname(fn.loc.file), p["CodeUri"]))
        fn.code = m.CodeSource("path", fn.loc, path=folder, runtime=runtime)


def _capacity_provider(config: Any, is_sam: bool) -> str | Unknown | None:
    """The capacity provider a function runs on: SAM `CapacityProviderConfig.Arn`, CloudFormation
    `CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig.CapacityProviderArn` [LMI]."""
    if config is None:
        return None
    inner = config.get("LambdaManagedInstancesCapacityProviderConfig") if isinstance(config, dict) else None
    arn = inner.get("CapacityProviderArn") if isinstance(inner, dict) else None
    if arn is None and is_sam and isinstance(config, dict):
        arn = config.get("Arn")
    ref = to_ref(arn, "CapacityProviderArn") if arn is not None else None
    if isinstance(ref, str):
        return ref
    why = (
        f"its capacity provider {ref.value} is defined outside the template"
        if isinstance(ref, m.External)
        else f"its capacity provider is unresolved ({ref.reason})"
        if isinstance(ref, Unknown)
        else "its CapacityProviderConfig names no capacity provider"
    )
    return Unknown(
        f"the function runs on Lambda Managed Instances, whose VPC configuration lives on the capacity provider, and {why}"
    )


@handles(*aws.CAPACITY_PROVIDER_TYPES[:2])
def _capacity_provider_resource(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    """A Managed Instances capacity provider: its VpcConfig places the instances [LMI]. SecurityGroupIds may be
    empty or (SAM) omitted: the VPC's default security group."""
    vpc = p.get("VpcConfig")
    if isinstance(vpc, dict):
        subnets, sgs = (
            to_refs(vpc.get("SubnetIds"), "SubnetIds"),
            to_refs(vpc.get("SecurityGroupIds"), "SecurityGroupIds"),
        )
    else:
        subnets = sgs = vpc if isinstance(vpc, Unknown) else Unknown("the capacity provider has no VpcConfig")
    ctx.net.add(m.ComputePlacement(rid, loc, aws.CAPACITY_PROVIDER, subnets, sgs))


@handles(*aws.NETWORK_CONNECTOR_TYPES)
def _network_connector(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    """A network connector's VPC egress configuration [NC]: CloudFormation Configuration.VpcEgressConfiguration,
    SAM VpcConfig; SubnetIds, SecurityGroupIds (0-5, none: the VPC's default group), NetworkProtocol IPv4|DualStack."""
    if ctx.types[rid] == "AWS::Serverless::NetworkConnector":
        vpc = p.get("VpcConfig")
    else:
        config = p.get("Configuration")
        vpc = config.get("VpcEgressConfiguration") if isinstance(config, dict) else config
    if isinstance(vpc, dict):
        subnets, sgs = (
            to_refs(vpc.get("SubnetIds"), "SubnetIds"),
            to_refs(vpc.get("SecurityGroupIds"), "SecurityGroupIds"),
        )
        protocol = to_str(vpc.get("NetworkProtocol"))
        dual: bool | Unknown = protocol.lower() == "dualstack" if isinstance(protocol, str) else (protocol or False)
    else:
        subnets = sgs = (
            vpc if isinstance(vpc, Unknown) else Unknown("the network connector has no VPC egress configuration")
        )
        dual = False
    ctx.net.add(m.ComputePlacement(rid, loc, aws.NETWORK_CONNECTOR, subnets, sgs, dual))


@handles(*aws.CONNECTOR_USERS)
def _connector_user(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    """MicroVM images (EgressNetworkConnectors) and Web Function revisions (ServiceConfig.EgressNetworkConnectorArn,
    a version-qualified ARN) name the connector their egress goes through [NC]; AWS-managed connectors (an ARN) are
    not in the source and are not followed."""
    if ctx.types[rid] == "AWS::Lambda::MicrovmImage":
        named = as_list(p.get("EgressNetworkConnectors"))
    else:
        service = p.get("ServiceConfig")
        named = [service.get("EgressNetworkConnectorArn")] if isinstance(service, dict) else []
    for i, value in enumerate(named):
        ref = _role_ref(value)  # a GetAtt or a Sub around one resource names that resource
        if isinstance(ref, str) and ctx.types.get(ref) in aws.NETWORK_CONNECTOR_TYPES:
            ctx.net.add(m.ComputeUse(f"{rid}#connector{i}", loc, placement=ref))


def _sam_role(ctx: Context, rid: str, p: dict, loc: Loc, has_vpc: bool) -> str:
    arns: list[str | Unknown] = [aws.BASIC_EXECUTION_POLICY_ARN]
    if has_vpc:
        arns.append(aws.VPC_ACCESS_POLICY_ARN)
    role = m.Role(f"{rid}Role", loc, managed_policy_arns=arns)
    policies = p.get("Policies")
    if isinstance(policies, (str, dict)):
        policies = [policies]
    if isinstance(policies, Unknown):
        role.statements.append(m.PolicyStatement(actions=policies))
    for pol in as_list(policies):
        if isinstance(pol, (str, Unknown, ResRef)):
            role.managed_policy_arns.extend(managed_arns([pol]))
        elif isinstance(pol, dict) and "Statement" in pol:
            role.statements.extend(statements(pol))
        elif isinstance(pol, dict) and len(pol) == 1:
            role.policy_templates.append(str(next(iter(pol))))
    ctx.net.add(role)
    return role.id


def _sam_events(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    events = p.get("Events")
    if not isinstance(events, dict):
        return
    for name, event in events.items():
        if not isinstance(event, dict):
            continue
        service = _SAM_EVENT_SOURCES.get(str(event.get("Type")))
        if service is None:
            continue
        properties = event.get("Properties")
        props = properties if isinstance(properties, dict) else {}
        source = props.get("Queue", props.get("Stream"))
        detected = event_source_service(ctx, source) if source is not None else service
        ctx.net.add(
            m.EventSourceMapping(
                f"{rid}{name}", loc, function=rid, source_service=detected if isinstance(detected, str) else service
            )
        )
