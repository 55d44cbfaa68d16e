"""Plan change impact: VR306 and the before/after change set (DESIGN decision 6; SEMANTICS §1).

The engine runs this in plan mode, on a network whose `previous` holds the network before the change and
whose `actions` and `types` say what the plan does to each resource, once it has analysed both. Lambda keys
Hyperplane ENIs by (subnet, set of security groups) [LNET][ENIF], so:

- an update or replace of a function that gives it a pair it did not have — a new pair, or a pair whose
  subnet or security group this plan creates or replaces — puts the function in Pending while Lambda
  creates (or attaches) the ENI: 60–90 seconds, "several minutes" [BLOGST][LNET]; invocations keep using
  the old ENI until then [LSTATE]. Creating a function is normal and is not reported.
- deleting (or replacing) a subnet or security group that a remaining function's ENI uses can hang: Lambda
  releases an ENI only after no function or published version uses its pair, up to 20 minutes later, and
  Terraform warns such deletes take up to 45 minutes [LNET][TFSG][TFL].

The engine analyses the network before the change too, and the needs whose verdict moves between the
two (broken, repaired, changed) are part of the change set; the rules on the planned network already
explain why a need is blocked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vpcreach.graph import model as m
from vpcreach.graph.build import EniGroup, Graph

from .analysis import Changes
from .findings import Finding
from .flows import BLOCKED, REACHABLE
from .rules.common import on_function

if TYPE_CHECKING:
    from .analysis import Analysis

# Actions after which a resource is a new object (a new id): an ENI pair naming it is a new pair.
_NEW = ("create", "replace")
_GONE = ("delete", "replace")


def change_set(after: Analysis, before: Analysis) -> Changes:
    """The change set of a plan, from the analyses of the planned network and of the one before it."""
    return _Impact(after, before).changes()


class _Impact:
    def __init__(self, after: Analysis, before: Analysis) -> None:
        self.after = after
        self.before = before
        self.actions = after.network.actions
        self.types = after.network.types
        # A value that still names a resource by its old literal id (a deleted group, say) is the same pair.
        self.before_ids = after.network.before_ids
        self.findings: list[Finding] = []
        self.functions: list[dict[str, Any]] = []
        self.deletions: list[dict[str, Any]] = []
        self._eni_changes()
        self._deletions()

    # --- ENI pairs -----------------------------------------------------------------------------------
    def _renewed(self, group: EniGroup) -> list[str]:
        """Members of an after-change pair that this plan creates or replaces (so the pair is new)."""
        members = [group.subnet_ref, *group.sg_refs]
        return [x for x in members if isinstance(x, str) and self.actions.get(x) in _NEW]

    def _gone(self, group: EniGroup) -> list[str]:
        members = [group.subnet_ref, *group.sg_refs]
        return [x for x in members if isinstance(x, str) and self.actions.get(x) in _GONE]

    def _pair(self, group: EniGroup) -> tuple[str, tuple[str, ...]]:
        """The pair with literal ids of resources from before the change turned back into their addresses."""
        ids = self.before_ids
        return (ids.get(group.subnet, group.subnet), tuple(sorted(ids.get(s, s) for s in group.security_groups)))

    def _pairs(self, graph: Graph) -> set[tuple[str, tuple[str, ...]]]:
        return {self._pair(g) for g in graph.hyperplane_groups().values()}

    def created_groups(self) -> list[tuple[EniGroup, str]]:
        """After-change ENI groups that do not exist before it, with why."""
        before = self._pairs(self.before.graph)
        out = []
        for _gid, group in sorted(self.after.graph.hyperplane_groups().items()):
            renewed = self._renewed(group)
            if renewed:
                out.append((group, f"{', '.join(renewed)} {'is' if len(renewed) == 1 else 'are'} new in this plan"))
            elif self._pair(group) not in before:
                out.append((group, "no function uses this pair before the change"))
        return out

    def removed_groups(self) -> list[tuple[EniGroup, str]]:
        after = {self._pair(g) for g in self.after.graph.hyperplane_groups().values() if not self._renewed(g)}
        out = []
        for _gid, group in sorted(self.before.graph.hyperplane_groups().items()):
            gone = self._gone(group)
            if gone:
                out.append((group, "; ".join(f"this plan {self.actions[x]}s {x}" for x in gone)))
            elif self._pair(group) not in after:
                out.append((group, "no function uses this pair after the change"))
        return out

    def _eni_changes(self) -> None:
        after_graph, before_graph = self.after.graph, self.before.graph
        existing = self._pairs(before_graph)
        for result in self.after.functions.values():
            fn = result.function
            if fn.action not in ("update", "replace") or fn.id not in self.before.functions:
                continue
            # Hyperplane ENIs only: a capacity provider's or connector's placement is not the function's (decision 11).
            old = [before_graph.eni_groups[g] for g in before_graph.function_groups.get(fn.id, [])]
            old = [g for g in old if not g.compute]
            new = [g for g in (after_graph.eni_groups[g] for g in result.groups) if not g.compute]
            old_pairs = {self._pair(g) for g in old}
            fresh = [g for g in new if self._renewed(g) or self._pair(g) not in old_pairs]
            left = [g for g in old if self._gone(g) or self._pair(g) not in {self._pair(n) for n in new}]
            if not fresh and not left:
                continue
            entry = {
                "resource": fn.id,
                "action": fn.action,
                "eni_groups_before": sorted(g.id for g in old),
                "eni_groups_after": sorted(g.id for g in new),
                "new_eni_groups": sorted(g.id for g in fresh),
                "pending": bool(fresh),
            }
            self.functions.append(entry)
            if not fresh:
                continue  # leaving pairs only: nothing new to create, no Pending period
            shared = [g for g in fresh if self._pair(g) in existing and not self._renewed(g)]
            created = [g for g in fresh if g not in shared]
            parts = []
            if created:
                parts.append(
                    f"needs {len(created)} new Hyperplane ENI(s) for {'; '.join(_describe(g) for g in created)}"
                )
            if shared:
                parts.append(
                    f"joins the existing Hyperplane ENI(s) of {'; '.join(_describe(g) for g in shared)}, which other "
                    "functions already use"
                )
            why = (
                "Lambda puts the function in Pending while it creates the ENIs (60-90 seconds, up to several "
                "minutes); invocations keep using the old ENIs until the function is Active again, and a failure "
                "to create them (ENI quota, subnet addresses, execution-role permissions) fails the update"
                if created
                else "the function is Pending while Lambda attaches it"
            )
            self.findings.append(
                on_function(
                    fn,
                    "VR306",
                    f"this plan {'replaces' if fn.action == 'replace' else 'updates'} {fn.id} and changes its "
                    f"(subnet, security-group set): it {' and '.join(parts)}; {why}",
                    [fn.id, *(g.id for g in fresh)],
                    key="eni",
                    fix="Expect the Pending period: apply outside peak traffic, or reuse a (subnet, security-group set) "
                    "another function already has so no new ENI is needed.",
                )
            )

    # --- deletes of subnets and security groups still in use -------------------------------------------
    def _deletions(self) -> None:
        before_graph = self.before.graph
        prev = before_graph.network
        after_net = self.after.network
        ids_of: dict[str, list[str]] = {}
        for literal, address in self.before_ids.items():
            ids_of.setdefault(address, []).append(literal)
        for address, action in sorted(self.actions.items()):
            obj = prev.objects.get(address)
            if action not in _GONE or not isinstance(obj, (m.Subnet, m.SecurityGroup)):
                continue
            users = []
            for group in before_graph.hyperplane_groups().values():
                if group.subnet_ref == address or address in group.sg_refs:
                    users += group.functions
            remaining = [f for f in dict.fromkeys(users) if isinstance(after_net.objects.get(f), m.Function)]
            if not remaining:
                continue
            literals = set(ids_of.get(address, []))
            still = [fn.id for fn in after_net.of(m.Function) if action == "delete" and _names_any(fn, literals)]
            kind = "subnet" if isinstance(obj, m.Subnet) else "security group"
            self.deletions.append(
                {
                    "resource": address,
                    "type": self.types.get(address, ""),
                    "action": action,
                    "functions": remaining,
                    "still_used_by": still,
                }
            )
            verb = "replaces (deletes and re-creates)" if action == "replace" else "deletes"
            tail = (
                f" {', '.join(still)} still {'uses' if len(still) == 1 else 'use'} it after the change, so the "
                "delete cannot finish and fails with DependencyViolation after the timeout."
                if still
                else ""
            )
            self.findings.append(
                Finding(
                    "VR306",
                    address,
                    obj.loc.file or (prev.sources[0] if prev.sources else ""),
                    obj.loc.line,
                    f"this plan {verb} {kind} {address} while the Hyperplane ENI(s) of {', '.join(remaining)} use it; "
                    "Lambda releases an ENI only when no function or published version uses its (subnet, "
                    "security-group set) any more, up to 20 minutes later (never while a published version keeps "
                    f"it), so the delete can hang for up to 45 minutes.{tail}",
                    [address, *remaining],
                    "Move the functions (and their published versions) off it in an earlier apply, then delete it; for "
                    "a replacement, set create_before_destroy so the functions move to the new one first.",
                    functions=remaining,
                    key=f"delete:{address}",
                )
            )

    # --- before/after reachability ---------------------------------------------------------------------
    def reachability(self) -> list[dict[str, Any]]:
        out = []
        for fid, result in sorted(self.after.functions.items()):
            old = self.before.functions.get(fid)
            if old is None or not (result.function.has_vpc_config or old.function.has_vpc_config):
                continue
            before = {nr.need.target: nr for nr in old.needs}
            after = {nr.need.target: nr for nr in result.needs}
            for target in dict.fromkeys([*before, *after]):
                b, a = before.get(target), after.get(target)
                b_status = b.verdict.status if b else None
                a_status = a.verdict.status if a else None
                if b_status == a_status:
                    continue
                if b_status == REACHABLE and a_status == BLOCKED:
                    change = "broken"
                elif b_status == BLOCKED and a_status == REACHABLE:
                    change = "repaired"
                elif b_status is None:
                    change = "added"
                elif a_status is None:
                    change = "removed"
                else:
                    change = "changed"
                out.append(
                    {
                        "function": fid,
                        "need": target,
                        "before": b_status,
                        "after": a_status,
                        "change": change,
                        # What is wrong after the change, or for a repair what was wrong before it.
                        "reason": (a.verdict.detail if a and a_status != REACHABLE else b.verdict.detail if b else ""),
                        "via_before": [fid, *b.verdict.hops] if b else [],
                        "via_after": [fid, *a.verdict.hops] if a else [],
                    }
                )
        return out

    def changes(self) -> Changes:
        net = self.after.network
        resources = [
            {"address": a, "type": self.types.get(a, ""), "action": act}
            for a, act in sorted(self.actions.items())
            if act not in ("no-op", "read")
        ]
        counts: dict[str, int] = {}
        for r in resources:
            counts[r["action"]] = counts.get(r["action"], 0) + 1
        return Changes(
            net.sources[0] if net.sources else "",
            counts,
            resources,
            [_group_dict(g, why) for g, why in self.created_groups()],
            [_group_dict(g, why) for g, why in self.removed_groups()],
            self.functions,
            self.deletions,
            self.reachability(),
            self.findings,
        )


def _names_any(fn: m.Function, literals: set[str]) -> bool:
    """Whether a function's placement still names a resource by one of its old literal ids."""
    if not literals:
        return False
    values: list[Any] = []
    for field_value in (fn.subnets, fn.security_groups):
        if isinstance(field_value, list):
            values += field_value
    return any(isinstance(v, m.External) and v.value in literals for v in values)


def _describe(group: EniGroup) -> str:
    return f"{group.subnet} × {{{', '.join(group.security_groups) or 'no security groups'}}}"


def _group_dict(group: EniGroup, why: str) -> dict[str, Any]:
    return {
        "id": group.id,
        "subnet": group.subnet,
        "security_groups": list(group.security_groups),
        "functions": list(group.functions),
        "reason": why,
    }
