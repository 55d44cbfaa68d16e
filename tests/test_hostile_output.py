"""Hostile input against the output: the HTML picture's layout is not quadratic.
"""

from __future__ import annotations

import cProfile
import json
import pstats
from pathlib import Path

from vpcreach import run as run_module


def template(fn: str = "Fn", extra: str = "") -> dict:
    """One VPC function `fn` whose values carry `extra`: a need, its execution role (defined outside the
    template: an Unknown whose reason quotes it), a subnet Ref to a missing resource (another Unknown), and
    a suppression reason; a second function suppresses a rule without a reason (a warning naming it)."""
    vpc_config = {"SubnetIds": [{"Ref": "SubnetA"}, {"Ref": "Missing" + extra}], "SecurityGroupIds": [{"Ref": "Sg"}]}
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Code": {"ZipFile": "x"},
            "Role": "arn:aws:iam::123456789012:role/r" + extra,
            "VpcConfig": vpc_config,
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "SubnetA": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24", "Tags": [{"Key": "Name", "Value": "a" + extra}]},
            },
            "Rt": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
            "Assoc": {
                "Type": "AWS::EC2::SubnetRouteTableAssociation",
                "Properties": {"SubnetId": {"Ref": "SubnetA"}, "RouteTableId": {"Ref": "Rt"}},
            },
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x", "VpcId": {"Ref": "Vpc"}}},
            fn: {
                **function,
                "Metadata": {
                    "vpcreach": {
                        "needs": ["internet", "tcp:443@Db" + extra],
                        "ignore": [{"id": "VR001", "reason": "why" + extra}],
                    }
                },
            },
            "Bare" + extra: {**function, "Metadata": {"vpcreach": {"ignore": ["VR101"]}}},
        },
    }


def write(folder: Path, name: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")  # ASCII: \\u escapes, lone surrogates too
    return path


# --- the HTML picture's layout: near-linear work --------------------------------------------------------------
def calls(fn, *args) -> int:  # type: ignore[no-untyped-def]
    """Python function calls made by fn(*args): a measure of work that does not depend on the machine."""
    profile = cProfile.Profile()
    profile.enable()
    fn(*args)
    profile.disable()
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


def layered(n: int):  # type: ignore[no-untyped-def]
    """n functions → n ENI groups → n subnets in two zones → two route tables → a NAT gateway; each function
    also has a direct edge to the NAT gateway (skipping three columns)."""
    from vpcreach.reports.picture_layout import Box

    boxes, edges = [], []
    for i in range(n):
        boxes += [Box(f"fn{i}", 0, 100, 30), Box(f"eni{i}", 1, 100, 30), Box(f"sub{i}", 2, 100, 30, f"az{i % 2}")]
        edges += [(f"fn{i}", f"eni{i}", i), (f"eni{i}", f"sub{i}", n + i), (f"sub{i}", f"rt{i % 2}", 2 * n + i)]
        edges.append((f"fn{i}", "nat", 3 * n + i))
    boxes += [Box("rt0", 3, 100, 30), Box("rt1", 3, 100, 30), Box("nat", 4, 100, 30)]
    edges += [("rt0", "nat", "a"), ("rt1", "nat", "b")]
    return boxes, edges


def test_layout_work_grows_linearly():
    # Before: list.index comparing whole boxes while sorting a column, and crossings of two route tables
    # counted pair by pair: 3.6 times the work for twice the functions (2,000 functions took minutes).
    from vpcreach.reports.picture_layout import layout

    small, large = calls(layout, *layered(60)), calls(layout, *layered(120))
    assert large / small < 2.4, (small, large)


def test_clipping_a_long_title_is_linear():
    from vpcreach.reports.picture import _clip

    short, long = calls(_clip, "x" * 2000, 300.0, 12.5, True), calls(_clip, "x" * 4000, 300.0, 12.5, True)
    assert long / short < 2.4, (short, long)
    assert _clip("x" * 4000, 300.0, 12.5, True) == "x" * 42 + "…"


def test_picture_model_work_grows_linearly_with_needs(tmp_path):
    # One function declaring many needs: a path and a finding per need. Before: every path scanned all the
    # function's findings, and each finding was compared with all those already on its node.
    from vpcreach.config import load_config
    from vpcreach.reports.picture_model import build_views

    def analysis(n: int):  # type: ignore[no-untyped-def]
        data = template(fn="Fn", extra="")
        data["Resources"]["Fn"]["Metadata"]["vpcreach"]["needs"] = [f"tcp:{1000 + i}@Db{i}" for i in range(n)]
        path = write(tmp_path, f"needs{n}.json", data)
        req = run_module.RunRequest(paths=[str(path)])
        config = load_config(None, req.paths)
        return run_module.analyse_paths(req, config, config.options(req))

    small, large = calls(build_views, analysis(150)), calls(build_views, analysis(300))
    assert large / small < 2.4, (small, large)
