"""Hostile inputs from pull requests: one generic test over the cases in fixtures/hostile/.

Each case is a folder holding the attacker's files and a `case.toml`:

    why = "what the attacker tries"
    args = ["scan", "main"]      # vpcreach arguments, paths relative to the case folder
    exit = [2]                   # the exit codes allowed
    stderr = "regex"             # optional: must match the standard error (re.search)
    absent = ["..."]             # optional: strings no output may contain

The case folder is copied (symlinks kept as links) into a temporary folder that is not a git work tree, so
the scan root is the case folder itself, and vpcreach runs there in every output format, with a secret in
its environment and in `$HOME/.aws/credentials`. Whatever the case, a run must:
- exit with an allowed code, within the guard time (the real figures are bench/hostile.py's);
- print no traceback and no "internal error", and nothing on stderr but `vpcreach: ...` lines;
- never show the secret, in any format;
- keep control characters out of text output (a value must not forge a CI annotation or a summary line);
- write JSON and SARIF that parse, and JUnit that is well-formed XML.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import xml.dom.minidom
from pathlib import Path

import pytest
from conftest import FIXTURES
from test_corpus_sweep import run_batch

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = pytest.mark.slow

HOSTILE = FIXTURES / "hostile"
SECRET = "hostile-secret-6f1c"
FORMATS = ("text", "json", "sarif", "junit", "codeclimate")
GUARD_SECONDS = 60  # a hang guard only: bench/hostile.py measures the ≤ 10 s goal on the reference machine
# C0 but tab and newline, DEL, C1, and lone surrogates (as the driver decodes them: U+FFFD stands for a
# byte sequence that was not UTF-8). Bidi overrides would let a value read differently than it is.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def cases() -> list[Path]:
    return sorted(p.parent for p in HOSTILE.glob("*/case.toml"))


def load_case(folder: Path) -> dict:
    spec = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    assert set(spec) <= {"why", "args", "exit", "stderr", "absent"}, f"{folder.name}: unknown keys in case.toml"
    assert spec.get("why") and spec.get("args") and spec.get("exit"), f"{folder.name}: why, args and exit are required"
    return spec


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("home")
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text(f"[default]\naws_secret_access_key = {SECRET}\n")
    jobs, keys = [], []
    for folder in cases():
        spec = load_case(folder)
        work = tmp_path_factory.mktemp(folder.name) / folder.name
        shutil.copytree(folder, work, symlinks=True)
        (work / "case.toml").unlink()
        for fmt in FORMATS:
            jobs.append({"cwd": str(work), "args": [*spec["args"], "--format", fmt]})
            keys.append((folder.name, fmt))
    results = run_batch(
        jobs, env={"VPCREACH_HOSTILE_SECRET": SECRET, "HOME": str(home), "NO_COLOR": "1"}, timeout=GUARD_SECONDS
    )
    return dict(zip(keys, results))


def test_there_are_cases() -> None:
    assert len(cases()) >= 10


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", [c.name for c in cases()])
def test_hostile_case(case: str, fmt: str, runs: dict) -> None:
    spec = load_case(HOSTILE / case)
    proc = runs[(case, fmt)]
    where = f"[{case}, {fmt}: {spec['why']}]"
    output = proc.stdout + proc.stderr
    assert proc.returncode != -14, f"{where} still running after {GUARD_SECONDS} s"
    assert "Traceback" not in output, f"{where} traceback:\n{proc.stderr[-3000:]}"
    assert "internal error" not in output, f"{where} {proc.stderr.strip()}"
    assert proc.returncode in spec["exit"], f"{where} exit {proc.returncode}, allowed {spec['exit']}:\n{output[-3000:]}"
    for line in proc.stderr.splitlines():
        assert line.startswith("vpcreach: "), f"{where} stray stderr line: {line!r}"
    for text in (SECRET, *spec.get("absent", [])):
        assert text not in output, f"{where} output shows {text!r}"
    if "stderr" in spec:
        assert re.search(spec["stderr"], proc.stderr), (
            f"{where} stderr does not match {spec['stderr']!r}:\n{proc.stderr}"
        )
    assert not CONTROL.search(proc.stderr), f"{where} control character on stderr: {proc.stderr!r}"
    if fmt == "text":
        assert not CONTROL.search(proc.stdout), f"{where} control character in text output: {proc.stdout!r}"
    elif proc.stdout.strip() and proc.returncode in (0, 1, 2):
        if fmt in ("json", "sarif", "codeclimate"):
            json.loads(proc.stdout)
        else:
            xml.dom.minidom.parseString(proc.stdout.encode("utf-8"))
