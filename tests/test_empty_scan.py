"""A scan that checked nothing says so (issue 19): no input found, no Lambda function, no VPC-attached function
→ one note on stderr and the usual exit; `--fail-on-empty` (config `fail_on_empty`) makes it exit 2 for CI."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, run_cli

NO_FUNCTION = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"


@pytest.mark.parametrize(
    ("files", "note"),
    [
        (
            {},
            "no CloudFormation/SAM template, Serverless Framework service, CDK cloud assembly, Terraform root or plan found under {d}: nothing was checked",
        ),
        ({"t.yaml": NO_FUNCTION}, "no Lambda function in the 1 input(s) read under {d}: nothing was checked"),
    ],
)
def test_nothing_to_check_is_a_note_or_with_fail_on_empty_an_error(tmp_path, files, note):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    expected = note.format(d=tmp_path)
    code, out, err = run_cli("scan", str(tmp_path))
    assert (code, err) == (0, f"vpcreach: note: {expected}\n")
    assert out.strip() == "summary: 0 errors, 0 warnings, 0 infos"
    code, out, err = run_cli("scan", str(tmp_path), "--fail-on-empty")
    assert (code, out, err) == (2, "", f"vpcreach: error: {expected} (--fail-on-empty)\n")
    (tmp_path / ".vpcreach.toml").write_text("fail_on_empty = true\n")
    assert run_cli("scan", str(tmp_path))[0] == 2


def test_functions_outside_a_vpc_are_nothing_to_check():
    path = FIXTURES / "cfn" / "vr301_near_miss_no_vpc.yaml"
    code, _, err = run_cli("scan", str(path))
    assert (code, err) == (
        0,
        f"vpcreach: note: none of the 2 Lambda function(s) under {path} is attached to a VPC: nothing to check\n",
    )


def test_a_vpc_function_is_something_to_check():
    code, _, err = run_cli("scan", str(FIXTURES / "cfn" / "vr301_eni_groups.yaml"), "--fail-on-empty")
    assert code == 1 and "nothing" not in err


def test_fail_on_empty_must_be_a_boolean(tmp_path):
    (tmp_path / ".vpcreach.toml").write_text('fail_on_empty = "yes"\n')
    code, _, err = run_cli("scan", str(tmp_path))
    assert code == 2 and "fail_on_empty must be true or false, not 'yes'" in err


def test_a_function_reported_unknown_is_not_nothing_to_check():
    """A module not on disk that is handed subnets is a stand-in function reported as VR001: no "nothing" note."""
    code, _, err = run_cli("scan", str(FIXTURES / "terraform" / "vr001_module_not_on_disk"), "--fail-on-empty")
    assert (code, err) == (0, "")
