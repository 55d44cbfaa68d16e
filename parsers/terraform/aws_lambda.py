"""Lambda functions and event source mappings.

A function whose `vpc_config` lists no subnets and no security groups is not in a VPC [TFL]; one on a
capacity provider (Lambda Managed Instances) takes the provider's placement (DESIGN decision 11).
"""

from __future__ import annotations

from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import External, Unknown

from .aws_context import Context, handles
from .aws_iam import ROLE_TYPES
from .instance import ResourceInstance, TfRef
from .values import Derived, Named


# --- Lambda ------------------------------------------------------------------------------------------
def _env_value(ctx: Context, value: Any) -> Any:
    refs: tuple[TfRef, ...]
    if isinstance(value, Named):
        refs = (value.ref,)
    elif isinstance(value, TfRef):
        refs = (value,)
    elif isinstance(value, Derived):
        refs = value.refs
    else:
        refs = ()
    for ref in refs:
        target = ctx.by_addr.get(ref.address)
        if target is None:
            continue
        return m.ResourceRef(ref.address, aws.service_of_resource_type(target.type))
    if isinstance(value, (str, Unknown)):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, TfRef):
        return Unknown(f"{value.address}.{value.attr} is not in the analysed configuration")
    return Unknown("environment value could not be resolved")


def _capacity_provider(ctx: Context, v: dict) -> str | Unknown:
    """capacity_provider_config.lambda_managed_instances_capacity_provider_config.capacity_provider_arn [LMI]."""
    config = ctx.block(v, "capacity_provider_config")
    inner = ctx.block(config, "lambda_managed_instances_capacity_provider_config") if isinstance(config, dict) else None
    arn = inner.get("capacity_provider_arn") if isinstance(inner, dict) else None
    ref = ctx.ref(arn, "capacity provider", ("aws_lambda_capacity_provider",)) if arn is not None else None
    if isinstance(ref, str):
        return ref
    why = (
        f"its capacity provider {ref.value} is defined outside the configuration"
        if isinstance(ref, External)
        else f"its capacity provider is unresolved ({ref.reason})"
        if isinstance(ref, Unknown)
        else "its capacity_provider_config names no capacity provider"
    )
    return Unknown(
        f"the function runs on Lambda Managed Instances, whose VPC configuration lives on the capacity provider, and {why}"
    )


@handles("aws_lambda_capacity_provider")
def _capacity_provider_resource(ctx: Context, inst: ResourceInstance) -> None:
    """A Managed Instances capacity provider's vpc_config places the instances [LMI] (AWS provider
    aws_lambda_capacity_provider, vpc_config { subnet_ids, security_group_ids }, as bridged in Pulumi
    aws.lambda.CapacityProvider v7.19.0). No security groups: the VPC's default group."""
    vpc = ctx.block(inst.values, "vpc_config")
    if isinstance(vpc, dict):
        subnets = ctx.refs(vpc.get("subnet_ids"), "subnet")
        sgs = ctx.refs(vpc.get("security_group_ids"), "security group")
    else:
        subnets = sgs = vpc if isinstance(vpc, Unknown) else Unknown("the capacity provider has no vpc_config")
    ctx.net.add(m.ComputePlacement(inst.address, inst.loc, aws.CAPACITY_PROVIDER, subnets, sgs))


@handles("aws_lambda_function")
def _function(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    name = ctx.text(v.get("function_name"))
    fn = m.Function(inst.address, inst.loc, name=name)
    vpc = ctx.block(v, "vpc_config")
    if isinstance(vpc, Unknown):
        fn.has_vpc_config = True
        fn.subnets = fn.security_groups = vpc
    elif isinstance(vpc, dict):
        subnets = ctx.refs(vpc.get("subnet_ids"), "subnet")
        sgs = ctx.refs(vpc.get("security_group_ids"), "security group")
        # Both lists empty (a common way to switch VPC off through variables) means no VPC [TFL].
        fn.has_vpc_config = not (subnets == [] and sgs == [])
        fn.subnets, fn.security_groups = subnets, sgs
        fn.ipv6_dual_stack = ctx.flag(vpc.get("ipv6_allowed_for_dual_stack"), False)
    if v.get("capacity_provider_config") not in (None, []):
        provider = _capacity_provider(ctx, v)
        if isinstance(provider, str):
            fn.compute = provider  # the provider's placement replaces vpc_config (DESIGN decision 11) [LMI]
        else:
            fn.managed_instances = provider
    env = ctx.block(v, "environment")
    if isinstance(env, dict):
        variables = env.get("variables")
        if isinstance(variables, dict):
            fn.environment = {str(k): _env_value(ctx, val) for k, val in variables.items()}
        elif isinstance(variables, Unknown):
            ctx.note(inst.address, Unknown(f"the environment of {inst.address} is unknown: {variables.reason}"))
    fn.role = ctx.ref(v.get("role"), "role", ROLE_TYPES) if v.get("role") is not None else None
    if isinstance(fn.role, External):
        fn.role = External(fn.role.value, f"execution role {fn.role.value} is defined outside the configuration")
    fn.declared_needs = list(inst.declared_needs)
    fn.ignores = list(inst.ignores)
    fn.action = inst.action
    filename = v.get("filename")
    source = getattr(filename, "source", None)  # data_sources.ArchivePath: the folder or file it zips
    if isinstance(source, str):
        runtime = ctx.text(v.get("runtime"))
        fn.code = m.CodeSource("path", inst.loc, path=source, runtime=runtime if isinstance(runtime, str) else None)
    configs = ctx.blocks(v, "file_system_config")
    for config in configs if isinstance(configs, list) else []:
        fn.file_systems.append(ctx.ref(config.get("arn"), "file system", ("aws_efs_access_point",)))
    layers = ctx.items(v.get("layers"), "layers") if v.get("layers") is not None else []
    fn.layers = [ctx.text(layer) or Unknown("layer") for layer in layers] if isinstance(layers, list) else []
    ctx.net.add(fn)


@handles("aws_lambda_event_source_mapping")
def _esm(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    fn = ctx.ref(v.get("function_name"), "function_name", ("aws_lambda_function",))
    service: str | Unknown
    if v.get("self_managed_event_source") not in (None, []):
        service = aws.SELF_MANAGED_KAFKA
    else:
        source = v.get("event_source_arn")
        ref = source.ref if isinstance(source, Named) else source
        if isinstance(ref, TfRef) and ref.address in ctx.by_addr:
            rtype = ctx.by_addr[ref.address].type
            service = aws.EVENT_SOURCE_OF_RESOURCE_TYPE.get(
                rtype, Unknown(f"event source {ref.address} of an unknown kind")
            )
        elif isinstance(source, str) and source.startswith("arn:"):
            service = aws.event_source_of_arn(source) or Unknown("malformed event source ARN")
        else:
            service = Unknown("event source could not be resolved")
    ctx.net.add(m.EventSourceMapping(inst.address, inst.loc, function=fn, source_service=service))
