"""Environment snapshots (`--snapshot PATH`): the unmodified JSON output of AWS CLI describe/list commands,
read into ordinary `graph.model` objects (with the snapshot file as their source) and into the lookups a
template's parameters, dynamic references, imports and Terraform data sources are resolved against.

A file holds one command's output or several top-level keys merged; a directory is read file by file
(`*.json`, in name order). The keys and the shapes of their items are the AWS API's own, as botocore's
service models (`botocore/data/ec2/2016-11-15/service-2.json`, `ssm/2014-11-06`, `cloudformation/2010-05-15`)
document the responses: `Vpcs` (DescribeVpcsResult), `Subnets`, `RouteTables`, `SecurityGroups`,
`SecurityGroupRules` (DescribeSecurityGroupRulesResult), `NetworkAcls`, `NatGateways`, `InternetGateways`,
`EgressOnlyInternetGateways`, `VpcEndpoints`, `PrefixLists` (DescribePrefixListsResult items carry `Cidrs`;
DescribeManagedPrefixListsResult items do not), `Entries` (GetManagedPrefixListEntriesResult, in a file that
also names the `PrefixListId`), `Parameters` (SSM GetParameters/GetParametersByPath: Name, Type, Value,
Version), `Exports` (CloudFormation ListExports: Name, Value, ExportingStackId), `Stacks` (DescribeStacks:
StackName, Outputs[].OutputKey/OutputValue/ExportName), and describe-vpc-attribute's `VpcId` with
`EnableDnsSupport` / `EnableDnsHostnames` (`{"Value": bool}`, AttributeBooleanValue). Other keys are ignored.

What the objects mean is AWS's, applied as AWS applies it: a subnet without an explicit route-table
association uses the route table whose association has `Main: true` [RT]; the group named `default` is the
VPC's default security group [DSG]; the ACL with `IsDefault` is its default network ACL [NACL]. A VPC's DNS
support is on unless describe-vpc-attribute says otherwise (AWS's default); its DNS hostnames are off by
default only for VPCs made outside the console, so without describe-vpc-attribute they are Unknown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.model import Loc, Unknown

from ..errors import InputError

# The top-level keys read; anything else in a file is ignored.
KEYS = (
    "Vpcs",
    "Subnets",
    "RouteTables",
    "SecurityGroups",
    "SecurityGroupRules",
    "NetworkAcls",
    "NatGateways",
    "InternetGateways",
    "EgressOnlyInternetGateways",
    "VpcEndpoints",
    "PrefixLists",
    "Parameters",
    "Exports",
    "Stacks",
)
# The id field of each EC2 record kind: what a literal id in a template names.
ID_FIELDS = {
    "Vpcs": "VpcId",
    "Subnets": "SubnetId",
    "RouteTables": "RouteTableId",
    "SecurityGroups": "GroupId",
    "NetworkAcls": "NetworkAclId",
    "NatGateways": "NatGatewayId",
    "InternetGateways": "InternetGatewayId",
    "EgressOnlyInternetGateways": "EgressOnlyInternetGatewayId",
    "VpcEndpoints": "VpcEndpointId",
    "PrefixLists": "PrefixListId",
}
# Route targets in the order the Route shape lists them; the hint is the same name the CloudFormation
# AWS::EC2::Route property has, so a target outside the snapshot is described alike.
_ROUTE_TARGETS = (
    "GatewayId",
    "NatGatewayId",
    "EgressOnlyInternetGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "NetworkInterfaceId",
    "InstanceId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
)
# States in which a resource no longer carries traffic (NatGatewayState, AttachmentStatus).
_GONE = ("deleting", "deleted", "failed", "detaching", "detached")


@dataclass
class Record:
    """One item of a describe/list response: its key (`Subnets`), the item, and where it was read."""

    key: str
    item: dict
    loc: Loc


@dataclass
class Parameter:
    name: str
    type: str  # String | StringList | SecureString
    value: str
    version: int | None
    loc: Loc


@dataclass
class Snapshot:
    """Everything the snapshot files hold, by id or name; `objects` are the graph objects built from them."""

    files: list[str] = field(default_factory=list)
    records: dict[str, Record] = field(default_factory=dict)  # EC2 id → record
    objects: dict[str, m.Obj] = field(default_factory=dict)  # object id → object (ids as AWS gives them)
    # The objects each EC2 id brings along: a route table its routes and associations, a VPC its defaults.
    parts: dict[str, list[str]] = field(default_factory=dict)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    exports: dict[str, tuple[str, Loc]] = field(default_factory=dict)
    outputs: dict[str, dict[str, tuple[str, Loc]]] = field(default_factory=dict)  # stack name → key → value
    dns: dict[str, dict[str, bool]] = field(default_factory=dict)  # VPC id → support/hostnames
    prefix_cidrs: dict[str, list[str]] = field(default_factory=dict)
    sg_rules: dict[str, list[Record]] = field(default_factory=dict)  # group id → SecurityGroupRules items

    def vpc_of(self, oid: str) -> str | None:
        obj = self.objects.get(oid)
        vpc = getattr(obj, "vpc", None)
        if isinstance(vpc, m.External):
            return vpc.value
        if isinstance(obj, m.Vpc):
            return obj.id
        rec = self.records.get(oid)
        if rec is not None:
            for att in dict_items(rec.item.get("Attachments")):
                if isinstance(att, dict) and isinstance(att.get("VpcId"), str):
                    return att["VpcId"]
        return None


def snapshot_files(path: str) -> list[str]:
    """The JSON files a --snapshot path names: the file, or the `*.json` files of a folder in name order."""
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith(".json"))
        return [os.path.join(path, n) for n in names if os.path.isfile(os.path.join(path, n))]
    if not os.path.exists(path):
        raise InputError(path, "no such snapshot file or directory")
    return [path]


def load_snapshot(paths: list[str]) -> Snapshot | None:
    """The snapshot the --snapshot paths (files or folders) hold, or None without any. A file that is not JSON
    or not an object is an error (the scan would otherwise run without the network it describes)."""
    from ..yaml_loader import load_document, read_text

    if not paths:
        return None
    snap = Snapshot()
    for path in paths:
        for file in snapshot_files(path):
            try:
                doc = load_document(read_text(file), file)
            except InputError:
                raise
            if not isinstance(doc, dict):
                raise InputError(
                    file, "a snapshot file holds a JSON object (the output of an aws describe/list command)"
                )
            snap.files.append(file)
            _read(snap, doc, file)
    _build(snap)
    return snap


def _loc(file: str, item: Any) -> Loc:
    return Loc(file, getattr(item, "line", None))


def _read(snap: Snapshot, doc: dict, file: str) -> None:
    for key in KEYS:
        items = doc.get(key)
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            loc = _loc(file, item)
            if key in ID_FIELDS:
                oid = item.get(ID_FIELDS[key])
                if isinstance(oid, str) and oid:
                    if key == "PrefixLists" and oid in snap.records:
                        snap.records[oid].item.update(item)  # describe-managed-prefix-lists and -prefix-lists
                    else:
                        snap.records[oid] = Record(key, item, loc)
            elif key == "SecurityGroupRules" and isinstance(item.get("GroupId"), str):
                snap.sg_rules.setdefault(item["GroupId"], []).append(Record(key, item, loc))
            elif key == "Parameters" and isinstance(item.get("Name"), str) and "Value" in item:
                version = item.get("Version")
                snap.parameters[item["Name"]] = Parameter(
                    item["Name"],
                    str(item.get("Type") or "String"),
                    str(item["Value"]),
                    version if isinstance(version, int) else None,
                    loc,
                )
            elif key == "Exports" and isinstance(item.get("Name"), str) and "Value" in item:
                snap.exports[item["Name"]] = (str(item["Value"]), loc)
            elif key == "Stacks" and isinstance(item.get("StackName"), str):
                outputs = snap.outputs.setdefault(item["StackName"], {})
                for out in dict_items(item.get("Outputs")):
                    if isinstance(out, dict) and isinstance(out.get("OutputKey"), str) and "OutputValue" in out:
                        outputs[out["OutputKey"]] = (str(out["OutputValue"]), _loc(file, out))
                        if isinstance(out.get("ExportName"), str):
                            snap.exports.setdefault(out["ExportName"], (str(out["OutputValue"]), _loc(file, out)))
    # get-managed-prefix-list-entries prints only Entries: the file names the list it belongs to.
    entries, owner = doc.get("Entries"), doc.get("PrefixListId")
    if isinstance(entries, list) and isinstance(owner, str):
        cidrs = [e["Cidr"] for e in entries if isinstance(e, dict) and isinstance(e.get("Cidr"), str)]
        snap.prefix_cidrs.setdefault(owner, []).extend(cidrs)
    # describe-vpc-attribute: {"VpcId": ..., "EnableDnsSupport": {"Value": true}} (one attribute per call).
    vpc = doc.get("VpcId")
    if isinstance(vpc, str):
        for attr, name in (("EnableDnsSupport", "support"), ("EnableDnsHostnames", "hostnames")):
            value = doc.get(attr)
            if isinstance(value, dict) and isinstance(value.get("Value"), bool):
                snap.dns.setdefault(vpc, {})[name] = value["Value"]


def _build(snap: Snapshot) -> None:
    endpoints_gateway = {
        oid
        for oid, rec in snap.records.items()
        if rec.key == "VpcEndpoints" and str(rec.item.get("VpcEndpointType", "")).lower() == "gateway"
    }
    for oid, rec in snap.records.items():
        if rec.key == "PrefixLists" and isinstance(rec.item.get("Cidrs"), list):
            snap.prefix_cidrs.setdefault(oid, []).extend(c for c in rec.item["Cidrs"] if isinstance(c, str))
    for oid, rec in snap.records.items():
        builder = _BUILDERS.get(rec.key)
        if builder is None:
            continue
        parts = builder(snap, oid, rec, endpoints_gateway)
        for obj in parts:
            snap.objects[obj.id] = obj
        snap.parts[oid] = [o.id for o in parts]


def dict_items(value: Any) -> list[dict]:
    """The mappings of a list in a record (a hand-edited snapshot may hold anything: it is input)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _ref(value: Any) -> m.External | None:
    """A reference to another EC2 object: External until `attach` finds it among the objects it adds."""
    return m.External(value, f"{value} is not in the snapshot") if isinstance(value, str) and value else None


