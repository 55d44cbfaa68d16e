"""CloudFormation resource types → model objects.

CloudFormation-specific semantics are settled here and nowhere else: a security group without inline
egress keeps AWS's allow-all egress (standalone AWS::EC2::SecurityGroupEgress rules are added after
creation and do not remove it) [CFNSG]; `VpcEndpointType` defaults to Gateway and `PrivateDnsEnabled` to
false [CFNVPCE]; NAT gateways default to public connectivity [CFNNAT].
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import Loc, Unknown

from ..iam_document import read_statements
from .intrinsics import Derived, Resolver, ResRef
from .values import as_list, to_bool, to_int, to_protocol, to_ref, to_refs, to_str


class Context:
    """What every handler needs: the resolver, the network being built and the current resource."""

    def __init__(self, resolver: Resolver, network: m.Network, path: str, types: dict[str, str]) -> None:
        self.r = resolver
        self.net = network
        self.path = path
        self.types = types  # logical id -> resource type
        self.pending_sg_rules: list[tuple[Any, bool, m.SgRule, str]] = []
        self.pending_nacl_entries: list[tuple[Any, m.NaclEntry, str]] = []
        self.subnet_groups: dict[str, Any] = {}
        self.mounts: list[m.FileSystemMount] = []  # EFS mount targets, folded into their file systems
        self.access_points: dict[str, Any] = {}  # EFS access point id → its file system
        self.raw_props: Any = {}  # the current resource's Properties before resolution (they keep lines)
        self.nested_read: set[str] = set()  # nested stacks whose local template was read (parsers/cfn/stacks.py)

    def note(self, obj_id: str, value: Any) -> None:
        if isinstance(value, Unknown) and not isinstance(value, m.External):
            self.net.unknowns.append((obj_id, value.reason))


Handler = Callable[[Context, str, dict, Loc], None]
HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for t in types:
            HANDLERS[t] = fn
        return fn

    return register


# --- VPC plumbing ------------------------------------------------------------------------------------
@handles("AWS::EC2::VPC")
def _vpc(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    cidr = to_str(p.get("CidrBlock"))
    if cidr is None:
        cidr = Unknown("the VPC CIDR comes from an IPAM pool") if p.get("Ipv4IpamPoolId") else None
    ctx.net.add(
        m.Vpc(
            rid,
            loc,
            cidrs_v4=[cidr] if cidr is not None else [],
            dns_support=to_bool(p.get("EnableDnsSupport"), True),
            dns_hostnames=to_bool(p.get("EnableDnsHostnames"), False),
        )
    )


@handles("AWS::EC2::VPCCidrBlock")
def _vpc_cidr(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    vpc = ctx.net.get(to_ref(p.get("VpcId")))
    if not isinstance(vpc, m.Vpc):
        return
    if p.get("CidrBlock") is not None:
        vpc.cidrs_v4.append(to_str(p.get("CidrBlock")))  # type: ignore[arg-type]
    if to_bool(p.get("AmazonProvidedIpv6CidrBlock"), False) is True:
        vpc.cidrs_v6.append(Unknown("Amazon-provided IPv6 CIDR, assigned at deploy time"))
    elif p.get("Ipv6CidrBlock") is not None or p.get("Ipv6Pool") or p.get("Ipv6IpamPoolId"):
        vpc.cidrs_v6.append(to_str(p.get("Ipv6CidrBlock")) or Unknown("IPv6 CIDR from a pool"))


@handles("AWS::EC2::Subnet")
def _subnet(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    az = p.get("AvailabilityZone", p.get("AvailabilityZoneId"))
    ipv6 = p.get("Ipv6CidrBlock")
    ctx.net.add(
        m.Subnet(
            rid,
            loc,
            vpc=to_ref(p.get("VpcId"), "VpcId"),
            cidr_v4=to_str(p.get("CidrBlock")),
            cidr_v6=to_str(ipv6) if ipv6 is not None else None,
            az=to_str(az) if az is not None else Unknown("the subnet names no Availability Zone (AWS picks one)"),
            ipv6_native=to_bool(p.get("Ipv6Native"), False),
        )
    )


@handles("AWS::EC2::RouteTable")
def _route_table(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.net.add(m.RouteTable(rid, loc, vpc=to_ref(p.get("VpcId"), "VpcId")))


_ROUTE_TARGETS = (
    "GatewayId",
    "NatGatewayId",
    "EgressOnlyInternetGatewayId",
    "InstanceId",
    "NetworkInterfaceId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "VpcEndpointId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
)


@handles("AWS::EC2::Route")
def _route(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    target: Any = None
    hint = ""
    for attr in _ROUTE_TARGETS:
        if p.get(attr) is not None:
            target, hint = to_ref(p[attr], attr), attr
            break
    ctx.net.add(
        m.Route(
            rid,
            loc,
            route_table=to_ref(p.get("RouteTableId"), "RouteTableId"),
            dest_v4=to_str(p.get("DestinationCidrBlock")),
            dest_v6=to_str(p.get("DestinationIpv6CidrBlock")),
            prefix_list=to_ref(p["DestinationPrefixListId"]) if p.get("DestinationPrefixListId") is not None else None,
            target=target,
            target_hint=hint,
        )
    )


@handles("AWS::EC2::SubnetRouteTableAssociation")
def _rt_assoc(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.net.add(
        m.RouteTableAssociation(
            rid,
            loc,
            subnet=to_ref(p.get("SubnetId"), "SubnetId"),
            route_table=to_ref(p.get("RouteTableId")),
        )
    )


@handles("AWS::EC2::InternetGateway")
def _igw(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.net.add(m.InternetGateway(rid, loc))


@handles("AWS::EC2::VPCGatewayAttachment")
def _igw_attach(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    gateway = p.get("InternetGatewayId", p.get("VpnGatewayId"))
    ctx.net.add(m.GatewayAttachment(rid, loc, vpc=to_ref(p.get("VpcId")), gateway=to_ref(gateway)))


@handles("AWS::EC2::EgressOnlyInternetGateway")
def _eigw(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.net.add(m.EgressOnlyInternetGateway(rid, loc, vpc=to_ref(p.get("VpcId"))))


@handles("AWS::EC2::NatGateway")
def _nat(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    connectivity = to_str(p.get("ConnectivityType")) or "public"
    if isinstance(connectivity, str):
        connectivity = connectivity.lower()
    mode = p.get("AvailabilityMode")
    regional = isinstance(mode, str) and mode.lower() == "regional"
    has_ip: bool | Unknown = bool(
        p.get("AllocationId") or p.get("EipAllocations") or p.get("AvailabilityZoneAddresses")
    )
    ctx.net.add(
        m.NatGateway(
            rid,
            loc,
            subnet=to_ref(p["SubnetId"], "SubnetId") if p.get("SubnetId") is not None else None,
            vpc=to_ref(p["VpcId"]) if p.get("VpcId") is not None else None,
            connectivity=connectivity,
            regional=regional,
            has_public_ip=True if regional else has_ip,
        )
    )


@handles("AWS::EC2::VPCBlockPublicAccessOptions")
def _bpa(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    mode = to_str(p.get("InternetGatewayBlockMode"))
    ctx.net.add(m.BlockPublicAccess(rid, loc, aws.bpa_mode(mode) if isinstance(mode, str) else mode or "off"))


@handles("AWS::EC2::VPCBlockPublicAccessExclusion")
def _bpa_exclusion(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    mode = to_str(p.get("InternetGatewayExclusionMode"))
    ctx.net.add(
        m.BlockPublicAccessExclusion(
            rid,
            loc,
            vpc=to_ref(p["VpcId"]) if p.get("VpcId") is not None else None,
            subnet=to_ref(p["SubnetId"]) if p.get("SubnetId") is not None else None,
            mode=aws.bpa_mode(mode) if isinstance(mode, str) else mode or Unknown("no InternetGatewayExclusionMode"),
        )
    )


@handles("AWS::EC2::Instance")
def _instance(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    subnet = p.get("SubnetId")
    sgs = p.get("SecurityGroupIds") or []
    public: bool | Unknown = False
    for nic in as_list(p.get("NetworkInterfaces")):
        if isinstance(nic, dict) and str(nic.get("DeviceIndex", "0")) == "0":
            subnet = nic.get("SubnetId", subnet)
            sgs = nic.get("GroupSet", sgs)
            public = to_bool(nic.get("AssociatePublicIpAddress"), False)
    sg_refs = to_refs(sgs)
    ctx.net.add(
        m.Instance(
            rid,
            loc,
            subnet=to_ref(subnet) if subnet is not None else None,
            security_groups=sg_refs if isinstance(sg_refs, list) else [sg_refs],
            source_dest_check=to_bool(p.get("SourceDestCheck"), True),
            public_ip=public,
        )
    )
    if subnet is not None:
        ctx.net.add(m.EniHolder(f"{rid}#eni", loc, subnets=[to_ref(subnet)], resource_type="AWS::EC2::Instance"))


@handles("AWS::EC2::NetworkInterface")
def _eni(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    sg_refs = to_refs(p.get("GroupSet"))
    ctx.net.add(
        m.Instance(
            rid,
            loc,
            subnet=to_ref(p.get("SubnetId")),
            security_groups=sg_refs if isinstance(sg_refs, list) else [sg_refs],
            source_dest_check=to_bool(p.get("SourceDestCheck"), True),
        )
    )


@handles("AWS::EC2::EIP")
def _eip(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    instance = ctx.net.get(to_ref(p.get("InstanceId")))
    if isinstance(instance, m.Instance):
        instance.public_ip = True


@handles("AWS::EC2::EIPAssociation")
def _eip_assoc(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    instance = ctx.net.get(to_ref(p.get("InstanceId", p.get("NetworkInterfaceId"))))
    if isinstance(instance, m.Instance):
        instance.public_ip = True


_OPAQUE = {
    "AWS::EC2::TransitGateway": "transit_gateway",
    "AWS::EC2::VPCPeeringConnection": "peering",
    "AWS::EC2::VPNGateway": "vpn_gateway",
    "AWS::EC2::CarrierGateway": "carrier_gateway",
    "AWS::EC2::TransitGatewayAttachment": "transit_gateway",
    "AWS::EC2::TransitGatewayVpcAttachment": "transit_gateway",
}


@handles(*_OPAQUE)
def _opaque(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.net.add(m.OpaqueGateway(rid, loc, gateway_kind=_OPAQUE[ctx.types[rid]]))


@handles("AWS::EC2::VPCEndpoint")
def _endpoint(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    service = to_str(p.get("ServiceName"))
    etype = to_str(p.get("VpcEndpointType")) or "Gateway"
    route_tables = to_refs(p.get("RouteTableIds"))
    subnets = to_refs(p.get("SubnetIds"))
    sgs = to_refs(p.get("SecurityGroupIds"))
    ctx.net.add(
        m.VpcEndpoint(
            rid,
            loc,
            vpc=to_ref(p.get("VpcId")),
            service=service if service is not None else Unknown("no ServiceName"),
            endpoint_type=etype,
            route_tables=route_tables if isinstance(route_tables, list) else [route_tables],
            subnets=subnets if isinstance(subnets, list) else [subnets],
            security_groups=sgs if isinstance(sgs, list) else [sgs],
            private_dns=to_bool(p.get("PrivateDnsEnabled"), False),
            service_region=to_str(p.get("ServiceRegion")) if p.get("ServiceRegion") is not None else None,
        )
    )
    if isinstance(etype, str) and aws.endpoint_type(etype) in aws.ENI_ENDPOINT_TYPES and isinstance(subnets, list):
        ctx.net.add(m.EniHolder(f"{rid}#eni", loc, subnets=subnets, resource_type="AWS::EC2::VPCEndpoint"))


# --- security groups and network ACLs ----------------------------------------------------------------
def _sg_rule(r: dict, egress: bool, loc: Loc) -> m.SgRule:
    if egress:
        peers = (
            ("cidr4", "CidrIp"),
            ("cidr6", "CidrIpv6"),
            ("pl", "DestinationPrefixListId"),
            ("sg", "DestinationSecurityGroupId"),
        )
    else:
        peers = (
            ("cidr4", "CidrIp"),
            ("cidr6", "CidrIpv6"),
            ("pl", "SourcePrefixListId"),
            ("sg", "SourceSecurityGroupId"),
        )
    kind, peer = "cidr4", Unknown("the rule names no destination")
    for k, attr in peers:
        if r.get(attr) is not None:
            kind = k
            peer = to_ref(r[attr]) if k in ("sg", "pl") else to_str(r[attr])  # type: ignore[assignment]
            break
    return m.SgRule(
        protocol=to_protocol(r.get("IpProtocol")),
        from_port=to_int(r.get("FromPort")),
        to_port=to_int(r.get("ToPort")),
        peer_kind=kind,
        peer=peer,
        loc=loc,
    )


def _rule_loc(ctx: Context, raw: Any, default: Loc) -> Loc:
    line = getattr(raw, "line", None)
    return Loc(ctx.path, line) if line else default


def _allow_all_egress(loc: Loc) -> list[m.SgRule]:
    why = "CloudFormation adds allow-all egress to a group declared without SecurityGroupEgress"
    # The IPv6 half is documented [CFNSG] but deployments show only the IPv4 rule
    # (aws-cloudformation/cloudformation-coverage-roadmap#2241): an IPv6 verdict through it stays unknown.
    ipv6 = Unknown("CloudFormation documents a default ::/0 egress rule, but deployed groups show only the IPv4 one")
    return [
        m.SgRule("-1", None, None, "cidr4", "0.0.0.0/0", loc, why),
        m.SgRule("-1", None, None, "cidr6", ipv6, loc, why),
    ]


@handles("AWS::EC2::SecurityGroup")
def _sg(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    sg = m.SecurityGroup(rid, loc, vpc=to_ref(p["VpcId"]) if p.get("VpcId") is not None else None)
    raw_props = ctx.raw_props
    for attr, egress, target in (("SecurityGroupIngress", False, sg.ingress), ("SecurityGroupEgress", True, sg.egress)):
        rules = p.get(attr)
        if isinstance(rules, Unknown):
            sg.rules_unknown = rules
            continue
        raw_rules = raw_props.get(attr) if isinstance(raw_props, dict) else None
        for i, rule in enumerate(as_list(rules)):
            if isinstance(rule, dict):
                raw = raw_rules[i] if isinstance(raw_rules, list) and i < len(raw_rules) else None
                target.append(_sg_rule(rule, egress, _rule_loc(ctx, raw, loc)))
            elif isinstance(rule, Unknown):
                sg.rules_unknown = rule
    if p.get("SecurityGroupEgress") is None or p.get("SecurityGroupEgress") == []:
        # An empty list is "no egress rules specified": CloudFormation still adds the default (which is why
        # CDK writes a match-nothing rule instead of [] to remove it [CDKSG]).
        sg.egress.extend(_allow_all_egress(loc))
    ctx.net.add(sg)


@handles("AWS::EC2::SecurityGroupEgress", "AWS::EC2::SecurityGroupIngress")
def _sg_standalone(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    egress = ctx.types[rid].endswith("Egress")
    ctx.pending_sg_rules.append((to_ref(p.get("GroupId", p.get("GroupName"))), egress, _sg_rule(p, egress, loc), rid))


@handles("AWS::EC2::NetworkAcl")
def _nacl(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.net.add(m.NetworkAcl(rid, loc, vpc=to_ref(p.get("VpcId"))))


@handles("AWS::EC2::NetworkAclEntry")
def _nacl_entry(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    port_range = p.get("PortRange")
    ports = port_range if isinstance(port_range, dict) else {}
    action = p.get("RuleAction")
    entry = m.NaclEntry(
        rule_number=to_int(p.get("RuleNumber")) or 0,
        egress=to_bool(p.get("Egress"), False) is True,
        protocol=to_protocol(p.get("Protocol")),
        allow=action.lower() == "allow" if isinstance(action, str) else Unknown("rule action unknown"),
        cidr_v4=to_str(p.get("CidrBlock")),
        cidr_v6=to_str(p.get("Ipv6CidrBlock")),
        from_port=to_int(ports.get("From")),
        to_port=to_int(ports.get("To")),
        loc=loc,
    )
    ctx.pending_nacl_entries.append((to_ref(p.get("NetworkAclId")), entry, rid))


@handles("AWS::EC2::SubnetNetworkAclAssociation")
def _nacl_assoc(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.net.add(m.NaclAssociation(rid, loc, subnet=to_ref(p.get("SubnetId")), nacl=to_ref(p.get("NetworkAclId"))))


# --- IAM ---------------------------------------------------------------------------------------------
def _unresolved(value: Any) -> Unknown | None:
    if isinstance(value, ResRef):
        return Unknown(f"{value.id}{'.' + value.attr if value.attr else ''} is known only after deploy")
    return None


def statements(document: Any) -> list[m.PolicyStatement]:
    return read_statements(document, _unresolved)


def managed_arns(value: Any) -> list[Any]:
    if isinstance(value, Unknown):
        return [value]
    out: list[Any] = []
    for v in as_list(value):
        out.append(v if isinstance(v, (str, ResRef, Unknown)) else Unknown("managed policy ARN unknown"))
    return out


@handles("AWS::IAM::Role")
def _role(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    role = m.Role(rid, loc, managed_policy_arns=managed_arns(p.get("ManagedPolicyArns")))
    policies = p.get("Policies")
    if isinstance(policies, Unknown):
        role.statements.append(m.PolicyStatement(actions=policies))
    for pol in as_list(policies):
        if isinstance(pol, dict):
            role.statements.extend(statements(pol.get("PolicyDocument")))
    ctx.net.add(role)


@handles("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")
def _policy(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    roles = to_refs(p.get("Roles") if "Roles" in p else ([p["RoleName"]] if p.get("RoleName") is not None else []))
    ctx.net.add(
        m.Policy(
            rid,
            loc,
            roles=roles if isinstance(roles, list) else [roles],
            statements=statements(p.get("PolicyDocument")),
        )
    )


# --- event sources and private targets ----------------------------------------------------------------
def event_source_service(ctx: Context, value: Any) -> str | Unknown:
    if isinstance(value, ResRef):
        return aws.EVENT_SOURCE_OF_RESOURCE_TYPE.get(
            ctx.types.get(value.id, ""), Unknown(f"event source {value.id} of an unknown kind")
        )
    if isinstance(value, str) and value.startswith("arn:"):
        return aws.event_source_of_arn(value) or Unknown("malformed event source ARN")
    if isinstance(value, Derived) and value.refs:
        return event_source_service(ctx, value.refs[0])
    return Unknown("event source could not be resolved")


@handles("AWS::Lambda::EventSourceMapping")
def _esm(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    fn = p.get("FunctionName")
    fn_ref = fn.id if isinstance(fn, ResRef) else (fn.refs[0].id if isinstance(fn, Derived) and fn.refs else to_ref(fn))
    if p.get("SelfManagedEventSource") is not None:
        service: str | Unknown = aws.SELF_MANAGED_KAFKA
    else:
        service = event_source_service(ctx, p.get("EventSourceArn"))
    ctx.net.add(m.EventSourceMapping(rid, loc, function=fn_ref, source_service=service))


@handles(
    "AWS::RDS::DBSubnetGroup",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::DocDB::DBSubnetGroup",
    "AWS::Neptune::DBSubnetGroup",
    "AWS::MemoryDB::SubnetGroup",
)
def _subnet_group(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.subnet_groups[rid] = to_refs(p.get("SubnetIds"))


# type -> (target kind, port property, where the engine comes from, subnet property, SG property). The engine
# is read from `Engine` ("engine"), from a proxy's `EngineFamily` ("family"), or is the type's own.
_TARGETS: dict[str, tuple[str, str, str, str, str]] = {
    "AWS::RDS::DBInstance": ("db_instance", "Port", "engine", "DBSubnetGroupName", "VPCSecurityGroups"),
    "AWS::RDS::DBCluster": ("db_cluster", "Port", "engine", "DBSubnetGroupName", "VpcSecurityGroupIds"),
    "AWS::RDS::DBProxy": ("db_proxy", "", "family", "VpcSubnetIds", "VpcSecurityGroupIds"),
    "AWS::ElastiCache::CacheCluster": (
        "cache_cluster",
        "Port",
        "engine",
        "CacheSubnetGroupName",
        "VpcSecurityGroupIds",
    ),
    "AWS::ElastiCache::ReplicationGroup": (
        "cache_cluster",
        "Port",
        "engine",
        "CacheSubnetGroupName",
        "SecurityGroupIds",
    ),
    "AWS::ElastiCache::ServerlessCache": ("cache_cluster", "", "redis", "SubnetIds", "SecurityGroupIds"),
    "AWS::MemoryDB::Cluster": ("cache_cluster", "Port", "redis", "SubnetGroupName", "SecurityGroupIds"),
    "AWS::DocDB::DBCluster": ("db_cluster", "Port", "docdb", "DBSubnetGroupName", "VpcSecurityGroupIds"),
    "AWS::Neptune::DBCluster": ("db_cluster", "Port", "neptune", "DBSubnetGroupName", "VpcSecurityGroupIds"),
}
# Resource types whose `Engine` may be omitted, by their family in aws.DEFAULT_ENGINES.
_ENGINE_FAMILY = {"AWS::ElastiCache::ReplicationGroup": "elasticache_replication_group"}


def _engine_port(ctx: Context, rid: str, p: dict, source: str) -> int | Unknown:
    if source == "family":
        family = p.get("EngineFamily")
        port = aws.engine_port(family) if isinstance(family, str) else None
        return port if port is not None else Unknown("proxy engine family unknown")
    if source != "engine":
        return aws.ENGINE_PORTS[source]
    engine = p.get("Engine")
    if engine is None:
        engine = aws.DEFAULT_ENGINES.get(_ENGINE_FAMILY.get(ctx.types[rid], ""))
    if isinstance(engine, str):
        port = aws.engine_port(engine)
        return port if port is not None else Unknown(f"port of engine {engine} unknown")
    return Unknown("port depends on an unknown engine")


@handles(*_TARGETS)
def _private_target(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    kind, port_prop, engine_source, subnet_prop, sg_prop = _TARGETS[ctx.types[rid]]
    port: Any = to_int(p.get(port_prop)) if port_prop else None
    if port is None:
        port = _engine_port(ctx, rid, p, engine_source)
    subnets_raw = p.get(subnet_prop)
    if isinstance(subnets_raw, ResRef) and subnets_raw.id in ctx.subnet_groups:
        subnets = ctx.subnet_groups[subnets_raw.id]
    elif isinstance(subnets_raw, list):
        subnets = to_refs(subnets_raw)
    elif subnets_raw is None:
        subnets = Unknown("no subnet group: the default VPC is used")
    else:
        subnets = Unknown("the subnet group is defined outside the template")
    sgs = to_refs(p.get(sg_prop))
    ctx.net.add(
        m.PrivateTarget(
            rid,
            loc,
            target_kind=kind,
            port=port,
            subnets=subnets if isinstance(subnets, list) else [subnets],
            security_groups=sgs if isinstance(sgs, list) else [sgs],
        )
    )


@handles("AWS::Elasticsearch::Domain", "AWS::OpenSearchService::Domain")
def _search_domain(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    # A domain with VPCOptions lives in the VPC: es:ESHttp* calls are a private target on 443 (DESIGN decision 3).
    vpc_options = p.get("VPCOptions")
    if not isinstance(vpc_options, dict):
        return
    subnets = to_refs(vpc_options.get("SubnetIds"))
    sgs = to_refs(vpc_options.get("SecurityGroupIds"))
    ctx.net.add(
        m.PrivateTarget(
            rid,
            loc,
            target_kind="search_domain",
            port=443,
            subnets=subnets if isinstance(subnets, list) else [subnets],
            security_groups=sgs if isinstance(sgs, list) else [sgs],
        )
    )


@handles("AWS::EFS::FileSystem")
def _file_system(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    # Reached over NFS, TCP 2049, through a mount target in the client's zone [EFSSG]; the mount targets give it
    # its subnets and security groups (graph.model.attach_mount_targets).
    ctx.net.add(m.PrivateTarget(rid, loc, target_kind="file_system", port=aws.NFS_PORT))


@handles("AWS::EFS::AccessPoint")
def _access_point(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    ctx.access_points[rid] = to_ref(p.get("FileSystemId"), "FileSystemId")


@handles("AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::EFS::MountTarget")
def _eni_holder(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    if ctx.types[rid] == "AWS::EFS::MountTarget":
        sgs = to_refs(p.get("SecurityGroups"))
        ctx.mounts.append(
            m.FileSystemMount(
                to_ref(p.get("FileSystemId"), "FileSystemId"),
                to_ref(p.get("SubnetId"), "SubnetId"),
                sgs if isinstance(sgs, list) else [sgs],
            )
        )
    subnets = to_refs(p.get("Subnets", p.get("SubnetId")))
    for mapping in as_list(p.get("SubnetMappings")):
        if isinstance(mapping, dict) and isinstance(subnets, list):
            subnets.append(to_ref(mapping.get("SubnetId")))
    if isinstance(subnets, list):
        ctx.net.add(m.EniHolder(f"{rid}#eni", loc, subnets=subnets, resource_type=ctx.types[rid]))


def mount_standalone_rules(ctx: Context) -> None:
    """Attach standalone SG rules and NACL entries to their parents, EFS mount targets to their file systems,
    and resolve the file systems functions mount through access points (after all resources exist)."""
    m.attach_mount_targets(ctx.net, ctx.mounts)
    for fn in ctx.net.of(m.Function):
        fn.file_systems = [ctx.access_points.get(ref, ref) if isinstance(ref, str) else ref for ref in fn.file_systems]
    for group_ref, egress, rule, rid in ctx.pending_sg_rules:
        group = ctx.net.get(group_ref)
        if isinstance(group, m.SecurityGroup):
            (group.egress if egress else group.ingress).append(rule)
        elif isinstance(group_ref, Unknown):
            ctx.note(rid, group_ref)
    for nacl_ref, entry, rid in ctx.pending_nacl_entries:
        nacl = ctx.net.get(nacl_ref)
        if isinstance(nacl, m.NetworkAcl):
            nacl.entries.append(entry)
        elif isinstance(nacl_ref, Unknown):
            ctx.note(rid, nacl_ref)


# --- Nested stacks --------------------------------------------------------------------------------------
_PLACING_TYPES = ("AWS::EC2::Subnet", "AWS::EC2::SecurityGroup")


@handles("AWS::CloudFormation::Stack", "AWS::Serverless::Application")
def _nested_stack(ctx: Context, rid: str, p: dict, loc: Loc) -> None:
    """A nested stack's template is not read (CloudFormation fetches it from its TemplateURL, an S3 URL; SAM's
    Location may name a local file or a Serverless Application Repository app). When the stack is handed
    subnets or security groups, the functions it defines are placed in a VPC that cannot be checked: a
    stand-in function reported VR001 on the stack, never silence (the twin of a Terraform module not on disk).
    """
    params = p.get("Parameters")
    if not isinstance(params, dict) or rid in ctx.nested_read:
        return
    handed = [str(name) for name, value in params.items() if _places(ctx, str(name), value)]
    if not handed:
        return
    where = p.get("TemplateURL", p.get("Location"))
    source = f" ({where})" if isinstance(where, str) else ""
    reason = (
        f"a nested stack whose template vpcreach does not read{source}: its functions' networks cannot be "
        f"checked, though it is passed {', '.join(handed)}; scan that template too"
    )
    ctx.net.add(m.Function(rid, loc, stand_in=Unknown(reason)))


def _places(ctx: Context, name: str, value: Any) -> bool:
    """Whether a nested stack parameter hands it subnets or security groups: by its name, or by its value
    (references to the template's subnets or security groups, or literal `subnet-`/`sg-` ids)."""
    if value is None or value == "" or value == []:
        return False
    if aws.is_network_argument(name):
        return True
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, ResRef):
            if ctx.types.get(item.id) in _PLACING_TYPES:
                return True
        elif isinstance(item, Derived):
            stack.extend(item.refs)
        elif isinstance(item, str) and item.startswith(("subnet-", "sg-")):
            return True
    return False
