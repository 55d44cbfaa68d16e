"""The vendor-neutral network model that every parser produces.

Parsers settle format differences (CloudFormation's implicit allow-all egress, Terraform's removal of it,
SAM Globals, endpoint type defaults) and hand over plain facts in these classes; `graph.build` turns a
`Network` into the networkx graph the analyzer reads. Nothing here knows where a value came from.

References between objects are plain strings holding the referenced object's id (a CloudFormation
logical id or a Terraform address). A value the parser could not resolve is an `Unknown` carrying the
reason; an id that names something outside the source (a literal `subnet-0abc`, a parameter value)
is an `External`, which is also Unknown to the analysis but keeps its identity for ENI grouping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from . import aws


class Unknown:
    """A value the verdict may depend on but that static analysis cannot know."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    # Equality stays identity: two unresolved values are never known to be the same value.


class External(Unknown):
    """An identifier of something defined outside the analysed source (for example `subnet-0abc`)."""

    __slots__ = ("value",)

    def __init__(self, value: str, reason: str | None = None) -> None:
        super().__init__(reason or f"{value} is defined outside the analysed source")
        self.value = value

    def __repr__(self) -> str:
        return f"External({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, External) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("External", self.value))


class UnknownItems(Unknown):
    """Any number of list items that could not be resolved, standing inside a list: a list-valued parameter
    without a value, a split of an unknown string, a splat or a module output (DESIGN decision 13). How many
    items, and so how many subnets or zones, is unknown; zero is possible."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"UnknownItems({self.reason!r})"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


Ref = Union[str, Unknown]  # noqa: UP007 - a runtime alias; `str | Unknown` needs 3.10 evaluation
"""An object id, or Unknown/External when the reference cannot be followed."""


@dataclass(frozen=True)
class Loc:
    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


NOWHERE = Loc("")


@dataclass
class Obj:
    id: str
    loc: Loc = NOWHERE


@dataclass
class Vpc(Obj):
    cidrs_v4: list[str | Unknown] = field(default_factory=list)
    cidrs_v6: list[str | Unknown] = field(default_factory=list)
    # AWS defaults (CloudFormation and Terraform alike): DNS support on, DNS hostnames off.
    dns_support: bool | Unknown = True
    dns_hostnames: bool | Unknown = False


@dataclass
class Subnet(Obj):
    vpc: Ref | None = None
    cidr_v4: str | Unknown | None = None
    cidr_v6: str | Unknown | None = None
    # Literal zone name ("eu-west-1a"), symbolic zone ("az#0" for index 0 of Fn::GetAZs), or Unknown.
    az: str | Unknown | None = None
    # An IPv6-only subnet (CloudFormation Ipv6Native, Terraform ipv6_native): no IPv4 CIDR at all.
    ipv6_native: bool | Unknown = False


@dataclass
class RouteTable(Obj):
    vpc: Ref | None = None
    is_main: bool = False


@dataclass
class Route(Obj):
    route_table: Ref = ""
    dest_v4: str | Unknown | None = None
    dest_v6: str | Unknown | None = None
    prefix_list: Ref | None = None
    # The object the route sends traffic to; its kind is decided by what the id points at.
    target: Ref | None = None
    # Only a hint for a target outside the source (a literal "nat-0abc" under gateway_id, say).
    target_hint: str = ""
    blackhole: bool = False


@dataclass
class RouteTableAssociation(Obj):
    subnet: Ref = ""
    route_table: Ref = ""


@dataclass
class MainRouteTableAssociation(Obj):
    vpc: Ref = ""
    route_table: Ref = ""


@dataclass
class InternetGateway(Obj):
    pass


@dataclass
class GatewayAttachment(Obj):
    vpc: Ref = ""
    gateway: Ref = ""


@dataclass
class EgressOnlyInternetGateway(Obj):
    vpc: Ref | None = None


@dataclass
class NatGateway(Obj):
    subnet: Ref | None = None
    vpc: Ref | None = None
    connectivity: str | Unknown = "public"
    regional: bool = False
    # For a public zonal NAT gateway: whether an Elastic IP allocation is given.
    has_public_ip: bool | Unknown = True


@dataclass
class Instance(Obj):
    """An EC2 instance or network interface a route can point at (a NAT instance, an appliance)."""

    subnet: Ref | None = None
    security_groups: list[Ref] = field(default_factory=list)
    source_dest_check: bool | Unknown = True
    public_ip: bool | Unknown = False


@dataclass
class OpaqueGateway(Obj):
    """Transit gateway, peering connection, VPN gateway, carrier/local gateway: the far side is unseen."""

    gateway_kind: str = "transit_gateway"


@dataclass
class VpcEndpoint(Obj):
    vpc: Ref | None = None
    service: str | Unknown = ""
    endpoint_type: str | Unknown = "Gateway"
    route_tables: list[Ref] = field(default_factory=list)
    subnets: list[Ref] = field(default_factory=list)
    # Empty means the VPC's default security group (both CloudFormation and Terraform).
    security_groups: list[Ref] = field(default_factory=list)
    private_dns: bool | Unknown = False
    # A cross-Region interface endpoint names the Region of the service it reaches (ServiceRegion); None: its own.
    service_region: str | Unknown | None = None


@dataclass
class PrefixList(Obj):
    """A managed prefix list (`pl-…`) known from an environment snapshot. An AWS-managed list is named after
    the service whose addresses it holds, `com.amazonaws.<region>.<service>` (s3, dynamodb), the list a gateway
    endpoint's routes use (Amazon VPC User Guide, "AWS-managed prefix lists")."""

    name: str = ""
    cidrs: list[str] = field(default_factory=list)


