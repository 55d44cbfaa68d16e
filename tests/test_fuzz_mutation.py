"""Mutated real-world inputs: truncated, sprinkled with random bytes, or with a value of the wrong type.

Whatever the damage, a scan must exit 0 (clean), 1 (findings) or 2 with one `vpcreach: error:` line
naming the file — never a traceback or an "internal error". Copies are mutated in a temporary directory;
the corpus itself is never written.

- `test_mutated_corpus_input_through_the_cli`: every corpus input once, with a seeded mutation chosen by
  its position (truncation, random bytes, a wrong-typed value), through the real CLI (batched, see
  test_corpus_sweep.DRIVER).
- `test_hypothesis_mutations`: hypothesis picks the input and the mutation and shrinks a failure to a
  small one; runs in-process for speed.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from conftest import CORPUS, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_corpus_sweep import INPUTS, check_run, parser_missing, run_batch
from vpcreach.parsers.errors import InputError
from vpcreach.parsers.yaml_loader import load_document

pytestmark = pytest.mark.slow  # mutated corpus inputs through the CLI

MUTATIONS = ("truncate", "bytes", "printable", "wrong-type", "wrong-type", "drop-line")
WRONG_VALUES: tuple = (
    [],
    {},
    [1, "x"],
    {"a": [1]},
    "x",
    "",
    0,
    -1,
    1.5,
    True,
    None,
    {"Ref": "DoesNotExist"},
    {"Ref": ["list"]},
    {"Fn::GetAtt": "NoDot"},
    {"Fn::GetAtt": [1, 2, 3]},
    {"Fn::If": [1]},
    {"Fn::Sub": ["${A}", {"A": []}]},
    {"Fn::Select": ["x", []]},
    {"Fn::Join": [None, None]},
    {"Fn::FindInMap": ["M"]},
    {"Fn::GetAZs": {"a": 1}},
    {"Fn::Split": [1, 2]},
    {"Condition": []},
    [{"Ref": "AWS::NoValue"}],
)
HCL_VALUES = (
    "[]",
    "{}",
    "1",
    "-1",
    "null",
    '"x"',
    "true",
    "[[1]]",
    "{ a = 1 }",
    "var.nope",
    "aws_vpc.nope.id",
    "local.nope[7]",
    "1e400",
    '"${"',
    "[for x in 5 : x]",
    "module.nope.out",
)
HCL_ASSIGNMENT = re.compile(r"^(\s*[\w-]+\s*=\s*)(.+)$", re.M)


# --- mutations ---------------------------------------------------------------------------------------------
def _nodes(value, path=()):  # type: ignore[no-untyped-def]
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _nodes(item, (*path, i))


def _plain(value):  # type: ignore[no-untyped-def]
    """Mapping/list/scalars from the loader → JSON-serialisable plain data (dates and bytes as text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def wrong_type(text: str, rnd: random.Random) -> str | None:
    """Replace one value deep in the document with a value of another type; None if it does not parse."""
    try:
        data = _plain(load_document(text, "x"))
    except (InputError, RecursionError):
        return None
    nodes = [p for p, _ in _nodes(data) if p]
    if not nodes:
        return None
    # Prefer places parsers look at: under Resources / planned_values / resource_changes.
    focus = [p for p in nodes if p[0] in ("Resources", "Globals", "planned_values", "resource_changes", "Conditions")]
    path = rnd.choice(focus or nodes)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    current = parent[path[-1]]
    choices = [v for v in WRONG_VALUES if type(v) is not type(current)]
    parent[path[-1]] = json.loads(json.dumps(rnd.choice(choices)))
    return json.dumps(data, indent=1)


def mutate_text(text: str, kind: str, rnd: random.Random, hcl: bool = False) -> bytes:
    raw = text.encode("utf-8")
    if kind == "truncate":
        return raw[: rnd.randrange(0, max(1, len(raw)))]
    if kind == "bytes":
        data = bytearray(raw)
        for _ in range(rnd.randint(1, 8)):
            if data:
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        return bytes(data)
    if kind == "printable":
        data = bytearray(raw)
        for _ in range(rnd.randint(1, 8)):
            pos = rnd.randrange(len(data) + 1)
            data[pos:pos] = rnd.choice(
                [b"{", b"}", b"[", b"]", b":", b"-", b'"', b"'", b"!", b"&a", b"*a", b"\t", b"\n", b"${", b"%{"]
            )
        return bytes(data)
    if kind == "drop-line":
        lines = text.splitlines(keepends=True)
        if lines:
            del lines[rnd.randrange(len(lines))]
        return "".join(lines).encode("utf-8")
    if hcl:
        matches = list(HCL_ASSIGNMENT.finditer(text))
        if not matches:
            return raw
        m = rnd.choice(matches)
        return (text[: m.start(2)] + rnd.choice(HCL_VALUES) + text[m.end(2) :]).encode("utf-8")
    mutated = wrong_type(text, rnd)
    return mutated.encode("utf-8") if mutated is not None else raw[: len(raw) // 2]


def mutant(kind_of_input: str, source: Path, tmp: Path, mutation: str, seed: int) -> Path:
    """A mutated copy of `source` under tmp; returns the path to scan."""
    rnd = random.Random(seed)
    if kind_of_input == "terraform":
        top = CORPUS / "terraform" / source.relative_to(CORPUS / "terraform").parts[0]
        copy_root = tmp / top.name
        shutil.copytree(top, copy_root, ignore=shutil.ignore_patterns(".terraform"), dirs_exist_ok=True)
        target_dir = copy_root / source.relative_to(top)
        tf_files = sorted(target_dir.glob("*.tf"))
        victim = rnd.choice(tf_files)
        victim.write_bytes(mutate_text(victim.read_text(encoding="utf-8"), mutation, rnd, hcl=True))
        return target_dir
    out = tmp / source.name
    out.write_bytes(mutate_text(source.read_text(encoding="utf-8-sig"), mutation, rnd))
    return out


RUNNABLE = [(kind, path) for kind, path in INPUTS if parser_missing(kind) is None]
# Plans get every mutation; wrong-typed members are refused with one line (test_plan_reader_survives_wrong_types).
KNOWN_CRASHES: set[tuple[str, str]] = set()


def mutation_for(kind: str, mutation: str) -> str:
    return "printable" if (kind, mutation) in KNOWN_CRASHES else mutation


# --- every corpus input once, through the CLI --------------------------------------------------------------
@pytest.fixture(scope="module")
def mutated_runs(tmp_path_factory) -> dict:
    jobs = []
    for i, (kind, path) in enumerate(RUNNABLE):
        mutation = mutation_for(kind, MUTATIONS[i % len(MUTATIONS)])
        where = tmp_path_factory.mktemp(f"m{i:03d}")
        jobs.append((kind, path, mutation, mutant(kind, path, where, mutation, seed=i)))
    results = run_batch([["scan", str(m)] for *_, m in jobs])
    return {str(path.relative_to(CORPUS)): (mutation, m, r) for (_, path, mutation, m), r in zip(jobs, results)}


@pytest.mark.skipif(not RUNNABLE, reason="../shared/corpus is not present")
@pytest.mark.parametrize("name", [str(p.relative_to(CORPUS)) for _, p in RUNNABLE])
def test_mutated_corpus_input_through_the_cli(name: str, mutated_runs: dict) -> None:
    mutation, path, proc = mutated_runs[name]
    try:
        check_run(path, proc)
    except AssertionError as exc:
        raise AssertionError(f"[{mutation} of {name}, kept at {path}] {exc}") from None


# --- hypothesis-driven, in-process -------------------------------------------------------------------------
@pytest.mark.skipif(not RUNNABLE, reason="../shared/corpus is not present")
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    item=st.sampled_from(RUNNABLE or [("cfn", Path("none"))]),
    mutation=st.sampled_from(MUTATIONS),
    seed=st.integers(0, 2**16),
)
def test_hypothesis_mutations(tmp_path_factory, item, mutation, seed):
    kind, source = item
    mutation = mutation_for(kind, mutation)
    path = mutant(kind, source, tmp_path_factory.mktemp("hm"), mutation, seed)
    with mock.patch.dict(os.environ, {"VPCREACH_JOBS": "1"}):
        code, out, err = run_cli("scan", str(path))
    check_run(path, subprocess.CompletedProcess([], code, out, err))


# --- crashes the mutations found, reduced to minimal inputs ------------------------------------------------
PLAN_HEAD = '"format_version": "1.2", "terraform_version": "1.9.0"'
PLAN_CRASHES = {
    # planned_values resource whose address is a non-empty mapping: plan.py _PlanReader.__init__ builds
    # {r["address"]: r} → TypeError: unhashable type: 'dict'
    "address-is-a-mapping": (
        "{" + PLAN_HEAD + ', "planned_values": {"root_module": {"resources": [{"address": {"a": 1}, '
        '"mode": "managed", "type": "aws_vpc", "name": "v", "values": {}}]}}}'
    ),
    # resource_changes[].change.actions holding a mapping: _ACTIONS.get(tuple(actions)) → unhashable 'dict'
    "action-is-a-mapping": (
        "{" + PLAN_HEAD + ', "planned_values": {"root_module": {"resources": []}}, '
        '"resource_changes": [{"address": "aws_vpc.v", "type": "aws_vpc", "change": {"actions": [{}]}}]}'
    ),
    # resource_changes[].change a number while planned_values has the resource: after_instances does
    # (rc or {}).get("change") or {} → 1.5, then .get("after_unknown") → AttributeError on 'float'
    "change-is-a-number": (
        "{" + PLAN_HEAD + ', "planned_values": {"root_module": {"resources": [{"address": "aws_vpc.v", '
        '"mode": "managed", "type": "aws_vpc", "name": "v", "values": {"cidr_block": "10.0.0.0/16"}}]}}, '
        '"resource_changes": [{"address": "aws_vpc.v", "type": "aws_vpc", "change": 1.5}]}'
    ),
}


@pytest.mark.skipif(parser_missing("plan") is not None, reason=str(parser_missing("plan")))
@pytest.mark.parametrize("name", sorted(PLAN_CRASHES))
def test_plan_reader_survives_wrong_types(tmp_path, name):
    path = tmp_path / f"{name}.json"
    path.write_text(PLAN_CRASHES[name])
    code, out, err = run_cli("scan", str(path))
    check_run(path, subprocess.CompletedProcess([], code, out, err))
