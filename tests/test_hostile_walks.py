"""Hostile configuration files, baselines and directory trees: one line and exit 2, never a traceback or a hang.

A pull request controls every file beside the code it changes: `.vpcreach.toml`, any `pyproject.toml` the
config search meets walking upward, the baseline file, and the folders a scan walks (FIFOs, links to
devices, links out of the repository, loops, folders nested a thousand deep). Cases that could block or
eat memory when broken run the CLI in a child process with a timeout and an address-space limit.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

EXAMPLE = FIXTURES / "cfn" / "example_private_nat.yaml"
# What no stderr line may hold: C0 but tab and newline, DEL, C1, lone surrogates, bidi overrides.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
PR_CAPBSET_DROP = 24  # prctl(2)


def child(*args: str, cwd: Path | None = None, timeout: float = 30, unprivileged: bool = False) -> tuple[int, str, str]:
    """Run `vpcreach ARGS` in a child process: (exit code, stdout, stderr). A child still running after
    `timeout` seconds fails the test (it was blocked); its address space is capped at 2 GiB so a file that
    never ends cannot take the machine's memory. `unprivileged`: file permissions apply to it even as root."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        if unprivileged:
            drop_file_capabilities()

    env = {**os.environ, "NO_COLOR": "1", "VPCREACH_JOBS": "1"}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "vpcreach.cli", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            preexec_fn=limits,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"vpcreach {' '.join(args)} was still running after {timeout} s")
    return proc.returncode, proc.stdout, proc.stderr


