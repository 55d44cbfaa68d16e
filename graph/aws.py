"""AWS facts that do not depend on the source format, each written once.

Both parsers and the analyzer read these; neither keeps a copy. A parser keeps only what differs by format
(its defaults, intrinsics, SAM Globals, Terraform provider quirks). Where a fact is tied to resource types,
the table names the type as each format spells it (`AWS::SQS::Queue`, `aws_sqs_queue`) side by side, so
the two spellings of one AWS object cannot drift apart. This module imports nothing from parsers/ or
analyzer/. Source tags refer to SEMANTICS.md.
"""

from __future__ import annotations

import re

# --- databases and caches: engines and their default ports ---------------------------------------------
# Default ports from the RDS, Aurora, RDS Proxy, ElastiCache, MemoryDB, DocumentDB and Neptune user guides.
# A function reaches an EFS file system over NFS, TCP 2049, through the mount target of the Availability Zone it
# connects from; the function's and the mount targets' security groups must allow it (Lambda developer guide,
# "Configuring file system access": https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html).
NFS_PORT = 2049
ENGINE_PORTS = {
    "mysql": 3306,
    "mariadb": 3306,
    "aurora": 3306,
    "aurora-mysql": 3306,
    "postgres": 5432,
    "postgresql": 5432,  # RDS Proxy engine family POSTGRESQL
    "aurora-postgresql": 5432,
    "oracle": 1521,
    "sqlserver": 1433,
    "redis": 6379,
    "valkey": 6379,
    "memcached": 11211,
    "docdb": 27017,
    "neptune": 8182,
}

# Engine editions that share their family's port: `oracle-ee`, `oracle-se2-cdb`, `sqlserver-ee`,
# `sqlserver-se`, `sqlserver-ex`, `sqlserver-web`, `sqlserver-dev-ee`; RDS Custom prefixes them with
# `custom-` (RDS API CreateDBInstance, Engine valid values).
_EDITION_FAMILIES = ("oracle", "sqlserver")

# The engine a resource family assumes when the source names none. A replication group's `Engine` is
# optional (CloudFormation user guide, aws-resource-elasticache-replicationgroup: "Required: No");
# CreateReplicationGroup was "valid only for Redis" before Valkey, and the Terraform provider documents
# "Default is redis" (aws_elasticache_replication_group `engine`). An Aurora cluster without an engine
# was Aurora MySQL 5.6 (`aurora`).
DEFAULT_ENGINES = {
    "elasticache_replication_group": "redis",
    "rds_cluster": "aurora",
    "memorydb_cluster": "redis",
    "docdb_cluster": "docdb",
    "neptune_cluster": "neptune",
}


def normalise_engine(engine: str) -> str:
    """`SQLServer-EE` → sqlserver, `custom-oracle-ee` → oracle, `Redis` → redis, `MYSQL` → mysql."""
    name = engine.strip().lower().removeprefix("custom-")
    for family in _EDITION_FAMILIES:
        if name == family or name.startswith(family + "-"):
            return family
    return name


def engine_port(engine: str) -> int | None:
    """The default port of an engine (or RDS Proxy engine family), None when vpcreach does not know it."""
    return ENGINE_PORTS.get(normalise_engine(engine))


# --- protocols ---------------------------------------------------------------------------------------
ALL_PROTOCOLS = "-1"
# IANA protocol numbers the EC2 API accepts in place of names [IPP].
PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def normalise_protocol(text: str) -> str:
    """A security-group or network-ACL protocol as written → `-1`, `tcp`, `udp`, `icmp`, `icmpv6` or the
    number of another protocol. `-1` and `all` mean every protocol [IPP]."""
    name = text.strip().lower()
    if name in ("all", ALL_PROTOCOLS):
        return ALL_PROTOCOLS
    return PROTOCOL_NUMBERS.get(name, name)


# --- AWS services: the endpoint service name every need is written with -------------------------------
# IAM action prefixes and other short names → VPC endpoint service name, where they differ.
_SERVICE_ALIASES = {
    "cloudwatch": "monitoring",
    "ecr": "ecr.api",
    "ses": "email",
    "firehose": "kinesis-firehose",
}


# Services a gateway endpoint serves [GWE]; every other AWS service is served by interface endpoints.
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")

