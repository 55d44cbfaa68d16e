"""Annotations that would do nothing are said (issue 16): a need name that is not a need is an error naming the
file and line (exit 2), a misspelt, malformed or detached annotation is a warning naming its line, and a config
key that names no function of a whole-folder scan is a warning."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, run_cli

EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"
TF_EXAMPLE = FIXTURES / "terraform" / "example_private_nat"


def _template(tmp_path: Path, metadata: str) -> Path:
    text = EXAMPLE.read_text()
    old = "      vpcreach:\n        needs: [internet, s3]\n"
    assert old in text
    path = tmp_path / "template.yaml"
    path.write_text(text.replace(old, metadata, 1))
    return path


def test_a_misspelt_need_in_metadata_is_one_error_line(tmp_path):
    path = _template(tmp_path, "      vpcreach:\n        needs: [internt, s3]\n")
    code, out, err = run_cli("scan", str(path))
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"vpcreach: error: {path}:")
    assert line.endswith(
        "ApiFunction: Metadata vpcreach.needs: 'internt' is not internet, internet6, tcp:PORT@TARGET or an AWS "
        "service's endpoint name; did you mean internet?"
    )


def test_a_misspelt_metadata_key_is_a_warning(tmp_path):
    path = _template(tmp_path, "      vpcreach:\n        need: [internet, s3]\n")
    code, _, err = run_cli("scan", "--format", "json", str(path))
    assert code == 1
    assert "ApiFunction: Metadata vpcreach key 'need' is not one of needs, ignore, traffic; it is ignored" in err
    path = _template(tmp_path, "      vpcrech:\n        needs: [internet, s3]\n")
    _, _, err = run_cli("scan", "--format", "json", str(path))
    assert "ApiFunction: Metadata key 'vpcrech' is not vpcreach; it is ignored" in err


def _terraform(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "tf"
    shutil.copytree(TF_EXAMPLE, root)
    main = root / "main.tf"
    text = main.read_text()
    assert old in text, old
    main.write_text(text.replace(old, new, 1))
    return main


def test_a_misspelt_need_in_a_terraform_comment_is_one_error_line(tmp_path):
    main = _terraform(tmp_path, "# vpcreach:needs=internet,s3", "# vpcreach:needs=internet,sqss")
    code, out, err = run_cli("scan", str(main.parent))
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"vpcreach: error: {main}:")
    assert "aws_lambda_function.api_function: vpcreach:needs: 'sqss' is not internet" in line
    assert line.endswith("did you mean sqs?")


def test_malformed_and_detached_terraform_annotations_are_warnings(tmp_path):
    main = _terraform(tmp_path, "# vpcreach:needs=internet,s3", "# vpcreach:need=internet,s3")
    _, _, err = run_cli("scan", "--format", "json", str(main.parent))
    lines = main.read_text().splitlines()
    at = lines.index("# vpcreach:need=internet,s3") + 1
    assert (
        f"vpcreach: warning: {main}:{at}: 'vpcreach:need=internet,s3' is not a vpcreach annotation "
        "(vpcreach:needs=, vpcreach:ignore=, vpcreach:traffic=)"
    ) in err.splitlines()
    main = _terraform(tmp_path / "b", "# vpcreach:needs=internet,s3", "# vpcreach:needs=internet,s3\n")
    _, _, err = run_cli("scan", "--format", "json", str(main.parent))
    at = main.read_text().splitlines().index("# vpcreach:needs=internet,s3") + 1
    assert f"{main}:{at}: this vpcreach annotation is not directly above a resource" in err


def test_a_misspelt_need_in_the_config_is_an_error(tmp_path):
    path = _template(tmp_path, "")
    (tmp_path / ".vpcreach.toml").write_text('needs = { ApiFunction = ["sqs", "secretmanager"] }\n')
    code, out, err = run_cli("scan", str(path))
    assert (code, out) == (2, "")
    assert "needs.ApiFunction: 'secretmanager' is not internet" in err and "did you mean secretsmanager?" in err


def test_config_keys_that_name_no_function_are_warnings_on_a_folder_scan(tmp_path):
    path = _template(tmp_path, "")
    config = tmp_path / ".vpcreach.toml"
    config.write_text('needs = { ApiFunktion = ["sqs"], "Report*" = ["s3"] }\ntraffic = { Nobody = { s3 = 5 } }\n')
    _, _, err = run_cli("scan", "--format", "json", str(tmp_path))
    assert f"vpcreach: warning: {config}: needs.ApiFunktion matches no function of this scan, so it does nothing" in err
    assert f"{config}: traffic.Nobody matches no function of this scan" in err
    assert "Report*" not in err  # the glob matches ReportFunction
    # Scanning one file (a pre-commit run) does not see every function the config names: no warning.
    _, _, err = run_cli("scan", "--format", "json", str(path))
    assert "matches no function" not in err


def test_plan_mode_shows_the_tag_syntax_for_declaring_needs():
    """A plan keeps tags but not comments: its hint is the tag, not Metadata or a comment."""
    code, out, _ = run_cli("plan", "--no-color", str(FIXTURES / "tfplan" / "role_without_name" / "plan.json"))
    assert code in (0, 1)
    hint = '(declare them with the tag "vpcreach:needs" = "internet,s3" (plan JSON keeps tags, not comments), or the config)'
    assert any(line.endswith(hint) for line in out.splitlines()), out
    assert "Metadata" not in out
