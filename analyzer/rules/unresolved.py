"""VR001: what could not be resolved, need or not (DESIGN decision 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import reach as r
from ..findings import Finding
from ..flows import UNKNOWN
from .common import label, on_function

if TYPE_CHECKING:
    from ..analysis import Analysis


def fix_for(reason: str) -> str:
    """What the user can do about one unknown, read from its reason: pass a value only when the value comes
    from a parameter or variable without one; never suggest --param/--var for a value that depends on none."""
    text = reason.lower()
    if "--param" in text or "--var" in text or "tfvars" in text:
        return "Pass the value (--param / --var / a tfvars file), or scan the Terraform plan, so the verdict can be decided."
    if "after apply" in text:
        return "Scan the Terraform plan (vpcreach plan): values known at plan time are resolved there; ids AWS assigns at apply stay unknown."
    if "not on disk" in text:
        return (
            "Run `terraform init` (or check the module's folder out) and scan again, or scan the plan (vpcreach plan)."
        )
    if "nested stack" in text:
        return "Scan the nested stack's template too (it is analysed on its own, with the values this stack passes it)."
    if "another stack" in text:
        return "Scan the stack that exports the value together with this one; its subnets and security groups are defined there."
    if "not defined in the source" in text or "defined outside" in text:
        return "Scan the template or module that defines it together with this one."
    return "Nothing to pass: vpcreach cannot follow this value statically. Check it by hand, and suppress this VR001 on the resource with a reason."


def unresolved(analysis: Analysis) -> list[Finding]:
    out = []
    for result in analysis.functions.values():
        fn = result.function
        if fn.managed_instances is not None:
            reason = fn.managed_instances.reason
            out.append(on_function(fn, "VR001", f"{fn.id}: {reason}", key="managed-instances", fix=fix_for(reason)))
            continue
        if fn.stand_in is not None:
            reason = fn.stand_in.reason
            out.append(on_function(fn, "VR001", f"{fn.id}: {reason}", key="stand-in", fix=fix_for(reason)))
        if not (fn.has_vpc_config or result.compute is not None):
            continue
        for gap in result.placement_gaps:
            out.append(on_function(fn, "VR001", f"{fn.id}: {gap.reason}", key=gap.reason, fix=fix_for(gap.reason)))
        gaps = {gap.reason for gap in result.placement_gaps}
        for nr in result.needs:
            # A need unknown for the very reason its placement is (an IPv6-only subnet) is that one finding.
            if nr.verdict.status == UNKNOWN and nr.verdict.detail not in gaps:
                v = nr.verdict
                out.append(
                    on_function(
                        fn,
                        "VR001",
                        f"whether {fn.id} reaches {nr.need.target} is unknown: {v.detail}",
                        [fn.id, *map(label, v.hops)],
                        key=f"need:{nr.need.target}",
                        need=nr.need.target,
                        fix=(
                            f"Set the {nr.need.target} client's endpoint URL to {v.component}'s DNS name in the code, "
                            "or add a NAT route; if the code already sets it, suppress this VR001 on the function "
                            "with that reason."
                            if v.code == r.ENDPOINT_URL
                            else fix_for(v.detail)
                        ),
                    )
                )
        verdict = result.eni_permission
        if verdict is None:
            continue  # on a capacity provider or connector: the function's role manages no network interface
        grants = verdict.grants
        if verdict.unknown:
            reason = "; ".join(grants.unknowns) or "the role is unknown"
            out.append(
                on_function(
                    fn,
                    "VR001",
                    f"whether the execution role of {fn.id} may manage network interfaces is unknown: {reason}",
                    key="role",
                    fix=fix_for(reason),
                )
            )
        elif verdict.unknown_denials and not verdict.missing:
            out.append(
                on_function(
                    fn,
                    "VR001",
                    f"whether the execution role of {fn.id} may manage network interfaces is unknown: "
                    f"{'; '.join(verdict.unknown_denials)}, and it may deny them",
                    [fn.id, grants.role or ""],
                    key="role",
                    fix="Resolve the Deny statement's actions (a parameter default, a variable value) so they can be checked.",
                )
            )
        elif verdict.scoped:
            scoped = verdict.scoped
            actions = ", ".join(a for a, _ in scoped)
            out.append(
                on_function(
                    fn,
                    "VR001",
                    f"whether the execution role of {fn.id} may manage network interfaces is unknown: a Deny "
                    f"in {scoped[0][1]} limited by a Resource or Condition names {actions}, and whether it "
                    "matches the requests Lambda makes is decided at deploy time",
                    [fn.id, grants.role or "", scoped[0][1]],
                    key="role",
                    fix="Scope the Deny so it cannot match the function's network interfaces, or confirm it does not.",
                )
            )
    return out


CHECKS = [unresolved]
