"""Baselines: accept today's findings, fail only on new ones.

A baseline entry is (file, fingerprint). The fingerprint (`Finding.fingerprint`) is rule, file name,
resource and key, never the line, so inserting lines above a resource keeps the finding baselined. The
file is stored relative to the baseline file's directory and is part of the match because SAM projects
all call their template `template.yaml`: without it, baselining `HelloFunction` in one service would hide
the same finding in every other service of a monorepo.
"""

from __future__ import annotations

import json
import os

from vpcreach.analyzer.findings import Finding

BASELINE_VERSION = 1


def _relative(file: str, base_dir: str) -> str:
    if not file:
        return ""
    return os.path.relpath(os.path.abspath(file), base_dir).replace(os.sep, "/")


def write_baseline(findings: list[Finding], path: str) -> None:
    """Record the active findings; suppressed ones are already accepted where they are written."""
    base_dir = os.path.dirname(os.path.abspath(path))
    entries = sorted(
        (
            {
                "file": _relative(f.file, base_dir),
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,  # rule and resource are for the reader of the file; matching ignores them
                "resource": f.resource,
            }
            for f in findings
            if f.suppressed is None
        ),
        key=lambda e: (e["file"], e["rule_id"], e["resource"], e["fingerprint"]),
    )
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"version": BASELINE_VERSION, "findings": entries}, fh, indent=2)
        fh.write("\n")


def apply_baseline(findings: list[Finding], path: str) -> list[Finding]:
    """The findings not recorded in the baseline. Raises ValueError for a file that is not a baseline."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        version = data["version"]
        known = {(e.get("file"), e["fingerprint"]) for e in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a vpcreach baseline ({type(exc).__name__})") from None
    if version != BASELINE_VERSION:
        raise ValueError(f"{path}: baseline version {version!r} is not supported (expected {BASELINE_VERSION})")
    base_dir = os.path.dirname(os.path.abspath(path))
    # An entry without a file (written by hand) accepts the fingerprint in any file.
    return [
        f
        for f in findings
        if (_relative(f.file, base_dir), f.fingerprint) not in known and (None, f.fingerprint) not in known
    ]
