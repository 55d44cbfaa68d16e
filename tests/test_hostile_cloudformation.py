"""Hostile CloudFormation templates (issue 12): one line and exit 2, or an explicit Unknown; never a
traceback, never a hang, never a loop that silently vanishes.

Each test failed before the fix it exercises, except the few marked as guards (what a fix must not refuse).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli, scan_json
from vpcreach.parsers.errors import InputError

# Time bounds below are CPU seconds of this process (the scans run in it): a loaded CI machine stretches wall
# time, not the work done. They only guard against a hang; bench figures are wall time on an idle machine.
HEAD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
FUNCTION = """\
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}
"""


def one_line(path: Path, *args: str) -> str:
    """Scan `path`: exit 2 and exactly one stderr line naming it; that line."""
    code, out, err = run_cli("scan", *args, str(path))
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == 2, (code, out[-800:], err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"vpcreach: error: {path}"), lines[0]
    return lines[0]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- malformed scalars: one line naming file and line -------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!int abc", "'abc' is not a valid !!int"),
        ("!!int 0x", "'0x' is not a valid !!int"),
        ("!!float x", "'x' is not a valid !!float"),
        ("!!bool maybe", "'maybe' is not a valid !!bool"),
        ("!!timestamp nope", "'nope' is not a valid !!timestamp"),
        ("!!timestamp 2001-13-45", "month must be in 1..12"),
        ("!!set {a: !!int b}", "invalid !!set value"),
    ],
)
@pytest.mark.parametrize("skip", [(), ("--skip-non-templates",)], ids=["scan", "pre-commit"])
def test_malformed_core_tag_is_one_line_with_its_line(tmp_path, value, words, skip):
    path = write(tmp_path, "t.yaml", HEAD + FUNCTION + f"      Timeout: {value}\n")
    line = one_line(path, *skip)
    assert line.startswith(f"vpcreach: error: {path}:7: "), line
    assert words in line, line


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_integer_over_pythons_digit_limit_is_one_line(tmp_path, suffix):
    digits = "9" * 5000
    if suffix == "json":
        text = (
            '{"Resources": {\n  "Q": {"Type": "AWS::SQS::Queue",\n    "Properties": {"DelaySeconds": '
            + digits
            + "}}}}\n"
        )
    else:
        text = HEAD + f"  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: {digits}\n"
    path = write(tmp_path, f"t.{suffix}", text)
    line = one_line(path)
    assert "longer than the 4300 digits Python reads" in line and "(5000 characters)" in line, line
    assert f"{path}:{3 if suffix == 'json' else 6}:" in line, line


# --- lone surrogates in JSON --------------------------------------------------------------------------------
LONE_SURROGATE = (
    '{"AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {\n  "Fn": {"Type": "AWS::Lambda::Function",\n'
    '   "Properties": {"FunctionName": "x\\ud800",\n'
    '    "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}}}}\n'
)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_lone_surrogate_in_json_is_one_line_in_every_format(tmp_path, fmt):
    path = write(tmp_path, "t.json", LONE_SURROGATE)
    line = one_line(path, "--format", fmt)
    assert (
        line
        == f"vpcreach: error: {path}:4: a string escapes half a UTF-16 surrogate pair (\\ud800-\\udfff alone is not text)"
    )


def test_lone_surrogate_in_a_logical_id_and_a_walked_folder(tmp_path):
    (tmp_path / "t.json").write_text(LONE_SURROGATE.replace('"Fn"', '"Fn\\udc01"'), encoding="utf-8")
    (tmp_path / "ok.yaml").write_text(HEAD + FUNCTION, encoding="utf-8")
    code, out, err = run_cli("scan", "--format", "sarif", str(tmp_path))
    assert code == 2 and "surrogate" in err and "Traceback" not in err and "internal error" not in err, err
    json.loads(out)  # the report of the others is still written


def test_surrogate_pairs_and_escaped_backslashes_are_text(tmp_path):
    text = LONE_SURROGATE.replace("x\\ud800", "x\\ud83d\\ude00 \\\\ud800")
    report = scan_json(write(tmp_path, "t.json", text))
    assert [f["resource"] for f in report["functions"]] == ["Fn"]


# --- duplicate keys -----------------------------------------------------------------------------------------
def test_duplicate_logical_id_in_yaml_names_both_lines(tmp_path):
    path = write(tmp_path, "t.yaml", HEAD + FUNCTION + "  Q: {Type: AWS::SQS::Queue}\n" + FUNCTION)
    assert one_line(path) == (
        f"vpcreach: error: {path}:8: duplicate key 'Fn' (lines 3 and 8); a key may appear once in a mapping"
    )


def test_duplicate_property_in_yaml_names_both_lines(tmp_path):
    # The classic hiding place: a reviewer reads the first VpcConfig, CloudFormation would deploy the second.
    text = HEAD + FUNCTION + "      VpcConfig: {SubnetIds: [subnet-2], SecurityGroupIds: [sg-2]}\n"
    path = write(tmp_path, "t.yaml", text)
    assert "duplicate key 'VpcConfig' (lines 6 and 7)" in one_line(path)


@pytest.mark.parametrize("indent", [" ", "\t"], ids=["yaml-reads-it", "json-fallback"])
def test_duplicate_key_in_json_names_both_lines(tmp_path, indent):
    # A tab before a key is not YAML: that file takes the json fallback, which keeps no lines of its own.
    text = (
        '{"Resources": {\n'
        + f'{indent}"Fn": {{"Type": "AWS::Lambda::Function", "Properties": {{"Description": "a:{{[\\""}}}},\n'
        + f'{indent}"Q": {{"Type": "AWS::SQS::Queue"}},\n'
        + f'{indent}"Fn": {{"Type": "AWS::Lambda::Function"}}}}}}\n'
    )
    path = write(tmp_path, "t.json", text)
    assert one_line(path) == (
        f"vpcreach: error: {path}:4: duplicate key 'Fn' (lines 2 and 4); a key may appear once in a mapping"
    )


def test_duplicate_written_with_an_escape_is_still_a_duplicate(tmp_path):
    text = '{"Resources": {\n\t"Fn": {"Type": "AWS::SQS::Queue"},\n\t"\\u0046n": {"Type": "AWS::SQS::Queue"}}}\n'
    assert "duplicate key 'Fn' (lines 2 and 3)" in one_line(write(tmp_path, "t.json", text))


def test_merge_key_overrides_are_not_duplicates(tmp_path):
    text = (
        "Metadata:\n  Base: &base {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 1}}\n"
        + HEAD.split("\n", 1)[1]
        + "  A:\n    <<: *base\n    Type: AWS::SNS::Topic\n"
        + "  B: {<<: [*base], Properties: {}}\n"
        + FUNCTION
    )
    report = scan_json(write(tmp_path, "t.yaml", text))
    assert [f["resource"] for f in report["functions"]] == ["Fn"]


def test_duplicate_after_a_merge_key_is_still_a_duplicate(tmp_path):
    text = (
        "Metadata: {Base: &base {Type: AWS::SQS::Queue}}\nResources:\n  A:\n    <<: *base\n    Type: a\n    Type: b\n"
    )
    assert "duplicate key 'Type' (lines 5 and 6)" in one_line(write(tmp_path, "t.yaml", text))


# --- non-string keys ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "shown"),
    [
        (HEAD + "  1: {Type: AWS::Lambda::Function}\n", 3, "key 1 is not a string (YAML reads it as a number)"),
        (HEAD + "  true: {Type: AWS::Lambda::Function}\n", 3, "key True is not a string (YAML reads it as a boolean)"),
        (HEAD + "  null: {Type: AWS::Lambda::Function}\n", 3, "key None is not a string (YAML reads it as null)"),
        (HEAD + "  1.5: {Type: AWS::Lambda::Function}\n", 3, "key 1.5 is not a string"),
        (HEAD + FUNCTION + "      7: x\n", 7, "key 7 is not a string"),
        ("Parameters: {1: {Type: String}}\n" + HEAD.split("\n", 1)[1] + FUNCTION, 1, "key 1 is not a string"),
        ("Mappings: {M: {80: {a: b}}}\n" + HEAD.split("\n", 1)[1] + FUNCTION, 1, "key 80 is not a string"),
        ("Conditions: {~: true}\n" + HEAD.split("\n", 1)[1] + FUNCTION, 1, "key None is not a string"),
        (HEAD + FUNCTION + "Outputs:\n  false: {Value: x}\n", 8, "key False is not a string"),
    ],
    ids=["id-int", "id-bool", "id-null", "id-float", "property", "parameter", "mapping", "condition", "output"],
)
def test_non_string_key_is_one_line_with_its_line(tmp_path, text, line, shown):
    path = write(tmp_path, "t.yaml", text)
    got = one_line(path)
    assert got.startswith(f"vpcreach: error: {path}:{line}: "), got
    assert shown in got and got.endswith("; quote it"), got


def test_keys_python_finds_equal_are_not_called_duplicates(tmp_path):
    # `1` and `true` are one dict key to Python, two different names to CloudFormation: quote, not remove.
    path = write(tmp_path, "t.yaml", HEAD + "  1: {Type: AWS::SQS::Queue}\n  true: {Type: AWS::SQS::Queue}\n")
    assert one_line(path) == (
        f"vpcreach: error: {path}:4: key True is not a string (YAML reads it as a boolean, equal to the key on "
        "line 3); quote it"
    )


def test_non_scalar_logical_id_is_one_line(tmp_path):
    path = write(tmp_path, "t.yaml", HEAD + "  [a]: {Type: AWS::Lambda::Function}\n")
    assert one_line(path) == f"vpcreach: error: {path}:3: unsupported mapping key list"


# --- .inf / .nan / huge numbers where numbers are expected --------------------------------------------------
def test_inf_and_nan_numbers_become_unknowns_not_tracebacks(tmp_path):
    text = HEAD + (
        "  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      VpcId: vpc-1\n"
        "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: .inf, ToPort: .nan, CidrIp: 10.0.0.0/8}]\n"
        "  Fn:\n    Type: AWS::Lambda::Function\n"
        f"    Metadata: {{vpcreach: {{traffic: {{s3: .inf, sqs: .nan, '*': {'9' * 400}}}}}}}\n"
        "    Properties:\n"
        "      FunctionName: !Select [.inf, [a]]\n"
        "      VpcConfig:\n        SubnetIds: !Cidr [10.0.0.0/16, .inf, 8]\n"
        "        SecurityGroupIds: [!Ref Sg, !Select [0, !Cidr [10.0.0.0/16, 2, .inf]]]\n"
    )
    code, out, err = run_cli("scan", "--format", "json", str(write(tmp_path, "t.yaml", text)))
    assert code in (0, 1) and err == "", err
    reasons = [u["reason"] for u in json.loads(out)["unknowns"]]
    assert any("Fn::Cidr has arguments vpcreach cannot evaluate" in r for r in reasons), reasons


# --- Fn::Cidr, Fn::Join, Fn::Sub bounds ---------------------------------------------------------------------
def _resolved(tmp_path: Path, properties: str, params: str = "") -> object:
    from vpcreach.parsers.cfn import parse_template
    from vpcreach.parsers.yaml_loader import load_document

    text = params + HEAD.split("\n", 1)[1] + "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n" + properties
    return parse_template(load_document(text, "t.yaml"), "t.yaml").objects["Fn"]


@pytest.mark.parametrize("count", ["1000000000", "0", "-1", "257"])
def test_cidr_count_outside_1_to_256_is_unknown_before_any_list_is_built(tmp_path, count):
    start = time.process_time()
    fn = _resolved(tmp_path, f"      VpcConfig: {{SubnetIds: !Cidr ['::/0', {count}, 64], SecurityGroupIds: [g]}}\n")
    assert time.process_time() - start < 1
    assert f"Fn::Cidr count {count} is outside 1-256" in fn.subnets.reason


def test_cidr_count_256_is_still_evaluated(tmp_path):
    fn = _resolved(tmp_path, "      VpcConfig: {SubnetIds: !Cidr [10.0.0.0/16, 256, 8], SecurityGroupIds: [g]}\n")
    assert len(fn.subnets) == 256 and fn.subnets[-1].value == "10.0.255.0/24"


def test_join_and_sub_longer_than_the_limit_are_unknown_not_built(tmp_path):
    params = f"Parameters: {{P: {{Type: String, Default: {'x' * 600_000}}}}}\n"
    fn = _resolved(
        tmp_path,
        '      FunctionName: !Join ["", [!Ref P, !Ref P]]\n      Role: !Sub "${P}-${P}"\n',
        params,
    )
    assert (
        fn.name.reason
        == "Fn::Join would build a string of 1,200,000 characters, more than the 1,000,000 vpcreach builds"
    )
    assert fn.role.reason.startswith("Fn::Sub would build a string of ")


def test_a_large_value_repeated_through_ref_is_refused_not_copied(tmp_path):
    params = "Parameters: {P: {Type: CommaDelimitedList, Default: '" + ",".join(["a"] * 100_000) + "'}}\n"
    functions = "".join(
        f"  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      VpcConfig: {SubnetIds: !Ref P, SecurityGroupIds: !Split [',', !Join [',', !Ref P]]}\n"
        for i in range(100)
    )
    path = write(tmp_path, "t.yaml", params + "Resources:\n" + functions)
    start = time.process_time()
    line = one_line(path)
    assert "intrinsic functions build more than 5,000,000 values" in line, line
    assert time.process_time() - start < 10


# --- refused before anything is built: alias growth, too many values ----------------------------------------
def test_aliased_long_string_joined_a_thousand_times_is_refused_at_load(tmp_path):
    # 1 MiB anchored once, aliased 1000 times inside a Join: a gigabyte if built.
    text = (
        HEAD.split("\n", 1)[0]
        + f"\nMetadata: {{Big: &s {'x' * 1024 * 1024}}}\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
        + "    Properties:\n      FunctionName: !Join ['', ["
        + ", ".join(["*s"] * 1000)
        + "]]\n"
    )
    line = one_line(write(tmp_path, "t.yaml", text))
    assert "alias bomb" in line, line


def test_too_many_values_are_refused_before_parsing(tmp_path):
    path = write(tmp_path, "t.yaml", HEAD + FUNCTION + "      Tags: [" + "1," * 600_000 + "1]\n")
    start = time.process_time()
    line = one_line(path)
    assert time.process_time() - start < 2
    assert "values, more than the 500,000 vpcreach parses in one template" in line, line


# --- Fn::ForEach --------------------------------------------------------------------------------------------
FOREACH = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Zones: {Type: CommaDelimitedList, Default: "subnet-a,subnet-b"}
  Unknown: {Type: CommaDelimitedList}
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: fn, VpcId: vpc-1}
  Fn::ForEach::Subnets:
    - Name
    - [A, B]
    - Fn${Name}:
        Type: AWS::Lambda::Function
        Properties:
          FunctionName: !Sub "fn-${Name}"
          VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [!Ref Sg]}
  Fn::ForEach::Zones:
    - Zone
    - !Ref Zones
    - Zone&{Zone}:
        Type: AWS::Lambda::Function
        Properties:
          VpcConfig: {SubnetIds: [!Ref Zone], SecurityGroupIds: [!Ref Sg]}
      Fn::ForEach::Inner:
        - X
        - [p, q]
        - Q${X}&{Zone}: {Type: AWS::SQS::Queue}
  Fn::ForEach::Later:
    - Name
    - !Ref Unknown
    - Late${Name}:
        Type: AWS::Lambda::Function
        Properties:
          FunctionName: !Ref Name
          VpcConfig: {SubnetIds: [subnet-9], SecurityGroupIds: [!Ref Sg]}
"""


