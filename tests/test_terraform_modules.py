"""Terraform root modules: variables and their precedence, modules (local, downloaded, remote), count and
for_each addresses, annotations, and dependencies."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest
from conftest import FIXTURES, findings_of, run_cli, scan_json
from vpcreach.graph import model as m
from vpcreach.parsers.errors import InputError
from vpcreach.parsers.terraform import parse_module

TF = FIXTURES / "terraform"

FUNCTION = """
resource "aws_iam_role" "fn" {
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]
}
"""


def write(directory, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


# --- variables -----------------------------------------------------------------------------------------
def test_tfvars_switches_the_nat_gateway_off():
    report = scan_json(TF / "tfvars_nat_off")
    assert findings_of(report, "VR101") == [("VR101", "aws_lambda_function.api", 102)]
    net = parse_module(str(TF / "tfvars_nat_off"), {}, [])
    assert not net.of(m.NatGateway)


def test_var_and_var_file_override_tfvars():
    assert findings_of(scan_json(TF / "tfvars_nat_off", extra=("--var", "enable_nat=true")), "VR101") == []
    var_file = str(TF / "tfvars_nat_off" / "nat_on.tfvars")
    report = scan_json(TF / "tfvars_nat_off", extra=("--var-file", var_file))
    assert findings_of(report, "VR101") == []
    api = next(f for f in report["functions"] if f["resource"] == "aws_lambda_function.api")
    assert "aws_nat_gateway.nat[0]" in api["needs"][0]["via"]


def test_variable_precedence(tmp_path):
    write(
        tmp_path,
        {
            "main.tf": """
                variable "a" { default = "default" }
                variable "b" { default = "default" }
                variable "c" { default = "default" }
                variable "d" { default = "default" }
                resource "aws_vpc" "v" {
                  cidr_block = "10.0.0.0/16"
                  tags = { a = var.a, b = var.b, c = var.c, d = var.d }
                }
            """,
            "terraform.tfvars": 'a = "tfvars"\nb = "tfvars"\nc = "tfvars"\nd = "tfvars"\n',
            "1.auto.tfvars": 'b = "auto1"\nc = "auto1"\nd = "auto1"\n',
            "2.auto.tfvars.json": '{"c": "auto2", "d": "auto2"}',
            "extra.tfvars": 'd = "var-file"\n',
        },
    )
    from vpcreach.parsers.terraform.hcl import load_instances

    result = load_instances(str(tmp_path), {}, [str(tmp_path / "extra.tfvars")])
    assert result.instances[0].values["tags"] == {"a": "tfvars", "b": "auto1", "c": "auto2", "d": "var-file"}
    result = load_instances(str(tmp_path), {"d": "cli"}, [str(tmp_path / "extra.tfvars")])
    assert result.instances[0].values["tags"]["d"] == "cli"


def test_missing_var_file_is_an_input_error(tmp_path):
    write(tmp_path, {"main.tf": FUNCTION})
    with pytest.raises(InputError) as exc:
        parse_module(str(tmp_path), {}, [str(tmp_path / "nope.tfvars")])
    assert str(exc.value) == f"{tmp_path / 'nope.tfvars'}: var file not found"
    code, _, err = run_cli("scan", str(tmp_path), "--var-file", str(tmp_path / "nope.tfvars"))
    assert code == 2 and "var file not found" in err and "Traceback" not in err


# --- modules -------------------------------------------------------------------------------------------
def test_local_module_returns_subnet_ids():
    report = scan_json(TF / "module_local_subnets")
    groups = sorted((g["subnet"], tuple(g["functions"])) for g in report["eni_groups"])
    both = ('module.functions["api"].aws_lambda_function.this', 'module.functions["worker"].aws_lambda_function.this')
    assert groups == [("module.network.aws_subnet.private[0]", both), ("module.network.aws_subnet.private[1]", both)]
    needs = {f["resource"]: {n["target"]: n["verdict"] for n in f["needs"]} for f in report["functions"]}
    assert needs == {
        'module.functions["api"].aws_lambda_function.this': {"internet": "reachable"},
        'module.functions["worker"].aws_lambda_function.this': {"sqs": "reachable"},
    }
    (vr202,) = [f for f in report["findings"] if f["rule_id"] == "VR202"]
    assert vr202["resource"] == 'module.functions["worker"].aws_lambda_function.this'
    assert vr202["file"].endswith("module_local_subnets/modules/function/main.tf") and vr202["line"] == 27


def test_module_count_and_outputs_by_index(tmp_path):
    write(
        tmp_path,
        {
            "main.tf": """
                module "net" {
                  source = "./net"
                  count  = 2
                  cidr   = "10.${count.index}.0.0/16"
                }
                resource "aws_security_group" "sg" {
                  vpc_id = module.net[1].vpc_id
                }
            """,
            "net/main.tf": """
                variable "cidr" {}
                resource "aws_vpc" "this" {
                  cidr_block = var.cidr
                }
                output "vpc_id" { value = aws_vpc.this.id }
            """,
        },
    )
    net = parse_module(str(tmp_path), {}, [])
    assert {v.id: v.cidrs_v4 for v in net.of(m.Vpc)} == {
        "module.net[0].aws_vpc.this": ["10.0.0.0/16"],
        "module.net[1].aws_vpc.this": ["10.1.0.0/16"],
    }
    assert net.objects["aws_security_group.sg"].vpc == "module.net[1].aws_vpc.this"


def test_downloaded_module_is_read_from_terraform_modules(tmp_path):
    shutil.copytree(TF / "module_local_subnets" / "modules" / "network", tmp_path / ".terraform" / "modules" / "net")
    write(
        tmp_path,
        {
            "main.tf": """
                module "net" {
                  source  = "example/network/aws"
                  version = "1.0.0"
                  cidr    = "10.30.0.0/16"
                  azs     = ["eu-west-1a", "eu-west-1b"]
                }
                resource "aws_iam_role" "fn" {
                  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]
                }
                # vpcreach:needs=internet
                resource "aws_lambda_function" "fn" {
                  role = aws_iam_role.fn.arn
                  vpc_config {
                    subnet_ids         = module.net.private_subnet_ids
                    security_group_ids = [module.net.lambda_security_group_id]
                  }
                }
            """,
            ".terraform/modules/modules.json": json.dumps(
                {
                    "Modules": [
                        {"Key": "", "Source": "", "Dir": "."},
                        {
                            "Key": "net",
                            "Source": "registry.terraform.io/example/network/aws",
                            "Dir": ".terraform/modules/net",
                        },
                    ]
                }
            ),
        },
    )
    report = scan_json(tmp_path)
    assert findings_of(report, "VR001") == []
    (fn,) = report["functions"]
    assert fn["needs"][0]["verdict"] == "reachable"
    assert "module.net.aws_nat_gateway.this[0]" in fn["needs"][0]["via"]


def test_module_that_calls_itself_is_an_input_error(tmp_path):
    write(tmp_path, {"main.tf": 'module "me" {\n  source = "./"\n}\n'})
    with pytest.raises(InputError) as exc:
        parse_module(str(tmp_path), {}, [])
    assert exc.value.line == 1 and "leads back to itself" in exc.value.message


def test_unknown_count_is_analysed_as_one_instance_and_noted(tmp_path):
    write(
        tmp_path,
        {
            "main.tf": """
                variable "n" { type = number }
                resource "aws_vpc" "v" {
                  count      = var.n
                  cidr_block = "10.0.0.0/16"
                }
            """
        },
    )
    net = parse_module(str(tmp_path), {}, [])
    assert list(net.objects) == ["aws_vpc.v"]
    assert net.unknowns == [
        (
            "aws_vpc.v",
            "analysed as one instance: its count is unknown: variable n has no value (pass --var n=VALUE or a --var-file)",
        )
    ]


# --- annotations ------------------------------------------------------------------------------------------
def test_comment_and_tag_annotations(tmp_path):
    shutil.copy(TF / "vr302_single_az" / "main.tf", tmp_path / "main.tf")
    text = (tmp_path / "main.tf").read_text()
    text = text.replace(
        'resource "aws_lambda_function" "single_subnet_function" {',
        "# Zone-pinned on purpose.\n# vpcreach:ignore=VR302:pinned to one zone for its cache\n"
        'resource "aws_lambda_function" "single_subnet_function" {',
    )
    text = text.replace(
        'resource "aws_lambda_function" "same_zone_function" {',
        'resource "aws_lambda_function" "same_zone_function" {\n  tags = { "vpcreach:needs" = "internet,s3" }',
    )
    (tmp_path / "main.tf").write_text(text)
    report = scan_json(tmp_path)
    (ignored,) = [
        f
        for f in report["findings"]
        if f["resource"] == "aws_lambda_function.single_subnet_function" and f["rule_id"] == "VR302"
    ]
    assert ignored["suppressed"] == "pinned to one zone for its cache"
    same = next(f for f in report["functions"] if f["resource"] == "aws_lambda_function.same_zone_function")
    assert {(n["target"], n["origin"]) for n in same["needs"]} == {("internet", "declared"), ("s3", "declared")}


def test_comment_separated_by_a_blank_line_is_not_an_annotation(tmp_path):
    write(
        tmp_path,
        {
            "main.tf": """
                # vpcreach:needs=internet

                resource "aws_lambda_function" "fn" {
                  vpc_config {
                    subnet_ids         = ["subnet-1"]
                    security_group_ids = ["sg-1"]
                  }
                }
            """
        },
    )
    (fn,) = parse_module(str(tmp_path), {}, []).of(m.Function)
    assert fn.declared_needs == []


# --- dependencies -------------------------------------------------------------------------------------------
def test_depends_on_a_module_covers_the_policy_inside_it(tmp_path):
    shutil.copy(TF / "vr308_policy_without_depends_on" / "main.tf", tmp_path / "main.tf")
    report = scan_json(tmp_path)
    assert findings_of(report, "VR308") == [("VR308", "aws_lambda_function.api_function", 84)]
    text = (tmp_path / "main.tf").read_text()
    start = text.index('resource "aws_iam_role_policy" "eni_policy"')
    end = text.index('resource "aws_lambda_function" "api_function"')
    policy = text[start:end].replace("aws_iam_role.function_role.name", "var.role_name")
    write(tmp_path, {"iam/main.tf": 'variable "role_name" {}\n' + policy})
    text = (
        text[:start]
        + 'module "iam" {\n  source    = "./iam"\n  role_name = aws_iam_role.function_role.name\n}\n\n'
        + text[end:]
    )
    (tmp_path / "main.tf").write_text(text)
    report = scan_json(tmp_path)
    (vr308,) = [f for f in report["findings"] if f["rule_id"] == "VR308"]
    assert "module.iam.aws_iam_role_policy.eni_policy" in vr308["message"]
    text = text.replace(
        "    security_group_ids = [aws_security_group.function_security_group.id]\n  }\n}",
        "    security_group_ids = [aws_security_group.function_security_group.id]\n  }\n\n  depends_on = [module.iam]\n}",
    )
    (tmp_path / "main.tf").write_text(text)
    assert findings_of(scan_json(tmp_path), "VR308") == []


def test_depends_on_on_a_module_call_applies_to_everything_in_it(tmp_path):
    text = (TF / "vr308_policy_without_depends_on" / "main.tf").read_text()
    start = text.index('resource "aws_lambda_function" "api_function"')
    function = text[start:].replace("aws_iam_role.function_role.arn", "var.role_arn")
    function = function.replace(
        "aws_subnet.private_subnet_a.id, aws_subnet.private_subnet_b.id", "var.subnet_ids[0], var.subnet_ids[1]"
    )
    function = function.replace("aws_security_group.function_security_group.id", "var.sg_id")
    write(
        tmp_path, {"fn/main.tf": 'variable "role_arn" {}\nvariable "subnet_ids" {}\nvariable "sg_id" {}\n' + function}
    )
    call = """
