"""Environment snapshots (issue 15): AWS CLI describe/list output makes an existing network's objects ordinary
graph objects, so a function placed in it by literal ids gets known verdicts instead of VR001.

Each fixture pair is scanned twice: alone (its annotations: the placement is unknown, VR001) and with
--snapshot fixtures/snapshots/existing_vpc (asserted here, exactly). The Terraform twins give the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, findings_of, run_cli, scan_json

SNAP = FIXTURES / "snapshots" / "existing_vpc"
CFN = FIXTURES / "cfn"
TF = FIXTURES / "terraform"
FN = "WebhookFunction"
TF_FN = "aws_lambda_function.webhook_function"


def _with_snapshot(path: Path, *extra: str) -> dict:
    return scan_json(path, extra=("--snapshot", str(SNAP), *extra))


def _rules(report: dict) -> list[tuple[str, str]]:
    return sorted((rule, res) for rule, res, _ in findings_of(report))


def _verdicts(report: dict) -> dict[str, str]:
    return {n["target"]: n["verdict"] for f in report["functions"] for n in f["needs"]}


@pytest.mark.parametrize(
    ("name", "rule", "line", "tf_line"),
    [
        ("existing_public_subnet", "VR102", 20, 25),
        ("existing_sg_no_egress", "VR104", 20, 25),
        ("existing_route_table_no_nat", "VR101", 20, 25),
    ],
)
def test_existing_network_that_blocks_the_need(name: str, rule: str, line: int, tf_line: int) -> None:
    alone = scan_json(CFN / f"{name}.yaml")
    assert findings_of(alone, rule) == []
    assert _verdicts(alone) == {"internet": "unknown"}
    cfn = _with_snapshot(CFN / f"{name}.yaml")
    assert findings_of(cfn, rule) == [(rule, FN, line)]
    assert findings_of(cfn, "VR001") == []
    assert _verdicts(cfn) == {"internet": "blocked"}
    tf = _with_snapshot(TF / name)
    assert findings_of(tf, rule) == [(rule, TF_FN, tf_line)]
    assert findings_of(tf, "VR001") == []
    assert _verdicts(tf) == {"internet": "blocked"}


def test_existing_private_subnets_with_nat_reach_the_internet() -> None:
    name = "existing_near_miss_private_nat"
    for path, fn, line in ((CFN / f"{name}.yaml", FN, 19), (TF / name, TF_FN, 24)):
        assert _verdicts(scan_json(path)) == {"internet": "unknown"}
        report = _with_snapshot(path)
        assert _verdicts(report) == {"internet": "reachable"}
        # The existing network's own findings are reported on its objects, in the snapshot files: a subnet in
        # eu-west-1b uses the NAT gateway in eu-west-1a (VR203), which is the only one (VR204).
        assert findings_of(report) == [
            ("VR203", "subnet-0b0000000000000b2", 53),
            ("VR204", "nat-0f0000000000000f1", 3),
            ("VR301", fn, line),
        ]
        files = {f["resource"]: f["file"] for f in report["findings"]}
        assert files["subnet-0b0000000000000b2"] == str(SNAP / "subnets.json")
        assert files["nat-0f0000000000000f1"] == str(SNAP / "nat-gateways.json")


def test_snapshot_file_or_folder_and_config(tmp_path: Path) -> None:
    template = CFN / "existing_public_subnet.yaml"
    merged = {}
    for part in sorted(SNAP.glob("*.json")):
        merged.update(json.loads(part.read_text()))
    one = tmp_path / "env.json"
    one.write_text(json.dumps(merged))
    assert findings_of(scan_json(template, extra=("--snapshot", str(one))), "VR102") == [("VR102", FN, 20)]
    (tmp_path / "tpl.yaml").write_text(template.read_text())
    (tmp_path / ".vpcreach.toml").write_text('snapshot = ["env.json"]\n')
    assert findings_of(scan_json(tmp_path / "tpl.yaml"), "VR102") == [("VR102", FN, 20)]


def test_dns_hostnames_unknown_without_describe_vpc_attribute(tmp_path: Path) -> None:
    from vpcreach.graph import model as m
    from vpcreach.parsers.snapshot import load_snapshot

    for part in SNAP.glob("*.json"):
        if "dns" not in part.name:
            (tmp_path / part.name).write_text(part.read_text())
    vpc = load_snapshot([str(tmp_path)]).objects["vpc-0e5a1b2c3d4e5f607"]  # type: ignore[union-attr]
    assert isinstance(vpc, m.Vpc) and vpc.dns_support is True
    assert isinstance(vpc.dns_hostnames, m.Unknown)
    assert "describe-vpc-attribute --vpc-id vpc-0e5a1b2c3d4e5f607 --attribute enableDnsHostnames" in (
        vpc.dns_hostnames.reason
    )
    full = load_snapshot([str(SNAP)]).objects["vpc-0e5a1b2c3d4e5f607"]  # type: ignore[union-attr]
    assert isinstance(full, m.Vpc) and full.dns_hostnames is True
    # The scan says so once.
    code, _out, err = run_cli("scan", str(CFN / "existing_public_subnet.yaml"), "--snapshot", str(tmp_path))
    assert code == 1
    assert (
        "vpcreach: note: the snapshot has no describe-vpc-attribute output for vpc-0e5a1b2c3d4e5f607 "
        "(enableDnsSupport, enableDnsHostnames): DNS support is taken as AWS's default (on) and DNS hostnames as "
        "unknown (they matter only for interface endpoints' private DNS); add: aws ec2 describe-vpc-attribute "
        "--vpc-id vpc-0e5a1b2c3d4e5f607 --attribute enableDnsHostnames"
    ) in err


def test_main_route_table_default_acl_and_group_come_from_the_snapshot() -> None:
    from vpcreach.graph import model as m
    from vpcreach.parsers.snapshot import load_snapshot

    snap = load_snapshot([str(SNAP)])
    assert snap is not None
    main = snap.objects["rtb-0a0000000000000a1"]
    assert isinstance(main, m.RouteTable) and main.is_main
    sg = snap.objects["sg-0d0000000000000d1"]
    assert isinstance(sg, m.SecurityGroup) and sg.is_default
    acl = snap.objects["acl-0a0000000000000a1"]
    assert isinstance(acl, m.NetworkAcl) and acl.is_default
    # The local route is the VPC's own (graph.build adds it); only the gateway route is a Route object.
    routes = [o for o in snap.objects.values() if isinstance(o, m.Route) and o.route_table == "rtb-0b0000000000000b1"]
    assert [(r.dest_v4, r.target, r.target_hint) for r in routes] == [
        ("0.0.0.0/0", m.External("igw-0e0000000000000e1"), "GatewayId")
    ]


def test_the_template_wins_over_the_snapshot(tmp_path: Path) -> None:
    """An object the scanned source defines with a snapshot id (a plan's known id) is the source's; one note."""
    from vpcreach.graph import model as m
    from vpcreach.parsers.snapshot import load_snapshot
    from vpcreach.parsers.snapshot.attach import attach

    snap = load_snapshot([str(SNAP)])
    assert snap is not None
    net = m.Network(sources=["main.tf"])
    net.add(m.Function("fn", has_vpc_config=True, subnets=[m.External("subnet-0c0000000000000c1")]))
    net.add(m.RouteTable("rtb-0a0000000000000a1", vpc=m.External("vpc-0e5a1b2c3d4e5f607")))
    attach(net, snap)
    table = net.objects["rtb-0a0000000000000a1"]
    assert isinstance(table, m.RouteTable) and not table.is_main  # the source's, not the snapshot's main table
    assert net.notes == [
        "main.tf defines rtb-0a0000000000000a1, also in the snapshot: the source's definition is used "
        "(it is what will be deployed)"
    ]
    fn = net.objects["fn"]
    assert isinstance(fn, m.Function) and fn.subnets == ["subnet-0c0000000000000c1"]


def test_a_snapshot_that_is_not_an_object_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    code, _out, err = run_cli("scan", str(CFN / "existing_public_subnet.yaml"), "--snapshot", str(bad))
    assert code == 2
    assert "bad.json: a snapshot file holds a JSON object" in err


def test_plan_and_graph_take_snapshots() -> None:
    code, out, _err = run_cli(
        "graph", str(CFN / "existing_public_subnet.yaml"), "--snapshot", str(SNAP), "--format", "mermaid"
    )
    assert code == 0
    assert "igw-0e0000000000000e1" in out
    code, out, _err = run_cli("plan", "--help")
    assert code == 0 and "--snapshot" in out


# --- values a template reads at deploy time (issue 15 item 2) -----------------------------------------------
PARAMS = SNAP / "parameters.json"
EXPORTS = SNAP / "exports.json"


def _inputs(report: dict) -> list[tuple[str, str, str]]:
    return [(i["name"], i["value"], i["from"]) for i in report["inputs"]]


def test_ssm_parameter_types_read_the_snapshot_parameters() -> None:
    path = CFN / "existing_ssm_parameter_types.yaml"
    assert _verdicts(scan_json(path)) == {"internet": "unknown"}
    report = _with_snapshot(path)
    assert _verdicts(report) == {"internet": "reachable"}
    assert findings_of(report, "VR001") == []
    assert _inputs(report)[:2] == [
        (
            "parameter PrivateSubnets (SSM parameter /network/private-subnets)",
            "subnet-0b0000000000000b1,subnet-0b0000000000000b2",
            f"{PARAMS}:3",
        ),
        ("parameter LambdaSecurityGroup (SSM parameter /network/lambda-sg)", "sg-0a0000000000000a1", f"{PARAMS}:12"),
    ]
    # The ids themselves come from the snapshot's describe output.
    assert ("subnet-0b0000000000000b2", "Subnets", f"{SNAP / 'subnets.json'}:53") in _inputs(report)


def test_serverless_ssm_variables_read_the_snapshot_parameters() -> None:
    """`${ssm:/network/private-subnets}` (a StringList, split as the framework does) and `${ssm:/network/lambda-sg}`
    in serverless.yml come from the snapshot's Parameters, as the framework reads them when it runs."""
    path = FIXTURES / "serverless" / "existing_serverless_ssm_variables"
    alone = scan_json(path)
    assert _verdicts(alone) == {"internet": "unknown"}
    assert any(
        "${ssm:/network/private-subnets} is read from SSM Parameter Store" in f["message"] for f in alone["findings"]
    )
    report = _with_snapshot(path)
    assert _verdicts(report) == {"internet": "reachable"}
    assert findings_of(report, "VR001") == []
    (fn,) = report["functions"]
    assert fn["eni_groups"] == [
        "eni:subnet-0b0000000000000b1|sg-0a0000000000000a1",
        "eni:subnet-0b0000000000000b2|sg-0a0000000000000a1",
    ]


def test_dynamic_ssm_references_read_the_snapshot_parameters() -> None:
    path = CFN / "existing_dynamic_ssm_reference.yaml"
    assert findings_of(scan_json(path), "VR102") == []
    report = _with_snapshot(path)
    # One per public subnet, as for a template's own public subnets.
    assert findings_of(report, "VR102") == [("VR102", FN, 19), ("VR102", FN, 19)]
    assert findings_of(report, "VR001") == []
    assert _inputs(report)[:3] == [
        ("{{resolve:ssm:/network/public-subnet:1}}", "subnet-0a0000000000000a1", f"{PARAMS}:21"),
        ("{{resolve:ssm:/network/public-subnet-b}}", "subnet-0a0000000000000a2", f"{PARAMS}:48"),
        ("{{resolve:ssm:/network/lambda-sg}}", "sg-0a0000000000000a1", f"{PARAMS}:12"),
    ]


def test_a_dynamic_reference_to_another_version_stays_unknown(tmp_path: Path) -> None:
    text = (CFN / "existing_dynamic_ssm_reference.yaml").read_text()
    (tmp_path / "t.yaml").write_text(text.replace("public-subnet:1", "public-subnet:2"))
    report = _with_snapshot(tmp_path / "t.yaml")
    # Only the other subnet (public-subnet-b, no version asked) is known, and public.
    assert findings_of(report, "VR102") == [("VR102", FN, 19)]
    assert any("names version 2; the snapshot holds version 1" in f["message"] for f in report["findings"]), report[
        "findings"
    ]


def test_import_value_reads_the_snapshot_exports() -> None:
    path = CFN / "existing_import_value.yaml"
    assert _verdicts(scan_json(path)) == {"internet": "unknown"}
    report = _with_snapshot(path)
    assert _verdicts(report) == {"internet": "reachable"}
    assert findings_of(report, "VR001") == []
    assert _inputs(report)[:3] == [
        ("Fn::ImportValue network-PrivateSubnetA", "subnet-0b0000000000000b1", f"{EXPORTS}:3"),
        ("Fn::ImportValue network-PrivateSubnetB", "subnet-0b0000000000000b2", f"{EXPORTS}:8"),
        ("Fn::ImportValue network-LambdaSg", "sg-0a0000000000000a1", f"{EXPORTS}:13"),
    ]


def test_aws_specific_parameter_types_given_values_resolve_against_the_snapshot() -> None:
    path = CFN / "existing_subnet_parameters.yaml"
    values = ("--param", "SubnetIds=subnet-0c0000000000000c1", "--param", "SecurityGroupId=sg-0a0000000000000a1")
    assert _verdicts(scan_json(path, extra=values)) == {"internet": "unknown"}
    report = _with_snapshot(path, *values)
    assert findings_of(report, "VR101") == [("VR101", FN, 24)]
    assert findings_of(report, "VR001") == []
    assert _inputs(report)[:2] == [
        ("parameter SubnetIds", "subnet-0c0000000000000c1", "--param"),
        ("parameter SecurityGroupId", "sg-0a0000000000000a1", "--param"),
    ]


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("existing_ssm_parameter_types", ()),
        ("existing_dynamic_ssm_reference", ()),
        ("existing_import_value", ()),
        ("existing_subnet_parameters", ("subnet-0c0000000000000c1", "sg-0a0000000000000a1")),
    ],
)
def test_terraform_twins_resolve_the_same_way(name: str, extra: tuple[str, ...]) -> None:
    """aws_ssm_parameter, aws_cloudformation_export and variables give what CloudFormation's SSM parameter types,
    dynamic references, Fn::ImportValue and parameters give, from the same snapshot."""
    cfn_args: tuple[str, ...] = ()
    tf_args: tuple[str, ...] = ()
    if extra:
        cfn_args = ("--param", f"SubnetIds={extra[0]}", "--param", f"SecurityGroupId={extra[1]}")
        tf_args = ("--var", f'subnet_ids=["{extra[0]}"]', "--var", f"security_group_id={extra[1]}")
    cfn = _with_snapshot(CFN / f"{name}.yaml", *cfn_args)
    tf = _with_snapshot(TF / name, *tf_args)
    assert _rules(tf) == [(rule, TF_FN if res == FN else res) for rule, res in _rules(cfn)]
    assert _verdicts(tf) == _verdicts(cfn) != {"internet": "unknown"}
    assert findings_of(tf, "VR001") == []


