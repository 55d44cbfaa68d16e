"""Every rule that can fire in scan mode, proved on Terraform fixtures: one trigger, one near-miss.

The fixtures under fixtures/terraform/ are one directory (one root module) per case. Each test asserts
the exact (rule_id, resource address, line of the resource block) list of that rule, or its absence.
"""

from __future__ import annotations

import functools
import json

import pytest
from conftest import FIXTURES, findings_of, run_cli, scan_fixture, scan_json

TF = FIXTURES / "terraform"


@functools.cache
def _scan(name: str, extra: tuple[str, ...] = ()) -> dict:
    return scan_json(TF / name, extra=extra) if extra else scan_fixture(TF / name)


def scan(name: str, *extra: str) -> dict:
    return _scan(name, tuple(extra))


def verdicts(report: dict, function: str) -> dict[str, str]:
    fn = next(f for f in report["functions"] if f["resource"] == function)
    return {n["target"]: n["verdict"] for n in fn["needs"]}


def severities(report: dict, rule_id: str) -> list[tuple[str, int, str]]:
    return sorted((f["resource"], f["line"], f["severity"]) for f in report["findings"] if f["rule_id"] == rule_id)


def messages(report: dict, rule_id: str) -> list[str]:
    return [f["message"] for f in report["findings"] if f["rule_id"] == rule_id]


# --- VR001 unresolved ---------------------------------------------------------------------------------
def test_remote_state_subnets_are_unresolved_and_never_blocked():
    report = scan("vr001_import_value_subnets")
    assert (
        findings_of(report, "VR001")
        == [("VR001", "aws_lambda_function.list_function", 49)] * 4
        + [("VR001", "aws_lambda_function.split_function", 26)] * 3
    )
    for rule in ("VR101", "VR102", "VR104", "VR302"):
        assert findings_of(report, rule) == [], rule
    assert verdicts(report, "aws_lambda_function.split_function") == {"internet": "unknown"}


def test_registry_module_not_downloaded_asks_for_terraform_init():
    report = scan("vr001_remote_module_not_downloaded")
    assert findings_of(report, "VR001") == [("VR001", "aws_lambda_function.api", 30)] * 4
    for rule in ("VR101", "VR102", "VR302", "VR304"):
        assert findings_of(report, rule) == [], rule
    assert all("terraform init" in m and "vpcreach plan" in m for m in messages(report, "VR001"))
    assert any("module.vpc.private_subnets[1]" in m for m in messages(report, "VR001"))


def test_module_not_on_disk_that_is_handed_a_network_is_vr001_on_the_call():
    """Issue 14 item 5: a registry module not downloaded, a missing local folder and an empty one (a git
    submodule not checked out), each handed subnets/security groups: VR001 on the module call, in every
    format, instead of an empty report."""
    path = TF / "vr001_module_not_on_disk"
    report = scan("vr001_module_not_on_disk")
    assert findings_of(report) == [
        ("VR001", "module.api", 37),
        ("VR001", "module.jobs", 60),
        ("VR001", "module.worker", 50),
    ]
    by_module = {f["resource"]: f["message"] for f in report["findings"]}
    assert by_module["module.api"] == (
        "module.api: a module not on disk (it comes from terraform-aws-modules/lambda/aws, which is not "
        "downloaded): its functions' networks cannot be checked, though it is passed vpc_subnet_ids, "
        "vpc_security_group_ids; run `terraform init`, or scan a plan with `vpcreach plan`"
    )
    assert "./modules/worker, which is not a directory" in by_module["module.worker"]
    assert "passed vpc_config; check the module's folder out" in by_module["module.worker"]
    assert "./modules/jobs, which holds no .tf files" in by_module["module.jobs"]
    unknowns = {(u["resource"], u["reason"]) for u in report["unknowns"]}
    assert {(r, m) for r, m in by_module.items()} <= unknowns
    assert report["functions"] == []  # the stand-ins place nothing in a VPC
    code, out, _err = run_cli("scan", "--format", "sarif", "--severity-threshold", "info", str(path))
    assert code == 1  # asked to fail at info: the three VR001s are listed and fail the run
    results = json.loads(out)["runs"][0]["results"]
    assert sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results) == [
        ("VR001", 37),
        ("VR001", 50),
        ("VR001", 60),
    ]


def test_module_not_on_disk_without_network_arguments_reports_nothing_new():
    report = scan("vr001_near_miss_module_not_on_disk")
    assert findings_of(report) == []
    # What was already said stays in the unknowns: the modules are not on disk.
    assert sorted(u["resource"] for u in report["unknowns"]) == [
        "module.api",
        "module.disabled",
        "module.labels",
        "module.security_group",
        "module.vpc",
    ]


