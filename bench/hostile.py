"""Benchmark: the worst inputs an attacker can put in a pull request, against the limits the README promises.

    .venv/bin/python bench/hostile.py                  # every case
    .venv/bin/python bench/hostile.py --only tf-,plan-  # the cases whose name starts so

The goal (issue 12, README "Limits"): any input up to the 20 MiB file limit finishes in ≤ 10 s and ≤ 1 GiB
on the reference machine (2 cores), or is refused with one `vpcreach: error:` line. Each case is generated
into a temporary folder and scanned by the real console script in its own process; the figures are its
wall time, its CPU time and its peak resident memory (from wait4). The goal is judged on wall time, so run
it on an idle machine (the first line prints the load average); CPU time is the figure to trust otherwise. This is a script, not a test: the figures depend on
the machine, so they must not fail a build — the tests check only that these inputs cannot hang or crash.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # bench/ is a directory of scripts, not a package

MIB = 1024 * 1024
LIMIT = 20 * MIB
GOAL_SECONDS = 10.0
GOAL_MIB = 1024
KILL_SECONDS = 120  # a run still going then is killed and reported as missed
Case = Callable[[str], list[str]]  # writes its input under a folder, returns the vpcreach arguments
CASES: dict[str, tuple[str, Case]] = {}


def case(name: str, why: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[name] = (why, fn)
        return fn

    return register


def _write(folder: str, name: str, text: str | bytes) -> str:
    path = os.path.join(folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _grown(make: Callable[[int], str], target: int) -> str:
    """make(n) for the largest n (doubling, then halving steps) whose text stays within `target` bytes."""
    n = 1
    while len(make(n * 2).encode("utf-8")) <= target:
        n *= 2
    step = n // 2
    while step:
        if len(make(n + step).encode("utf-8")) <= target:
            n += step
        step //= 2
    return make(n)


# --- CloudFormation ------------------------------------------------------------------------------------------
_LAMBDA_HEAD = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"


def _cfn_network_of(target: int) -> str:
    # Functions dominate the bytes; one fresh security group per few functions maximises ENI groups.
    def make(n: int) -> str:
        spec = generate.layout(n, azs=6, private_per_az=8, security_groups=max(1, n // 4))
        return generate.to_cfn(spec)

    return _grown(make, target)


@case("cfn-network-2mib", "a 2 MB template (twice what CloudFormation accepts) of 3,000 functions in 18,000 groups")
def _cfn_network(folder: str) -> list[str]:
    return ["scan", _write(folder, "t.yaml", _cfn_network_of(2 * MIB))]


@case("cfn-network-at-limit", "the largest template vpcreach reads, full of functions: refused by the walk budget")
def _cfn_network_limit(folder: str) -> list[str]:
    from vpcreach.parsers.errors import MAX_TEMPLATE_BYTES

    return ["scan", _write(folder, "t.yaml", _cfn_network_of(MAX_TEMPLATE_BYTES - 4096))]


@case("cfn-over-limit", "a 20 MiB template: refused before it is read whole")
def _cfn_over(folder: str) -> list[str]:
    return ["scan", _write(folder, "t.yaml", _LAMBDA_HEAD + "  X:\n    Type: AWS::SNS::Topic\n" + "#" * (LIMIT - 100))]


@case("cfn-alias-bomb", "a billion-laughs YAML: anchors of anchors")
def _cfn_aliases(folder: str) -> list[str]:
    lines = ['a0: &a0 "xxxxxxxxxx"']
    for i in range(1, 40):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    return ["scan", _write(folder, "t.yaml", _LAMBDA_HEAD + "  X:\n    Type: AWS::SNS::Topic\n" + "\n".join(lines))]


@case("cfn-join-bomb", "Fn::Join of one large anchored string repeated through aliases")
def _cfn_join(folder: str) -> list[str]:
    big = "x" * (1024 * 1024)
    text = (
        _LAMBDA_HEAD
        + f"  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Join ['', [&s '{big}', "
        + ", ".join(["*s"] * 999)
        + "]]\n"
    )
    return ["scan", _write(folder, "t.yaml", text)]


@case("cfn-cidr-count", "Fn::Cidr asking for a huge number of blocks")
def _cfn_cidr(folder: str) -> list[str]:
    text = (
        _LAMBDA_HEAD + "  S:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: vpc-1\n"
        "      CidrBlock: !Select [0, !Cidr ['10.0.0.0/8', 100000000, 1]]\n"
    )
    return ["scan", _write(folder, "t.yaml", text)]


@case("cfn-deep-nesting", "JSON nested 5 million levels deep")
def _cfn_deep(folder: str) -> list[str]:
    depth = 5_000_000
    return ["scan", _write(folder, "t.json", '{"Resources": ' + "[" * depth + "]" * depth + "}")]


@case("cfn-duplicate-keys", "a template with 500,000 keys, the last one a duplicate")
def _cfn_dupes(folder: str) -> list[str]:
    body = "".join(f"    K{i}: v\n" for i in range(500_000)) + "    K0: again\n"
    return ["scan", _write(folder, "t.yaml", _LAMBDA_HEAD + "  X:\n    Type: AWS::SNS::Topic\n    Metadata:\n" + body)]


# --- Terraform ---------------------------------------------------------------------------------------------
_TF_FN = 'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  role = "r"\n  tags = { x = %s }\n}\n'


@case("tf-network", "the largest Terraform root vpcreach accepts, of many functions and groups")
def _tf_network(folder: str) -> list[str]:
    from vpcreach.parsers.errors import MAX_TERRAFORM_BYTES

    def make(n: int) -> str:
        return generate.to_terraform(generate.layout(n, azs=6, private_per_az=8, security_groups=max(1, n // 4)))

    _write(folder, "root/main.tf", _grown(make, MAX_TERRAFORM_BYTES - 4096))
    return ["scan", os.path.join(folder, "root")]


@case("tf-over-limit", "a Terraform root just over the byte limit: refused with one line")
def _tf_over(folder: str) -> list[str]:
    from vpcreach.parsers.errors import MAX_TERRAFORM_BYTES

    _write(folder, "root/main.tf", "# " + "x" * MAX_TERRAFORM_BYTES + "\n")
    return ["scan", os.path.join(folder, "root")]


@case("tf-locals-dag", "locals that each list the previous one twice: 2^60 leaves if expanded")
def _tf_dag(folder: str) -> list[str]:
    lines = ["locals {", '  l0 = ["x"]'] + [f"  l{i} = [local.l{i - 1}, local.l{i - 1}]" for i in range(1, 61)]
    text = "\n".join([*lines, "}"]) + "\n" + _TF_FN % "jsonencode(local.l60)"
    _write(folder, "root/main.tf", text)
    return ["scan", os.path.join(folder, "root")]


@case("tf-format-width", "format() with a width of a billion")
def _tf_format(folder: str) -> list[str]:
    _write(folder, "root/main.tf", _TF_FN % 'format("%999999999d", 1)')
    return ["scan", os.path.join(folder, "root")]


@case("tf-regex-backtracking", "a pattern that backtracks exponentially in a backtracking engine")
def _tf_regex(folder: str) -> list[str]:
    _write(folder, "root/main.tf", _TF_FN % ('regexall("(a+)+$", "%s!")' % ("a" * 5000)))
    return ["scan", os.path.join(folder, "root")]


@case("tf-yamldecode-bomb", "yamldecode() of a billion-laughs document")
def _tf_yaml(folder: str) -> list[str]:
    doc = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\\n" for i in range(1, 30)
    )
    _write(folder, "root/main.tf", _TF_FN % f'jsonencode(yamldecode("{doc}"))')
    return ["scan", os.path.join(folder, "root")]


@case("tf-count-times-collection", "count = 10,000 instances each building a large collection")
def _tf_count(folder: str) -> list[str]:
    text = (
        'resource "aws_security_group" "g" {\n  count = 10000\n  name = "g"\n'
        "  tags = { x = jsonencode([for i in range(1000) : i]) }\n}\n"
    )
    _write(folder, "root/main.tf", text)
    return ["scan", os.path.join(folder, "root")]


# --- Terraform plans ---------------------------------------------------------------------------------------
@case("plan-module-refs", "variables that each reference three of the parent's, 20 modules deep")
def _plan_refs(folder: str) -> list[str]:
    module: dict = {"resources": []}
    for _ in range(20):
        module = {
            "variables": {},
            "module_calls": {
                "m": {
                    "expressions": {v: {"references": [f"var.{w}" for w in ("a", "b", "c")]} for v in ("a", "b", "c")},
                    "module": module,
                }
            },
        }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": []}},
        "configuration": {"root_module": module},
    }
    return ["plan", _write(folder, "plan.json", json.dumps(plan, separators=(",", ":")))]


@case("plan-20k-resources", "a one-line plan of 20,000 resources")
def _plan_big(folder: str) -> list[str]:
    resources = []
    for i in range(20_000):
        resources.append(
            {
                "address": f"aws_security_group.g{i}",
                "mode": "managed",
                "type": "aws_security_group",
                "name": f"g{i}",
                "values": {"name": f"g{i}", "vpc_id": "vpc-1", "egress": [], "ingress": [], "tags": {}},
            }
        )
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": [
            {"address": r["address"], "type": r["type"], "change": {"actions": ["create"], "after": r["values"]}}
            for r in resources
        ],
        "configuration": {"root_module": {"resources": []}},
    }
    return ["plan", _write(folder, "plan.json", json.dumps(plan, separators=(",", ":")))]


# --- configuration and pictures ------------------------------------------------------------------------------
@case("config-deep-array", "a .vpcreach.toml nested 100,000 arrays deep beside a template")
def _config_deep(folder: str) -> list[str]:
    _write(folder, ".vpcreach.toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    return ["scan", _write(folder, "t.yaml", _LAMBDA_HEAD + "  X:\n    Type: AWS::SNS::Topic\n")]


@case("picture-2000-functions", "the HTML picture of 2,000 functions")
def _picture(folder: str) -> list[str]:
    spec = generate.layout(2000, azs=3, private_per_az=4, security_groups=12)
    path = _write(folder, "t.yaml", generate.to_cfn(spec))
    return ["graph", path, "--format", "html", "--output", os.path.join(folder, "p.html")]


# --- running ---------------------------------------------------------------------------------------------
def measure(args: list[str], cwd: str) -> tuple[int, float, float, float, str]:
    """(exit code, wall seconds, CPU seconds, peak MiB, first stderr line) of one `vpcreach ARGS` run."""
    exe = os.path.join(os.path.dirname(sys.executable), "vpcreach")
    cmd = [exe] if os.path.exists(exe) else [sys.executable, "-m", "vpcreach"]
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [*cmd, *args, *(["--format", "json"] if args[0] in ("scan", "plan") else [])],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "VPCREACH_JOBS": "1"},
        )
        timer = threading.Timer(KILL_SECONDS, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        err.seek(0)
        first = err.read(4000).decode("utf-8", "replace").strip().splitlines()[:1]
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, wall, cpu, usage.ru_maxrss / 1024, first[0] if first else ""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma list of case-name prefixes")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    prefixes = [p for p in args.only.split(",") if p]
    chosen = {n: c for n, c in CASES.items() if not prefixes or any(n.startswith(p) for p in prefixes)}
    if args.list:
        for name, (why, _) in chosen.items():
            print(f"{name:28} {why}")
        return 0
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · load {os.getloadavg()[0]:.2f}"
    )
    print(f"{'case':28} {'input':>9} {'exit':>4} {'wall s':>7} {'CPU s':>6} {'peak MiB':>8}  verdict")
    missed = 0
    for name, (_why, make) in chosen.items():
        with tempfile.TemporaryDirectory() as folder:
            vargs = make(folder)
            size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
            code, wall, cpu, peak, first = measure(vargs, folder)
        ok = code in (0, 1, 2) and wall <= GOAL_SECONDS and peak <= GOAL_MIB
        refused = code == 2
        missed += not ok
        verdict = ("refused: " + first.removeprefix("vpcreach: error: ")[:70]) if refused else ("ok" if ok else "")
        if not ok:
            verdict = f"MISSED (exit {code}) {first[:70]}"
        print(f"{name:28} {size / MIB:8.2f}M {code:>4} {wall:7.2f} {cpu:6.2f} {peak:8.0f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
