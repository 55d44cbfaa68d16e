"""The text report is a lint log first (issue 19): one line per finding, `file:line: severity VRxxx name:
message`, errors first; then a digest of what the findings add up to; then the summary. `--explain` adds the
full per-function report, `--quiet` keeps the finding lines and the summary.

Every finding the summary counts has its line: warnings and errors always, unknowns (VR001, info) always,
other info findings under `--severity-threshold info` (the digest counts them otherwise). Issue 14 item 6:
Terraform findings on subnets, NAT gateways and VPCs were counted in the summary but never printed."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, run_cli, scan_fixture

CASES = sorted(
    [str(p.relative_to(FIXTURES)) for p in (FIXTURES / "cfn").glob("*.yaml")]
    + [str(p.relative_to(FIXTURES)) for p in (FIXTURES / "terraform").iterdir() if p.is_dir()]
)
RANK = {"error": 0, "warning": 1, "info": 2}


def _line(f: dict) -> str:
    where = f"{f['file']}:{f['line']}" if f["line"] else f["file"]
    return f"{where}: {f['severity']} {f['rule_id']} {f['name']}: {f['message']}"


@pytest.mark.parametrize("case", CASES)
def test_every_counted_finding_has_its_line(case):
    path = FIXTURES / case
    report = scan_fixture(path)
    active = [f for f in report["findings"] if f["suppressed"] is None]
    code, text, err = run_cli("scan", "--no-color", "--severity-threshold", "info", str(path))
    assert code in (0, 1), err
    severity = {_line(f): RANK[f["severity"]] for f in active}
    printed = [line for line in text.splitlines() if line in severity]
    assert sorted(printed) == sorted(severity), case  # each once
    ranks = [severity[line] for line in printed]
    assert ranks == sorted(ranks), case  # errors, then warnings, then info
    # At the default threshold the same lines but the informational inventory (VR001 stays: a verdict).
    code, text, err = run_cli("scan", "--no-color", str(path))
    default = set(text.splitlines())
    for f in active:
        expected = f["severity"] != "info" or f["rule_id"] == "VR001"
        assert (_line(f) in default) == expected, (case, _line(f))


def test_errors_come_first_and_the_digest_counts_what_is_not_listed():
    path = FIXTURES / "cfn" / "example_private_nat.yaml"
    code, text, _ = run_cli("scan", "--no-color", str(path))
    assert code == 1
    assert text.splitlines() == [
        f"{path}:98: error VR102 public-subnet-function: ReportFunction is in subnet PublicSubnetA, whose route "
        "table PublicRouteTable sends 0.0.0.0/0 to internet gateway Igw; a Lambda Hyperplane ENI has no public IP, "
        "so the function gets no internet access",
        f"{path}:55: warning VR203 cross-az-nat: subnet PrivateSubnetB (zone #1) routes through NAT gateway NatA in "
        "PublicSubnetA (zone #0); if that zone fails, ApiFunction lose egress, and cross-AZ traffic is billed",
        f"{path}:86: warning VR201 nat-for-gateway-service: ApiFunction reaches s3 through NAT gateway NatA; a gateway "
        "VPC endpoint would serve it (cost depends on traffic: NAT processing is $0.045/GB (us-east-1, 2026-05); set "
        "a traffic volume to get an estimate)",
        f"{path}:98: warning VR302 single-az: ReportFunction has a single subnet (PublicSubnetA), so it runs in one "
        "Availability Zone",
        "",
        "2 VPC-attached functions in 1 source:",
        "  1 function cannot reach the internet: ReportFunction (VR102)",
        "  other findings: VR203 cross-az-nat ×1, VR302 single-az ×1",
        "  1 NAT-served need could use a free gateway endpoint (VR201)",
        "  3 Hyperplane ENI groups in 1 VPC (VR301)",
        "  3 informational findings not listed above (VR204, VR301): --severity-threshold info lists them",
        "  --explain shows each function's needs, paths and the fix for each finding",
        "",
        "names:",
        "  zone #N is the Region's Nth Availability Zone in the order Fn::GetAZs and aws_availability_zones list "
        "them (the source does not name it)",
        "",
        "summary: 1 error, 3 warnings, 3 infos",
    ]


@pytest.mark.parametrize(
    ("case", "digest"),
    [
        (
            "cfn/vr111_private_targets.yaml",
            "  1 function cannot reach a database or other private target it needs: DataFunction (VR111)",
        ),
        (
            "cfn/vr106_isolated_sqs.yaml",
            "cannot reach AWS services they need (sqs): PublicFunction, QueueFunction (VR106)",
        ),
        (
            "cfn/vr001_external_subnet_ids.yaml",
            "  1 function with 1 need whose reach is unknown: LegacyFunction (VR001: pass the missing values, or scan "
            "what defines them)",
        ),
        (
            "cfn/vr001_external_subnet_ids.yaml",
            "  1 function with a subnet, security group or role that is not known: LegacyFunction (VR001)",
        ),
        (
            "terraform/vr101_no_default_route",
            "  1 function cannot reach the internet: aws_lambda_function.needs_internet_function (VR101)",
        ),
    ],
)
def test_digest_says_what_the_findings_add_up_to(case, digest):
    code, text, _ = run_cli("scan", "--no-color", str(FIXTURES / case))
    assert code in (0, 1)
    assert any(digest in line for line in text.splitlines()), text


def test_a_function_with_no_known_need_is_named_in_the_digest():
    """Unknown is never silence: a VPC function checked for nothing says so by default, not only with flags."""
    code, text, _ = run_cli("scan", "--no-color", str(FIXTURES / "cfn" / "vr301_eni_groups.yaml"))
    assert code == 1  # VR302 on AuditFunction
    assert (
        "  3 functions with no known need, so no path was checked: AuditFunction, BillingFunction, OrdersFunction "
        "(declare them: Metadata `vpcreach: {needs: [...]}`, a `vpcreach:needs` comment or tag, or the config)"
    ) in text.splitlines()


def test_quiet_prints_the_finding_lines_and_the_summary_only(tmp_path):
    path = FIXTURES / "cfn" / "example_private_nat.yaml"
    _, full, _ = run_cli("scan", "--no-color", str(path))
    code, quiet, err = run_cli("scan", "--no-color", "--quiet", str(path))
    assert (code, err) == (1, "")
    expected = [line for line in full.splitlines() if line.startswith(f"{path}:")]
    assert quiet.splitlines() == [*expected, "", "summary: 1 error, 3 warnings, 3 infos"]
    code, _, err = run_cli("scan", "--quiet", "--explain", str(path))
    assert (code, err) == (2, "vpcreach: error: --quiet and --explain exclude each other\n")


def test_explain_shows_paths_fixes_and_names_groups_plainly():
    path = FIXTURES / "cfn" / "example_private_nat.yaml"
    code, text, _ = run_cli("scan", "--no-color", "--explain", str(path))
    assert code == 1
    lines = text.splitlines()
    assert (
        "  ApiFunction (line 86)  Hyperplane ENIs PrivateSubnetA × {AppSecurityGroup}, PrivateSubnetB × "
        "{AppSecurityGroup}"
    ) in lines
    assert "      ReportFunction → ENI {AppSecurityGroup} → PublicSubnetA → PublicRouteTable → Igw" in lines
    assert (
        "      fix: Put the function in private subnets whose 0.0.0.0/0 route goes to a NAT gateway (which sits in "
        "the public subnet)."
    ) in lines
    assert "eni:" not in text  # the internal group id is written as subnet × {security groups}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("terraform/vr203_cross_az_nat", ("VR204", "aws_nat_gateway.nat_a", "VR203", "aws_subnet.private_subnet_b")),
        ("terraform/vr305_sg_set_sprawl", ("VR305", "aws_subnet.private_subnet_a", "aws_subnet.private_subnet_b")),
        ("terraform/vr307_eni_quota", ("VR307", "aws_vpc.vpc")),
    ],
)
def test_explain_lists_terraform_network_findings_under_network_findings(case, expected):
    code, text, err = run_cli("scan", "--explain", str(FIXTURES / case))
    assert code in (0, 1), err
    section = text.split("  network findings\n", 1)[1]
    for word in expected:
        assert word in section, (case, word)


def test_names_of_objects_aws_creates_are_explained_once():
    code, text, _ = run_cli(
        "scan", "--no-color", "--severity-threshold", "info", str(FIXTURES / "cfn" / "vr108_endpoint_default_sg.yaml")
    )
    assert code == 1
    lines = text.splitlines()
    assert "#default-sg" in text
    explained = "  VPC#default-sg is the default security group AWS creates with the VPC"
    assert lines.count(explained) == 1 and lines[lines.index(explained) - 1] == "names:"
