"""The Terraform expression evaluator and built-in functions, one expression at a time.

Each case writes `input = <expression>` into a terraform_data resource of a scratch module (with the
variables, locals and resources of PRELUDE) and reads the evaluated value back from the instance.
"""

from __future__ import annotations

import pytest
from vpcreach.graph.model import Unknown
from vpcreach.parsers.terraform.hcl import load_instances
from vpcreach.parsers.terraform.instance import TfRef
from vpcreach.parsers.terraform.values import Derived, Named, decode_json

PRELUDE = """
variable "l" { default = ["a", "b"] }
variable "m" { default = { a = "A" } }
variable "n" { default = 3 }
variable "x" { default = null }
variable "nodefault" { type = string }
variable "obj" {
  type    = object({ a = string, b = optional(number, 7), c = optional(list(string)) })
  default = { a = 1 }
}
variable "typed_list" {
  type    = list(number)
  default = ["1", 2]
}
resource "aws_subnet" "s" {
  count      = 2
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}
resource "aws_subnet" "k" {
  for_each   = { a = "10.1.0.0/24", b = "10.1.1.0/24" }
  cidr_block = each.value
}
resource "aws_iam_role" "r" {
  name = "app-role"
}
locals {
  sub = aws_subnet.s[0].cidr_block
}
data "aws_region" "current" {}
data "aws_availability_zones" "az" {}
data "aws_caller_identity" "me" {}
"""


def evaluate(tmp_path, expr: str, prelude: str = PRELUDE, variables: dict | None = None):
    (tmp_path / "main.tf").write_text(f'{prelude}\nresource "terraform_data" "t" {{\n  input = {expr}\n}}\n')
    result = load_instances(str(tmp_path), variables or {}, [])
    return next(i for i in result.instances if i.address == "terraform_data.t").values["input"]


KNOWN = [
    ('"a-${1 + 2}-${true}"', "a-3-true"),
    ('[for k, v in { b = 2, a = 1 } : "${k}=${v}"]', ["a=1", "b=2"]),
    ('{ for s in ["x", "y", "x"] : s => s... }', {"x": ["x", "x"], "y": ["y"]}),
    ('[for s in var.l : upper(s) if s != "a"]', ["B"]),
    ("length(var.l)", 2),
    ("var.l[*]", ["a", "b"]),
    ('"${var.l}"', ["a", "b"]),
    ("var.m.a", "A"),
    ('var.m["a"]', "A"),
    ("var.n > 2 && var.n < 10", True),
    ('var.x == null ? "null" : "set"', "null"),
    ("-var.n", -3),
    ("!false", True),
    ("5 % 3", 2),
    ("7 / 2", 3.5),
    ('"%{ if var.n > 1 }big%{ else }small%{ endif }"', "big"),
    ('"%{ for x in var.l }[${x}]%{ endfor }"', "[a][b]"),
    ('"$${literal}"', "${literal}"),
    ("<<EOT\nhello ${var.m.a}\n  \\n\nEOT", "hello A\n  \\n\n"),
    ("<<-EOT\n    a\n      b ${1}\n    EOT", "a\n  b 1\n"),
    ("aws_subnet.s[1].cidr_block", "10.0.1.0/24"),
    ("aws_subnet.s.*.cidr_block[0]", "10.0.0.0/24"),
    ("local.sub", "10.0.0.0/24"),
    ('aws_subnet.k["b"].cidr_block', "10.1.1.0/24"),
    ("[for k, s in aws_subnet.k : k]", ["a", "b"]),
    ("data.aws_region.current.name", "<region>"),
    ("data.aws_availability_zones.az.names[1]", "az#1"),
    ("terraform.workspace", "default"),
    ("var.obj", {"a": "1", "b": 7, "c": None}),
    ("var.typed_list", [1, 2]),
    ('try(var.m.zz, "fallback")', "fallback"),
    ("can(var.m.zz)", False),
    ("can(var.m.a)", True),
    # functions
    ('cidrsubnet("10.0.0.0/16", 8, 3)', "10.0.3.0/24"),
    ('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)', ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]),
    ('cidrhost("10.0.0.0/24", -2)', "10.0.0.254"),
    ('cidrnetmask("10.0.0.0/20")', "255.255.240.0"),
    ('format("%s-%03d-%v-%q", "a", 7, [1, 2], "z")', 'a-007-[1,2]-"z"'),
    ('formatlist("%s-%s", ["a", "b"], "z")', ["a-z", "b-z"]),
    ('join(",", ["a", "b"])', "a,b"),
    ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
    ('lookup({ a = 1 }, "b", 5)', 5),
    ("merge({ a = 1, b = 2 }, { b = 3 })", {"a": 1, "b": 3}),
    ("keys({ b = 1, a = 2 })", ["a", "b"]),
    ("values({ b = 1, a = 2 })", [2, 1]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])', ["i-abc", "i-def"]),
    ('matchkeys(["a", "b"], ["x", "y"], [])', []),
    ("flatten([[1, [2]], 3])", [1, 2, 3]),
    ("distinct([1, 2, 1])", [1, 2]),
    ('coalesce("", null, "x")', "x"),
    ("coalescelist([], [1])", [1]),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ("jsonencode({ b = 1, a = [true, null] })", '{"a":[true,null],"b":1}'),
    ('jsondecode("{\\"a\\": [1, 2]}")', {"a": [1, 2]}),
    ("slice([1, 2, 3, 4], 1, 3)", [2, 3]),
    ("range(1, 10, 3)", [1, 4, 7]),
    ('contains(["a"], "a")', True),
    ("min(3, 1, 2)", 1),
    ("max([4, 9]...)", 9),
    ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('replace("hello123", "/[0-9]+/", "X")', "helloX"),
    ('lower("AbC")', "abc"),
    ('upper("abc")', "ABC"),
    ('one(["z"])', "z"),
    ("tostring(5)", "5"),
    ('tonumber("5")', 5),
    ('tobool("true")', True),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ('tolist(toset(["b", "a"]))', ["a", "b"]),
    ('tomap({ a = "1" })', {"a": "1"}),
    ('element(["a", "b"], 3)', "b"),
    ("concat([1], [2, 3])", [1, 2, 3]),
    ('regex("^(\\\\w+)-(\\\\d+)$", "ab-12")', ["ab", "12"]),
    ('regexall("[a-z]", "a1b")', ["a", "b"]),
    ('substr("hello", 1, 3)', "ell"),
    ('trimspace("  x ")', "x"),
    ('trimprefix("arn:aws", "arn:")', "aws"),
    ('startswith("abc", "ab")', True),
    ('setproduct(["a", "b"], [1, 2])', [["a", 1], ["a", 2], ["b", 1], ["b", 2]]),
    ('setunion(["a"], ["b", "a"])', ["a", "b"]),
    ('setsubtract(["a", "b"], ["a"])', ["b"]),
    ("chunklist([1, 2, 3], 2)", [[1, 2], [3]]),
    ('index(["a", "b"], "b")', 1),
    ("alltrue([true, var.n > 1])", True),
    ("anytrue([false])", False),
    ("sum([1, 2.5])", 3.5),
    ('base64encode("hi")', "aGk="),
    ("abs(-3)", 3),
    ("ceil(1.2)", 2),
    ("floor(1.8)", 1),
    ("reverse([1, 2])", [2, 1]),
    ('transpose({ a = ["x", "y"], b = ["x"] })', {"x": ["a", "b"], "y": ["a"]}),
]


