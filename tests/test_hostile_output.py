"""Hostile input against the output: values and file names a pull request chooses cannot forge lines, break
the JUnit XML or a Mermaid/DOT statement, or stop a report from being written; the HTML picture's layout is
not quadratic; a stuck worker in the process pool cannot hold a scan forever.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import re
import subprocess
import sys
import time
import xml.dom.minidom
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

from vpcreach import run as run_module
from vpcreach.output import escape, json_text, say

# A value that would start a GitHub Actions annotation and a fake summary on lines of their own, with a
# carriage return, a clear-screen sequence, a C1 next-line, a right-to-left override and an isolate.
FORGE = "\n::error file=x::owned\r\x1b[2J\x85\u202e\u2066\nsummary: 0 errors"
SHOWN = "\\n::error file=x::owned\\r\\x1b[2J\\x85\\u202e\\u2066\\nsummary: 0 errors"
# Characters XML 1.0 forbids, on top of FORGE's.
XML_BAD = "\x01\x07\x0b\ufffe"
# Anything that may not reach a terminal or a CI log raw (tab and newline are the report's own layout).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
SURROGATE = re.compile("[\ud800-\udfff]")
FORMATS = ("text", "json", "sarif", "junit")


def template(fn: str = "Fn" + FORGE, extra: str = FORGE) -> dict:
    """One VPC function `fn` whose values carry `extra`: a need, its execution role (defined outside the
    template: an Unknown whose reason quotes it), a subnet Ref to a missing resource (another Unknown), and
    a suppression reason; a second function suppresses a rule without a reason (a warning naming it)."""
    vpc_config = {"SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "Missing" + extra}], "SecurityGroupIds": [{"Ref": "Sg"}]}
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Code": {"ZipFile": "x"},
            "Role": "arn:aws:iam::123456789012:role/r" + extra,
            "VpcConfig": vpc_config,
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "SubnetA": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {
                    "VpcId": {"Ref": "Vpc"},
                    "CidrBlock": "10.0.1.0/24",
                    "Tags": [{"Key": "Name", "Value": "a" + extra}],
                },
            },
            "Rt": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "Assoc": {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"SubnetId": {"Ref": "SubnetA"}, "RouteTableId": {"Ref": "Rt"}},
            },
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "VpcId": {"Ref": "Vpc"}}},
            fn: {
                **function,
                "Metadata": {
                    "vpcreach": {
                        "needs": ["internet", "tcp:443@Db" + extra],
                        "ignore": [{"id": "VR001", "reason": "why" + extra}],
                    }
                },
            },
            "Bare" + extra: {**function, "Metadata": {"vpcreach": {"ignore": ["VR101"]}}},
        },
    }


def write(folder: Path, name: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")  # ASCII: \\u escapes, lone surrogates too
    return path


def assert_clean_lines(out: str, err: str) -> None:
    """Only the report's own lines: none forged, no control character, stderr all `vpcreach: ...` lines."""
    lines = out.splitlines()
    assert not [line for line in lines if line.startswith("::")], out
    assert [line for line in lines if line.startswith("summary:")] == [lines[-1]], out
    assert not CONTROL.search(out), repr(out)
    assert not CONTROL.search(err), repr(err)
    assert all(line.startswith("vpcreach: ") for line in err.splitlines()), err


# --- text report and stderr -----------------------------------------------------------------------------
def test_text_report_escapes_ids_tags_needs_and_unknown_reasons(tmp_path):
    data = template()
    queue = {"Q" + FORGE: "https://sqs.us-east-1.amazonaws.com/123456789012/q"}  # a need found in the environment
    data["Resources"]["Fn" + FORGE]["Properties"]["Environment"] = {"Variables": queue}
    path = write(tmp_path, "t.json", data)
    code, out, err = run_cli("scan", str(path), "--no-color", "--explain-needs")
    assert code == 1, err
    assert_clean_lines(out, err)
    assert f"[env: environment variable Q{SHOWN} is an AWS URL]" in out
    assert f"  Fn{SHOWN} (line " in out  # the function's own heading, its id escaped in place
    assert f"    tcp:443@db{SHOWN.lower()} BLOCKED" in out  # a declared need (needs are lower case)
    assert f"role/r{SHOWN} is defined outside the template" in out  # an Unknown's reason quoting a value
    assert f"Missing{SHOWN}" in out
    assert f"suppressed (why{SHOWN}) VR001" in out  # a suppression reason
    assert f"Bare{SHOWN} suppresses VR101 without a reason" in err  # the warning on stderr