def _module_root(tmp_path, call: str, downloaded: bool = False):  # type: ignore[no-untyped-def]
    root = tmp_path / "infra"
    root.mkdir()
    (root / "main.tf").write_text(call)
    if downloaded:
        modules = root / ".terraform" / "modules"
        (modules / "fn").mkdir(parents=True)  # emptied, as a cache cleanup or a failed download leaves it
        (modules / "modules.json").write_text(
            json.dumps(
                {"Modules": [{"Key": "fn", "Source": "registry.terraform.io/x/y/aws", "Dir": ".terraform/modules/fn"}]}
            )
        )
    return root


def test_module_whose_downloaded_folder_is_empty_is_not_on_disk(tmp_path):
    call = 'module "fn" {\n  source     = "x/y/aws"\n  subnet_ids = ["subnet-0a"]\n}\n'
    report = scan_json(_module_root(tmp_path, call, downloaded=True))
    assert findings_of(report) == [("VR001", "module.fn", 1)]
    assert "whose folder .terraform/modules/fn holds no .tf files" in report["findings"][0]["message"]


def test_module_not_on_disk_vr001_can_be_ignored_on_the_call(tmp_path):
    call = '# vpcreach:ignore=VR001:deployed from another pipeline\nmodule "fn" {\n  source     = "x/y/aws"\n  vpc_config = { subnet_ids = ["subnet-0a"] }\n}\n'
    report = scan_json(_module_root(tmp_path, call))
    assert findings_of(report) == []
    assert findings_of(report, "VR001", include_suppressed=True) == [("VR001", "module.fn", 2)]


