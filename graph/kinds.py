"""Node and edge kinds of the network graph, and the attributes each carries.

Every node has `kind` (one of NODE_KINDS), `loc` (graph.model.Loc) and, for declared objects, `obj` (the
model object, holding its resolved properties). Synthetic nodes (Hyperplane ENI groups, AWS services,
the internet, unresolved targets) have no `obj`.

Edges (attribute `kind`):
- attached    function → hyperplane_eni
- in_subnet   hyperplane_eni / nat_gateway / nat_instance / private target / vpc_endpoint → subnet
- uses_sg     hyperplane_eni / vpc_endpoint / private target / nat_instance → security_group
- associated  subnet → route_table (explicit association, else the VPC's main route table; `main=True`)
- route       route_table → target; attributes `family` (4 or 6), `destination` (CIDR, pl-id or Unknown),
              `prefix_list` (bool), `route` (model.Route or None for local/endpoint routes)
- nacl        subnet → network_acl
- serves      vpc_endpoint → aws_service
- in_vpc      subnet / route_table / security_group / network_acl / vpc_endpoint / internet_gateway → vpc
- uses_role   function → role;  grants  policy → role
- runs_on     function → capacity_provider / network_connector (whose groups are its placement)

A capacity provider or network connector has groups like Hyperplane ENI groups (one per subnet, with the
placement's security groups), ids `cp:<id>|<subnet>` / `nc:<id>|<subnet>`; EniGroup.compute names the owner.
"""

from __future__ import annotations

FUNCTION = "function"
HYPERPLANE_ENI = "hyperplane_eni"
SUBNET = "subnet"
ROUTE_TABLE = "route_table"
INTERNET_GATEWAY = "internet_gateway"
EGRESS_ONLY_IGW = "egress_only_igw"
NAT_GATEWAY = "nat_gateway"
NAT_INSTANCE = "nat_instance"
INSTANCE = "instance"
VPC_ENDPOINT = "vpc_endpoint"
SECURITY_GROUP = "security_group"
NETWORK_ACL = "network_acl"
VPC = "vpc"
TRANSIT_GATEWAY = "transit_gateway"
PEERING = "peering"
VPN_GATEWAY = "vpn_gateway"
AWS_SERVICE = "aws_service"
INTERNET = "internet"
UNRESOLVED = "unresolved"
ROLE = "role"
POLICY = "policy"
EVENT_SOURCE_MAPPING = "event_source_mapping"
ENI_HOLDER = "eni_holder"
# Lambda compute placed as a group (DESIGN decision 11): a Managed Instances capacity provider, a network connector.
CAPACITY_PROVIDER = "capacity_provider"
NETWORK_CONNECTOR = "network_connector"
COMPUTE_KINDS = (CAPACITY_PROVIDER, NETWORK_CONNECTOR)
PREFIX_LIST = "prefix_list"  # a managed prefix list read from an environment snapshot (no edges)
PRIVATE_TARGET_KINDS = ("db_instance", "db_cluster", "db_proxy", "cache_cluster", "search_domain", "file_system")
OPAQUE_KINDS = (TRANSIT_GATEWAY, PEERING, VPN_GATEWAY, "carrier_gateway", "local_gateway", "core_network")

NODE_KINDS = (
    PREFIX_LIST,
    FUNCTION,
    HYPERPLANE_ENI,
    SUBNET,
    ROUTE_TABLE,
    INTERNET_GATEWAY,
    EGRESS_ONLY_IGW,
    NAT_GATEWAY,
    NAT_INSTANCE,
    INSTANCE,
    VPC_ENDPOINT,
    SECURITY_GROUP,
    NETWORK_ACL,
    VPC,
    AWS_SERVICE,
    INTERNET,
    UNRESOLVED,
    ROLE,
    POLICY,
    EVENT_SOURCE_MAPPING,
    ENI_HOLDER,
    *COMPUTE_KINDS,
    *PRIVATE_TARGET_KINDS,
    *OPAQUE_KINDS,
)

# Edge kinds
ATTACHED = "attached"
IN_SUBNET = "in_subnet"
USES_SG = "uses_sg"
ASSOCIATED = "associated"
ROUTE = "route"
NACL = "nacl"
SERVES = "serves"
IN_VPC = "in_vpc"
USES_ROLE = "uses_role"
GRANTS = "grants"
RUNS_ON = "runs_on"  # function → capacity provider / network connector

INTERNET_NODE = "internet"


def service_node(service: str) -> str:
    return f"aws:{service}"


def unresolved_node(label: str) -> str:
    return f"unresolved:{label}"
