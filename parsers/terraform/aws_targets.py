"""Private targets a function may need (databases, caches, search domains) and other resources that take
addresses in subnets (load balancers, EFS mount targets).
"""

from __future__ import annotations

from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import External, Unknown

from .aws_context import HANDLERS, Context, handles, key_of
from .instance import ResourceInstance


# --- private targets ---------------------------------------------------------------------------------
@handles(
    "aws_db_subnet_group",
    "aws_elasticache_subnet_group",
    "aws_docdb_subnet_group",
    "aws_neptune_subnet_group",
    "aws_memorydb_subnet_group",
)
def _subnet_group(ctx: Context, inst: ResourceInstance) -> None:
    ctx.subnet_groups[inst.address] = ctx.refs(inst.values.get("subnet_ids"), "subnet")


# type -> (target kind, where the engine comes from ("engine" reads `engine`, "family" a proxy's
# `engine_family`, anything else is the type's own engine), subnet attribute, SG attribute)
_TARGETS: dict[str, tuple[str, str, str, str]] = {
    "aws_db_instance": ("db_instance", "engine", "db_subnet_group_name", "vpc_security_group_ids"),
    "aws_rds_cluster": ("db_cluster", "engine", "db_subnet_group_name", "vpc_security_group_ids"),
    "aws_db_proxy": ("db_proxy", "family", "vpc_subnet_ids", "vpc_security_group_ids"),
    "aws_elasticache_cluster": ("cache_cluster", "engine", "subnet_group_name", "security_group_ids"),
    "aws_elasticache_replication_group": ("cache_cluster", "engine", "subnet_group_name", "security_group_ids"),
    "aws_elasticache_serverless_cache": ("cache_cluster", "engine", "subnet_ids", "security_group_ids"),
    "aws_memorydb_cluster": ("cache_cluster", "redis", "subnet_group_name", "security_group_ids"),
    "aws_docdb_cluster": ("db_cluster", "docdb", "db_subnet_group_name", "vpc_security_group_ids"),
    "aws_neptune_cluster": ("db_cluster", "neptune", "neptune_subnet_group_name", "vpc_security_group_ids"),
}

# Resource types whose `engine` may be omitted, by their family in aws.DEFAULT_ENGINES.
_ENGINE_FAMILY = {
    "aws_rds_cluster": "rds_cluster",
    "aws_elasticache_replication_group": "elasticache_replication_group",
}
GROUP_TYPES = (
    "aws_db_subnet_group",
    "aws_elasticache_subnet_group",
    "aws_docdb_subnet_group",
    "aws_neptune_subnet_group",
    "aws_memorydb_subnet_group",
)


def _engine_port(ctx: Context, inst: ResourceInstance, source: str) -> int | Unknown:
    v = inst.values
    if source == "family":
        family = ctx.text(v.get("engine_family"))
        port = aws.engine_port(family) if isinstance(family, str) else None
        return port if port is not None else Unknown("proxy engine family unknown")
    if source != "engine":
        return aws.ENGINE_PORTS[source]
    engine = ctx.text(v.get("engine")) or aws.DEFAULT_ENGINES.get(_ENGINE_FAMILY.get(inst.type, ""))
    if isinstance(engine, str):
        port = aws.engine_port(engine)
        return port if port is not None else Unknown(f"port of engine {engine} unknown")
    return Unknown("port depends on an unknown engine")


def _private_target(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    kind, default, subnet_attr, sg_attr = _TARGETS[inst.type]
    port: Any = ctx.number(v.get("port"))
    if port is None:
        port = _engine_port(ctx, inst, default)
    subnets: Any
    raw = v.get(subnet_attr)
    if subnet_attr.endswith("subnet_ids"):
        subnets = ctx.refs(raw, "subnet")
        if subnets == [] and raw is None:
            subnets = Unknown("no subnets: the default VPC is used")
    elif raw is None:
        subnets = Unknown("no subnet group: the default VPC is used")
    else:
        group = ctx.ref(raw, subnet_attr, GROUP_TYPES)
        if isinstance(group, str) and group in ctx.subnet_groups:
            subnets = ctx.subnet_groups[group]
        elif isinstance(group, Unknown) and not isinstance(group, External):
            subnets = group
        else:
            subnets = Unknown(f"subnet group {key_of(group)} is defined outside the configuration")
    sgs = ctx.refs(v.get(sg_attr), "security group")
    ctx.net.add(
        m.PrivateTarget(
            inst.address,
            inst.loc,
            target_kind=kind,
            port=port,
            subnets=subnets if isinstance(subnets, list) else [subnets],
            security_groups=sgs if isinstance(sgs, list) else [sgs],
        )
    )


for _t in _TARGETS:
    HANDLERS[_t] = _private_target


@handles("aws_opensearch_domain", "aws_elasticsearch_domain")
def _search_domain(ctx: Context, inst: ResourceInstance) -> None:
    # A domain with vpc_options lives in the VPC: es:ESHttp* calls are a private target on 443 (DESIGN 3).
    options = ctx.block(inst.values, "vpc_options")
    if options is None:
        return
    if isinstance(options, Unknown):
        ctx.note(inst.address, options)
        return
    subnets = ctx.refs(options.get("subnet_ids"), "subnet")
    sgs = ctx.refs(options.get("security_group_ids"), "security group")
    ctx.net.add(
        m.PrivateTarget(
            inst.address,
            inst.loc,
            target_kind="search_domain",
            port=443,
            subnets=subnets if isinstance(subnets, list) else [subnets],
            security_groups=sgs if isinstance(sgs, list) else [sgs],
        )
    )


@handles("aws_efs_file_system")
def _file_system(ctx: Context, inst: ResourceInstance) -> None:
    # Reached over NFS, TCP 2049, through a mount target (graph.aws.NFS_PORT); the mount targets give it its
    # subnets and security groups (graph.model.attach_mount_targets).
    ctx.net.add(m.PrivateTarget(inst.address, inst.loc, target_kind="file_system", port=aws.NFS_PORT))


@handles("aws_efs_access_point")
def _access_point(ctx: Context, inst: ResourceInstance) -> None:
    ctx.access_points[inst.address] = ctx.ref(
        inst.values.get("file_system_id"), "file system", ("aws_efs_file_system",)
    )


@handles("aws_lb", "aws_alb", "aws_efs_mount_target")
def _eni_holder(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    if inst.type == "aws_efs_mount_target":
        sgs = ctx.refs(v.get("security_groups"), "security group")
        ctx.mounts.append(
            m.FileSystemMount(
                ctx.ref(v.get("file_system_id"), "file system", ("aws_efs_file_system",)),
                ctx.ref(v.get("subnet_id"), "subnet"),
                sgs if isinstance(sgs, list) else [sgs],
            )
        )
    # aws_lb names a list (`subnets`), aws_efs_mount_target one subnet (`subnet_id`, a reference, not a list).
    single = v.get("subnet_id")
    subnets = [ctx.ref(single, "subnet")] if single is not None else ctx.refs(v.get("subnets"), "subnet")
    mappings = ctx.blocks(v, "subnet_mapping")
    if isinstance(subnets, list) and isinstance(mappings, list):
        subnets += [ctx.ref(mp.get("subnet_id")) for mp in mappings]
    if isinstance(subnets, list):
        ctx.net.add(m.EniHolder(f"{inst.address}#eni", inst.loc, subnets=subnets, resource_type=inst.type))
