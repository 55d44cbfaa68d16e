"""The tree-sitter front end reads Terraform exactly as the python-hcl2 reference does.

`parsers.terraform.syntax` parses with tree-sitter-hcl and lets python-hcl2 decide whenever tree-sitter
finds an error. Here every fixture and every ../shared/corpus `.tf` file is parsed with both front ends and
the syntax trees compared node by node (lines included); every Terraform root is evaluated with both and
the resource instances compared (addresses, attribute values, locations, dependencies, block lines).
Known differences are listed with their reason; there are none left in the trees the evaluator sees.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, FIXTURES, scan_json
from vpcreach.parsers.errors import InputError
from vpcreach.parsers.terraform import syntax
from vpcreach.parsers.terraform.hcl import load_instances
from vpcreach.parsers.terraform.syntax_ts import parse_ts

# Files tree-sitter-hcl does not read as HCL does, so python-hcl2 reads them (same tree, python-hcl2's speed):
FALLBACK = {
    # `"kubernetes.io/cluster/$${local.eks_name.value}"`: the grammar reads `$$` and an interpolation where HCL
    # has the escape `$${` (a literal `${`); a template sequence right after `$` or `%` is left to python-hcl2.
    "terraform/terragoat-aws/eks.tf",
}


def _tf_files(top: Path) -> list[Path]:
    found = []
    for directory, _, names in os.walk(top):  # not rglob: hostile fixtures hold symlink loops
        for name in names:
            path = Path(directory) / name
            if name.endswith(".tf") and not path.is_symlink():
                found.append(path)
    return sorted(found)


def _files() -> list[str]:
    files = [f"fixtures/{p.relative_to(FIXTURES)}" for p in _tf_files(FIXTURES)]
    if CORPUS.is_dir():
        files += [f"corpus/{p.relative_to(CORPUS)}" for p in _tf_files(CORPUS)]
    return files


def _path(name: str) -> Path:
    kind, rest = name.split("/", 1)
    return (FIXTURES if kind == "fixtures" else CORPUS) / rest


def dump(node: Any) -> Any:
    """A syntax tree as plain tuples: class name and every slot (the attribute source text aside: python-hcl2
    positions do not cover a trailing comment the same way)."""
    if isinstance(node, list):
        return [dump(n) for n in node]
    if isinstance(node, tuple):
        return tuple(dump(n) for n in node)
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    slots = [s for cls in type(node).__mro__ for s in getattr(cls, "__slots__", ()) if s != "source"]
    return (type(node).__name__, *((s, dump(getattr(node, s))) for s in slots))


def _read(text: str, use: str) -> Any:
    try:
        return dump(syntax.parse(text, "main.tf", use))
    except InputError as exc:
        return ("error", exc.message, exc.line)


# The HCL edge cases issue 20 lists, each read by tree-sitter (not handed to python-hcl2) into the same tree.
EDGE_CASES = r"""
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
variable "subnets" {
  type = list(object({
    id   = string
    az   = optional(string, "eu-west-1a")
    tags = optional(map(string))
  }))
  default = []
}
locals {
  doc = <<-EOT
    %{ if length(var.subnets) > 0 }first ${var.subnets[0].id}%{ else }none%{ endif }
    %{ for i, s in var.subnets }${i}=${s.id} %{ endfor }
  EOT
  raw     = <<EOT
literal $${not} %%{not}
EOT
  arn     = provider::aws::arn_parse("arn:aws:iam::123456789012:role/x")
  escapes = "tab\t quote\" back\\ uni\u00e9 dollar $${x} percent %%{y}"
  chain   = var.a ? 1 : var.b ? 2 : var.c ? 3 : 4
  nested  = var.a ? var.b ? 1 : 2 : 3
  grouped = (var.a ? 1 : var.b) ? 2 : 3
  splat   = aws_subnet.s[*].id
  legacy  = aws_subnet.s.*.id[0]
  index   = aws_subnet.s.0.id
  objects = { a = 1, "b c" = 2, (local.k) = 3 }
  fors    = { for k, v in var.m : k => v... if v != null }
  args    = concat(var.l...)
  unary   = -1 + !true == false
}
moved {
  from = aws_subnet.a
  to   = aws_subnet.b
}
import {
  to = aws_vpc.v
  id = "vpc-123"
}
check "health" {
  assert {
    condition     = true
    error_message = "never"
  }
}
removed {
  from = aws_subnet.old
  lifecycle {
    destroy = false
  }
}
ephemeral "aws_secretsmanager_secret_version" "db" {
  secret_id = "x"
}
"""


def test_edge_cases_are_read_by_tree_sitter_as_python_hcl2_reads_them() -> None:
    fast = parse_ts(EDGE_CASES)
    assert fast is not None
    assert dump(fast) == _read(EDGE_CASES, "python-hcl2")
    assert [(b.type, b.labels) for b in fast if isinstance(b, syntax.BlockNode)][-5:] == [
        ("moved", []),
        ("import", []),
        ("check", ["health"]),
        ("removed", []),
        ("ephemeral", ["aws_secretsmanager_secret_version", "db"]),
    ]


def test_a_byte_order_mark_and_crlf_lines_are_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_bytes(b'\xef\xbb\xbfresource "aws_vpc" "v" {\r\n  cidr_block = "10.0.0.0/16"\r\n}\r\n')
    result = load_instances(str(tmp_path), {}, [])
    assert [(i.address, i.values["cidr_block"], i.loc.line) for i in result.instances] == [
        ("aws_vpc.v", "10.0.0.0/16", 1)
    ]


def test_strip_markers_trim_the_whitespace_beside_them(tmp_path: Path) -> None:
    # python-hcl2 rejects `${~ ... ~}`; Terraform strips the whitespace on that side of the sequence.
    text = 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n  tags = { Name = "a  ${~ "b" ~}  c" }\n}\n'
    (tmp_path / "main.tf").write_text(text)
    result = load_instances(str(tmp_path), {}, [])
    assert result.instances[0].values["tags"] == {"Name": "abc"}


def test_strip_markers_of_directives_trim_the_literals_beside_them() -> None:
    text = 'a = "x %{~ if true ~} y %{~ else ~} z %{~ endif ~} w %{ for v in [1, 2] ~} ${v} %{~ endfor } e"\n'
    (attr,) = parse_ts(text) or [None]
    from vpcreach.parsers.terraform.expressions import Budget, Ctx, Scope, evaluate

    scope = Scope()
    scope.budget = Budget()
    assert evaluate(attr.expr, Ctx(scope)) == "xyw 12 e"


def test_a_syntax_error_keeps_python_hcl2s_one_line_message(tmp_path: Path) -> None:
    text = "locals {\n  a = [1, 2\n  b = 3\n}\n"
    assert parse_ts(text) is None
    with pytest.raises(InputError) as exc:
        syntax.parse(text, "main.tf")
    assert (exc.value.line, exc.value.message) == (3, "invalid HCL: unexpected 'b' at column 3")


@pytest.mark.slow  # python-hcl2 over every file: the reference is the slow part
@pytest.mark.parametrize("name", _files())
def test_both_front_ends_read_the_same_tree(name: str) -> None:
    text = _path(name).read_bytes().decode("utf-8-sig")
    fast = parse_ts(text)
    if name.split("/", 1)[1] in FALLBACK:
        assert fast is None  # left to python-hcl2, see FALLBACK
    assert _read(text, "tree-sitter") == _read(text, "python-hcl2")
    if fast is not None:
        assert dump(fast) == _read(text, "python-hcl2")


def _roots() -> list[str]:
    roots = sorted({f"fixtures/{p.parent.relative_to(FIXTURES)}" for p in _tf_files(FIXTURES / "terraform")})
    if CORPUS.is_dir():
        roots += sorted({f"corpus/{p.parent.relative_to(CORPUS)}" for p in _tf_files(CORPUS / "terraform")})
    return roots


def _instances(root: str, use: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("VPCREACH_HCL_PARSER", use)
    path = _path(root)
    scan_root = path if root.startswith("fixtures") else CORPUS / "terraform" / root.split("/")[2]
    try:
        result = load_instances(str(path), {}, [], str(scan_root))
    except InputError as exc:
        return ("error", exc.file, exc.line, exc.message)
    return [
        (i.address, i.type, repr(i.values), i.loc, sorted(i.depends_on), i.configured, i.block_lines)
        for i in result.instances
    ] + [(s.address, s.loc, s.reason) for s in result.stand_ins]


@pytest.mark.slow
@pytest.mark.parametrize("root", _roots())
def test_both_front_ends_evaluate_the_same_instances(root: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _instances(root, "tree-sitter", monkeypatch) == _instances(root, "python-hcl2", monkeypatch)


# The same configuration in Terraform's native and JSON syntax (https://developer.hashicorp.com/terraform/
# language/syntax/json): the JSON file evaluates to the same instances, each at the line of its name.
NATIVE = """variable "cidrs" {
  type    = list(string)
  default = ["10.0.1.0/24", "10.0.2.0/24"]
}
locals {
  name = "app"
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = local.name }
}
resource "aws_subnet" "s" {
  count      = length(var.cidrs)
  vpc_id     = aws_vpc.v.id
  cidr_block = var.cidrs[count.index]
}
resource "aws_security_group" "sg" {
  vpc_id = aws_vpc.v.id
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_lambda_function" "fn" {
  function_name = "${local.name}-fn"
  role          = "arn:aws:iam::123456789012:role/r"
  depends_on    = [aws_security_group.sg]
  vpc_config {
    subnet_ids         = aws_subnet.s[*].id
    security_group_ids = [aws_security_group.sg.id]
  }
}
"""

JSON = """{
  "variable": {"cidrs": {"type": "list(string)", "default": ["10.0.1.0/24", "10.0.2.0/24"]}},
  "locals": {"name": "app"},
  "resource": {
    "aws_vpc": {"v": {"cidr_block": "10.0.0.0/16", "tags": {"Name": "${local.name}"}}},
    "aws_subnet": {
      "s": {"count": "${length(var.cidrs)}", "vpc_id": "${aws_vpc.v.id}", "cidr_block": "${var.cidrs[count.index]}"}
    },
    "aws_security_group": {
      "sg": {
        "//": "egress is a nested block",
        "vpc_id": "${aws_vpc.v.id}",
        "egress": [{"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]
      }
    },
    "aws_lambda_function": {
      "fn": {
        "function_name": "${local.name}-fn",
        "role": "arn:aws:iam::123456789012:role/r",
        "depends_on": ["aws_security_group.sg"],
        "vpc_config": {
          "subnet_ids": "${aws_subnet.s[*].id}",
          "security_group_ids": ["${aws_security_group.sg.id}"]
        }
      }
    }
  }
}
"""


def _evaluated(directory: Path) -> list[tuple]:
    result = load_instances(str(directory), {}, [])
    return [(i.address, repr(i.values), sorted(i.depends_on), i.configured) for i in result.instances]


def test_tf_json_files_are_read_as_terraform_json_syntax(tmp_path: Path) -> None:
    (tmp_path / "native").mkdir()
    (tmp_path / "native" / "main.tf").write_text(NATIVE)
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "main.tf.json").write_text(JSON)
    assert _evaluated(tmp_path / "json") == _evaluated(tmp_path / "native")
    lines = {i.address: i.loc.line for i in load_instances(str(tmp_path / "json"), {}, []).instances}
    assert lines == {
        "aws_vpc.v": 5,
        "aws_subnet.s[0]": 7,
        "aws_subnet.s[1]": 7,
        "aws_security_group.sg": 10,
        "aws_lambda_function.fn": 17,
    }


def test_a_folder_of_tf_json_files_is_a_terraform_root(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(JSON)
    report = scan_json(tmp_path)
    assert report["sources"] == [str(tmp_path)]
