"""`vpcreach plan`: the whole catalogue on the planned network, and what the change does (VR306 and the
`changes` section): DESIGN decision 6, SEMANTICS §1. Real plans from fixtures/tfplan and hand-made ones."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, findings_of, run_cli

TFPLAN = FIXTURES / "tfplan"


def fixture(name: str) -> str:
    return str(TFPLAN / name / "plan.json")


def plan_json(*paths: str, extra: tuple[str, ...] = ()) -> dict:
    code, out, err = run_cli("plan", "--format", "json", *paths, *extra)
    assert code in (0, 1), err
    return json.loads(out)


def line_of(path: str, address: str) -> int:
    """Line of `address`'s entry under resource_changes (where findings point)."""
    lines = Path(path).read_text().splitlines()
    start = next(i for i, text in enumerate(lines) if '"resource_changes"' in text)
    needle = json.dumps({"address": address})[1:-1]
    return next(i + 1 for i in range(start, len(lines)) if needle in lines[i])


# --- real plans ----------------------------------------------------------------------------------------
def test_creating_functions_is_normal_and_gets_no_vr306():
    path = fixture("create_vpc_lambda")
    report = plan_json(path)
    assert findings_of(report, "VR306") == []
    assert findings_of(report, "VR308") == []  # depends_on the policy attachment
    changes = report["changes"]
    assert changes["counts"] == {"create": 17}
    assert changes["functions"] == [] and changes["deletions_in_use"] == [] and changes["reachability"] == []
    created = {g["id"]: g["functions"] for g in changes["eni_groups_created"]}
    both = ['aws_lambda_function.fn["api"]', 'aws_lambda_function.fn["worker"]']
    assert created == {
        "eni:module.net.aws_subnet.private[0]|aws_security_group.app": both,
        "eni:module.net.aws_subnet.private[1]|aws_security_group.app": both,
    }


def test_the_whole_catalogue_runs_on_the_planned_network():
    path = fixture("create_vpc_lambda")
    report = plan_json(path)
    assert findings_of(report, "VR203") == [
        ("VR203", "module.net.aws_subnet.private[1]", line_of(path, "module.net.aws_subnet.private[1]"))
    ]
    assert findings_of(report, "VR204") == [
        ("VR204", "module.net.aws_nat_gateway.this", line_of(path, "module.net.aws_nat_gateway.this"))
    ]
    verdicts = {(f["resource"], n["target"]): n["verdict"] for f in report["functions"] for n in f["needs"]}
    assert verdicts == {
        ('aws_lambda_function.fn["api"]', "internet"): "reachable",
        ('aws_lambda_function.fn["worker"]', "internet"): "reachable",
    }


def test_update_that_changes_security_groups_needs_new_enis():
    path = fixture("update_function_sgs")
    report = plan_json(path)
    assert findings_of(report, "VR306") == [
        ("VR306", "aws_lambda_function.api", line_of(path, "aws_lambda_function.api"))
    ]
    finding = next(f for f in report["findings"] if f["rule_id"] == "VR306")
    assert finding["severity"] == "warning"
    assert "needs 2 new Hyperplane ENI(s)" in finding["message"] and "Pending" in finding["message"]
    [entry] = report["changes"]["functions"]
    assert entry["resource"] == "aws_lambda_function.api" and entry["action"] == "update" and entry["pending"]
    assert entry["eni_groups_before"] == [
        "eni:aws_subnet.private[0]|aws_security_group.app",
        "eni:aws_subnet.private[1]|aws_security_group.app",
    ]
    assert entry["new_eni_groups"] == [
        "eni:aws_subnet.private[0]|aws_security_group.app,aws_security_group.audit",
        "eni:aws_subnet.private[1]|aws_security_group.app,aws_security_group.audit",
    ]
    # worker keeps the (subnet, {app}) ENIs, so none is removed.
    assert report["changes"]["eni_groups_removed"] == []
    assert [g["reason"] for g in report["changes"]["eni_groups_created"]] == [
        "aws_security_group.audit is new in this plan"
    ] * 2