module "fn" {
  source     = "./fn"
  role_arn   = aws_iam_role.function_role.arn
  subnet_ids = [aws_subnet.private_subnet_a.id, aws_subnet.private_subnet_b.id]
  sg_id      = aws_security_group.function_security_group.id
%s}
"""
    (tmp_path / "main.tf").write_text(text[:start] + call % "")
    assert findings_of(scan_json(tmp_path), "VR308") == [("VR308", "module.fn.aws_lambda_function.api_function", 4)]
    (tmp_path / "main.tf").write_text(text[:start] + call % "  depends_on = [aws_iam_role_policy.eni_policy]\n")
    assert findings_of(scan_json(tmp_path), "VR308") == []


def test_a_directory_walk_does_not_analyse_a_called_local_module_again_as_a_root(tmp_path):
    shutil.copytree(TF / "module_local_subnets", tmp_path / "app")
    report = scan_json(tmp_path)
    # modules/function alone gives two VR001 (its subnet and security-group variables have no value).
    assert report["sources"] == [str(tmp_path / "app")]
    assert not [f for f in report["findings"] if f["resource"] == "aws_lambda_function.this"]
    # Named on the command line, a module is analysed as its own root.
    alone = scan_json(tmp_path / "app" / "modules" / "function")
    assert findings_of(alone, "VR001") == [
        ("VR001", "aws_lambda_function.this", 27),
        ("VR001", "aws_lambda_function.this", 27),
    ]


def test_modules_of_a_root_that_cannot_be_read_are_analysed_on_their_own(tmp_path):
    shutil.copytree(TF / "module_local_subnets", tmp_path / "app")
    (tmp_path / "app" / "main.tf").write_text('module "network" {\n  source = \n}\n')
    code, out, err = run_cli("scan", str(tmp_path), "--format", "json")
    assert code == 2
    assert err.startswith(f"vpcreach: error: {tmp_path / 'app' / 'main.tf'}:2: invalid HCL")
    assert json.loads(out)["sources"] == [str(tmp_path / "app" / "modules" / d) for d in ("function", "network")]
