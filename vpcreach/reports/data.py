"""The JSON output contract (DESIGN.md), built once from the analyses; other formats render it."""

from __future__ import annotations

from typing import Any

from vpcreach.analyzer.analysis import Analysis
from vpcreach.analyzer.findings import Finding
from vpcreach.parsers.errors import InputError

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


def to_dict(
    analyses: list[Analysis], findings: list[Finding] | None = None, problems: list[InputError] | None = None
) -> dict[str, Any]:
    sources: list[str] = []
    functions: list[dict] = []
    groups: list[dict] = []
    placements: list[dict] = []
    unknowns: list[dict] = []
    vpcs: list[dict] = []
    inputs: list[dict] = []
    all_findings: list[Finding] = []
    for a in analyses:
        sources.extend(a.network.sources)
        all_findings.extend(a.findings)
        uses = a.subnet_uses
        # Which input an ENI group or VPC entry comes from, and the file declaring its subnet or VPC (None when
        # it is defined outside the source): two templates that both call their VPC `Vpc` are told apart.
        source = ", ".join(a.network.sources)

        def declared_in(ref: object, a: Analysis = a) -> str | None:
            obj = a.graph.obj(ref)
            return obj.loc.file or None if obj is not None else None

        for fid, result in a.functions.items():
            fn = result.function
            if not fn.has_vpc_config and fn.managed_instances is None and result.compute is None:
                continue
            functions.append(
                {
                    "resource": fid,
                    "file": fn.loc.file,
                    "line": fn.loc.line,
                    "eni_group": ", ".join(result.groups),
                    "eni_groups": result.groups,
                    # The capacity provider or network connector whose placement it takes (DESIGN decision 11).
                    **({"compute": result.compute} if result.compute is not None else {}),
                    "needs": [
                        {
                            "target": nr.need.target,
                            "origin": nr.need.origin,
                            "detail": nr.need.detail,
                            # Where the evidence (`detail`) is, when it has a place of its own: a code line, a
                            # security-group rule (null for a declaration or an IAM action).
                            "evidence": {"file": nr.need.file, "line": nr.need.line} if nr.need.file else None,
                            "verdict": nr.verdict.status,
                            "via": [fid, *nr.verdict.hops],
                            "reason": nr.verdict.detail,
                            "nat": nr.verdict.nat,
                            "endpoint": nr.verdict.endpoint,
                            # Every blocking component of a blocked path, the first one included, with the
                            # rule it is reported under (DESIGN decision 14); empty unless blocked.
                            "blockers": [
                                {"component": b.component, "rule_id": rule_id, "reason": b.detail}
                                for rule_id, b in nr.blockers
                            ],
                        }
                        for nr in result.needs
                    ],
                    # A function with no known need: what it can reach (issue 16), else empty.
                    "reach": {
                        target: {"verdict": v.status, "via": [fid, *v.hops], "reason": v.detail}
                        for target, v in result.reach.items()
                    },
                }
            )
        for pid, c in sorted(a.compute.items()):
            placements.append(
                {
                    "resource": pid,
                    "kind": c.placement.compute_kind,
                    "source": source,
                    "file": c.placement.loc.file,
                    "line": c.placement.loc.line,
                    "groups": [
                        {
                            "id": gid,
                            "subnet": a.graph.eni_groups[gid].subnet,
                            "security_groups": list(a.graph.eni_groups[gid].security_groups),
                        }
                        for gid in c.groups
                    ],
                    "functions": c.functions,
                    "users": c.users,
                    # One address per instance (capacity provider) or ENI (connector); how many follows scaling.
                    "ip_addresses": None,
                    "internet": c.internet.status if c.internet is not None else None,
                }
            )
        for gid, group in sorted(a.graph.hyperplane_groups().items()):
            use = uses.get(group.subnet_ref) if isinstance(group.subnet_ref, str) else None
            groups.append(
                {
                    "id": gid,
                    "source": source,
                    "file": declared_in(group.subnet_ref),
                    "subnet": group.subnet,
                    "security_groups": list(group.security_groups),
                    "functions": group.functions,
                    # One address per Hyperplane ENI; more only past 65,000 connections [LNET].
                    "ip_addresses": 1,
                    "vpc": use.vpc if use else None,
                    "availability_zone": use.az if use else None,
                    "subnet_usable_addresses": use.usable if use else None,
                    "subnet_demand": use.demand if use else None,
                }
            )
        for vpc, vpc_uses in a.vpc_uses.items():
            enis = sum(len(u.groups) for u in vpc_uses)
            if enis:
                vpcs.append(
                    {
                        "vpc": vpc,
                        "source": source,
                        "file": declared_in(vpc),
                        "hyperplane_enis": enis,
                        "other_network_interfaces": sum(u.other for u in vpc_uses),
                        "eni_quota": a.options.eni_quota,
                    }
                )
        for resource, reason in a.network.unknowns:
            unknowns.append({"resource": resource, "reason": reason})
        # What the source reads from outside itself and the scan resolved, and where each value came from: a
        # snapshot file and line, samconfig.toml, a --param-file, --param, another template of the scan.
        for what, value, where in a.network.inputs:
            inputs.append({"source": source, "name": what, "value": value, "from": where})
    for f in all_findings:
        if f.rule_id == "VR001":
            unknowns.append({"resource": f.resource, "reason": f.message})
    chosen = findings if findings is not None else all_findings
    out = {
        "version": CONTRACT_VERSION,
        "sources": sources,
        "findings": [finding_dict(f) for f in chosen],
        "functions": functions,
        "eni_groups": groups,
        # Capacity providers (Lambda Managed Instances) and network connectors: compute placed as a group.
        "compute": placements,
        "vpcs": vpcs,
        "unknowns": unknowns,
        "inputs": inputs,
        # Inputs that could not be read (the exit code is then 2); the report covers the others.
        "errors": [{"file": p.file, "line": p.line, "message": p.message} for p in problems or []],
    }
    if any(a.options.mode == "plan" for a in analyses):
        out["changes"] = plan_changes(analyses)
    return out


# Lists of the plan-mode change summary (analyzer/changes.py); each entry gains the plan it came from.
CHANGE_LISTS = (
    "resources",
    "eni_groups_created",
    "eni_groups_removed",
    "functions",
    "deletions_in_use",
    "reachability",
)


def plan_changes(analyses: list[Analysis]) -> dict[str, Any]:
    """`vpcreach plan` only: what each plan changes, merged over the plans given."""
    merged: dict[str, Any] = {"counts": {}, **{key: [] for key in CHANGE_LISTS}}
    for a in analyses:
        if a.changes is None:
            continue
        summary = a.changes.summary()
        for action, n in summary.get("counts", {}).items():
            merged["counts"][action] = merged["counts"].get(action, 0) + n
        for key in CHANGE_LISTS:
            merged[key] += [{**entry, "source": summary.get("source", "")} for entry in summary.get(key, [])]
    return merged