def test_module_outside_the_scan_root_stays_a_note_without_a_stand_in(tmp_path):
    """Issue 12's behaviour is kept: a module outside the scan root is on disk but not read; it is Unknown."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "main.tf").write_text('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    call = 'module "fn" {\n  source     = "../shared"\n  subnet_ids = ["subnet-0a"]\n}\n'
    report = scan_json(_module_root(tmp_path, call))
    assert findings_of(report) == []
    assert [u["resource"] for u in report["unknowns"]] == ["module.fn"]
    assert "outside the scan root" in report["unknowns"][0]["reason"]


@pytest.mark.parametrize(
    ("name", "network"),
    [
        ("vpc_subnet_ids", True),
        ("vpc_security_group_ids", True),
        ("vpc_config", True),
        ("subnet_ids", True),
        ("subnet_id", True),
        ("security_group_ids", True),
        ("lambda_sg_ids", True),
        ("vpc_id", False),  # a VPC id places no function (Lambda's VpcConfig is subnets and groups)
        ("subnets", True),
        ("security_groups", True),
        ("private_subnets", False),  # a VPC module's CIDR list
        ("vpc_tags", False),
        ("manage_default_security_group", False),
        ("create_database_subnet_group", False),
        ("function_name", False),
    ],
)
def test_which_module_arguments_hand_a_network(name, network):
    from vpcreach.graph.aws import is_network_argument

    assert is_network_argument(name) is network


def test_variables_without_default_are_unresolved():
    report = scan("vr001_parameter_without_default")
    assert findings_of(report, "VR001") == [("VR001", "aws_lambda_function.api_function", 23)] * 3
    assert any("pass --var subnet_ids=VALUE" in m for m in messages(report, "VR001"))


def test_variable_defaults_resolve_everything():
    report = scan("vr001_near_miss_parameter_defaults")
    assert findings_of(report, "VR001") == []
    assert sorted(g["subnet"] for g in report["eni_groups"]) == [
        "aws_subnet.private_subnet_a",
        "aws_subnet.private_subnet_b",
    ]


def test_var_override_selects_the_other_branch():
    report = scan("vr001_near_miss_parameter_defaults", "--var", "use_two_zones=false")
    assert findings_of(report, "VR302") == [("VR302", "aws_lambda_function.api_function", 69)]


def test_managed_instances_take_their_capacity_providers_placement():
    report = scan("vr001_managed_instances")
    provider = "aws_lambda_capacity_provider.capacity"
    assert findings_of(report) == [
        ("VR001", provider, 80),
        ("VR001", "aws_lambda_function.managed_function", 93),
        ("VR001", "aws_lambda_function.shared_function", 108),
        ("VR302", provider, 80),
    ]
    assert verdicts(report, "aws_lambda_function.managed_function") == {"internet": "unknown"}


def test_capacity_provider_without_egress():
    provider = "aws_lambda_capacity_provider.capacity"
    report = scan("vr113_capacity_provider_no_egress")
    assert findings_of(report) == [
        ("VR101", "aws_lambda_function.managed_function", 89),
        ("VR106", "aws_lambda_function.queue_function", 103),
        ("VR113", provider, 65),
    ]
    near = scan("vr113_near_miss_capacity_provider_nat")
    assert findings_of(near, "VR113") == findings_of(near, "VR301") == findings_of(near, "VR304") == []
    assert verdicts(near, "aws_lambda_function.managed_function") == {"internet": "reachable"}
    assert [f["compute"] for f in near["functions"]] == [provider, provider]


def test_unresolved_dual_stack_without_an_ipv6_path_is_unknown_not_vr110():
    report = scan("vr001_dual_stack_unresolved")
    fn = "aws_lambda_function.dual_stack_function"
    assert findings_of(report, "VR001") == [("VR001", fn, 127)]
    assert findings_of(report, "VR110") == []
    assert verdicts(report, fn) == {"internet": "reachable", "internet6": "unknown"}
    assert messages(report, "VR001") == [
        f"whether {fn} reaches internet6 is unknown: Ipv6AllowedForDualStack: variable dual_stack has no value "
        "(pass --var dual_stack=VALUE or a --var-file)"
    ]
    # Given the value, the verdict is decided: true → no IPv6 path (VR110), false → no internet6 need.
    report = scan("vr001_dual_stack_unresolved", "--var", "dual_stack=true")
    assert findings_of(report, "VR110") == [("VR110", fn, 127)]
    assert findings_of(report, "VR001") == []
    report = scan("vr001_dual_stack_unresolved", "--var", "dual_stack=false")
    assert verdicts(report, fn) == {"internet": "reachable"}
    assert findings_of(report, "VR001") == findings_of(report, "VR110") == []


def test_unresolved_dual_stack_with_an_ipv6_path_is_reachable():
    report = scan("vr001_near_miss_dual_stack_unresolved")
    fn = "aws_lambda_function.dual_stack_function"
    assert findings_of(report, "VR001") == findings_of(report, "VR110") == []
    assert verdicts(report, fn) == {"internet": "reachable", "internet6": "reachable"}


# --- VR101 no-egress-route ----------------------------------------------------------------------------
def test_internet_need_without_default_route():
    report = scan("vr101_no_default_route")
    assert findings_of(report, "VR101") == [("VR101", "aws_lambda_function.needs_internet_function", 69)]
    assert verdicts(report, "aws_lambda_function.quiet_function") == {}


def test_route_table_associated_with_external_subnets_decides_the_path():
    report = scan("vr101_external_subnet_route_table")
    assert findings_of(report, "VR101") == [("VR101", "aws_lambda_function.webhook_function", 64)]
    assert verdicts(report, "aws_lambda_function.webhook_function") == {"internet": "blocked"}
    assert len(findings_of(report, "VR001")) == 2
    report = scan("vr101_near_miss_external_subnet_unassociated")
    assert findings_of(report, "VR101") == []
    assert verdicts(report, "aws_lambda_function.webhook_function") == {"internet": "unknown"}


def test_internet_need_behind_nat_has_no_egress_finding():
    report = scan("vr101_near_miss_nat")
    assert findings_of(report, "VR101") == []
    assert verdicts(report, "aws_lambda_function.needs_internet_function") == {"internet": "reachable"}


def test_one_subnet_without_route_is_enough_for_vr101():
    report = scan("vr101_one_bad_subnet")
    assert findings_of(report, "VR101") == [("VR101", "aws_lambda_function.api_function", 118)]


# --- VR102 public-subnet-function ---------------------------------------------------------------------
def test_public_subnet_functions_error_with_need_warning_without():
    report = scan("vr102_public_subnet")
    assert severities(report, "VR102") == [
        ("aws_lambda_function.api_function", 84, "error"),
        ("aws_lambda_function.api_function", 84, "error"),
        ("aws_lambda_function.idle_function", 97, "warning"),
        ("aws_lambda_function.idle_function", 97, "warning"),
    ]


def test_private_subnets_behind_nat_are_not_public():
    assert findings_of(scan("vr102_near_miss_nat"), "VR102") == []


# --- VR103 broken-nat ---------------------------------------------------------------------------------
def test_broken_nat_variants():
    for name, line in (
        ("vr103_igw_not_attached", 95),
        ("vr103_nat_without_eip", 96),
        ("vr103_nat_without_igw_route", 94),
        ("vr103_private_nat", 99),
        ("vr103_nat_instance_sg", 125),
    ):
        assert findings_of(scan(name), "VR103") == [("VR103", "aws_lambda_function.api_function", line)], name


def test_working_nat_gateway_and_nat_instance():
    for name in ("vr103_near_miss_public_nat", "vr103_near_miss_nat_instance"):
        report = scan(name)
        assert findings_of(report, "VR103") == [], name
        assert verdicts(report, "aws_lambda_function.api_function") == {"internet": "reachable"}, name


# --- VR104 sg-egress-blocked ----------------------------------------------------------------------------
def test_terraform_security_group_without_egress_has_none():
    report = scan("vr104_sg_without_egress")
    assert findings_of(report, "VR104") == [
        ("VR104", "aws_lambda_function.empty_list", 112),
        ("VR104", "aws_lambda_function.no_blocks", 97),
    ]


def test_standalone_egress_rule_gives_the_group_egress():
    report = scan("vr104_near_miss_sg_egress_rule")
    assert findings_of(report, "VR104") == []
    assert verdicts(report, "aws_lambda_function.api") == {"internet": "reachable"}


def test_restricted_inline_egress_blocks_https():
    assert findings_of(scan("vr104_restricted_egress"), "VR104") == [("VR104", "aws_lambda_function.api_function", 101)]
    assert findings_of(scan("vr104_near_miss_standalone_egress"), "VR104") == []


# --- VR105 nacl-blocked ---------------------------------------------------------------------------------
def test_network_acls_on_the_path():
    assert findings_of(scan("vr105_nacl_narrow_return"), "VR105") == [
        ("VR105", "aws_lambda_function.api_function", 133)
    ]
    assert findings_of(scan("vr105_nat_subnet_nacl"), "VR105") == [("VR105", "aws_lambda_function.api_function", 134)]
    assert findings_of(scan("vr105_near_miss_nacl_full_return"), "VR105") == []


# --- VR106 service-unreachable ----------------------------------------------------------------------------
def test_sqs_without_endpoint_or_nat():
    assert findings_of(scan("vr106_isolated_sqs"), "VR106") == [
        ("VR106", "aws_lambda_function.public_function", 120),
        ("VR106", "aws_lambda_function.queue_function", 92),
    ]
    report = scan("vr106_near_miss_nat")
    assert findings_of(report, "VR106") == []
    assert verdicts(report, "aws_lambda_function.queue_function") == {"sqs": "reachable"}


# --- VR107 endpoint-dns ---------------------------------------------------------------------------------
def test_interface_endpoint_dns():
    assert findings_of(scan("vr107_private_dns_omitted"), "VR107") == [
        ("VR107", "aws_lambda_function.queue_function", 90)
    ]
    assert findings_of(scan("vr107_dns_hostnames_off"), "VR107") == [
        ("VR107", "aws_lambda_function.queue_function", 88)
    ]
    assert findings_of(scan("vr107_vpc_dns_support_off"), "VR107") == [
        ("VR107", "aws_lambda_function.api_function", 102)
    ]
    assert findings_of(scan("vr107_near_miss_private_dns"), "VR107") == []


def test_dynamodb_streams_endpoint_is_used_only_if_the_code_names_it():
    # No private DNS for DynamoDB Streams: whether the code sets the endpoint URL is unknown (VR001), not blocked.
    report = scan("vr107_dynamodb_streams_endpoint_url")
    fn = "aws_lambda_function.stream_reader_function"
    assert findings_of(report, "VR107") == [("VR107", fn, 109)]
    assert findings_of(report, "VR001") == [("VR001", fn, 109)]
    assert findings_of(report, "VR106") == []
    assert verdicts(report, fn) == {"dynamodb-streams": "unknown"}
    assert messages(report, "VR107")[0].endswith(
        "(private DNS is off on the endpoint); the traffic goes nowhere unless the client's endpoint URL names "
        "the endpoint"
    )
    assert "only if the code sets the dynamodb-streams client's endpoint URL" in messages(report, "VR001")[0]


def test_dynamodb_streams_endpoint_without_a_streams_caller():
    report = scan("vr107_near_miss_dynamodb_streams_endpoint_url")
    assert [f for f in report["findings"] if f["rule_id"] != "VR301"] == []
    assert verdicts(report, "aws_lambda_function.stream_consumer_function") == {}
    assert verdicts(report, "aws_lambda_function.table_function") == {"dynamodb": "reachable"}


# --- VR108 endpoint-sg-blocked ----------------------------------------------------------------------------
def test_endpoint_security_group():
    assert findings_of(scan("vr108_endpoint_default_sg"), "VR108") == [
        ("VR108", "aws_lambda_function.secret_function", 80)
    ]
    assert findings_of(scan("vr108_near_miss_endpoint_sg"), "VR108") == []


# --- VR109 gateway-endpoint-not-routed ----------------------------------------------------------------------
def test_gateway_endpoint_routing():
    assert findings_of(scan("vr109_gateway_endpoint_unrouted"), "VR109") == [
        ("VR109", "aws_lambda_function.report_function", 112)
    ]
    report = scan("vr109_near_miss_routed")
    assert findings_of(report, "VR109") == []
    assert findings_of(report, "VR201") == []


# --- VR110 ipv6-egress ---------------------------------------------------------------------------------------
def test_ipv6_egress():
    assert findings_of(scan("vr110_no_ipv6_route"), "VR110") == [
        ("VR110", "aws_lambda_function.dual_stack_function", 122),
        ("VR110", "aws_lambda_function.v4_only_function", 137),
    ]
    assert findings_of(scan("vr110_no_ipv6_route_byoip"), "VR110") == [
        ("VR110", "aws_lambda_function.dual_stack_function", 130)
    ]
    assert findings_of(scan("vr110_near_miss_egress_only_igw"), "VR110") == []


# --- VR111 private-target-unreachable ----------------------------------------------------------------------
def test_database_security_group():
    assert findings_of(scan("vr111_db_sg_no_ingress"), "VR111") == [
        ("VR111", "aws_lambda_function.orders_function", 113)
    ]
    assert findings_of(scan("vr111_near_miss_db_sg_ingress"), "VR111") == []


def test_private_targets_from_environment():
    report = scan("vr111_private_targets")
    assert findings_of(report, "VR111") == [("VR111", "aws_lambda_function.data_function", 176)]
    assert verdicts(report, "aws_lambda_function.data_function") == {
        "tcp:5432@aws_rds_cluster.aurora": "reachable",
        "tcp:3306@aws_db_proxy.proxy": "reachable",
        "tcp:6379@aws_elasticache_replication_group.cache": "blocked",
    }


# --- VR201 - VR204 NAT dependence -----------------------------------------------------------------------------
def test_s3_through_nat():
    assert findings_of(scan("vr201_s3_through_nat"), "VR201") == [("VR201", "aws_lambda_function.report_function", 94)]
    assert findings_of(scan("vr201_near_miss_gateway_endpoint"), "VR201") == []


def test_traffic_comment_prices_the_nat_processing():
    (message,) = messages(scan("vr201_traffic_estimate"), "VR201")
    assert "$4.50" in message


def test_sqs_through_nat():
    assert findings_of(scan("vr202_sqs_through_nat"), "VR202") == [("VR202", "aws_lambda_function.queue_function", 102)]
    assert findings_of(scan("vr202_near_miss_interface_endpoint"), "VR202") == []


def test_cross_az_nat():
    assert findings_of(scan("vr203_cross_az_nat"), "VR203") == [("VR203", "aws_subnet.private_subnet_b", 58)]
    assert findings_of(scan("vr203_near_miss_nat_per_az"), "VR203") == []


def test_single_nat():
    assert findings_of(scan("vr204_single_nat"), "VR204") == [("VR204", "aws_nat_gateway.nat_a", 46)]
    assert findings_of(scan("vr203_near_miss_nat_per_az"), "VR204") == []
    regional = scan("vr204_single_regional_nat")
    assert findings_of(regional, "VR204") == [("VR204", "aws_nat_gateway.nat_a", 23)]
    assert findings_of(regional, "VR103") == findings_of(regional, "VR203") == []
    assert verdicts(regional, "aws_lambda_function.api_function") == {"internet": "reachable"}
    assert findings_of(scan("vr204_near_miss_regional_and_zonal_nat"), "VR204") == []
    no_igw = scan("vr103_regional_nat_no_igw")
    assert findings_of(no_igw, "VR103") == [("VR103", "aws_lambda_function.api_function", 80)]
    assert findings_of(no_igw, "VR204") == findings_of(no_igw, "VR101") == []


# --- VR301 - VR308 placement, capacity, permissions -------------------------------------------------------------
def test_eni_groups_are_keyed_by_subnet_and_sg_set():
    report = scan("vr301_eni_groups")
    groups = {(g["subnet"], tuple(g["security_groups"])): sorted(g["functions"]) for g in report["eni_groups"]}
    shared = ("aws_security_group.app_security_group", "aws_security_group.db_client_security_group")
    assert groups[("aws_subnet.private_subnet_a", shared)] == [
        "aws_lambda_function.billing_function",
        "aws_lambda_function.orders_function",
    ]
    # Two findings: the shared set's groups in two subnets are one, listing both subnets (issue 19).
    assert findings_of(report, "VR301") == [
        ("VR301", "aws_lambda_function.audit_function", 118),
        ("VR301", "aws_lambda_function.orders_function", 92),
    ]
    assert findings_of(scan("vr301_near_miss_no_vpc"), "VR301") == []


def test_single_az():
    assert findings_of(scan("vr302_single_az"), "VR302") == [
        ("VR302", "aws_lambda_function.same_zone_function", 80),
        ("VR302", "aws_lambda_function.single_subnet_function", 67),
    ]
    assert findings_of(scan("vr302_near_miss_two_azs"), "VR302") == []


def test_matchkeys_chooses_subnets_by_zone():
    """Issue 14 item 8: matchkeys(ids, zones, [zone]) is evaluated, not given up as known only after apply."""
    report = scan("vr302_split_sub_subnets")
    assert findings_of(report, "VR302") == [("VR302", "aws_lambda_function.list_function", 79)]
    assert findings_of(report, "VR001") == []
    report = scan("vr302_near_miss_split_sub_subnets")
    assert findings_of(report, "VR302") == findings_of(report, "VR001") == []
    assert len(report["eni_groups"]) == 3


def test_one_unresolved_subnet_is_one_zone_and_unknown_lists_have_unknown_length():
    """DESIGN decisions 8 and 13: `[var.subnet_id]` (a string) is one subnet; a 0.11 interpolated list, a data
    source's list attribute, two indexed elements of one unknown list and two SSM values are not."""
    report = scan("vr302_single_unresolved_subnet")
    assert findings_of(report, "VR302") == [("VR302", "aws_lambda_function.single_subnet_function", 41)]
    report = scan("vr302_near_miss_unknown_lists")
    assert findings_of(report, "VR302") == []
    assert findings_of(report, "VR001") == [
        ("VR001", "aws_lambda_function.dynamic_reference_function", 96),
        ("VR001", "aws_lambda_function.dynamic_reference_function", 96),
        ("VR001", "aws_lambda_function.list_parameter_function", 57),
        ("VR001", "aws_lambda_function.split_import_function", 70),
        ("VR001", "aws_lambda_function.two_selects_function", 83),
    ]


