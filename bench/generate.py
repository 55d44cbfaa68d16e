"""Deterministic network specs, rendered as a CloudFormation template and as its Terraform twin.

A `Spec` is a small vendor-neutral description of one VPC (subnets, route tables, NAT gateways, security
groups, network ACLs, endpoints, Lambda functions and what each declares it needs). `to_cfn` renders it as
CloudFormation YAML with short-form intrinsics, `to_terraform` as one `main.tf` of AWS-provider resources
with the same names, so a function `Fn3` is `Fn3` in one and `aws_lambda_function.Fn3` in the other.

Semantics the two formats disagree on are written out explicitly on both sides so the twins mean the same
network: every security group lists its egress rules (CloudFormation adds allow-all egress to a group
without them, Terraform removes it), endpoint types, private DNS and VPC DNS attributes are always set.

`ladder()` gives the benchmark's template sizes, from ~16 to ~480 resources; the same spec always renders
to the same bytes. The fuzz tests build random specs with hypothesis and use the same renderers.

    python bench/generate.py OUTDIR      # writes OUTDIR/<name>.yaml and OUTDIR/<name>-tf/main.tf
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field

SERVICES_GATEWAY = ("s3", "dynamodb")
SERVICES_INTERFACE = ("sqs", "secretsmanager", "sns", "kms")
VPC_ACCESS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
REGION = "us-east-1"


@dataclass
class Route:
    dest: str  # IPv4 CIDR
    target: str  # "igw", a NAT gateway name, or "blackhole" (a route to a NAT gateway the spec lacks)


@dataclass
class RouteTable:
    name: str
    routes: list[Route] = field(default_factory=list)


@dataclass
class Subnet:
    name: str
    az: int
    cidr: str
    route_table: str | None  # None: the VPC's main route table


@dataclass
class Nat:
    name: str
    subnet: str


@dataclass
class SgRule:
    protocol: str  # "-1", "tcp", "udp"
    from_port: int | None
    to_port: int | None
    cidr: str


@dataclass
class SecurityGroup:
    name: str
    egress: list[SgRule]  # always explicit (see the module docstring)
    ingress: list[SgRule] = field(default_factory=list)


@dataclass
class NaclEntry:
    number: int
    egress: bool
    protocol: str  # "-1", "tcp", "udp"
    allow: bool
    cidr: str
    from_port: int | None = None
    to_port: int | None = None


@dataclass
class Nacl:
    name: str
    subnets: list[str]
    entries: list[NaclEntry]


@dataclass
class Endpoint:
    name: str
    service: str
    kind: str  # "Gateway" | "Interface"
    route_tables: list[str] = field(default_factory=list)
    subnets: list[str] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)
    private_dns: bool = True


@dataclass
class Function:
    name: str
    subnets: list[str] | None  # None: no VpcConfig
    security_groups: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)


@dataclass
class Spec:
    vpc_cidr: str = "10.0.0.0/16"
    igw: bool = True
    subnets: list[Subnet] = field(default_factory=list)
    route_tables: list[RouteTable] = field(default_factory=list)
    nats: list[Nat] = field(default_factory=list)
    security_groups: list[SecurityGroup] = field(default_factory=list)
    nacls: list[Nacl] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    dns_hostnames: bool = True

    def resource_count(self) -> int:
        """CloudFormation resources `to_cfn` emits for this spec."""
        return len(_cfn_resources(self))


# --- the benchmark's deterministic layout -----------------------------------------------------------------
_NEED_SETS = (
    ["internet"],
    ["internet", "s3"],
    ["s3", "dynamodb"],
    ["sqs", "secretsmanager"],
    ["internet", "sqs"],
    ["dynamodb"],
    ["internet", "secretsmanager", "s3"],
)


def layout(
    functions: int, azs: int, private_per_az: int, security_groups: int, endpoints: bool = True, nat: bool = True
) -> Spec:
    """One VPC over `azs` zones: a public subnet and NAT gateway per zone, private subnets routed to their
    zone's NAT, `security_groups` groups with varied egress, gateway + interface endpoints, and functions
    spread over one private subnet per zone and rotating security-group sets and needs."""
    spec = Spec()
    public_rt = RouteTable("PublicRouteTable", [Route("0.0.0.0/0", "igw")])
    spec.route_tables.append(public_rt)
    for az in range(azs):
        spec.subnets.append(Subnet(f"PublicSubnet{az}", az, f"10.0.{az}.0/24", public_rt.name))
        if nat:
            spec.nats.append(Nat(f"Nat{az}", f"PublicSubnet{az}"))
        private_rt = RouteTable(f"PrivateRouteTable{az}", [Route("0.0.0.0/0", f"Nat{az}")] if nat else [])
        spec.route_tables.append(private_rt)
        for row in range(private_per_az):
            third = 16 + az * private_per_az + row
            spec.subnets.append(Subnet(f"PrivateSubnet{az}x{row}", az, f"10.0.{third}.0/24", private_rt.name))
    egress_kinds = (
        [SgRule("-1", None, None, "0.0.0.0/0")],
        [SgRule("tcp", 443, 443, "0.0.0.0/0")],
        [SgRule("tcp", 443, 443, "0.0.0.0/0"), SgRule("tcp", 5432, 5432, "10.0.0.0/16")],
        [SgRule("tcp", 5432, 5432, "10.0.0.0/16")],  # blocks the internet: findings on purpose
    )
    for i in range(security_groups):
        spec.security_groups.append(SecurityGroup(f"AppSecurityGroup{i}", egress_kinds[i % len(egress_kinds)]))
    if endpoints:
        private_rts = [rt.name for rt in spec.route_tables if rt.name.startswith("Private")]
        endpoint_sg = SecurityGroup(
            "EndpointSecurityGroup",
            [SgRule("-1", None, None, "0.0.0.0/0")],
            [SgRule("tcp", 443, 443, spec.vpc_cidr)],
        )
        spec.security_groups.append(endpoint_sg)
        spec.endpoints.append(Endpoint("S3Endpoint", "s3", "Gateway", route_tables=private_rts))
        spec.endpoints.append(Endpoint("DynamoDbEndpoint", "dynamodb", "Gateway", route_tables=private_rts[:1]))
        first_row = [s.name for s in spec.subnets if s.name.startswith("Private") and s.name.endswith("x0")]
        spec.endpoints.append(
            Endpoint("SqsEndpoint", "sqs", "Interface", subnets=first_row, security_groups=[endpoint_sg.name])
        )
    sg_names = [f"AppSecurityGroup{i}" for i in range(security_groups)]
    for i in range(functions):
        row = i % private_per_az
        sgs = [sg_names[i % security_groups]]
        if i % 4 == 1 and security_groups > 1:
            sgs.append(sg_names[(i + 1) % security_groups])
        subnets = [f"PrivateSubnet{az}x{row}" for az in range(azs)]
        spec.functions.append(Function(f"Fn{i}", subnets, sgs, list(_NEED_SETS[i % len(_NEED_SETS)])))
    return spec


def ladder() -> list[tuple[str, Spec]]:
    """The benchmark sizes: (name, spec), smallest first; the last is ~480 resources."""
    return [
        ("r016", layout(1, azs=1, private_per_az=1, security_groups=1, endpoints=False)),
        ("r030", layout(4, azs=2, private_per_az=1, security_groups=2, endpoints=False)),
        ("r060", layout(20, azs=2, private_per_az=2, security_groups=3)),
        ("r120", layout(62, azs=3, private_per_az=2, security_groups=4)),
        ("r240", layout(160, azs=4, private_per_az=3, security_groups=6)),
        ("r480", layout(380, azs=6, private_per_az=4, security_groups=8)),
    ]


# --- CloudFormation -------------------------------------------------------------------------------------
class Tag:
    """A short-form intrinsic: `!Ref X`, `!GetAtt X.Arn`, `!Select [0, !GetAZs ""]`."""

    def __init__(self, name: str, value: object) -> None:
        self.name = name
        self.value = value


def _ref(name: str) -> Tag:
    return Tag("Ref", name)


def _nacl_protocol(protocol: str) -> int:
    return {"-1": -1, "tcp": 6, "udp": 17}[protocol]


def _cfn_resources(spec: Spec) -> dict[str, dict]:
    res: dict[str, dict] = {}
    res["Vpc"] = {
        "Type": "AWS::EC2::VPC",
        "Properties": {"CidrBlock": spec.vpc_cidr, "EnableDnsSupport": True, "EnableDnsHostnames": spec.dns_hostnames},
    }
    if spec.igw:
        res["InternetGateway"] = {"Type": "AWS::EC2::InternetGateway"}
        res["InternetGatewayAttachment"] = {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": _ref("Vpc"), "InternetGatewayId": _ref("InternetGateway")},
        }
    nat_names = {n.name for n in spec.nats}
    for rt in spec.route_tables:
        res[rt.name] = {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": _ref("Vpc")}}
        for i, route in enumerate(rt.routes):
            props: dict = {"RouteTableId": _ref(rt.name), "DestinationCidrBlock": route.dest}
            if route.target == "igw" and spec.igw:
                props["GatewayId"] = _ref("InternetGateway")
                entry: dict = {"Type": "AWS::EC2::Route", "DependsOn": "InternetGatewayAttachment"}
            elif route.target in nat_names:
                props["NatGatewayId"] = _ref(route.target)
                entry = {"Type": "AWS::EC2::Route"}
            else:
                continue
            entry["Properties"] = props
            res[f"{rt.name}Route{i}"] = entry
    for sub in spec.subnets:
        res[sub.name] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {
                "VpcId": _ref("Vpc"),
                "CidrBlock": sub.cidr,
                "AvailabilityZone": Tag("Select", [sub.az, Tag("GetAZs", "")]),
            },
        }
        if sub.route_table is not None:
            res[f"{sub.name}RouteTableAssociation"] = {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"SubnetId": _ref(sub.name), "RouteTableId": _ref(sub.route_table)},
            }
    for nat in spec.nats:
        res[f"{nat.name}Eip"] = {"Type": "AWS::EC2::EIP", "Properties": {"Domain": "vpc"}}
        res[nat.name] = {
            "Type": "AWS::EC2::NatGateway",
            "Properties": {"SubnetId": _ref(nat.subnet), "AllocationId": Tag("GetAtt", f"{nat.name}Eip.AllocationId")},
        }
    for sg in spec.security_groups:
        props = {"GroupDescription": f"{sg.name} (generated)", "VpcId": _ref("Vpc")}
        if sg.ingress:
            props["SecurityGroupIngress"] = [_cfn_sg_rule(r) for r in sg.ingress]
        props["SecurityGroupEgress"] = [_cfn_sg_rule(r) for r in sg.egress]
        res[sg.name] = {"Type": "AWS::EC2::SecurityGroup", "Properties": props}
    for nacl in spec.nacls:
        res[nacl.name] = {"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": _ref("Vpc")}}
        for e in nacl.entries:
            props = {
                "NetworkAclId": _ref(nacl.name),
                "RuleNumber": e.number,
                "Protocol": _nacl_protocol(e.protocol),
                "RuleAction": "allow" if e.allow else "deny",
                "Egress": e.egress,
                "CidrBlock": e.cidr,
            }
            if e.protocol != "-1":
                props["PortRange"] = {"From": e.from_port, "To": e.to_port}
            res[f"{nacl.name}{'Out' if e.egress else 'In'}{e.number}"] = {
                "Type": "AWS::EC2::NetworkAclEntry",
                "Properties": props,
            }
        for sub in nacl.subnets:
            res[f"{nacl.name}{sub}Association"] = {
                "Type": "AWS::EC2::SubnetNetworkAclAssociation",
                "Properties": {"SubnetId": _ref(sub), "NetworkAclId": _ref(nacl.name)},
            }
    for ep in spec.endpoints:
        props = {
            "VpcId": _ref("Vpc"),
            "ServiceName": Tag("Sub", f"com.amazonaws.${{AWS::Region}}.{ep.service}"),
            "VpcEndpointType": ep.kind,
        }
        if ep.kind == "Gateway":
            props["RouteTableIds"] = [_ref(rt) for rt in ep.route_tables]
        else:
            props["SubnetIds"] = [_ref(s) for s in ep.subnets]
            props["SecurityGroupIds"] = [_ref(s) for s in ep.security_groups]
            props["PrivateDnsEnabled"] = ep.private_dns
        res[ep.name] = {"Type": "AWS::EC2::VPCEndpoint", "Properties": props}
    if spec.functions:
        res["FunctionRole"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "ManagedPolicyArns": [VPC_ACCESS_POLICY],
            },
        }
    for fn in spec.functions:
        props = {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Role": Tag("GetAtt", "FunctionRole.Arn"),
            "Code": {"ZipFile": "def handler(event, context):\n    return 'ok'\n"},
        }
        if fn.subnets is not None:
            props["VpcConfig"] = {
                "SubnetIds": [_ref(s) for s in fn.subnets],
                "SecurityGroupIds": [_ref(s) for s in fn.security_groups],
            }
        entry = {"Type": "AWS::Lambda::Function", "Properties": props}
        if fn.needs:
            entry = {"Type": "AWS::Lambda::Function", "Metadata": {"vpcreach": {"needs": list(fn.needs)}}, **entry}
        res[fn.name] = entry
    return res


def _cfn_sg_rule(r: SgRule) -> dict:
    out: dict = {"IpProtocol": r.protocol, "CidrIp": r.cidr}
    if r.protocol != "-1":
        out["FromPort"] = r.from_port
        out["ToPort"] = r.to_port
    return out


def to_cfn(spec: Spec) -> str:
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "vpcreach benchmark template (generated by bench/generate.py)",
        "Resources": _cfn_resources(spec),
    }
    lines: list[str] = []
    _emit(doc, 0, lines)
    return "\n".join(lines) + "\n"


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Tag):
        inner = value.value
        if isinstance(inner, list):
            return f"!{value.name} [{', '.join(_scalar(v) for v in inner)}]"
        return f"!{value.name} {_scalar(inner)}"
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar


def _emit(value: object, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            nested = isinstance(item, dict) or (isinstance(item, list) and any(isinstance(v, dict) for v in item))
            if nested and item:
                lines.append(f"{pad}{key}:")
                _emit(item, indent + 2, lines)
            elif isinstance(item, list):
                lines.append(f"{pad}{key}: [{', '.join(_scalar(v) for v in item)}]")
            elif isinstance(item, str) and "\n" in item:
                lines.append(f"{pad}{key}: |")
                lines.extend(f"{pad}  {line}" for line in item.rstrip("\n").split("\n"))
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                sub: list[str] = []
                _emit(item, indent + 2, sub)
                sub[0] = f"{pad}- {sub[0][indent + 2 :]}"
                lines.extend(sub)
            else:
                lines.append(f"{pad}- {_scalar(item)}")


# --- Terraform ------------------------------------------------------------------------------------------
def _hcl(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(v) for v in value) + "]"
    if isinstance(value, _Expr):
        return value.text
    return json.dumps(value)


class _Expr:
    def __init__(self, text: str) -> None:
        self.text = text


def _tf_block(kind: str, rtype: str, name: str, body: list[str]) -> str:
    return f'{kind} "{rtype}" "{name}" {{\n' + "\n".join(f"  {line}" for line in body) + "\n}\n"


def _attr(key: str, value: object) -> str:
    return f"{key} = {_hcl(value)}"


def _tf_sg_rule(block: str, r: SgRule) -> list[str]:
    ports = (0, 0) if r.protocol == "-1" else (r.from_port, r.to_port)
    return [
        f"{block} {{",
        f"  {_attr('protocol', r.protocol)}",
        f"  {_attr('from_port', ports[0])}",
        f"  {_attr('to_port', ports[1])}",
        f"  {_attr('cidr_blocks', [r.cidr])}",
        "}",
    ]


def to_terraform(spec: Spec) -> str:
    """The same network as one Terraform file (AWS provider 5.x resource and attribute names)."""
    out = [
        'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n',
        f'provider "aws" {{\n  region = "{REGION}"\n}}\n',
    ]
    vpc = _Expr("aws_vpc.Vpc.id")
    out.append(
        _tf_block(
            "resource",
            "aws_vpc",
            "Vpc",
            [
                _attr("cidr_block", spec.vpc_cidr),
                _attr("enable_dns_support", True),
                _attr("enable_dns_hostnames", spec.dns_hostnames),
            ],
        )
    )
    if spec.igw:
        out.append(_tf_block("resource", "aws_internet_gateway", "InternetGateway", [_attr("vpc_id", vpc)]))
    nat_names = {n.name for n in spec.nats}
    for rt in spec.route_tables:
        out.append(_tf_block("resource", "aws_route_table", rt.name, [_attr("vpc_id", vpc)]))
        for i, route in enumerate(rt.routes):
            body = [
                _attr("route_table_id", _Expr(f"aws_route_table.{rt.name}.id")),
                _attr("destination_cidr_block", route.dest),
            ]
            if route.target == "igw" and spec.igw:
                body.append(_attr("gateway_id", _Expr("aws_internet_gateway.InternetGateway.id")))
            elif route.target in nat_names:
                body.append(_attr("nat_gateway_id", _Expr(f"aws_nat_gateway.{route.target}.id")))
            else:
                continue
            out.append(_tf_block("resource", "aws_route", f"{rt.name}Route{i}", body))
    for sub in spec.subnets:
        out.append(
            _tf_block(
                "resource",
                "aws_subnet",
                sub.name,
                [
                    _attr("vpc_id", vpc),
                    _attr("cidr_block", sub.cidr),
                    _attr("availability_zone", f"{REGION}{'abcdef'[sub.az % 6]}"),
                ],
            )
        )
        if sub.route_table is not None:
            out.append(
                _tf_block(
                    "resource",
                    "aws_route_table_association",
                    f"{sub.name}RouteTableAssociation",
                    [
                        _attr("subnet_id", _Expr(f"aws_subnet.{sub.name}.id")),
                        _attr("route_table_id", _Expr(f"aws_route_table.{sub.route_table}.id")),
                    ],
                )
            )
    for nat in spec.nats:
        out.append(_tf_block("resource", "aws_eip", f"{nat.name}Eip", [_attr("domain", "vpc")]))
        out.append(
            _tf_block(
                "resource",
                "aws_nat_gateway",
                nat.name,
                [
                    _attr("subnet_id", _Expr(f"aws_subnet.{nat.subnet}.id")),
                    _attr("allocation_id", _Expr(f"aws_eip.{nat.name}Eip.id")),
                ],
            )
        )
    for sg in spec.security_groups:
        body = [_attr("name", sg.name), _attr("description", f"{sg.name} (generated)"), _attr("vpc_id", vpc)]
        for r in sg.ingress:
            body += _tf_sg_rule("ingress", r)
        for r in sg.egress:
            body += _tf_sg_rule("egress", r)
        out.append(_tf_block("resource", "aws_security_group", sg.name, body))
    for nacl in spec.nacls:
        body = [_attr("vpc_id", vpc), _attr("subnet_ids", [_Expr(f"aws_subnet.{s}.id") for s in nacl.subnets])]
        for e in nacl.entries:
            ports = (0, 0) if e.protocol == "-1" else (e.from_port, e.to_port)
            body += [
                f"{'egress' if e.egress else 'ingress'} {{",
                f"  {_attr('rule_no', e.number)}",
                f"  {_attr('protocol', e.protocol)}",
                f"  {_attr('action', 'allow' if e.allow else 'deny')}",
                f"  {_attr('cidr_block', e.cidr)}",
                f"  {_attr('from_port', ports[0])}",
                f"  {_attr('to_port', ports[1])}",
                "}",
            ]
        out.append(_tf_block("resource", "aws_network_acl", nacl.name, body))
    for ep in spec.endpoints:
        body = [
            _attr("vpc_id", vpc),
            _attr("service_name", f"com.amazonaws.{REGION}.{ep.service}"),
            _attr("vpc_endpoint_type", ep.kind),
        ]
        if ep.kind == "Gateway":
            body.append(_attr("route_table_ids", [_Expr(f"aws_route_table.{rt}.id") for rt in ep.route_tables]))
        else:
            body.append(_attr("subnet_ids", [_Expr(f"aws_subnet.{s}.id") for s in ep.subnets]))
            body.append(_attr("security_group_ids", [_Expr(f"aws_security_group.{s}.id") for s in ep.security_groups]))
            body.append(_attr("private_dns_enabled", ep.private_dns))
        out.append(_tf_block("resource", "aws_vpc_endpoint", ep.name, body))
    if spec.functions:
        assume = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        )
        out.append(
            _tf_block("resource", "aws_iam_role", "FunctionRole", [f"assume_role_policy = {json.dumps(assume)}"])
        )
        out.append(
            _tf_block(
                "resource",
                "aws_iam_role_policy_attachment",
                "FunctionRoleVpcAccess",
                [_attr("role", _Expr("aws_iam_role.FunctionRole.name")), _attr("policy_arn", VPC_ACCESS_POLICY)],
            )
        )
    for fn in spec.functions:
        body = [
            _attr("function_name", fn.name),
            _attr("role", _Expr("aws_iam_role.FunctionRole.arn")),
            _attr("runtime", "python3.12"),
            _attr("handler", "index.handler"),
            _attr("filename", "function.zip"),
        ]
        if fn.subnets is not None:
            body += [
                "vpc_config {",
                f"  {_attr('subnet_ids', [_Expr(f'aws_subnet.{s}.id') for s in fn.subnets])}",
                f"  {_attr('security_group_ids', [_Expr(f'aws_security_group.{s}.id') for s in fn.security_groups])}",
                "}",
            ]
        if fn.needs:
            body += ["tags = {", f'  "vpcreach:needs" = {json.dumps(",".join(fn.needs))}', "}"]
        out.append(_tf_block("resource", "aws_lambda_function", fn.name, body))
    return "\n".join(out)


def write(outdir: str, name: str, spec: Spec) -> tuple[str, str]:
    """Write `<name>.yaml` and `<name>-tf/main.tf` under outdir; returns both paths."""
    os.makedirs(outdir, exist_ok=True)
    cfn_path = os.path.join(outdir, f"{name}.yaml")
    with open(cfn_path, "w", encoding="utf-8") as fh:
        fh.write(to_cfn(spec))
    tf_dir = os.path.join(outdir, f"{name}-tf")
    os.makedirs(tf_dir, exist_ok=True)
    with open(os.path.join(tf_dir, "main.tf"), "w", encoding="utf-8") as fh:
        fh.write(to_terraform(spec))
    return cfn_path, tf_dir


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    for name, spec in ladder():
        cfn_path, tf_dir = write(argv[0], name, spec)
        print(f"{name}: {spec.resource_count()} resources, {len(spec.functions)} functions → {cfn_path}, {tf_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
