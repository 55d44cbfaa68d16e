"""Execution-role permissions for VPC functions: VR304 (missing) and VR308 (ordering)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpcreach.graph import model as m

from ..findings import Finding
from ..iam import grants_action, role_grants
from ..iam_tables import ENI_ACTIONS
from .common import on_function

if TYPE_CHECKING:
    from ..analysis import Analysis


def eni_permissions(analysis: Analysis) -> list[Finding]:
    """DESIGN decision 2: error when any of Create/Describe/DeleteNetworkInterface is missing."""
    out = []
    for result in analysis.vpc_functions():
        fn = result.function
        grants = role_grants(analysis.graph, fn.id)
        if not grants.known:
            continue  # VR001 reports the unknown role
        missing = [a for a in ENI_ACTIONS if grants.grant_for(a) is None]
        if missing and grants.unknowns:
            continue  # an unreadable policy may grant them: unknown, reported by VR001
        if missing:
            out.append(
                on_function(
                    fn,
                    "VR304",
                    f"execution role {grants.role} of {fn.id} lacks {', '.join(missing)}"
                    f"{' (an explicit Deny removes some)' if grants.denied else ''}; creating or updating the "
                    "function fails with 'The provided execution role does not have permissions to call "
                    "CreateNetworkInterface on EC2'",
                    [fn.id, grants.role or ""],
                    key="eni",
                    fix=f"Attach arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole to {grants.role}.",
                )
            )
            continue
        # VR308: every ENI action arrives only through separate resources the function does not wait for.
        sources = [grants.grant_for(a, on_role_only=True) for a in ENI_ACTIONS]
        if all(s is not None for s in sources):
            continue
        if fn.action not in ("create", "replace"):
            continue
        before = _transitive(analysis.network, fn)
        late = []
        for action in ENI_ACTIONS:
            if grants.grant_for(action, on_role_only=True):
                continue
            separate = [g for g in grants.grants if g.separate and grants_action([g], action)]
            if separate and not any(g.source_id in before for g in separate):
                late.append((action, separate[0].source_id))
        if late:
            policy = late[0][1]
            out.append(
                on_function(
                    fn,
                    "VR308",
                    f"{fn.id} gets {', '.join(a for a, _ in late)} only through {policy}, a separate resource it does not "
                    "depend on; the function may be created before the policy is attached, and creation then fails",
                    [fn.id, grants.role or "", policy],
                    key=policy,
                    fix=f"Add DependsOn: {policy} (Terraform: depends_on = [{policy}]) to {fn.id}, or grant the permissions on the role itself.",
                )
            )
    return out


def _transitive(net: m.Network, fn: m.Function) -> set[str]:
    """Everything the function waits for: its dependencies and theirs."""
    seen: set[str] = set()
    stack = list(fn.depends_on | net.depends.get(fn.id, set()))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(net.depends.get(node, ()))
    return seen


CHECKS = [eni_permissions]
