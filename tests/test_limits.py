"""Resource limits: oversized, alias-bomb, deeply nested and huge-count inputs are refused fast and clearly.

Each case runs the CLI's `main` in a child process (a libyaml stack overflow would otherwise take pytest
down with it) that has already imported the analyzer and parsers, and times only the scan itself: the
refusal must take under 2 s on top of start-up, exit 2, and say in one line which file and why.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from vpcreach.parsers.errors import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES

pytestmark = pytest.mark.slow  # worst-case inputs, timed in subprocesses

LIMIT_SECONDS = 2.0
DEEP = 100_000

TIMED = textwrap.dedent(
    """
    import json, sys, time, importlib
    for module in ("vpcreach.run", "vpcreach.sources", "vpcreach.parsers.cfn", "vpcreach.analyzer.engine",
                   "vpcreach.analyzer.rules", "vpcreach.parsers.terraform", "vpcreach.parsers.terraform.hcl",
                   "vpcreach.parsers.terraform.plan", "vpcreach.parsers.terraform.aws"):
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    from vpcreach.cli import main
    start = time.perf_counter()
    code = 0
    try:
        main(sys.argv[1:], prog_name="vpcreach")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    print("\\n@@" + json.dumps({"code": code, "seconds": time.perf_counter() - start}))
    """
)


def timed_scan(*args: str) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, seconds spent in the scan) — a crashed child gives its negative signal."""
    env = {**os.environ, "NO_COLOR": "1", "VPCREACH_JOBS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", TIMED, "scan", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    if "\n@@" not in proc.stdout:
        return proc.returncode, proc.stdout, proc.stderr, float("inf")
    out, _, tail = proc.stdout.rpartition("\n@@")
    result = json.loads(tail)
    return result["code"], out, proc.stderr, result["seconds"]


def assert_refused(path: Path, *words: str, extra: tuple[str, ...] = ()) -> str:
    code, out, err, seconds = timed_scan(str(path), *extra)
    assert "Traceback" not in err and "internal error" not in err, err[-3000:]
    assert code == 2, (code, out[-500:], err[-2000:])
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("vpcreach: error: "), lines[0]
    assert path.name in lines[0], f"the message does not name the file: {lines[0]}"
    for word in words:
        assert word in lines[0], f"{word!r} not in: {lines[0]}"
    assert seconds < LIMIT_SECONDS, f"refusing {path.name} took {seconds:.2f} s"
    return lines[0]


def terraform_missing() -> str | None:
    try:
        importlib.import_module("vpcreach.parsers.terraform").parse_module  # noqa: B018
    except (ImportError, AttributeError) as exc:
        return f"the Terraform parser is not importable yet ({exc})"
    return None


needs_terraform = pytest.mark.skipif(terraform_missing() is not None, reason=str(terraform_missing()))


# --- size --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_template_over_the_size_limit_is_refused_before_parsing(tmp_path, suffix):
    path = tmp_path / f"huge{suffix}"
    head = b'{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Description": "' if suffix == ".json" else b"# "
    with open(path, "wb") as fh:
        fh.write(head)
        fh.write(b"x" * (MAX_FILE_BYTES + 1024))
        fh.write(b'"}' if suffix == ".json" else b"\nResources: {}\n")
    assert_refused(path, "MiB")


def test_template_over_the_size_limit_in_a_directory_is_refused(tmp_path):
    (tmp_path / "ok.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"AWSTemplateFormatVersion: '2010-09-09'\n# " + b"y" * (MAX_FILE_BYTES + 1) + b"\n")
    code, _, err, seconds = timed_scan(str(tmp_path))
    assert code == 2 and "big.yaml" in err and len(err.strip().splitlines()) == 1, err
    assert seconds < LIMIT_SECONDS


def test_plan_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "plan.json"
    with open(path, "wb") as fh:
        fh.write(b'{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {}, "x": "')
        fh.write(b"z" * (MAX_FILE_BYTES + 1))
        fh.write(b'"}')
    assert_refused(path, "MiB")


@needs_terraform
def test_terraform_file_over_the_size_limit_is_refused(tmp_path):
    tf = tmp_path / "main.tf"
    with open(tf, "wb") as fh:
        fh.write(b'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
        fh.write(b"# " + b"c" * (MAX_FILE_BYTES + 1) + b"\n")
    assert_refused(tmp_path, extra=())


# --- aliases -----------------------------------------------------------------------------------------------
def _alias_bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("AWSTemplateFormatVersion: '2010-09-09'\n" + _alias_bomb() + "Resources: {}\n")
    assert_refused(path, "alias")


def test_alias_bomb_inside_resources_is_refused_quickly(tmp_path):
    path = tmp_path / "bomb-in-resource.yaml"
    bomb = textwrap.indent(_alias_bomb(), "      ")
    path.write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Metadata:\n"
        f"      bomb:\n{textwrap.indent(bomb, '  ')}    Properties:\n      Handler: x\n"
    )
    assert_refused(path, "alias")


def test_many_small_aliases_below_the_limit_are_fine(tmp_path):
    # Anchors are ordinary YAML: a template sharing one tag list across 50 resources is not a bomb.
    tags = "Tags: &tags [{Key: team, Value: core}, {Key: env, Value: prod}]"
    queues = "\n".join(f"  Q{i}:\n    Type: AWS::SQS::Queue\n    Properties: {{Tags: *tags}}" for i in range(50))
    path = tmp_path / "anchors.yaml"
    path.write_text(f"Metadata: {{{tags}}}\nResources:\n{queues}\n")
    code, _, err, _ = timed_scan(str(path))
    assert code in (0, 1), err


def test_alias_limit_constants_are_what_the_messages_say():
    assert MAX_ALIASES * 1000 == 1_000_000
    assert MAX_DEPTH >= 64  # real templates nest ~20 deep (intrinsics inside properties inside resources)


def test_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "recursive.yaml"
    path.write_text("Resources: &r\n  Loop: *r\n")
    line = assert_refused(path)
    assert "recursive" in line or "nesting" in line or "invalid YAML" in line, line


# --- nesting -----------------------------------------------------------------------------------------------
DEEP_DOCUMENTS = {  # built when a test runs, not at collection
    "flow-sequences.yaml": lambda: "[" * DEEP + "]" * DEEP,
    "flow-mappings.yaml": lambda: "{a: " * DEEP + "1" + "}" * DEEP,
    # Block mappings need one more column per level, so 100,000 levels would be 5 GB; 3,000 are 4.5 MB.
    "block-mappings.yaml": lambda: "".join(" " * i + "a:\n" for i in range(3000)) + " " * 3000 + "b: 1\n",
    "block-sequences.yaml": lambda: "- " * DEEP + "x\n",
    "tags.yaml": lambda: "Resources: " + "!If [c, " * DEEP + "x" + "]" * DEEP + "\n",
    "deep.json": lambda: '{"a": ' * DEEP + "1" + "}" * DEEP,
    "deep-list.json": lambda: "[" * DEEP + "]" * DEEP,
    "strings-hide-brackets.yaml": lambda: 'x: "' + "]" * DEEP + '"\ny: ' + "[" * DEEP + "]" * DEEP + "\n",
}


@pytest.mark.parametrize("name", sorted(DEEP_DOCUMENTS))
def test_nesting_100000_levels_is_refused_without_crashing(tmp_path, name):
    path = tmp_path / name
    path.write_text(DEEP_DOCUMENTS[name]())
    assert_refused(path, "nesting")


def test_nesting_just_under_the_limit_is_parsed(tmp_path):
    depth = MAX_DEPTH // 2 - 10  # every level is a mapping inside a list: two data levels
    path = tmp_path / "deep-ok.yaml"
    path.write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata:\n      x: "
        + "[{a: " * depth
        + "1"
        + "}]" * depth
        + "\n"
    )
    code, _, err, _ = timed_scan(str(path))
    assert code in (0, 1), err


def test_deep_plan_json_is_refused_without_crashing(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(
        '{"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": '
        + '{"a": ' * DEEP
        + "1"
        + "}" * DEEP
        + "}"
    )
    code, _, err, seconds = timed_scan(str(path))
    assert code == 2 and "plan.json" in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert seconds < LIMIT_SECONDS


# --- Terraform expansion -----------------------------------------------------------------------------------
TF_HUGE = {
    "count": 'resource "aws_subnet" "s" {\n  count = 1000000\n  vpc_id = "vpc-1"\n  cidr_block = "10.0.0.0/24"\n}\n',
    "count-expression": (
        'variable "n" {\n  default = 1000000000000\n}\n'
        'resource "aws_security_group" "g" {\n  count = var.n\n  vpc_id = "vpc-1"\n}\n'
    ),
    "for_each": (
        'resource "aws_subnet" "s" {\n  for_each = toset([for i in range(1000000) : tostring(i)])\n'
        '  vpc_id = "vpc-1"\n  cidr_block = "10.0.0.0/24"\n}\n'
    ),
    "range-in-locals": 'locals {\n  xs = range(100000000)\n}\noutput "n" {\n  value = length(local.xs)\n}\n',
    "nested-for": (
        "locals {\n  xs = [for a in range(5000) : [for b in range(5000) : a * b]]\n}\n"
        'output "n" {\n  value = length(local.xs)\n}\n'
    ),
    "lambda-count": (
        'resource "aws_lambda_function" "f" {\n  count = 1000000\n  function_name = "f${count.index}"\n'
        '  role = "arn:aws:iam::123456789012:role/r"\n  vpc_config {\n    subnet_ids = ["subnet-1"]\n'
        '    security_group_ids = ["sg-1"]\n  }\n}\n'
    ),
}


@needs_terraform
@pytest.mark.parametrize("name", sorted(TF_HUGE))
def test_huge_terraform_expansion_is_refused_quickly(tmp_path, name):
    module = tmp_path / name
    module.mkdir()
    (module / "main.tf").write_text(TF_HUGE[name])
    code, _out, err, seconds = timed_scan(str(module))
    assert "Traceback" not in err and "internal error" not in err, err[-3000:]
    assert seconds < LIMIT_SECONDS, f"{name}: took {seconds:.2f} s (exit {code}: {err.strip()[:300]})"
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("vpcreach: error: "), err
        assert name in lines[0] or "main.tf" in lines[0], lines[0]
    else:
        # Values no resource depends on may stay unevaluated; then the scan simply succeeds.
        assert code in (0, 1), (code, err)
        assert name in ("range-in-locals", "nested-for"), f"{name}: a huge count must be refused, got exit {code}"


@needs_terraform
def test_count_of_one_million_names_the_file_and_line(tmp_path):
    (tmp_path / "network.tf").write_text("\n\n" + TF_HUGE["count"])
    line = assert_refused(tmp_path)
    assert "network.tf" in line and "1000000" in line, line


# --- cost per function -------------------------------------------------------------------------------------
def _calls_to_analyse(functions: int) -> int:
    """Python function calls made by parse + analysis of a generated template (deterministic, unlike time)."""
    from fuzz_specs import gen
    from vpcreach.analyzer.engine import analyze
    from vpcreach.parsers.cfn import parse_template
    from vpcreach.parsers.yaml_loader import load_document

    doc = load_document(gen.to_cfn(gen.layout(functions, azs=2, private_per_az=2, security_groups=3)), "t.yaml")
    count = 0

    def hook(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(hook)
    try:
        analyze(parse_template(doc, "t.yaml"))
    finally:
        sys.setprofile(None)
    return count


def test_work_grows_linearly_with_functions_sharing_a_role():
    # Doubling the functions (same network) must not much more than double the work: the walk is per ENI
    # group, and everything else is per function (role grants are read once per role).
    small, large = _calls_to_analyse(100), _calls_to_analyse(200)
    assert large / small < 2.2, f"100 → 200 functions: {small} → {large} calls ({large / small:.2f}×)"
