"""Bad Terraform input: one clear line naming the file and line, exit code 2, never a traceback, and
huge expansions refused quickly."""

from __future__ import annotations

import shutil
import time

import pytest
from conftest import FIXTURES, run_cli
from vpcreach.parsers.errors import InputError
from vpcreach.parsers.terraform import parse_module


def input_error(tmp_path, text: str, name: str = "main.tf") -> InputError:
    (tmp_path / name).write_bytes(text.encode() if isinstance(text, str) else text)
    with pytest.raises(InputError) as exc:
        parse_module(str(tmp_path), {}, [])
    return exc.value


def test_broken_hcl_names_file_and_line(tmp_path):
    error = input_error(tmp_path, 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n  tags = {\n')
    assert (error.file, error.line) == (str(tmp_path / "main.tf"), 4)
    assert error.message == "invalid HCL: unexpected end of file at column 1"
    code, out, err = run_cli("scan", str(tmp_path))
    assert code == 2
    assert err.strip() == f"vpcreach: error: {tmp_path / 'main.tf'}:4: invalid HCL: unexpected end of file at column 1"
    assert "Traceback" not in out + err


def test_unexpected_token_is_quoted(tmp_path):
    error = input_error(tmp_path, "locals {\n  a = [1, 2\n  b = 3\n}\n")
    assert error.line == 3 and error.message.startswith("invalid HCL: unexpected 'b'")


def test_attribute_defined_twice(tmp_path):
    error = input_error(tmp_path, 'resource "aws_vpc" "v" {\n  cidr_block = "a"\n  cidr_block = "b"\n}\n')
    assert (error.line, error.message) == (3, 'attribute "cidr_block" is defined twice (first at line 2)')


def test_resource_declared_twice_across_files(tmp_path):
    (tmp_path / "a.tf").write_text('resource "aws_vpc" "v" {}\n')
    error = input_error(tmp_path, 'resource "aws_vpc" "v" {}\n', "b.tf")
    assert (error.file, error.line, error.message) == (
        str(tmp_path / "b.tf"),
        1,
        "resource aws_vpc.v is declared twice (first at a.tf:1)",
    )


def test_not_utf8(tmp_path):
    error = input_error(tmp_path, b'locals {\n  a = "\xff"\n}\n')
    assert (error.line, error.message) == (2, "not UTF-8 text")


def test_directory_without_terraform_files(tmp_path):
    with pytest.raises(InputError) as exc:
        parse_module(str(tmp_path), {}, [])
    assert exc.value.message == "no .tf files in this directory"


def test_huge_count_is_refused_quickly(tmp_path):
    start = time.monotonic()
    error = input_error(tmp_path, 'resource "aws_subnet" "s" {\n  count = 1000000\n}\n')
    assert time.monotonic() - start < 5
    assert (error.line, error.message) == (
        2,
        "count = 1000000 on aws_subnet.s asks for more instances than vpcreach expands (10000)",
    )


def test_huge_for_each_is_refused(tmp_path):
    error = input_error(
        tmp_path,
        'resource "aws_subnet" "s" {\n  for_each = toset([for i in range(20000) : tostring(i)])\n}\n',
    )
    assert error.line == 2
    assert error.message == "for_each on aws_subnet.s has 20000 elements, more instances than vpcreach expands (10000)"


def test_huge_range_is_refused(tmp_path):
    error = input_error(
        tmp_path, 'locals {\n  big = range(100000000)\n}\nresource "aws_vpc" "v" {\n  tags = local.big\n}\n'
    )
    assert error.line == 2
    assert error.message == "range() would have 100000000 elements, more than vpcreach evaluates (100000)"


def test_instances_are_capped_in_total(tmp_path):
    text = "".join(f'resource "aws_subnet" "s{i}" {{\n  count = 4000\n}}\n' for i in range(3))
    error = input_error(tmp_path, text)
    assert "past 10000 instances" in error.message and error.line == 7


def test_corpus_style_duplicate_attribute_through_the_cli(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_security_group" "x" {\n  ingress = {}\n  ingress = {}\n}\n')
    code, _, err = run_cli("scan", str(tmp_path))
    assert code == 2
    assert err.strip() == (
        f'vpcreach: error: {tmp_path / "main.tf"}:3: attribute "ingress" is defined twice (first at line 2)'
    )


def test_doubling_strings_are_refused(tmp_path):
    text = 'locals {\n  l0 = "ab"\n'
    text += "".join(f'  l{i} = "${{local.l{i - 1}}}${{local.l{i - 1}}}"\n' for i in range(1, 60))
    text += '}\nresource "aws_vpc" "v" {\n  tags = { n = local.l59 }\n}\n'
    error = input_error(tmp_path, text)
    assert error.line == 21
    assert error.message == (
        "a string template would build a string of 1048576 characters, more than vpcreach evaluates (1000000)"
    )


def test_reference_cycles_are_unknown_not_a_hang(tmp_path):
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = local.b\n  b = local.a\n}\nresource "aws_vpc" "v" {\n  cidr_block = local.a\n}\n'
    )
    from vpcreach.graph import model as m

    (vpc,) = parse_module(str(tmp_path), {}, []).of(m.Vpc)
    (cidr,) = vpc.cidrs_v4
    assert isinstance(cidr, m.Unknown) and "refers to itself" in cidr.reason


PROVIDER = 'provider "aws" {\n  region = "eu-west-2"\n}\n'


def test_a_root_with_only_a_provider_points_at_the_terraform_below_it(tmp_path):
    (tmp_path / "provider.tf").write_text(PROVIDER)
    for env in ("dev", "prod"):
        (tmp_path / "environments" / env).mkdir(parents=True)
        shutil.copy(FIXTURES / "terraform" / "example_private_nat" / "main.tf", tmp_path / "environments" / env)
    code, out, err = run_cli("scan", str(tmp_path))
    assert (code, out) == (0, "summary: 0 errors, 0 warnings, 0 infos\n")
    assert err == (
        f"vpcreach: note: {tmp_path} declares no resource vpcreach reads, and its subdirectories hold Terraform "
        f"(environments/dev, environments/prod); if those are root modules, scan them: "
        f"vpcreach scan {tmp_path / 'environments' / 'dev'}\n"
    )
    code, _, err = run_cli("scan", str(tmp_path / "environments" / "dev"))
    assert (code, err) == (1, "")
    # Folders the same scan analyses are not suggested again.
    envs = [str(tmp_path / "environments" / env) for env in ("dev", "prod")]
    assert run_cli("scan", str(tmp_path), *envs)[2] == ""
    code, _, err = run_cli("scan", str(tmp_path), envs[0])
    assert (
        err.startswith(f"vpcreach: note: {tmp_path} declares no resource vpcreach reads")
        and "(environments/prod)" in err
    )


def test_no_hint_for_a_root_that_declares_resources_or_has_nothing_below(tmp_path):
    shutil.copy(FIXTURES / "terraform" / "example_private_nat" / "main.tf", tmp_path)
    (tmp_path / "modules" / "x").mkdir(parents=True)
    (tmp_path / "modules" / "x" / "main.tf").write_text(PROVIDER)
    assert run_cli("scan", str(tmp_path))[2] == ""
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "provider.tf").write_text(PROVIDER)
    # Nothing below either: the one note is that nothing was checked (tests/test_empty_scan.py).
    assert run_cli("scan", str(empty)) == (
        0,
        "summary: 0 errors, 0 warnings, 0 infos\n",
        f"vpcreach: note: no Lambda function in the 1 input(s) read under {empty}: nothing was checked\n",
    )