def test_foreach_functions_are_expanded_and_analysed(tmp_path):
    report = scan_json(write(tmp_path, "t.yaml", FOREACH))
    functions = {f["resource"]: f for f in report["functions"]}
    assert sorted(functions) == ["FnA", "FnB", "Late${Name}", "Zonesubneta", "Zonesubnetb"]
    assert functions["FnA"]["line"] == 13 and functions["Zonesubneta"]["eni_group"] == "eni:subnet-a|Sg"


def test_foreach_with_a_collection_known_only_at_deploy_is_a_stand_in_reported_vr001(tmp_path):
    report = scan_json(write(tmp_path, "t.yaml", FOREACH))
    (stand_in,) = [f for f in report["findings"] if f["rule_id"] == "VR001" and "stand-in" in f["message"]]
    assert stand_in["resource"] == "Late${Name}" and stand_in["line"] == 32
    assert "Fn::ForEach::Later creates one copy per item of a collection vpcreach cannot know" in stand_in["message"]
    assert "parameter Unknown has no default" in stand_in["message"]


def test_foreach_collection_from_a_parameter_follows_param(tmp_path):
    report = scan_json(write(tmp_path, "t.yaml", FOREACH), extra=("--param", "Unknown=x,y"))
    assert {"Latex", "Latey"} <= {f["resource"] for f in report["functions"]}
    assert not [f for f in report["findings"] if "stand-in" in f["message"]]


