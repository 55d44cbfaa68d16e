"""Data sources: the few a static reading can answer, and Unknown (with the reason) for the rest.

`aws_iam_policy_document` is computed locally, as the provider does, so execution-role permissions are
known. The Region (`aws_region`) is the provider's when it is written down and the placeholder `<region>`
otherwise (it names endpoint services, `com.amazonaws.<region>.s3`, which is what matters here);
`aws_availability_zones` gives distinct symbolic zones, as CloudFormation's Fn::GetAZs is read.
Everything else a data source returns is read from AWS when Terraform plans, so it is Unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vpcreach.graph.aws import PSEUDO_REGION, SYMBOLIC_AZS
from vpcreach.graph.model import Unknown

from .expressions import Ctx, evaluate_safely
from .functions import call
from .values import Derived, ManagedPolicy, Pending, decode_json, first_unknown, is_unknown, unknown_from

if TYPE_CHECKING:
    from .config import Block

# A data source's arguments evaluated as the provider reads them (blocks as lists), computed on demand.
Body = Callable[[], dict[str, Any]]

_PARTITION = {"partition": "aws", "id": "aws", "dns_suffix": "amazonaws.com", "reverse_dns_prefix": "com.amazonaws"}


class ArchivePath(str):
    """The zip an `archive_file` data source writes (its `output_path`), remembering what it zips: a function
    whose `filename` is this zip has its code there (issue 16: the code is read for what it calls)."""

    source: str

    def __new__(cls, value: str, source: str) -> ArchivePath:
        out = super().__new__(cls, value)
        out.source = source
        return out


def _archive_path(block: Block, address: str, ctx: Ctx, body: Body) -> Any:
    configured = block.attrs.get("output_path")
    value = evaluate_safely(configured.expr, ctx, f"{address}.output_path") if configured is not None else None
    if not isinstance(value, str):
        return Pending(f"{address}.output_path", "{path} is written by the provider when Terraform plans")
    args = body()
    source = args.get("source_dir") or args.get("source_file")
    return ArchivePath(value, source) if isinstance(source, str) else value


def data_attribute(
    block: Block,
    address: str,
    name: str,
    ctx: Ctx,
    region: str | None,
    body: Body,
    env: Any = None,
    inputs: list[tuple[str, str, str]] | None = None,
) -> Any:
    """Attribute `name` of data source `address` (configured in `block`), in the provider's `region`; `env`
    (parsers.environment.Environment) answers lookups of the existing network, recorded in `inputs`."""
    dtype = block.labels[0]
    if dtype == "archive_file" and name == "output_path":
        return _archive_path(block, address, ctx, body)
    configured = block.attrs.get(name)
    if configured is not None and dtype != "aws_iam_policy_document":
        value = evaluate_safely(configured.expr, ctx, f"{address}.{name}")
        if value is not None:  # an argument set to null filters nothing: the provider computes it
            return value
    region = region or PSEUDO_REGION
    if dtype == "aws_iam_policy_document" and name in ("json", "minified_json"):
        return policy_document(body(), address, ctx)
    if dtype == "aws_region" and name in ("name", "region", "id"):
        return region
    if dtype == "aws_partition" and name in _PARTITION:
        return _PARTITION[name]
    if dtype == "aws_availability_zones" and name == "names":
        return list(SYMBOLIC_AZS)
    if dtype == "aws_iam_policy" and name == "policy" and "arn" in block.attrs:
        arn = evaluate_safely(block.attrs["arn"].expr, ctx, f"{address}.arn")
        if isinstance(arn, str):
            return ManagedPolicy(arn)
    if dtype == "aws_vpc_endpoint_service" and name == "service_name" and "service" in block.attrs:
        # The provider looks the service up by its short name in the provider's Region.
        service = evaluate_safely(block.attrs["service"].expr, ctx, f"{address}.service")
        if isinstance(service, str):
            return f"com.amazonaws.{region}.{service}"
    if env is not None and env.snapshot is not None and dtype in LOOKUPS:
        found = lookup(dtype, address, name, body(), env, inputs if inputs is not None else [])
        if found is not None:
            return found
    return Pending(f"{address}.{name}", "{path} is read by the provider when Terraform plans")


# Data sources answered from an environment snapshot: the records they search, their arguments that are EC2
# filters (the provider turns each into the describe filter of that name: terraform-provider-aws
# internal/service/ec2 *_data_source.go, e.g. aws_subnet's vpc_id → "vpc-id"), and whether Terraform expects
# exactly one match ("Your query returned no results" / "multiple ... matched" are errors for those).
LOOKUPS: dict[str, tuple[str, dict[str, str], bool]] = {
    "aws_vpc": ("Vpcs", {"id": "vpc-id", "cidr_block": "cidr", "default": "is-default", "state": "state"}, True),
    "aws_subnet": (
        "Subnets",
        {
            "id": "subnet-id",
            "vpc_id": "vpc-id",
            "availability_zone": "availability-zone",
            "availability_zone_id": "availability-zone-id",
            "cidr_block": "cidr-block",
            "default_for_az": "default-for-az",
            "state": "state",
        },
        True,
    ),
    "aws_subnets": ("Subnets", {}, False),
    "aws_security_group": ("SecurityGroups", {"id": "group-id", "name": "group-name", "vpc_id": "vpc-id"}, True),
    "aws_security_groups": ("SecurityGroups", {}, False),
    "aws_route_table": (
        "RouteTables",
        {
            "route_table_id": "route-table-id",
            "subnet_id": "association.subnet-id",
            "gateway_id": "association.gateway-id",
            "vpc_id": "vpc-id",
        },
        True,
    ),
    "aws_nat_gateway": (
        "NatGateways",
        {"id": "nat-gateway-id", "subnet_id": "subnet-id", "vpc_id": "vpc-id", "state": "state"},
        True,
    ),
    "aws_vpc_endpoint": (
        "VpcEndpoints",
        {"id": "vpc-endpoint-id", "vpc_id": "vpc-id", "service_name": "service-name", "state": "vpc-endpoint-state"},
        True,
    ),
    "aws_prefix_list": ("PrefixLists", {"prefix_list_id": "prefix-list-id", "name": "prefix-list-name"}, True),
    "aws_ec2_managed_prefix_list": ("PrefixLists", {"id": "prefix-list-id", "name": "prefix-list-name"}, True),
    "aws_ssm_parameter": ("", {}, True),
    "aws_cloudformation_export": ("", {}, True),
    "aws_cloudformation_stack": ("", {}, True),
}
# Attributes read from the matched record (besides the id): attribute → record field.
_FIELDS = {
    "aws_vpc": {"cidr_block": "CidrBlock"},
    "aws_subnet": {"vpc_id": "VpcId", "cidr_block": "CidrBlock", "availability_zone": "AvailabilityZone"},
    "aws_security_group": {"vpc_id": "VpcId", "name": "GroupName"},
    "aws_route_table": {"vpc_id": "VpcId"},
    "aws_nat_gateway": {"vpc_id": "VpcId", "subnet_id": "SubnetId", "connectivity_type": "ConnectivityType"},
    "aws_vpc_endpoint": {"vpc_id": "VpcId", "service_name": "ServiceName", "vpc_endpoint_type": "VpcEndpointType"},
    "aws_prefix_list": {"name": "PrefixListName"},
    "aws_ec2_managed_prefix_list": {"name": "PrefixListName"},
}
_ID_ATTRS = {"id", "route_table_id", "prefix_list_id"}
# A NAT gateway's deleted record stays in describe-nat-gateways for a while; the provider's lookup finds only
# gateways that exist unless `state` is given (as the snapshot reader ignores gone ones).
_GONE_NAT = ("deleting", "deleted", "failed")


def lookup(dtype: str, address: str, name: str, args: dict[str, Any], env: Any, inputs: list) -> Any:
    """The attribute `name` of data source `address` from the snapshot, an Unknown saying why it cannot be
    (the lookup would fail in Terraform, or needs a value known only at plan), or None when the snapshot does
    not answer this attribute."""
    from vpcreach.parsers.snapshot.filters import select

    if dtype == "aws_ssm_parameter":
        return _ssm(address, name, args, env, inputs)
    if dtype == "aws_cloudformation_export":
        return _export(address, name, args, env, inputs)
    if dtype == "aws_cloudformation_stack":
        return _stack_outputs(address, name, args, env, inputs)
    key, arguments, single = LOOKUPS[dtype]
    filters: list[tuple[str, list[str]]] = []
    for arg, filter_name in arguments.items():
        value = args.get(arg)
        if value is None:
            continue
        if is_unknown(value) or first_unknown(value) is not None:
            return None
        filters.append((filter_name, [_text(value)]))
    for block in args.get("filter") or []:
        if not isinstance(block, dict):
            return None
        fname, values = block.get("name"), block.get("values")
        if not isinstance(fname, str) or not isinstance(values, list) or first_unknown(values) is not None:
            return None
        filters.append((fname, [_text(v) for v in values]))
    tags = args.get("tags")
    if isinstance(tags, dict):
        if first_unknown(tags) is not None:
            return None
        filters += [(f"tag:{k}", [_text(v)]) for k, v in tags.items()]
    elif tags is not None:
        return None
    found = select(env.snapshot, key, filters)
    if isinstance(found, str):
        return Unknown(f"{address}: {found}")
    if dtype == "aws_nat_gateway" and "state" not in args:
        found = [r for r in found if r.item.get("State") not in _GONE_NAT]
    shown = " and ".join(f"{n}={','.join(v)}" for n, v in filters) or "no filter"
    if not single:
        ids = [r.item.get(LOOKUP_IDS[key]) for r in found]
        for r in found:
            inputs.append((f"{address}", str(r.item.get(LOOKUP_IDS[key])), str(r.loc)))
        if name == "ids":
            return [str(i) for i in ids]
        if name == "vpc_ids" and key == "SecurityGroups":
            return sorted({str(r.item.get("VpcId")) for r in found})
        return None
    if len(found) != 1:
        what = "nothing" if not found else f"{len(found)} {key}"
        return Unknown(
            f"{address} matches {what} in the snapshot ({shown}); Terraform fails this lookup, which expects "
            "exactly one"
        )
    rec = found[0]
    rid = str(rec.item.get(LOOKUP_IDS[key]))
    inputs.append((address, rid, str(rec.loc)))
    if name in _ID_ATTRS:
        return rid
    field_name = _FIELDS.get(dtype, {}).get(name)
    if field_name is not None and isinstance(rec.item.get(field_name), str):
        return rec.item[field_name]
    if name == "cidr_blocks" and key == "PrefixLists":
        cidrs = env.snapshot.prefix_cidrs.get(rid)
        return list(cidrs) if cidrs else None
    return None


LOOKUP_IDS = {
    "Vpcs": "VpcId",
    "Subnets": "SubnetId",
    "SecurityGroups": "GroupId",
    "RouteTables": "RouteTableId",
    "NatGateways": "NatGatewayId",
    "VpcEndpoints": "VpcEndpointId",
    "PrefixLists": "PrefixListId",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _ssm(address: str, name: str, args: dict[str, Any], env: Any, inputs: list) -> Any:
    """aws_ssm_parameter: `value` / `insecure_value` / `type` / `version` of the parameter `name` (a StringList's
    value is its comma-separated text, as the provider returns it)."""
    pname = args.get("name")
    if not isinstance(pname, str):
        return None
    answer = env.ssm(pname)
    if answer is None:
        return Unknown(
            f"{address}: SSM parameter {pname} is not in the snapshot (aws ssm get-parameters --names {pname})"
        )
    if name in ("value", "insecure_value"):
        inputs.append((f"{address} (SSM parameter {pname})", str(answer.value), answer.where))
        return str(answer.value)
    if name == "type":
        return answer.kind
    if name == "version":
        return env.ssm_version(pname)
    return None


def _export(address: str, name: str, args: dict[str, Any], env: Any, inputs: list) -> Any:
    """aws_cloudformation_export: the `value` another stack exports under `name`."""
    ename = args.get("name")
    if not isinstance(ename, str) or name != "value":
        return None
    answer = env.export(ename)
    if answer is None:
        return Unknown(f"{address}: export {ename} is not in the snapshot (aws cloudformation list-exports)")
    inputs.append((f"{address} (export {ename})", str(answer.value), answer.where))
    return answer.value


def _stack_outputs(address: str, name: str, args: dict[str, Any], env: Any, inputs: list) -> Any:
    """aws_cloudformation_stack: `outputs`, a map of the stack's OutputKey → OutputValue (cloudformation
    describe-stacks in the snapshot)."""
    sname = args.get("name")
    if not isinstance(sname, str) or name != "outputs":
        return None
    outputs = env.snapshot.outputs.get(sname)
    if outputs is None:
        return Unknown(
            f"{address}: stack {sname} is not in the snapshot (aws cloudformation describe-stacks --stack-name {sname})"
        )
    for key, (value, loc) in outputs.items():
        inputs.append((f"{address}.outputs.{key}", value, str(loc)))
    return {key: value for key, (value, _loc) in outputs.items()}


_STATEMENT_KEYS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def policy_document(body: dict[str, Any], address: str, ctx: Ctx) -> Any:
    """The JSON the provider would render, or a Derived holding it when parts are known only after apply."""
    statements: list[Any] = []
    for source in _list(body.get("source_policy_documents")) + _list(body.get("source_json")):
        statements.extend(_statements_of(source))
    raw = body.get("statement")
    if isinstance(raw, Unknown):
        statements.append(raw)
    for st in raw if isinstance(raw, list) else []:
        statements.append(_statement(st))
    for override in _list(body.get("override_policy_documents")) + _list(body.get("override_json")):
        extra = _statements_of(override)
        sids = {s.get("Sid") for s in extra if isinstance(s, dict) and s.get("Sid")}
        statements = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") in sids)] + extra
    version = body.get("version") if isinstance(body.get("version"), str) else "2012-10-17"
    document = {"Version": version, "Statement": statements}
    unknown = first_unknown(document)
    if unknown is not None:
        base = unknown_from(f"{address}.json", [unknown])
        return Derived(base.reason, base.refs if isinstance(base, Derived) else (), value=document)
    return call("jsonencode", [document], ctx)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements_of(source: Any) -> list[Any]:
    document = decode_json(source)
    if isinstance(document, dict):
        stmts = document.get("Statement")
        return stmts if isinstance(stmts, list) else [stmts] if isinstance(stmts, dict) else []
    return [document if isinstance(document, Unknown) else Unknown("a source policy document is not JSON")]


def _statement(st: dict) -> dict:
    out: dict[str, Any] = {}
    for key, json_key in _STATEMENT_KEYS:
        value = st.get(key)
        if value is not None and value != []:
            out[json_key] = value
    out.setdefault("Effect", "Allow")
    for key, json_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = st.get(key)
        if isinstance(blocks, list) and blocks:
            principal: dict[str, Any] = {}
            for b in blocks:
                if isinstance(b, dict) and isinstance(b.get("type"), str):
                    principal.setdefault(b["type"], []).extend(_list(b.get("identifiers")))
            out[json_key] = principal
        elif is_unknown(blocks):
            out[json_key] = blocks
    conditions = st.get("condition")
    if isinstance(conditions, list) and conditions:
        cond: dict[str, Any] = {}
        for c in conditions:
            if isinstance(c, dict) and isinstance(c.get("test"), str) and isinstance(c.get("variable"), str):
                cond.setdefault(c["test"], {})[c["variable"]] = c.get("values")
        out["Condition"] = cond
    return out


__all__ = ["data_attribute", "policy_document"]
