"""Property tests on random valid networks (tests/fuzz_specs.py): invariants every analysis must keep.

- the pipeline (load, analyse, JSON and text reports) never raises;
- a function without VpcConfig never gets an egress finding;
- adding an allow-all egress rule, or an internet-gateway-backed NAT route where a table has no default
  route, never turns a reachable verdict into a blocked one;
- a CloudFormation template and its Terraform twin give the same verdicts.

Bounded with max_examples so that the module runs in well under a minute on two cores.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from fuzz_specs import gen, specs, write_cfn, write_terraform
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vpcreach.analyzer.engine import Options, analyze

from vpcreach.reports.data import to_dict
from vpcreach.reports.text import render
from vpcreach.sources import LoadOptions, discover, load

pytestmark = pytest.mark.slow  # Hypothesis-generated networks

# VPCREACH_FUZZ_EXAMPLES=500 for a longer hunt; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("VPCREACH_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EGRESS_RULES = {f"VR{n}" for n in (*range(101, 112), *range(201, 205))}


def analyse(path: Path):  # type: ignore[no-untyped-def]
    (source,) = discover([str(path)])
    network = load(source, LoadOptions())
    assert network is not None
    return analyze(network, Options())


def verdicts(analysis) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    """(function name, need) → verdict; the name without a Terraform address prefix."""
    out = {}
    for fid, result in analysis.functions.items():
        name = fid.rsplit(".", 1)[-1]
        for nr in result.needs:
            out[(name, nr.need.target)] = nr.verdict.status
    return out


def scan_spec(spec) -> tuple:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_cfn(Path(tmp), spec)
        analysis = analyse(path)
        # The reports must render whatever the analysis found.
        json.dumps(to_dict([analysis], analysis.findings))
        render([analysis], analysis.findings, False, True)
    return analysis, verdicts(analysis)


@FUZZ
@given(specs())
def test_random_network_never_crashes_and_functions_without_vpc_get_no_egress_finding(spec):
    analysis, _ = scan_spec(spec)
    outside = {fn.name for fn in spec.functions if fn.subnets is None}
    for f in analysis.findings:
        if f.rule_id not in EGRESS_RULES:
            continue
        about = {f.resource, *f.functions, *f.path}
        assert not (about & outside), f"{f.rule_id} on a function without VpcConfig: {f.message}"
        for name in outside:
            assert not re.search(rf"\b{name}\b", f.message), f"{f.rule_id} mentions {name}: {f.message}"
    for name in outside:
        assert not analysis.functions[name].needs, f"{name} has no VpcConfig but got verdicts"


def _no_reachable_became_blocked(before: dict, after: dict, what: str) -> None:
    for key, status in before.items():
        if status == "reachable":
            assert after.get(key) != "blocked", f"{what} turned {key} from reachable into blocked"


@FUZZ
@given(specs(), st.data())
def test_allow_all_egress_never_blocks_what_was_reachable(spec, data):
    _, before = scan_spec(spec)
    opened = copy.deepcopy(spec)
    for sg in opened.security_groups:
        if data.draw(st.booleans(), label=f"open {sg.name}"):
            sg.egress.append(gen.SgRule("-1", None, None, "0.0.0.0/0"))
    _, after = scan_spec(opened)
    _no_reachable_became_blocked(before, after, "an allow-all egress rule")


@FUZZ
@given(specs(), st.data())
def test_igw_backed_nat_route_never_blocks_what_was_reachable(spec, data):
    _, before = scan_spec(spec)
    routed = copy.deepcopy(spec)
    routed.igw = True
    public = gen.RouteTable("PublicRt", [gen.Route("0.0.0.0/0", "igw")])
    routed.route_tables.append(public)
    routed.subnets.append(gen.Subnet("PublicSubnet", 0, "10.0.250.0/24", public.name))
    routed.nats.append(gen.Nat("AddedNat", "PublicSubnet"))
    for table in routed.route_tables:
        if table is public or any(r.dest == "0.0.0.0/0" for r in table.routes):
            continue
        if data.draw(st.booleans(), label=f"route {table.name}"):
            table.routes.append(gen.Route("0.0.0.0/0", "AddedNat"))
    _, after = scan_spec(routed)
    _no_reachable_became_blocked(before, after, "a NAT route backed by an internet gateway")


def _terraform_missing() -> str | None:
    try:
        from vpcreach.parsers.terraform import parse_module  # noqa: F401
    except ImportError as exc:
        return f"the Terraform parser is not importable yet ({exc})"
    return None


@pytest.mark.skipif(_terraform_missing() is not None, reason=str(_terraform_missing()))
@settings(max_examples=max(1, EXAMPLES * 3 // 4), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(max_functions=3))
def test_cloudformation_and_terraform_twins_give_the_same_verdicts(spec):
    with tempfile.TemporaryDirectory() as tmp:
        cfn = verdicts(analyse(write_cfn(Path(tmp), spec)))
        tf = verdicts(analyse(write_terraform(Path(tmp), spec)))
    if any(fn.subnets and fn.needs for fn in spec.functions):
        assert cfn, "a VPC function with needs got no verdicts"
    assert tf == cfn
