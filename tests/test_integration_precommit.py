"""The hooks in .pre-commit-hooks.yaml, driven by the real `pre-commit try-repo` against a copy of this checkout.

`try-repo` builds each hook environment in a fresh temporary store (`pip install` of the copied repo, with
pip's configured index), so every invocation costs a full install. The two invocations run concurrently,
and each covers as much as it can: the failing one runs every hook on a bad template and a Terraform
module, the passing one runs the template hook on a clean template and a non-template YAML file.
Set VPCREACH_SKIP_PRECOMMIT=1 to skip them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, run_cli

pytestmark = pytest.mark.slow  # the real pre-commit, installing the hooks in throwaway git repositories

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
# What pip needs to install the checkout; tests, fixtures and caches stay behind.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis", "build", "dist",
    "tests", "fixtures", "bench", "docs", "node_modules",
)  # fmt: skip


def _has_plan_command() -> bool:
    from vpcreach.cli import main

    return "plan" in main.commands


HAS_PLAN = _has_plan_command()


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=vpcreach-test", "-c", "user.email=test@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _hook_sections(output: str) -> dict[str, str]:
    """pre-commit's output cut per hook: the status line and whatever the hook printed after it."""
    sections: dict[str, str] = {}
    current = None
    for line in output.splitlines():
        if line.startswith("- hook id: "):
            current = line.removeprefix("- hook id: ").strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    assert PRE_COMMIT.exists(), "pre-commit is a test dependency (pip install -e '.[test]')"
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if os.environ.get("VPCREACH_SKIP_PRECOMMIT"):
        pytest.skip("VPCREACH_SKIP_PRECOMMIT is set")
    base = tmp_path_factory.mktemp("precommit")
    hook_repo = base / "hook-repo"
    shutil.copytree(ROOT, hook_repo, ignore=NOT_COPIED)
    _git(hook_repo, "init", "-q")
    _git(hook_repo, "add", "-A")
    _git(hook_repo, "commit", "-q", "-m", "checkout under test")

    user = base / "user-repo"
    (user / "bad").mkdir(parents=True)
    (user / "good").mkdir()
    shutil.copy(FIXTURES / "cfn" / "example_private_nat.yaml", user / "bad" / "template.yaml")
    shutil.copy(FIXTURES / "cfn" / "example_private_nat.yaml", user / "bad" / "stack.template")
    shutil.copy(FIXTURES / "integrations" / "clean_s3_gateway_endpoint.yaml", user / "good" / "template.yaml")
    (user / "ci.yml").write_text("name: ci\non: push\njobs: {}\n")  # YAML that is not a template
    shutil.copytree(FIXTURES / "integrations" / "terraform_ignore", user / "tf")
    (user / "tf" / "outputs.tf").write_text('output "function" {\n  value = aws_lambda_function.report.arn\n}\n')
    _git(user, "init", "-q")

    plan_files = []
    if HAS_PLAN:
        (user / "plan").mkdir()
        shutil.copy(FIXTURES / "tfplan" / "break_nat_route" / "plan.json", user / "plan" / "tfplan.json")
        plan_files = ["plan/tfplan.json"]
    _git(user, "add", "-A")

    # PIP_NO_COMPILE: byte-compiling sympy and friends is most of an install's time; imports compile anyway.
    env = {**os.environ, "PRE_COMMIT_HOME": str(base / "cache"), "NO_COLOR": "1", "PIP_NO_COMPILE": "1"}
    runs = {
        "fail": ["--files", "bad/template.yaml", "bad/stack.template", "tf/main.tf", "tf/outputs.tf", *plan_files],
        "pass": ["vpcreach", "--files", "good/template.yaml", "ci.yml"],
    }
    procs = {
        name: subprocess.Popen(
            [str(PRE_COMMIT), "try-repo", "--color", "never", str(hook_repo), *args],
            cwd=user,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, args in runs.items()
    }
    results = {}
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=1200)
        results[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, "")
    for result in results.values():
        if "An unexpected error has occurred" in result.stdout and "Installing environment" in result.stdout:
            tail = "\n".join(result.stdout.splitlines()[-15:])
            pytest.skip(f"pre-commit could not build the hook environment with pip's configured index:\n{tail}")
    return results


def test_hooks_file_declares_the_hooks_and_their_entries():
    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS_FILE.read_text())}
    assert set(hooks) == {"vpcreach", "vpcreach-terraform", "vpcreach-plan", "vpcreach-cfn-lint"}
    assert all(h["language"] == "python" for h in hooks.values())
    assert hooks["vpcreach"]["entry"] == "vpcreach scan --skip-non-templates"
    assert hooks["vpcreach-terraform"]["entry"] == "vpcreach scan"
    assert hooks["vpcreach-terraform"]["require_serial"] is True  # one invocation: each directory once
    assert hooks["vpcreach-plan"]["entry"] == "vpcreach plan"
    assert hooks["vpcreach-cfn-lint"]["entry"] == "cfn-lint --append-rules vpcreach.integrations.cfnlint_rules --"


