"""Fixtures are the rule contract: what a fixture says it triggers, and what it must not, is checked on a real scan.

A fixture states its expectations on the resources themselves (vpcreach reads `Metadata.vpcreach` and
`# vpcreach:` comments, never these):

- CloudFormation, on a resource: `Metadata: {vpcreach-test: {expect: [VR201], expect_not: [VR203]}}` (also in
  the templates of a fixtures/stacks/<name>/ folder, which is scanned as one project).
- Terraform, on one of the comment lines directly above a `resource`, `data` or `module` block (other comment
  lines may sit between it and the block, a blank line may not): `# vpcreach-test: expect=VR201 expect_not=VR203`
  (several ids comma-separated: `expect=VR001,VR001`).
- Serverless Framework (fixtures/serverless/<name>/serverless.yml), as the service writes its own settings: a
  `vpcreach-test` key under a function (the resource is the function's generated `<Name>LambdaFunction`, at
  the function's line), or CloudFormation's form on a resource in `resources.Resources`.

`expect: [R]` holds when the default scan of the fixture (no --param, --var or config) reports an unsuppressed
finding of R on this resource, at this resource's line. "This resource" is the CloudFormation logical id; for
Terraform, the block in that file, whatever count/for_each instance or module instance the finding names. The
line is the logical id's line, or the block's first line, and every unsuppressed finding of R on the resource
must be at it. A rule listed once needs at least one such finding; listed n > 1 times, exactly n
(`expect: [VR102, VR102]`). `expect_not: [R]` holds when no unsuppressed finding of R is on the resource.

Every `vpcreach-test` written in a fixture must be one this test reads, and name only catalogue rules, so a
misplaced or mistyped annotation fails instead of being skipped. There is no template- or file-level form:
every finding of these fixtures lands on a resource declared in the fixture, where it can be annotated.

Not annotated: fixtures/tfplan/* (comments do not survive into plan JSON; plan findings are asserted by
tests/test_plan_changes.py), and the README's example (fixtures/cfn/example_private_nat.yaml and its
Terraform twin), whose scan output the README and the picture snapshots quote line by line.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, run_cli, scan_fixture
from vpcreach.analyzer.catalogue import RULES

CFN = FIXTURES / "cfn"
TF = FIXTURES / "terraform"
SLS = FIXTURES / "serverless"
# CloudFormation projects of several files (samconfig.toml beside a template, stacks that import each other's
# exports, nested stacks): each folder is scanned as one, and the annotations of every template in it checked.
STACKS = FIXTURES / "stacks"
KEY = "vpcreach-test"

# Catalogue rules that cannot have a trigger and a near miss in both CloudFormation and Terraform, and why.
NOT_IN_BOTH_FORMATS = {
    "VR306": "plan only: it judges resource_changes (update, replace, delete), which only plan JSON carries; "
    "proved on fixtures/tfplan/* by tests/test_plan_changes.py",
    "VR114": "network connectors exist in CloudFormation/SAM/CDK only (no Terraform AWS provider resource found); "
    "proved on fixtures/cfn/vr114_* by tests/test_cfn_rules.py",
    "VR115": "network connectors exist in CloudFormation/SAM/CDK only (no Terraform AWS provider resource found); "
    "proved on fixtures/cfn/vr115_* by tests/test_cfn_rules.py",
}


@dataclass(frozen=True)
class Expectation:
    file: Path  # the file the resource is written in
    resource: str  # CloudFormation logical id, or Terraform address without module path or instance key
    line: int
    expect: tuple[str, ...]
    expect_not: tuple[str, ...]


def _plain(node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return {_plain(k): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v) for v in node.value]
    return node.value


def _ids(where: str, value: object) -> tuple[str, ...]:
    assert isinstance(value, list) and all(i in RULES for i in value), f"{where}: not a list of rule ids: {value}"
    return tuple(value)


def _checked(where: str, expect: object, expect_not: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ids = _ids(where, expect), _ids(where, expect_not)
    assert any(ids), f"{where}: an empty {KEY}"
    return ids


def cfn_expectations(path: Path) -> list[Expectation]:
    """Each resource's Metadata.vpcreach-test; composed, not loaded, so the lines stay and `!Ref` needs no tag."""
    text = path.read_text()
    root = yaml.compose(text)
    resources = next((v for k, v in root.value if k.value == "Resources"), None)
    out = []
    for key, body in resources.value if isinstance(resources, yaml.MappingNode) else []:
        fields = {k.value: v for k, v in body.value} if isinstance(body, yaml.MappingNode) else {}
        meta = fields.get("Metadata")
        own = {k.value: v for k, v in meta.value}.get(KEY) if isinstance(meta, yaml.MappingNode) else None
        if own is None:
            continue
        where = f"{path.name}: {key.value}"
        spec = _plain(own)
        assert isinstance(spec, dict) and set(spec) <= {"expect", "expect_not"}, f"{where}: {KEY} is {spec!r}"
        expect, expect_not = _checked(where, spec.get("expect", []), spec.get("expect_not", []))
        out.append(Expectation(path, key.value, key.start_mark.line + 1, expect, expect_not))
    assert text.count(KEY) == len(out), f"{path.name}: a {KEY} that is not in a resource's Metadata"
    return out


