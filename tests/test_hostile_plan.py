"""Hostile Terraform plan JSON and JSON tfvars (issue 12): strict JSON, memoised and bounded reference
resolution, bounded copies of attribute values. Every refusal is one line and exit 2, never a traceback."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_cli
from vpcreach.graph import model as m
from vpcreach.graph.model import Unknown
from vpcreach.parsers.errors import MAX_DEPTH, InputError
from vpcreach.parsers.json_input import load_json
from vpcreach.parsers.terraform import plan as plan_module
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


# --- reference resolution: memoised, bounded --------------------------------------------------------------------
def _tfplan():  # type: ignore[no-untyped-def]
    """bench/tfplan.py, the plan generator (bench/ is a folder of scripts, not a package)."""
    name = "vpcreach_bench_tfplan"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "tfplan.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def resolve_calls(monkeypatch):  # type: ignore[no-untyped-def]
    """Counts `_Resolver.resolve` calls and stops a run that would not end (3^20 today) at 20,000."""
    calls = [0]
    original = plan_module._Resolver.resolve

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] > 20_000:
            raise AssertionError("reference resolution is not memoised: more than 20,000 resolve calls")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(plan_module._Resolver, "resolve", counted)
    return calls


def test_module_variables_are_resolved_once_per_module_instance(tmp_path, resolve_calls):
    doc = _tfplan().variable_bomb(levels=20, refs=3)  # each variable refers to 3 of the parent's, 20 deep
    text = compact(doc)
    assert len(text) < 10_000
    net = parse_plan(one_line_plan(tmp_path, text))
    subnet = net.objects[".".join(f"module.m{i}" for i in range(1, 21)) + ".aws_subnet.s"]
    assert subnet.vpc == "aws_vpc.v"  # followed through all twenty module calls
    assert resolve_calls[0] < 200


def test_module_outputs_are_resolved_once_per_module_instance(tmp_path, resolve_calls):
    # module.m1 ... module.m20; each output a/b/c of module k takes outputs a, b and c of module k+1; the
    # deepest module's outputs name its VPC. A root subnet takes module.m1.a.
    names = ("a", "b", "c")
    module: dict = {
        "resources": [{"address": "aws_vpc.v", "mode": "managed", "type": "aws_vpc", "name": "v", "expressions": {}}],
        "outputs": {n: {"expression": {"references": ["aws_vpc.v.id", "aws_vpc.v"]}} for n in names},
    }
    for level in range(20, 1, -1):
        refs = [f"module.m{level}.{n}" for n in names]
        module = {
            "module_calls": {f"m{level}": {"source": f"./m{level}", "module": module}},
            "outputs": {n: {"expression": {"references": refs}} for n in names},
        }
    root = {
        "module_calls": {"m1": {"source": "./m1", "module": module}},
        "resources": [
            {
                "address": "aws_subnet.s",
                "mode": "managed",
                "type": "aws_subnet",
                "name": "s",
                "expressions": {"vpc_id": {"references": ["module.m1.a", "module.m1"]}},
            }
        ],
    }
    vpc = ".".join(f"module.m{i}" for i in range(1, 21)) + ".aws_vpc.v"
    doc = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {"address": "aws_subnet.s", "type": "aws_subnet", "values": {"cidr_block": "10.0.0.0/24"}}
                ],
                "child_modules": [
                    {"resources": [{"address": vpc, "type": "aws_vpc", "values": {"cidr_block": "10.0.0.0/16"}}]}
                ],
            }
        },
        "resource_changes": [
            {
                "address": "aws_subnet.s",
                "type": "aws_subnet",
                "change": {"actions": ["create"], "after": {}, "after_unknown": {"id": True, "vpc_id": True}},
            }
        ],
        "configuration": {"root_module": root},
    }
    net = parse_plan(one_line_plan(tmp_path, compact(doc)))
    assert net.objects["aws_subnet.s"].vpc == vpc
    assert resolve_calls[0] < 200


def test_module_variables_that_refer_to_each_other_are_unknown_not_a_hang(tmp_path, resolve_calls):
    # Terraform refuses cycles; a hand-made plan has one: module.a's variable x takes module.b's output y,
    # which is module.b's variable z, which takes module.a's output w, which is module.a's variable x.
    def child(var: str, out: str) -> dict:
        return {
            "resources": [
                {
                    "address": "aws_subnet.s",
                    "mode": "managed",
                    "type": "aws_subnet",
                    "name": "s",
                    "expressions": {"vpc_id": {"references": [f"var.{var}"]}},
                }
            ],
            "outputs": {out: {"expression": {"references": [f"var.{var}"]}}},
            "variables": {var: {}},
        }

    root = {
        "module_calls": {
            "a": {
                "source": "./a",
                "expressions": {"x": {"references": ["module.b.y", "module.b"]}},
                "module": child("x", "w"),
            },
            "b": {
                "source": "./b",
                "expressions": {"z": {"references": ["module.a.w", "module.a"]}},
                "module": child("z", "y"),
            },
        }
    }
    changes = [
        {
            "address": f"module.{m}.aws_subnet.s",
            "type": "aws_subnet",
            "change": {
                "actions": ["create"],
                "after": {"cidr_block": "10.0.0.0/24"},
                "after_unknown": {"vpc_id": True},
            },
        }
        for m in "ab"
    ]
    doc = {"format_version": "1.2", "resource_changes": changes, "configuration": {"root_module": root}}
    net = parse_plan(one_line_plan(tmp_path, compact(doc)))
    for name in "ab":
        vpc = net.objects[f"module.{name}.aws_subnet.s"].vpc
        assert isinstance(vpc, Unknown) and "refers to itself" in vpc.reason, vpc


def test_references_past_the_plan_budget_become_unknown_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(plan_module, "MAX_RESOLUTION_STEPS", 20_000)
    # 200 functions each taking all 200 subnets (a splat): 80,000 steps with their dependencies.
    net = parse_plan(one_line_plan(tmp_path, compact(_tfplan().fan_out(200, 200))))
    functions = [o for o in net.objects.values() if isinstance(o, m.Function)]
    assert len(functions) == 200
    linked = [f for f in functions if isinstance(f.subnets, list)]
    unknown = [f for f in functions if isinstance(f.subnets, Unknown)]
    assert linked and unknown and len(linked) + len(unknown) == 200
    assert all(len(f.subnets) == 200 for f in linked)  # what was followed is whole, never a part
    assert all("more references than vpcreach follows in one plan" in f.subnets.reason for f in unknown)


def test_a_long_after_unknown_list_past_the_budget_is_one_unknown(tmp_path, monkeypatch):
    monkeypatch.setattr(plan_module, "MAX_RESOLUTION_STEPS", 1_000)
    doc = real_plan()
    change = next(r for r in doc["resource_changes"] if r["address"] == 'aws_lambda_function.fn["api"]')["change"]
    change["after_unknown"]["vpc_config"] = [{"subnet_ids": [True] * 5_000, "security_group_ids": True}]
    net = parse_plan(one_line_plan(tmp_path, compact(doc)))
    subnets = net.objects['aws_lambda_function.fn["api"]'].subnets
    assert isinstance(subnets, Unknown), subnets  # not 5,000 values of their own
    assert "more references than vpcreach follows" in subnets.reason


def test_the_reasons_of_an_unknown_value_are_bounded(tmp_path):
    doc = real_plan()
    lam = next(r for r in doc["configuration"]["root_module"]["resources"] if r["type"] == "aws_lambda_function")
    lam["expressions"]["vpc_config"][0]["subnet_ids"] = {"references": [f"local.l{i}" for i in range(5_000)]}
    net = parse_plan(one_line_plan(tmp_path, compact(doc)))
    subnets = net.objects['aws_lambda_function.fn["api"]'].subnets
    assert isinstance(subnets, Unknown)
    assert "local.l0 (locals are not in plan JSON)" in subnets.reason and "and 4997 more" in subnets.reason
    assert len(subnets.reason) < 500


def test_configuration_shared_by_instances_is_walked_once(tmp_path, monkeypatch):
    # A count = 300 resource whose configuration holds a 3,000-element constant: walking it per instance
    # (to collect its references) is 900,000 visits; once per configuration block, 3,000.
    visits = [0]
    original = plan_module._collect_refs

    def counted(node, out, depth=0):  # type: ignore[no-untyped-def]
        visits[0] += 1
        return original(node, out, depth)

    monkeypatch.setattr(plan_module, "_collect_refs", counted)
    subnets = [
        {"address": f"aws_subnet.s[{i}]", "type": "aws_subnet", "values": {"cidr_block": "10.0.0.0/24"}}
        for i in range(300)
    ]
    config = {
        "address": "aws_subnet.s",
        "mode": "managed",
        "type": "aws_subnet",
        "name": "s",
        "expressions": {"tags": {"constant_value": {f"k{i}": [i] for i in range(3_000)}}},
        "count_expression": {"constant_value": 300},
    }
    doc = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": subnets}},
        "configuration": {"root_module": {"resources": [config]}},
    }
    parse_plan(one_line_plan(tmp_path, compact(doc)))
    assert visits[0] < 20_000


def test_function_dependencies_past_the_budget_are_refused(tmp_path, monkeypatch):
    from vpcreach.parsers.terraform import aws

    monkeypatch.setattr(aws, "MAX_DEPENDENCY_CLOSURE", 10_000)
    # 300 functions with depends_on = [aws_subnet.s], 300 instances: 90,000 dependencies from a small file.
    path = one_line_plan(tmp_path, compact(_tfplan().fan_out(300, 300, depends=True)))
    line = refused("plan", path)
    assert "the Lambda functions depend on more than 10,000 resources in all" in line


def test_module_dependencies_are_found_without_scanning_every_address(tmp_path):
    doc = real_plan()
    lam = next(r for r in doc["configuration"]["root_module"]["resources"] if r["type"] == "aws_lambda_function")
    lam["depends_on"] = ["module.net"]
    net = parse_plan(one_line_plan(tmp_path, compact(doc)))
    deps = net.objects['aws_lambda_function.fn["api"]'].depends_on
    assert "module.net.aws_nat_gateway.this" in deps and "module.net.aws_subnet.private[1]" in deps