# --- Terraform data sources (issue 15 item 3) ------------------------------------------------------------
def test_data_sources_by_tags_filters_and_name() -> None:
    path = TF / "existing_data_sources"
    assert _verdicts(scan_json(path)) == {"internet": "unknown"}
    report = _with_snapshot(path)
    assert _verdicts(report) == {"internet": "reachable"}
    assert findings_of(report, "VR001") == []
    assert _inputs(report)[:4] == [
        ("data.aws_vpc.shared", "vpc-0e5a1b2c3d4e5f607", f"{SNAP / 'vpcs.json'}:3"),
        ("data.aws_subnets.private", "subnet-0b0000000000000b1", f"{SNAP / 'subnets.json'}:28"),
        ("data.aws_subnets.private", "subnet-0b0000000000000b2", f"{SNAP / 'subnets.json'}:53"),
        ("data.aws_security_group.lambda", "sg-0a0000000000000a1", f"{SNAP / 'security-groups.json'}:3"),
    ]


def test_stack_outputs_from_describe_stacks() -> None:
    path = TF / "existing_stack_outputs"
    assert _verdicts(scan_json(path)) == {"internet": "unknown"}
    report = _with_snapshot(path)
    assert findings_of(report, "VR101") == [("VR101", TF_FN, 27)]
    assert findings_of(report, "VR001") == []
    stacks = SNAP / "stacks.json"
    assert (
        "data.aws_cloudformation_stack.network.outputs.IsolatedSubnet",
        "subnet-0c0000000000000c1",
        f"{stacks}:16",
    ) in _inputs(report)