def _mapping(node: object) -> dict:
    return {k.value: (k, v) for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}


def serverless_expectations(path: Path) -> list[Expectation]:
    """A service's functions' `vpcreach-test` keys, and its `resources.Resources` Metadata like a template's."""
    from vpcreach.parsers.serverless.naming import function_id

    text = path.read_text()
    top = _mapping(yaml.compose(text))
    out = []
    for key, body in _mapping(top.get("functions", (None, None))[1]).values():
        own = _mapping(body).get(KEY)
        if own is None:
            continue
        where = f"{path.parent.name}: {key.value}"
        spec = _plain(own[1])
        assert isinstance(spec, dict) and set(spec) <= {"expect", "expect_not"}, f"{where}: {KEY} is {spec!r}"
        expect, expect_not = _checked(where, spec.get("expect", []), spec.get("expect_not", []))
        out.append(Expectation(path, function_id(key.value), key.start_mark.line + 1, expect, expect_not))
    resources = _mapping(_mapping(top.get("resources", (None, None))[1]).get("Resources", (None, None))[1])
    for key, body in resources.values():
        meta = _mapping(body).get("Metadata")
        own = _mapping(meta[1]).get(KEY) if meta else None
        if own is None:
            continue
        where = f"{path.parent.name}: {key.value}"
        spec = _plain(own[1])
        assert isinstance(spec, dict) and set(spec) <= {"expect", "expect_not"}, f"{where}: {KEY} is {spec!r}"
        expect, expect_not = _checked(where, spec.get("expect", []), spec.get("expect_not", []))
        out.append(Expectation(path, key.value, key.start_mark.line + 1, expect, expect_not))
    assert text.count(KEY) == len(out), f"{path}: a {KEY} that is not under a function or in a resource's Metadata"
    return out


_TF_COMMENT = re.compile(r"^\s*(#|//)")
_TF_ANNOTATION = re.compile(rf"^\s*(?:#|//)\s*{KEY}:(.*)$")
_TF_BLOCK = re.compile(r'^\s*(?:resource\s+"([^"]+)"\s+"([^"]+)"|data\s+"([^"]+)"\s+"([^"]+)"|module\s+"([^"]+)")')


def _tf_address(match: re.Match) -> str:
    rtype, name, dtype, dname, module = match.groups()
    return f"{rtype}.{name}" if rtype else f"data.{dtype}.{dname}" if dtype else f"module.{module}"


