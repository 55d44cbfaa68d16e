"""Execution roles and the policies that reach them: inline, managed by ARN, or through a resource of
their own (aws_iam_role_policy, attachments), which is what VR308's ordering check looks at.
"""

from __future__ import annotations

from typing import Any

from vpcreach.graph import model as m
from vpcreach.graph.model import Unknown

from ..iam_document import read_statements
from .aws_context import Context, handles
from .instance import ResourceInstance, TfRef
from .values import ManagedPolicy, Named, decode_json


# --- IAM ---------------------------------------------------------------------------------------------
def _unresolved(value: Any) -> Unknown | None:
    if isinstance(value, TfRef):
        return Unknown(f"{value.address}.{value.attr} is known only after apply")
    return None


def statements(ctx: Context, document: Any) -> list[m.PolicyStatement]:
    if isinstance(document, TfRef):
        document = Unknown(f"policy document from {document.address}.{document.attr}, known only after apply")
    elif isinstance(document, (str, Unknown)):
        document = decode_json(document)
    return read_statements(document, _unresolved)


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
            text = ctx.text(item)
            arns.append(text if isinstance(text, Unknown) else Unknown("managed policy ARN unknown"))
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


ROLE_TYPES = ("aws_iam_role",)


@handles("aws_iam_role_policy")
def _role_policy(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    arns: list[str | Unknown] = []
    stmts = _document(ctx, v.get("policy"), arns)
    ctx.net.add(
        m.Policy(
            inst.address,
            inst.loc,
            roles=[ctx.ref(v.get("role"), "role", ROLE_TYPES)],
            statements=stmts,
            managed_policy_arns=arns,
        )
    )


@handles("aws_iam_role_policy_attachment", "aws_iam_policy_attachment")
def _policy_attachment(ctx: Context, inst: ResourceInstance) -> None:
    v = inst.values
    if inst.type == "aws_iam_role_policy_attachment":
        roles: Any = [ctx.ref(v.get("role"), "role", ROLE_TYPES)]
    else:
        roles = ctx.refs(v.get("roles"), "role", ROLE_TYPES)
        roles = roles if isinstance(roles, list) else [roles]
    arns, stmts = _policy_arns(ctx, [v.get("policy_arn")] if v.get("policy_arn") is not None else [])
    ctx.net.add(m.Policy(inst.address, inst.loc, roles=roles, statements=stmts, managed_policy_arns=arns))