@dataclass
class SgRule:
    """One security-group rule. `peer_kind` is cidr4, cidr6, sg or pl (prefix list)."""

    protocol: str | Unknown = "-1"
    from_port: int | Unknown | None = None
    to_port: int | Unknown | None = None
    peer_kind: str = "cidr4"
    peer: Ref | str | Unknown = "0.0.0.0/0"
    loc: Loc = NOWHERE
    synthetic: str = ""  # why the rule exists without being written (e.g. "CloudFormation default egress")


@dataclass
class SecurityGroup(Obj):
    vpc: Ref | None = None
    is_default: bool = False
    ingress: list[SgRule] = field(default_factory=list)
    egress: list[SgRule] = field(default_factory=list)
    # Set when some rule of this group could not be resolved: the rule set is then incomplete.
    rules_unknown: Unknown | None = None


@dataclass
class NaclEntry:
    rule_number: int | Unknown = 100
    egress: bool = False
    protocol: str | Unknown = "-1"
    allow: bool | Unknown = True
    cidr_v4: str | Unknown | None = None
    cidr_v6: str | Unknown | None = None
    from_port: int | Unknown | None = None
    to_port: int | Unknown | None = None
    loc: Loc = NOWHERE


@dataclass
class NetworkAcl(Obj):
    vpc: Ref | None = None
    is_default: bool = False
    entries: list[NaclEntry] = field(default_factory=list)
    entries_unknown: Unknown | None = None


@dataclass
class NaclAssociation(Obj):
    subnet: Ref = ""
    nacl: Ref = ""


@dataclass
class PolicyStatement:
    effect: str | Unknown = "Allow"
    actions: list[str] | Unknown = field(default_factory=list)
    not_actions: list[str] | None = None
    # Applies to only some requests: a Resource other than "*", a NotResource, or a Condition.
    scoped: bool = False


@dataclass
class Role(Obj):
    managed_policy_arns: list[str | Unknown] = field(default_factory=list)
    statements: list[PolicyStatement] = field(default_factory=list)
    # SAM policy templates by name (e.g. "S3ReadPolicy"), expanded to services by the analyzer.
    policy_templates: list[str] = field(default_factory=list)


@dataclass
class Policy(Obj):
    """A policy that reaches roles through a resource of its own (AWS::IAM::Policy, an attachment...)."""

    roles: list[Ref] = field(default_factory=list)
    statements: list[PolicyStatement] = field(default_factory=list)
    managed_policy_arns: list[str | Unknown] = field(default_factory=list)
    policy_templates: list[str] = field(default_factory=list)


@dataclass
class PrivateTarget(Obj):
    """A database, cache or other in-VPC target a function may need (`tcp:PORT@id`)."""

    target_kind: str = "db_instance"
    port: int | Unknown | None = None
    vpc: Ref | None = None
    subnets: list[Ref] = field(default_factory=list)
    security_groups: list[Ref] = field(default_factory=list)


@dataclass
class EniHolder(Obj):
    """A non-Lambda resource that takes addresses in subnets (counted for subnet capacity)."""

    subnets: list[Ref] = field(default_factory=list)
    resource_type: str = ""

    def __post_init__(self) -> None:
        # Which resources hold an ENI is one AWS fact (graph/aws.py); a parser cannot add its own.
        if self.resource_type not in aws.ENI_HOLDER_TYPES:
            raise ValueError(f"{self.resource_type!r} is not in graph.aws.ENI_HOLDER_TYPES")