def test_skip_non_templates_drops_other_yaml_and_json(tmp_path):
    (tmp_path / "ci.yml").write_text("name: ci\non: push\njobs: {}\n")
    (tmp_path / "package.json").write_text('{"name": "app", "dependencies": {}}\n')
    (tmp_path / "serverless.yml").write_text("resources:\n  Resources:\n    Q: {Type: AWS::SQS::Queue}\n")
    others = [str(tmp_path / n) for n in ("ci.yml", "package.json", "serverless.yml")]
    assert run_cli("scan", *others)[0] == 2  # named on the command line, a non-template is an error
    assert run_cli("scan", "--skip-non-templates", *others) == (0, "", "")
    code, out, _ = run_cli("scan", "--skip-non-templates", *others, str(FIXTURES / "cfn" / "example_private_nat.yaml"))
    assert code == 1 and "error VR102" in out and "ci.yml" not in out
    service = tmp_path / "svc" / "serverless.yml"  # a Serverless Framework service names no CloudFormation
    service.parent.mkdir()
    service.write_text(
        "service: s\nprovider: {name: aws}\nfunctions:\n  api:\n    handler: h.h\n"
        "    vpc: {subnetIds: [subnet-0aaa], securityGroupIds: [sg-0aaa]}\n"
    )
    code, out, _ = run_cli("scan", "--skip-non-templates", "--format", "json", *others, str(service))
    assert code in (0, 1) and [f["resource"] for f in json.loads(out)["functions"]] == ["ApiLambdaFunction"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  A: [\n")  # looks like a template, does not parse: still reported
    code, _, err = run_cli("scan", "--skip-non-templates", str(broken))
    assert code == 2 and "broken.yaml" in err


def test_template_hook_fails_on_a_finding(try_repo):
    result = try_repo["fail"]
    assert result.returncode == 1, result.stdout
    out = _hook_sections(result.stdout)["vpcreach"]
    assert "- exit code: 1" in out
    assert "bad/template.yaml:98: error VR102 public-subnet-function: " in out
    # CloudFormation's `.template` extension reaches the hook too (issue 19: `types_or` filtered it out).
    assert "bad/stack.template:98: error VR102 public-subnet-function: " in out


def test_template_hook_passes_on_a_clean_template_and_skips_other_yaml(try_repo):
    result = try_repo["pass"]
    assert result.returncode == 0, result.stdout
    assert "vpcreach (CloudFormation / SAM / Serverless Framework)" in result.stdout and "Passed" in result.stdout


def test_terraform_hook_analyses_the_changed_module_once(try_repo):
    out = _hook_sections(try_repo["fail"].stdout)["vpcreach-terraform"]
    assert "tf/main.tf:55: error VR102 public-subnet-function: " in out
    assert "suppressed (reports are batch jobs, one AZ is fine) VR302" in out
    assert out.count("summary: ") == 1  # two changed .tf files, one module, one analysis
    assert out.count("tf/main.tf:55: error VR102 public-subnet-function: ") == 1


def test_cfn_lint_hook_reports_vpcreach_rules(try_repo):
    out = _hook_sections(try_repo["fail"].stdout)["vpcreach-cfn-lint"]
    assert "E9102 ReportFunction is in subnet PublicSubnetA" in out
    assert "bad/template.yaml:98:3" in out
    assert "bad/stack.template:98:3" in out


@pytest.mark.skipif(not HAS_PLAN, reason="`vpcreach plan` does not exist yet (another engineer is writing it)")
def test_plan_hook_runs_vpcreach_plan(try_repo):
    out = try_repo["fail"].stdout
    status = next(line for line in out.splitlines() if line.startswith("vpcreach (Terraform plan JSON)"))
    assert status.endswith(("Passed", "Failed")), status
    if status.endswith("Failed"):
        assert "summary: " in _hook_sections(out)["vpcreach-plan"]


def test_hooks_without_matching_files_are_skipped(try_repo):
    out = try_repo["pass"].stdout
    assert "vpcreach-terraform" not in out  # only the named hook runs in the passing invocation
    if not HAS_PLAN:
        status = next(line for line in try_repo["fail"].stdout.splitlines() if "Terraform plan JSON" in line)
        assert status.endswith("Skipped")


def test_readme_snippet_names_hooks_that_exist():
    manual = (ROOT / "docs" / "integrations.md").read_text()
    section = manual.split("## pre-commit", 1)[1].split("\n## ", 1)[0]
    snippet = section.split("```yaml", 1)[1].split("```", 1)[0]
    config = yaml.safe_load(snippet)
    ours = {h["id"] for h in yaml.safe_load(HOOKS_FILE.read_text())}
    (repo,) = config["repos"]
    assert {h["id"] for h in repo["hooks"]} <= ours
    for hook_id in ours:
        assert f"`{hook_id}`" in section  # every hook is in the README's table
