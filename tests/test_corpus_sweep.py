"""Every real-world input in ../shared/corpus goes through the real CLI without crashing.

Each CloudFormation/SAM template, each Terraform directory that holds .tf files and each plan JSON is
scanned by `vpcreach scan` in its own process. A run passes when it exits 0 (clean), 1 (findings) or 2 with
exactly one `vpcreach: error:` line that names the file — never a traceback, never "internal error".
Kinds whose parser is not importable yet are skipped, and the whole module skips without the corpus.
The scans run in forked children of one process per core (see DRIVER); each input is still its own test.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import CORPUS

pytestmark = pytest.mark.slow  # every corpus input, each in its own process

TIMEOUT = 120  # seconds for one input; a pre-commit hook that takes longer is broken anyway


def cli() -> list[str]:
    script = Path(sys.executable).with_name("vpcreach")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vpcreach.cli"]


def parser_missing(kind: str) -> str | None:
    """Why the parser for `kind` cannot run yet, or None."""
    module, name = {
        "cfn": ("vpcreach.parsers.cfn", "parse_template"),
        "terraform": ("vpcreach.parsers.terraform", "parse_module"),
        "plan": ("vpcreach.parsers.terraform.plan", "parse_plan"),
    }[kind]
    try:
        getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        return f"{module}.{name} is not importable yet ({exc})"
    return None


def corpus_inputs() -> list[tuple[str, Path]]:
    if not CORPUS.is_dir():
        return []
    found: list[tuple[str, Path]] = []
    for folder, kind in (("cfn", "cfn"), ("sam", "cfn"), ("tfplan", "plan")):
        found += [(kind, p) for p in sorted((CORPUS / folder).glob("*")) if p.is_file()]
    tf_dirs = {p.parent for p in (CORPUS / "terraform").rglob("*.tf") if ".terraform" not in p.parts}
    found += [("terraform", d) for d in sorted(tf_dirs)]
    return found


INPUTS = corpus_inputs()


def _id(item: tuple[str, Path]) -> str:
    return str(item[1].relative_to(CORPUS))


# Scanning ~150 inputs one process each would spend most of its time importing the analyzer again and
# again. The batch driver imports `vpcreach.cli` once and forks a fresh process per scan; each child runs the
# console script's own `main` with real stdout/stderr (redirected to files), real `sys.exit` codes, and an
# alarm for the timeout, so a crash or a hang stays that child's. `test_batch_driver_matches_console_script`
# checks that it reports exactly what the installed `vpcreach` command does.
DRIVER = r"""
import importlib, json, os, signal, sys, tempfile, traceback
from vpcreach.cli import main
# What `scan` imports lazily, imported once here so that each forked child only does the scan itself.
for module in ("vpcreach.run", "vpcreach.config", "vpcreach.sources", "vpcreach.baseline", "vpcreach.analyzer.engine",
               "vpcreach.analyzer.rules", "vpcreach.reports.text", "vpcreach.reports.data", "vpcreach.parsers.cfn",
               "vpcreach.parsers.terraform", "vpcreach.parsers.terraform.hcl", "vpcreach.parsers.terraform.aws",
               "vpcreach.parsers.terraform.plan", "hcl2"):
    try:
        importlib.import_module(module)
    except ImportError:
        pass
try:  # python-hcl2 builds its parser on first use (~0.3 s): build it before forking
    importlib.import_module("hcl2").loads("a = 1\n")
except Exception:
    pass
import gc
gc.freeze()  # the imported modules stay shared with the children instead of being copied by the collector
timeout = int(sys.argv[1])
results = []
for args in json.load(sys.stdin):
    cwd = None
    if isinstance(args, dict):  # {"cwd": folder, "args": [...]}: run in that folder
        cwd, args = args["cwd"], args["args"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush(); sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1); os.dup2(err.fileno(), 2)
            if cwd:
                os.chdir(cwd)
            signal.alarm(timeout)
            code = 0
            try:
                main(args, prog_name="vpcreach")
            except SystemExit as exc:
                code = exc.code
                if isinstance(code, str):
                    print(code, file=sys.stderr)
                    code = 1
                code = 0 if code is None else code
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stdout.flush(); sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0); err.seek(0)
        results.append([os.waitstatus_to_exitcode(status), out.read().decode("utf-8", "replace"),
                        err.read().decode("utf-8", "replace")])
