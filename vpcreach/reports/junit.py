"""JUnit XML for CI test-report views (GitLab, Jenkins, Azure DevOps, GitHub test-report actions).

One test suite per analysed source; one test case per VPC-attached function and per other resource that
has findings. A test case fails when it has an unsuppressed finding at or above the severity threshold
(the same rule as the exit code); its findings below the threshold and its suppressed findings are listed
in `system-out`, so the report shows everything the text output shows.

Values are escaped as in the text report (`vpcreach.output.escape`): element text line by line as it is
built, every attribute when the tree is done. That also keeps the document well-formed XML whatever the
input holds: XML 1.0 forbids the C0 controls other than tab, newline and carriage return, lone surrogates
and U+FFFE/U+FFFF, and ElementTree writes them unchecked (a parser then stops at the first one).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from vpcreach.analyzer.engine import Analysis, failing
from vpcreach.analyzer.findings import Finding
from vpcreach.output import escape, lines
from vpcreach.parsers.errors import InputError

_ORDER = {"error": 0, "warning": 1, "info": 2}


def _describe(f: Finding) -> str:
    where = f"{f.file}:{f.line}" if f.line else f.file
    out = [f"{f.severity} {f.rule_id} {f.name} at {where}", f"  {f.message}"]
    if len(f.path) > 1:
        out.append("  path: " + " → ".join(f.path))
    if f.suppressed is not None:
        out.append(f"  suppressed: {f.suppressed}")
    elif f.fix and f.severity != "info":
        out.append(f"  fix: {f.fix}")
    return lines(out)


def _testcases(a: Analysis, findings: list[Finding]) -> list[tuple[str, str, int | None, list[Finding]]]:
    """(resource, file, line, findings) for each VPC function, then each other resource with findings."""
    by_resource: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_resource[f.resource].append(f)
    cases = []
    for fid, result in a.functions.items():
        fn = result.function
        if fn.has_vpc_config or result.compute is not None or fn.managed_instances is not None:
            cases.append((fid, fn.loc.file, fn.loc.line, by_resource.pop(fid, [])))
    for resource, items in by_resource.items():
        first = min(items, key=Finding.sort_key)
        cases.append((resource, first.file, first.line, items))
    return cases


def to_junit(
    analyses: list[Analysis], findings: list[Finding], threshold: str, problems: list[InputError] | None = None
) -> str:
    # The findings to report are a subset (after ignores and the baseline) of the analyses' own findings.
    owner = {id(f): a for a in analyses for f in a.findings}
    per_analysis: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        a = owner.get(id(f))
        per_analysis[id(a) if a is not None else 0].append(f)

    root = ET.Element("testsuites", name="vpcreach")
    totals = {"tests": 0, "failures": 0}
    for a in analyses:
        source = ", ".join(a.network.sources)
        suite = ET.SubElement(root, "testsuite", name=source)
        tests = failures = 0
        for resource, file, line, items in _testcases(a, per_analysis.get(id(a), [])):
            tests += 1
            case = ET.SubElement(suite, "testcase", name=resource, classname=source)
            if file:
                case.set("file", file)
            if line:
                case.set("line", str(line))
            items = sorted(items, key=lambda f: (_ORDER[f.severity], f.sort_key()))
            failed = failing(items, threshold)
            if failed:
                failures += 1
                ids = ", ".join(dict.fromkeys(f.rule_id for f in failed))
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"{len(failed)} finding(s) at or above {threshold}: {ids}; {failed[0].message}",
                    type=failed[0].severity,
                )
                failure.text = "\n\n".join(_describe(f) for f in failed)
            failed_ids = {id(f) for f in failed}
            rest = [f for f in items if id(f) not in failed_ids]
            if rest:
                ET.SubElement(case, "system-out").text = "\n\n".join(_describe(f) for f in rest)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        totals["tests"] += tests
        totals["failures"] += failures
    errors = len(problems or [])
    for problem in problems or []:
        # An input that could not be read is an errored test (not a failed one): the check could not run.
        suite = ET.SubElement(root, "testsuite", name=problem.file, tests="1", failures="0", errors="1", skipped="0")
        case = ET.SubElement(suite, "testcase", name="read", classname=problem.file, file=problem.file)
        if problem.line:
            case.set("line", str(problem.line))
        ET.SubElement(case, "error", message=str(problem), type="input")
    root.set("tests", str(totals["tests"] + errors))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(errors))
    for element in root.iter():
        element.attrib = {name: escape(value) for name, value in element.attrib.items()}
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
