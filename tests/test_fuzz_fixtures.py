"""Mutation fuzzing seeded from the project's own fixtures, hostile cases included.

The corpus fuzzers (test_fuzz_mutation.py) start from real third-party files; these start from what the
project knows to be tricky: every rule's trigger and near miss in both formats and every hostile case. A
mutated input must still give exit 0, 1 or 2 with one `vpcreach: error:` line naming the file, never a
traceback or an "internal error", and never read outside its folder. Bounded: a fixed number of examples
(FUZZ_EXAMPLES, default 40), each input at most a few KB, each scan guarded by the evaluator's own limits.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from conftest import FIXTURES, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_corpus_sweep import check_run
from test_fuzz_mutation import MUTATIONS, mutate_text

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))


def seeds() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    found += [("cfn", p) for p in sorted((FIXTURES / "cfn").glob("*")) if p.suffix in (".yaml", ".json")]
    found += [("terraform", d) for d in sorted((FIXTURES / "terraform").iterdir()) if any(d.glob("*.tf"))]
    for case in sorted((FIXTURES / "hostile").glob("*/case.toml")):
        for path in sorted(case.parent.rglob("*")):
            if path.is_file() and not path.is_symlink() and path.suffix in (".yaml", ".yml", ".json", ".template"):
                found.append(("cfn", path))
            elif path.is_dir() and any(p.is_file() and not p.is_symlink() for p in path.glob("*.tf")):
                found.append(("terraform", path))
    return found


SEEDS = seeds()


def mutant(kind: str, source: Path, tmp: Path, mutation: str, seed: int) -> Path:
    rnd = random.Random(seed)
    if kind == "terraform":
        target = tmp / source.name
        shutil.copytree(source, target, symlinks=True)
        victims = sorted(p for p in target.glob("*.tf") if not p.is_symlink())
        victim = rnd.choice(victims)
        victim.write_bytes(mutate_text(victim.read_text(encoding="utf-8"), mutation, rnd, hcl=True))
        return target
    out = tmp / source.name
    out.write_bytes(mutate_text(source.read_text(encoding="utf-8-sig", errors="replace"), mutation, rnd))
    return out


def test_there_are_seeds_of_every_kind() -> None:
    kinds = {kind for kind, _ in SEEDS}
    assert kinds == {"cfn", "terraform"}
    assert any("hostile" in str(p) for _, p in SEEDS)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(item=st.sampled_from(SEEDS), mutation=st.sampled_from(MUTATIONS), seed=st.integers(0, 2**16))
def test_mutated_fixture_scans_with_one_line_or_a_report(tmp_path_factory, item, mutation, seed) -> None:
    kind, source = item
    path = mutant(kind, source, tmp_path_factory.mktemp("fx"), mutation, seed)
    with mock.patch.dict(os.environ, {"VPCREACH_JOBS": "1"}):
        code, out, err = run_cli("scan", "--root", str(path.parent), str(path))
    check_run(path, subprocess.CompletedProcess([], code, out, err))