def tf_expectations(root: Path) -> list[Expectation]:
    out = []
    for path in sorted(root.rglob("*.tf")):
        lines = path.read_text().splitlines()
        for n, line in enumerate(lines, 1):
            if KEY not in line:
                continue
            where = f"{path.relative_to(TF)}:{n}"
            match = _TF_ANNOTATION.match(line)
            assert match, f"{where}: {KEY} outside a `# {KEY}:` comment line"
            spec: dict[str, list[str]] = {"expect": [], "expect_not": []}
            for item in match.group(1).split():
                name, _, ids = item.partition("=")
                assert name in spec and ids, f"{where}: {item!r} is not expect=ID[,ID] or expect_not=ID[,ID]"
                spec[name].extend(ids.split(","))
            below = n  # 0-based index of the line after the annotation
            while below < len(lines) and _TF_COMMENT.match(lines[below]):
                below += 1
            block = _TF_BLOCK.match(lines[below]) if below < len(lines) else None
            assert block, f"{where}: {KEY} is not on the comment lines directly above a resource, data or module block"
            expect, expect_not = _checked(where, spec["expect"], spec["expect_not"])
            out.append(Expectation(path, _tf_address(block), below + 1, expect, expect_not))
    return out


def _instance_of(address: str) -> re.Pattern:
    """`aws_subnet.a` also as `aws_subnet.a[0]`, `module.m["k"].aws_subnet.a` (an instance of the same block)."""
    key = r'(\[(?:\d+|"[^"]*")\])?'
    return re.compile(rf"^(module\.[\w-]+{key}\.)*{re.escape(address)}{key}$")


def fixtures() -> list[Path]:
    cfn = sorted(p for p in CFN.iterdir() if p.suffix in (".yaml", ".json"))
    return (
        cfn
        + sorted(p for p in TF.iterdir() if p.is_dir())
        + sorted(p for p in SLS.iterdir() if p.is_dir())
        + sorted(p for p in STACKS.iterdir() if p.is_dir())
    )


def _format(fixture: Path) -> str:
    return {CFN: "CloudFormation", TF: "Terraform", SLS: "Serverless Framework", STACKS: "CloudFormation"}[
        fixture.parent
    ]


def _templates(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".json") and "Resources" in p.read_text())


@functools.cache
def expectations(fixture: Path) -> list[Expectation]:
    if fixture.parent == SLS:
        return serverless_expectations(fixture / "serverless.yml")
    if fixture.parent == STACKS:
        return [ex for template in _templates(fixture) for ex in cfn_expectations(template)]
    return tf_expectations(fixture) if fixture.is_dir() else cfn_expectations(fixture)


def _id(fixture: Path) -> str:
    return str(fixture.relative_to(FIXTURES))


def unmet(fixture: Path, report: dict) -> list[str]:
    """Every annotation of the fixture that its scan does not bear out, one line each."""
    problems = []
    findings = [f for f in report["findings"] if f["suppressed"] is None]
    for ex in expectations(fixture):
        if fixture.parent in (SLS, STACKS):
            on = [
                f for f in findings if f["resource"] == ex.resource and Path(f["file"]).resolve() == ex.file.resolve()
            ]
        elif fixture.is_dir():
            same = _instance_of(ex.resource)
            on = [f for f in findings if Path(f["file"]).resolve() == ex.file.resolve() and same.match(f["resource"])]
        else:
            on = [f for f in findings if f["resource"] == ex.resource]
        rules = Counter(f["rule_id"] for f in on)
        where = f"{ex.resource} (line {ex.line})"
        for rule, wanted in Counter(ex.expect).items():
            lines = sorted({f["line"] for f in on if f["rule_id"] == rule})
            if lines and lines != [ex.line]:
                problems.append(f"{where}: {rule} at line(s) {lines}, not at the resource's line")
            elif wanted == 1 and rules[rule] == 0:
                problems.append(f"{where}: expected {rule}, none")
            elif wanted > 1 and rules[rule] != wanted:
                problems.append(f"{where}: expected {rule} {wanted} times, got {rules[rule]}")
        problems += [f"{where}: expected no {rule}, got {rules[rule]}" for rule in ex.expect_not if rules[rule]]
    return problems


@pytest.mark.parametrize("fixture", fixtures(), ids=_id)
def test_fixture_gives_what_its_annotations_say(fixture: Path) -> None:
    report = scan_fixture(fixture)
    assert unmet(fixture, report) == []
    assert KEY not in json.dumps(report), "an annotation for this test leaked into the report"