def test_colour_codes_are_only_the_reports_own(tmp_path):
    path = write(tmp_path, "t.json", template())
    code, out, _ = run_cli("scan", str(path), "--color")
    assert code == 1
    assert "\x1b[31m" in out  # coloured (the error lines), so the check below means something
    assert not CONTROL.search(re.sub(r"\x1b\[[0-9;]*m", "", out)), repr(out)
    assert "\x1b[2J" not in out


def test_file_names_are_escaped_in_the_report_and_on_stderr(tmp_path):
    folder = tmp_path / "repo"
    write(folder, f"ok{FORGE}.json", template(fn="Fn", extra=""))
    (folder / f"bad{FORGE}.yaml").write_text('AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')
    code, out, err = run_cli("scan", str(folder), "--no-color")
    assert code == 2
    assert_clean_lines(out, err)
    (line,) = [x for x in err.splitlines() if x.startswith("vpcreach: error: ")]
    assert line.startswith(f"vpcreach: error: {folder}/bad{SHOWN}.yaml:3: "), line
    assert f"{folder}/ok{SHOWN}.json" in out


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "missing{}"],  # run.run's error line
        ["plan", "folder{}"],  # the command line's own check (cli._fail)
        ["graph", "missing{}"],  # vpcreach graph's error line
        ["graph", "--function", "Nope{}", "t.json"],
    ],
    ids=["scan", "plan", "graph", "graph-function"],
)
def test_every_error_line_is_escaped(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"folder{FORGE}").mkdir()
    write(tmp_path, "t.json", template(fn="Fn", extra=""))
    code, _, err = run_cli(*(a.format(FORGE) for a in args))
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith("vpcreach: error: ") and SHOWN in err, err
    assert not CONTROL.search(err), repr(err)


def test_say_writes_one_escaped_line(capsys):
    for level in ("error", "warning", "note"):
        say(level, f"x{FORGE}")
    assert capsys.readouterr().err.splitlines() == [
        f"vpcreach: {level}: x{SHOWN}" for level in ("error", "warning", "note")
    ]


def test_escape_keeps_printable_text_and_makes_the_rest_visible():
    assert escape("Fn → é 名 😀 \\n [x]") == "Fn → é 名 😀 \\n [x]"
    assert escape("a\tb\x00\x7f\x9b\u061c\u200f\u2028\u2069\ud800\uffff") == (
        "a\\tb\\x00\\x7f\\x9b\\u061c\\u200f\\u2028\\u2069\\ud800\\uffff"
    )


def test_cfnlint_plugin_messages_are_escaped():
    from vpcreach.analyzer.findings import Finding

    from vpcreach.integrations.cfnlint_rules import _message

    finding = Finding("VR101", "Fn" + FORGE, "t.yaml", 3, f"Fn{FORGE} cannot reach the internet")
    assert _message(finding).startswith(f"Fn{SHOWN} cannot reach the internet [VR101] Fix: ")
    assert not CONTROL.search(_message(finding))


# --- JUnit, SARIF, JSON -----------------------------------------------------------------------------------
@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "output"])
def test_junit_is_well_formed_xml_whatever_the_values(tmp_path, to_file):
    path = write(tmp_path, "t.json", template(fn="Fn" + FORGE + XML_BAD, extra=FORGE + XML_BAD))
    report = tmp_path / "report.xml"
    code, out, err = run_cli("scan", str(path), "--format", "junit", *(["-o", str(report)] if to_file else []))
    assert code == 1, err
    text = report.read_text(encoding="utf-8") if to_file else out
    doc = xml.dom.minidom.parseString(text.encode("utf-8"))  # a strict XML 1.0 parser (expat)
    names = [case.getAttribute("name") for case in doc.getElementsByTagName("testcase")]
    assert f"Fn{SHOWN}\\x01\\x07\\x0b\\ufffe" in names
    assert not CONTROL.search(text.replace("\r", "")), repr(text)
    failure = doc.getElementsByTagName("failure")[0].firstChild.data
    assert not [line for line in failure.splitlines() if line.startswith("::")], failure


def test_sarif_message_text_escapes_values(tmp_path):
    path = write(tmp_path, "t.json", template())
    code, out, _ = run_cli("scan", str(path), "--format", "sarif")
    assert code == 1
    messages = [r["message"]["text"] for r in json.loads(out)["runs"][0]["results"]]
    assert messages and all(not CONTROL.search(m) for m in messages), messages
    # The message's own line breaks ("\nPath: ", "\nFix: ") are the only ones.
    assert all(line.startswith(("Path: ", "Fix: ")) for m in messages for line in m.splitlines()[1:]), messages


