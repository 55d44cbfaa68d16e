"""Needs nobody declared, read from what the source shows (issue 16): the file systems a function mounts, the
targets whose security groups admit it, the extension layers it runs, and what its code calls. Each keeps the
file and line of its evidence."""

from __future__ import annotations

import re

from vpcreach.graph import aws
from vpcreach.graph import model as m
from vpcreach.graph.build import Graph

from .need import Need, is_ip_literal, lambdas_own, service_of_host


def mount_needs(graph: Graph, fn: m.Function) -> list[Need]:
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
                if rule.synthetic or not _covers_port(rule, target.port):
                    continue  # a rule AWS adds by itself (a default group admitting itself) is no one's intent
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


def layer_needs(fn: m.Function) -> list[Need]:
    out = []
    for arn in fn.layers:
        if not isinstance(arn, str):
            continue
        for target, what in aws.layer_needs(arn):
            out.append(Need(target, "layer", f"layer {arn} ({what})", fn.loc.file, fn.loc.line))
    return out


def code_needs(graph: Graph, fn: m.Function) -> list[Need]:
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
            if lambdas_own(service):
                continue  # logs, xray: Lambda's own, not a need (DESIGN decision 3)
            out.append(Need(service, "code", where, ev.file, ev.line))
        elif ev.kind == "http":
            host = _host_of(ev.url)
            if host is None:
                continue
            if host.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws")):
                # An interpolated Region (`{api}.execute-api.{region}.amazonaws.com`) still names the service.
                named = service_of_host(host.replace(".{}.amazonaws.", ".us-east-1.amazonaws."))
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
    return service_of_host(host)


def _public_host(host: str) -> bool:
    """A host the internet serves: a dotted name outside the internal suffixes, or a public address. An
    interpolated host (`{}`) is not known to be public."""
    if "{}" in host:
        return False
    if is_ip_literal(host):
        import ipaddress

        try:
            return ipaddress.ip_address(host).is_global
        except ValueError:
            return False
    return "." in host and not host.endswith((".internal", ".local", ".localhost", ".lan", ".corp", ".home.arpa"))
