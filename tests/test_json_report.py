"""The JSON report's entries say where they come from."""

from __future__ import annotations

import json

from conftest import FIXTURES, run_cli


def test_json_eni_groups_and_vpcs_name_their_source_and_file():
    """Two inputs that both call their VPC `Vpc` are told apart in JSON (issue 19)."""
    cfn = FIXTURES / "cfn" / "vr301_eni_groups.yaml"
    tf = FIXTURES / "terraform" / "vr301_eni_groups"
    code, out, err = run_cli("scan", "--format", "json", str(cfn), str(tf))
    assert code in (0, 1), err
    report = json.loads(out)
    assert [(v["vpc"], v["source"], v["file"]) for v in report["vpcs"]] == [
        ("Vpc", str(cfn), str(cfn)),
        ("aws_vpc.vpc", str(tf), str(tf / "main.tf")),
    ]
    assert {(g["source"], g["file"]) for g in report["eni_groups"]} == {
        (str(cfn), str(cfn)),
        (str(tf), str(tf / "main.tf")),
    }