def test_foreach_nested_loops_and_ampersand_names(tmp_path):
    from vpcreach.parsers.cfn.language import expand_loops
    from vpcreach.parsers.yaml_loader import load_document

    doc, stand_ins = expand_loops(load_document(FOREACH, "t.yaml"), "t.yaml", None)
    assert {"Qpsubneta", "Qqsubnetb"} <= set(doc["Resources"])
    assert doc["Resources"]["FnB"]["Properties"]["FunctionName"] == {"Fn::Sub": "fn-B"}
    assert list(stand_ins) == ["Late${Name}"]


def test_foreach_that_multiplies_past_the_limit_is_refused_quickly(tmp_path):
    items = "[" + ", ".join(f"i{i}" for i in range(1000)) + "]"
    text = FOREACH.split("Resources:")[0] + (
        "Resources:\n  Fn::ForEach::A:\n    - X\n    - " + items + "\n    - Fn::ForEach::B:\n        - Y\n"
        "        - " + items + "\n        - Q${X}${Y}: {Type: AWS::SQS::Queue}\n"
    )
    path = write(tmp_path, "t.yaml", text)
    start = time.process_time()
    line = one_line(path)
    assert time.process_time() - start < 5
    assert "Fn::ForEach loops generate more than 10,000 keys" in line, line