json.dump(results, sys.stdout)
"""


def run_batch(
    arg_lists: list, workers: int | None = None, env: dict[str, str] | None = None, timeout: int = TIMEOUT
) -> list[subprocess.CompletedProcess]:
    """Run `vpcreach ARGS...` for each argument list (see DRIVER); results in the same order.

    An item may also be {"cwd": folder, "args": [...]} to run in that folder; `env` is added to the
    environment of every run."""
    import json

    if not arg_lists:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, 4, len(arg_lists)))
    slices = [arg_lists[i::workers] for i in range(workers)]
    env = {**os.environ, "NO_COLOR": "1", "VPCREACH_JOBS": "1", **(env or {})}

    def drive(batch: list) -> list:
        proc = subprocess.run(
            [sys.executable, "-c", DRIVER, str(timeout)],
            input=json.dumps(batch),
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == 0, f"batch driver failed:\n{proc.stderr[-3000:]}"
        return json.loads(proc.stdout)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(drive, slices))
    out: list = [None] * len(arg_lists)
    for i, answer in enumerate(answers):
        for j, (code, stdout, stderr) in enumerate(answer):
            item = arg_lists[i + j * workers]
            args = item["args"] if isinstance(item, dict) else item
            out[i + j * workers] = subprocess.CompletedProcess(args, code, stdout, stderr)
    return out


def scan_one(path: Path) -> subprocess.CompletedProcess:
    """One scan through the installed console script, as a user runs it."""
    env = {**os.environ, "NO_COLOR": "1", "VPCREACH_JOBS": "1"}
    try:
        return subprocess.run(
            [*cli(), "scan", str(path)], capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess([], -1, "", f"timed out after {TIMEOUT} s")


@pytest.fixture(scope="session")
def sweep() -> dict[Path, subprocess.CompletedProcess]:
    runnable = [path for kind, path in INPUTS if parser_missing(kind) is None]
    return dict(zip(runnable, run_batch([["scan", str(p)] for p in runnable])))


def check_run(path: Path, proc: subprocess.CompletedProcess) -> None:
    """The contract for one scan of one input (shared with the mutation fuzz tests)."""
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, f"{path}: traceback\n{proc.stderr[-3000:]}"
    assert "internal error" not in output, f"{path}: {proc.stderr.strip()}"
    assert proc.returncode in (0, 1, 2), f"{path}: exit {proc.returncode}\n{proc.stderr[-3000:]}"
    if proc.returncode == 2:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, f"{path}: exit 2 must give one line, got:\n{proc.stderr}"
        assert lines[0].startswith("vpcreach: error: "), lines[0]
        assert path.name in lines[0] or str(path) in lines[0], f"the reason does not name {path}: {lines[0]}"


@pytest.mark.skipif(not INPUTS, reason="../shared/corpus is not present")
@pytest.mark.parametrize("item", INPUTS, ids=_id)
def test_corpus_input_scans_cleanly(item: tuple[str, Path], sweep: dict) -> None:
    kind, path = item
    missing = parser_missing(kind)
    if missing:
        pytest.skip(missing)
    check_run(path, sweep[path])


@pytest.mark.skipif(not INPUTS, reason="../shared/corpus is not present")
def test_batch_driver_matches_console_script(sweep: dict) -> None:
    # One input of each outcome the sweep saw: the batch driver must report what `vpcreach scan` reports.
    by_code: dict[int, Path] = {}
    for path, proc in sweep.items():
        by_code.setdefault(proc.returncode, path)
    for path in by_code.values():
        real = scan_one(path)
        got = sweep[path]
        assert (got.returncode, got.stdout, got.stderr) == (real.returncode, real.stdout, real.stderr), path


@pytest.mark.skipif(not INPUTS, reason="../shared/corpus is not present")
def test_corpus_has_every_kind() -> None:
    kinds = {kind for kind, _ in INPUTS}
    assert kinds == {"cfn", "terraform", "plan"}, kinds
