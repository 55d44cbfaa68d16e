"""Need-scoped path rules: VR101, VR103–VR111 (DESIGN decision 1: only for needs some function has)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from vpcreach.graph import aws

from .. import reach as r
from ..catalogue import RULES
from ..findings import Finding
from ..flows import BLOCKED
from .common import label, on_function

if TYPE_CHECKING:
    from ..analysis import Analysis, FunctionResult, NeedResult
    from ..flows import Verdict
    from ..needs import Need

_INTERNET = {
    r.SG_EGRESS: "VR104",
    r.NACL: "VR105",
    r.NO_ROUTE: "VR101",
    r.NAT_BROKEN: "VR103",
    r.DNS_DISABLED: "VR107",
    r.IPV6_DISABLED: "VR110",
    r.BPA: "VR112",
}
_SERVICE = {
    r.SG_EGRESS: "VR104",
    r.NACL: "VR105",
    r.NO_ROUTE: "VR106",
    r.IGW_NO_PUBLIC_IP: "VR106",
    r.NAT_BROKEN: "VR103",
    r.ENDPOINT_SG: "VR108",
    r.DNS_DISABLED: "VR107",
    r.BPA: "VR112",
}
_PRIVATE = {
    r.SG_EGRESS: "VR104",
    r.NACL: "VR105",
    r.TARGET_SG: "VR111",
    r.TARGET_ROUTE: "VR111",
}

_BPA_FIX = (
    "Add a VPC Block Public Access exclusion (allow-egress or allow-bidirectional) for {rt} or its VPC, or switch Block "
    "Public Access to block-ingress."
)
_FIXES = {
    ("VR112", 4): _BPA_FIX,
    ("VR112", 6): _BPA_FIX,
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
            out.extend(_blocked_findings(result, nr))
    return out


def _rule_for(need: Need, v: Verdict) -> str | None:
    table = {"internet": _INTERNET, "service": _SERVICE, "private": _PRIVATE}[need.kind]
    rule_id = table.get(v.code)
    if need.target == "internet6" and (rule_id == "VR101" or (rule_id is None and v.code == r.IGW_NO_PUBLIC_IP)):
        rule_id = "VR110"
    return rule_id  # None: IGW_NO_PUBLIC_IP on an internet need is VR102's (placement.py)


def blockers(need: Need, v: Verdict) -> list[tuple[str, Verdict]]:
    """Every blocking component of a blocked need's path (DESIGN decision 14), in path order, with the rule it is
    reported under: one entry per (rule, component), the first the verdict itself. Several blocking hops at one
    component (a NAT instance without a public IP whose subnet has no route either) are one entry whose detail
    names each. Empty unless the verdict is BLOCKED. The JSON report's `blockers` reads this too."""
    if v.status != BLOCKED:
        return []
    found: dict[tuple[str, str], tuple[Verdict, list[str]]] = {}
    for b in [v, *v.also]:
        rule_id = _rule_for(need, b)
        if rule_id is None:
            continue
        entry = found.setdefault((rule_id, b.component), (b, []))
        if b.detail not in entry[1]:
            entry[1].append(b.detail)
    return [
        (rule_id, first if len(details) == 1 else dataclasses.replace(first, detail="; ".join(details)))
        for (rule_id, _), (first, details) in found.items()
    ]


def _blocked_findings(result: FunctionResult, nr: NeedResult) -> list[Finding]:
    """One finding per blocking component on the path (DESIGN decision 14), the first keyed by the need alone
    (its fingerprint predates decision 14), each further one by need and component; every finding of the path
    carries the fixes of all of them, so one round of fixes repairs the path."""
    v = nr.verdict
    need = nr.need
    family = 6 if need.target == "internet6" else 4
    found = nr.blockers
    keyed_by_need = _rule_for(need, v) is not None  # the verdict's own blocker comes first when it has a rule
    fixes = [
        aws.endpoint_fix(need.target)
        if rule_id == "VR106"
        else _FIXES.get((rule_id, family), "").format(rt=label(b.component)) or RULES[rule_id].fix
        for rule_id, b in found
    ]
    together = " ".join(dict.fromkeys(fixes)) if len(found) > 1 else ""
    fn = result.function
    origin = f" (need from {need.origin}{': ' + need.detail if need.detail else ''})"
    out = []
    for i, (rule_id, b) in enumerate(found):
        message = f"{fn.id} cannot reach {_describe(need.target)}: {b.detail}{origin}"
        if len(found) > 1:
            others = ", ".join(f"{label(o.component)} ({rid})" for j, (rid, o) in enumerate(found) if j != i)
            message += f"; the path is also blocked at {others}"
        out.append(
            on_function(
                fn,
                rule_id,
                message,
                [fn.id, *map(label, b.hops)],
                key=need.target if i == 0 and keyed_by_need else f"{need.target}|{b.component}",
                fix=together or fixes[i],
                evidence=b.evidence,
                need=need.target,
            )
        )
    return out


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
                        else (
                            "nowhere"
                            if nr.verdict.status == BLOCKED or nr.verdict.code == r.ENDPOINT_URL
                            else "elsewhere"
                        )
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