def test_subnet_capacity():
    assert findings_of(scan("vr303_small_subnet"), "VR303") == [("VR303", "aws_subnet.small_subnet", 13)]
    assert findings_of(scan("vr303_near_miss_seven_instances"), "VR303") == []


def test_load_balancers_and_mount_targets_take_addresses():
    """aws_lb (subnets, subnet_mapping) and aws_efs_mount_target (one subnet_id, a reference) each take one
    address; the mount targets were dropped when subnet_id was read as a list."""
    report = scan("vr303_load_balancers_and_mount_targets")
    assert findings_of(report, "VR303") == [("VR303", "aws_subnet.small_subnet", 14)]
    small = next(g for g in report["eni_groups"] if g["subnet"] == "aws_subnet.small_subnet")
    assert small["subnet_demand"] == 9
    near = scan("vr303_near_miss_load_balancers_and_mount_targets")
    assert findings_of(near, "VR303") == []
    assert next(g for g in near["eni_groups"] if g["subnet"] == "aws_subnet.small_subnet")["subnet_demand"] == 8


def test_eni_permissions():
    assert findings_of(scan("vr304_role_without_eni_actions"), "VR304") == [
        ("VR304", "aws_lambda_function.explicit_role_sam_function", 110),
        ("VR304", "aws_lambda_function.partial_function", 123),
        ("VR304", "aws_lambda_function.report_function", 97),
    ]
    assert findings_of(scan("vr304_near_miss_grants"), "VR304") == []
    assert findings_of(scan("vr304_near_miss_sam_generated_role"), "VR304") == []


