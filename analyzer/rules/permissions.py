"""Execution-role permissions for VPC functions: VR304 (missing) and VR308 (ordering)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpcreach.graph import aws

from ..findings import Finding
from .common import on_function

if TYPE_CHECKING:
    from ..analysis import Analysis


def eni_permissions(analysis: Analysis) -> list[Finding]:
    """DESIGN decision 2: error when any of Create/Describe/DeleteNetworkInterface is missing."""
    out = []
    for result in analysis.vpc_functions():
        fn = result.function
        verdict = result.eni_permission
        if verdict is None:
            continue  # on a capacity provider or connector: the operator role launches the instances [LMI]
        grants = verdict.grants
        if not grants.known or verdict.unknown:
            continue  # VR001 reports the unknown role, or the unreadable policy that may grant them
        if verdict.missing:
            out.append(
                on_function(
                    fn,
                    "VR304",
                    f"execution role {grants.role} of {fn.id} lacks {', '.join(verdict.missing)}"
                    f"{' (an explicit Deny removes some)' if grants.denied or grants.denied_except else ''}; creating or updating the "
                    "function fails with 'The provided execution role does not have permissions to call "
                    "CreateNetworkInterface on EC2'",
                    [fn.id, grants.role or ""],
                    key="eni",
                    fix=f"Attach {aws.VPC_ACCESS_POLICY_ARN} to {grants.role}.",
                )
            )
            continue
        if verdict.late:
            late = verdict.late
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


CHECKS = [eni_permissions]
