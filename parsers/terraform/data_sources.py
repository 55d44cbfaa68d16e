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


def data_attribute(block: Block, address: str, name: str, ctx: Ctx, region: str | None, body: Body) -> Any:
    """Attribute `name` of data source `address` (configured in `block`), in the provider's `region`."""
    dtype = block.labels[0]
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
    return Pending(f"{address}.{name}", "{path} is read by the provider when Terraform plans")


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