@pytest.mark.parametrize(("expr", "expected"), KNOWN)
def test_known_values(tmp_path, expr: str, expected) -> None:
    assert evaluate(tmp_path, expr) == expected


def test_resource_ids_are_references_known_only_after_apply(tmp_path) -> None:
    assert evaluate(tmp_path, "aws_subnet.s[*].id") == [TfRef("aws_subnet.s[0]", "id"), TfRef("aws_subnet.s[1]", "id")]
    assert evaluate(tmp_path, 'aws_subnet.k["a"].arn') == TfRef('aws_subnet.k["a"]', "arn")
    assert evaluate(tmp_path, "values(aws_subnet.k)[*].id") == [
        TfRef('aws_subnet.k["a"]', "id"),
        TfRef('aws_subnet.k["b"]', "id"),
    ]


def test_a_configured_name_is_known_and_still_names_its_resource(tmp_path) -> None:
    value = evaluate(tmp_path, "aws_iam_role.r.name")
    assert value == "app-role"
    assert isinstance(value, Named) and value.ref == TfRef("aws_iam_role.r", "name")


def test_collections_keep_unknown_elements(tmp_path) -> None:
    ids = [TfRef("aws_subnet.s[0]", "id"), TfRef("aws_subnet.s[1]", "id")]
    assert evaluate(tmp_path, "length(aws_subnet.s[*].id)") == 2
    assert evaluate(tmp_path, 'concat(aws_subnet.s[*].id, ["subnet-1"])') == [*ids, "subnet-1"]
    assert evaluate(tmp_path, "element(aws_subnet.s[*].id, 1)") == ids[1]
    assert evaluate(tmp_path, "tolist(toset(aws_subnet.s[*].id))") == ids
    assert evaluate(tmp_path, "compact(aws_subnet.s[*].id)") == ids


def test_values_computed_from_unknowns_are_unknown_with_the_reason(tmp_path) -> None:
    text = evaluate(tmp_path, '"${aws_subnet.s[0].id}-x"')
    assert isinstance(text, Derived) and text.refs == (TfRef("aws_subnet.s[0]", "id"),)
    assert "aws_subnet.s[0].id" in text.reason
    missing = evaluate(tmp_path, "var.nodefault")
    assert isinstance(missing, Unknown) and "pass --var nodefault=VALUE" in missing.reason
    assert isinstance(evaluate(tmp_path, "upper(var.nodefault)"), Unknown)
    assert isinstance(evaluate(tmp_path, "data.aws_caller_identity.me.account_id"), Unknown)
    assert isinstance(evaluate(tmp_path, "timestamp()"), Unknown)