def test_replacing_a_subnet_gives_a_new_eni_and_deletes_the_subnet_under_it():
    path = fixture("replace_subnet")
    report = plan_json(path)
    assert findings_of(report, "VR306") == sorted(
        [
            ("VR306", "aws_lambda_function.api", line_of(path, "aws_lambda_function.api")),
            ("VR306", "aws_subnet.private[1]", line_of(path, "aws_subnet.private[1]")),
        ]
    )
    subnet = next(f for f in report["findings"] if f["rule_id"] == "VR306" and f["resource"] == "aws_subnet.private[1]")
    assert "replaces (deletes and re-creates) subnet aws_subnet.private[1]" in subnet["message"]
    assert "up to 45 minutes" in subnet["message"] and "create_before_destroy" in subnet["fix"]
    assert report["changes"]["deletions_in_use"] == [
        {
            "resource": "aws_subnet.private[1]",
            "type": "aws_subnet",
            "action": "replace",
            "functions": ["aws_lambda_function.api"],
            "still_used_by": [],
            "source": path,
        }
    ]
    [entry] = report["changes"]["functions"]
    # Same address before and after, but a new subnet: its pair is a new ENI.
    assert entry["new_eni_groups"] == ["eni:aws_subnet.private[1]|aws_security_group.app"]


def test_deleting_a_security_group_still_used_by_a_remaining_function():
    path = fixture("delete_sg_in_use")
    report = plan_json(path)
    assert findings_of(report, "VR306") == sorted(
        [
            ("VR306", "aws_lambda_function.api", line_of(path, "aws_lambda_function.api")),
            ("VR306", "aws_security_group.legacy", line_of(path, "aws_security_group.legacy")),
        ]
    )
    sg = next(f for f in report["findings"] if f["rule_id"] == "VR306" and f["resource"] == "aws_security_group.legacy")
    assert "aws_lambda_function.api, aws_lambda_function.worker use it" in sg["message"]
    assert "aws_lambda_function.worker still uses it after the change" in sg["message"]
    [deletion] = report["changes"]["deletions_in_use"]
    assert deletion["action"] == "delete"
    assert deletion["functions"] == ["aws_lambda_function.api", "aws_lambda_function.worker"]
    assert deletion["still_used_by"] == ["aws_lambda_function.worker"]


def test_removing_the_nat_route_breaks_the_internet_need():
    path = fixture("break_nat_route")
    report = plan_json(path)
    assert findings_of(report, "VR306") == []
    assert findings_of(report, "VR101") == [
        ("VR101", "aws_lambda_function.api", line_of(path, "aws_lambda_function.api"))
    ]
    [diff] = report["changes"]["reachability"]
    assert (diff["function"], diff["need"], diff["before"], diff["after"], diff["change"]) == (
        "aws_lambda_function.api",
        "internet",
        "reachable",
        "blocked",
        "broken",
    )
    assert "no route for 0.0.0.0/0" in diff["reason"]
    assert "aws_nat_gateway.nat" in diff["via_before"] and "aws_nat_gateway.nat" not in diff["via_after"]
    assert report["changes"]["resources"] == [
        {"address": "aws_route.private_default", "type": "aws_route", "action": "delete", "source": path}
    ]


def test_adding_the_nat_route_repairs_the_internet_need():
    report = plan_json(fixture("repair_nat_route"))
    assert findings_of(report, "VR101") == [] and findings_of(report, "VR306") == []
    [diff] = report["changes"]["reachability"]
    assert (diff["before"], diff["after"], diff["change"]) == ("blocked", "reachable", "repaired")
    assert "no route for 0.0.0.0/0" in diff["reason"]  # what was wrong before


def test_text_output_has_a_plan_changes_section():
    code, out, _err = run_cli("plan", fixture("delete_sg_in_use"))
    assert code == 1
    section = out[out.index("  plan changes: 1 to delete, 1 to update") :]
    assert (
        "    ! delete aws_security_group.legacy while in use by aws_lambda_function.api, aws_lambda_function.worker; "
        "still used after the change by aws_lambda_function.worker"
    ) in section
    assert (
        "    + Hyperplane ENI aws_subnet.private[0] × {aws_security_group.app} for aws_lambda_function.api" in section
    )
    code, out, _err = run_cli("plan", fixture("break_nat_route"))
    assert "    aws_lambda_function.api internet: reachable → blocked (broken)" in out