# Endpoint types (CloudFormation AWS::EC2::VPCEndpoint VpcEndpointType, Terraform vpc_endpoint_type) [VPCE2]: only
# Interface (for an AWS service name) and Gateway (S3, DynamoDB) endpoints serve AWS service hostnames.
# ServiceNetwork and Resource endpoints reach VPC Lattice service networks and resource configurations,
# GatewayLoadBalancer endpoints are route targets for inspection appliances, and Tunnel's semantics are
# UNVERIFIED: none of them serves a service need (SEMANTICS.md §11); analyzer/reach.py `_serves_here` decides.
# The types that place network interfaces in the subnets they name (one address each, DESIGN decision 7): the
# PrivateLink user guide's interface, Gateway Load Balancer, resource and service-network endpoints.
ENI_ENDPOINT_TYPES = frozenset({"interface", "gatewayloadbalancer", "resource", "servicenetwork"})


def endpoint_type(name: str) -> str:
    """`Interface`, `GatewayLoadBalancer`, `ServiceNetwork` … → interface, gatewayloadbalancer, servicenetwork."""
    return name.strip().lower()


# DynamoDB Streams is its own API (`streams.dynamodb.<region>.amazonaws.com`, endpoint service
# `com.amazonaws.<region>.dynamodb-streams`) although its IAM actions carry the `dynamodb:` prefix. It has
# interface endpoints only ("Gateway endpoints are not supported") and no private DNS: clients must use the
# endpoint's own DNS name as their endpoint URL. Source: Amazon DynamoDB Developer Guide, "AWS PrivateLink
# for DynamoDB Streams" (privatelink-streams), read 2026-11.
DYNAMODB_STREAMS = "dynamodb-streams"
_ACTION_SERVICES = {
    "dynamodb:getrecords": DYNAMODB_STREAMS,
    "dynamodb:getsharditerator": DYNAMODB_STREAMS,
    "dynamodb:describestream": DYNAMODB_STREAMS,
    "dynamodb:liststreams": DYNAMODB_STREAMS,
}
# Hostnames whose service label is not the endpoint service name.
_HOST_SERVICES = {"streams.dynamodb": DYNAMODB_STREAMS}
# Interface endpoint services whose default SDK hostname never resolves to the endpoint.
NO_PRIVATE_DNS_SERVICES = frozenset({DYNAMODB_STREAMS})


def service_of_action(action: str) -> str | None:
    """The endpoint service of an IAM action whose service is not its prefix (`dynamodb:GetRecords` →
    dynamodb-streams), None for the others."""
    return _ACTION_SERVICES.get(action.strip().lower())


def service_of_host_labels(labels: list[str]) -> str | None:
    """`["streams", "dynamodb"]` (the labels before the Region) → dynamodb-streams, None for the others."""
    return _HOST_SERVICES.get(".".join(labels[-2:]).lower()) if len(labels) >= 2 else None


def endpoint_fix(service: str, or_nat: bool = True) -> str:
    """How to give a VPC function a private path to an AWS service: the endpoint kind AWS offers for it."""
    name = f"com.amazonaws.{PSEUDO_REGION}.{service}"
    nat = ", or a NAT route" if or_nat else ""
    if service in GATEWAY_ENDPOINT_SERVICES:
        return f"Add a gateway VPC endpoint for {service} (free) with the function subnets' route tables{nat}."
    if service in NO_PRIVATE_DNS_SERVICES:
        return (
            f"Add an interface endpoint for {service} ({name}) and point the client's endpoint URL at its DNS name "
            f"({service} has no gateway endpoint and no private DNS){nat}."
        )
    return f"Add an interface endpoint for {service} with private DNS enabled{nat}."


def normalise_service(name: str) -> str:
    """The endpoint service name of an AWS service however it is named (`firehose` → `kinesis-firehose`).

    Every need for an AWS service passes through here, whatever produced it (declaration, IAM action,
    environment variable, URL)."""
    lowered = name.strip().lower()
    return _SERVICE_ALIASES.get(lowered, lowered)