def test_a_lookup_terraform_would_fail_is_vr001_with_the_reason() -> None:
    report = _with_snapshot(TF / "existing_data_source_ambiguous")
    assert _verdicts(report) == {"internet": "unknown"}
    messages = sorted(f["message"] for f in report["findings"] if f["rule_id"] == "VR001")
    assert messages == [
        f"{TF_FN}: security groups: data.aws_security_group.missing matches nothing in the snapshot "
        "(group-name=no-such-group); Terraform fails this lookup, which expects exactly one",
        f"{TF_FN}: subnets: data.aws_subnet.private matches 3 Subnets in the snapshot (tag:Tier=private); "
        "Terraform fails this lookup, which expects exactly one",
        f"whether {TF_FN} reaches internet is unknown: subnet unknown: data.aws_subnet.private matches 3 Subnets "
        "in the snapshot (tag:Tier=private); Terraform fails this lookup, which expects exactly one",
    ]


def test_ec2_filters_and_wildcards() -> None:
    from vpcreach.parsers.snapshot import load_snapshot
    from vpcreach.parsers.snapshot.filters import select

    snap = load_snapshot([str(SNAP)])
    assert snap is not None

    def ids(filters: list[tuple[str, list[str]]]) -> list[str] | str:
        found = select(snap, "Subnets", filters)
        return found if isinstance(found, str) else [r.item["SubnetId"] for r in found]

    assert ids([("tag:Name", ["private-?"])]) == ["subnet-0b0000000000000b1", "subnet-0b0000000000000b2"]
    assert ids([("tag:Name", ["private-*"]), ("availability-zone", ["eu-west-1b"])]) == ["subnet-0b0000000000000b2"]
    assert ids([("cidr-block", ["10.20.3.0/24", "10.20.0.0/24"])]) == [
        "subnet-0a0000000000000a1",
        "subnet-0c0000000000000c1",
    ]
    assert ids([("tag:Name", ["Private-*"])]) == []  # values are case-sensitive
    assert ids([("tag:Name", ["private-\\*"])]) == []  # an escaped wildcard is itself: no name holds "*"
    assert ids([("tag:Name", ["private\\-a"])]) == ["subnet-0b0000000000000b1"]
    assert ids([("tag-key", ["Tier"]), ("default-for-az", ["false"]), ("map-public-ip-on-launch", ["true"])]) == [
        "subnet-0a0000000000000a1",
        "subnet-0a0000000000000a2",
    ]
    assert ids([("owner-alias", ["amazon"])]) == "filter owner-alias is not one vpcreach evaluates on Subnets"
    from vpcreach.parsers.snapshot import Snapshot

    assert (
        select(Snapshot(), "VpcEndpoints", []) == "the snapshot holds no VpcEndpoints (aws ec2 describe-vpc-endpoints)"
    )


