"""VPC plumbing: VPCs, subnets, route tables and routes, gateways, NAT, instances and VPC endpoints.

Route targets are classified by what the reference points at, never by the argument name [TFRT]; a
literal id becomes an External with the argument as hint. `vpc_endpoint_type` defaults to Gateway and
`private_dns_enabled` to false [TFVPCE]; `connectivity_type` defaults to public [TFNAT].
"""

from __future__ import annotations

import re
from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import Loc, Unknown

from .aws_context import HANDLERS, Context, handles, is_configured, line_loc
from .instance import ResourceInstance, TfRef
from .values import Derived, Named, replace_markers


# --- VPC plumbing ------------------------------------------------------------------------------------
@handles("aws_vpc", "aws_default_vpc")
def _vpc(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    cidr = ctx.text(v.get("cidr_block"))
    if cidr is None:
        cidr = Unknown("the VPC CIDR comes from an IPAM pool") if v.get("ipv4_ipam_pool_id") else None
    v6: list[str | Unknown] = []
    if v.get("ipv6_cidr_block") is not None:
        v6.append(ctx.text(v.get("ipv6_cidr_block")))  # type: ignore[arg-type]
    elif ctx.flag(v.get("assign_generated_ipv6_cidr_block"), False) is not False or v.get("ipv6_ipam_pool_id"):
        v6.append(Unknown("Amazon-provided IPv6 CIDR, assigned at apply time"))
    ctx.net.add(
        m.Vpc(
            inst.address,
            inst.loc,
            cidrs_v4=[cidr] if cidr is not None else [],
            cidrs_v6=v6,
            dns_support=ctx.flag(v.get("enable_dns_support"), True),
            dns_hostnames=ctx.flag(v.get("enable_dns_hostnames"), inst.type == "aws_default_vpc"),
        )
    )


def _cidr_association(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    vpc = ctx.net.get(ctx.ref(v.get("vpc_id")))
    if not isinstance(vpc, m.Vpc):
        return
    if inst.type == "aws_vpc_ipv4_cidr_block_association":
        cidr = ctx.text(v.get("cidr_block"))
        vpc.cidrs_v4.append(cidr if cidr is not None else Unknown("the CIDR comes from an IPAM pool"))
    else:
        cidr = ctx.text(v.get("ipv6_cidr_block"))
        vpc.cidrs_v6.append(cidr if cidr is not None else Unknown("Amazon-provided IPv6 CIDR, assigned at apply time"))


@handles("aws_subnet", "aws_default_subnet")
def _subnet(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    az = v.get("availability_zone", v.get("availability_zone_id"))
    ctx.net.add(
        m.Subnet(
            inst.address,
            inst.loc,
            vpc=ctx.ref(v.get("vpc_id"), "vpc_id") if v.get("vpc_id") is not None else None,
            cidr_v4=ctx.text(v.get("cidr_block")),
            cidr_v6=ctx.text(v.get("ipv6_cidr_block")),
            az=ctx.text(az) if az is not None else Unknown("the subnet names no Availability Zone (AWS picks one)"),
            ipv6_native=ctx.flag(v.get("ipv6_native"), False),
        )
    )


_ROUTE_TARGETS = (
    "gateway_id",
    "nat_gateway_id",
    "egress_only_gateway_id",
    "instance_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_peering_connection_id",
    "vpc_endpoint_id",
    "carrier_gateway_id",
    "local_gateway_id",
    "core_network_arn",
)


def _route(ctx: Context, rid: str, rt: m.Ref, r: dict, loc: Loc) -> m.Route | None:
    target: Any = None
    hint = ""
    for attr in _ROUTE_TARGETS:
        value = r.get(attr)
        if value is None or value == "":
            continue
        if attr == "gateway_id" and value == "local":
            return None  # the VPC's local route, which every table has anyway
        target, hint = ctx.ref(value, attr), attr
        break
    dest_v4 = r.get("destination_cidr_block", r.get("cidr_block"))
    dest_v6 = r.get("destination_ipv6_cidr_block", r.get("ipv6_cidr_block"))
    prefix_list = r.get("destination_prefix_list_id")
    return m.Route(
        rid,
        loc,
        route_table=rt,
        dest_v4=ctx.text(dest_v4) if dest_v4 not in (None, "") else None,
        dest_v6=ctx.text(dest_v6) if dest_v6 not in (None, "") else None,
        prefix_list=ctx.ref(prefix_list) if prefix_list not in (None, "") else None,
        target=target,
        target_hint=hint,
    )


@handles("aws_route_table", "aws_default_route_table")
def _route_table(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    if inst.type == "aws_default_route_table":
        vpc = vpc_of_default(ctx, v.get("default_route_table_id"))
        rt = m.RouteTable(inst.address, inst.loc, vpc=vpc, is_main=True)
    else:
        rt = m.RouteTable(inst.address, inst.loc, vpc=ctx.ref(v.get("vpc_id"), "vpc_id"))
    ctx.net.add(rt)
    routes = ctx.blocks(v, "route")
    if isinstance(routes, Unknown):
        ctx.note(inst.address, Unknown(f"the routes of {inst.address} could not be expanded: {routes.reason}"))
        return
    if is_configured(inst, "route"):
        ctx.inline_routes.add(inst.address)
    for i, r in enumerate(routes):
        route = _route(ctx, f"{inst.address}#route{i}", inst.address, r, line_loc(inst, "route", i))
        if route is not None:
            ctx.net.add(route)


def vpc_of_default(ctx: Context, value: Any) -> m.Ref | None:
    """The VPC an aws_default_* resource adopts from, through `aws_vpc.x.default_*_id`."""
    ref = value.ref if isinstance(value, Named) else value
    if (
        isinstance(ref, TfRef)
        and ref.address in ctx.by_addr
        and ctx.type_of(ref.address) in ("aws_vpc", "aws_default_vpc")
    ):
        return ref.address
    if value is None:
        return None
    found = ctx.ref(value)
    return found if isinstance(found, Unknown) else Unknown(f"the VPC owning {found} is not in the configuration")


@handles("aws_route")
def _route_resource(ctx: Context, inst: ResourceInstance) -> None:
    rt = ctx.ref(inst.values.get("route_table_id"), "route_table_id")
    route = _route(ctx, inst.address, rt, inst.values, inst.loc)
    if route is None:
        return
    ctx.net.add(route)
    if isinstance(rt, str):
        ctx.route_resources.setdefault(rt, []).append(inst.address)


@handles("aws_route_table_association")
def _rt_assoc(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    if v.get("subnet_id") is None:
        return  # a gateway (edge) association: no subnet traffic starts there
    ctx.net.add(
        m.RouteTableAssociation(
            inst.address,
            inst.loc,
            subnet=ctx.ref(v.get("subnet_id"), "subnet_id"),
            route_table=ctx.ref(v.get("route_table_id"), "route_table_id"),
        )
    )


@handles("aws_main_route_table_association")
def _main_rt_assoc(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    ctx.net.add(
        m.MainRouteTableAssociation(
            inst.address, inst.loc, vpc=ctx.ref(v.get("vpc_id")), route_table=ctx.ref(v.get("route_table_id"))
        )
    )


@handles("aws_internet_gateway")
def _igw(ctx: Context, inst: ResourceInstance) -> None:
    ctx.net.add(m.InternetGateway(inst.address, inst.loc))
    if inst.values.get("vpc_id") is not None:
        ctx.net.add(
            m.GatewayAttachment(
                f"{inst.address}#attachment", inst.loc, vpc=ctx.ref(inst.values.get("vpc_id")), gateway=inst.address
            )
        )


@handles("aws_internet_gateway_attachment", "aws_vpn_gateway_attachment")
def _igw_attach(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    gateway = v.get("internet_gateway_id", v.get("vpn_gateway_id"))
    ctx.net.add(m.GatewayAttachment(inst.address, inst.loc, vpc=ctx.ref(v.get("vpc_id")), gateway=ctx.ref(gateway)))


@handles("aws_egress_only_internet_gateway")
def _eigw(ctx: Context, inst: ResourceInstance) -> None:
    ctx.net.add(m.EgressOnlyInternetGateway(inst.address, inst.loc, vpc=ctx.ref(inst.values.get("vpc_id"))))


@handles("aws_nat_gateway")
def _nat(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    connectivity = ctx.text(v.get("connectivity_type")) or "public"
    if isinstance(connectivity, str):
        connectivity = connectivity.lower()
    mode = v.get("availability_mode")
    regional = isinstance(mode, str) and mode.lower() == "regional"
    has_ip: bool | Unknown = any(
        v.get(a) not in (None, "", [])
        for a in ("allocation_id", "secondary_allocation_ids", "availability_zone_address")
    )
    ctx.net.add(
        m.NatGateway(
            inst.address,
            inst.loc,
            subnet=ctx.ref(v.get("subnet_id"), "subnet_id") if v.get("subnet_id") is not None else None,
            vpc=ctx.ref(v.get("vpc_id")) if v.get("vpc_id") is not None else None,
            connectivity=connectivity,
            regional=regional,
            has_public_ip=True if regional else has_ip,
        )
    )


@handles("aws_instance")
def _instance(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    subnet = v.get("subnet_id")
    sgs = v.get("vpc_security_group_ids") or v.get("security_groups") or []
    public = ctx.flag(v.get("associate_public_ip_address"), False)
    nics = ctx.blocks(v, "network_interface")
    for nic in nics if isinstance(nics, list) else []:
        if str(nic.get("device_index", "0")) == "0" and nic.get("network_interface_id") is not None:
            eni = ctx.ref(nic.get("network_interface_id"))
            other = ctx.by_addr.get(eni) if isinstance(eni, str) else None
            if other is not None:
                subnet = other.values.get("subnet_id", subnet)
                sgs = other.values.get("security_groups", sgs)
    sg_refs = ctx.refs(sgs, "security group")
    ctx.net.add(
        m.Instance(
            inst.address,
            inst.loc,
            subnet=ctx.ref(subnet) if subnet is not None else None,
            security_groups=sg_refs if isinstance(sg_refs, list) else [sg_refs],
            source_dest_check=ctx.flag(v.get("source_dest_check"), True),
            public_ip=public,
        )
    )
    if subnet is not None:
        ctx.net.add(m.EniHolder(f"{inst.address}#eni", inst.loc, subnets=[ctx.ref(subnet)], resource_type=inst.type))


@handles("aws_network_interface")
def _eni(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    sg_refs = ctx.refs(v.get("security_groups"), "security group")
    ctx.net.add(
        m.Instance(
            inst.address,
            inst.loc,
            subnet=ctx.ref(v.get("subnet_id")),
            security_groups=sg_refs if isinstance(sg_refs, list) else [sg_refs],
            source_dest_check=ctx.flag(v.get("source_dest_check"), True),
        )
    )


@handles("aws_eip", "aws_eip_association")
def _eip(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    target = next(
        (v[a] for a in ("instance", "instance_id", "network_interface", "network_interface_id") if v.get(a)), None
    )
    if target is not None:
        ctx.public_ips.append(ctx.ref(target))


_OPAQUE = {
    "aws_ec2_transit_gateway": "transit_gateway",
    "aws_ec2_transit_gateway_vpc_attachment": "transit_gateway",
    "aws_vpc_peering_connection": "peering",
    "aws_vpn_gateway": "vpn_gateway",
    "aws_ec2_carrier_gateway": "carrier_gateway",
    "aws_networkmanager_core_network": "core_network",
}


@handles(*_OPAQUE)
def _opaque(ctx: Context, inst: ResourceInstance) -> None:
    ctx.net.add(m.OpaqueGateway(inst.address, inst.loc, gateway_kind=_OPAQUE[inst.type]))
    if inst.type == "aws_vpn_gateway" and inst.values.get("vpc_id") is not None:
        ctx.net.add(
            m.GatewayAttachment(
                f"{inst.address}#attachment", inst.loc, vpc=ctx.ref(inst.values.get("vpc_id")), gateway=inst.address
            )
        )


# --- VPC Block Public Access [BPA] ---------------------------------------------------------------------------
@handles("aws_vpc_block_public_access_options")
def _bpa(ctx: Context, inst: ResourceInstance) -> None:
    mode = ctx.text(inst.values.get("internet_gateway_block_mode"))
    ctx.net.add(
        m.BlockPublicAccess(inst.address, inst.loc, aws.bpa_mode(mode) if isinstance(mode, str) else mode or "off")
    )


@handles("aws_vpc_block_public_access_exclusion")
def _bpa_exclusion(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    mode = ctx.text(v.get("internet_gateway_exclusion_mode"))
    ctx.net.add(
        m.BlockPublicAccessExclusion(
            inst.address,
            inst.loc,
            vpc=ctx.ref(v.get("vpc_id")) if v.get("vpc_id") is not None else None,
            subnet=ctx.ref(v.get("subnet_id")) if v.get("subnet_id") is not None else None,
            mode=aws.bpa_mode(mode) if isinstance(mode, str) else mode or Unknown("no internet_gateway_exclusion_mode"),
        )
    )


# --- VPC endpoints -----------------------------------------------------------------------------------
_REGION_IN_SERVICE = re.compile(r"^(com\.amazonaws\.|aws\.api\.)\ue000[0-9]+\ue001(\.[a-z0-9.-]+)$")


def _service_name(ctx: Context, value: Any) -> str | Unknown:
    # `com.amazonaws.${var.region}.s3` with the Region unknown still names the service.
    if isinstance(value, Derived) and value.text is not None and _REGION_IN_SERVICE.match(value.text):
        return replace_markers(value.text, aws.PSEUDO_REGION)
    text = ctx.text(value)
    return text if text is not None else Unknown("no service_name")


@handles("aws_vpc_endpoint")
def _endpoint(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    etype = ctx.text(v.get("vpc_endpoint_type")) or "Gateway"
    subnets = ctx.refs(v.get("subnet_ids"), "subnet")
    configs = ctx.blocks(v, "subnet_configuration")
    if isinstance(subnets, list) and isinstance(configs, list):
        subnets += [ctx.ref(c.get("subnet_id")) for c in configs if c.get("subnet_id") is not None]
    route_tables = ctx.refs(v.get("route_table_ids"), "route table")
    sgs = ctx.refs(v.get("security_group_ids"), "security group")
    ctx.net.add(
        m.VpcEndpoint(
            inst.address,
            inst.loc,
            vpc=ctx.ref(v.get("vpc_id")),
            service=_service_name(ctx, v.get("service_name")),
            endpoint_type=etype,
            route_tables=route_tables if isinstance(route_tables, list) else [route_tables],
            subnets=subnets if isinstance(subnets, list) else [subnets],
            security_groups=sgs if isinstance(sgs, list) else [sgs],
            private_dns=ctx.flag(v.get("private_dns_enabled"), False),
            service_region=ctx.text(v.get("service_region")) if v.get("service_region") is not None else None,
        )
    )


@handles(
    "aws_vpc_endpoint_route_table_association",
    "aws_vpc_endpoint_subnet_association",
    "aws_vpc_endpoint_security_group_association",
)
def _endpoint_association(ctx: Context, inst: ResourceInstance) -> None:
    attr, field_name = {
        "aws_vpc_endpoint_route_table_association": ("route_table_id", "route_tables"),
        "aws_vpc_endpoint_subnet_association": ("subnet_id", "subnets"),
        "aws_vpc_endpoint_security_group_association": ("security_group_id", "security_groups"),
    }[inst.type]
    ctx.endpoint_links.append(
        (ctx.ref(inst.values.get("vpc_endpoint_id")), field_name, ctx.ref(inst.values.get(attr)), inst.address)
    )


HANDLERS["aws_vpc_ipv4_cidr_block_association"] = _cidr_association
HANDLERS["aws_vpc_ipv6_cidr_block_association"] = _cidr_association