# Resources whose reference in a function's environment means the code calls that service's API.
_SERVICE_RESOURCES = {
    "sqs": ("AWS::SQS::Queue", "aws_sqs_queue"),
    "sns": ("AWS::SNS::Topic", "aws_sns_topic"),
    "dynamodb": (
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::Serverless::SimpleTable",
        "aws_dynamodb_table",
    ),
    "s3": ("AWS::S3::Bucket", "aws_s3_bucket"),
    "secretsmanager": ("AWS::SecretsManager::Secret", "aws_secretsmanager_secret"),
    "ssm": ("AWS::SSM::Parameter", "aws_ssm_parameter"),
    "kms": ("AWS::KMS::Key", "AWS::KMS::Alias", "aws_kms_key", "aws_kms_alias"),
    "kinesis": ("AWS::Kinesis::Stream", "aws_kinesis_stream"),
    "kinesis-firehose": ("AWS::KinesisFirehose::DeliveryStream", "aws_kinesis_firehose_delivery_stream"),
    "states": ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine", "aws_sfn_state_machine"),
    "events": ("AWS::Events::EventBus", "aws_cloudwatch_event_bus"),
    "lambda": ("AWS::Lambda::Function", "AWS::Serverless::Function", "aws_lambda_function"),
    "execute-api": (
        "AWS::Serverless::Api",
        "AWS::Serverless::HttpApi",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGatewayV2::Api",
        "aws_api_gateway_rest_api",
        "aws_apigatewayv2_api",
    ),
}
SERVICE_OF_RESOURCE_TYPE = {rtype: service for service, types in _SERVICE_RESOURCES.items() for rtype in types}


def service_of_resource_type(resource_type: str) -> str:
    """The endpoint service a reference to a resource of this type calls, or "" when it names none."""
    return SERVICE_OF_RESOURCE_TYPE.get(resource_type, "")


# --- event source mappings ---------------------------------------------------------------------------
# The kind of an event source, by the resource it polls; the kind is the ARN's service field.
_EVENT_SOURCE_RESOURCES = {
    "sqs": ("AWS::SQS::Queue", "aws_sqs_queue"),
    "kinesis": ("AWS::Kinesis::Stream", "aws_kinesis_stream"),
    "dynamodb": ("AWS::DynamoDB::Table", "aws_dynamodb_table"),
    "kafka": ("AWS::MSK::Cluster", "aws_msk_cluster", "aws_msk_serverless_cluster"),
    "mq": ("AWS::AmazonMQ::Broker", "aws_mq_broker"),
    "docdb": ("AWS::DocDB::DBCluster", "aws_docdb_cluster"),
}
EVENT_SOURCE_OF_RESOURCE_TYPE = {rtype: kind for kind, types in _EVENT_SOURCE_RESOURCES.items() for rtype in types}
SELF_MANAGED_KAFKA = "kafka"


def event_source_of_arn(arn: str) -> str | None:
    """`arn:aws:sqs:eu-west-1:123456789012:q` → sqs; None for a malformed ARN."""
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 and parts[2] else None


