"""Directory scans in a process pool: same report, same order, same one-line errors as a serial scan."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_specs import gen
from vpcreach.parsers.errors import InputError

from vpcreach import run as run_module
from vpcreach.sources import Source


def scan(folder: Path, jobs: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VPCREACH_JOBS": jobs, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "vpcreach.cli", "scan", *extra, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("many")
    sizes = [(3, 1), (8, 2), (1, 1), (12, 2), (5, 1), (2, 2)]
    for i, (functions, azs) in enumerate(sizes):
        spec = gen.layout(functions, azs=azs, private_per_az=1, security_groups=2, endpoints=i % 2 == 0)
        sub = root / ("b" if i % 2 else "a")
        sub.mkdir(exist_ok=True)
        (sub / f"stack{i}.yaml").write_text(gen.to_cfn(spec))
    (root / "a" / "notes.yaml").write_text("just: notes\n")  # not a template: skipped either way
    return root


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pool forks (Linux)")
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_pool_and_serial_scans_give_the_same_report(folder, fmt):
    serial = scan(folder, "1", "--format", fmt)
    pooled = scan(folder, "2", "--format", fmt)
    assert serial.returncode in (0, 1), serial.stderr
    assert (pooled.returncode, pooled.stdout, pooled.stderr) == (serial.returncode, serial.stdout, serial.stderr)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pool forks (Linux)")
def test_pool_reports_every_broken_file_in_discovery_order_and_the_rest_as_a_serial_scan_does(folder, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in folder.rglob("*.yaml"):
        (broken / path.name).write_text(path.read_text())
    (broken / "stack1.yaml").write_text("Resources:\n  Fn: {Type: AWS::Lambda::Function, Properties: [1\n")
    (broken / "stack4.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    serial = scan(broken, "1", "--format", "json")
    pooled = scan(broken, "2", "--format", "json")
    assert serial.returncode == pooled.returncode == 2
    assert (pooled.stdout, pooled.stderr) == (serial.stdout, serial.stderr)
    first, second = pooled.stderr.splitlines()
    assert first.startswith(f"vpcreach: error: {broken / 'stack1.yaml'}:"), first
    assert second.startswith(f"vpcreach: error: {broken / 'stack4.yaml'}:"), second
    report = json.loads(pooled.stdout)
    # The other four templates are still analysed and reported.
    assert report["sources"] == [str(broken / f"stack{i}.yaml") for i in (0, 2, 3, 5)]
    assert [(e["file"], e["line"]) for e in report["errors"]] == [
        (str(broken / "stack1.yaml"), 3),
        (str(broken / "stack4.yaml"), 3),
    ]


def test_choose_jobs(monkeypatch, tmp_path):
    monkeypatch.delenv("VPCREACH_JOBS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    small = [tmp_path / f"s{i}.yaml" for i in range(3)]
    for p in small:
        p.write_text("Resources: {}\n")
    big = [tmp_path / f"b{i}.yaml" for i in range(3)]
    for p in big:
        p.write_text("# " + "x" * run_module.POOL_MIN_BYTES)
    sources = lambda paths: [Source("cfn", str(p)) for p in paths]  # noqa: E731
    assert run_module.choose_jobs(sources(small)) == 1  # too little work to pay for a pool
    assert run_module.choose_jobs(sources(big[:1])) == 1  # one source
    expected = 2 if run_module._can_fork() else 1
    assert run_module.choose_jobs(sources(big)) == expected
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert run_module.choose_jobs(sources(big)) == 1  # one core
    monkeypatch.setenv("VPCREACH_JOBS", "3")
    assert run_module.choose_jobs(sources(small)) == 3
    monkeypatch.setenv("VPCREACH_JOBS", "1")
    assert run_module.choose_jobs(sources(big)) == 1
    monkeypatch.setenv("VPCREACH_JOBS", "many")  # not a number: ignored
    assert run_module.choose_jobs(sources(small)) == 1


def test_input_error_crosses_a_process_boundary_intact():
    err = pickle.loads(pickle.dumps(InputError("t.yaml", "bad thing", 7)))
    assert (type(err), err.file, err.message, err.line, str(err)) == (
        InputError,
        "t.yaml",
        "bad thing",
        7,
        "t.yaml:7: bad thing",
    )


def test_worker_exception_that_does_not_pickle_comes_back_as_its_report_line(monkeypatch):
    class Odd(Exception):
        def __init__(self) -> None:
            super().__init__("odd failure")
            self.callback = lambda: None  # not picklable

    def explode(source, load_options, options):  # type: ignore[no-untyped-def]
        raise Odd()

    monkeypatch.setattr(run_module, "_analyse_source", explode)
    status, value = run_module._outcome(Source("cfn", "x.yaml"), None, None)
    assert status == "error"
    back = pickle.loads(pickle.dumps(value))
    assert (type(back), str(back)) == (
        InputError,
        "x.yaml: internal error while analysing it: Odd: odd failure (please report this)",
    )
