"""The README's bundled example behaves as the README shows."""

from conftest import FIXTURES, findings_of, run_cli, scan_json


def test_example_reports_public_subnet_function_and_nat_for_s3():
    report = scan_json(FIXTURES / "cfn" / "example_private_nat.yaml")
    assert findings_of(report, "VR102") == [("VR102", "ReportFunction", 98)]
    assert findings_of(report, "VR201") == [("VR201", "ApiFunction", 86)]
    api = next(f for f in report["functions"] if f["resource"] == "ApiFunction")
    assert {n["target"]: n["verdict"] for n in api["needs"]} == {"internet": "reachable", "s3": "reachable"}


def test_exit_code_is_one_with_errors_and_zero_above_threshold():
    path = str(FIXTURES / "cfn" / "example_private_nat.yaml")
    assert run_cli("scan", path)[0] == 1
    assert run_cli("scan", path, "--ignore", "VR102,VR201,VR203,VR302")[0] == 0
