"""Needs nobody declared (issue 16): the file systems a function mounts, the targets whose security groups admit
it, the extension layers it runs, and what its code calls; and a function with no known need shown with what it
can reach, never as a silent pass. Each fixture exists in CloudFormation, Terraform and Serverless form."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, findings_of, run_cli, scan_fixture
from vpcreach.analyzer.needs_evidence import code_needs as _code_needs
from vpcreach.graph import model as m

# name → the function's resource name and line in each format
FUNCTION = {
    "cfn": ("OrdersFunction", ".yaml"),
    "terraform": ("aws_lambda_function.orders_function", ""),
    "serverless": ("OrdersFunctionLambdaFunction", ""),
}


def _scan(fmt: str, name: str) -> dict:
    suffix = FUNCTION[fmt][1]
    return scan_fixture(FIXTURES / fmt / f"{name}{suffix}")


def _needs(report: dict) -> list[tuple[str, str, str]]:
    (fn,) = report["functions"]
    return [(n["target"], n["origin"], n["verdict"]) for n in fn["needs"]]


def _target(fmt: str, cfn_id: str, tf_address: str) -> str:
    return tf_address if fmt == "terraform" else cfn_id


@pytest.mark.parametrize("fmt", ["cfn", "terraform", "serverless"])
def test_a_mounted_file_system_is_an_nfs_need_through_its_mount_targets(fmt):
    fs = _target(fmt, "FileSystem", "aws_efs_file_system.file_system")
    report = _scan(fmt, "vr111_efs_mount_target_sg")
    assert _needs(report) == [(f"tcp:2049@{fs}", "mount", "blocked")]
    assert [f[0:2] for f in findings_of(report) if f[0] != "VR301"] == [("VR111", FUNCTION[fmt][0])]
    (vr111,) = [f for f in report["findings"] if f["rule_id"] == "VR111"]
    assert "on TCP 2049" in vr111["message"] and "need from mount" in vr111["message"]
    near = _scan(fmt, "vr111_near_miss_efs_mount_target_sg")
    # The mount target's group also names the function's group (a peer), but the mount is the need's origin.
    assert _needs(near) == [(f"tcp:2049@{fs}", "mount", "reachable")]
    assert findings_of(near, "VR111") == findings_of(near, "VR001") == []


@pytest.mark.parametrize("fmt", ["cfn", "terraform", "serverless"])
def test_a_target_admitting_the_functions_group_is_a_need(fmt):
    db = _target(fmt, "Db", "aws_db_instance.db")
    sg = _target(fmt, "DbSecurityGroup", "aws_security_group.db_security_group")
    fn_sg = _target(fmt, "FunctionSecurityGroup", "aws_security_group.function_security_group")
    report = _scan(fmt, "vr104_peer_target_egress")
    assert _needs(report) == [(f"tcp:5432@{db}", "peer", "blocked")]
    (need,) = report["functions"][0]["needs"]
    assert need["detail"] == f"{sg} admits {fn_sg} on tcp/5432"
    assert need["evidence"]["line"] is not None  # the rule's line
    assert [f[0:2] for f in findings_of(report, "VR104")] == [("VR104", FUNCTION[fmt][0])]
    near = _scan(fmt, "vr104_near_miss_peer_vpc_cidr")
    assert _needs(near) == []  # the whole VPC range says nothing about this function
    assert findings_of(near, "VR104") == []


@pytest.mark.parametrize("fmt", ["cfn", "terraform", "serverless"])
def test_a_known_extension_layer_carries_its_needs(fmt):
    report = _scan(fmt, "vr106_extension_layer")
    assert _needs(report) == [("ssm", "layer", "blocked"), ("secretsmanager", "layer", "blocked")]
    assert [f[0:2] for f in findings_of(report, "VR106")] == [("VR106", FUNCTION[fmt][0])] * 2
    near = _scan(fmt, "vr106_near_miss_extension_layer")
    assert _needs(near) == [] and findings_of(near, "VR106") == []


def test_a_function_with_no_known_need_has_its_reach_profile_in_json_and_text():
    path = FIXTURES / "cfn" / "vr106_near_miss_extension_layer.yaml"
    (fn,) = scan_fixture(path)["functions"]
    assert {t: r["verdict"] for t, r in fn["reach"].items()} == {
        "internet": "blocked",
        "internet6": "blocked",
        "dynamodb": "blocked",
        "s3": "blocked",
    }
    code, text, _ = run_cli("scan", "--no-color", str(path))
    assert code == 0
    assert (
        f"{path}:51: note OrdersFunction has no known need, so nothing was checked: it reaches nothing outside its "
        "VPC (internet (IPv4), internet (IPv6), dynamodb, s3)"
    ) in text.splitlines()
    # A function with needs has no profile: its needs are what is checked.
    (with_needs,) = scan_fixture(FIXTURES / "cfn" / "vr106_extension_layer.yaml")["functions"]
    assert with_needs["reach"] == {}


def _evidence(kind: str, service: str = "", url: str = "") -> m.CodeEvidence:
    return m.CodeEvidence(kind, service, url, "src/app.py", 7, "the call")


@pytest.mark.parametrize(
    ("evidence", "needs"),
    [
        (_evidence("sdk", "s3"), [("s3", "code")]),
        (_evidence("sdk", "secretsmanager"), [("secretsmanager", "code")]),
        (_evidence("sdk", "logs"), []),  # Lambda's own logging, never a need
        (_evidence("http", url="https://api.stripe.com/v1/charges"), [("internet", "code")]),
        (_evidence("http", url="https://{}.execute-api.{}.amazonaws.com/test"), [("execute-api", "code")]),
        (_evidence("http", url="http://10.0.3.7:8080/health"), []),  # a private address: not the internet
        (_evidence("http", url="https://orders.internal/api"), []),
        (_evidence("http", url="https://{}/api"), []),  # a host not known to be public
        (_evidence("endpoint", "sqs", "https://sqs.eu-west-1.amazonaws.com"), [("sqs", "code")]),
        # An explicit VPC endpoint DNS name: the call stays inside the network.
        (_evidence("endpoint", "sqs", "https://vpce-0a1b-abc.sqs.eu-west-1.vpce.amazonaws.com"), []),
    ],
)
def test_code_evidence_becomes_needs(evidence, needs):
    fn = m.Function("Fn", m.Loc("t.yaml", 1), code_evidence=[evidence])
    found = _code_needs(None, fn)  # type: ignore[arg-type]
    assert [(n.target, n.origin) for n in found] == needs
    assert all((n.file, n.line) == ("src/app.py", 7) for n in found)


def test_explain_needs_names_the_evidence_line():
    path = FIXTURES / "cfn" / "vr104_peer_target_egress.yaml"
    code, text, _ = run_cli("scan", "--no-color", "--explain-needs", str(path))
    assert code == 1
    rule_line = next(i for i, line in enumerate(path.read_text().splitlines(), 1) if "SourceSecurityGroupId" in line)
    assert (
        "    tcp:5432@Db    BLOCKED    [peer: DbSecurityGroup admits FunctionSecurityGroup on tcp/5432 at "
        f"{path}:{rule_line - 3}]"
    ) in text.splitlines()


@pytest.mark.parametrize("fmt", ["cfn", "terraform"])
def test_what_the_code_calls_is_a_need(fmt):
    """Inline code (CloudFormation) and the folder archive_file zips (Terraform) call a public URL."""
    report = _scan(fmt, "vr101_code_calls_the_internet")
    ((target, origin, verdict),) = _needs(report)
    assert (target, origin, verdict) == ("internet", "code", "blocked")
    (need,) = report["functions"][0]["needs"]
    assert need["detail"] == 'requests.get("https://api.stripe.com/v1/charges", timeout=5)'
    assert need["evidence"]["file"].endswith("app.py" if fmt == "terraform" else ".yaml")
    assert [f[0:2] for f in findings_of(report, "VR101")] == [("VR101", FUNCTION[fmt][0])]
    near = _scan(fmt, "vr101_near_miss_code_private_host")
    assert _needs(near) == [] and findings_of(near, "VR101") == []


@pytest.mark.parametrize("fmt", ["cfn", "terraform"])
def test_an_sdk_client_in_the_code_folder_is_a_need_and_tests_are_not_code(fmt):
    report = _scan(fmt, "vr106_code_sdk_client")
    assert _needs(report) == [("sqs", "code", "blocked")]
    (need,) = report["functions"][0]["needs"]
    assert need["evidence"]["file"].endswith("code/sam_sqs_client/app.py") and need["evidence"]["line"] == 8
    assert [f[0:2] for f in findings_of(report, "VR106")] == [("VR106", FUNCTION[fmt][0])]
    near = _scan(fmt, "vr106_near_miss_code_client_in_tests")
    assert _needs(near) == [] and findings_of(near, "VR106") == findings_of(near, "VR101") == []


def test_a_serverless_handler_names_its_code():
    report = scan_fixture(FIXTURES / "serverless" / "vr106_serverless_handler_code")
    assert _needs(report) == [("sqs", "code", "blocked")]
    assert findings_of(report, "VR106") == [("VR106", "OrdersFunctionLambdaFunction", 10)]
    near = scan_fixture(FIXTURES / "serverless" / "vr106_near_miss_serverless_handler_code")
    assert _needs(near) == []  # another function's folder is not this one's code


def test_the_default_groups_own_rule_is_no_evidence(tmp_path):
    """A function and a database that both use the VPC's default security group: AWS's rule admitting the group
    to itself is no one's intent, so no peer need is inferred (and nothing is checked for the function)."""
    text = (FIXTURES / "cfn" / "vr104_near_miss_peer_vpc_cidr.yaml").read_text()
    text = text.replace(
        "SecurityGroupIds: [!Ref FunctionSecurityGroup]", "SecurityGroupIds: [!GetAtt Vpc.DefaultSecurityGroup]"
    )
    text = text.replace(
        "VPCSecurityGroups: [!Ref DbSecurityGroup]", "VPCSecurityGroups: [!GetAtt Vpc.DefaultSecurityGroup]"
    )
    assert text.count("Vpc.DefaultSecurityGroup") == 2
    path = tmp_path / "template.yaml"
    path.write_text(text)
    code, out, err = run_cli("scan", "--format", "json", str(path))
    assert code in (0, 1), err
    import json

    (fn,) = json.loads(out)["functions"]
    assert fn["eni_groups"] == ["eni:PrivateSubnetA|Vpc#default-sg", "eni:PrivateSubnetB|Vpc#default-sg"]
    assert fn["needs"] == []