def test_changes_are_reported_only_in_plan_mode():
    code, out, err = run_cli("scan", "--format", "json", fixture("update_function_sgs"))
    assert code in (0, 1), err
    report = json.loads(out)
    assert "changes" not in report and findings_of(report, "VR306") == []


def test_several_plans_merge_their_changes_with_the_source():
    a, b = fixture("break_nat_route"), fixture("repair_nat_route")
    report = plan_json(a, b)
    assert [(d["source"], d["change"]) for d in report["changes"]["reachability"]] == [(a, "broken"), (b, "repaired")]
    assert report["changes"]["counts"] == {"delete": 1, "create": 1}


def test_exit_codes_and_thresholds_are_those_of_scan():
    update = fixture("update_function_sgs")
    assert run_cli("plan", update)[0] == 1  # VR306 and VR203 are warnings
    assert run_cli("plan", update, "--severity-threshold", "error")[0] == 0
    assert run_cli("plan", update, "--ignore", "VR306,VR203")[0] == 0
    assert run_cli("plan", fixture("break_nat_route"), "--severity-threshold", "error")[0] == 1
    assert run_cli("plan", str(TFPLAN / "missing.json"))[0] == 2


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_other_formats_render_plan_findings(fmt):
    code, out, err = run_cli("plan", "--format", fmt, fixture("replace_subnet"))
    assert code == 1, err
    assert "VR306" in out


def test_vr308_only_for_functions_the_plan_creates(tmp_path):
    """DESIGN decision 2: in plan mode VR308 applies to create/replace, never to an update."""
    for name, expected in (("create_vpc_lambda", 2), ("update_function_sgs", 0)):
        doc = json.loads((TFPLAN / name / "plan.json").read_text())
        for res in doc["configuration"]["root_module"]["resources"]:
            res.pop("depends_on", None)  # the attachment now reaches the role with no ordering
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc, indent=1))
        assert len(findings_of(plan_json(str(path)), "VR308")) == expected, name


def test_for_each_over_subnets_links_each_association_to_its_public_subnet():
    """Issue 14 item 2: `for_each = aws_subnet.public`, `subnet_id = each.value.id` (and a for expression
    giving each.value = the id) are followed by key; the NAT's subnet is public, so no VR103 (nor VR101)."""
    report = plan_json(fixture("for_each_association"))
    path = fixture("for_each_association")
    assert findings_of(report, "VR103") == [] and findings_of(report, "VR101") == []
    assert findings_of(report, "VR001") == []
    [api] = [f for f in report["functions"] if f["resource"] == "aws_lambda_function.api"]
    assert [(n["target"], n["verdict"]) for n in api["needs"]] == [("internet", "reachable")]
    # The single-NAT findings the HCL scan of the same main.tf gives, on the same resources.
    assert findings_of(report, "VR204") == [("VR204", "aws_nat_gateway.nat", line_of(path, "aws_nat_gateway.nat"))]


def test_for_each_association_onto_a_table_without_internet_route_is_vr103():
    """Trigger twin: the main table has the internet route, the for_each associations move the NAT's subnet
    off it; only a followed association shows the NAT cannot reach the internet."""
    path = fixture("for_each_association_wrong_table")
    report = plan_json(path)
    line = line_of(path, "aws_lambda_function.api")
    assert [f for f in findings_of(report) if f[0] != "VR301"] == [("VR103", "aws_lambda_function.api", line)]


def test_attachments_reach_roles_named_by_the_provider():
    """Issue 14 item 3 in a plan: a role whose name is null (api) or from name_prefix (worker) is named only
    after apply; the attachments' `role = aws_iam_role.X.name` still reach it. api does not wait: VR308."""
    path = fixture("role_without_name")
    report = plan_json(path)
    line = line_of(path, "aws_lambda_function.api")
    assert [f for f in findings_of(report) if f[0] != "VR301"] == [("VR308", "aws_lambda_function.api", line)]


