"""AWS-provider resource instances (from HCL or a plan) → `graph.model` objects.

Terraform-specific semantics are settled here and nowhere else:
- `aws_security_group` without `egress` has no egress at all: the provider revokes AWS's default allow-all
  rule on create; `egress = []` also means none [TFSG]. `aws_default_security_group` and
  `aws_default_network_acl` drop every rule they do not declare.
- Route targets are classified by what the reference points at, never by the attribute name
  (`gateway_id` may hold a NAT gateway) [TFRT]; a literal id becomes an External with the attribute as hint.
- Inline `route` blocks and `aws_route` on one table (likewise inline and standalone SG rules) overwrite
  each other on apply: both are kept and the conflict is recorded as an Unknown note [TFRT][TFRULE].
- `vpc_endpoint_type` defaults to Gateway, `private_dns_enabled` to false [TFVPCE]; VPC DNS support
  defaults to true and DNS hostnames to false [TFVPC]; `connectivity_type` defaults to public [TFNAT].
- A Lambda function whose `vpc_config` lists no subnets and no security groups is not in a VPC [TFL].

Object ids are Terraform addresses. A `TfRef` becomes the id of the instance it points at (or the VPC's
default security group / network ACL / main route table for those attributes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vpcreach.graph import model as m
from vpcreach.graph.model import External, Loc, Unknown

from .annotations import parse_ignores, parse_traffic
from .instance import ResourceInstance, TfRef
from .values import Derived, ManagedPolicy, Named, decode_json, replace_markers

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

    # --- values -----------------------------------------------------------------------------------
    def ref(self, value: Any, what: str = "value", types: tuple[str, ...] = ()) -> m.Ref:
        """A value used as an object id: an address, an External literal, or Unknown."""
        if isinstance(value, Named):
            value = value.ref
        if isinstance(value, TfRef):
            if value.address not in self.by_addr:
                if _is_data(value.address):
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

    def refs(self, value: Any, what: str = "value", types: tuple[str, ...] = ()) -> list[m.Ref] | Unknown:
        items = self.items(value, what)
        if isinstance(items, Unknown):
            return items
        return [self.ref(v, what, types) for v in items]

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


def _is_data(address: str) -> bool:
    return address.startswith("data.") or ".data." in address


def _line_loc(inst: ResourceInstance, block: str, index: int) -> Loc:
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
    tenancy = v.get("instance_tenancy")
    ctx.net.add(
        m.Vpc(
            inst.address,
            inst.loc,
            cidrs_v4=[cidr] if cidr is not None else [],
            cidrs_v6=v6,
            dns_support=ctx.flag(v.get("enable_dns_support"), True),
            dns_hostnames=ctx.flag(v.get("enable_dns_hostnames"), inst.type == "aws_default_vpc"),
            dedicated_tenancy=(tenancy == "dedicated")
            if isinstance(tenancy, str) or tenancy is None
            else Unknown("tenancy unknown"),
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
        vpc = _vpc_of_default(ctx, v.get("default_route_table_id"))
        rt = m.RouteTable(inst.address, inst.loc, vpc=vpc, is_main=True)
    else:
        rt = m.RouteTable(inst.address, inst.loc, vpc=ctx.ref(v.get("vpc_id"), "vpc_id"))
    ctx.net.add(rt)
    routes = ctx.blocks(v, "route")
    if isinstance(routes, Unknown):
        ctx.note(inst.address, Unknown(f"the routes of {inst.address} could not be expanded: {routes.reason}"))
        return
    if _configured(inst, "route"):
        ctx.inline_routes.add(inst.address)
    for i, r in enumerate(routes):
        route = _route(ctx, f"{inst.address}#route{i}", inst.address, r, _line_loc(inst, "route", i))
        if route is not None:
            ctx.net.add(route)


def _vpc_of_default(ctx: Context, value: Any) -> m.Ref | None:
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
    subnet = v.get("subnet_id")
    if subnet is not None and not regional:
        ctx.net.add(m.EniHolder(f"{inst.address}#eni", inst.loc, subnets=[ctx.ref(subnet)], resource_type=inst.type))


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


# --- VPC endpoints -----------------------------------------------------------------------------------
_REGION_IN_SERVICE = re.compile(r"^(com\.amazonaws\.|aws\.api\.)\ue000[0-9]+\ue001(\.[a-z0-9.-]+)$")


def _service_name(ctx: Context, value: Any) -> str | Unknown:
    # `com.amazonaws.${var.region}.s3` with the Region unknown still names the service.
    if isinstance(value, Derived) and value.text is not None and _REGION_IN_SERVICE.match(value.text):
        return replace_markers(value.text, "<region>")
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


# --- security groups and network ACLs ----------------------------------------------------------------
_PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def _protocol(ctx: Context, value: Any) -> str | Unknown:
    if value is None:
        return "-1"
    text = ctx.text(value)
    if isinstance(text, Unknown) or text is None:
        return text or "-1"
    text = text.strip().lower()
    if text in ("all", "-1"):
        return "-1"
    return _PROTOCOL_NUMBERS.get(text, text)


def _ports(ctx: Context, protocol: Any, from_port: Any, to_port: Any) -> tuple[Any, Any]:
    if protocol == "-1":
        return None, None  # all protocols means all ports, whatever from/to say [IPP]
    return ctx.number(from_port), ctx.number(to_port)


def _inline_sg_rules(ctx: Context, group: str, r: dict, loc: Loc) -> list[m.SgRule]:
    """One aws_security_group ingress/egress block (or aws_security_group_rule) → a rule per peer."""
    protocol = _protocol(ctx, r.get("protocol"))
    from_port, to_port = _ports(ctx, protocol, r.get("from_port"), r.get("to_port"))
    peers: list[tuple[str, Any]] = []
    for kind, attr in (("cidr4", "cidr_blocks"), ("cidr6", "ipv6_cidr_blocks"), ("pl", "prefix_list_ids")):
        items = ctx.items(r.get(attr), attr)
        if isinstance(items, Unknown):
            peers.append((kind, items))
            continue
        for item in items:
            peers.append((kind, ctx.ref(item) if kind == "pl" else ctx.text(item)))
    groups = ctx.items(r.get("security_groups"), "security_groups")
    if isinstance(groups, Unknown):
        peers.append(("sg", groups))
    else:
        peers += [("sg", ctx.ref(g, "security group")) for g in groups]
    if r.get("source_security_group_id") not in (None, ""):
        peers.append(("sg", ctx.ref(r.get("source_security_group_id"), "security group")))
    is_self = ctx.flag(r.get("self"), False)
    if is_self is True:
        peers.append(("sg", group))
    elif isinstance(is_self, Unknown):
        peers.append(("sg", is_self))
    return [m.SgRule(protocol, from_port, to_port, kind, peer, loc) for kind, peer in peers]


def _sg_rules(ctx: Context, sg: m.SecurityGroup, inst: ResourceInstance) -> None:
    for direction, target in (("ingress", sg.ingress), ("egress", sg.egress)):
        rules = ctx.blocks(inst.values, direction)
        if isinstance(rules, Unknown):
            sg.rules_unknown = rules
            continue
        if _configured(inst, direction):
            ctx.sg_inline.setdefault(sg.id, set()).add(direction)
        for i, r in enumerate(rules):
            target.extend(_inline_sg_rules(ctx, sg.id, r, _line_loc(inst, direction, i)))


@handles("aws_security_group")
def _sg(ctx: Context, inst: ResourceInstance) -> None:
    # No synthetic allow-all egress: the provider revokes AWS's default rule when it creates the group [TFSG].
    v = inst.values
    sg = m.SecurityGroup(inst.address, inst.loc, vpc=ctx.ref(v.get("vpc_id")) if v.get("vpc_id") is not None else None)
    _sg_rules(ctx, sg, inst)
    ctx.net.add(sg)


@handles("aws_default_security_group")
def _default_sg(ctx: Context, inst: ResourceInstance) -> None:
    # Adopting the default group revokes every rule it does not declare (revokeDefaultSecurityGroupRules).
    v = inst.values
    vpc = ctx.ref(v.get("vpc_id")) if v.get("vpc_id") is not None else None
    sg = m.SecurityGroup(inst.address, inst.loc, vpc=vpc, is_default=True)
    _sg_rules(ctx, sg, inst)
    ctx.net.add(sg)


@handles("aws_security_group_rule")
def _sg_rule(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    group = ctx.ref(v.get("security_group_id"), "security_group_id")
    kind = ctx.text(v.get("type"))
    if not isinstance(kind, str):
        ctx.note(inst.address, kind if isinstance(kind, Unknown) else Unknown("the rule has no type"))
        return
    rules = _inline_sg_rules(ctx, group if isinstance(group, str) else "", v, inst.loc)
    ctx.pending_sg_rules.append((group, kind == "egress", rules, inst.address))


@handles("aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule")
def _vpc_sg_rule(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    protocol = _protocol(ctx, v.get("ip_protocol"))
    from_port, to_port = _ports(ctx, protocol, v.get("from_port"), v.get("to_port"))
    kind, peer = "cidr4", Unknown("the rule names no peer")
    for k, attr in (
        ("cidr4", "cidr_ipv4"),
        ("cidr6", "cidr_ipv6"),
        ("pl", "prefix_list_id"),
        ("sg", "referenced_security_group_id"),
    ):
        if v.get(attr) not in (None, ""):
            kind = k
            peer = ctx.ref(v[attr]) if k in ("sg", "pl") else ctx.text(v[attr])  # type: ignore[assignment]
            break
    rule = m.SgRule(protocol, from_port, to_port, kind, peer, inst.loc)
    group = ctx.ref(v.get("security_group_id"), "security_group_id")
    ctx.pending_sg_rules.append((group, inst.type.endswith("egress_rule"), [rule], inst.address))


def _nacl_entries(ctx: Context, nacl: m.NetworkAcl, inst: ResourceInstance) -> None:
    for direction in ("ingress", "egress"):
        rules = ctx.blocks(inst.values, direction)
        if isinstance(rules, Unknown):
            nacl.entries_unknown = rules
            continue
        for i, r in enumerate(rules):
            nacl.entries.append(
                _nacl_entry(ctx, r, direction == "egress", "rule_no", "action", _line_loc(inst, direction, i))
            )


def _nacl_entry(ctx: Context, r: dict, egress: bool, number_attr: str, action_attr: str, loc: Loc) -> m.NaclEntry:
    action = ctx.text(r.get(action_attr))
    protocol = _protocol(ctx, r.get("protocol"))
    from_port, to_port = _ports(ctx, protocol, r.get("from_port"), r.get("to_port"))
    return m.NaclEntry(
        rule_number=ctx.number(r.get(number_attr)) or 0,  # type: ignore[arg-type]
        egress=egress,
        protocol=protocol,
        allow=action.lower() == "allow" if isinstance(action, str) else Unknown("rule action unknown"),
        cidr_v4=ctx.text(r.get("cidr_block")) if r.get("cidr_block") not in (None, "") else None,
        cidr_v6=ctx.text(r.get("ipv6_cidr_block")) if r.get("ipv6_cidr_block") not in (None, "") else None,
        from_port=from_port,
        to_port=to_port,
        loc=loc,
    )


@handles("aws_network_acl", "aws_default_network_acl")
def _nacl(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    if inst.type == "aws_default_network_acl":
        # Adopting the default ACL removes every entry it does not declare: no entries means deny all.
        nacl = m.NetworkAcl(
            inst.address, inst.loc, vpc=_vpc_of_default(ctx, v.get("default_network_acl_id")), is_default=True
        )
    else:
        nacl = m.NetworkAcl(inst.address, inst.loc, vpc=ctx.ref(v.get("vpc_id")))
    _nacl_entries(ctx, nacl, inst)
    ctx.net.add(nacl)
    subnets = ctx.refs(v.get("subnet_ids"), "subnet")
    if isinstance(subnets, Unknown):
        ctx.note(inst.address, Unknown(f"the subnets of {inst.address} are unknown: {subnets.reason}"))
        return
    for subnet in subnets:
        ctx.pending_nacl_assocs.append((f"{inst.address}#{_key(subnet)}", subnet, inst.address))


def _key(ref: Any) -> str:
    return ref.value if isinstance(ref, External) else (ref if isinstance(ref, str) else "?")


@handles("aws_network_acl_rule")
def _nacl_rule(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    entry = _nacl_entry(ctx, v, ctx.flag(v.get("egress"), False) is True, "rule_number", "rule_action", inst.loc)
    ctx.pending_nacl_entries.append((ctx.ref(v.get("network_acl_id")), entry, inst.address))


@handles("aws_network_acl_association")
def _nacl_assoc(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    ctx.pending_nacl_assocs.append((inst.address, ctx.ref(v.get("subnet_id")), ctx.ref(v.get("network_acl_id"))))


# --- IAM ---------------------------------------------------------------------------------------------
def statements(ctx: Context, document: Any) -> list[m.PolicyStatement]:
    if document is None:
        return []
    if isinstance(document, (str, Unknown, TfRef)):
        document = (
            decode_json(document)
            if not isinstance(document, TfRef)
            else Unknown(f"policy document from {document.address}.{document.attr}, known only after apply")
        )
    if not isinstance(document, dict):
        reason = document.reason if isinstance(document, Unknown) else "not a JSON object"
        return [m.PolicyStatement(actions=Unknown(f"policy document could not be resolved: {reason}"))]
    stmts = document.get("Statement")
    if isinstance(stmts, dict):
        stmts = [stmts]
    if isinstance(stmts, Unknown):
        return [m.PolicyStatement(actions=stmts)]
    out = []
    for s in stmts if isinstance(stmts, list) else []:
        if isinstance(s, Unknown):
            out.append(m.PolicyStatement(actions=s))
            continue
        if not isinstance(s, dict):
            continue
        not_actions = s.get("NotAction")
        effect = s.get("Effect", "Allow")
        out.append(
            m.PolicyStatement(
                effect=effect if isinstance(effect, str) else "Allow",
                actions=_actions(s.get("Action")) if not_actions is None else [],
                not_actions=_actions(not_actions) if not_actions is not None else None,  # type: ignore[arg-type]
            )
        )
    return out


def _actions(value: Any) -> list[str] | Unknown:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        unknown = next((v for v in value if isinstance(v, (Unknown, TfRef))), None)
        if unknown is not None:
            return unknown if isinstance(unknown, Unknown) else Unknown("an action is known only after apply")
        return [v for v in value if isinstance(v, str)]
    return []


def _policy_arns(ctx: Context, value: Any) -> tuple[list[str | Unknown], list[m.PolicyStatement]]:
    """Managed policy ARNs: literal ARNs stay, policies of this configuration give their statements."""
    items = ctx.items(value, "managed policy ARN")
    if isinstance(items, Unknown):
        return [items], []
    arns: list[str | Unknown] = []
    stmts: list[m.PolicyStatement] = []
    for item in items:
        ref = item.ref if isinstance(item, Named) else item
        if isinstance(ref, TfRef) and ref.address in ctx.by_addr:
            target = ctx.by_addr[ref.address]
            if target.type == "aws_iam_policy":
                stmts.extend(statements(ctx, target.values.get("policy")))
            else:
                arns.append(Unknown(f"managed policy {ref.address} could not be read"))
        elif isinstance(item, str) and item in ctx.ids and ctx.type_of(ctx.ids[item]) == "aws_iam_policy":
            stmts.extend(statements(ctx, ctx.by_addr[ctx.ids[item]].values.get("policy")))
        elif isinstance(item, str):
            arns.append(str(item))
        else:
            arns.append(
                ctx.text(item) if isinstance(ctx.text(item), Unknown) else Unknown("managed policy ARN unknown")
            )  # type: ignore[arg-type]
    return arns, stmts


def _document(ctx: Context, document: Any, arns: list[str | Unknown]) -> list[m.PolicyStatement]:
    """Statements of a policy document; the document of a managed policy read by ARN counts as that ARN."""
    if isinstance(document, ManagedPolicy):
        arns.append(document.arn)
        return []
    return statements(ctx, document)


@handles("aws_iam_role")
def _role(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    arns, stmts = _policy_arns(ctx, v.get("managed_policy_arns"))
    role = m.Role(inst.address, inst.loc, managed_policy_arns=arns, statements=stmts)
    inline = ctx.blocks(v, "inline_policy")
    if isinstance(inline, Unknown):
        role.statements.append(m.PolicyStatement(actions=inline))
    else:
        for pol in inline:
            role.statements.extend(_document(ctx, pol.get("policy"), role.managed_policy_arns))
    ctx.net.add(role)


_ROLE = ("aws_iam_role",)


@handles("aws_iam_role_policy")
def _role_policy(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    arns: list[str | Unknown] = []
    stmts = _document(ctx, v.get("policy"), arns)
    ctx.net.add(
        m.Policy(
            inst.address,
            inst.loc,
            roles=[ctx.ref(v.get("role"), "role", _ROLE)],
            statements=stmts,
            managed_policy_arns=arns,
        )
    )


@handles("aws_iam_role_policy_attachment", "aws_iam_policy_attachment")
def _policy_attachment(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    if inst.type == "aws_iam_role_policy_attachment":
        roles: Any = [ctx.ref(v.get("role"), "role", _ROLE)]
    else:
        roles = ctx.refs(v.get("roles"), "role", _ROLE)
        roles = roles if isinstance(roles, list) else [roles]
    arns, stmts = _policy_arns(ctx, [v.get("policy_arn")] if v.get("policy_arn") is not None else [])
    ctx.net.add(m.Policy(inst.address, inst.loc, roles=roles, statements=stmts, managed_policy_arns=arns))


# --- Lambda ------------------------------------------------------------------------------------------
_ENV_SERVICES = {
    "aws_sqs_queue": "sqs",
    "aws_sns_topic": "sns",
    "aws_dynamodb_table": "dynamodb",
    "aws_s3_bucket": "s3",
    "aws_secretsmanager_secret": "secretsmanager",
    "aws_ssm_parameter": "ssm",
    "aws_kms_key": "kms",
    "aws_kms_alias": "kms",
    "aws_kinesis_stream": "kinesis",
    "aws_kinesis_firehose_delivery_stream": "firehose",
    "aws_sfn_state_machine": "states",
    "aws_cloudwatch_event_bus": "events",
    "aws_lambda_function": "lambda",
}


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
        return m.ResourceRef(ref.address, _ENV_SERVICES.get(target.type, ""), ref.attr)
    if isinstance(value, (str, Unknown)):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, TfRef):
        return Unknown(f"{value.address}.{value.attr} is not in the analysed configuration")
    return Unknown("environment value could not be resolved")


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
        fn.managed_instances = Unknown(
            "the function runs on Lambda Managed Instances; their VPC configuration lives on the capacity "
            "provider, which vpcreach does not analyse yet"
        )
    env = ctx.block(v, "environment")
    if isinstance(env, dict):
        variables = env.get("variables")
        if isinstance(variables, dict):
            fn.environment = {str(k): _env_value(ctx, val) for k, val in variables.items()}
        elif isinstance(variables, Unknown):
            ctx.note(inst.address, Unknown(f"the environment of {inst.address} is unknown: {variables.reason}"))
    fn.file_systems = v.get("file_system_config") not in (None, [])
    fn.role = ctx.ref(v.get("role"), "role", _ROLE) if v.get("role") is not None else None
    if isinstance(fn.role, External) and not fn.role.value.startswith("arn:"):
        fn.role = External(fn.role.value, f"execution role {fn.role.value} is defined outside the configuration")
    fn.declared_needs = list(inst.declared_needs)
    fn.ignores = list(inst.ignores)
    fn.action = inst.action
    ctx.net.add(fn)


_SOURCE_TYPES = {
    "aws_sqs_queue": "sqs",
    "aws_kinesis_stream": "kinesis",
    "aws_dynamodb_table": "dynamodb",
    "aws_msk_cluster": "kafka",
    "aws_msk_serverless_cluster": "kafka",
    "aws_mq_broker": "mq",
    "aws_docdb_cluster": "docdb",
}


@handles("aws_lambda_event_source_mapping")
def _esm(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    fn = ctx.ref(v.get("function_name"), "function_name", ("aws_lambda_function",))
    service: str | Unknown
    if v.get("self_managed_event_source") not in (None, []):
        service = "kafka"
    else:
        source = v.get("event_source_arn")
        ref = source.ref if isinstance(source, Named) else source
        if isinstance(ref, TfRef) and ref.address in ctx.by_addr:
            rtype = ctx.by_addr[ref.address].type
            service = _SOURCE_TYPES.get(rtype, Unknown(f"event source {ref.address} of an unknown kind"))
        elif isinstance(source, str) and source.startswith("arn:"):
            parts = source.split(":")
            service = parts[2] if len(parts) > 2 else Unknown("malformed event source ARN")
        else:
            service = Unknown("event source could not be resolved")
    ctx.net.add(
        m.EventSourceMapping(inst.address, inst.loc, function=fn if isinstance(fn, str) else "", source_service=service)
    )


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


# type -> (target kind, default port (an int, "engine" or "family"), subnet attribute, SG attribute)
_TARGETS: dict[str, tuple[str, Any, str, str]] = {
    "aws_db_instance": ("db_instance", "engine", "db_subnet_group_name", "vpc_security_group_ids"),
    "aws_rds_cluster": ("db_cluster", "engine", "db_subnet_group_name", "vpc_security_group_ids"),
    "aws_db_proxy": ("db_proxy", "family", "vpc_subnet_ids", "vpc_security_group_ids"),
    "aws_elasticache_cluster": ("cache_cluster", "engine", "subnet_group_name", "security_group_ids"),
    "aws_elasticache_replication_group": ("cache_cluster", "engine", "subnet_group_name", "security_group_ids"),
    "aws_elasticache_serverless_cache": ("cache_cluster", "engine", "subnet_ids", "security_group_ids"),
    "aws_memorydb_cluster": ("cache_cluster", 6379, "subnet_group_name", "security_group_ids"),
    "aws_docdb_cluster": ("db_cluster", 27017, "db_subnet_group_name", "vpc_security_group_ids"),
    "aws_neptune_cluster": ("db_cluster", 8182, "neptune_subnet_group_name", "vpc_security_group_ids"),
}

_ENGINE_PORTS = {
    "mysql": 3306,
    "mariadb": 3306,
    "aurora": 3306,
    "aurora-mysql": 3306,
    "postgres": 5432,
    "aurora-postgresql": 5432,
    "oracle": 1521,
    "sqlserver": 1433,
    "redis": 6379,
    "valkey": 6379,
    "memcached": 11211,
    "MYSQL": 3306,
    "POSTGRESQL": 5432,
    "SQLSERVER": 1433,
}
# Engines a resource type assumes when `engine` is omitted.
_DEFAULT_ENGINES = {"aws_rds_cluster": "aurora", "aws_elasticache_replication_group": "redis"}
_GROUP_TYPES = (
    "aws_db_subnet_group",
    "aws_elasticache_subnet_group",
    "aws_docdb_subnet_group",
    "aws_neptune_subnet_group",
    "aws_memorydb_subnet_group",
)


def _engine_port(ctx: Context, inst: ResourceInstance, default: Any) -> int | Unknown:
    v = inst.values
    if default == "family":
        family = ctx.text(v.get("engine_family"))
        return _ENGINE_PORTS.get(family if isinstance(family, str) else "", Unknown("proxy engine family unknown"))
    if default != "engine":
        return default
    engine = ctx.text(v.get("engine")) or _DEFAULT_ENGINES.get(inst.type)
    if isinstance(engine, str):
        key = engine.split("-")[0] if engine.startswith(("oracle", "sqlserver")) else engine
        return _ENGINE_PORTS.get(key, Unknown(f"port of engine {engine} unknown"))
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
        group = ctx.ref(raw, subnet_attr, _GROUP_TYPES)
        if isinstance(group, str) and group in ctx.subnet_groups:
            subnets = ctx.subnet_groups[group]
        elif isinstance(group, Unknown) and not isinstance(group, External):
            subnets = group
        else:
            subnets = Unknown(f"subnet group {_key(group)} is defined outside the configuration")
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


@handles("aws_lb", "aws_alb", "aws_efs_mount_target")
def _eni_holder(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    subnets = ctx.refs(v.get("subnets", v.get("subnet_id")), "subnet")
    mappings = ctx.blocks(v, "subnet_mapping")
    if isinstance(subnets, list) and isinstance(mappings, list):
        subnets += [ctx.ref(mp.get("subnet_id")) for mp in mappings]
    if isinstance(subnets, list):
        ctx.net.add(m.EniHolder(f"{inst.address}#eni", inst.loc, subnets=subnets, resource_type=inst.type))


HANDLERS["aws_vpc_ipv4_cidr_block_association"] = _cidr_association
HANDLERS["aws_vpc_ipv6_cidr_block_association"] = _cidr_association

# Resolved first because others read them (a VPC gets CIDR associations, targets read subnet groups).
_FIRST = ("aws_vpc", "aws_default_vpc", "aws_iam_policy", *_GROUP_TYPES)


def _configured(inst: ResourceInstance, name: str) -> bool:
    return name in inst.configured if inst.configured is not None else name in inst.values


# --- entry point -------------------------------------------------------------------------------------
def map_resources(instances: list[ResourceInstance], net: m.Network) -> None:
    """Add the model objects for every AWS-provider instance to `net`; data sources and instances the plan
    deletes are not part of the network."""
    managed = [i for i in instances if i.mode == "managed" and i.action != "delete"]
    ctx = Context(managed, net)
    order = sorted(range(len(managed)), key=lambda n: (0 if managed[n].type in _FIRST else 1, n))
    for n in order:
        inst = managed[n]
        handler = HANDLERS.get(inst.type)
        if handler is not None:
            handler(ctx, inst)
        _annotations(ctx, inst)
    _mount(ctx)
    _rewrite_default_ids(ctx)
    _function_dependencies(ctx)


def _annotations(ctx: Context, inst: ResourceInstance) -> None:
    obj = ctx.net.objects.get(inst.address)
    tags = inst.values.get("tags")
    tag_needs: list[str] = []
    tag_ignores: list[m.Suppression] = []
    tag_traffic: dict[str, float] = {}
    if isinstance(tags, dict):
        needs = tags.get("vpcreach:needs")
        if isinstance(needs, str):
            tag_needs = [n.strip() for n in needs.split(",") if n.strip()]
        ignore = tags.get("vpcreach:ignore")
        if isinstance(ignore, str):
            tag_ignores = parse_ignores(ignore)
        traffic = tags.get("vpcreach:traffic")
        if isinstance(traffic, str):
            tag_traffic = parse_traffic(traffic)
    if isinstance(obj, m.Function):
        obj.declared_needs = list(dict.fromkeys([*obj.declared_needs, *tag_needs]))
        obj.ignores = [*obj.ignores, *tag_ignores]
        obj.traffic_gb = {**tag_traffic, **inst.traffic_gb}
    else:
        ignores = [*inst.ignores, *tag_ignores]
        if ignores:
            ctx.net.ignores.setdefault(inst.address, []).extend(ignores)


def _mount(ctx: Context) -> None:
    """Attach standalone rules, entries and associations to their parents (after all parents exist)."""
    net = ctx.net
    for group_ref, egress, rules, addr in ctx.pending_sg_rules:
        group = net.get(group_ref)
        if isinstance(group, m.SecurityGroup):
            (group.egress if egress else group.ingress).extend(rules)
            if ("egress" if egress else "ingress") in ctx.sg_inline.get(group.id, set()):
                ctx.note(
                    group.id,
                    Unknown(
                        f"{group.id} manages {'egress' if egress else 'ingress'} rules inline and {addr} adds one "
                        "separately; Terraform makes them overwrite each other on every apply"
                    ),
                )
        else:
            ctx.note(addr, group_ref)
    for nacl_ref, entry, addr in ctx.pending_nacl_entries:
        nacl = net.get(nacl_ref)
        if isinstance(nacl, m.NetworkAcl):
            nacl.entries.append(entry)
        else:
            ctx.note(addr, nacl_ref)
    for assoc_id, subnet, nacl in ctx.pending_nacl_assocs:
        net.add(m.NaclAssociation(assoc_id, _loc_of(ctx, assoc_id), subnet=subnet, nacl=nacl))
    for ep_ref, field_name, ref, addr in ctx.endpoint_links:
        endpoint = net.get(ep_ref)
        if isinstance(endpoint, m.VpcEndpoint):
            getattr(endpoint, field_name).append(ref)
        else:
            ctx.note(addr, ep_ref)
    for endpoint in net.of(m.VpcEndpoint):
        etype = endpoint.endpoint_type
        if isinstance(etype, str) and etype.lower() == "interface" and endpoint.subnets:
            net.add(
                m.EniHolder(
                    f"{endpoint.id}#eni", endpoint.loc, subnets=list(endpoint.subnets), resource_type="aws_vpc_endpoint"
                )
            )
    for ref in ctx.public_ips:
        target = net.get(ref)
        if isinstance(target, m.Instance):
            target.public_ip = True
    for rt, routes in ctx.route_resources.items():
        if rt in ctx.inline_routes:
            ctx.note(
                rt,
                Unknown(
                    f"{rt} declares inline route blocks and {', '.join(routes)} adds routes to it; Terraform makes "
                    "them overwrite each other on every apply"
                ),
            )


def _loc_of(ctx: Context, addr: str) -> Loc:
    inst = ctx.by_addr.get(addr) or ctx.by_addr.get(addr.split("#", 1)[0])
    return inst.loc if inst is not None else m.NOWHERE


def _rewrite_default_ids(ctx: Context) -> None:
    """`aws_vpc.x.default_security_group_id` names the declared aws_default_security_group when there is one."""
    net = ctx.net
    mapping: dict[str, str] = {}
    for sg in net.of(m.SecurityGroup):
        if sg.is_default and isinstance(sg.vpc, str):
            mapping[m.default_sg_id(sg.vpc)] = sg.id
    for nacl in net.of(m.NetworkAcl):
        if nacl.is_default and isinstance(nacl.vpc, str):
            mapping[m.default_nacl_id(nacl.vpc)] = nacl.id
    for rt in net.of(m.RouteTable):
        if rt.is_main and isinstance(rt.vpc, str):
            mapping[m.main_rt_id(rt.vpc)] = rt.id
    for assoc in net.of(m.MainRouteTableAssociation):
        if isinstance(assoc.vpc, str) and isinstance(assoc.route_table, str):
            mapping[m.main_rt_id(assoc.vpc)] = assoc.route_table
    if not mapping:
        return

    def fix(ref: Any) -> Any:
        return mapping.get(ref, ref) if isinstance(ref, str) else ref

    for obj in net.objects.values():
        if isinstance(obj, m.Function):
            if isinstance(obj.security_groups, list):
                obj.security_groups = [fix(s) for s in obj.security_groups]
        elif isinstance(obj, (m.VpcEndpoint, m.PrivateTarget, m.Instance)):
            obj.security_groups = [fix(s) for s in obj.security_groups]
        elif isinstance(obj, m.Route):
            obj.route_table = fix(obj.route_table)
        elif isinstance(obj, m.NaclAssociation):
            obj.nacl = fix(obj.nacl)
        elif isinstance(obj, m.RouteTableAssociation):
            obj.route_table = fix(obj.route_table)
        if isinstance(obj, m.VpcEndpoint):
            obj.route_tables = [fix(r) for r in obj.route_tables]
        if isinstance(obj, m.SecurityGroup):
            for rule in (*obj.ingress, *obj.egress):
                if rule.peer_kind == "sg":
                    rule.peer = fix(rule.peer)


_MODULE_ADDRESS = re.compile(
    r'^(module\.[A-Za-z0-9_-]+(\[(\d+|"(?:[^"\\]|\\.)*")\])?\.)*module\.[A-Za-z0-9_-]+(\[(\d+|"(?:[^"\\]|\\.)*")\])?$'
)


def _is_module_address(address: str) -> bool:
    return bool(_MODULE_ADDRESS.match(address))


def _function_dependencies(ctx: Context) -> None:
    """Everything a function waits for: depends_on and references, through the whole dependency graph
    (Terraform orders creation by it), where a resource address means all its instances and a module
    address everything in the module."""
    for fn in ctx.net.of(m.Function):
        inst = ctx.by_addr.get(fn.id)
        if inst is None:
            continue
        seen: set[str] = set()
        stack = list(inst.depends_on)
        while stack:
            dep = stack.pop()
            if dep in seen or dep == fn.id:
                continue
            seen.add(dep)
            found = [dep] if dep in ctx.by_addr else []
            found += [i.address for i in ctx.by_resource.get(dep, [])]
            if _is_module_address(dep):
                found += [a for a in ctx.by_addr if a.startswith((dep + ".", dep + "["))]
            for address in found:
                seen.add(address)
                stack.extend(d for d in ctx.by_addr[address].depends_on if d not in seen)
        fn.depends_on = seen
