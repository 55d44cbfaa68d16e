"""`vpcreach snapshot` (issue 15): writes an environment snapshot of one VPC with boto3, read-only, tested against
moto's EC2, SSM and CloudFormation mocks; the files it writes are what --snapshot reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, findings_of, run_cli, scan_json

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")

REGION = "eu-west-1"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        yield boto3.Session(region_name=REGION)


def _network(session) -> dict[str, str]:
    """A VPC with a public subnet (route to an internet gateway) and an isolated one (main route table only)."""
    ec2 = session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.0.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    isolated = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24", AvailabilityZone=f"{REGION}b")["Subnet"][
        "SubnetId"
    ]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=public)
    sg = ec2.create_security_group(GroupName="lambda", Description="lambda", VpcId=vpc)["GroupId"]
    session.client("ssm").put_parameter(Name="/network/isolated-subnet", Value=isolated, Type="String")
    return {"vpc": vpc, "public": public, "isolated": isolated, "sg": sg, "igw": igw}


def test_snapshot_writes_what_scan_reads(aws, tmp_path: Path) -> None:
    ids = _network(aws)
    out = tmp_path / "env"
    code, stdout, err = run_cli("snapshot", "--vpc-id", ids["vpc"], "--out", str(out), "--ssm-path", "/network")
    assert code == 0, err
    assert "scan with --snapshot" in stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "egress-only-internet-gateways.json",
        "exports.json",
        "internet-gateways.json",
        "nat-gateways.json",
        "network-acls.json",
        "parameters.json",
        "route-tables.json",
        "security-groups.json",
        "subnets.json",
        "vpc-dns-hostnames.json",
        "vpc-dns-support.json",
        "vpc-endpoints.json",
        "vpcs.json",
    ]
    assert json.loads((out / "vpc-dns-hostnames.json").read_text()) == {
        "VpcId": ids["vpc"],
        "EnableDnsHostnames": {"Value": False},
    }
    template = (FIXTURES / "cfn" / "existing_public_subnet.yaml").read_text()
    (tmp_path / "public.yaml").write_text(
        template.replace("subnet-0a0000000000000a1", ids["public"]).replace("sg-0a0000000000000a1", ids["sg"])
    )
    report = scan_json(tmp_path / "public.yaml", extra=("--snapshot", str(out)))
    assert findings_of(report, "VR102") == [("VR102", "WebhookFunction", 20)]
    assert findings_of(report, "VR001") == []
    dynamic = (FIXTURES / "cfn" / "existing_dynamic_ssm_reference.yaml").read_text()
    isolated = dynamic.replace(
        '["{{resolve:ssm:/network/public-subnet:1}}", "{{resolve:ssm:/network/public-subnet-b}}"]',
        '["{{resolve:ssm:/network/isolated-subnet}}"]',
    ).replace('["{{resolve:ssm:/network/lambda-sg}}"]', f'["{ids["sg"]}"]')
    (tmp_path / "isolated.yaml").write_text(isolated)
    report = scan_json(tmp_path / "isolated.yaml", extra=("--snapshot", str(out)))
    # moto's security group has AWS's default allow-all egress; the isolated subnet has only the main table.
    assert findings_of(report, "VR101") == [("VR101", "WebhookFunction", 19)]
    assert findings_of(report, "VR001") == []


def test_snapshot_makes_only_read_calls(aws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.client

    ids = _network(aws)
    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def spy(self, operation_name, api_params):
        calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", spy)
    code, _out, err = run_cli("snapshot", "--vpc-id", ids["vpc"], "--out", str(tmp_path), "--ssm-name", "/x")
    assert code == 0, err
    assert calls and all(c.startswith(("Describe", "Get", "List")) for c in calls), calls


def test_a_failing_call_is_one_error_line(aws, tmp_path: Path) -> None:
    code, _out, err = run_cli("snapshot", "--vpc-id", "vpc-0000000000000000f", "--out", str(tmp_path))
    assert code == 2
    assert err.startswith("vpcreach: error: snapshot of vpc-0000000000000000f failed:")
