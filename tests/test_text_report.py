"""The text report shows every finding it counts: each finding of the JSON report (but VR301, which the ENI
section shows as groups) has its own header line, `severity VRxxx name  file:line`, under its function or under
"network findings". Issue 14 item 6: Terraform findings on subnets, NAT gateways and VPCs were counted in the
summary and the exit code but never printed."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, run_cli, scan_fixture

CASES = sorted(
    [str(p.relative_to(FIXTURES)) for p in (FIXTURES / "cfn").glob("*.yaml")]
    + [str(p.relative_to(FIXTURES)) for p in (FIXTURES / "terraform").iterdir() if p.is_dir()]
)


def _header(f: dict) -> str:
    return f"{f['severity']} {f['rule_id']} {f['name']}  {f['file']}:{f['line']}"


@pytest.mark.parametrize("case", CASES)
def test_every_counted_finding_is_printed(case):
    path = FIXTURES / case
    report = scan_fixture(path)
    code, text, err = run_cli("scan", str(path))
    assert code in (0, 1), err
    printed = [line.strip() for line in text.splitlines()]
    for f in report["findings"]:
        if f["rule_id"] != "VR301" and f["suppressed"] is None:
            assert _header(f) in printed, (case, _header(f))


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("terraform/vr203_cross_az_nat", ("VR204", "aws_nat_gateway.nat_a", "VR203", "aws_subnet.private_subnet_b")),
        ("terraform/vr305_sg_set_sprawl", ("VR305", "aws_subnet.private_subnet_a", "aws_subnet.private_subnet_b")),
        ("terraform/vr307_eni_quota", ("VR307", "aws_vpc.vpc")),
    ],
)
def test_terraform_network_findings_are_under_network_findings(case, expected):
    code, text, err = run_cli("scan", str(FIXTURES / case))
    assert code in (0, 1), err
    section = text.split("  network findings\n", 1)[1]
    for word in expected:
        assert word in section, (case, word)