@dataclass
class EventSourceMapping(Obj):
    function: Ref = ""
    source_service: str | Unknown = ""  # sqs, kinesis, dynamodb, kafka, mq, docdb


@dataclass
class Function(Obj):
    name: str | Unknown | None = None
    has_vpc_config: bool = False
    # Each may be Unknown as a whole (an ImportValue list) or hold Unknown items.
    subnets: list[Ref] | Unknown = field(default_factory=list)
    security_groups: list[Ref] | Unknown = field(default_factory=list)
    ipv6_dual_stack: bool | Unknown = False
    role: Ref | None = None
    # Values are literal strings, ResourceRef, or Unknown.
    environment: dict[str, Any] = field(default_factory=dict)
    # Ids of resources this function depends on, by reference or an explicit DependsOn/depends_on.
    depends_on: set[str] = field(default_factory=set)
    declared_needs: list[str] = field(default_factory=list)
    ignores: list[Suppression] = field(default_factory=list)
    traffic_gb: dict[str, float] = field(default_factory=dict)
    # The capacity provider the function runs on (Lambda Managed Instances) or the network connector it egresses
    # through: its placement replaces the function's own VpcConfig (DESIGN decision 11).
    compute: str | None = None
    # Bound to a capacity provider that cannot be followed (an ARN defined elsewhere, an unresolved value).
    managed_instances: Unknown | None = None
    # A stand-in for the functions a loop creates from a collection known only at deploy (CloudFormation's
    # Fn::ForEach), or for those a Terraform module not on disk may define (the module call, handed subnets or
    # security groups; no VPC config): analysed with what is known, and reported unresolved (VR001) with
    # this reason.
    stand_in: Unknown | None = None
    action: str = "create"  # plan mode: create/update/replace/delete/no-op
    # The EFS file systems the function mounts (FileSystemConfigs / file_system_config), by file system id: a
    # need for NFS (tcp:2049) to each, through its mount targets (DESIGN decision 3).
    file_systems: list[Ref] = field(default_factory=list)
    # Layer ARNs as written (an extension layer may carry network needs: graph/aws.py LAYER_NEEDS).
    layers: list[str | Unknown] = field(default_factory=list)
    # Where the function's code is (inline text or a local path), and what reading it found (parsers/code).
    code: CodeSource | None = None
    code_evidence: list[CodeEvidence] = field(default_factory=list)


@dataclass(frozen=True)
class CodeSource:
    """A function's code as its deploy tool finds it: inline text (SAM InlineCode, Code.ZipFile) located at
    `loc`, or a local file or folder (SAM CodeUri, Terraform archive_file / source folder, a CDK asset)."""

    kind: str  # inline | path
    loc: Loc
    text: str = ""
    path: str = ""
    runtime: str | None = None
    # Inline code written as one string on one line of its file (a JSON template): every line of the code is
    # that line. Else the code's line N is line `loc.line + N - 1` of the file.
    one_line: bool = False


@dataclass(frozen=True)
class CodeEvidence:
    """What reading a function's code found: an AWS SDK client ("sdk", `service` as the SDK spells it), a
    client built with an explicit endpoint ("endpoint", `url`), or an HTTP call to a literal URL or host
    ("http", `url` with each interpolation written {})."""

    kind: str
    service: str
    url: str
    file: str
    line: int
    text: str


@dataclass
class FileSystemMount:
    """An EFS mount target: the file system it serves, its subnet and security groups. The parsers record them
    and `attach_mount_targets` folds them into the file system's PrivateTarget."""

    file_system: Ref
    subnet: Ref
    security_groups: list[Ref]


def attach_mount_targets(network: Network, mounts: list[FileSystemMount]) -> None:
    """A file system is reached through its mount targets: their subnets and security groups become the file
    system target's (each mount target is in one subnet; the walk checks every one of them)."""
    for mount in mounts:
        target = network.get(mount.file_system)
        if not isinstance(target, PrivateTarget):
            continue
        if mount.subnet not in target.subnets:
            target.subnets.append(mount.subnet)
        for sg in mount.security_groups:
            if sg not in target.security_groups:
                target.security_groups.append(sg)


@dataclass
class BlockPublicAccess(Obj):
    """VPC Block Public Access options (account and Region wide): block-bidirectional, block-ingress or off [BPA]."""

    mode: str | Unknown = "off"


