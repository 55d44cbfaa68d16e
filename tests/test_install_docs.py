"""The README's install instructions name nothing that does not exist (issue 19: `rev: v0.1.0` named a tag
that was never made), and `python -m vpcreach` is the command."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_readme_pins_commits_not_tags_that_do_not_exist():
    readme = "\n".join(
        p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    )
    tags = set(subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True).stdout.split())
    pins = re.findall(r"vpcreach/vpcreach@([\w.]+)", readme)
    pins += re.findall(r"repo: https://github.com/vpcreach/vpcreach\n\s+rev: (\S+)", readme)
    assert len(pins) >= 4
    for pin in pins:
        assert pin == "COMMIT" or pin in tags, pin


def test_python_dash_m_vpcreach_is_the_command():
    done = subprocess.run([sys.executable, "-m", "vpcreach", "--version"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "vpcreach, version 0.1.0")
