"""Bad and hostile input through the CLI: exit 2, exactly one line on stderr naming the file, never a traceback.

DESIGN (Principles): "Bad input (malformed YAML/HCL/JSON, huge or hostile files) gets a clear error naming
the file and line, exit code 2, and never a traceback; safe YAML loading only."
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: !Select [0, !GetAZs ""]}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: fn, VpcId: !Ref Vpc}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: x
      VpcConfig: {SubnetIds: [!Ref SubnetA], SecurityGroupIds: [!Ref Sg]}
"""


def one_error_line(path: Path, *args: str) -> str:
    """Scan `path`; assert exit 2 and a single stderr line naming it; return that line."""
    code, out, err = run_cli("scan", str(path), *args)
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert lines[0].startswith(f"vpcreach: error: {path}"), lines[0]
    return lines[0]


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n   Properties: x\n  Queue:\n    Type: q\n")
    assert one_error_line(path) == f"vpcreach: error: {path}:4: invalid YAML/JSON: did not find expected key"


def test_malformed_json_names_file_and_line(tmp_path):
    path = tmp_path / "template.json"
    path.write_text(
        '{\n  "Resources": {\n    "Fn": {"Type": "AWS::Lambda::Function"}\n    "Q": {"Type": "AWS::SQS::Queue"}\n  }\n}\n'
    )
    assert one_error_line(path) == (f"vpcreach: error: {path}:4: invalid YAML/JSON: did not find expected ',' or '}}'")


def test_missing_path_is_a_usage_error(tmp_path):
    path = tmp_path / "nowhere.yaml"
    assert one_error_line(path) == f"vpcreach: error: {path}: no such file or directory"


def test_yaml_alias_bomb_is_refused(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert one_error_line(path) == (
        f"vpcreach: error: {path}: YAML aliases expand to more than a million nodes (alias bomb); refusing it"
    )


def test_alias_bomb_inside_a_template_is_refused(tmp_path):
    lines = ["Resources:", '  Fn: {Type: "AWS::Lambda::Function"}', 'x0: &x0 ["a","a","a","a","a","a","a","a","a","a"]']
    for i in range(1, 8):
        lines.append(f"x{i}: &x{i} [" + ",".join([f"*x{i - 1}"] * 10) + "]")
    path = tmp_path / "template.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert "alias bomb" in one_error_line(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep_object.json", '{"a": ' * 100_000 + "1" + "}" * 100_000),
        ("deep_flow.yaml", "{a: " * 100_000 + "1" + "}" * 100_000),
    ],
)
def test_nesting_100000_levels_deep_does_not_crash_the_process(tmp_path, name, text):
    # A separate process: libyaml recursing in C would kill the interpreter, not raise.
    path = tmp_path / name
    path.write_text(text + "\n")
    proc = subprocess.run(
        [sys.executable, "-m", "vpcreach.cli", "scan", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert proc.stderr.splitlines() == [
        f"vpcreach: error: {path}: nesting deeper than 200 levels; refusing to parse it"
    ]


def test_python_object_tag_is_rejected_and_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        f'    Properties: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    line = one_error_line(path)
    assert line == (
        f"vpcreach: error: {path}:4: invalid YAML/JSON: unsupported tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' (only safe YAML and CloudFormation tags are accepted)"
    )
    assert not marker.exists()


def test_random_bytes_are_refused(tmp_path):
    path = tmp_path / "random.yaml"
    path.write_bytes(random.Random(7).randbytes(4096))
    assert one_error_line(path) == f"vpcreach: error: {path}: binary file (contains NUL bytes), not a template"


def test_random_bytes_without_nul_are_refused(tmp_path):
    path = tmp_path / "random.json"
    path.write_bytes(bytes(b or 0xFF for b in random.Random(8).randbytes(4096)))
    line = one_error_line(path)
    assert line.startswith(f"vpcreach: error: {path}: not UTF-8 text (byte "), line


def test_empty_file_is_not_a_template(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("")
    assert one_error_line(path) == (
        f"vpcreach: error: {path}: not a CloudFormation/SAM template (no Resources with AWS:: types)"
    )


def test_yaml_list_is_not_a_template(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("- Resources\n- AWS::Lambda::Function\n")
    assert one_error_line(path) == (
        f"vpcreach: error: {path}: not a CloudFormation/SAM template (no Resources with AWS:: types)"
    )


def test_resources_that_are_not_a_mapping_are_not_a_template(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: 42\n")
    assert one_error_line(path).endswith("not a CloudFormation/SAM template (no Resources with AWS:: types)")


def test_template_over_5_mib_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("Resources: {}\n" + "# padding\n" * (550_000))
    assert one_error_line(path) == (
        f"vpcreach: error: {path}: file is larger than 5 MiB, five times the largest template CloudFormation "
        "accepts (1 MB); refusing to read it"
    )


def test_odd_but_valid_values_do_not_crash(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties:\n"
        "      Role: !Ref\n"
        "      Environment: {Variables: [1, 2]}\n"
        "      VpcConfig: {SubnetIds: !GetAZs, SecurityGroupIds: {Fn::Select: [x, [1]]}}\n"
        "  Sg:\n"
        "    Type: AWS::EC2::SecurityGroup\n"
        "    Properties: {SecurityGroupEgress: [{IpProtocol: tcp, FromPort: x, ToPort: [], CidrIp: 300.0.0.0/0}]}\n"
        "  Rt:\n"
        "    Type: AWS::EC2::Route\n"
        "    Properties: {RouteTableId: 7, DestinationCidrBlock: not-a-cidr}\n"
    )
    code, out, err = run_cli("scan", str(path), "--format", "json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["sources"] == [str(path)]
    # Nothing could be resolved, so nothing is claimed: every finding is VR001 on the function.
    assert {(f["rule_id"], f["resource"]) for f in report["findings"]} == {("VR001", "Fn")}


def test_directory_scan_skips_non_template_yaml_and_json(tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    (tmp_path / "package.json").write_text('{"name": "app", "version": "1.0.0"}\n')
    (tmp_path / "broken-notes.yaml").write_text("key: [unclosed\n")
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "settings.json").write_text("[1, 2, 3]\n")
    code, out, err = run_cli("scan", str(tmp_path), "--format", "json")
    assert err == ""
    assert code == 1
    report = json.loads(out)
    assert report["sources"] == [str(tmp_path / "template.yaml")]
    assert [f["resource"] for f in report["functions"]] == ["Fn"]


def test_directory_scan_still_reports_a_broken_template(tmp_path):
    (tmp_path / "good.yaml").write_text(TEMPLATE)
    broken = tmp_path / "zz-broken.yaml"
    broken.write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Fn: {Type: [\n')
    line = one_error_line_dir(tmp_path)
    assert line.startswith(f"vpcreach: error: {broken}:"), line


def one_error_line_dir(directory: Path) -> str:
    code, out, err = run_cli("scan", str(directory))
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]
