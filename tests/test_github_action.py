"""action.yml (composite GitHub Action): its run step, executed here with bash as the runner would, writes the
SARIF report, sets the exit-code output, and takes inputs as data, never as shell code. The runner itself
(setup-python, upload-sarif) cannot run here: those steps are only checked for shape."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def _step(name: str) -> dict:
    steps = ACTION["runs"]["steps"]
    return next(s for s in steps if s.get("name", "").startswith(name) or s.get("uses", "").startswith(name))


def _run(tmp_path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    step = _step("Run vpcreach")
    defaults = {k: v.get("default", "") for k, v in ACTION["inputs"].items()}
    values = {**defaults, **inputs}
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
    for var, expr in step["env"].items():
        env[var] = values[expr.split("inputs.", 1)[1].rstrip("} ").strip()]
    output = tmp_path / "github_output"
    output.write_text("")
    env["GITHUB_OUTPUT"] = str(output)
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    return done, dict(line.split("=", 1) for line in output.read_text().splitlines())


def test_the_scan_step_writes_sarif_and_the_exit_code(tmp_path):
    shutil.copy(FIXTURES / "cfn" / "example_private_nat.yaml", tmp_path / "template.yaml")
    done, outputs = _run(tmp_path, paths="template.yaml")
    assert done.returncode == 1 and outputs == {"exit-code": "1"}, done.stderr
    results = json.loads((tmp_path / "vpcreach.sarif").read_text())["runs"][0]["results"]
    assert "VR102" in {r["ruleId"] for r in results}
    assert "template.yaml:98: error VR102 public-subnet-function: " in done.stdout  # the log shows the text report


def test_inputs_are_data_not_shell(tmp_path):
    shutil.copy(FIXTURES / "integrations" / "clean_s3_gateway_endpoint.yaml", tmp_path / "t.yaml")
    done, outputs = _run(tmp_path, paths="t.yaml", args="--severity-threshold error $(touch pwned)")
    assert not (tmp_path / "pwned").exists()
    assert outputs == {"exit-code": "2"}  # "$(touch" is an unknown path, reported, not run
    assert "vpcreach: error: $(touch: no such file or directory" in done.stderr


def test_the_other_steps_install_this_commit_and_upload_the_report():
    assert "${GITHUB_ACTION_PATH}" in _step("Install vpcreach")["run"]
    upload = _step("github/codeql-action/upload-sarif")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif }}" and "inputs.upload" in upload["if"]
