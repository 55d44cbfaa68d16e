"""Execution roles and the policies that reach them: inline, managed by ARN, or through a resource of
their own (aws_iam_role_policy, attachments), which is what VR308's ordering check looks at.
"""

from __future__ import annotations

from typing import Any

from vpcreach.graph import model as m
from vpcreach.graph.model import Unknown

from ..iam_document import is_scoped
from .aws_context import Context, handles
from .instance import ResourceInstance, TfRef
from .values import ManagedPolicy, Named, decode_json


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
                scoped=is_scoped(s),
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
