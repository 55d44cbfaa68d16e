"""The Terraform plan reader (`parsers/terraform/plan.py`): real plans from fixtures/tfplan (Terraform 1.11.4,
AWS provider 5.100.0) and small hand-made documents for the corners of the JSON format (APIS.md §7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, run_cli
from vpcreach.graph import model as m
from vpcreach.parsers.errors import InputError
from vpcreach.parsers.terraform.instance import TfRef
from vpcreach.parsers.terraform.plan import parse_plan, split_address

TFPLAN = FIXTURES / "tfplan"


def plan_of(name: str) -> m.Network:
    return parse_plan(str(TFPLAN / name / "plan.json"))


def fn(net: m.Network, address: str) -> m.Function:
    obj = net.objects[address]
    assert isinstance(obj, m.Function)
    return obj


def write(tmp_path: Path, doc: object, name: str = "plan.json", indent: int | None = 1) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=indent))
    return str(path)


# --- real plans ----------------------------------------------------------------------------------------
def test_ids_unknown_until_apply_are_linked_through_module_outputs_and_splats():
    net = plan_of("create_vpc_lambda")
    api = fn(net, 'aws_lambda_function.fn["api"]')
    # subnet_ids = module.net.private_subnet_ids, an output `aws_subnet.private[*].id` inside the module.
    assert api.subnets == ["module.net.aws_subnet.private[0]", "module.net.aws_subnet.private[1]"]
    assert api.security_groups == ["aws_security_group.app"]
    assert api.role == "aws_iam_role.lambda"  # role = aws_iam_role.lambda.arn, unknown until apply
    assert api.action == "create"
    assert api.declared_needs == ["internet"]  # the vpcreach:needs tag survives into plan JSON
    assert "aws_iam_role_policy_attachment.vpc_access" in api.depends_on


def test_count_index_references_pick_the_same_instance():
    net = plan_of("create_vpc_lambda")
    for i in (0, 1):
        assoc = net.objects[f"module.net.aws_route_table_association.private[{i}]"]
        assert isinstance(assoc, m.RouteTableAssociation)
        assert assoc.subnet == f"module.net.aws_subnet.private[{i}]"
        assert assoc.route_table == "module.net.aws_route_table.private"


def test_each_value_references_pick_the_for_each_element_with_the_same_key():
    """`for_each = aws_subnet.public` + `each.value.id`, and `for_each = { for k, s in aws_subnet.private :
    k => s.id }` + `each.value` (issue 14 item 2): plan configuration says only `each.value(.id)`."""
    net = plan_of("for_each_association")
    for kind in ("public", "private"):
        for key in ("a", "b"):
            assoc = net.objects[f'aws_route_table_association.{kind}["{key}"]']
            assert isinstance(assoc, m.RouteTableAssociation)
            assert assoc.subnet == f'aws_subnet.{kind}["{key}"]'
            assert assoc.route_table == f"aws_route_table.{kind}"


def test_inline_routes_with_unknown_targets_are_linked():
    net = plan_of("create_vpc_lambda")
    route = net.objects["module.net.aws_route_table.private#route0"]
    assert isinstance(route, m.Route)
    assert (route.dest_v4, route.target) == ("0.0.0.0/0", "module.net.aws_nat_gateway.this")


def test_security_group_egress_comes_from_the_configuration_and_unset_ingress_is_not_unknown():
    net = plan_of("create_vpc_lambda")
    sg = net.objects["aws_security_group.app"]
    assert isinstance(sg, m.SecurityGroup)
    assert [(r.protocol, r.from_port, r.to_port, r.peer) for r in sg.egress] == [("tcp", 443, 443, "0.0.0.0/0")]
    assert sg.ingress == [] and sg.rules_unknown is None
    assert sg.vpc == "module.net.aws_vpc.this"


def test_change_actions_and_known_ids_of_existing_resources():
    net = plan_of("replace_subnet")
    assert net.actions["aws_subnet.private[1]"] == "replace"
    assert net.actions["aws_route_table_association.private[1]"] == "replace"
    assert net.actions["aws_lambda_function.api"] == "update"
    assert net.actions["aws_subnet.private[0]"] == "no-op"
    api = fn(net, "aws_lambda_function.api")
    # private[0] keeps its literal id (mapped back to its address); private[1] is linked by configuration.
    assert sorted(api.subnets) == ["aws_subnet.private[0]", "aws_subnet.private[1]"]
    assert net.objects["aws_subnet.private[1]"].cidr_v4 == "10.0.2.0/24"  # type: ignore[attr-defined]


def test_previous_network_comes_from_prior_state():
    net = plan_of("update_function_sgs")
    assert net.previous is not None
    before = fn(net.previous, "aws_lambda_function.api")
    after = fn(net, "aws_lambda_function.api")
    assert before.security_groups == ["aws_security_group.app"]
    assert sorted(after.security_groups) == ["aws_security_group.app", "aws_security_group.audit"]  # type: ignore[arg-type]
    assert "aws_security_group.audit" not in net.previous.objects
    assert net.previous.objects["aws_subnet.private[1]"].cidr_v4 == "10.0.1.0/24"  # type: ignore[attr-defined]


def test_deleted_resources_are_only_in_the_previous_network():
    net = plan_of("delete_sg_in_use")
    assert net.actions["aws_security_group.legacy"] == "delete"
    assert "aws_security_group.legacy" not in net.objects
    assert isinstance(net.previous.objects["aws_security_group.legacy"], m.SecurityGroup)  # type: ignore[union-attr]
    worker = fn(net, "aws_lambda_function.worker")
    # worker names the group by its literal id, which no longer belongs to anything after the change.
    assert worker.security_groups == [m.External("sg-070e718f9d4321281")]
    assert net.before_ids["sg-070e718f9d4321281"] == "aws_security_group.legacy"


def test_a_plan_without_prior_state_has_an_empty_previous_network():
    net = plan_of("create_vpc_lambda")
    assert net.previous is not None and net.previous.objects == {}


def test_locations_point_at_the_resource_change_entry():
    path = TFPLAN / "update_function_sgs" / "plan.json"
    net = parse_plan(str(path))
    api = fn(net, "aws_lambda_function.api")
    lines = path.read_text().splitlines()
    assert '"address": "aws_lambda_function.api"' in lines[api.loc.line - 1]  # type: ignore[operator]
    changes_at = next(i for i, line in enumerate(lines) if '"resource_changes"' in line)
    assert api.loc.line > changes_at


def test_one_line_json_as_terraform_writes_it_has_no_line_numbers(tmp_path):
    doc = json.loads((TFPLAN / "update_function_sgs" / "plan.json").read_text())
    net = parse_plan(write(tmp_path, doc, indent=None))
    assert fn(net, "aws_lambda_function.api").loc.line is None


def test_split_address_handles_module_instance_keys():
    assert split_address('module.a["x.y"].module.b[0].aws_subnet.s[1]') == (
        'module.a["x.y"].module.b[0].',
        "aws_subnet.s[1]",
    )


# --- hand-made documents for the format's corners -------------------------------------------------------
def _doc(resources: list[dict], changes: list[dict], config: list[dict], **extra: object) -> dict:
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": config}},
        **extra,
    }


def _subnets(n: int) -> tuple[list[dict], list[dict], list[dict]]:
    resources = [
        {"address": f"aws_subnet.s[{i}]", "mode": "managed", "type": "aws_subnet", "name": "s", "index": i,
         "values": {"cidr_block": f"10.0.{i}.0/24", "availability_zone": "us-east-1a"}}
        for i in range(n)
    ]  # fmt: skip
    changes = [
        {"address": r["address"], "mode": "managed", "type": "aws_subnet", "name": "s", "index": r["index"],
         "change": {"actions": ["create"], "before": None, "after": r["values"], "after_unknown": {"id": True}}}
        for r in resources
    ]  # fmt: skip
    config = [{"address": "aws_subnet.s", "mode": "managed", "type": "aws_subnet", "name": "s", "expressions": {}}]
    return resources, changes, config


def _function(refs: list[str], after_unknown: object, after_subnets: object = None) -> tuple[dict, dict, dict]:
    vpc: dict = {}
    if after_subnets is not None:
        vpc["subnet_ids"] = after_subnets
    values = {"function_name": "f", "vpc_config": [vpc], "tags": {"vpcreach:needs": "s3"}}
    res = {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
           "values": values}  # fmt: skip
    change = {"address": res["address"], "mode": "managed", "type": "aws_lambda_function", "name": "f",
              "change": {"actions": ["create"], "before": None, "after": values,
                         "after_unknown": {"vpc_config": [{"subnet_ids": after_unknown}]}}}  # fmt: skip
    cfg = {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
           "expressions": {"vpc_config": [{"subnet_ids": {"references": refs}}]}}  # fmt: skip
    return res, change, cfg


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        # [aws_subnet.s[0].id, aws_subnet.s[2].id]: indexed references, implied parents skipped
        (
            [
                "aws_subnet.s[0].id",
                "aws_subnet.s[0]",
                "aws_subnet.s",
                "aws_subnet.s[2].id",
                "aws_subnet.s[2]",
                "aws_subnet.s",
            ],
            ["aws_subnet.s[0]", "aws_subnet.s[2]"],
        ),
        # aws_subnet.s[*].id: a bare address nothing implies means every instance
        (["aws_subnet.s"], ["aws_subnet.s[0]", "aws_subnet.s[1]", "aws_subnet.s[2]"]),
        # concat([aws_subnet.s[1].id], aws_subnet.s[*].id): one bare more than the indexed one implies
        (
            ["aws_subnet.s[1].id", "aws_subnet.s[1]", "aws_subnet.s", "aws_subnet.s"],
            ["aws_subnet.s[1]", "aws_subnet.s[0]", "aws_subnet.s[2]"],
        ),
    ],
)
def test_splat_and_implied_parent_references(tmp_path, refs, expected):
    resources, changes, config = _subnets(3)
    res, change, cfg = _function(refs, True)
    net = parse_plan(write(tmp_path, _doc([*resources, res], [*changes, change], [*config, cfg])))
    assert fn(net, "aws_lambda_function.f").subnets == expected


def test_positional_unknowns_in_a_list_keep_the_known_items(tmp_path):
    """after_unknown keeps positional false in lists (APIS.md §7): only the unknown slot is filled."""
    resources, changes, config = _subnets(2)
    resources[0]["values"]["id"] = "subnet-0aaa"
    changes[0]["change"] = {"actions": ["no-op"], "before": resources[0]["values"], "after": resources[0]["values"],
                            "after_unknown": {}}  # fmt: skip
    refs = [
        "aws_subnet.s[0].id",
        "aws_subnet.s[0]",
        "aws_subnet.s",
        "aws_subnet.s[1].id",
        "aws_subnet.s[1]",
        "aws_subnet.s",
    ]
    res, change, cfg = _function(refs, [False, True], ["subnet-0aaa", None])
    net = parse_plan(write(tmp_path, _doc([*resources, res], [*changes, change], [*config, cfg])))
    assert fn(net, "aws_lambda_function.f").subnets == ["aws_subnet.s[0]", "aws_subnet.s[1]"]


def test_a_value_computed_through_a_local_stays_unknown_with_the_reason(tmp_path):
    resources, changes, config = _subnets(1)
    res, change, cfg = _function(["local.subnet_ids"], True)
    net = parse_plan(write(tmp_path, _doc([*resources, res], [*changes, change], [*config, cfg])))
    subnets = fn(net, "aws_lambda_function.f").subnets
    assert isinstance(subnets, m.Unknown)
    assert "local.subnet_ids" in subnets.reason and "locals are not in plan JSON" in subnets.reason
    code, out, err = run_cli(
        "plan", "--format", "json", write(tmp_path, _doc([*resources, res], [*changes, change], [*config, cfg]))
    )
    assert code in (0, 1), err
    vr001 = [f for f in json.loads(out)["findings"] if f["rule_id"] == "VR001"]
    assert any("locals are not in plan JSON" in f["message"] for f in vr001)


def test_an_unknown_value_nothing_links_is_unknown(tmp_path):
    resources, changes, config = _subnets(1)
    res, change, cfg = _function([], True)
    cfg["expressions"]["vpc_config"] = [{"subnet_ids": {"constant_value": None}}]
    net = parse_plan(write(tmp_path, _doc([*resources, res], [*changes, change], [*config, cfg])))
    subnets = fn(net, "aws_lambda_function.f").subnets
    assert isinstance(subnets, m.Unknown) and "known only after apply" in subnets.reason


def test_without_configuration_unknown_ids_stay_unknown(tmp_path):
    resources, changes, _config = _subnets(1)
    res, change, _cfg = _function(["aws_subnet.s"], True)
    doc = _doc([*resources, res], [*changes, change], [])
    del doc["configuration"]
    net = parse_plan(write(tmp_path, doc))
    assert isinstance(fn(net, "aws_lambda_function.f").subnets, m.Unknown)


def test_variables_of_a_module_follow_the_module_call(tmp_path):
    """var.subnets inside module.app → module_calls.app.expressions.subnets in the root."""
    resources, changes, config = _subnets(2)
    res, change, cfg = _function(["var.subnets"], True)
    res["address"] = change["address"] = "module.app.aws_lambda_function.f"
    doc = _doc(
        resources,
        [*changes, change],
        config,
    )
    doc["planned_values"]["root_module"]["child_modules"] = [{"address": "module.app", "resources": [res]}]
    doc["configuration"]["root_module"]["module_calls"] = {
        "app": {
            "source": "./app",
            "expressions": {"subnets": {"references": ["aws_subnet.s"]}},
            "module": {"resources": [cfg]},
        }
    }
    net = parse_plan(write(tmp_path, doc))
    assert fn(net, "module.app.aws_lambda_function.f").subnets == ["aws_subnet.s[0]", "aws_subnet.s[1]"]


def _keyed_subnets(keys: list[str]) -> tuple[list[dict], list[dict], list[dict]]:
    resources, changes, config = _subnets(len(keys))
    for key, res, change in zip(keys, resources, changes):
        res["address"] = change["address"] = f'aws_subnet.s["{key}"]'
        res["index"] = change["index"] = key
    return resources, changes, config


@pytest.mark.parametrize("meta", ["for_each", "count"])
def test_each_value_and_count_index_in_a_module_call_follow_the_calls_instance_key(tmp_path, meta):
    """`module "app" { for_each = aws_subnet.s; subnet = each.value.id }`: var.subnet inside module.app["b"]
    is aws_subnet.s["b"].id; with `count`, `subnet = aws_subnet.s[count.index].id` in module.app[1] is
    aws_subnet.s[1].id."""
    keys: list = ["a", "b"] if meta == "for_each" else [0, 1]
    resources, changes, config = _keyed_subnets(keys) if meta == "for_each" else _subnets(2)
    functions, function_changes = [], []
    for key in keys:
        res, change, cfg = _function(["var.subnet"], True)
        res["address"] = change["address"] = f"module.app[{json.dumps(key)}].aws_lambda_function.f"
        functions.append({"address": f"module.app[{json.dumps(key)}]", "resources": [res]})
        function_changes.append(change)
    doc = _doc(resources, [*changes, *function_changes], config)
    doc["planned_values"]["root_module"]["child_modules"] = functions
    if meta == "for_each":
        call = {
            "for_each_expression": {"references": ["aws_subnet.s"]},
            "expressions": {"subnet": {"references": ["each.value.id", "each.value"]}},
        }
    else:
        call = {
            "count_expression": {"constant_value": 2},
            "expressions": {"subnet": {"references": ["aws_subnet.s", "count.index"]}},
        }
    doc["configuration"]["root_module"]["module_calls"] = {
        "app": {"source": "./app", **call, "module": {"resources": [cfg]}}
    }
    net = parse_plan(write(tmp_path, doc))
    for key in keys:
        subnets = fn(net, f"module.app[{json.dumps(key)}].aws_lambda_function.f").subnets
        assert subnets == [f"aws_subnet.s[{json.dumps(key)}]"]


def test_each_value_over_many_instances_resolves_the_for_each_once(tmp_path):
    """2,000 functions `for_each = aws_subnet.s` (2,000 keys): each.value.id costs one lookup per function,
    not a walk of every subnet (4 million steps would pass the plan's resolution budget and leave Unknowns)."""
    keys = [f"k{i}" for i in range(2000)]
    resources, changes, config = _keyed_subnets(keys)
    functions, function_changes = [], []
    for key in keys:
        res, change, cfg = _function(["each.value.id", "each.value"], True)
        res["address"] = change["address"] = f'aws_lambda_function.f["{key}"]'
        functions.append(res)
        function_changes.append(change)
    cfg["for_each_expression"] = {"references": ["aws_subnet.s"]}
    net = parse_plan(write(tmp_path, _doc([*resources, *functions], [*changes, *function_changes], [*config, cfg])))
    assert all(fn(net, f'aws_lambda_function.f["{k}"]').subnets == [f'aws_subnet.s["{k}"]'] for k in keys)


@pytest.mark.parametrize(
    ("for_each", "reason"),
    [
        ([], "the for_each it comes from is not in the plan's configuration"),
        (["aws_subnet.s"], 'no instance its for_each names has the key "x"'),  # keys a, b; the function's x
        (["local.subnets"], "local.subnets (locals are not in plan JSON)"),
    ],
)
def test_each_value_that_cannot_be_followed_is_unknown_with_the_reason(tmp_path, for_each, reason):
    resources, changes, config = _keyed_subnets(["a", "b"])
    res, change, cfg = _function(["each.value.id", "each.value"], True)
    res["address"] = change["address"] = 'aws_lambda_function.f["x"]'
    if for_each:
        cfg["for_each_expression"] = {"references": for_each}
    net = parse_plan(write(tmp_path, _doc([*resources, res], [*changes, change], [*config, cfg])))
    subnets = fn(net, 'aws_lambda_function.f["x"]').subnets
    assert isinstance(subnets, m.Unknown) and reason in subnets.reason, subnets


def test_tf_ref_values_reach_the_mapping(tmp_path):
    """The reader hands `map_resources` TfRefs for ids known only after apply (instance.py's contract)."""
    from vpcreach.parsers.terraform import plan as plan_module

    seen: list = []
    original = plan_module.map_resources

    def spy(instances, net):  # type: ignore[no-untyped-def]
        seen.extend(instances)
        return original(instances, net)

    resources, changes, config = _subnets(1)
    res, change, cfg = _function(["aws_subnet.s"], True)
    path = write(tmp_path, _doc([*resources, res], [*changes, change], [*config, cfg]))
    plan_module.map_resources = spy
    try:
        parse_plan(path)
    finally:
        plan_module.map_resources = original
    f = next(i for i in seen if i.address == "aws_lambda_function.f")
    assert f.values["vpc_config"][0]["subnet_ids"] == [TfRef("aws_subnet.s[0]", "id")]
    assert f.configured == {"vpc_config"}


def test_before_values_stand_in_for_a_missing_prior_state(tmp_path):
    resources, changes, config = _subnets(1)
    before = {"function_name": "f", "vpc_config": [{"subnet_ids": ["subnet-old"], "security_group_ids": ["sg-1"]}]}
    after = {"function_name": "f", "vpc_config": [{"subnet_ids": ["subnet-new"], "security_group_ids": ["sg-1"]}]}
    res = {
        "address": "aws_lambda_function.f",
        "mode": "managed",
        "type": "aws_lambda_function",
        "name": "f",
        "values": after,
    }
    change = {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
              "change": {"actions": ["update"], "before": before, "after": after, "after_unknown": {}}}  # fmt: skip
    net = parse_plan(write(tmp_path, _doc([*resources, res], [*changes, change], config)))
    assert fn(net.previous, "aws_lambda_function.f").subnets == [m.External("subnet-old")]  # type: ignore[arg-type]
    assert fn(net, "aws_lambda_function.f").action == "update"


# --- state JSON -----------------------------------------------------------------------------------------
def test_state_json_from_terraform_show_is_read(tmp_path):
    doc = json.loads((TFPLAN / "update_function_sgs" / "plan.json").read_text())
    state = {"format_version": "1.0", "terraform_version": "1.11.4", "values": doc["prior_state"]["values"]}
    net = parse_plan(write(tmp_path, state, "state.json"))
    assert net.previous is None and net.actions == {}
    assert fn(net, "aws_lambda_function.api").security_groups == ["aws_security_group.app"]
    code, out, err = run_cli("plan", "--format", "json", str(tmp_path / "state.json"))
    assert code in (0, 1), err
    assert [f for f in json.loads(out)["findings"] if f["rule_id"] == "VR306"] == []


def test_empty_state_is_an_empty_network(tmp_path):
    net = parse_plan(write(tmp_path, {"format_version": "1.0"}))
    assert net.objects == {}


# --- format checks and bad input --------------------------------------------------------------------------
def error_line(path: str) -> str:
    code, out, err = run_cli("plan", path)
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err and "internal error" not in err, err
    assert lines[0].startswith(f"vpcreach: error: {path}"), lines[0]
    return lines[0]


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.2", "1.99"])
def test_format_versions_0_and_1_are_read(tmp_path, version):
    path = write(tmp_path, {"format_version": version, "planned_values": {}})
    assert parse_plan(path).sources == [path]


@pytest.mark.parametrize("version", ["2.0", "10.1"])
def test_a_newer_major_format_version_is_refused(tmp_path, version):
    path = write(tmp_path, {"format_version": version, "planned_values": {}})
    with pytest.raises(InputError):
        parse_plan(path)
    line = error_line(path)
    assert f"format_version {version} is not supported" in line and "0.x and 1.x" in line


def test_malformed_json_names_the_line(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format_version": "1.2",\n  "planned_values": {,\n}\n')
    line = error_line(str(path))
    assert line.startswith(f"vpcreach: error: {path}:3: invalid JSON")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04binaryplan", "binary plan file"),
        (b"[1, 2]", "not an object"),
        (b'{"format_version": "1.2", "foo": 1}', "not Terraform plan or state JSON"),
        (b'{"format_version": "x", "planned_values": {}}', "not a version number"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_plan_files_get_one_clear_line(tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    assert message in error_line(str(path))


def test_a_directory_is_a_usage_error(tmp_path):
    code, _out, err = run_cli("plan", str(tmp_path))
    assert code == 2 and "is a directory" in err


# --- third-party plans ------------------------------------------------------------------------------------
def _corpus_plans() -> list[Path]:
    folder = CORPUS / "tfplan"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


@pytest.mark.parametrize("path", _corpus_plans(), ids=lambda p: p.name)
def test_every_corpus_plan_parses_without_a_traceback(path):
    code, out, err = run_cli("plan", "--format", "json", str(path))
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["sources"] == [str(path)] and "changes" in report


def test_corpus_is_present_or_skipped(corpus):
    plans = sorted((corpus / "tfplan").glob("*.json"))
    assert plans, "no plan JSON in the corpus"
    # checkov's fixture has no format_version at all and is still read.
    no_version = corpus / "tfplan" / "checkov__plan_vpc_endpoint_tfplan.json"
    if no_version.exists():
        assert "format_version" not in json.loads(no_version.read_text())
        assert parse_plan(str(no_version)).sources == [str(no_version)]


def test_corpus_lambda_in_vpc_is_linked_to_its_security_group(corpus):
    path = corpus / "tfplan" / "tfcompliance__issue-522_plan.out.json"
    if not path.exists():
        pytest.skip("tfcompliance__issue-522_plan.out.json is not in the corpus")
    net = parse_plan(str(path))
    lam = fn(net, "aws_lambda_function.lambda")
    assert lam.security_groups == ["aws_security_group.lambda_sg"]
    assert all(isinstance(s, m.External) for s in lam.subnets)  # type: ignore[union-attr]


def test_known_ids_of_a_vpcs_default_objects_are_linked_like_unknown_ones(tmp_path):
    """`aws_vpc.main.main_route_table_id` is a literal once the VPC exists; it must still name the main table."""
    vpc = {"id": "vpc-1", "cidr_block": "10.0.0.0/16", "main_route_table_id": "rtb-main",
           "default_route_table_id": "rtb-main", "default_security_group_id": "sg-default"}  # fmt: skip
    route = {"id": "r-1", "route_table_id": "rtb-main", "destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}
    lam = {"function_name": "f", "vpc_config": [{"subnet_ids": ["subnet-1"], "security_group_ids": ["sg-default"]}]}
    resources = [
        {"address": "aws_vpc.v", "mode": "managed", "type": "aws_vpc", "name": "v", "values": vpc},
        {"address": "aws_route.r", "mode": "managed", "type": "aws_route", "name": "r", "values": route},
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f", "values": lam},
    ]  # fmt: skip
    changes = [
        {"address": r["address"], "mode": "managed", "type": r["type"], "name": r["name"],
         "change": {"actions": ["no-op"], "before": r["values"], "after": r["values"], "after_unknown": {}}}
        for r in resources
    ]  # fmt: skip
    doc = _doc(resources, changes, [], prior_state={"values": {"root_module": {"resources": resources}}})
    net = parse_plan(write(tmp_path, doc))
    for network in (net, net.previous):
        assert network.objects["aws_route.r"].route_table == "aws_vpc.v#main-rt"  # type: ignore[union-attr]
        assert fn(network, "aws_lambda_function.f").security_groups == ["aws_vpc.v#default-sg"]  # type: ignore[arg-type]


def test_capacity_provider_arn_known_after_apply_is_linked_through_the_configuration(tmp_path):
    # Issue 18 item 1: in a plan the provider's ARN is unknown until apply; the function's capacity_provider_arn is
    # linked to the provider by the configuration's references (hand-made: the offline provider mirror is 5.100.0,
    # which has no aws_lambda_capacity_provider).
    resources, changes, config = _subnets(2)
    cp_values = {"name": "cp", "vpc_config": [{"subnet_ids": [], "security_group_ids": []}]}
    fn_values = {
        "function_name": "f",
        "capacity_provider_config": [{"lambda_managed_instances_capacity_provider_config": [{}]}],
    }
    resources += [
        {"address": "aws_lambda_capacity_provider.cp", "mode": "managed", "type": "aws_lambda_capacity_provider",
         "name": "cp", "values": cp_values},
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
         "values": fn_values},
    ]  # fmt: skip
    changes += [
        {"address": "aws_lambda_capacity_provider.cp", "mode": "managed", "type": "aws_lambda_capacity_provider",
         "name": "cp", "change": {"actions": ["create"], "before": None, "after": cp_values,
                                  "after_unknown": {"arn": True, "vpc_config": [{"subnet_ids": True}]}}},
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
         "change": {"actions": ["create"], "before": None, "after": fn_values, "after_unknown": {
             "capacity_provider_config": [{"lambda_managed_instances_capacity_provider_config": [
                 {"capacity_provider_arn": True}]}]}}},
    ]  # fmt: skip
    config += [
        {"address": "aws_lambda_capacity_provider.cp", "mode": "managed", "type": "aws_lambda_capacity_provider",
         "name": "cp", "expressions": {"vpc_config": [{"subnet_ids": {"references": [
             "aws_subnet.s[0].id", "aws_subnet.s[0]", "aws_subnet.s[1].id", "aws_subnet.s[1]"]}}]}},
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
         "expressions": {"capacity_provider_config": [{"lambda_managed_instances_capacity_provider_config": [
             {"capacity_provider_arn": {"references": [
                 "aws_lambda_capacity_provider.cp.arn", "aws_lambda_capacity_provider.cp"]}}]}]}},
    ]  # fmt: skip
    net = parse_plan(write(tmp_path, _doc(resources, changes, config)))
    f = fn(net, "aws_lambda_function.f")
    assert (f.compute, f.managed_instances) == ("aws_lambda_capacity_provider.cp", None)
    placement = net.objects["aws_lambda_capacity_provider.cp"]
    assert isinstance(placement, m.ComputePlacement)
    assert placement.subnets == ["aws_subnet.s[0]", "aws_subnet.s[1]"]