def test_unknown_condition_is_unknown_unless_both_branches_agree(tmp_path) -> None:
    assert isinstance(evaluate(tmp_path, 'var.nodefault == "a" ? 1 : 2'), Unknown)
    assert evaluate(tmp_path, 'var.nodefault == "a" ? 1 : 1') == 1
    # A known condition evaluates only its branch: the other may be invalid.
    assert evaluate(tmp_path, "var.n > 1 ? 1 : aws_subnet.s[9].id") == 1
    assert evaluate(tmp_path, 'false && var.nodefault == "x"') is False


def test_try_of_an_unknown_is_unknown(tmp_path) -> None:
    assert isinstance(evaluate(tmp_path, 'try(var.nodefault, "default")'), Unknown)


def test_invalid_expressions_become_unknowns_that_say_why(tmp_path) -> None:
    value = evaluate(tmp_path, "var.l[5]")
    assert isinstance(value, Unknown) and "out of range" in value.reason
    value = evaluate(tmp_path, "var.undeclared")
    assert isinstance(value, Unknown) and 'variable "undeclared" is not declared' in value.reason
    value = evaluate(tmp_path, "nosuchfunction(1)")
    assert isinstance(value, Unknown) and "nosuchfunction" in value.reason


def test_jsonencode_with_unknown_leaves_keeps_the_structure(tmp_path) -> None:
    value = evaluate(
        tmp_path, 'jsonencode({ Statement = [{ Action = ["s3:GetObject"], Resource = aws_subnet.s[0].arn }] })'
    )
    assert isinstance(value, Derived)
    document = decode_json(value)
    assert document["Statement"][0]["Action"] == ["s3:GetObject"]
    assert document["Statement"][0]["Resource"] == TfRef("aws_subnet.s[0]", "arn")


def test_template_with_unknown_parts_still_decodes_its_known_json(tmp_path) -> None:
    value = evaluate(
        tmp_path, '<<EOF\n{"Statement": [{"Action": "sqs:SendMessage", "Resource": "${aws_subnet.s[0].arn}"}]}\nEOF'
    )
    document = decode_json(value)
    assert document["Statement"][0]["Action"] == "sqs:SendMessage"
    assert isinstance(document["Statement"][0]["Resource"], Unknown)


def test_iam_policy_document_is_computed_locally(tmp_path) -> None:
    prelude = (
        PRELUDE
        + """
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["sqs:SendMessage", "ec2:CreateNetworkInterface"]
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = ["s3:GetObject"]
    content {
      actions   = [statement.value]
      resources = [aws_subnet.s[0].arn]
    }
  }
}
"""
    )
    value = evaluate(tmp_path, "data.aws_iam_policy_document.p.json", prelude)
    document = decode_json(value)
    assert [s["Action"] for s in document["Statement"]] == [
        ["sqs:SendMessage", "ec2:CreateNetworkInterface"],
        ["s3:GetObject"],
    ]
    assert document["Statement"][0]["Effect"] == "Allow"


def test_cli_variables_follow_the_declared_type(tmp_path) -> None:
    prelude = PRELUDE + 'variable "flag" {\n  type = bool\n}\nvariable "cidrs" {\n  type = list(string)\n}\n'
    assert evaluate(tmp_path, "var.flag ? 1 : 0", prelude, {"flag": "false"}) == 0
    assert evaluate(tmp_path, "var.cidrs", prelude, {"cidrs": '["10.0.0.0/24", "10.0.1.0/24"]'}) == [
        "10.0.0.0/24",
        "10.0.1.0/24",
    ]
    assert evaluate(tmp_path, "var.nodefault", prelude, {"nodefault": "[not parsed]"}) == "[not parsed]"


def test_endpoint_service_data_source_with_null_filters(tmp_path) -> None:
    prelude = (
        PRELUDE
        + """
data "aws_vpc_endpoint_service" "s3" {
  service      = "s3"
  service_name = null
}
"""
    )
    assert evaluate(tmp_path, "data.aws_vpc_endpoint_service.s3.service_name", prelude) == "com.amazonaws.<region>.s3"


def test_the_built_ins_real_network_code_uses_are_implemented() -> None:
    from vpcreach.parsers.terraform.functions import names

    wanted = [
        "length",
        "element",
        "concat",
        "lookup",
        "merge",
        "cidrsubnet",
        "cidrsubnets",
        "cidrhost",
        "format",
        "formatlist",
        "join",
        "split",
        "tolist",
        "toset",
        "tomap",
        "keys",
        "values",
        "zipmap",
        "matchkeys",
        "flatten",
        "distinct",
        "coalesce",
        "coalescelist",
        "try",
        "can",
        "jsonencode",
        "jsondecode",
        "slice",
        "range",
        "contains",
        "min",
        "max",
        "replace",
        "lower",
        "upper",
        "compact",
        "one",
        "tostring",
        "tonumber",
        "tobool",
        "templatefile",
        "file",
        "regex",
        "regexall",
        "trimprefix",
        "trimsuffix",
        "startswith",
        "endswith",
        "alltrue",
        "anytrue",
        "setunion",
        "setproduct",
        "index",
    ]
    assert sorted(set(wanted) - names()) == []
