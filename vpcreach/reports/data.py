"""The JSON output contract (DESIGN.md), built once from the analyses; other formats render it."""

from __future__ import annotations

from typing import Any

from vpcreach.analyzer.engine import Analysis
from vpcreach.analyzer.findings import Finding
from vpcreach.analyzer.rules.capacity import subnet_demand, usable_addresses
from vpcreach.graph import model as m

CONTRACT_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "name": f.name,
        "severity": f.severity,
        "resource": f.resource,
        "file": f.file,
        "line": f.line,
        "message": f.message,
        "path": f.path,
        "fix": f.fix,
        "suppressed": f.suppressed,
        "fingerprint": f.fingerprint,
    }


def to_dict(analyses: list[Analysis], findings: list[Finding] | None = None) -> dict[str, Any]:
    sources: list[str] = []
    functions: list[dict] = []
    groups: list[dict] = []
    unknowns: list[dict] = []
    all_findings: list[Finding] = []
    for a in analyses:
        sources.extend(a.network.sources)
        all_findings.extend(a.findings)
        demand = subnet_demand(a)
        for fid, result in a.functions.items():
            fn = result.function
            if not fn.has_vpc_config and fn.managed_instances is None:
                continue
            functions.append(
                {
                    "resource": fid,
                    "file": fn.loc.file,
                    "line": fn.loc.line,
                    "eni_group": ", ".join(result.groups),
                    "eni_groups": result.groups,
                    "needs": [
                        {
                            "target": nr.need.target,
                            "origin": nr.need.origin,
                            "detail": nr.need.detail,
                            "verdict": nr.verdict.status,
                            "via": [fid, *nr.verdict.hops],
                            "reason": nr.verdict.detail,
                            "nat": nr.verdict.nat,
                            "endpoint": nr.verdict.endpoint,
                        }
                        for nr in result.needs
                    ],
                }
            )
        for gid, group in sorted(a.graph.eni_groups.items()):
            subnet = a.graph.obj(group.subnet_ref)
            entry: dict[str, Any] = {
                "id": gid,
                "subnet": group.subnet,
                "security_groups": list(group.security_groups),
                "functions": group.functions,
                "ip_addresses": 1,
            }
            if isinstance(subnet, m.Subnet):
                d = demand.get(subnet.id, {})
                entry.update(
                    {
                        "vpc": subnet.vpc if isinstance(subnet.vpc, str) else None,
                        "availability_zone": subnet.az if isinstance(subnet.az, str) else None,
                        "subnet_usable_addresses": usable_addresses(subnet),
                        "subnet_demand": d.get("hyperplane_enis", 0) + d.get("other", 0),
                    }
                )
            groups.append(entry)
        for resource, reason in a.network.unknowns:
            unknowns.append({"resource": resource, "reason": reason})
    for f in all_findings:
        if f.rule_id == "VR001":
            unknowns.append({"resource": f.resource, "reason": f.message})
    chosen = findings if findings is not None else all_findings
    return {
        "version": CONTRACT_VERSION,
        "sources": sources,
        "findings": [finding_dict(f) for f in chosen],
        "functions": functions,
        "eni_groups": groups,
        "unknowns": unknowns,
    }