def test_sg_set_sprawl():
    assert findings_of(scan("vr305_sg_set_sprawl"), "VR305") == [
        ("VR305", "aws_subnet.private_subnet_a", 13),
        ("VR305", "aws_subnet.private_subnet_b", 20),
    ]
    assert findings_of(scan("vr305_near_miss_shared_sg"), "VR305") == []


def test_eni_quota_with_count_and_for_each():
    report = scan("vr307_eni_quota")
    assert findings_of(report, "VR307") == [("VR307", "aws_vpc.vpc", 33)]
    assert len(report["eni_groups"]) == 16 * 13
    assert findings_of(scan("vr307_near_miss_below_quota"), "VR307") == []


def test_eni_permission_ordering():
    assert findings_of(scan("vr308_policy_without_depends_on"), "VR308") == [
        ("VR308", "aws_lambda_function.api_function", 84)
    ]
    assert findings_of(scan("vr308_near_miss_depends_on"), "VR308") == []


def test_eni_policy_through_a_separate_attachment_needs_ordering():
    assert findings_of(scan("vr308_managed_policy_roles"), "VR308") == [
        ("VR308", "aws_lambda_function.api_function", 86)
    ]


def test_dependency_through_another_resource_orders_the_policy_first():
    # Terraform orders creation by the whole dependency graph: function → terraform_data → policy.
    assert findings_of(scan("vr308_near_miss_transitive_depends_on"), "VR308") == []