@dataclass
class BlockPublicAccessExclusion(Obj):
    """A VPC or subnet excluded from Block Public Access: allow-bidirectional or allow-egress [BPA]."""

    vpc: Ref | None = None
    subnet: Ref | None = None
    mode: str | Unknown = "allow-bidirectional"


@dataclass
class ComputePlacement(Obj):
    """Lambda compute that takes its place in a VPC as a group rather than one Hyperplane ENI per (subnet, SG set)
    of each function (DESIGN decision 11, SEMANTICS.md §11): a Managed Instances capacity provider (instances in its
    subnets, one address each) or a network connector (MicroVM / Web Function egress). The functions bound to it
    inherit this placement; their own VpcConfig is not used."""

    compute_kind: str = "capacity_provider"  # graph.aws.CAPACITY_PROVIDER or NETWORK_CONNECTOR
    subnets: list[Ref] | Unknown = field(default_factory=list)
    # Empty means the VPC's default security group (SAM CapacityProvider; EC2's default for the instances).
    security_groups: list[Ref] | Unknown = field(default_factory=list)
    dual_stack: bool | Unknown = False  # a connector's NetworkProtocol: DualStack
    # Compute that names this placement without being a Lambda function of the model (a MicroVM image, a Web
    # Function revision naming a network connector), by id.
    users: list[str] = field(default_factory=list)


@dataclass
class ComputeUse(Obj):
    """Compute other than a Lambda function (a MicroVM image, a Web Function revision) naming a network connector."""

    placement: Ref = ""


@dataclass(frozen=True)
class ResourceRef:
    """An environment value that points at a resource: its id and what it is.

    `service` is the AWS service the resource lives in (sqs, s3, ...) or "" when the resource is a private
    target in the network (its id is then an object id) or of a kind that implies no need.
    """

    id: str
    service: str = ""


@dataclass
class Suppression:
    rule_id: str
    reason: str = ""


@dataclass
class Network:
    """Everything one source (a template, a Terraform root module, a plan) declares."""

    sources: list[str] = field(default_factory=list)
    # Other folders the source read: the local modules a Terraform root calls (so a directory walk does
    # not analyse them again as roots of their own).
    also_read: list[str] = field(default_factory=list)
    objects: dict[str, Obj] = field(default_factory=dict)
    # Values that could not be resolved and are not tied to a single object field.
    unknowns: list[tuple[str, str]] = field(default_factory=list)
    # Suppressions on non-function resources (keyed by object id).
    ignores: dict[str, list[Suppression]] = field(default_factory=dict)
    region: str | None = None
    # Direct dependencies of every resource (references and DependsOn/depends_on), by id, so that rules
    # can follow ordering transitively (VR308).
    depends: dict[str, set[str]] = field(default_factory=dict)
    # Plan mode: the network as it is before the change (prior state / `before` values), for change impact.
    previous: Network | None = None
    # Plan mode: what the plan does to every changed address (create / update / replace / delete / no-op /
    # read / forget), and its resource type (deleted resources are in no network's objects after the change).
    actions: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    # Plan mode: literal ids of resources before the change → their address (an id left in a value after
    # its resource is deleted shows up as an External with that id).
    before_ids: dict[str, str] = field(default_factory=dict)
    # What the reader wants the person running the scan to know about this source (a `vpcreach: note:`).
    notes: list[str] = field(default_factory=list)
    # What the reader found wrong but could read past (a misspelt or detached annotation): `vpcreach: warning:`.
    warnings: list[str] = field(default_factory=list)
    # Files and folders the source deploys as assets (a CDK assembly's asset folders and nested templates).
    assets: list[str] = field(default_factory=list)
    # Values the source reads from outside itself that the scan resolved (issue 15): (what, value, where),
    # e.g. ("parameter SubnetIds", "subnet-0abc", "samconfig.toml"), ("subnet-0abc", "", "subnets.json:3").
    inputs: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, obj: Obj) -> Obj:
        self.objects[obj.id] = obj
        return obj

    def of(self, cls: type) -> list:
        return [o for o in self.objects.values() if isinstance(o, cls)]

    def get(self, ref: Any) -> Obj | None:
        return self.objects.get(ref) if isinstance(ref, str) else None


# Objects every VPC has without being declared; parsers refer to them by these ids and `graph.build`
# creates them unless the source declares them (Terraform's aws_default_* resources, say).
def default_sg_id(vpc: str) -> str:
    return f"{vpc}#default-sg"


def default_nacl_id(vpc: str) -> str:
    return f"{vpc}#default-nacl"


def main_rt_id(vpc: str) -> str:
    return f"{vpc}#main-rt"
