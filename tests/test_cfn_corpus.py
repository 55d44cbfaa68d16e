"""The real-world corpus in ../shared/corpus: every CloudFormation/SAM file scans cleanly, and a few verdicts
read off the files by hand are pinned. The corpus is read in place, never copied into the project."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, findings_of, run_cli, scan_json

pytestmark = pytest.mark.slow  # a sweep of the CloudFormation corpus

FILES = sorted(p for folder in ("cfn", "sam") if (CORPUS / folder).is_dir() for p in (CORPUS / folder).iterdir())


@pytest.mark.parametrize("path", FILES or [None], ids=lambda p: f"{p.parent.name}/{p.name}" if p else "absent")
def test_corpus_file_scans_without_traceback(corpus, path):
    code, out, err = run_cli("scan", "--format", "json", str(path))
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"vpcreach: error: {path}"), err
    else:
        # Nothing but, for a template without a VPC-attached function, the one note that says so.
        assert err == "" or (err.startswith("vpcreach: note: ") and err.count("\n") == 1 and "nothing" in err), err
        assert json.loads(out)["sources"] == [str(path)]


def test_lambda_static_ip_reaches_internet_through_the_nat_of_its_zone(corpus, tmp_path):
    # awslabs LambdaStaticIP: PrivateSubnetOne/Two route 0.0.0.0/0 to NatGatewayOne/Two in PublicSubnetOne/Two
    # (same GetAZs index), each public subnet routes to the attached InternetGateway; the function uses the
    # VPC's default security group; the role grants the three ENI actions inline. The template declares no need:
    # the config gives the function the internet need it has (its code calls https://api.ipify.org).
    config = tmp_path / "vpcreach.toml"
    config.write_text('[tool.vpcreach]\nneeds = { LambdaFunction = ["internet"] }\n')
    report = scan_json(corpus / "cfn" / "awslabs-cft__LambdaStaticIP.yaml", extra=("--config", str(config)))
    assert [(g["id"], g["availability_zone"], g["subnet_usable_addresses"]) for g in report["eni_groups"]] == [
        ("eni:PrivateSubnetOne|VPC#default-sg", "az#0", 11),
        ("eni:PrivateSubnetTwo|VPC#default-sg", "az#1", 11),
    ]
    (internet,) = report["functions"][0]["needs"]
    assert (internet["origin"], internet["verdict"]) == ("config", "reachable")
    assert internet["via"] == [
        "LambdaFunction",
        "eni:PrivateSubnetOne|VPC#default-sg",
        "PrivateSubnetOne",
        "PrivateRouteTableOne",
        "NatGatewayOne",
        "PublicSubnetOne",
        "PublicRouteTable",
        "InternetGateway",
    ]
    # One NAT gateway per zone: no cross-AZ NAT, no single NAT; the inline ENI actions satisfy VR304.
    assert findings_of(report) == [("VR301", "LambdaFunction", 197)]


def test_lambda_static_ip_needs_the_internet_from_its_code(corpus):
    """Nothing declares it, but its inline code calls https://api.ipify.org (issue 16, origin code): the need is
    found and reachable through its zone's NAT, so there is nothing to report but the ENI groups."""
    path = corpus / "cfn" / "awslabs-cft__LambdaStaticIP.yaml"
    report = scan_json(path)
    (need,) = report["functions"][0]["needs"]
    assert (need["target"], need["origin"], need["verdict"]) == ("internet", "code", "reachable")
    assert need["evidence"] == {"file": str(path), "line": 211}  # https.get(url, ...), url = 'https://api.ipify.org'
    assert findings_of(report) == [("VR301", "LambdaFunction", 197)]


