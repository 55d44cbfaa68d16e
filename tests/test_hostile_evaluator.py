"""Hostile Terraform for the evaluator: every resource is bounded before it is spent (issue 12, Bounds).

Each case evaluates `input = <expression>` of a scratch module in a child process limited to 1 GiB of address
space, with a 20 s timeout as a guard only (the real figures are in bench/hostile_evaluator.py). The child
either gets a value, typically an Unknown saying why, or the LimitError that `vpcreach scan` turns into one
line and exit 2. Before these bounds, each case hung, ran out of memory, crashed with a traceback, or gave a
value Terraform would not (Python's regex dialect, NaN).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TIMEOUT = 20
MEMORY = 1 << 30

CHILD = textwrap.dedent(
    """
    import json, sys
    from vpcreach.parsers.terraform.expressions import LimitError
    from vpcreach.parsers.terraform.hcl import load_instances

    sys.setrecursionlimit(8000)  # as `vpcreach scan` sets it
    try:
        result = load_instances(sys.argv[1], {}, [])
        value = next(i for i in result.instances if i.address == sys.argv[2]).values["input"]
        out = {"value": repr(value)[:3000], "limit": None}
    except LimitError as exc:
        out = {"value": None, "limit": exc.message}
    # VmHWM, not ru_maxrss: ru_maxrss survives execve, so the child would report pytest's own peak.
    with open("/proc/self/status") as fh:
        hwm = next(line for line in fh if line.startswith("VmHWM:"))
    out["rss_mb"] = int(hwm.split()[1]) // 1024
    print(json.dumps(out))
    """
)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def evaluate(
    tmp_path: Path, expr: str, prelude: str = "", files: dict[str, str] | None = None, count: int | None = None
) -> dict:
    """The child's verdict on `input = expr` (of the first instance when `count` is given):
    {"value": repr or None, "limit": LimitError message or None, "rss_mb": peak resident memory}."""
    module = tmp_path / "module"
    module.mkdir(exist_ok=True)
    meta = f"  count = {count}\n" if count is not None else ""
    (module / "main.tf").write_text(f'{prelude}\nresource "terraform_data" "t" {{\n{meta}  input = {expr}\n}}\n')
    for name, text in (files or {}).items():
        (module / name).write_text(text)
    address = "terraform_data.t" if count is None else "terraform_data.t[0]"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(module), address],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"evaluating {expr[:80]!r} did not finish in {TIMEOUT} s")
    assert proc.returncode == 0 and proc.stdout.strip(), f"the child failed ({proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def assert_refused(verdict: dict, *words: str) -> None:
    """A LimitError: one short line naming the limit."""
    assert verdict["limit"] is not None, f"expected a limit, got the value {verdict['value']}"
    assert len(verdict["limit"]) < 300 and "\n" not in verdict["limit"], verdict["limit"]
    for word in words:
        assert word in verdict["limit"], verdict["limit"]


def assert_unknown(verdict: dict, *words: str) -> None:
    """An Unknown whose reason says why."""
    value = verdict["value"]
    assert value is not None and value.startswith(("Unknown(", "Derived(")), f"expected an Unknown, got {verdict}"
    for word in words:
        assert word in value, value


def dag(name: str, depth: int, leaf: str = '"x"') -> str:
    """Locals each listing the previous one twice: 2^depth leaves, depth + 1 distinct lists."""
    lines = [f"  {name}0 = [{leaf}]"]
    lines += [f"  {name}{i} = [local.{name}{i - 1}, local.{name}{i - 1}]" for i in range(1, depth + 1)]
    return "locals {\n" + "\n".join(lines) + "\n}\n"


# --- values shared by reference are never expanded exponentially ---------------------------------------------
DAG_WALKS = {
    "jsonencode": "jsonencode(local.l50)",
    "hash": "md5(jsonencode(local.l50))",
    "flatten": "length(flatten(local.l50))",
    "distinct": "distinct(local.l50)",
    "toset": "toset(local.l50)",
    "format": 'format("%v", local.l50)',
    "rendered-attribute": "local.l50",
}


@pytest.mark.parametrize("name", sorted(DAG_WALKS))
def test_a_dag_of_locals_is_charged_by_its_expanded_size(tmp_path: Path, name: str) -> None:
    verdict = evaluate(tmp_path, DAG_WALKS[name], dag("l", 50))
    assert_refused(verdict, "listed twice counts twice")
    assert verdict["rss_mb"] < 200, verdict


def test_comparing_two_dags_built_apart_is_charged_per_node(tmp_path: Path) -> None:
    # Equal shapes, no shared objects between the sides: the comparison itself must visit 2^50 pairs.
    verdict = evaluate(tmp_path, "local.a50 == local.b50", dag("a", 50) + dag("b", 50))
    assert_refused(verdict, "evaluation steps")


def test_a_dag_compared_with_itself_or_null_is_cheap(tmp_path: Path) -> None:
    # The same object is equal to itself without a walk; "is it wholly known?" looks at each list once.
    verdict = evaluate(tmp_path, "[local.l50 == local.l50, local.l50 == null, local.l50 != [local.l49]]", dag("l", 50))
    assert verdict["value"] == "[True, False, True]", verdict


def test_an_unknown_index_into_a_dag_names_each_reference_once(tmp_path: Path) -> None:
    prelude = dag("r", 50, "aws_subnet.s.id") + 'resource "aws_subnet" "s" {\n  cidr_block = "10.0.0.0/24"\n}\n'
    verdict = evaluate(tmp_path, "local.r50[aws_vpc.v.id]", prelude + 'resource "aws_vpc" "v" {}\n')
    assert_unknown(verdict, "aws_subnet.s.id", "aws_vpc.v.id")


# --- string builders are checked before they allocate ---------------------------------------------------------
BIG = 'locals {\n  s = format("%900000s", "x")\n}\n'
BUILDERS = {
    "format-width": ('format("%999999999d", 1)', ""),
    "format-precision": ('format("%.999999999f", 1)', ""),
    "indent": ('indent(100000000, join("\\n", range(1000)))', ""),
    "join": ('join("", [for i in range(10000) : local.s])', BIG),
    "replace": ('replace(local.s, " ", local.s)', BIG),
    "regex-replace": (f'replace(local.s, "/ /", "{"$0" * 1000}")', BIG),
    "template-for": ('"%{for i in range(10000)}${local.s}%{endfor}"', BIG),
    "formatlist": ('length(formatlist("%900000s", range(100000)))', ""),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_string_builders_refuse_before_allocating(tmp_path: Path, name: str) -> None:
    expr, prelude = BUILDERS[name]
    verdict = evaluate(tmp_path, expr, prelude)
    assert_refused(verdict)
    assert "would build a string" in verdict["limit"] or "evaluation steps" in verdict["limit"], verdict
    assert verdict["rss_mb"] < 300, verdict


# --- count × collection work -----------------------------------------------------------------------------------
PER_INSTANCE = {
    "contains": "contains(local.big, -1)",
    "distinct": "length(distinct(local.big))",
    "join": 'length(join(",", local.big))',
    "title": "length(title(local.text))",
    "strrev": "length(strrev(local.text))",
    "regexall": 'length(regexall("[0-9]+", local.text))',
}


@pytest.mark.parametrize("name", sorted(PER_INSTANCE))
def test_count_times_collection_work_is_charged(tmp_path: Path, name: str) -> None:
    prelude = 'locals {\n  big = range(100000)\n  text = join(" ", range(100000))\n}\n'
    assert_refused(evaluate(tmp_path, PER_INSTANCE[name], prelude, count=10000), "evaluation steps")


def test_a_large_set_typed_input_is_deduplicated_in_linear_time(tmp_path: Path) -> None:
    child = tmp_path / "module" / "child"
    child.mkdir(parents=True)
    (child / "main.tf").write_text(
        'variable "v" {\n  type = set(number)\n}\noutput "n" {\n  value = length(var.v)\n}\n'
    )
    prelude = 'module "m" {\n  source = "./child"\n  v      = [for i in range(100000) : i % 90000]\n}\n'
    verdict = evaluate(tmp_path, "module.m.n", prelude)
    assert verdict["value"] == "90000", verdict


# --- templates and our own regular expressions -------------------------------------------------------------------
def test_a_heredoc_with_a_long_run_of_spaces_is_read_in_linear_time(tmp_path: Path) -> None:
    body = "a" + " " * 200_000 + "b"
    verdict = evaluate(tmp_path, f"length(<<EOT\n{body}\nEOT\n)")
    assert verdict["value"] == str(len(body) + 1), verdict


def test_chomp_of_many_line_breaks_is_linear(tmp_path: Path) -> None:
    verdict = evaluate(tmp_path, 'chomp("${join("", [for i in range(40) : "\\r\\n"])}x\\r\\n\\n")')
    assert verdict["value"] == repr("\r\n" * 40 + "x"), verdict


# --- regular expressions: RE2, as Terraform ----------------------------------------------------------------------
def test_a_backtracking_bomb_is_answered_in_linear_time(tmp_path: Path) -> None:
    verdict = evaluate(tmp_path, 'regex("(a+)+$", "${join("", [for i in range(5000) : "a"])}b")')
    assert_unknown(verdict, "does not match")
    verdict = evaluate(tmp_path, 'length(regexall("(x+x+)+y", "${join("", [for i in range(5000) : "x"])}"))')
    assert verdict["value"] == "0", verdict


def test_a_search_is_charged_for_the_text_it_may_scan(tmp_path: Path) -> None:
    # RE2 is linear in the text for one search, times the program size on its NFA path, and finding every
    # match restarts the search: these would take minutes, and are refused instead.
    text = 'join("", [for i in range(100000) : "ab"])'
    verdict = evaluate(tmp_path, f'regex("(?:a|b|ab|ba|aab|abb){{1,1000}}c", {text})')
    assert_refused(verdict, "evaluation steps")
    verdict = evaluate(tmp_path, f'length(regexall("a*b|a", replace({text}, "b", "a")))')
    assert_refused(verdict, "evaluation steps")


GO_SEMANTICS = {
    # Go's Expand: $1W is the group named "1W", which does not exist (https://pkg.go.dev/regexp#Regexp.Expand);
    # a $ that starts no name stays, a missing name is empty
    'replace("-ab-axxb-", "/a(x*)b/", "$1W")': "'---'",
    'replace("a-b", "/(?P<x>\\\\w)-(?P<y>\\\\w)/", "$y-$x $ $z")': "'b-a $ '",
    # Go drops an empty match that abuts the previous match; Python keeps it
    'replace("baaac", "/a*/", "-")': "'-b-c-'",
    'regexall("a*", "baaac")': "['', 'aaa', '']",
    # $ is the end of the text, not before a final newline as in Python
    'regexall("a$", "a\\n")': "[]",
    # RE2 has no backreferences, lookarounds or \\Z; Terraform refuses named and unnamed groups mixed
    'regex("(a)\\\\1", "aa")': "Unknown",
    'regex("a(?=b)", "ab")': "Unknown",
    'regex("a\\\\Z", "a")': "Unknown",
    'regex("(?P<x>a)(b)", "ab")': "Unknown",
}


@pytest.mark.parametrize("expr", sorted(GO_SEMANTICS))
def test_regular_expressions_follow_go(tmp_path: Path, expr: str) -> None:
    verdict = evaluate(tmp_path, expr)
    expected = GO_SEMANTICS[expr]
    if expected == "Unknown":
        assert_unknown(verdict)
    else:
        assert verdict["value"] == expected, verdict


def test_a_pattern_re2_refuses_is_unknown_and_stays_off_stderr(tmp_path: Path) -> None:
    # RE2 logs a rejected pattern to stderr unless told not to; a hook's stderr carries only its own lines.
    module = tmp_path / "m"
    module.mkdir()
    (module / "main.tf").write_text(
        'resource "terraform_data" "t" {\n  input = [regex("(a)\\\\1", "aa"), regex("\\\\C", "a")]\n}\n'
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(module), "terraform_data.t"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    verdict = json.loads(proc.stdout)
    assert_unknown(verdict, "invalid regular expression", "\\\\1")


def test_named_groups_and_dollar_references_keep_terraform_shapes(tmp_path: Path) -> None:
    verdict = evaluate(
        tmp_path,
        '[regex("(?P<k>[a-z]+)=(?P<v>\\\\d+)", "x=1"), regex("(\\\\d)(\\\\d)?", "1"), '
        'replace("a-b", "/(\\\\w)-(\\\\w)/", "$2$${1}$$"), regexall("(?P<d>\\\\d)", "1a2")]',
    )
    assert verdict["value"] == "[{'k': 'x', 'v': '1'}, ['1', ''], 'ba$', [{'d': '1'}, {'d': '2'}]]", verdict


# --- decoders refuse what the template loaders refuse --------------------------------------------------------------
YAML_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def test_a_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    verdict = evaluate(tmp_path, 'yamldecode(file("${path.module}/bomb.yaml"))', files={"bomb.yaml": YAML_BOMB})
    assert_unknown(verdict, "alias bomb")


DECODED = {
    'jsondecode("[1, NaN]")': "NaN",
    'jsondecode("[1e999]")': "infinite",
    'yamldecode("x: .inf")': "infinite",
    'yamldecode("x: 2001-12-14")': "date",
    'yamldecode("x: !Ref y")': "unsupported tag",
    'jsondecode("${join("", [for i in range(300) : "["])}${join("", [for i in range(300) : "]"])}")': "nesting deeper",
    'yamldecode("${join("", [for i in range(300) : "["])}${join("", [for i in range(300) : "]"])}")': "nesting deeper",
    'csvdecode("a\\n\\"${format("%0140000d", 0)}")': "field larger",
    'jsondecode("1${join("", [for i in range(1100) : "0"])}")': "larger than vpcreach evaluates",
}


@pytest.mark.parametrize("expr", sorted(DECODED))
def test_decoders_refuse_what_terraform_values_cannot_hold(tmp_path: Path, expr: str) -> None:
    assert_unknown(evaluate(tmp_path, expr), DECODED[expr])


# --- numbers ---------------------------------------------------------------------------------------------------
NUMBERS = {
    "literal-5000-digits": ("1" + "0" * 5000, ""),
    "literal-inf": ("1e999", ""),
    "parseint-2000-digits": (f'parseint("1{"0" * 2000}", 10)', ""),
    "parseint-binary": (f'parseint("1{"0" * 1100}", 2) * 0.5', ""),
    "tonumber-inf": ('tonumber("1e999")', ""),
    "squaring": (
        "local.a25 > 1",
        "locals {\n  a0 = 99999999999999999999\n"
        + "".join(f"  a{i} = local.a{i - 1} * local.a{i - 1}\n" for i in range(1, 26))
        + "}\n",
    ),
    "overflow-to-inf": ("1e300 * 1e300", ""),
    "cidrsubnets-negative": ('cidrsubnets("10.0.0.0/8", -100000000000)', ""),
}


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_numbers_stay_finite_and_bounded(tmp_path: Path, name: str) -> None:
    expr, prelude = NUMBERS[name]
    assert_unknown(evaluate(tmp_path, expr, prelude))


def test_a_huge_count_in_a_message_is_short(tmp_path: Path) -> None:
    assert_refused(evaluate(tmp_path, "range(1e300)"), "range()", "2^")


# --- through the command line -------------------------------------------------------------------------------------
def test_a_dag_in_a_lambda_tag_is_one_line_and_exit_2(tmp_path: Path) -> None:
    module = tmp_path / "m"
    module.mkdir()
    (module / "main.tf").write_text(
        dag("l", 50)
        + 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n'
        + '  role = "arn:aws:iam::123456789012:role/r"\n  tags = { x = local.l50 }\n'
        + '  vpc_config {\n    subnet_ids = ["subnet-1"]\n    security_group_ids = ["sg-1"]\n  }\n}\n'
    )
    env = {**os.environ, "VPCREACH_JOBS": "1"}
    code = "import sys; from vpcreach.cli import main; main(sys.argv[1:], prog_name='vpcreach')"
    proc = subprocess.run(
        [sys.executable, "-c", code, "scan", str(module)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        preexec_fn=_limit_memory,
        check=False,
    )
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("vpcreach: error: ") and "main.tf:" in lines[0], lines[0]
