"""Hostile Terraform plan JSON and JSON tfvars (issue 12): strict JSON, memoised and bounded reference
resolution, bounded copies of attribute values. Every refusal is one line and exit 2, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli
from vpcreach.parsers.errors import MAX_DEPTH, InputError
from vpcreach.parsers.json_input import load_json
from vpcreach.parsers.terraform.plan import parse_plan

PLAN = FIXTURES / "tfplan" / "create_vpc_lambda" / "plan.json"


def one_line_plan(tmp_path: Path, text: str, name: str = "plan.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def compact(doc: object) -> str:
    """As `terraform show -json` writes it: one line."""
    return json.dumps(doc, separators=(",", ":"))


def refused(*args: str) -> str:
    """Run the CLI; it must refuse with exit 2 and one `vpcreach: error:` line. Returns that line."""
    code, out, err = run_cli(*args)
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vpcreach: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


def real_plan() -> dict:
    return json.loads(PLAN.read_text())


def lambda_values(doc: dict) -> dict:
    return next(r for r in doc["planned_values"]["root_module"]["resources"] if r["type"] == "aws_lambda_function")[
        "values"
    ]


# --- duplicate keys ----------------------------------------------------------------------------------------
def test_duplicate_key_in_a_one_line_plan_names_both_columns_and_the_path(tmp_path):
    text = compact(real_plan())
    # A hand edit: the function's tags name the need twice; json would keep the second silently.
    needle = '"tags":{"vpcreach:needs":"internet"}'
    assert needle in text
    text = text.replace(needle, '"tags":{"vpcreach:needs":"internet","vpcreach:needs":"s3"}', 1)
    path = one_line_plan(tmp_path, text)
    line = refused("plan", path)
    first = text.index('"vpcreach:needs"') + 1
    second = text.index('"vpcreach:needs"', first) + 1
    assert f"{path}:1: duplicate key " in line
    assert f"at column {second} (first at column {first})" in line
    assert "$.planned_values.root_module.resources[2].values.tags" in line


def test_duplicate_key_in_a_pretty_plan_names_both_lines(tmp_path):
    text = PLAN.read_text()
    lines = text.splitlines()
    at = next(i for i, s in enumerate(lines) if '"format_version"' in s)
    lines.insert(at + 1, lines[at])  # the same key on the next line
    path = one_line_plan(tmp_path, "\n".join(lines))
    line = refused("plan", path)
    assert f'{path}:{at + 2}: duplicate key "format_version" (first on line {at + 1}) in $' in line


def test_duplicate_key_in_tfvars_json_is_refused(tmp_path):
    (tmp_path / "main.tf").write_text('variable "cidr" {\n  type = string\n}\n')
    (tmp_path / "terraform.tfvars.json").write_text('{"cidr": "10.0.0.0/16", "cidr": "0.0.0.0/0"}')
    line = refused("scan", str(tmp_path / "main.tf"))  # the module alone: tfvars files are read with it
    assert 'terraform.tfvars.json:1: duplicate key "cidr" at column 25 (first at column 2) in $' in line


# --- lone surrogates, NaN, huge numbers, deep nesting --------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"\\ud800"', r"lone surrogate escape \\ud800 \(column \d+\) is not a Unicode character"),
        ('"x\\udfff"', r"lone surrogate escape \\udfff \(column \d+\)"),
        ("NaN", r"NaN \(column \d+\) is not a JSON number"),
        ("-Infinity", r"-Infinity \(column \d+\) is not a JSON number"),
        ("1e999", r"the number 1e999 \(column \d+\) is too large for a float"),
        ("9" * 5000, r"a number of 5000 digits \(column \d+\); vpcreach reads numbers of up to \d+ digits"),
    ],
)
def test_values_python_accepts_and_terraform_never_writes_are_refused_in_plans(tmp_path, value, message):
    text = compact(real_plan()).replace('"function_name":"api"', f'"function_name":{value}', 1)
    line = refused("plan", one_line_plan(tmp_path, text))
    assert re.search(r"plan\.json:1: invalid JSON: " + message, line), line


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"\\ud800"', "lone surrogate escape"),
        ("NaN", "is not a JSON number"),
        ("Infinity", "is not a JSON number"),
        ("9" * 5000, "a number of 5000 digits"),
    ],
)
@pytest.mark.parametrize("name", ["terraform.tfvars.json", "x.auto.tfvars.json"])
def test_values_python_accepts_are_refused_in_tfvars_json(tmp_path, value, message, name):
    (tmp_path / "main.tf").write_text('variable "name" {\n  type = any\n}\n')
    (tmp_path / name).write_text(f'{{"name": {value}}}')
    line = refused("scan", str(tmp_path / "main.tf"))
    assert f"{name}:1: invalid JSON: " in line and message in line


def test_paired_surrogates_and_escaped_backslashes_are_not_lone(tmp_path):
    assert load_json('{"a": "\\ud83d\\ude00", "b": "\\\\ud800", "c": "\\\\\\ud83d\\ude00"}', "f") == {
        "a": "\U0001f600",
        "b": "\\ud800",
        "c": "\\\U0001f600",
    }


def test_an_address_index_past_the_digit_limit_is_not_a_traceback(tmp_path):
    doc = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [{"address": f"aws_vpc.v[{'9' * 5000}]", "type": "aws_vpc"}]}},
    }
    net = parse_plan(one_line_plan(tmp_path, compact(doc)))
    assert not net.objects or all("aws_vpc" in k for k in net.objects)


@pytest.mark.parametrize("where", ["plan", "tfvars"])
def test_deep_nesting_is_refused_before_it_is_walked(tmp_path, where):
    deep: object = "x"
    for _ in range(MAX_DEPTH + 5):
        deep = {"a": deep}
    if where == "plan":
        doc = real_plan()
        lambda_values(doc)["environment"] = [{"variables": deep}]
        line = refused("plan", one_line_plan(tmp_path, compact(doc)))
    else:
        (tmp_path / "main.tf").write_text('variable "name" {\n  type = any\n}\n')
        (tmp_path / "terraform.tfvars.json").write_text(compact({"name": deep}))
        line = refused("scan", str(tmp_path / "main.tf"))
    assert f"JSON nested deeper than {MAX_DEPTH} levels" in line


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = compact({"policy": "[" * 1000, "ok": [[1]]})
    assert load_json(text, "f")["ok"] == [[1]]


def test_the_strict_loader_reports_the_file_it_was_given():
    with pytest.raises(InputError) as info:
        load_json('{"a": 1, "a": 2}', "some/file.json")
    assert info.value.file == "some/file.json" and info.value.line == 1