# --- implicit defaults and Terraform traps --------------------------------------------------------------
def test_route_target_is_classified_by_the_referenced_resource():
    report = scan("route_target_by_resource_type")
    assert verdicts(report, "aws_lambda_function.api_function") == {"internet": "reachable"}
    fn = next(f for f in report["functions"] if f["resource"] == "aws_lambda_function.api_function")
    assert "aws_nat_gateway.nat_a" in fn["needs"][0]["via"]


def test_main_route_table_and_empty_custom_nacl():
    report = scan("main_route_table_and_empty_nacl")
    assert findings_of(report, "VR101") == [("VR101", "aws_lambda_function.main_table_function", 118)]
    assert findings_of(report, "VR105") == [("VR105", "aws_lambda_function.empty_nacl_function", 132)]


def test_split_default_route_covers_the_internet():
    assert findings_of(scan("vr101_near_miss_split_default_route"), "VR101") == []


def test_explicit_deny_of_create_network_interface():
    assert findings_of(scan("vr304_explicit_deny"), "VR304") == [("VR304", "aws_lambda_function.api_function", 81)]
    assert findings_of(scan("vr304_deny_not_action"), "VR304") == [("VR304", "aws_lambda_function.api_function", 80)]
    near = scan("vr304_near_miss_deny_not_action_keeps_ec2")
    assert findings_of(near, "VR304") == findings_of(near, "VR001") == []
    unresolved = scan("vr001_deny_with_unresolved_action")
    assert findings_of(unresolved, "VR304") == []
    assert findings_of(unresolved, "VR001") == [("VR001", "aws_lambda_function.api_function", 85)]