def _refs(values: Any) -> list[m.Ref]:
    return [m.External(v, f"{v} is not in the snapshot") for v in (values or []) if isinstance(v, str) and v]


def _vpc(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    item = rec.item
    v4 = [
        a["CidrBlock"]
        for a in dict_items(item.get("CidrBlockAssociationSet"))
        if isinstance(a, dict) and _str(a.get("CidrBlock")) and _associated(a.get("CidrBlockState"))
    ]
    if not v4 and _str(item.get("CidrBlock")):
        v4 = [item["CidrBlock"]]
    v6 = [
        a["Ipv6CidrBlock"]
        for a in dict_items(item.get("Ipv6CidrBlockAssociationSet"))
        if isinstance(a, dict) and _str(a.get("Ipv6CidrBlock")) and _associated(a.get("Ipv6CidrBlockState"))
    ]
    dns = snap.dns.get(oid, {})
    hostnames: bool | Unknown = dns.get("hostnames", Unknown(_no_dns(oid, "enableDnsHostnames")))
    return [
        m.Vpc(
            oid,
            rec.loc,
            cidrs_v4=list(v4),
            cidrs_v6=list(v6),
            dns_support=dns.get("support", True),  # AWS's default, as for a VPC in a template
            dns_hostnames=hostnames,
        )
    ]


def _no_dns(vpc: str, attribute: str) -> str:
    return (
        f"the snapshot has no describe-vpc-attribute output for {vpc}, so whether its DNS hostnames are on is "
        f"unknown (add: aws ec2 describe-vpc-attribute --vpc-id {vpc} --attribute {attribute})"
    )


def _associated(state: Any) -> bool:
    return not isinstance(state, dict) or state.get("State") in (None, "associated", "associating")


def _subnet(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    item = rec.item
    v6 = next(
        (
            a["Ipv6CidrBlock"]
            for a in dict_items(item.get("Ipv6CidrBlockAssociationSet"))
            if isinstance(a, dict) and _str(a.get("Ipv6CidrBlock")) and _associated(a.get("Ipv6CidrBlockState"))
        ),
        None,
    )
    return [
        m.Subnet(
            oid,
            rec.loc,
            vpc=_ref(item.get("VpcId")),
            cidr_v4=_str(item.get("CidrBlock")),
            cidr_v6=v6,
            az=_str(item.get("AvailabilityZone")),
        )
    ]


def _route_table(snap: Snapshot, oid: str, rec: Record, gateway_endpoints: set[str]) -> list[m.Obj]:
    item = rec.item
    assocs = [a for a in dict_items(item.get("Associations")) if isinstance(a, dict)]
    out: list[m.Obj] = [
        m.RouteTable(oid, rec.loc, vpc=_ref(item.get("VpcId")), is_main=any(a.get("Main") is True for a in assocs))
    ]
    for a in assocs:
        subnet = _str(a.get("SubnetId"))
        if subnet and not a.get("Main") and _associated(a.get("AssociationState")):
            aid = _str(a.get("RouteTableAssociationId")) or f"{oid}#assoc-{subnet}"
            out.append(m.RouteTableAssociation(aid, _loc(rec.loc.file, a), subnet=_ref(subnet) or "", route_table=oid))
    for n, r in enumerate(x for x in dict_items(item.get("Routes")) if isinstance(x, dict)):
        target_key = next((t for t in _ROUTE_TARGETS if _str(r.get(t))), None)
        target = r.get(target_key) if target_key else None
        if target == "local" or (target in gateway_endpoints):
            continue  # the VPC's own CIDRs, and a gateway endpoint's prefix-list route (its RouteTableIds)
        dest_pl = _str(r.get("DestinationPrefixListId"))
        out.append(
            m.Route(
                f"{oid}#route-{n}",
                _loc(rec.loc.file, r),
                route_table=oid,
                dest_v4=_str(r.get("DestinationCidrBlock")),
                dest_v6=_str(r.get("DestinationIpv6CidrBlock")),
                prefix_list=_ref(dest_pl),
                target=_ref(target),
                target_hint=target_key or "",
                blackhole=r.get("State") == "blackhole",
            )
        )
    return out


def _permissions(perms: Any, loc_file: str) -> list[m.SgRule]:
    out = []
    for p in perms if isinstance(perms, list) else []:
        if not isinstance(p, dict):
            continue
        loc = _loc(loc_file, p)
        protocol = aws.normalise_protocol(str(p.get("IpProtocol", "-1")))
        ports = (p.get("FromPort"), p.get("ToPort")) if protocol != aws.ALL_PROTOCOLS else (None, None)
        lo, hi = (x if isinstance(x, int) else None for x in ports)
        peers: list[tuple[str, Any]] = []
        peers += [("cidr4", r["CidrIp"]) for r in dict_items(p.get("IpRanges")) if _str(r.get("CidrIp"))]
        peers += [("cidr6", r["CidrIpv6"]) for r in dict_items(p.get("Ipv6Ranges")) if _str(r.get("CidrIpv6"))]
        peers += [
            ("pl", _ref(r["PrefixListId"])) for r in dict_items(p.get("PrefixListIds")) if _str(r.get("PrefixListId"))
        ]
        peers += [("sg", _ref(r["GroupId"])) for r in dict_items(p.get("UserIdGroupPairs")) if _str(r.get("GroupId"))]
        out += [m.SgRule(protocol, lo, hi, kind, peer, loc) for kind, peer in peers]
    return out


def _group_rules(records: list[Record]) -> tuple[list[m.SgRule], list[m.SgRule]]:
    ingress: list[m.SgRule] = []
    egress: list[m.SgRule] = []
    for rec in records:
        r = rec.item
        protocol = aws.normalise_protocol(str(r.get("IpProtocol", "-1")))
        ports = (r.get("FromPort"), r.get("ToPort")) if protocol != aws.ALL_PROTOCOLS else (None, None)
        lo, hi = (x if isinstance(x, int) and x != -1 else None for x in ports)
        ref = r.get("ReferencedGroupInfo")
        for kind, peer in (
            ("cidr4", _str(r.get("CidrIpv4"))),
            ("cidr6", _str(r.get("CidrIpv6"))),
            ("pl", _ref(r.get("PrefixListId"))),
            ("sg", _ref(ref.get("GroupId")) if isinstance(ref, dict) else None),
        ):
            if peer:
                (egress if r.get("IsEgress") else ingress).append(m.SgRule(protocol, lo, hi, kind, peer, rec.loc))
                break
    return ingress, egress


def _security_group(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    item = rec.item
    sg = m.SecurityGroup(oid, rec.loc, vpc=_ref(item.get("VpcId")), is_default=item.get("GroupName") == "default")
    if oid in snap.sg_rules:  # describe-security-group-rules: the rule list of the group, as it is
        sg.ingress, sg.egress = _group_rules(snap.sg_rules[oid])
    else:
        sg.ingress = _permissions(item.get("IpPermissions"), rec.loc.file)
        sg.egress = _permissions(item.get("IpPermissionsEgress"), rec.loc.file)
        missing = [k for k in ("IpPermissions", "IpPermissionsEgress") if k not in item]
        if missing:
            sg.rules_unknown = Unknown(f"the snapshot's record of {oid} has no {' or '.join(missing)}")
    return [sg]


def _network_acl(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    item = rec.item
    entries = []
    for e in dict_items(item.get("Entries")):
        if not isinstance(e, dict):
            continue
        ports: dict = e["PortRange"] if isinstance(e.get("PortRange"), dict) else {}
        number = e.get("RuleNumber")
        entries.append(
            m.NaclEntry(
                rule_number=number if isinstance(number, int) else Unknown(f"an entry of {oid} has no RuleNumber"),
                egress=e.get("Egress") is True,
                protocol=aws.normalise_protocol(str(e.get("Protocol", "-1"))),
                allow=e.get("RuleAction") == "allow",
                cidr_v4=_str(e.get("CidrBlock")),
                cidr_v6=_str(e.get("Ipv6CidrBlock")),
                from_port=ports.get("From") if isinstance(ports.get("From"), int) else None,
                to_port=ports.get("To") if isinstance(ports.get("To"), int) else None,
                loc=_loc(rec.loc.file, e),
            )
        )
    out: list[m.Obj] = [
        m.NetworkAcl(
            oid, rec.loc, vpc=_ref(item.get("VpcId")), is_default=item.get("IsDefault") is True, entries=entries
        )
    ]
    for a in dict_items(item.get("Associations")):
        if isinstance(a, dict) and _str(a.get("SubnetId")):
            aid = _str(a.get("NetworkAclAssociationId")) or f"{oid}#assoc-{a['SubnetId']}"
            out.append(m.NaclAssociation(aid, _loc(rec.loc.file, a), subnet=_ref(a["SubnetId"]) or "", nacl=oid))
    return out


def _nat_gateway(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    item = rec.item
    if item.get("State") in _GONE:
        return []
    connectivity = str(item.get("ConnectivityType") or "public").lower()
    addresses = [a for a in dict_items(item.get("NatGatewayAddresses")) if isinstance(a, dict)]
    public = any(_str(a.get("AllocationId")) or _str(a.get("PublicIp")) for a in addresses)
    return [
        m.NatGateway(
            oid,
            rec.loc,
            subnet=_ref(item.get("SubnetId")),
            vpc=_ref(item.get("VpcId")),
            connectivity=connectivity,
            regional=item.get("AvailabilityMode") == "regional",
            has_public_ip=public if connectivity == "public" else False,
        )
    ]


def _attachments(item: dict) -> list[str]:
    return [
        a["VpcId"]
        for a in dict_items(item.get("Attachments"))
        if isinstance(a, dict) and _str(a.get("VpcId")) and a.get("State") not in _GONE
    ]


def _internet_gateway(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    out: list[m.Obj] = [m.InternetGateway(oid, rec.loc)]
    for vpc in _attachments(rec.item):
        out.append(m.GatewayAttachment(f"{oid}#attachment-{vpc}", rec.loc, vpc=_ref(vpc) or "", gateway=oid))
    return out


def _egress_only_gateway(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    vpcs = _attachments(rec.item)
    return [m.EgressOnlyInternetGateway(oid, rec.loc, vpc=_ref(vpcs[0]) if vpcs else None)]


def _vpc_endpoint(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    item = rec.item
    if str(item.get("State", "")).lower() in ("deleting", "deleted", "failed", "rejected", "expired"):
        return []
    return [
        m.VpcEndpoint(
            oid,
            rec.loc,
            vpc=_ref(item.get("VpcId")),
            service=_str(item.get("ServiceName")) or Unknown(f"the snapshot's record of {oid} has no ServiceName"),
            endpoint_type=_str(item.get("VpcEndpointType")) or "Gateway",
            route_tables=_refs(item.get("RouteTableIds")),
            subnets=_refs(item.get("SubnetIds")),
            security_groups=_refs(g.get("GroupId") for g in dict_items(item.get("Groups")) if isinstance(g, dict)),
            private_dns=item.get("PrivateDnsEnabled") is True,
        )
    ]


def _prefix_list(snap: Snapshot, oid: str, rec: Record, _gw: set[str]) -> list[m.Obj]:
    name = _str(rec.item.get("PrefixListName")) or ""
    return [m.PrefixList(oid, rec.loc, name=name, cidrs=list(dict.fromkeys(snap.prefix_cidrs.get(oid, []))))]


_BUILDERS = {
    "PrefixLists": _prefix_list,
    "Vpcs": _vpc,
    "Subnets": _subnet,
    "RouteTables": _route_table,
    "SecurityGroups": _security_group,
    "NetworkAcls": _network_acl,
    "NatGateways": _nat_gateway,
    "InternetGateways": _internet_gateway,
    "EgressOnlyInternetGateways": _egress_only_gateway,
    "VpcEndpoints": _vpc_endpoint,
}