def test_json_keeps_values_exact_but_never_a_lone_surrogate():
    data = {"a\ud800": ["x\udcff", "ok \U0001f600", "ctl\x1b\n"], "n": 1}
    parsed = json.loads(json_text(data))
    assert parsed == {"a\\ud800": ["x\\udcff", "ok \U0001f600", "ctl\x1b\n"], "n": 1}
    assert json_text({"ok": "\U0001f600 →"}) == json.dumps({"ok": "\U0001f600 →"}, indent=2)


# --- pictures ------------------------------------------------------------------------------------------------
INJECT = (
    'Fn"]\n  click n0 href "javascript:alert(1)"\n%%{init: {"securityLevel": "loose"}}%%\n  x["`md` #quot; <b>&amp;'
)

MERMAID_LINE = re.compile(
    r"flowchart LR"
    r'|\s*subgraph \w+\["[^"]*"\]'
    r"|\s*end"
    r'|\s*n\d+(\(\["|\["|\(\("|\{\{")[^"]*("\]\)|"\]|"\)\)|"\}\})'
    r'|\s*n\d+ (-->|==>|-\.->)(\|"[^"]*"\|)? n\d+'
    r"|\s*(style|classDef|class|linkStyle) [^\"`%]*"
)
DOT_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def test_mermaid_labels_cannot_inject_statements(tmp_path):
    path = write(tmp_path, "t.json", template(fn=INJECT, extra=FORGE))
    code, out, err = run_cli("graph", "--format", "mermaid", str(path))
    assert code == 0, err
    for line in out.splitlines():
        assert MERMAID_LINE.fullmatch(line), line
    assert "%%" not in out and "`" not in out
    assert not CONTROL.search(out), repr(out)
    assert "Fn#quot;]\\n  click n0 href #quot;javascript:alert(1)#quot;\\n#37;#37;{init:" in out


def test_dot_strings_stay_quoted(tmp_path):
    path = write(tmp_path, "t.json", template(fn=INJECT, extra=FORGE))
    code, out, err = run_cli("graph", "--format", "dot", str(path))
    assert code == 0, err
    assert not CONTROL.search(out), repr(out)
    for line in out.splitlines():
        bare = DOT_STRING.sub("S", line)
        assert '"' not in bare and bare.rstrip().endswith((";", "{", "}")), line
    assert '"fn:Fn\\"]\\n  click n0' in out  # the node id, its quote escaped, its newline a DOT \\n


def test_html_picture_shows_values_escaped(tmp_path):
    path = write(tmp_path, "t.json", template(fn=INJECT, extra=FORGE))
    code, out, err = run_cli("graph", "--format", "html", str(path))
    assert code == 0, err
    assert not CONTROL.search(out), repr(out)
    assert out.count("<script") == 2 and out.count("</script>") == 2
    data = json.loads(re.search(r'<script type="application/json" id="vpcreach-data">(.*?)</script>', out).group(1))
    assert any(d["title"] == escape(INJECT) for d in data.values())


# --- lone surrogates: every format, every writer -------------------------------------------------------------
NAME = "t\\udcff\\udcfe.json"  # how reports spell the file name below


@pytest.fixture
def undecodable(tmp_path) -> Path:
    """A folder of two templates, one of them named in bytes that are not UTF-8: Python spells that name
    with lone surrogates (t\\udcff\\udcfe.json). Two, so that a picture names its sources."""
    folder = tmp_path / "repo"
    folder.mkdir()
    for raw in (b"t\xff\xfe.json", b"u.json"):
        with open(os.fsencode(str(folder)) + b"/" + raw, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(template(fn="Fn", extra="")))
    return folder


def no_surrogates(value: object) -> bool:
    if isinstance(value, str):
        return not SURROGATE.search(value)
    if isinstance(value, dict):
        return all(no_surrogates(k) and no_surrogates(v) for k, v in value.items())
    if isinstance(value, list):
        return all(map(no_surrogates, value))
    return True


