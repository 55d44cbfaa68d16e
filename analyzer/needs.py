"""What each function must reach, and where each need comes from (declared / iam / env / config).

A need is written the same way wherever it comes from: `internet`, `internet6`, an AWS service by its
endpoint service name (`s3`, `sqs`, `secretsmanager`, ...), or a private target `tcp:PORT@RESOURCE`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.build import Graph

from .iam import RoleGrants
from .iam_tables import NOT_NEEDS

_IMAGE_PULL = frozenset(a.lower() for a in aws.IMAGE_PULL_ACTIONS)
_PRIVATE = re.compile(r"^tcp:(?P<port>\d+)@(?P<target>.+)$")
_AWS_HOST = re.compile(r"^https?://(?P<host>[^/:]+)", re.I)


@dataclass(frozen=True)
class Need:
    target: str
    origin: str  # declared | config | iam | env | mount | peer | layer | code | dual-stack
    detail: str = ""  # the text that produced it
    # Where its evidence is, when it has a place of its own (a code line, a security-group rule, the function).
    file: str | None = None
    line: int | None = None

    @property
    def kind(self) -> str:
        if self.target in ("internet", "internet6"):
            return "internet"
        if _PRIVATE.match(self.target):
            return "private"
        return "service"

    @property
    def private(self) -> tuple[int, str] | None:
        match = _PRIVATE.match(self.target)
        return (int(match.group("port")), match.group("target")) if match else None


def normalise(target: str) -> str:
    text = target.strip()
    lowered = text.lower()
    if lowered in ("internet", "internet4", "internet6"):
        return "internet" if lowered != "internet6" else "internet6"
    if _PRIVATE.match(text):
        return text
    return aws.normalise_service(text)


def service_for_action(action: str) -> str | None:
    """`s3:GetObject` → s3, `dynamodb:GetRecords` → dynamodb-streams; not-needs (logs, xray, ENI
    management, Describe, image pull, bare *) → None."""
    if ":" not in action:
        return None
    prefix, name = action.split(":", 1)
    prefix = prefix.lower()
    if prefix in NOT_NEEDS or action in NOT_NEEDS or "*" in prefix or "?" in prefix:
        return None
    if action.lower() in _IMAGE_PULL:
        return None  # Lambda pulls the container image with these, not the code (DESIGN decision 3)
    special = aws.service_of_action(action)
    if special:
        return special
    if prefix == "ec2":
        # EC2 network-interface management and Describe* serve Lambda's own ENI handling (DESIGN decision 3).
        lowered = name.lower()
        if (
            "networkinterface" in lowered
            or "privateipaddresses" in lowered
            or lowered.startswith("describe")
            or lowered == "*"
        ):
            return None
    if prefix == "sts" and name.lower() in ("getcalleridentity",):
        return "sts"
    return aws.normalise_service(prefix)


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
    mounted = _mount_needs(graph, fn)
    if mounted:
        # EFS client actions are how the mount is authorised, not a call to the EFS API (DESIGN decision 3).
        needs = [n for n in needs if not (n.origin == "iam" and n.target == "elasticfilesystem")]
    needs.extend(mounted)
    needs.extend(peers.get(fn.id, []) if peers else [])
    needs.extend(_layer_needs(fn))
    needs.extend(_code_needs(graph, fn))
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
                host_service = _service_of_host(host)
                if host_service:
                    out.append(
                        Need(aws.normalise_service(host_service), "env", f"environment variable {name} is an AWS URL")
                    )
            elif "." in host and not host.endswith((".internal", ".local", ".localhost")) and not _is_ip_literal(host):
                out.append(Need("internet", "env", f"environment variable {name} is {match.group(0)}"))
    return out


def _service_of_host(host: str) -> str | None:
    """`bucket.s3.eu-west-1.amazonaws.com` → s3, `abc.execute-api.us-east-1.amazonaws.com` → execute-api."""
    labels = host.removesuffix(".cn").removesuffix(".com").removesuffix(".amazonaws").split(".")
    for i, label in enumerate(labels):
        if aws.REGION_NAME.match(label):
            return aws.service_of_host_labels(labels[:i]) or (labels[i - 1] if i > 0 else None)
    last = labels[-1] if labels else ""
    if last.startswith("s3-website") or last.startswith("vpce-"):
        return None
    return last or None


def _is_ip_literal(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+", host))


def _mount_needs(graph: Graph, fn: m.Function) -> list[Need]:
    """FileSystemConfigs: NFS to each mounted file system, through its mount targets (DESIGN decision 3)."""
    out = []
    for ref in fn.file_systems:
        if isinstance(ref, str) and isinstance(graph.obj(ref), m.PrivateTarget):
            out.append(
                Need(f"tcp:{aws.NFS_PORT}@{ref}", "mount", f"FileSystemConfigs mounts {ref}", fn.loc.file, fn.loc.line)
            )
        elif isinstance(ref, m.External):
            # A file system outside the source: its mount targets cannot be checked, so the need is kept as a
            # target the walk reports unknown (VR001), never dropped.
            out.append(
                Need(
                    f"tcp:{aws.NFS_PORT}@{ref.value}",
                    "mount",
                    "FileSystemConfigs mounts a file system defined outside the source",
                    fn.loc.file,
                    fn.loc.line,
                )
            )
        elif isinstance(ref, m.Unknown):
            # The mount is certain, the file system is not: the need stays, its walk is unknown (VR001).
            out.append(
                Need(
                    f"tcp:{aws.NFS_PORT}@unresolved:{ref.reason}",
                    "mount",
                    f"FileSystemConfigs mounts a file system that could not be resolved: {ref.reason}",
                    fn.loc.file,
                    fn.loc.line,
                )
            )
    return out


def peer_needs(graph: Graph, network: m.Network) -> dict[str, list[Need]]:
    """Function id → the private targets whose security groups admit it by name (one of its security groups)
    or by one of its subnets' CIDR blocks, on the target's port: a rule written for the function is evidence
    that it talks to the target. A rule from 0.0.0.0/0, or from a range wider than a subnet of the function
    (the whole VPC), says nothing about this function and is not used. Computed once per run."""
    admitted_sg: dict[str, list[tuple[m.PrivateTarget, m.SgRule, str]]] = {}
    admitted_cidr: list[tuple[str, m.PrivateTarget, m.SgRule, str]] = []
    for target in network.of(m.PrivateTarget):
        if not isinstance(target.port, int):
            continue
        for sg_ref in target.security_groups:
            sg = graph.obj(sg_ref)
            if not isinstance(sg, m.SecurityGroup):
                continue
            for rule in sg.ingress:
                if not _covers_port(rule, target.port):
                    continue
                if rule.peer_kind == "sg" and isinstance(rule.peer, str):
                    admitted_sg.setdefault(rule.peer, []).append((target, rule, sg.id))
                elif rule.peer_kind == "cidr4" and isinstance(rule.peer, str) and rule.peer not in ("0.0.0.0/0",):
                    admitted_cidr.append((rule.peer, target, rule, sg.id))
    out: dict[str, list[Need]] = {}
    if not admitted_sg and not admitted_cidr:
        return out
    for fn in network.of(m.Function):
        if not fn.has_vpc_config:
            continue
        found: list[Need] = []
        sgs = fn.security_groups if isinstance(fn.security_groups, list) else []
        for sg_ref in sgs:
            for target, rule, sg_id in admitted_sg.get(sg_ref, []) if isinstance(sg_ref, str) else []:
                found.append(_peer_need(target, rule, f"{sg_id} admits {sg_ref} on tcp/{target.port}"))
        subnets = fn.subnets if isinstance(fn.subnets, list) else []
        cidrs = {graph.obj(s).cidr_v4 for s in subnets if isinstance(graph.obj(s), m.Subnet)}  # type: ignore[union-attr]
        for cidr, target, rule, sg_id in admitted_cidr:
            if cidr in cidrs:
                found.append(
                    _peer_need(target, rule, f"{sg_id} admits {cidr}, a subnet of the function, on tcp/{target.port}")
                )
        if found:
            out[fn.id] = found
    return out


def _peer_need(target: m.PrivateTarget, rule: m.SgRule, text: str) -> Need:
    return Need(f"tcp:{target.port}@{target.id}", "peer", text, rule.loc.file or target.loc.file, rule.loc.line)


def _covers_port(rule: m.SgRule, port: int) -> bool:
    if rule.protocol in ("-1", "all"):
        return True
    if rule.protocol not in ("tcp", "6"):
        return False
    low, high = rule.from_port, rule.to_port
    return isinstance(low, int) and isinstance(high, int) and low <= port <= high


def _layer_needs(fn: m.Function) -> list[Need]:
    out = []
    for arn in fn.layers:
        if not isinstance(arn, str):
            continue
        for target, what in aws.layer_needs(arn):
            out.append(Need(target, "layer", f"layer {arn} ({what})", fn.loc.file, fn.loc.line))
    return out


def _code_needs(graph: Graph, fn: m.Function) -> list[Need]:
    """What the function's code calls (parsers/code): an SDK client → that service's endpoint name; a client
    with an explicit endpoint → the endpoint's service; an HTTP call to a public host → internet. A host
    that is an address in a private range, or an internal name, is not an internet need."""
    out = []
    for ev in fn.code_evidence:
        where = f"{ev.text}"
        if ev.kind in ("sdk", "endpoint"):
            service = aws.normalise_service(ev.service)
            if ev.kind == "endpoint":
                host_service = _service_of_url(ev.url)
                if host_service is None:
                    continue  # an endpoint inside the network (a VPC endpoint's DNS name, localhost)
                service = host_service
            if service_for_action(f"{service}:x") is None:
                continue  # logs, xray: Lambda's own, not a need (DESIGN decision 3)
            out.append(Need(service, "code", where, ev.file, ev.line))
        elif ev.kind == "http":
            host = _host_of(ev.url)
            if host is None:
                continue
            if host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")):
                # An interpolated Region (`{api}.execute-api.{region}.amazonaws.com`) still names the service.
                named = _service_of_host(host.replace(".{}.amazonaws.", ".us-east-1.amazonaws."))
                if named and aws.need_problem(named) is None:
                    out.append(Need(aws.normalise_service(named), "code", where, ev.file, ev.line))
                elif "{}" not in host:
                    # An AWS-run host that is no service endpoint (checkip.amazonaws.com) is on the internet.
                    out.append(Need("internet", "code", where, ev.file, ev.line))
            elif _public_host(host):
                out.append(Need("internet", "code", where, ev.file, ev.line))
    return out


_URL_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?P<host>[^/:?#\s]+)", re.I)


def _host_of(url: str) -> str | None:
    match = _URL_HOST.match(url.strip())
    if not match:
        return None
    host = match.group("host").lower()
    return host if host and host != "{}" else None


def _service_of_url(url: str) -> str | None:
    host = _host_of(url)
    if host is None or not host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")) or ".vpce." in host:
        return None
    return _service_of_host(host)


def _public_host(host: str) -> bool:
    """A host the internet serves: a dotted name outside the internal suffixes, or a public address. An
    interpolated host (`{}`) is not known to be public."""
    if "{}" in host:
        return False
    if _is_ip_literal(host):
        import ipaddress

        try:
            return ipaddress.ip_address(host).is_global
        except ValueError:
            return False
    return "." in host and not host.endswith((".internal", ".local", ".localhost", ".lan", ".corp", ".home.arpa"))