def test_code_reading_is_bounded_for_the_whole_source(tmp_path, monkeypatch):
    """Each read has its own budget (parsers/code); a source of many functions must not multiply it: one folder
    named by many functions is read once, and reading stops at the source's budget with one note."""
    from vpcreach.parsers import code as reader

    from vpcreach import function_code

    calls: list[str] = []

    def slow_read(path, root, runtime=None):
        calls.append(path)
        return [], []

    monkeypatch.setattr(reader, "read_tree", slow_read)
    folder = tmp_path / "src"
    folder.mkdir()
    net = m.Network(sources=[str(tmp_path / "t.yaml")])
    for i in range(5):
        net.add(
            m.Function(
                f"Fn{i}",
                m.Loc("t.yaml", i + 1),
                has_vpc_config=True,
                code=m.CodeSource("path", m.Loc("t.yaml", 1), path=str(folder)),
            )
        )
    function_code.read_function_code(net, str(tmp_path))
    assert calls == [str(folder)]  # one read for the five functions naming the folder
    for i in range(5):
        other = tmp_path / f"f{i}"
        other.mkdir()
        net.objects[f"Fn{i}"].code = m.CodeSource("path", m.Loc("t.yaml", 1), path=str(other))  # type: ignore[union-attr]
    monkeypatch.setattr(function_code, "SOURCE_BUDGET", 0.0)
    calls.clear()
    net.notes.clear()
    function_code.read_function_code(net, str(tmp_path))
    assert len(calls) == 1  # the budget is spent after the first read
    assert net.notes == [
        "code reading stopped after the source's 0 s budget; the code of Fn1, Fn2, Fn3, Fn4 was not read"
    ]
