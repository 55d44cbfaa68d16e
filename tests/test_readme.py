"""The README stays true to the code: its rule table and example output are what the code produces."""

import re
import subprocess
import sys

from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text()


def test_rule_table_is_the_catalogue():
    code, out, _ = run_cli("rules", "--format", "markdown")
    assert code == 0
    assert out.strip() in README


def test_example_output_matches_the_bundled_example(monkeypatch):
    monkeypatch.chdir(ROOT)
    block = re.search(r"\$ vpcreach scan fixtures/cfn/example_private_nat.yaml\n(.*?)\n```", README, re.S)
    assert block, "README lost its example output"
    code, out, _ = run_cli("scan", "--no-color", "fixtures/cfn/example_private_nat.yaml")
    assert code == 1
    assert out.rstrip() == block.group(1).rstrip()


def test_quick_start_has_exactly_two_command_lines_and_ci_runs_the_second():
    section = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line for line in section.strip().splitlines() if line.strip()]
    assert len(lines) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    assert lines[1] in ci


def test_version_starts_without_heavy_imports():
    # `vpcreach --version` runs on every pre-commit invocation: it must not import networkx or cfn-lint.
    code = "import sys, vpcreach.cli; print(sorted(m for m in ('networkx', 'cfnlint', 'hcl2', 'yaml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