# Actions an event source mapping's poller uses (Lambda calls them, not the function's code); dropped as
# needs for every function of a role when any function using that role has a mapping of that kind
# (DESIGN decision 3): the policy that grants them is written for the poller, whichever function shares it.
POLLER_ACTIONS = {
    "sqs": frozenset(
        {
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:DeleteMessageBatch",
            "sqs:GetQueueAttributes",
            "sqs:ChangeMessageVisibility",
            "sqs:ChangeMessageVisibilityBatch",
        }
    ),
    "kinesis": frozenset(
        {
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:ListShards",
            "kinesis:ListStreams",
            "kinesis:SubscribeToShard",
        }
    ),
    "dynamodb": frozenset(
        {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"}
    ),
}


# Actions the Lambda service uses with the function's execution role to pull a container image from Amazon
# ECR when it creates or updates the function; the function's code does not make these calls through its
# VPC, so they are not needs (DESIGN decision 3), like `logs:*`. Sources: AWS Knowledge Center
# "lambda-ecr-image" (the repository must allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to the
# Lambda service; cross-account, the role needs them), Lambda Developer Guide "Deploying Lambda functions
# as container images"; ecr:GetAuthorizationToken is the registry login of the same pull.
IMAGE_PULL_ACTIONS = frozenset({"ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"})


# --- Hyperplane ENIs, addresses and quotas ------------------------------------------------------------
# The actions Lambda needs to create and delete a VPC function's ENIs (DESIGN decision 2) and the ones it
# may use besides [LVPC].
ENI_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
)
ENI_EXTRA = ("ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "ec2:DescribeSubnets")
# AWS managed policies that grant them (abridged to the actions that matter here) [LVPC].
VPC_ACCESS_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
BASIC_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ENI_MANAGED_POLICIES = {
    "AWSLambdaVPCAccessExecutionRole": (*ENI_ACTIONS, *ENI_EXTRA),
    "AWSLambdaENIManagementAccess": (*ENI_ACTIONS, *ENI_EXTRA),
    "AWSLambdaMSKExecutionRole": ENI_ACTIONS,
}

# Addresses: AWS reserves 5 in every IPv4 subnet [SIZE]; each Hyperplane ENI (one per subnet × SG set)
# and each other ENI-holding resource placed in a subnet takes one (DESIGN decision 7): a zonal NAT
# gateway, an interface endpoint (one per subnet it names), an EC2 instance, a load balancer, an EFS mount
# target. A regional NAT gateway has no subnet [RNAT].
RESERVED_PER_SUBNET = 5
ADDRESSES_PER_ENI = 1
ENI_HOLDER_TYPES = frozenset(
    {
        "AWS::EC2::Instance",
        "AWS::EC2::VPCEndpoint",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::EFS::MountTarget",
        "aws_instance",
        "aws_vpc_endpoint",
        "aws_lb",
        "aws_alb",
        "aws_efs_mount_target",
    }
)
# "Elastic network interfaces per VPC: 250", shared with other services, adjustable [LQUOTA].
DEFAULT_ENI_QUOTA = 250


# Lambda's VpcConfig documents IPv6 only as `Ipv6AllowedForDualStack` "on VPC functions connected to dual-stack
# subnets" [LAPI]: an IPv6-only subnet (no IPv4 CIDR) is not documented as supported (SEMANTICS.md §11).
def ipv6_only_subnet(subnet: str) -> str:
    """Why a function placed in an IPv6-only subnet has no verdict."""
    return (
        f"subnet {subnet} is IPv6-only (Ipv6Native); Lambda documents VPC functions only in IPv4 and dual-stack "
        "subnets (Ipv6AllowedForDualStack), so whether the function can run there and what it reaches is unknown"
    )


# --- Lambda compute placed as a group (SEMANTICS.md §11) --------------------------------------------------------
# Lambda Managed Instances: the capacity provider's VpcConfig places EC2 instances, one network interface (one
# address) each, in its subnets; the instance count follows scaling, so their addresses are unknown demand [LMI].
# Network connectors give MicroVM and Web Function compute VPC egress through ENIs in their subnets [NC].
CAPACITY_PROVIDER = "capacity_provider"
NETWORK_CONNECTOR = "network_connector"
NETWORK_CONNECTOR_TYPES = ("AWS::Lambda::NetworkConnector", "AWS::Serverless::NetworkConnector")
# Compute that names a connector for its egress [NC]: a MicroVM image's EgressNetworkConnectors, a Web Function
# revision's ServiceConfig.EgressNetworkConnectorArn (version-qualified).
CONNECTOR_USERS = ("AWS::Lambda::MicrovmImage", "AWS::Lambda::WebFunctionRevision")
CAPACITY_PROVIDER_TYPES = (
    "AWS::Lambda::CapacityProvider",
    "AWS::Serverless::CapacityProvider",
    "aws_lambda_capacity_provider",
)
# The instances' own traffic (Lambda control plane, CloudWatch Logs, image pull) leaves through the provider's
# subnets: "capacity provider stuck in CREATING — private subnets missing a NAT gateway route (instances need
# outbound internet for image pull and Lambda service communication)"; "CloudWatch logs missing — add NAT gateway
# or CloudWatch Logs VPC endpoint" [LMIT]. Which interface endpoints fully replace NAT is UNVERIFIED.
CAPACITY_PROVIDER_SERVICES = ("lambda", "logs")
# Whether Managed Instances get public IPv4 addresses is UNVERIFIED [LMI]: an internet gateway route in a provider
# subnet gives no verdict.
MANAGED_INSTANCE_PUBLIC_IP_UNKNOWN = (
    "whether Lambda Managed Instances get public IPv4 addresses is not documented, so an internet gateway route in "
    "a capacity provider's subnet may or may not carry their traffic"
)


# --- VPC Block Public Access [BPA] -----------------------------------------------------------------------------
# block-bidirectional drops all traffic to and from internet gateways and egress-only internet gateways of the
# Region's VPCs except excluded VPCs and subnets, NAT gateway egress included; block-ingress still allows traffic
# "to and from NAT gateways and egress-only internet gateways" (so it leaves a Lambda function's egress alone);
# allow-egress exclusions apply only under block-bidirectional. Which subnet an exclusion must cover for NAT egress
# (the NAT's subnet) is inferred; for a regional NAT gateway (no subnet) only a VPC exclusion is certain.
BPA_BIDIRECTIONAL = "block-bidirectional"
BPA_INGRESS = "block-ingress"
BPA_OFF = "off"
BPA_ASSUMED = {"off": BPA_OFF, "ingress": BPA_INGRESS, "bidirectional": BPA_BIDIRECTIONAL}  # --assume-bpa
BPA_EGRESS_EXCLUSIONS = ("allow-egress", "allow-bidirectional")


def bpa_mode(text: str) -> str:
    """`block-bidirectional`, `Block-Ingress`, `off` … as the API spells them (lower case)."""
    return text.strip().lower()


# --- Regions and Availability Zones -------------------------------------------------------------------
# The Region when the source does not say: it still names endpoint services (`com.amazonaws.<region>.s3`).
PSEUDO_REGION = "<region>"
# What CloudFormation's Fn::GetAZs and Terraform's aws_availability_zones give: the Region's zones in
# order, distinct and unnamed (`az#0` is index 0). A symbolic and a literal zone cannot be compared.
SYMBOLIC_AZ_PREFIX = "az#"
SYMBOLIC_AZS = tuple(f"{SYMBOLIC_AZ_PREFIX}{i}" for i in range(6))
REGION_NAME = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")


def is_symbolic_az(zone: object) -> bool:
    """`az#0`: an index into the Region's zones, not a zone's name."""
    return isinstance(zone, str) and zone.startswith(SYMBOLIC_AZ_PREFIX)


def zone_label(zone: str) -> str:
    """A zone as reports write it: `zone #0` for a symbolic zone, the name otherwise."""
    return "zone #" + zone[len(SYMBOLIC_AZ_PREFIX) :] if is_symbolic_az(zone) else zone


def is_region(label: str) -> bool:
    """`eu-west-1`, `us-gov-west-1`, or the placeholder `<region>`."""
    return label == PSEUDO_REGION or bool(REGION_NAME.match(label))


# --- Arguments that place functions in a VPC -------------------------------------------------------------
# Inputs that hand a Terraform module or a nested stack a place in a VPC: a Lambda function's VpcConfig is its subnet ids and
# security group ids (Lambda API VpcConfig: SubnetIds, SecurityGroupIds; no VPC id), so a name that says
# subnet or security group and that it passes ids or a configuration (`vpc_subnet_ids`, `subnet_ids`,
# `vpc_security_group_ids`, `sg_ids`, plain `subnets`), or a `vpc_config`. A VPC id alone places no function
# (security-group and endpoint modules take one), and a VPC module's own inputs (`private_subnets` CIDR
# lists, `manage_default_security_group`) define a network rather than a function's place in it.
_PLACEMENT_WORD = re.compile(r"(?:^|_)(?:subnets?|security_groups?|sgs?)(?:_|$)")
_PLACEMENT_WHOLE = {"subnets", "security_groups", "sgs"}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_network_argument(name: str) -> bool:
    """`vpc_subnet_ids`, `SubnetIds`, `LambdaSecurityGroupIds`, `vpc_config`: CamelCase (CloudFormation
    parameters) is read as snake_case (Terraform variables)."""
    name = _CAMEL.sub("_", name).lower()
    if name in _PLACEMENT_WHOLE or name.endswith(("vpc_config", "vpc_configs")):
        return True
    return bool(_PLACEMENT_WORD.search(name)) and name.endswith(("_id", "_ids", "_config", "_configs"))


# Extension layers that make network calls of their own from the function's ENIs, by publisher account (None:
# AWS publishes the layer from a different account in each Region, so its name alone identifies it) and layer
# name prefix, any Region and version. Each row: what the extension reaches, and its source.
#   AWS Parameters and Secrets Lambda Extension: calls Parameter Store and Secrets Manager (SSM user guide,
#     "Using Parameter Store parameters in AWS Lambda functions"; accounts e.g. 177933569100 in us-east-1,
#     590474943231 in us-east-2).
#   AWS AppConfig Agent Lambda extension: calls AWS AppConfig's data plane, appconfigdata (AppConfig user guide,
#     "Adding the AWS AppConfig Agent Lambda extension").
#   Datadog Lambda extension (account 464622532012, layers Datadog-Extension[-ARM][-FIPS]; DataDog/
#     datadog-lambda-extension release notes): sends telemetry to Datadog's intake, on the internet.
#   Elastic APM Lambda extension (account 267093732750, layers elastic-apm-extension-ver-*; elastic/apm-aws-lambda
#     release notes): sends to the APM Server, on the internet unless self-hosted in the VPC.
# Other vendors' extensions (New Relic, Dynatrace, Lumigo, Sentry, Honeycomb) are not listed: their publishing
# accounts could not be checked here, and a guessed account would match the wrong layers.
LAYER_NEEDS: tuple[tuple[str | None, str, tuple[str, ...], str], ...] = (
    (
        None,
        "AWS-Parameters-and-Secrets-Lambda-Extension",
        ("ssm", "secretsmanager"),
        "AWS Parameters and Secrets extension",
    ),
    (None, "AWS-AppConfig-Extension", ("appconfigdata",), "AWS AppConfig extension"),
    ("464622532012", "Datadog-Extension", ("internet",), "Datadog extension, sends to Datadog"),
    ("267093732750", "elastic-apm-extension", ("internet",), "Elastic APM extension, sends to the APM Server"),
)
_LAYER_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:(?P<account>\d{12}):layer:(?P<name>[A-Za-z0-9_-]+)(:\d+)?$")


def layer_needs(arn: str) -> list[tuple[str, str]]:
    """(need, what) for a layer ARN of a known extension; [] for any other layer."""
    match = _LAYER_ARN.match(arn.strip())
    if not match:
        return []
    for account, prefix, needs, what in LAYER_NEEDS:
        if (account is None or match.group("account") == account) and match.group("name").startswith(prefix):
            return [(need, what) for need in needs]
    return []


from .aws_services import KNOWN_SERVICES  # noqa: E402  (a data table, imported with this module)

_PRIVATE_NEED = re.compile(r"^tcp:(?P<port>\d+)@(?P<target>\S.*)$", re.S)  # TARGET: any id (escaped where shown)


def need_problem(name: object) -> str | None:
    """Why `name` is not a need vpcreach understands (None when it is): `internet`, `internet6`,
    `tcp:PORT@TARGET`, or an AWS service's endpoint name (graph/aws_services.py). A misspelt need would check
    nothing and pass, so every place a user writes one (Metadata, comments, tags, the config) refuses it."""
    if not isinstance(name, str) or not name.strip():
        return "a need is a word such as internet, s3 or tcp:5432@Db"
    text = name.strip()
    lowered = text.lower()
    if lowered in ("internet", "internet4", "internet6") or _SERVICE_ALIASES.get(lowered, lowered) in KNOWN_SERVICES:
        return None  # the common case, decided without the rest (a template may declare thousands of needs)
    private = _PRIVATE_NEED.match(text)
    if private:
        port = int(private.group("port"))
        return None if 1 <= port <= 65535 else f"port {port} is not between 1 and 65535"
    if text.lower().startswith("tcp"):
        return "a private target is written tcp:PORT@TARGET (TARGET: the database, cache or proxy's id)"
    from difflib import get_close_matches

    service = normalise_service(text)
    close = get_close_matches(service, sorted(KNOWN_SERVICES | {"internet", "internet6"}), n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{text!r} is not internet, internet6, tcp:PORT@TARGET or an AWS service's endpoint name{hint}"