def _rule_of(name: str) -> str | None:
    match = re.match(r"vr(\d{3})_", name)
    return f"VR{match.group(1)}" if match else None


@pytest.mark.parametrize("fixture", [f for f in fixtures() if _rule_of(f.name)], ids=_id)
def test_rule_fixture_states_its_rule(fixture: Path) -> None:
    """vrNNN_<case> expects VRNNN on some resource; vrNNN_near_miss_<case> expects its absence (STYLE.md names)."""
    rule = _rule_of(fixture.name)
    field = "expect_not" if "_near_miss_" in fixture.name else "expect"
    assert any(rule in getattr(ex, field) for ex in expectations(fixture)), f"no `{field}: [{rule}]` in {_id(fixture)}"


def test_every_catalogue_rule_has_a_trigger_and_a_near_miss_in_both_formats() -> None:
    """A rule's proof is found from its id: in fixtures/cfn and in fixtures/terraform, a trigger `vrNNN_<case>` that
    expects VRNNN, and a near miss `vrNNN_near_miss_<case>` that expects no VRNNN (the names STYLE.md gives).
    Rules that cannot exist in one of the formats are listed in NOT_IN_BOTH_FORMATS with the reason."""
    proofs = set()
    for fixture in fixtures():
        rule = _rule_of(fixture.name)
        kind = "near miss" if "_near_miss_" in fixture.name else "trigger"
        field = "expect_not" if kind == "near miss" else "expect"
        if rule and any(rule in getattr(ex, field) for ex in expectations(fixture)):
            proofs.add((rule, _format(fixture), kind))
    missing = [
        f"{rule}: no {kind} in {fmt}"
        for rule in RULES
        if rule not in NOT_IN_BOTH_FORMATS
        for fmt in ("CloudFormation", "Terraform")
        for kind in ("trigger", "near miss")
        if (rule, fmt, kind) not in proofs
    ]
    assert missing == []
    assert set(NOT_IN_BOTH_FORMATS) <= set(RULES)


# --- the annotations are the test's alone -------------------------------------------------------------------
def test_terraform_annotation_reader_does_not_take_vpcreach_test_for_its_own() -> None:
    from vpcreach.parsers.terraform.annotations import block_annotations

    lines = [
        "# vpcreach-test: expect=VR201 expect_not=VR203",
        "# vpcreach:needs=s3",
        "// vpcreach-test: expect=VR302",
        'resource "aws_lambda_function" "f" { # vpcreach-test: expect=VR101',
    ]
    got = block_annotations(lines, 4)
    assert (got.needs, got.ignores, got.traffic_gb) == (["s3"], [], {})
    assert block_annotations(lines[:1] + lines[3:], 2).needs == []


def test_cloudformation_parser_reads_vpcreach_metadata_not_vpcreach_test() -> None:
    from vpcreach.graph import model as m
    from vpcreach.parsers.cfn import parse_template

    def function(metadata: dict) -> m.Function:
        doc = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Metadata": metadata, "Properties": {}}}}
        return next(iter(parse_template(doc, "t.yaml").of(m.Function)))

    ours = function({KEY: {"expect": ["VR101"], "expect_not": ["VR201"]}})
    assert (ours.declared_needs, ours.ignores) == ([], [])
    both = function({KEY: {"expect": ["VR101"]}, "vpcreach": {"needs": ["internet"], "ignore": ["VR302"]}})
    assert (both.declared_needs, [s.rule_id for s in both.ignores]) == (["internet"], ["VR302"])


@pytest.mark.parametrize("fmt", ["text", "sarif", "junit"])
def test_no_output_format_mentions_the_annotations(fmt: str) -> None:
    code, out, err = run_cli(
        "scan", "--format", fmt, str(CFN / "vr102_public_subnet.json"), str(TF / "vr203_cross_az_nat")
    )
    assert code == 1, err
    assert KEY not in out + err


def test_the_picture_does_not_mention_the_annotations() -> None:
    code, out, err = run_cli("graph", "--format", "dot", str(CFN / "vr203_cross_az_nat.yaml"))
    assert code == 0, err
    assert KEY not in out + err