@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "output"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_lone_surrogates_through_every_report_format(undecodable, tmp_path, fmt, to_file):
    report = tmp_path / f"report.{fmt}"
    code, out, err = run_cli("scan", str(undecodable), "--format", fmt, *(["-o", str(report)] if to_file else []))
    assert code == 1, err
    text = report.read_text(encoding="utf-8") if to_file else out
    assert not SURROGATE.search(text)
    if fmt in ("json", "sarif"):
        data = json.loads(text)
        assert no_surrogates(data)
        # SARIF gives the file as a URI: percent-encoded bytes, the one exact spelling of such a name.
        assert NAME in json.dumps(data, ensure_ascii=False).replace("\\\\", "\\") or "t%FF%FE.json" in text
    else:
        assert NAME in text
    if fmt == "junit":
        xml.dom.minidom.parseString(text.encode("utf-8"))


@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "output"])
@pytest.mark.parametrize("fmt", ["dot", "mermaid", "html"])
def test_lone_surrogates_through_every_picture_format(undecodable, tmp_path, fmt, to_file):
    picture = tmp_path / f"picture.{fmt}"
    code, out, err = run_cli("graph", "--format", fmt, str(undecodable), *(["-o", str(picture)] if to_file else []))
    assert code == 0, err
    text = picture.read_text(encoding="utf-8") if to_file else out
    assert not SURROGATE.search(text)
    assert NAME in text.replace("\\\\", "\\")  # DOT doubles the backslash


def test_lone_surrogates_through_graph_out_and_baseline(undecodable, tmp_path):
    page, baseline = tmp_path / "paths.html", tmp_path / "baseline.json"
    code, _, err = run_cli("scan", str(undecodable), "--graph-out", str(page), "--create-baseline", str(baseline))
    assert code == 1, err
    assert NAME in page.read_text(encoding="utf-8")
    # The baseline keeps the name as it is (JSON escapes it), so the same file matches it again.
    code, _, err = run_cli("scan", str(undecodable), "--baseline", str(baseline))
    assert code == 0, err


# --- terminals and pipes that are not UTF-8 ------------------------------------------------------------------
def run_encoded(encoding: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "vpcreach.cli", *args], capture_output=True, env=env, timeout=120, check=False
    )


def test_text_report_on_a_latin1_terminal_escapes_what_it_cannot_show():
    proc = run_encoded("latin-1", "scan", "--explain", str(FIXTURES / "cfn" / "example_private_nat.yaml"))
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    assert "ReportFunction \\u2192 ENI {AppSecurityGroup}" in proc.stdout.decode("latin-1")


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--format", "junit"],
        ["graph", "--format", "dot"],
        ["graph", "--format", "mermaid"],
        ["graph", "--format", "html"],
    ],
    ids=["junit", "dot", "mermaid", "html"],
)
def test_files_for_machines_are_utf8_whatever_the_locale(args):
    # JUnit declares UTF-8, HTML says so in its meta tag, DOT and Mermaid are read as UTF-8: written in the
    # terminal's Latin-1 they would be corrupt (and "→" cannot be written at all).
    proc = run_encoded("latin-1", *args, str(FIXTURES / "cfn" / "example_private_nat.yaml"))
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("utf-8")
    assert "→" in text or "✗" in text
    if args[2] == "junit":
        assert "ReportFunction → eni:" in xml.dom.minidom.parseString(proc.stdout).toxml()


# --- the HTML picture's layout: near-linear work --------------------------------------------------------------
def calls(fn, *args) -> int:  # type: ignore[no-untyped-def]
    """Python function calls made by fn(*args): a measure of work that does not depend on the machine."""
    profile = cProfile.Profile()
    profile.enable()
    fn(*args)
    profile.disable()
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


def layered(n: int):  # type: ignore[no-untyped-def]
    """n functions → n ENI groups → n subnets in two zones → two route tables → a NAT gateway; each function
    also has a direct edge to the NAT gateway (skipping three columns)."""
    from vpcreach.reports.picture_layout import Box

    boxes, edges = [], []
    for i in range(n):
        boxes += [Box(f"fn{i}", 0, 100, 30), Box(f"eni{i}", 1, 100, 30), Box(f"sub{i}", 2, 100, 30, f"az{i % 2}")]
        edges += [(f"fn{i}", f"eni{i}", i), (f"eni{i}", f"sub{i}", n + i), (f"sub{i}", f"rt{i % 2}", 2 * n + i)]
        edges.append((f"fn{i}", "nat", 3 * n + i))
    boxes += [Box("rt0", 3, 100, 30), Box("rt1", 3, 100, 30), Box("nat", 4, 100, 30)]
    edges += [("rt0", "nat", "a"), ("rt1", "nat", "b")]
    return boxes, edges


