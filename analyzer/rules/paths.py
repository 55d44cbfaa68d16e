"""Need-scoped path rules: VR101, VR103–VR111 (DESIGN decision 1: only for needs some function has)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vpcreach.graph import aws

from .. import reach as r
from ..findings import Finding
from ..flows import BLOCKED
from .common import label, on_function

if TYPE_CHECKING:
    from ..analysis import Analysis, FunctionResult, NeedResult

_INTERNET = {
    r.SG_EGRESS: "VR104",
    r.NACL: "VR105",
    r.NO_ROUTE: "VR101",
    r.NAT_BROKEN: "VR103",
    r.DNS_DISABLED: "VR107",
    r.IPV6_DISABLED: "VR110",
}
_SERVICE = {
    r.SG_EGRESS: "VR104",
    r.NACL: "VR105",
    r.NO_ROUTE: "VR106",
    r.IGW_NO_PUBLIC_IP: "VR106",
    r.NAT_BROKEN: "VR103",
    r.ENDPOINT_SG: "VR108",
    r.DNS_DISABLED: "VR107",
}
_PRIVATE = {
    r.SG_EGRESS: "VR104",
    r.NACL: "VR105",
    r.TARGET_SG: "VR111",
    r.TARGET_ROUTE: "VR111",
}

_FIXES = {
    ("VR101", 4): "Add a 0.0.0.0/0 route to a NAT gateway (in a public subnet) to {rt}.",
    (
        "VR110",
        6,
    ): "Add a ::/0 route to an egress-only internet gateway to {rt}, and ::/0 egress to the function's security group.",
}


def _describe(need: str) -> str:
    if need == "internet":
        return "the internet (IPv4)"
    if need == "internet6":
        return "the internet over IPv6"
    if need.startswith("tcp:"):
        port, target = need[4:].split("@", 1)
        return f"{target} on TCP {port}"
    return f"the {need} API"


def need_path_findings(analysis: Analysis) -> list[Finding]:
    out: list[Finding] = []
    for result in analysis.vpc_functions():
        for nr in result.needs:
            finding = _blocked_finding(result, nr)
            if finding:
                out.append(finding)
    return out


def _blocked_finding(result: FunctionResult, nr: NeedResult) -> Finding | None:
    v = nr.verdict
    if v.status != BLOCKED:
        return None
    need = nr.need
    table = {"internet": _INTERNET, "service": _SERVICE, "private": _PRIVATE}[need.kind]
    rule_id = table.get(v.code)
    if rule_id is None and need.target == "internet6" and v.code in (r.NO_ROUTE, r.IGW_NO_PUBLIC_IP):
        rule_id = "VR110"
    if rule_id is None:
        return None  # IGW_NO_PUBLIC_IP on an internet need is VR102's (placement.py)
    fn = result.function
    if rule_id == "VR101" and need.target == "internet6":
        rule_id = "VR110"
    origin = f" (need from {need.origin}{': ' + need.detail if need.detail else ''})"
    message = f"{fn.id} cannot reach {_describe(need.target)}: {v.detail}{origin}"
    rt = v.component
    family = 6 if need.target == "internet6" else 4
    fix = _FIXES.get((rule_id, family), "").format(rt=label(rt))
    if rule_id == "VR106":
        fix = aws.endpoint_fix(need.target)
    return on_function(
        fn,
        rule_id,
        message,
        [fn.id, *map(label, v.hops)],
        key=need.target,
        fix=fix,
        evidence=v.evidence,
        need=need.target,
    )


def endpoint_findings(analysis: Analysis) -> list[Finding]:
    """VR107 for interface endpoints that default hostnames skip; VR109 for unrouted gateway endpoints."""
    out: list[Finding] = []
    for result in analysis.vpc_functions():
        fn = result.function
        for nr in result.needs:
            if nr.need.kind != "service":
                continue
            service = nr.need.target
            for gid in result.groups:
                walked = nr.groups[gid]
                for ep, reason in walked.dns_skipped:
                    # A service with no private DNS is used through the endpoint's own URL, set in the code.
                    no_dns = service in aws.NO_PRIVATE_DNS_SERVICES
                    route = (
                        "through NAT"
                        if nr.verdict.nat
                        else ("nowhere" if nr.verdict.status == BLOCKED else "elsewhere")
                    )
                    out.append(
                        on_function(
                            fn,
                            "VR107",
                            f"{fn.id} calls {service}, and interface endpoint {ep} serves it, but the default {service} "
                            f"hostname does not resolve to the endpoint ({reason}); the traffic goes {route}"
                            + (" unless the client's endpoint URL names the endpoint" if no_dns else ""),
                            [fn.id, gid, ep],
                            key=f"{service}|{ep}",
                            fix=(
                                f"Set the {service} client's endpoint URL to {ep}'s DNS name ({service} endpoints "
                                "have no private DNS)."
                                if no_dns
                                else ""
                            ),
                            eni_group=gid,
                        )
                    )
                if nr.verdict.endpoint is None:
                    for ep in walked.unrouted_gateways:
                        subnet = analysis.graph.eni_groups[gid].subnet
                        out.append(
                            on_function(
                                fn,
                                "VR109",
                                f"{fn.id} calls {service}; gateway endpoint {ep} exists in the VPC but is not on the route "
                                f"table of subnet {subnet}, so the traffic does not use it",
                                [fn.id, gid, subnet, ep],
                                key=f"{service}|{ep}",
                                fix=f"Add the route table of {subnet} to {ep}'s route tables.",
                                eni_group=gid,
                            )
                        )
    return out


CHECKS = [need_path_findings, endpoint_findings]