def test_foreach_counts_each_generated_key_once_however_deep(tmp_path):
    from vpcreach.parsers.cfn.language import MAX_GENERATED, expand_loops
    from vpcreach.parsers.yaml_loader import load_document

    def loops(outer: int) -> str:
        return (
            "Resources:\n  Fn::ForEach::A:\n    - X\n    - [" + ", ".join(f"a{i}" for i in range(outer)) + "]\n"
            "    - Fn::ForEach::B:\n        - Y\n        - [" + ", ".join(f"b{i}" for i in range(100)) + "]\n"
            "        - Q${X}${Y}: {Type: AWS::SQS::Queue, Properties: {QueueName: q}}\n"
        )

    doc, _ = expand_loops(load_document(loops(MAX_GENERATED // 100), "t.yaml"), "t.yaml", None)
    assert len(doc["Resources"]) == MAX_GENERATED
    with pytest.raises(InputError, match="generate more than 10,000 keys"):
        expand_loops(load_document(loops(MAX_GENERATED // 100 + 1), "t.yaml"), "t.yaml", None)


def test_malformed_foreach_is_one_line(tmp_path):
    text = FOREACH.split("Resources:")[0] + "Resources:\n  Fn::ForEach::A: [X, [a]]\n"
    assert "Fn::ForEach::A is not [identifier, collection, {key: fragment}]" in one_line(
        write(tmp_path, "t.yaml", text)
    )


# --- the pre-commit hook path -------------------------------------------------------------------------------
def test_pre_commit_path_reports_a_bad_template_in_one_line(tmp_path):
    bad = write(tmp_path, "bad.yaml", HEAD + FUNCTION + "      Timeout: !!float x\n")
    other = write(tmp_path, "workflow.yaml", "on: push\njobs: {}\n")
    proc = subprocess.run(
        [sys.executable, "-c", "from vpcreach.cli import main; main()", "scan", "--skip-non-templates", bad, other],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc
    assert proc.stderr == f"vpcreach: error: {bad}:7: 'x' is not a valid !!float\n"


def test_pre_commit_path_parses_a_template_once(tmp_path, monkeypatch):
    # --skip-non-templates parses a file to see whether it is a template, then the scan reads it: the largest
    # template accepted costs ~4 s to parse, so a second parse would take the hook past its time goal.
    from vpcreach.parsers import yaml_loader

    calls = []
    parse = yaml_loader._parse
    monkeypatch.setattr(yaml_loader, "_parse", lambda text, cfn_tags=True: calls.append(1) or parse(text, cfn_tags))
    path = write(tmp_path, "t.yaml", HEAD + FUNCTION)
    code, _, err = run_cli("scan", "--skip-non-templates", str(path))
    assert code in (0, 1) and err == "", err
    assert len(calls) == 1