# --- samconfig.toml / .yaml, --param-file and their precedence (issue 15 item 4) --------------------------
STACKS = FIXTURES / "stacks"
STAGE = STACKS / "samconfig_stage"
STAGE_FN_LINE = 110


def _stage(report: dict) -> str:
    return _verdicts(report)["internet"]


def test_samconfig_parameter_overrides_decide_the_condition(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text((STAGE / "template.yaml").read_text())
    alone = scan_json(tmp_path / "template.yaml")
    assert _stage(alone) == "unknown"
    report = scan_json(STAGE)
    assert findings_of(report, "VR101") == [("VR101", FN, STAGE_FN_LINE)]
    assert findings_of(report, "VR001") == []
    assert _inputs(report) == [("parameter Stage", "dev", f"{STAGE / 'samconfig.toml'} [default]")]
    prod = scan_json(STAGE, extra=("--config-env", "prod"))
    assert _stage(prod) == "reachable"
    assert _inputs(prod) == [("parameter Stage", "prod", f"{STAGE / 'samconfig.toml'} [prod]")]


def test_samconfig_yaml_and_the_list_form(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text((STAGE / "template.yaml").read_text())
    (tmp_path / "samconfig.yaml").write_text(
        "version: 0.1\ndefault:\n  global:\n    parameters:\n      parameter_overrides: Stage=dev\n"
        "  deploy:\n    parameters:\n      parameter_overrides:\n        - Stage=prod\n"
    )
    # The deploy command's own value wins over the global one.
    assert _stage(scan_json(tmp_path)) == "reachable"


def test_parameter_overrides_forms() -> None:
    from vpcreach.parsers.cfn.samconfig import parse_overrides

    assert parse_overrides("Stage=dev Subnets=\"subnet-1,subnet-2\" Name='a b'", "x") == {
        "Stage": "dev",
        "Subnets": "subnet-1,subnet-2",
        "Name": "a b",
    }
    assert parse_overrides("ParameterKey=Stage,ParameterValue=dev ParameterKey=A,ParameterValue=b,c", "x") == {
        "Stage": "dev",
        "A": "b,c",
    }
    assert parse_overrides(["Stage=dev", "Empty="], "x") == {"Stage": "dev", "Empty": ""}


def test_param_files_and_precedence(tmp_path: Path) -> None:
    cli_form = tmp_path / "params.json"
    cli_form.write_text(json.dumps([{"ParameterKey": "Stage", "ParameterValue": "prod"}]))
    pipeline = tmp_path / "config.yaml"
    pipeline.write_text("Parameters:\n  Stage: dev\nTags:\n  team: orders\n")
    # samconfig (dev) < --param-file (prod)
    report = scan_json(STAGE, extra=("--param-file", str(cli_form)))
    assert _stage(report) == "reachable"
    assert _inputs(report) == [("parameter Stage", "prod", f"--param-file {cli_form}")]
    # later files win; --param wins over every file
    assert _stage(scan_json(STAGE, extra=("--param-file", str(cli_form), "--param-file", str(pipeline)))) == "blocked"
    report = scan_json(STAGE, extra=("--param-file", str(pipeline), "--param", "Stage=prod"))
    assert _stage(report) == "reachable"
    assert _inputs(report) == [("parameter Stage", "prod", "--param")]


def test_a_bad_param_file_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"Stage": "dev"}')
    code, _out, err = run_cli("scan", str(STAGE), "--param-file", str(bad))
    assert code == 2
    assert "not a parameter file" in err


def test_samconfig_stack_name_is_aws_stack_name(tmp_path: Path) -> None:
    from vpcreach.parsers.cfn.samconfig import read_samconfig

    assert read_samconfig(str(STAGE / "samconfig.toml")).stack_name == "orders-dev"
    assert read_samconfig(str(STAGE / "samconfig.toml"), "prod").stack_name == "orders-prod"


# --- other stacks of the same scan (issue 15 item 5) ------------------------------------------------------
IMPORTS = STACKS / "import_from_network"
NESTED = STACKS / "nested_network"


def test_import_value_from_another_scanned_template_keeps_the_subnet() -> None:
    app = IMPORTS / "app" / "template.yaml"
    network = IMPORTS / "network" / "template.yaml"
    assert _verdicts(scan_json(app)) == {"internet": "unknown"}
    report = scan_json(IMPORTS)
    assert findings_of(report) == [("VR101", FN, 19), ("VR301", FN, 19)]
    assert {f["file"] for f in report["findings"]} == {str(app)}
    assert _inputs(report) == [
        ("Fn::ImportValue network-PrivateSubnetA", "PrivateSubnetA", f"{network}:44"),
        ("Fn::ImportValue network-PrivateSubnetB", "PrivateSubnetB", f"{network}:48"),
        ("Fn::ImportValue network-LambdaSg", "LambdaSecurityGroup", f"{network}:52"),
    ]
    # The subnet is the network template's own, with its route table.
    fn = next(f for f in report["functions"] if f["resource"] == FN)
    assert fn["eni_groups"] == ["eni:PrivateSubnetA|LambdaSecurityGroup", "eni:PrivateSubnetB|LambdaSecurityGroup"]
    groups = {g["id"]: g["file"] for g in report["eni_groups"]}
    assert groups["eni:PrivateSubnetA|LambdaSecurityGroup"] == str(network)


def test_export_names_need_the_stack_name(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(IMPORTS, tmp_path / "p")
    (tmp_path / "p" / "network" / "samconfig.toml").unlink()
    assert _verdicts(scan_json(tmp_path / "p")) == {"internet": "unknown"}
    named = ("--stack-name", f"{tmp_path / 'p' / 'network' / 'template.yaml'}=network")
    report = scan_json(tmp_path / "p", extra=named)
    assert _verdicts(report) == {"internet": "blocked"}
    assert findings_of(report, "VR101") == [("VR101", FN, 19)]


def test_two_templates_exporting_one_name_is_an_error(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(IMPORTS, tmp_path / "p")
    shutil.copytree(IMPORTS / "network", tmp_path / "p" / "network2")
    code, _out, err = run_cli("scan", str(tmp_path / "p"))
    assert code == 2
    first = tmp_path / "p" / "network" / "template.yaml"
    assert (
        f"network2/template.yaml:44: export network-PrivateSubnetA (output PrivateSubnetA) is also exported by {first}:44"
        in err
    )


def test_nested_stacks_read_with_the_parameters_the_parent_passes() -> None:
    app = NESTED / "app.yaml"
    assert _verdicts(scan_json(app)) == {"internet": "unknown"}
    report = scan_json(NESTED)
    assert report["sources"] == [str(NESTED / "parent.yaml")]  # the children are not analysed again alone
    assert _verdicts(report) == {"internet": "reachable"}
    assert findings_of(report) == [
        ("VR204", "NatGateway", 46),
        ("VR301", FN, 24),
        ("VR302", FN, 24),
    ]
    files = {(f["rule_id"], f["resource"]): f["file"] for f in report["findings"]}
    assert files[("VR302", FN)] == str(app)
    assert files[("VR204", "NatGateway")] == str(NESTED / "network.yaml")
    assert _inputs(report) == [
        ("parameter VpcCidr", "10.2.0.0/16", f"{NESTED / 'parent.yaml'}: Network.Parameters"),
        ("parameter SubnetIds", "PrivateSubnetA,PrivateSubnetB", f"{NESTED / 'parent.yaml'}: App.Parameters"),
        ("parameter SecurityGroupId", "LambdaSecurityGroup", f"{NESTED / 'parent.yaml'}: App.Parameters"),
    ]


def test_nested_stack_ids_that_clash_are_named_by_the_stack(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(NESTED, tmp_path / "n")
    parent = tmp_path / "n" / "parent.yaml"
    # The parent defines a resource named like one of the application stack's: the child's ids get App/.
    parent.write_text(parent.read_text() + "  FunctionRole:\n    Type: AWS::SNS::Topic\n")
    report = scan_json(tmp_path / "n")
    assert _verdicts(report) == {"internet": "reachable"}
    assert [f["resource"] for f in report["functions"]] == ["App/WebhookFunction"]


def test_a_config_beside_the_code_names_snapshots_inside_its_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "t.yaml").write_text((CFN / "existing_public_subnet.yaml").read_text())
    (repo / ".vpcreach.toml").write_text(f'snapshot = ["{SNAP}"]\n')
    code, _out, err = run_cli("scan", str(repo / "t.yaml"))
    assert code == 2
    assert "is outside the repository holding this config" in err
    code, out, err = run_cli("scan", str(repo / "t.yaml"), "--config", str(repo / ".vpcreach.toml"), "--format", "json")
    assert code == 1, err
    assert findings_of(json.loads(out), "VR102") == [("VR102", FN, 20)]


def _mutations(value: object):
    """Every way to replace one value of a JSON document with a value of the wrong type."""
    if isinstance(value, dict):
        for key in list(value):
            for wrong in (None, 7, "x", [], {}, True):
                yield {**value, key: wrong}
            for inner in _mutations(value[key]):
                yield {**value, key: inner}
    elif isinstance(value, list) and value:
        yield [None, *value[1:]]
        for inner in _mutations(value[0]):
            yield [inner, *value[1:]]


def test_snapshot_values_of_the_wrong_type_never_crash_the_scan(tmp_path: Path) -> None:
    """A snapshot is input like a template: a hand-edited or truncated file gives a verdict or an error line."""
    from vpcreach.graph import model as m
    from vpcreach.parsers.snapshot import load_snapshot
    from vpcreach.parsers.snapshot.attach import attach

    merged: dict = {}
    for part in sorted(SNAP.glob("*.json")):
        merged.update(json.loads(part.read_text()))
    # describe-vpc-attribute's VpcId is top level in two files; keep one form.
    count = 0
    for key in ("Subnets", "RouteTables", "SecurityGroups", "NetworkAcls", "NatGateways", "InternetGateways"):
        for mutated in _mutations({key: merged[key]}):
            doc = {**merged, **mutated}
            path = tmp_path / "env.json"
            path.write_text(json.dumps(doc))
            snap = load_snapshot([str(path)])
            assert snap is not None
            net = m.Network(sources=["t.yaml"])
            net.add(
                m.Function(
                    "fn",
                    has_vpc_config=True,
                    subnets=[m.External("subnet-0b0000000000000b1")],
                    security_groups=[m.External("sg-0a0000000000000a1")],
                )
            )
            attach(net, snap)
            from vpcreach.analyzer.analysis import Options
            from vpcreach.analyzer.engine import analyze

            analyze(net, Options())
            count += 1
    assert count > 500


def test_a_samconfig_linked_out_of_the_scan_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('[default.deploy.parameters]\nparameter_overrides = "Stage=dev"\n')
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "template.yaml").write_text((STAGE / "template.yaml").read_text())
    (repo / "samconfig.toml").symlink_to(outside)
    assert _stage(scan_json(repo / "template.yaml")) == "unknown"
    (repo / "samconfig.toml").unlink()
    (repo / "samconfig.toml").write_text(outside.read_text())
    assert _stage(scan_json(repo / "template.yaml")) == "blocked"


def test_security_group_egress_to_an_aws_managed_prefix_list() -> None:
    name = "existing_sg_prefix_list_egress"
    for path, s3_fn, table_fn, s3_line, table_line in (
        (CFN / f"{name}.yaml", "S3Function", "TableFunction", 20, 32),
        (TF / name, "aws_lambda_function.s3_function", "aws_lambda_function.table_function", 25, 39),
    ):
        alone = scan_json(path)
        assert {n["verdict"] for f in alone["functions"] for n in f["needs"]} == {"unknown"}
        report = _with_snapshot(path)
        needs = {
            (f["resource"], n["target"]): (n["verdict"], n["endpoint"]) for f in report["functions"] for n in f["needs"]
        }
        assert needs == {
            (s3_fn, "s3"): ("reachable", "vpce-0a0000000000000a1"),
            (table_fn, "dynamodb"): ("blocked", None),
        }
        assert findings_of(report, "VR104") == [("VR104", table_fn, table_line)]
        assert findings_of(report, "VR001") == []
        assert findings_of(report, "VR301") == [("VR301", s3_fn, s3_line)]