def test_layout_work_grows_linearly():
    # Before: list.index comparing whole boxes while sorting a column, and crossings of two route tables
    # counted pair by pair: 3.6 times the work for twice the functions (2,000 functions took minutes).
    from vpcreach.reports.picture_layout import layout

    small, large = calls(layout, *layered(60)), calls(layout, *layered(120))
    assert large / small < 2.4, (small, large)


def test_clipping_a_long_title_is_linear():
    from vpcreach.reports.picture import _clip

    short, long = calls(_clip, "x" * 2000, 300.0, 12.5, True), calls(_clip, "x" * 4000, 300.0, 12.5, True)
    assert long / short < 2.4, (short, long)
    assert _clip("x" * 4000, 300.0, 12.5, True) == "x" * 42 + "…"


def test_picture_model_work_grows_linearly_with_needs(tmp_path):
    # One function declaring many needs: a path and a finding per need. Before: every path scanned all the
    # function's findings, and each finding was compared with all those already on its node.
    from vpcreach.reports.picture_model import build_views

    def analysis(n: int):  # type: ignore[no-untyped-def]
        data = template(fn="Fn", extra="")
        data["Resources"]["Fn"]["Metadata"]["vpcreach"]["needs"] = [f"tcp:{1000 + i}@Db{i}" for i in range(n)]
        path = write(tmp_path, f"needs{n}.json", data)
        return run_module.execute(run_module.RunRequest(paths=[str(path)])).analyses

    small, large = calls(build_views, analysis(150)), calls(build_views, analysis(300))
    assert large / small < 2.4, (small, large)


# --- the process pool's watchdog -------------------------------------------------------------------------
def test_pool_timeout_grows_with_the_input_and_is_set_by_the_environment(monkeypatch):
    monkeypatch.delenv("VPCREACH_POOL_TIMEOUT", raising=False)
    assert run_module.pool_timeout(0) == run_module.POOL_TIMEOUT_FLOOR
    assert run_module.pool_timeout(20 << 20) == run_module.POOL_TIMEOUT_FLOOR + 20 * run_module.POOL_TIMEOUT_PER_MIB
    monkeypatch.setenv("VPCREACH_POOL_TIMEOUT", "2.5")
    assert run_module.pool_timeout(20 << 20) == 2.5
    monkeypatch.setenv("VPCREACH_POOL_TIMEOUT", "soon")  # not a number: ignored
    assert run_module.pool_timeout(0) == run_module.POOL_TIMEOUT_FLOOR


@pytest.mark.skipif(not run_module._can_fork(), reason="the pool forks (Linux)")
def test_a_stuck_worker_is_stopped_and_its_file_reported(tmp_path, monkeypatch):
    slow, fast = tmp_path / "slow.yaml", tmp_path / "fast.yaml"
    example = (FIXTURES / "cfn" / "example_private_nat.yaml").read_text()
    slow.write_text(example)
    fast.write_text(example)
    pid_file = tmp_path / "stuck.pid"
    analyse = run_module._analyse_source

    def stuck_on_slow(source, load_options, options):  # type: ignore[no-untyped-def]
        if source.path.endswith("slow.yaml"):  # in the forked worker: a loop no bound catches
            pid_file.write_text(str(os.getpid()))
            time.sleep(60)
        return analyse(source, load_options, options)

    monkeypatch.setattr(run_module, "_analyse_source", stuck_on_slow)
    monkeypatch.setenv("VPCREACH_JOBS", "2")
    monkeypatch.setenv("VPCREACH_POOL_TIMEOUT", "2")
    started = time.monotonic()
    code, out, err = run_cli("scan", str(slow), str(fast), "--format", "json")
    assert time.monotonic() - started < 30  # not the 60 s the worker would take
    assert code == 2
    assert err.splitlines() == [
        f"vpcreach: error: {slow}: not analysed: the scan's time limit of 2 s passed first and its worker "
        "processes were stopped (VPCREACH_POOL_TIMEOUT=SECONDS sets the limit; VPCREACH_JOBS=1 scans one file "
        "at a time)"
    ]
    report = json.loads(out)
    assert report["sources"] == [str(fast)]  # the rest is still reported
    assert [e["file"] for e in report["errors"]] == [str(slow)]
    pid = int(pid_file.read_text())
    for _ in range(50):  # the worker was killed (and reaped)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"worker {pid} still running")