def test_rds_connection_demo_shares_one_nat_across_zones(corpus):
    # manage-rds-conn: both Lambda subnets (GetAZs 0 and 1) use myRouteTable, whose 0.0.0.0/0 goes to myNAT
    # in publicSubnet1 (GetAZs 0). LambdaRDSTest's role grants dynamodb:*, cloudwatch:PutMetricData and
    # lambda:InvokeFunction; LambdaRDSCFNInit's grants dynamodb:*. RDSSecurityGroup admits 3306 from
    # LambdaSecurityGroup.
    report = scan_json(corpus / "sam" / "manage-rds-conn__LambdaRDS_Demo.yaml")
    assert findings_of(report, "VR203") == [("VR203", "privateLambdaSubnet2", 65)]
    assert findings_of(report, "VR204") == [("VR204", "myNAT", 175)]
    assert findings_of(report, "VR201") == [("VR201", "LambdaRDSCFNInit", 388), ("VR201", "LambdaRDSTest", 349)]
    assert findings_of(report, "VR202") == [("VR202", "LambdaRDSTest", 349), ("VR202", "LambdaRDSTest", 349)]
    verdicts = {
        (f["resource"], n["target"]): (n["origin"], n["verdict"]) for f in report["functions"] for n in f["needs"]
    }
    assert verdicts == {
        ("LambdaRDSTest", "dynamodb"): ("iam", "reachable"),
        ("LambdaRDSTest", "monitoring"): ("iam", "reachable"),
        ("LambdaRDSTest", "lambda"): ("iam", "reachable"),
        ("LambdaRDSTest", "tcp:3306@RDSMySQL"): ("env", "reachable"),
        ("LambdaRDSCFNInit", "dynamodb"): ("iam", "reachable"),
        ("LambdaRDSCFNInit", "tcp:3306@RDSMySQL"): ("env", "reachable"),
    }


def test_s3_files_sample_security_group_blocks_its_s3_gateway_endpoint(corpus):
    # sp lambda-s3-files-sam: the function reads objects with s3:GetObject through the S3 gateway endpoint on
    # its route table, but LambdaSecurityGroup's only egress rules are 443 and 2049 to the VPC CIDR. S3 addresses
    # are outside the VPC, so the calls are dropped (SEMANTICS.md §4 prefix-list references, §6 gateway endpoints).
    report = scan_json(corpus / "sam" / "sp__lambda-s3-files-sam.yaml")
    assert findings_of(report, "VR104") == [("VR104", "S3FilesReaderFunction", 223)]
    (vr104,) = [f["message"] for f in report["findings"] if f["rule_id"] == "VR104"]
    assert (
        "LambdaSecurityGroup allows tcp/443 only to 10.0.0.0/16; the s3 API needs 0.0.0.0/0 or its prefix list" in vr104
    )
    (s3,) = report["functions"][0]["needs"]
    assert (s3["target"], s3["origin"], s3["verdict"]) == ("s3", "iam", "blocked")


def test_cross_region_sample_function_sits_in_a_public_subnet(corpus):
    # sp private-apigw-cross-region regionB: the only subnet routes 0.0.0.0/0 to myInternetGateway. No internet
    # need is declared or inferred (its API call goes through the peering connection), so VR102 is a warning. Its
    # inline code opens an execute-api URL (issue 16, origin code): whether that is reachable is unknown, since a
    # rule of its security group cannot be resolved (VR001).
    report = scan_json(corpus / "sam" / "sp__private-apigw-cross-region_regionB.yaml")
    assert [(f["rule_id"], f["resource"], f["line"], f["severity"]) for f in report["findings"]] == [
        ("VR001", "myLambdaFunction", 141, "info"),
        ("VR102", "myLambdaFunction", 141, "warning"),
        ("VR301", "myLambdaFunction", 141, "info"),
        ("VR302", "myLambdaFunction", 141, "warning"),
    ]
    assert [g["id"] for g in report["eni_groups"]] == ["eni:subnet|mySecurityGroup"]


def test_capacity_provider_samples_get_verdicts(corpus):
    # Issue 18 item 1: the functions take their capacity provider's placement (DESIGN decision 11) instead of VR001.
    report = scan_json(CORPUS / "sam" / "sp__sqs-lambda-lmi-esm-provisioned-sam.yaml")
    assert findings_of(report) == []
    (placed,) = report["compute"]
    assert (placed["resource"], placed["functions"], placed["internet"]) == (
        "CapacityProvider",
        ["ProcessorFunction"],
        "reachable",
    )
    report = scan_json(CORPUS / "sam" / "samtranslator__input_capacity_provider_global_with_functions.yaml")
    # Globals.CapacityProvider gives the provider its VpcConfig; its subnet and group are parameter literals.
    assert [(f[0], f[1]) for f in findings_of(report)] == [
        ("VR001", "GlobalCapacityProvider"),
        ("VR001", "GlobalCapacityProvider"),
        ("VR302", "GlobalCapacityProvider"),
    ]


def test_microvm_sample_connector_is_in_one_zone(corpus):
    report = scan_json(CORPUS / "cfn" / "sp__lambda-microvms-multi-tenant-ai-agents.yaml")
    assert [(f[0], f[1]) for f in findings_of(report)] == [("VR302", "EgressConnector")]
    (placed,) = report["compute"]
    assert (placed["kind"], placed["internet"]) == ("network_connector", "reachable")