# --- hand-made plans for the cases decision 6 settles ------------------------------------------------------
ROLE_ARN = "arn:aws:iam::123456789012:role/fn"
BASE = [
    ("aws_vpc.v", "aws_vpc", {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}),
    ("aws_subnet.a", "aws_subnet", {"id": "subnet-a", "vpc_id": "vpc-1", "cidr_block": "10.0.1.0/24", "availability_zone": "us-east-1a"}),
    ("aws_subnet.b", "aws_subnet", {"id": "subnet-b", "vpc_id": "vpc-1", "cidr_block": "10.0.2.0/24", "availability_zone": "us-east-1b"}),
    ("aws_security_group.one", "aws_security_group", {"id": "sg-1", "vpc_id": "vpc-1", "egress": [], "ingress": []}),
    ("aws_security_group.two", "aws_security_group", {"id": "sg-2", "vpc_id": "vpc-1", "egress": [], "ingress": []}),
    ("aws_iam_role.fn", "aws_iam_role", {"id": "fn", "name": "fn", "arn": ROLE_ARN,
     "managed_policy_arns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]}),
]  # fmt: skip


def function(name: str, subnets: list[str] | None, sgs: list[str], **more: object) -> tuple[str, str, dict]:
    values: dict = {"id": name, "function_name": name, "role": ROLE_ARN, "memory_size": 128, **more}
    if subnets is not None:
        values["vpc_config"] = [{"subnet_ids": subnets, "security_group_ids": sgs}]
    return (f"aws_lambda_function.{name}", "aws_lambda_function", values)


def make_plan(tmp_path: Path, before: list, after: list, replace: tuple[str, ...] = ()) -> str:
    """A plan with prior state: actions follow from what differs between `before` and `after`."""
    old = {a: (t, v) for a, t, v in before}
    new = {a: (t, v) for a, t, v in after}
    changes = []
    for address in dict.fromkeys([*old, *new]):
        rtype = (new.get(address) or old[address])[0]
        b = old[address][1] if address in old else None
        a = new[address][1] if address in new else None
        if address in replace:
            actions = ["delete", "create"]
        elif b is None:
            actions = ["create"]
        elif a is None:
            actions = ["delete"]
        else:
            actions = ["no-op"] if a == b else ["update"]
        changes.append(
            {"address": address, "mode": "managed", "type": rtype, "name": address.split(".")[1],
             "change": {"actions": actions, "before": b, "after": a, "after_unknown": {}}}
        )  # fmt: skip

    def values(resources: dict) -> dict:
        return {"root_module": {"resources": [
            {"address": a, "mode": "managed", "type": t, "name": a.split(".")[1], "values": copy.deepcopy(v)}
            for a, (t, v) in resources.items()
        ]}}  # fmt: skip

    doc = {
        "format_version": "1.2",
        "planned_values": values(new),
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "values": values(old)},
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc, indent=1))
    return str(path)


def vr306(path: str) -> list[dict]:
    return [f for f in plan_json(path)["findings"] if f["rule_id"] == "VR306"]


def test_an_update_that_keeps_the_pair_gets_no_vr306(tmp_path):
    before = [*BASE, function("api", ["subnet-a"], ["sg-1"])]
    after = [*BASE, function("api", ["subnet-a"], ["sg-1"], memory_size=512)]
    path = make_plan(tmp_path, before, after)
    assert vr306(path) == []
    assert plan_json(path)["changes"]["functions"] == []


def test_security_group_order_does_not_change_the_pair(tmp_path):
    before = [*BASE, function("api", ["subnet-a"], ["sg-1", "sg-2"])]
    after = [*BASE, function("api", ["subnet-a"], ["sg-2", "sg-1"])]
    assert vr306(make_plan(tmp_path, before, after)) == []