def drop_file_capabilities() -> None:
    """In a child about to exec: root keeps its uid (and its way to Python under /root) but loses the
    capabilities that override file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so a mode-000 file
    or folder is unreadable to it as to anyone. Dropped from the bounding set, they are not regained by exec."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def error_lines(code: int, err: str) -> list[str]:
    """The error lines of a run that must exit 2 with nothing but `vpcreach: ` lines on stderr."""
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == 2, err
    assert not CONTROL.search(err), repr(err)
    lines = err.splitlines()
    assert lines and all(line.startswith("vpcreach: ") for line in lines), err
    return [line for line in lines if line.startswith("vpcreach: error: ")]


def one_error(code: int, err: str, *fragments: str) -> str:
    """The single error line of a run that must exit 2, checked to hold each fragment."""
    lines = error_lines(code, err)
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """tmp/infra/template.yaml (the README example, exit 1 when scanned)."""
    (tmp_path / "infra").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "infra" / "template.yaml")
    return tmp_path


def scan(project: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli("scan", str(project / "infra" / "template.yaml"), *extra)


# --- configuration files ----------------------------------------------------------------------------------

DEEP_ARRAY = b"a = " + b"[" * 100_000 + b"]" * 100_000 + b"\n"
LONG_INT = "9" * 5000
BAD_CONFIGS = {
    "deep-array": (DEEP_ARRAY, "invalid TOML: nested too deeply"),
    "not-utf8": (b'ignore = ["VR302"]\nseverity_threshold = "\xff"\n', "not UTF-8 text (at line 2)"),
    "lone-surrogate-bytes": (b'ignore = ["\xed\xa0\x80"]\n', "not UTF-8 text (at line 1)"),
    "huge-int": (
        f"ignore = []\neni_quota = {LONG_INT}\n".encode(),
        "an integer with more than 4300 digits (at line 2)",
    ),
    "tool-not-a-table": (b'tool = "x"\n', "tool must be a table"),
    "needs-not-strings": (b"needs = {a = [1, {b = 2}]}\n", "needs.a must be a list of strings"),
    "traffic-inf": (b"traffic = {f = {s3 = inf}}\n", "traffic.f.s3 must be a non-negative number"),
    "traffic-nan": (b"traffic = {f = {s3 = nan}}\n", "traffic.f.s3 must be a non-negative number"),
    "traffic-huge": (f"traffic = {{f = {{s3 = {'9' * 4000}}}}}\n".encode(), "traffic.f.s3 must be a non-negative"),
    "eni-quota-huge": (f"eni_quota = {'9' * 4000}\n".encode(), "eni_quota must be a positive integer"),
    "variables-date": (b"variables = {a = 2024-01-01}\n", "variables.a: a TOML date or time"),
    "variables-nan": (b"variables = {a = [1, nan]}\n", "variables.a must be a Terraform value"),
    "params-table": (b"params = {a = {b = 1}}\n", "params.a must be a string, number, boolean"),
    "params-inf": (b"params = {a = inf}\n", "params.a must be a string, number, boolean"),
    "suppress-reason-table": (
        b'suppress = {F = [{id = "VR302", reason = {x = 1}}]}\n',
        "suppress.F: reason must be a string",
    ),
    "suppress-misspelt-reason": (b'suppress = {F = [{id = "VR302", reasn = "x"}]}\n', "unknown key(s) reasn"),
    "escape-in-key": (b'traffic = {"f\\u001b[2J\\u202e" = 3}\n', "must map a service to GB/month"),
    "long-value": (b'severity_threshold = "' + b"x" * 100_000 + b'"\n', "must be info, warning or error"),
    "both-places": (b'ignore = ["VR302"]\n[tool.vpcreach]\nignore = ["VR201"]\n', "keep one"),
    "dotted-key": (b"a" + b".a" * 16_000 + b" = 1\n", "too many dotted key parts"),
    "oversized": (b"# padding\n" * 120_000, "larger than 1 MiB"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_a_broken_vpcreach_toml_is_one_line_naming_it(project, case):
    content, message = BAD_CONFIGS[case]
    config = project / ".vpcreach.toml"
    config.write_bytes(content)
    code, _, err = scan(project)
    line = one_error(code, err, f"vpcreach: error: {config}: ", message)
    assert len(line) < 400, line  # a value is quoted short, never whole


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[project\n", "invalid TOML: Expected ']'"),
        (b'[project]\nname = "\xc3"\n', "not UTF-8 text (at line 2)"),
        (DEEP_ARRAY, "nested too deeply"),
        (f"[project]\nversion = {LONG_INT}\n".encode(), "more than 4300 digits (at line 2)"),
        (b"[tool.other]\na" + b".a" * 16_000 + b" = 1\n", "too many dotted key parts"),
    ],
    ids=["syntax", "not-utf8", "deep-array", "huge-int", "dotted-key"],
)
def test_a_pyproject_met_walking_upward_that_cannot_be_parsed_is_an_error(project, content, message):
    # Decision: it may hold [tool.vpcreach]; scanning with the defaults instead would change the findings
    # without a word. ruff, black and pytest refuse such a file too. --config names the config instead.
    pyproject = project / "pyproject.toml"
    pyproject.write_bytes(content)
    code, _, err = scan(project)
    one_error(code, err, f"{pyproject}: ", message, "--config")
    other = project / "ci.toml"
    other.write_text('ignore = ["VR302"]\n')
    code, _, err = scan(project, "--config", str(other))
    assert code == 1 and err == "", err


def test_a_pyproject_whose_tool_is_not_a_table_is_passed_over(project):
    # `tool = 3` cannot hold [tool.vpcreach]: the file is other tools' business, not a reason to stop.
    (project / "pyproject.toml").write_text("tool = 3\n")
    code, _, err = scan(project)
    assert (code, err) == (1, "")


def test_a_vpcreach_toml_that_is_a_fifo_is_refused(project):
    os.mkfifo(project / ".vpcreach.toml")
    code, _, err = child("scan", str(project / "infra" / "template.yaml"))
    one_error(code, err, f"{project / '.vpcreach.toml'}: cannot read config: not a regular file")


@pytest.mark.parametrize("name", [".vpcreach.toml", "pyproject.toml"])
def test_a_config_that_is_a_link_to_dev_zero_is_refused(project, name):
    (project / "infra" / name).symlink_to("/dev/zero")
    code, _, err = child("scan", str(project / "infra" / "template.yaml"), timeout=20)
    one_error(code, err, f"{name}: cannot read config: not a regular file")


def test_a_config_found_beside_the_code_cannot_widen_the_scan_root(project, tmp_path_factory):
    (project / ".vpcreach.toml").write_text('root = "/"\n')
    code, _, err = scan(project)
    one_error(code, err, "root '/' is outside the repository holding this config")
    # Named on the command line, the config is the CI author's: its root is taken as written.
    ci = tmp_path_factory.mktemp("ci") / "ci.toml"
    ci.write_text(f"root = {json.dumps(str(project))}\n")
    code, _, err = scan(project, "--config", str(ci))
    assert (code, err) == (1, "")


# --- baselines ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"version": 1, "findings": [\n{"fingerprint": "\xed\xa0\x80"}]}', "not UTF-8 text"),
        (b'{"version": 1,\n "findings": [\n}', ":3: not a vpcreach baseline (invalid JSON"),
        (b'{"version": true, "findings": []}', "baseline version True is not supported"),
        (b'{"version": 1, "findings": [{"fingerprint": "x", "file": 3}]}', "findings[0].file is not a string"),
        (b'{"version": 1, "findings": [{"fingerprint": 7}]}', "findings[0] has no fingerprint string"),
        (b'{"version": ' + b"9" * 5000 + b', "findings": []}', "a number too long to read"),
        (b'{"version": "' + b"x" * 100_000 + b'", "findings": []}', "is not supported"),
        (b" " * (21 << 20), "larger than 20 MiB"),
    ],
    ids=[
        "deep",
        "surrogate-bytes",
        "syntax",
        "version-true",
        "file-int",
        "fingerprint-int",
        "huge-int",
        "long-version",
        "oversized",
    ],
)
def test_a_broken_baseline_is_one_line(project, content, message):
    baseline = project / "baseline.json"
    baseline.write_bytes(content)
    code, _, err = scan(project, "--baseline", str(baseline))
    line = one_error(code, err, str(baseline), message)
    assert len(line) < 400, line


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_baseline_that_is_not_a_regular_file_is_refused(project, kind):
    baseline = project / "baseline.json"
    if kind == "fifo":
        os.mkfifo(baseline)
    else:
        baseline.symlink_to("/dev/zero")
    code, _, err = child("scan", str(project / "infra" / "template.yaml"), "--baseline", str(baseline), timeout=20)
    one_error(code, err, f"{baseline}: cannot read the baseline: not a regular file")


def test_creating_a_baseline_on_a_fifo_is_refused_not_blocked(project):
    target = project / "baseline.json"
    os.mkfifo(target)
    code, _, err = child("scan", str(project / "infra" / "template.yaml"), "--create-baseline", str(target))
    one_error(code, err, f"{target}: not a regular file")
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


def test_creating_a_baseline_never_writes_through_a_link(project, tmp_path_factory):
    # A pull request can replace the baseline with a link to a file of the CI job (~/.bashrc, a token).
    victim = tmp_path_factory.mktemp("home") / ".bashrc"
    victim.write_text("export PATH=/usr/bin\n")
    target = project / "baseline.json"
    target.symlink_to(victim)
    code, _, err = scan(project, "--create-baseline", str(target))
    one_error(code, err, f"{target}: is a symbolic link")
    assert victim.read_text() == "export PATH=/usr/bin\n"


def test_creating_a_baseline_in_a_missing_folder_is_one_line(project):
    target = project / "missing" / "baseline.json"
    code, _, err = scan(project, "--create-baseline", str(target))
    one_error(code, err, f"{target}: cannot write the baseline: No such file or directory")


# --- directory walks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x.yaml", "plan.json"])
def test_a_fifo_in_a_scanned_folder_is_refused_not_blocked(project, name):
    os.mkfifo(project / "infra" / name)
    code, out, err = child("scan", "--format", "json", str(project / "infra"))
    one_error(code, err, f"{project / 'infra' / name}: not a regular file (a FIFO)")
    assert json.loads(out)["findings"], "the readable template is still analysed"


@pytest.mark.parametrize("extra", [(), ("--skip-non-templates",)])
def test_a_named_fifo_is_one_line(project, extra):
    fifo = project / "plan.json"
    os.mkfifo(fifo)
    code, _, err = child("scan", *extra, str(fifo))
    one_error(code, err, f"{fifo}: not a regular file")


def test_links_in_a_scanned_folder_to_devices_loops_and_files_outside_are_refused(project, tmp_path_factory):
    infra = project / "infra"
    outside = tmp_path_factory.mktemp("outside") / "stolen.yaml"
    # A template outside the repository: read through the link, its names would reach the report.
    outside.write_text(EXAMPLE.read_text().replace("ReportFunction", "StolenSecretName"))
    (infra / "zero.yaml").symlink_to("/dev/zero")
    (infra / "loop.yaml").symlink_to("loop.yaml")
    (infra / "gone.json").symlink_to("missing.json")
    (infra / "stolen.yaml").symlink_to(outside)
    (infra / "environ.yaml").symlink_to("/proc/self/environ")
    (infra / "up").symlink_to("..")  # a link to a parent folder: not followed, so no loop
    (infra / "inside.yaml").symlink_to("template.yaml")  # a link inside the scanned code is read
    code, out, err = child("scan", "--format", "json", str(infra))
    lines = error_lines(code, err)
    assert sorted(line.split(": ")[2] for line in lines) == [
        f"{infra / name}" for name in ("environ.yaml", "gone.json", "loop.yaml", "stolen.yaml", "zero.yaml")
    ]
    assert "StolenSecretName" not in out + err
    report = json.loads(out)
    assert {Path(f["file"]).name for f in report["findings"]} == {"inside.yaml", "template.yaml"}


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_named_path_that_links_out_of_the_repository_is_refused(tmp_path, kind):
    # The CI job names infra/template.yaml (or infra); the pull request makes it a link to the job's files.
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    outside = tmp_path / "runner"
    outside.mkdir()
    (outside / "stolen.yaml").write_text(EXAMPLE.read_text().replace("ReportFunction", "StolenSecretName"))
    if kind == "file":
        named = repo / "infra" / "template.yaml"
        named.symlink_to(outside / "stolen.yaml")
    else:
        named = repo / "infra" / "stacks"
        named.symlink_to(outside)
    code, out, err = run_cli("scan", str(named))
    one_error(code, err, f"{named}: a symbolic link to a file or folder outside the scan root")
    assert "StolenSecretName" not in out + err
    # A link inside the repository is read; --root names a wider root on purpose.
    code, out, _ = run_cli("scan", "--root", str(tmp_path), str(named))
    assert code == 1 and "StolenSecretName" in out
    (repo / "infra" / "real.yaml").write_text(EXAMPLE.read_text())
    (repo / "infra" / "alias.yaml").symlink_to("real.yaml")
    assert run_cli("scan", str(repo / "infra" / "alias.yaml"))[0] == 1


def check_permissions_apply(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", f"open({str(probe)!r}).read()"],
            preexec_fn=drop_file_capabilities,
            capture_output=True,
            check=False,
        )
    except OSError:
        proc = None
    if proc is None or b"PermissionError" not in proc.stderr:
        pytest.skip("cannot make file permissions apply to a child process here")


def test_unreadable_files_and_folders_under_a_scanned_folder_get_a_line_each(project, tmp_path):
    check_permissions_apply(tmp_path)
    infra = project / "infra"
    (infra / "locked").mkdir()
    shutil.copy(EXAMPLE, infra / "b-secret.yaml")
    shutil.copy(EXAMPLE, infra / "locked" / "c.yaml")
    (infra / "b-secret.yaml").chmod(0)
    (infra / "locked").chmod(0)
    try:
        code, out, err = child("scan", "--format", "json", str(infra), unprivileged=True)
        lines = error_lines(code, err)
        assert lines == [
            f"vpcreach: error: {infra / 'b-secret.yaml'}: cannot read: Permission denied",
            f"vpcreach: error: {infra / 'locked'}: cannot read folder: Permission denied",
        ]
        assert {Path(f["file"]).name for f in json.loads(out)["findings"]} == {"template.yaml"}
        # The pre-commit path keeps a named file it cannot read, so the scan says why.
        code, _, err = child("scan", "--skip-non-templates", str(infra / "b-secret.yaml"), unprivileged=True)
        one_error(code, err, "b-secret.yaml: cannot read: Permission denied")
    finally:
        (infra / "locked").chmod(0o755)


def test_a_folder_the_walk_cannot_list_is_an_error_line(project, monkeypatch):
    locked = project / "infra" / "locked"
    locked.mkdir()
    shutil.copy(EXAMPLE, locked / "c.yaml")
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, _, err = run_cli("scan", str(project / "infra"))
    one_error(code, err, f"{locked}: cannot read folder: Permission denied")


def test_folders_nested_two_thousand_deep_are_walked_to_a_bound():
    # Not under pytest's tmp_path: every test session on the machine cleans old ones with shutil.rmtree,
    # which recurses once per level and fails on this tree should it ever be left behind.
    tmp_path = Path(tempfile.mkdtemp(prefix="vpcreach-deep-"))
    top = tmp_path / "deep"
    top.mkdir()
    shutil.copy(EXAMPLE, top / "template.yaml")
    try:
        fd = os.open(top, os.O_RDONLY)
        try:  # relative to an open folder: the full path outgrows PATH_MAX (4096) long before the end
            for _ in range(2100):
                os.mkdir("a", dir_fd=fd)
                inner = os.open("a", os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = inner
        finally:
            os.close(fd)
        code, out, err = child("scan", "--format", "json", "deep", cwd=tmp_path)
        line = one_error(code, err, "deep/a/a/", "nested more than 100 folders deep")
        assert len(line) < 600
        assert json.loads(out)["findings"], "the template beside the deep folders is still analysed"
    finally:
        remove_chain(top)
        shutil.rmtree(tmp_path)


def remove_chain(top: Path) -> None:
    """Remove top/a/a/a/... one level at a time: shutil.rmtree recurses once per level and fails at this depth."""
    while (top / "a").is_dir():
        if (top / "a" / "a").is_dir():
            os.rename(top / "a" / "a", top / "lifted")
            os.rmdir(top / "a")
            os.rename(top / "lifted", top / "a")
        else:
            os.rmdir(top / "a")


def test_a_walk_stops_at_its_entry_bound_with_a_line(project, monkeypatch):
    from vpcreach import sources

    monkeypatch.setattr(sources, "MAX_WALK_ENTRIES", 50)
    for i in range(60):
        (project / "infra" / f"d{i:02}").mkdir()
    code, _, err = run_cli("scan", str(project / "infra"))
    one_error(code, err, f"{project / 'infra'}: more than 50 files and folders")


def test_the_walk_keeps_os_walks_order_and_pruning(project):
    from vpcreach.sources import _pruned_walk

    infra = project / "infra"
    for folder in ("b/inner", "a", ".hidden", "node_modules/pkg", "c"):
        (infra / folder).mkdir(parents=True)
    (infra / "a" / "z.yaml").write_text("x: 1\n")
    (infra / "a" / "y.yaml").write_text("x: 1\n")
    (infra / "link").symlink_to("a")
    walked = [(os.path.relpath(d, infra), names) for d, names in _pruned_walk(str(infra))]
    assert walked == [
        (".", ["template.yaml"]),
        ("a", ["y.yaml", "z.yaml"]),
        ("b", []),
        ("b/inner", []),
        ("c", []),
    ]
