"""What an execution role grants: actions, where each comes from, and what stays unknown."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from vpcreach.graph import kinds as k
from vpcreach.graph import model as m
from vpcreach.graph.build import Graph
from vpcreach.graph.model import Unknown

from .iam_tables import MANAGED_POLICIES, SAM_POLICY_TEMPLATES, managed_policy_name


@dataclass
class Grant:
    actions: list[str]
    source: str  # the role itself, a policy resource id, or a managed policy name
    separate: bool = False  # reaches the role through a resource of its own (AWS::IAM::Policy, an attachment)
    source_id: str = ""


@dataclass
class RoleGrants:
    role: str | None
    grants: list[Grant] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    # Actions of explicit Deny statements for every request ("*", no Condition): a Deny wins over any Allow.
    # A Deny with NotAction denies every action but the listed ones (`denied_except`, `scoped_denials_except`).
    denied: list[str] = field(default_factory=list)
    # Actions of Deny statements limited by a Resource or Condition: they may or may not apply to the
    # request Lambda makes, so they make the answer unknown rather than remove the Allow.
    scoped_denials: list[tuple[str, str]] = field(default_factory=list)  # (action pattern, source)
    scoped_denials_except: list[tuple[list[str], str]] = field(default_factory=list)  # NotAction ones
    # Deny statements with NotAction, for every request: they deny every action except these patterns.
    denied_except: list[list[str]] = field(default_factory=list)
    # Deny statements whose actions are unresolved (why, per statement): any action may be denied.
    unknown_denials: list[str] = field(default_factory=list)
    known: bool = True  # False when the role itself is outside the source
    # Many functions share a role, and several rules ask it the same questions.
    _answers: dict[tuple[str, bool], Grant | None] = field(default_factory=dict, repr=False, compare=False)

    def grant_for(self, action: str, *, on_role_only: bool = False) -> Grant | None:
        """The grant that allows `action`, or None; an explicit Deny wins.

        `on_role_only` asks where an Allow comes from (VR308): only grants that are part of the role itself
        count, and Denies are not consulted.
        """
        key = (action, on_role_only)
        if key not in self._answers:
            if on_role_only:
                self._answers[key] = grants_action([g for g in self.grants if not g.separate], action)
            else:
                denied = any(not any(action_allows(p, action) for p in kept) for kept in self.denied_except)
                self._answers[key] = None if denied else grants_action(self.grants, action, self.denied)
        return self._answers[key]

    def scoped_denial(self, action: str) -> str | None:
        """The source of a Deny limited by a Resource or Condition that names `action`, if any."""
        found = next((src for pattern, src in self.scoped_denials if action_allows(pattern, action)), None)
        if found is None:
            kept = self.scoped_denials_except
            found = next((src for patterns, src in kept if not any(action_allows(p, action) for p in patterns)), None)
        return found


def role_grants(graph: Graph, fn_id: str, roles: dict[str, RoleGrants] | None = None) -> RoleGrants:
    """What the execution role of `fn_id` grants; `roles` (the engine's, per run) reads each role once."""
    role_node = graph.first_out(fn_id, k.USES_ROLE)
    if role_node is None:
        return RoleGrants(None, known=False, unknowns=["the function names no execution role"])
    if roles is None:
        return _role_grants(graph, role_node)
    cached = roles.get(role_node)
    if cached is None:
        cached = roles[role_node] = _role_grants(graph, role_node)
    return cached


def _role_grants(graph: Graph, role_node: str) -> RoleGrants:
    role = graph.obj(role_node)
    if not isinstance(role, m.Role):
        reason = graph.g.nodes[role_node].get("reason", "the execution role is not in the source")
        return RoleGrants(role_node, known=False, unknowns=[reason])
    out = RoleGrants(role.id)
    _collect(
        out,
        role.statements,
        role.managed_policy_arns,
        role.policy_templates,
        role.id,
        separate=False,
        source_id=role.id,
    )
    for policy_id, _ in graph.g.in_edges(role.id):
        policy = graph.obj(policy_id)
        if isinstance(policy, m.Policy) and graph.kind(policy_id) == k.POLICY:
            _collect(
                out, policy.statements, policy.managed_policy_arns, policy.policy_templates, policy.id, True, policy.id
            )
    return out


def _collect(
    out: RoleGrants,
    statements: list[m.PolicyStatement],
    arns: list,
    templates: list[str],
    source: str,
    separate: bool,
    source_id: str,
) -> None:
    actions: list[str] = []
    for st in statements:
        if isinstance(st.effect, Unknown):
            # Allow or Deny: either way the answer for its actions is unknown.
            out.unknowns.append(f"a statement of {source}: its Effect is unknown: {st.effect.reason}")
            continue
        if st.effect == "Deny":
            if isinstance(st.actions, Unknown):
                out.unknown_denials.append(f"a Deny statement of {source}: {st.actions.reason}")
            elif st.not_actions is not None:
                if st.scoped:
                    out.scoped_denials_except.append((st.not_actions, source))
                else:
                    out.denied_except.append(st.not_actions)
            elif st.scoped:
                out.scoped_denials.extend((a, source) for a in st.actions)
            else:
                out.denied.extend(st.actions)
            continue
        if st.effect != "Allow":
            continue
        if isinstance(st.actions, Unknown):
            out.unknowns.append(f"a statement of {source}: {st.actions.reason}")
            continue
        if st.not_actions is not None:
            # NotAction with Allow grants everything else: as broad as "*" for our purposes.
            actions.append("*")
            continue
        actions.extend(st.actions)
    if actions:
        out.grants.append(Grant(actions, source, separate, source_id))
    for arn in arns:
        if isinstance(arn, Unknown):
            out.unknowns.append(f"a managed policy of {source}: {arn.reason}")
            continue
        name = managed_policy_name(str(arn))
        if name in MANAGED_POLICIES:
            out.grants.append(Grant(list(MANAGED_POLICIES[name]), name, separate, source_id))
        else:
            out.unknowns.append(f"managed policy {name} is not in vpcreach's table")
    for tpl in templates:
        if tpl in SAM_POLICY_TEMPLATES:
            out.grants.append(Grant(list(SAM_POLICY_TEMPLATES[tpl]), f"SAM policy template {tpl}", separate, source_id))
        else:
            out.unknowns.append(f"SAM policy template {tpl} is not in vpcreach's table")


def action_allows(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, `*` and `?` wildcards."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def grants_action(grants: list[Grant], action: str, denied: list[str] | None = None) -> Grant | None:
    if denied and any(action_allows(p, action) for p in denied):
        return None
    for grant in grants:
        if any(action_allows(p, action) for p in grant.actions):
            return grant
    return None
