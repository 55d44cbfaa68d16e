"""GitLab Code Quality: the subset of the Code Climate issue format GitLab's merge-request widget reads.

Each issue has `description`, `check_name`, `fingerprint` (unique per issue: GitLab shows one issue per
fingerprint), `severity` (info, minor, major, critical or blocker) and `location` (`path` relative to the
repository root, `lines.begin`), as GitLab documents the report (docs.gitlab.com/ci/testing/code_quality/,
"Code Quality report format").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from vpcreach.analyzer.findings import Finding

# vpcreach's error means the deploy or the function fails; a warning costs money or resilience.
SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def to_codeclimate(findings: list[Finding]) -> list[dict[str, Any]]:
    root = os.getcwd()
    return [_issue(f, root) for f in findings if f.suppressed is None]


def _issue(f: Finding, root: str) -> dict[str, Any]:
    path = os.path.relpath(os.path.abspath(f.file), root)
    if path.startswith(os.pardir):
        path = os.path.abspath(f.file)  # outside the working directory: GitLab cannot place it, but it is shown
    description = f"{f.rule_id} {f.name}: {f.message}"
    if f.severity != "info" and f.fix:
        description += f" — Fix: {f.fix}"
    return {
        "type": "issue",
        "description": description,
        "check_name": f"vpcreach/{f.rule_id}",
        "fingerprint": f.fingerprint,
        "severity": SEVERITY[f.severity],
        "categories": ["Bug Risk"],
        "location": {"path": Path(path).as_posix(), "lines": {"begin": f.line or 1}},
    }
