"""Confinement (issue 12): files a scanned input names are read only inside the scan root.

Each escape an attacker's pull request can try - an absolute path, `~`, `..`, a symlink inside the root
pointing out of it, /proc/self/environ, a FIFO, /dev/zero, file() in a tfvars file, a module source outside
the root, the runner's absolute paths through path.cwd/abspath() - is refused with a reason, and the secret
it aims at appears in no output format. Reads inside the root still work as Terraform's do.

The world built here is not a git work tree, so the scan root is the folder scanned (`repo`); the secret
sits next to it (`outside/`), in the environment (/proc/self/environ) and in `$HOME/.aws/credentials`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import xml.dom.minidom
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_corpus_sweep import run_batch
from vpcreach.graph.model import Unknown
from vpcreach.parsers.errors import InputError
from vpcreach.parsers.terraform.hcl import load_instances

pytestmark = pytest.mark.slow  # every escape in every output format, in subprocesses

SECRET = "hostile-secret-6f1c"
FORMATS = ("text", "json", "sarif", "junit")
FUNCTIONS = (
    "file",
    "filebase64",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "filebase64sha256",
    "filebase64sha512",
    "fileexists",
    "templatefile",
)
REFUSED = ("outside the scan root", "system file", "not a regular file", "home folder")


@dataclass
class World:
    base: Path
    repo: Path  # the scanned folder, and so the scan root
    outside: Path
    home: Path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}\n")
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(f"[default]\naws_secret_access_key = {SECRET}\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("VPCREACH_HOSTILE_SECRET", SECRET)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link_out.txt").symlink_to("../outside/secret.txt")
    (repo / "environ.txt").symlink_to("/proc/self/environ")
    (repo / "zero.txt").symlink_to("/dev/zero")
    (repo / "up").symlink_to("..")
    os.mkfifo(repo / "pipe.txt")
    (repo / "policy.json").write_text(POLICY)
    (repo / "inside_link.json").symlink_to("policy.json")
    return World(tmp_path, repo, outside, home)


POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Resource": "*",
                "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"],
            }
        ],
    }
)

ESCAPES = {
    "absolute": lambda w: str(w.outside / "secret.txt"),
    "home": lambda w: "~/.aws/credentials",
    "dotdot": lambda w: "../outside/secret.txt",
    "symlink_out": lambda w: "link_out.txt",
    "folder_symlink_out": lambda w: "up/outside/secret.txt",
    "proc_environ": lambda w: "/proc/self/environ",
    "symlink_to_proc": lambda w: "environ.txt",
    "fifo": lambda w: "pipe.txt",
    "dev_zero": lambda w: "/dev/zero",
    "symlink_to_dev_zero": lambda w: "zero.txt",
    "virtual_root_dotdot": lambda w: "/…/repo/../outside/secret.txt",
}


def _tags(repo: Path, tags: dict[str, str], scan_root: Path | None = None) -> dict:
    body = "\n".join(f"    {k} = {v}" for k, v in tags.items())
    (repo / "main.tf").write_text(f'resource "aws_vpc" "v" {{\n  tags = {{\n{body}\n  }}\n}}\n')
    result = load_instances(str(repo), {}, [], str(scan_root or repo))
    return result.instances[0].values["tags"]


def _call(fn: str, path: str) -> str:
    return f"templatefile({json.dumps(path)}, {{}})" if fn == "templatefile" else f"{fn}({json.dumps(path)})"


# --- every file function refuses every escape -----------------------------------------------------------
@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_file_functions_refuse_each_escape_with_a_reason(world: World, escape: str) -> None:
    path = ESCAPES[escape](world)
    tags = _tags(world.repo, {fn: _call(fn, path) for fn in FUNCTIONS})
    for fn in FUNCTIONS:
        value = tags[fn]
        assert isinstance(value, Unknown), f"{fn}({path!r}) gave {value!r}"
        assert value.reason.startswith(f"{fn}() is not evaluated: "), value.reason
        assert any(r in value.reason for r in REFUSED), value.reason
        # The reason quotes the path as the configuration wrote it, and nothing of the runner's besides.
        assert SECRET not in value.reason and str(world.base) not in value.reason.replace(path, "")


def test_fileset_lists_nothing_outside_the_root(world: World) -> None:
    (world.repo / "sub").mkdir()
    (world.repo / "sub" / "a.json").write_text("{}")
    tags = _tags(
        world.repo,
        {
            "all": 'jsonencode(fileset(".", "**"))',
            "up": 'jsonencode(fileset("..", "*"))',
            "pattern_up": 'jsonencode(fileset(".", "../outside/*"))',
            "absolute": f'jsonencode(fileset({json.dumps(str(world.outside))}, "*"))',
            "home": 'jsonencode(fileset("~/.aws", "*"))',
            "through_link": 'jsonencode(fileset("up/outside", "*"))',
        },
    )
    # Only regular files inside the root: not the links out, the FIFO, the devices or the folder link's files.
    assert json.loads(tags["all"]) == ["inside_link.json", "main.tf", "policy.json", "sub/a.json"]
    for key in ("up", "pattern_up", "absolute", "home", "through_link"):
        assert isinstance(tags[key], Unknown) and any(r in tags[key].reason for r in REFUSED), (key, tags[key])


def test_tfvars_function_call_is_an_error_line_and_reads_nothing(world: World) -> None:
    (world.repo / "main.tf").write_text('variable "x" {\n  type = string\n}\n')
    (world.repo / "terraform.tfvars").write_text('# values\nx = file("/proc/self/environ")\n')
    with pytest.raises(InputError) as exc:
        load_instances(str(world.repo), {}, [], str(world.repo))
    assert exc.value.file.endswith("terraform.tfvars") and exc.value.line == 2
    assert (
        exc.value.message
        == "x: Function calls not allowed: file() cannot be called here (only literal values are allowed)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = var.y\n", 'x: Variables not allowed: "var" cannot be used here (only literal values are allowed)'),
        (
            'x = "${path.cwd}"\n',
            'x: Variables not allowed: "path" cannot be used here (only literal values are allowed)',
        ),
        (
            'x = upper("a")\n',
            "x: Function calls not allowed: upper() cannot be called here (only literal values are allowed)",
        ),
    ],
)
def test_tfvars_hold_literals_only(world: World, text: str, message: str) -> None:
    # Terraform: "nil because no function calls or variable references are allowed here" (meta_vars.go).
    (world.repo / "main.tf").write_text('variable "x" {\n  type = string\n}\n')
    (world.repo / "a.auto.tfvars").write_text(text)
    with pytest.raises(InputError) as exc:
        load_instances(str(world.repo), {}, [], str(world.repo))
    assert (exc.value.line, exc.value.message) == (1, message)


def test_tfvars_literals_still_work_and_json_strings_stay_literal(world: World) -> None:
    (world.repo / "main.tf").write_text(
        'variable "x" {\n  type = list(string)\n}\nvariable "y" {}\n'
        'resource "aws_vpc" "v" {\n  tags = { x = join(",", var.x), y = var.y }\n}\n'
    )
    (world.repo / "terraform.tfvars").write_text('x = ["a", "${"b"}", 3]\n')
    (world.repo / "terraform.tfvars.json").write_text(json.dumps({"y": '${file("/proc/self/environ")}'}))
    tags = load_instances(str(world.repo), {}, [], str(world.repo)).instances[0].values["tags"]
    assert tags == {"x": "a,b,3", "y": '${file("/proc/self/environ")}'}


def test_a_var_file_named_on_the_command_line_is_literal_only_too(world: World) -> None:
    (world.repo / "main.tf").write_text('variable "x" {}\n')
    (world.base / "extra.tfvars").write_text('x = file("../outside/secret.txt")\n')
    with pytest.raises(InputError) as exc:
        load_instances(str(world.repo), {}, [str(world.base / "extra.tfvars")], str(world.repo))
    assert "Function calls not allowed" in exc.value.message


def test_a_variable_default_cannot_read_a_file(world: World) -> None:
    (world.repo / "main.tf").write_text(
        'variable "x" {\n  default = file("policy.json")\n}\nresource "aws_vpc" "v" {\n  tags = { x = var.x }\n}\n'
    )
    value = load_instances(str(world.repo), {}, [], str(world.repo)).instances[0].values["tags"]["x"]
    assert isinstance(value, Unknown) and "Function calls not allowed" in value.reason


def test_tf_and_tfvars_files_linked_from_outside_are_not_read(world: World) -> None:
    (world.outside / "leak.tf").write_text(f'locals {{\n  leak = "{SECRET}"\n}}\n')
    (world.repo / "main.tf").write_text('resource "aws_vpc" "v" {\n  tags = { x = local.leak }\n}\n')
    (world.repo / "extra.tf").symlink_to("../outside/leak.tf")
    with pytest.raises(InputError) as exc:
        load_instances(str(world.repo), {}, [], str(world.repo))
    assert exc.value.file.endswith("extra.tf") and "outside the scan root" in exc.value.message
    (world.repo / "extra.tf").unlink()
    (world.repo / "terraform.tfvars").symlink_to(world.home / ".aws" / "credentials")
    with pytest.raises(InputError) as exc:
        load_instances(str(world.repo), {}, [], str(world.repo))
    assert exc.value.file.endswith("terraform.tfvars") and "outside the scan root" in exc.value.message
    assert SECRET not in str(exc.value)


# --- modules ---------------------------------------------------------------------------------------------
def _outside_module(world: World) -> None:
    module = world.outside / "module"
    module.mkdir()
    (module / "main.tf").write_text(
        f'output "id" {{\n  value = "{SECRET}"\n}}\nresource "aws_vpc" "hidden" {{\n  cidr_block = "10.0.0.0/16"\n}}\n'
    )


def test_local_module_source_outside_the_root_is_not_followed(world: World) -> None:
    _outside_module(world)
    (world.repo / "modules").mkdir()
    (world.repo / "modules" / "link").symlink_to(world.outside / "module")
    (world.repo / "main.tf").write_text(
        'module "up" {\n  source = "../outside/module"\n}\n'
        'module "linked" {\n  source = "./modules/link"\n}\n'
        'resource "aws_vpc" "v" {\n  tags = { up = module.up.id, linked = module.linked.id }\n}\n'
    )
    result = load_instances(str(world.repo), {}, [], str(world.repo))
    assert [i.address for i in result.instances] == ["aws_vpc.v"]  # not module.up.aws_vpc.hidden
    tags = result.instances[0].values["tags"]
    assert (
        tags["up"].reason
        == "module module.up comes from ../outside/module, outside the scan root; vpcreach does not read it"
    )
    assert "outside the scan root" in tags["linked"].reason
    assert dict(result.notes)["module.up"] == tags["up"].reason
    assert result.module_dirs == []


def test_downloaded_module_outside_the_root_is_not_followed(world: World) -> None:
    _outside_module(world)
    modules = world.repo / ".terraform" / "modules"
    modules.mkdir(parents=True)
    (modules / "modules.json").write_text(
        json.dumps({"Modules": [{"Key": "vpc", "Source": "terraform-aws-modules/vpc/aws", "Dir": "../outside/module"}]})
    )
    (world.repo / "main.tf").write_text(
        'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'
        'resource "aws_vpc" "v" {\n  tags = { id = module.vpc.id }\n}\n'
    )
    result = load_instances(str(world.repo), {}, [], str(world.repo))
    assert [i.address for i in result.instances] == ["aws_vpc.v"]
    reason = result.instances[0].values["tags"]["id"].reason
    assert reason == (
        "module module.vpc (terraform-aws-modules/vpc/aws) was downloaded to ../outside/module, "
        "outside the scan root; vpcreach does not read it"
    )


def test_a_modules_json_fifo_is_not_read(world: World) -> None:
    modules = world.repo / ".terraform" / "modules"
    modules.mkdir(parents=True)
    os.mkfifo(modules / "modules.json")  # reading it would block forever
    (world.repo / "main.tf").write_text('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n')
    assert load_instances(str(world.repo), {}, [], str(world.repo)).instances == []


# --- reads inside the root still work -------------------------------------------------------------------
def test_file_functions_read_inside_the_root(world: World) -> None:
    data = POLICY.encode()
    (world.repo / "tpl.json").write_text('{"name": "${name}", "n": ${length(items)}}')
    tags = _tags(
        world.repo,
        {
            "file": 'file("policy.json")',
            "through_link": 'file("inside_link.json")',
            "via_virtual_path": 'file(abspath("policy.json"))',
            "via_cwd": 'file("${path.cwd}/policy.json")',
            "base64": 'filebase64("policy.json")',
            "md5": 'filemd5("policy.json")',
            "sha1": 'filesha1("policy.json")',
            "sha256": 'filesha256("policy.json")',
            "sha512": 'filesha512("policy.json")',
            "b64sha256": 'filebase64sha256("policy.json")',
            "b64sha512": 'filebase64sha512("policy.json")',
            "exists": 'fileexists("policy.json")',
            "missing": 'fileexists("nope.json")',
            "template": 'templatefile("tpl.json", { name = "app", items = [1, 2] })',
            "no_file": 'try(file("nope.json"), "fallback")',
        },
    )
    assert tags["file"] == tags["through_link"] == tags["via_virtual_path"] == tags["via_cwd"] == POLICY
    assert tags["base64"] == base64.b64encode(data).decode()
    assert tags["md5"] == hashlib.md5(data).hexdigest()
    assert tags["sha1"] == hashlib.sha1(data).hexdigest()
    assert tags["sha256"] == hashlib.sha256(data).hexdigest()
    assert tags["sha512"] == hashlib.sha512(data).hexdigest()
    assert tags["b64sha256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert tags["b64sha512"] == base64.b64encode(hashlib.sha512(data).digest()).decode()
    assert (tags["exists"], tags["missing"]) == (True, False)
    assert tags["template"] == '{"name": "app", "n": 2}'
    assert tags["no_file"] == "fallback"  # Terraform fails on a missing file, so try() moves on


def test_a_missing_file_names_the_path_as_written_not_the_runners(world: World) -> None:
    (world.repo / "main.tf").write_text('resource "aws_vpc" "v" {\n  tags = { x = file("${path.cwd}/nope.json") }\n}\n')
    value = load_instances(str(world.repo), {}, [], str(world.repo)).instances[0].values["tags"]
    assert isinstance(value, Unknown)
    assert value.reason.endswith('could not be evaluated: no file exists at "/…/repo/nope.json"')
    assert str(world.base) not in value.reason


def test_templatefile_cannot_call_itself(world: World) -> None:
    (world.repo / "loop.tpl").write_text('${templatefile("loop.tpl", {})}')
    value = _tags(world.repo, {"x": 'try(templatefile("loop.tpl", {}), "refused")'})["x"]
    assert value == "refused"


def test_fileset_follows_terraforms_pattern_syntax(world: World) -> None:
    files = world.repo / "files"
    (files / "sub").mkdir(parents=True)
    for name in ("hello.txt", "world.txt", "other.json", "sub/anotherfile.txt"):
        (files / name).write_text("x")
    tags = _tags(
        world.repo,
        {
            # The examples of Terraform's fileset documentation, and the other pattern forms.
            "star": 'jsonencode(fileset("files", "*.txt"))',
            "braces": 'jsonencode(fileset(".", "files/{hello,world}.txt"))',
            "doublestar": 'jsonencode(fileset("files", "**"))',
            "deep": 'jsonencode(fileset(".", "**/*.txt"))',
            "class": 'jsonencode(fileset("files", "[h-w]*.txt"))',
            "negated": 'jsonencode(fileset("files", "[^h]*"))',
            "one": 'jsonencode(fileset("files", "?ello.txt"))',
            "missing_folder": 'jsonencode(fileset("nope", "*"))',
        },
    )
    assert json.loads(tags["star"]) == ["hello.txt", "world.txt"]
    assert json.loads(tags["braces"]) == ["files/hello.txt", "files/world.txt"]
    assert json.loads(tags["doublestar"]) == ["hello.txt", "other.json", "sub/anotherfile.txt", "world.txt"]
    assert json.loads(tags["deep"]) == ["files/hello.txt", "files/sub/anotherfile.txt", "files/world.txt"]
    assert json.loads(tags["class"]) == ["hello.txt", "world.txt"]
    assert json.loads(tags["negated"]) == ["other.json", "world.txt"]
    assert json.loads(tags["one"]) == ["hello.txt"]
    assert json.loads(tags["missing_folder"]) == []


def test_fileset_patterns_cannot_backtrack(world: World) -> None:
    deep = world.repo / "/".join("a" * 40)
    deep.mkdir(parents=True)
    (deep / "b").write_text("x")
    pattern = "/".join(["**", "*"] * 20) + "/x"  # a backtracking matcher takes exponential time here
    value = _tags(world.repo, {"x": f'jsonencode(fileset(".", "{pattern}"))'})["x"]
    assert value == "[]"


# --- path values ---------------------------------------------------------------------------------------
def test_path_values_are_terraforms_without_the_runners_folders(world: World) -> None:
    net = world.repo / "modules" / "net"
    net.mkdir(parents=True)
    (net / "main.tf").write_text(
        'output "where" {\n  value = [path.module, path.root, path.cwd, abspath(path.module)]\n}\n'
    )
    (world.repo / "net.tf").write_text('module "net" {\n  source = "./modules/net"\n}\n')
    tags = _tags(
        world.repo,
        {
            "module": "path.module",
            "root": "path.root",
            "cwd": "path.cwd",
            "abspath": "abspath(path.module)",
            "abspath_up": 'abspath("../..")',
            "abspath_absolute": 'abspath("/etc/../usr")',
            "home": 'pathexpand("~/.aws")',
            "no_home": 'pathexpand("a/b")',
            "child": "jsonencode(module.net.where)",
        },
    )
    assert (tags["module"], tags["root"], tags["cwd"], tags["abspath"]) == (".", ".", "/…/repo", "/…/repo")
    assert (tags["abspath_up"], tags["abspath_absolute"], tags["no_home"]) == ("/", "/usr", "a/b")
    assert isinstance(tags["home"], Unknown) and "home folder" in tags["home"].reason
    assert json.loads(tags["child"]) == ["modules/net", ".", "/…/repo", "/…/repo/modules/net"]


def test_the_virtual_root_is_the_scan_roots_name(world: World) -> None:
    infra = world.repo / "infra"
    infra.mkdir()
    tags = _tags(infra, {"cwd": "path.cwd", "root": "abspath(path.root)"}, scan_root=world.repo)
    assert tags == {"cwd": "/…/repo/infra", "root": "/…/repo/infra"}


def _module_with_policy_file(top: Path) -> Path:
    """A root module in top/infra/tf whose child module reads its IAM policy with file("${path.module}/...")."""
    root = top / "infra" / "tf"
    module = root / "modules" / "fn"
    module.mkdir(parents=True)
    (module / "policy.json").write_text(POLICY)
    (module / "main.tf").write_text(
        'variable "subnets" {}\nvariable "sg" {}\n'
        'resource "aws_iam_role" "role" {\n  assume_role_policy = "{}"\n}\n'
        'resource "aws_iam_role_policy" "eni" {\n  role   = aws_iam_role.role.name\n'
        '  policy = file("${path.module}/policy.json")\n}\n'
        'resource "aws_lambda_function" "fn" {\n  function_name = "fn"\n  role = aws_iam_role.role.arn\n'
        '  handler = "index.handler"\n  runtime = "python3.12"\n  filename = "fn.zip"\n'
        "  vpc_config {\n    subnet_ids = var.subnets\n    security_group_ids = [var.sg]\n  }\n}\n"
    )
    (root / "main.tf").write_text(
        NETWORK + 'module "fn" {\n  source  = "./modules/fn"\n'
        "  subnets = [aws_subnet.a.id, aws_subnet.b.id]\n  sg = aws_security_group.sg.id\n}\n"
    )
    return root


NETWORK = """resource "aws_vpc" "vpc" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.vpc.id
  cidr_block        = "10.0.1.0/24"
  availability_zone = "us-east-1a"
}
resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.vpc.id
  cidr_block        = "10.0.2.0/24"
  availability_zone = "us-east-1b"
}
resource "aws_security_group" "sg" {
  vpc_id = aws_vpc.vpc.id
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def test_results_do_not_depend_on_how_the_path_is_spelled(tmp_path: Path) -> None:
    """Issue 14 item 7: path.module was joined twice when the scanned path was relative, so the policy
    read with file("${path.module}/...") was lost and VR308 vanished."""
    root = _module_with_policy_file(tmp_path)
    jobs = [
        {"cwd": str(tmp_path), "args": ["scan", "infra/tf", "--format", "json"]},
        {"cwd": str(tmp_path), "args": ["scan", str(root), "--format", "json"]},
        {"cwd": str(root), "args": ["scan", ".", "--format", "json"]},
        {"cwd": str(root / "modules"), "args": ["scan", "..", "--format", "json"]},
        {"cwd": str(tmp_path / "infra"), "args": ["scan", "./tf/", "--format", "json"]},
    ]
    seen = []
    for proc in run_batch(jobs):
        assert proc.returncode == 1, proc.stderr
        seen.append(sorted((f["rule_id"], f["resource"], f["message"]) for f in json.loads(proc.stdout)["findings"]))
    assert all(s == seen[0] for s in seen)
    assert ("VR308", "module.fn.aws_lambda_function.fn") in {(r, res) for r, res, _ in seen[0]}
    assert not [s for s in seen[0] if s[0] == "VR001"]


# --- end to end: every output format, the secret nowhere ----------------------------------------------------
LAMBDA = """resource "aws_lambda_function" "leak" {{
  function_name = "leak"
  role          = "arn:aws:iam::123456789012:role/x"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  vpc_config {{
    subnet_ids         = [{subnets}]
    security_group_ids = ["sg-0123456789abcdef0"]
  }}
}}
"""


def _scan_everywhere(world: World, folder: Path, runner_paths_shown: bool = False) -> dict:
    """Scan `folder` in every format with the secret in the environment and in ~/.aws: no format shows it,
    nor (unless the configuration itself spells one) the runner's folder."""
    target = os.path.relpath(folder, world.base)  # as a CI job names it: relative to its checkout
    jobs = [{"cwd": str(world.base), "args": ["scan", target, "--format", fmt]} for fmt in FORMATS]
    env = {"HOME": str(world.home), "VPCREACH_HOSTILE_SECRET": SECRET}
    runs = dict(zip(FORMATS, run_batch(jobs, env=env, timeout=60)))
    for fmt, proc in runs.items():
        output = proc.stdout + proc.stderr
        assert proc.returncode != -14, f"{fmt}: still running after 60 s"
        assert "Traceback" not in output and "internal error" not in output, proc.stderr
        assert SECRET not in output, f"{fmt} shows the secret"
        assert base64.b64encode(f"{SECRET}\n".encode()).decode() not in output
        if not runner_paths_shown:
            # (SARIF's originalUriBaseIds names the folder vpcreach ran in, by design of that format.)
            sarif = fmt == "sarif" and proc.stdout.strip()
            shown = json.dumps(json.loads(proc.stdout)["runs"][0]["results"]) if sarif else proc.stdout
            assert str(world.base) not in shown, f"{fmt} shows the runner's folder"
        if fmt in ("json", "sarif") and proc.stdout.strip():
            json.loads(proc.stdout)
        if fmt == "junit" and proc.stdout.strip():
            xml.dom.minidom.parseString(proc.stdout.encode())
    return runs


def test_every_escape_is_refused_in_every_output_format(world: World) -> None:
    reads = [f"file({json.dumps(ESCAPES[e](world))})" for e in sorted(ESCAPES)]
    reads += ['filebase64("../outside/secret.txt")', 'templatefile("environ.txt", {})', "abspath(path.module)"]
    (world.repo / "main.tf").write_text(LAMBDA.format(subnets=", ".join(reads)))
    # The absolute escape spells the outside folder in the configuration, and its reason quotes it.
    runs = _scan_everywhere(world, world.repo, runner_paths_shown=True)
    proc = runs["json"]
    assert proc.returncode in (0, 1), proc.stderr
    reasons = [f["message"] for f in json.loads(proc.stdout)["findings"] if f["rule_id"] == "VR001"]
    for escape in ESCAPES:
        quoted = json.dumps(ESCAPES[escape](world), ensure_ascii=False)
        assert any(f"file() is not evaluated: {quoted}" in r for r in reasons), (escape, reasons)
    assert (
        "aws_lambda_function.leak: subnet /…/repo is not defined in the source, so its route table and network ACL "
        "are unknown" in reasons
    )


def test_tfvars_file_call_is_one_error_line_in_every_format(world: World) -> None:
    (world.repo / "main.tf").write_text('variable "s" {}\n' + LAMBDA.format(subnets="var.s"))
    (world.repo / "terraform.tfvars").write_text('s = file("/proc/self/environ")\n')
    for fmt, proc in _scan_everywhere(world, world.repo).items():
        assert proc.returncode == 2, fmt
        assert proc.stderr.strip().splitlines() == [
            "vpcreach: error: repo/terraform.tfvars:1: s: Function calls not allowed: "
            "file() cannot be called here (only literal values are allowed)"
        ], fmt


def test_module_outside_the_root_is_vr001_in_every_format(world: World) -> None:
    _outside_module(world)
    (world.repo / "main.tf").write_text(
        'module "up" {\n  source = "../outside/module"\n}\n' + LAMBDA.format(subnets="module.up.id")
    )
    runs = _scan_everywhere(world, world.repo)
    report = json.loads(runs["json"].stdout)
    assert (
        "aws_lambda_function.leak: subnets: module module.up comes from ../outside/module, outside the scan root; "
        "vpcreach does not read it"
    ) in [f["message"] for f in report["findings"]]
    assert {"resource": "module.up", "reason": report["unknowns"][0]["reason"]} in report["unknowns"]


def test_config_cannot_widen_the_scan_root(world: World) -> None:
    (world.repo / "main.tf").write_text(LAMBDA.format(subnets=f"file({json.dumps(str(world.outside / 'secret.txt'))})"))
    for root in ("/", "..", "../outside"):
        (world.repo / ".vpcreach.toml").write_text(f"root = {json.dumps(root)}\n")
        for fmt, proc in _scan_everywhere(world, world.repo, runner_paths_shown=True).items():
            assert proc.returncode == 2, (root, fmt)
            assert proc.stderr.strip().endswith(
                f"root {root!r} is outside the repository holding this config; "
                "a wider scan root can only be given with --root or --config"
            )
    (world.repo / "sub").mkdir()
    (world.repo / "main.tf").rename(world.repo / "sub" / "main.tf")
    (world.repo / ".vpcreach.toml").write_text('root = "sub"\n')  # narrowing is fine
    runs = _scan_everywhere(world, world.repo / "sub", runner_paths_shown=True)  # main.tf spells it
    assert runs["json"].returncode in (0, 1), runs["json"].stderr
    assert "is outside the scan root" in runs["text"].stdout


def test_command_line_root_may_widen_the_scan_root(world: World) -> None:
    """--root is the runner's own choice: with it, a file next to the scanned folder may be read."""
    (world.base / "shared.json").write_text(POLICY)
    (world.repo / "main.tf").write_text('resource "aws_vpc" "v" {\n  tags = { x = file("../shared.json") }\n}\n')
    tags = load_instances(str(world.repo), {}, [], str(world.base)).instances[0].values["tags"]
    assert tags["x"] == POLICY


# --- CloudFormation reads no file ---------------------------------------------------------------------------
def test_cloudformation_include_reads_nothing_and_says_so(world: World) -> None:
    (world.outside / "snippet.yaml").write_text(
        f"Leak:\n  Type: AWS::Lambda::Function\n  Properties:\n    VpcConfig:\n      SubnetIds: [{SECRET}]\n"
    )
    (world.repo / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Transform:\n  Name: AWS::Include\n  Parameters:\n    Location: /proc/self/environ\n"
        "Resources:\n"
        "  Fn::Transform:\n    Name: AWS::Include\n    Parameters:\n      Location: ../outside/snippet.yaml\n"
        "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: arn:aws:iam::123456789012:role/x\n"
        "      VpcConfig:\n        SecurityGroupIds: [sg-1]\n        SubnetIds:\n"
        "          Fn::Transform:\n            Name: AWS::Include\n            Parameters:\n"
        "              Location: ../outside/snippet.yaml\n"
    )
    runs = _scan_everywhere(world, world.repo / "template.yaml")
    report = json.loads(runs["json"].stdout)
    unknowns = {(u["resource"], u["reason"]) for u in report["unknowns"]}
    assert (
        "Transform",
        "AWS::Include from /proc/self/environ adds template content when CloudFormation deploys it; vpcreach does not read it",
    ) in unknowns
    assert (
        "Resources",
        "AWS::Include from ../outside/snippet.yaml adds template content when CloudFormation deploys it; vpcreach does not read it",
    ) in unknowns
    assert "Fn: subnets: value computed at deploy time" in {f["message"] for f in report["findings"]}
