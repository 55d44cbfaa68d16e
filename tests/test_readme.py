"""The README stays true to the code: its rule table and example output are what the code produces; it is a
short page for users (issue 19: at most ~12 KB) whose links into docs/ all lead somewhere, and the manual's
examples are what the code prints."""

import re
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text()
DOCS = sorted((ROOT / "docs").glob("*.md"))


def test_rule_table_is_the_catalogue():
    code, out, _ = run_cli("rules", "--format", "markdown")
    assert code == 0
    assert out.strip() in README


@pytest.mark.parametrize(
    ("page", "args"),
    [
        ("README.md", ()),
        ("docs/usage.md", ()),
        ("docs/usage.md", ("--explain",)),
    ],
)
def test_example_output_matches_the_bundled_example(monkeypatch, page, args):
    monkeypatch.chdir(ROOT)
    text = (ROOT / page).read_text()
    command = " ".join(("vpcreach scan", *args, "fixtures/cfn/example_private_nat.yaml"))
    block = re.search(re.escape(f"$ {command}") + r"\n(.*?)\n```", text, re.S)
    assert block, f"{page} lost its example output of {command}"
    code, out, _ = run_cli("scan", "--no-color", *args, "fixtures/cfn/example_private_nat.yaml")
    assert code == 1
    assert out.rstrip() == block.group(1).rstrip()


def test_readme_is_short_and_the_manual_is_in_docs():
    assert len(README.encode()) <= 12 * 1024
    for page in ("usage", "rules", "how-it-works", "cloudformation", "terraform", "plan-checker"):
        assert f"](docs/{page}.md)" in README, page
    for page in ("configuration", "integrations", "pictures", "limits", "speed"):
        assert f"](docs/{page}.md)" in README, page


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but - and _ dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    text = page.read_text()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL: not checked here (no network)
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), (page.name, target)
        if anchor and linked.suffix == ".md":
            headings = {_anchor(h) for h in re.findall(r"(?m)^#+ (.*)$", linked.read_text())}
            assert anchor in headings, (page.name, target)


def test_readme_pre_commit_snippet_names_hooks_that_exist():
    snippet = README.split("**pre-commit**", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    ours = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    (repo,) = yaml.safe_load(snippet)["repos"]
    assert {h["id"] for h in repo["hooks"]} <= ours


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