def test_policy_naming_a_role_whose_name_is_another_resources_attribute_reaches_that_role():
    report = scan("vr304_near_miss_role_named_by_another_resource")
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR308") == []


def test_attachment_reaches_a_role_whose_name_is_null():
    """Issue 14 item 3: `name = var.role_name == "" ? null : var.role_name` (default "") is an omitted name;
    `role = aws_iam_role.function_role.name` still names the role, so the attached VPC-access policy counts
    (no VR304) and the missing ordering is reported (VR308)."""
    report = scan("vr308_role_name_null")
    assert findings_of(report, "VR308") == [("VR308", "aws_lambda_function.api_function", 81)]
    assert findings_of(report, "VR304") == [] and findings_of(report, "VR001") == []
    near = scan("vr308_near_miss_role_name_null")
    assert [f for f in findings_of(near) if f[0] != "VR301"] == []


def test_deny_limited_by_resources_and_condition_is_unknown_not_missing():
    report = scan("vr304_near_miss_scoped_deny")
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR001") == [("VR001", "aws_lambda_function.api_function", 86)]


# --- count and for_each layouts ----------------------------------------------------------------------------
def test_count_and_for_each_layout_uses_terraform_addresses():
    report = scan("layout_count_for_each")
    assert [(f["rule_id"], f["resource"], f["line"]) for f in report["findings"]] == [
        ("VR301", "aws_lambda_function.api", 115),
    ]
    groups = {g["subnet"]: g for g in report["eni_groups"]}
    assert sorted(groups) == ["aws_subnet.private[0]", "aws_subnet.private[1]"]
    assert groups["aws_subnet.private[1]"]["availability_zone"] == "eu-west-1b"
    (need,) = next(f for f in report["functions"] if f["resource"] == "aws_lambda_function.api")["needs"]
    assert need["verdict"] == "reachable"
    assert need["via"][2:5] == [
        "aws_subnet.private[0]",
        "aws_route_table.private[0]",
        'aws_nat_gateway.nat["eu-west-1a"]',
    ]


def test_nat_gateways_take_one_address_in_their_subnet():
    from vpcreach.analyzer.eni import subnet_uses
    from vpcreach.graph.build import build
    from vpcreach.parsers.terraform import parse_module

    uses = subnet_uses(build(parse_module(str(TF / "layout_count_for_each"), {}, [])))
    assert uses['aws_subnet.public["eu-west-1a"]'].other == 1
    assert uses["aws_subnet.private[0]"].other == 0


# --- issue 14: what a function needs -------------------------------------------------------------------
def test_ecr_api_call_from_code_is_a_need():
    report = scan("vr106_ecr_api_from_code")
    assert findings_of(report, "VR106") == [("VR106", "aws_lambda_function.isolated_function", 160)]
    assert findings_of(report, "VR202") == [("VR202", "aws_lambda_function.nat_function", 173)]


