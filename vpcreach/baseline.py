"""Baselines: accept today's findings, fail only on new ones. Fingerprints ignore line numbers."""

from __future__ import annotations

import json

from vpcreach.analyzer.findings import Finding

BASELINE_VERSION = 1


def write_baseline(findings: list[Finding], path: str) -> None:
    entries = sorted(
        (
            {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "resource": f.resource, "file": f.file}
            for f in findings
        ),
        key=lambda e: (e["file"], e["rule_id"], e["resource"], e["fingerprint"]),
    )
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"version": BASELINE_VERSION, "findings": entries}, fh, indent=2)
        fh.write("\n")


def apply_baseline(findings: list[Finding], path: str) -> list[Finding]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        known = {e["fingerprint"] for e in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a vpcreach baseline ({type(exc).__name__})") from None
    return [f for f in findings if f.fingerprint not in known]
