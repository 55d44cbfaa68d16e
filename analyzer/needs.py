"""What each function must reach: the needs declared (Metadata, comments, tags, the config), read from its
execution role (iam) and environment (env), and those found in what the source shows (needs_evidence.py: mounts,
peers, layers, code), combined with a declared need winning over an inferred one of the same target. A need
itself is need.py's."""

from __future__ import annotations

import re

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.build import Graph

from .iam import RoleGrants
from .need import Need, is_ip_literal, normalise, service_for_action, service_of_host
from .needs_evidence import code_needs, layer_needs, mount_needs

_AWS_HOST = re.compile(r"^https?://(?P<host>[^/:]+)", re.I)


IamNeedMemo = dict[tuple, tuple[list[Need], list[str]]]


def function_needs(
    graph: Graph,
    fn: m.Function,
    config_needs: list[str] | None,
    grants: RoleGrants,
    mappings: frozenset[str],
    memo: IamNeedMemo,
    peers: dict[str, list[Need]] | None = None,
) -> tuple[list[Need], list[str]]:
    """All needs of `fn`, de-duplicated by target (declared first), and reasons some may be missing.

    `grants` and `mappings` (the kinds of its event sources) are the engine's facts; functions sharing a
    role and event sources share their IAM needs through `memo`, which the engine keeps for the run. `peers`
    (from `peer_needs`, computed once per run) are the targets whose security groups admit each function. A
    need the user declared wins over an inferred one of the same target (declared and config come first)."""
    needs: list[Need] = []
    unknowns: list[str] = []
    for target in fn.declared_needs:
        needs.append(Need(normalise(target), "declared"))
    for target in config_needs or []:
        needs.append(Need(normalise(target), "config"))
    iam_needs, iam_unknowns = _iam_needs(graph, grants, mappings, memo)
    needs.extend(iam_needs)
    unknowns.extend(iam_unknowns)
    needs.extend(_env_needs(graph, fn))
    mounted = mount_needs(graph, fn)
    if mounted:
        # EFS client actions are how the mount is authorised, not a call to the EFS API (DESIGN decision 3).
        needs = [n for n in needs if not (n.origin == "iam" and n.target == "elasticfilesystem")]
    needs.extend(mounted)
    needs.extend(peers.get(fn.id, []) if peers else [])
    needs.extend(layer_needs(fn))
    needs.extend(code_needs(graph, fn))
    seen: dict[str, Need] = {}
    for need in needs:
        seen.setdefault(need.target, need)
    internet = seen.get("internet")
    if internet is not None and "internet6" not in seen and fn.ipv6_dual_stack is not False:
        # Dual-stack destinations are tried over IPv6 first (DESIGN decision 12); with the setting
        # unresolved the need is kept and the walk says unknown rather than blocked.
        seen["internet6"] = Need(
            "internet6",
            "dual-stack",
            f"Ipv6AllowedForDualStack with an internet need (from {internet.origin})",
        )
    return list(seen.values()), unknowns


def mapping_kinds(network: m.Network) -> dict[str, frozenset[str]]:
    """Function id → the services whose poller actions its role serves: the kinds of the event source
    mappings of every function using the same role (DESIGN decision 3: the exclusion is per role)."""
    by_function: dict[str, set[str]] = {}
    for obj in network.of(m.EventSourceMapping):
        if isinstance(obj.function, str) and isinstance(obj.source_service, str):
            by_function.setdefault(obj.function, set()).add(obj.source_service)
    by_role: dict[str, set[str]] = {}
    role_of: dict[str, str] = {}
    for fn in network.of(m.Function):
        role = _role_key(fn.role)
        if role is not None:
            role_of[fn.id] = role
            by_role.setdefault(role, set()).update(by_function.get(fn.id, ()))
    out = {fid: frozenset(kinds) for fid, kinds in by_function.items()}
    for fid, role in role_of.items():
        if by_role[role]:
            out[fid] = frozenset(by_role[role])
    return out


def _role_key(role: m.Ref | None) -> str | None:
    """The same role however functions name it (an id, or the same literal ARN); None when unknown."""
    if isinstance(role, m.External):
        return role.value
    if isinstance(role, m.Unknown) or not role:
        return None
    return str(role)


def _iam_needs(
    graph: Graph, grants: RoleGrants, mappings: frozenset[str], memo: IamNeedMemo
) -> tuple[list[Need], list[str]]:
    # Functions sharing a role and event sources share these needs.
    key = (grants.role, grants.known, mappings)
    cached = memo.get(key)
    if cached is None:
        cached = memo[key] = _role_needs(graph, grants, mappings)
    return list(cached[0]), cached[1]


def _role_needs(graph: Graph, grants: RoleGrants, mappings: frozenset[str]) -> tuple[list[Need], list[str]]:
    poller_only = set().union(*(aws.POLLER_ACTIONS.get(kind, set()) for kind in mappings)) if mappings else set()
    poller_lower = {a.lower() for a in poller_only}
    out: list[Need] = []
    # es:ESHttp* reach a domain inside the VPC when the source defines one (DESIGN decision 3).
    searchable = graph.objects("search_domain")
    for grant in grants.grants:
        for action in grant.actions:
            if action.lower() in poller_lower:
                continue
            service = service_for_action(action)
            if service is None:
                continue
            if service == "es" and searchable:
                out.extend(Need(f"tcp:443@{d}", "iam", f"{action} in {grant.source}") for d in searchable)
                continue
            out.append(Need(service, "iam", f"{action} in {grant.source}"))
    return out, grants.unknowns


def _env_needs(graph: Graph, fn: m.Function) -> list[Need]:
    out = []
    for name, value in sorted(fn.environment.items()):
        if isinstance(value, m.ResourceRef):
            target = graph.obj(value.id)
            if value.service:
                service = aws.normalise_service(value.service)
                out.append(Need(service, "env", f"environment variable {name} refers to {value.id}"))
            elif isinstance(target, m.PrivateTarget) and isinstance(target.port, int):
                out.append(
                    Need(f"tcp:{target.port}@{target.id}", "env", f"environment variable {name} refers to {value.id}")
                )
        elif isinstance(value, str):
            match = _AWS_HOST.match(value.strip())
            if not match or not value.lower().startswith("https://"):
                continue
            host = match.group("host").lower()
            if host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".aws")):
                host_service = service_of_host(host)
                if host_service:
                    out.append(
                        Need(aws.normalise_service(host_service), "env", f"environment variable {name} is an AWS URL")
                    )
            elif "." in host and not host.endswith((".internal", ".local", ".localhost")) and not is_ip_literal(host):
                out.append(Need("internet", "env", f"environment variable {name} is {match.group(0)}"))
    return out