def test_image_pull_actions_are_not_needs():
    report = scan("vr106_near_miss_image_pull_actions")
    assert findings_of(report, "VR106") == []
    assert findings_of(report, "VR202") == []
    assert verdicts(report, "aws_lambda_function.isolated_function") == {}
    assert verdicts(report, "aws_lambda_function.nat_function") == {}


def test_dynamodb_streams_actions_need_the_streams_api_not_the_gateway_endpoint():
    report = scan("vr106_dynamodb_streams_gateway_endpoint")
    assert findings_of(report, "VR106") == [("VR106", "aws_lambda_function.stream_reader_function", 188)]
    assert verdicts(report, "aws_lambda_function.stream_reader_function") == {"dynamodb-streams": "blocked"}
    assert verdicts(report, "aws_lambda_function.table_function") == {"dynamodb": "reachable"}
    fix = next(f["fix"] for f in report["findings"] if f["rule_id"] == "VR106")
    assert "gateway" not in fix.split("(")[0] and "com.amazonaws.<region>.dynamodb-streams" in fix


def test_dynamodb_streams_poller_actions_are_dropped_for_every_function_of_the_role():
    report = scan("vr106_near_miss_dynamodb_streams_mapping")
    assert findings_of(report, "VR106") == []
    assert verdicts(report, "aws_lambda_function.stream_consumer_function") == {}
    assert verdicts(report, "aws_lambda_function.stream_sibling_function") == {}


def test_poller_actions_are_not_needs_of_a_function_sharing_the_role_of_a_mapped_function():
    report = scan("needs_event_source_mapping")
    assert findings_of(report, "VR106") == [("VR106", "aws_lambda_function.sam_poller_function", 152)]
    assert verdicts(report, "aws_lambda_function.producer_function") == {}


def test_dual_stack_function_with_an_internet_need_needs_ipv6():
    report = scan("vr110_dual_stack_internet_need")
    assert findings_of(report, "VR110") == [("VR110", "aws_lambda_function.dual_stack_function", 123)]
    assert verdicts(report, "aws_lambda_function.dual_stack_function") == {
        "internet": "reachable",
        "internet6": "blocked",
    }
    assert verdicts(report, "aws_lambda_function.v4_only_function") == {"internet": "reachable"}


def test_dual_stack_function_with_an_ipv6_path():
    report = scan("vr110_near_miss_dual_stack_internet_need")
    assert findings_of(report, "VR110") == []
    assert verdicts(report, "aws_lambda_function.dual_stack_function") == {
        "internet": "reachable",
        "internet6": "reachable",
    }


# --- issue 18 items 5 and 6: endpoint types and Regions, IPv6-only subnets --------------------------------------
def test_cross_region_endpoint_serves_only_its_region():
    fn = "aws_lambda_function.queue_function"
    report = scan("vr001_cross_region_endpoint")
    assert findings_of(report, "VR001") == [("VR001", fn, 105)]
    assert findings_of(report, "VR106") == []
    same = scan_json(TF / "vr001_cross_region_endpoint", extra=("--var", "region=us-east-1"))
    assert verdicts(same, fn) == {"sqs": "reachable"}
    other = scan_json(TF / "vr001_cross_region_endpoint", extra=("--var", "region=eu-west-1"))
    assert findings_of(other, "VR106") == [("VR106", fn, 105)]


def test_ipv6_only_subnet_is_unknown_not_blocked():
    report = scan("vr001_ipv6_only_subnet")
    assert findings_of(report, "VR001") == [("VR001", "aws_lambda_function.ipv6_function", 88)]
    assert verdicts(report, "aws_lambda_function.ipv6_function") == {"internet6": "unknown"}
    assert verdicts(report, "aws_lambda_function.dual_stack_function") == {"internet6": "reachable"}


def test_capacity_provider_with_endpoints_but_no_nat_is_unknown():
    report = scan("vr001_capacity_provider_endpoints_only")
    assert findings_of(report, "VR113") == []
    assert findings_of(report, "VR001") == [("VR001", "aws_lambda_capacity_provider.capacity", 93)]


def test_block_public_access_bidirectional_blocks_nat_egress():
    fn = "aws_lambda_function.needs_internet_function"
    report = scan("vr112_bpa_bidirectional")
    assert findings_of(report, "VR112") == [("VR112", fn, 113)]
    assert verdicts(report, fn) == {"internet": "blocked"}
    near = scan("vr112_near_miss_bpa_exclusion")
    assert findings_of(near, "VR112") == []
    assumed = scan_json(TF / "vr101_near_miss_nat", extra=("--assume-bpa", "bidirectional"))
    assert [f["rule_id"] for f in assumed["findings"] if f["rule_id"] == "VR112"] == ["VR112"]