def test_moving_to_a_pair_another_function_has_joins_its_eni(tmp_path):
    worker = function("worker", ["subnet-a"], ["sg-2"])
    before = [*BASE, worker, function("api", ["subnet-a"], ["sg-1"])]
    after = [*BASE, worker, function("api", ["subnet-a"], ["sg-2"])]
    [finding] = vr306(make_plan(tmp_path, before, after))
    assert finding["resource"] == "aws_lambda_function.api"
    assert "joins the existing Hyperplane ENI(s) of subnet-a" not in finding["message"]  # ids map to addresses
    assert "joins the existing Hyperplane ENI(s) of aws_subnet.a × {aws_security_group.two}" in finding["message"]
    assert "new Hyperplane ENI" not in finding["message"]


def test_replacing_a_function_with_the_same_pair_gets_no_vr306(tmp_path):
    before = [*BASE, function("api", ["subnet-a"], ["sg-1"])]
    after = [*BASE, function("api", ["subnet-a"], ["sg-1"], package_type="Image")]
    assert vr306(make_plan(tmp_path, before, after, replace=("aws_lambda_function.api",))) == []


def test_replacing_a_function_with_a_new_pair_is_reported(tmp_path):
    before = [*BASE, function("api", ["subnet-a"], ["sg-1"])]
    after = [*BASE, function("api", ["subnet-b"], ["sg-1"])]
    [finding] = vr306(make_plan(tmp_path, before, after, replace=("aws_lambda_function.api",)))
    assert finding["message"].startswith("this plan replaces aws_lambda_function.api and changes its")
    assert "aws_subnet.b × {aws_security_group.one}" in finding["message"]


def test_moving_a_function_into_a_vpc_is_reported(tmp_path):
    before = [*BASE, function("api", None, [])]
    after = [*BASE, function("api", ["subnet-a"], ["sg-1"])]
    assert [f["resource"] for f in vr306(make_plan(tmp_path, before, after))] == ["aws_lambda_function.api"]


def test_leaving_a_subnet_needs_no_new_eni(tmp_path):
    before = [*BASE, function("api", ["subnet-a", "subnet-b"], ["sg-1"])]
    after = [*BASE, function("api", ["subnet-a"], ["sg-1"])]
    path = make_plan(tmp_path, before, after)
    assert vr306(path) == []
    [entry] = plan_json(path)["changes"]["functions"]
    assert entry["pending"] is False and entry["new_eni_groups"] == []
    assert [g["id"] for g in plan_json(path)["changes"]["eni_groups_removed"]] == [
        "eni:aws_subnet.b|aws_security_group.one"
    ]


def test_deleting_an_unused_security_group_is_fine(tmp_path):
    before = [*BASE, function("api", ["subnet-a"], ["sg-1"])]
    after = [r for r in before if r[0] != "aws_security_group.two"]
    path = make_plan(tmp_path, before, after)
    assert vr306(path) == [] and plan_json(path)["changes"]["deletions_in_use"] == []


def test_deleting_a_group_together_with_its_only_function_is_fine(tmp_path):
    """Decision 6 is about a *remaining* function's ENI."""
    before = [*BASE, function("api", ["subnet-a"], ["sg-2"])]
    after = [r for r in BASE if r[0] != "aws_security_group.two"]
    assert vr306(make_plan(tmp_path, before, after)) == []


def test_deleting_a_subnet_a_remaining_function_leaves_in_the_same_plan(tmp_path):
    before = [*BASE, function("api", ["subnet-a", "subnet-b"], ["sg-1"])]
    after = [*(r for r in BASE if r[0] != "aws_subnet.b"), function("api", ["subnet-a"], ["sg-1"])]
    [finding] = vr306(make_plan(tmp_path, before, after))
    assert finding["resource"] == "aws_subnet.b"
    assert finding["message"].startswith("this plan deletes subnet aws_subnet.b while the Hyperplane ENI(s) of")
    assert "still uses it" not in finding["message"]


def test_vr306_can_be_suppressed_with_the_vpcreach_ignore_tag(tmp_path):
    before = [*BASE, function("api", ["subnet-a"], ["sg-1"])]
    after = [*BASE, function("api", ["subnet-b"], ["sg-1"], tags={"vpcreach:ignore": "VR306:planned maintenance"})]
    path = make_plan(tmp_path, before, after)
    [finding] = vr306(path)
    assert finding["suppressed"] == "planned maintenance"
