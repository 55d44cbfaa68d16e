"""What each function needs, and where each need comes from (DESIGN: Analyzer/needs; decisions 1 and 3)."""

from __future__ import annotations

from conftest import FIXTURES, findings_of, run_cli, scan_json

CFN = FIXTURES / "cfn"


def needs_of(report: dict, function: str) -> dict[str, tuple[str, str]]:
    fn = next(f for f in report["functions"] if f["resource"] == function)
    return {n["target"]: (n["origin"], n["detail"]) for n in fn["needs"]}


def findings_on(report: dict, function: str) -> list[str]:
    return sorted(f["rule_id"] for f in report["findings"] if f["resource"] == function)


# --- IAM ------------------------------------------------------------------------------------------------
def test_needs_come_from_every_kind_of_iam_grant():
    report = scan_json(CFN / "needs_iam_sources.yaml")
    assert findings_of(report, "VR106") == [
        ("VR106", "InlineFunction", 67),
        ("VR106", "ManagedFunction", 125),
        ("VR106", "PolicyFunction", 101),
        ("VR106", "SamFunction", 170),
        ("VR106", "SamFunction", 170),
        ("VR106", "TemplatePolicyFunction", 158),
        ("VR106", "WildcardFunction", 204),
    ]
    assert needs_of(report, "InlineFunction") == {"s3": ("iam", "s3:GetObject in InlineRole")}
    assert needs_of(report, "PolicyFunction") == {"sqs": ("iam", "sqs:SendMessage in QueuePolicy")}
    assert needs_of(report, "ManagedFunction") == {
        "dynamodb": ("iam", "dynamodb:BatchGetItem in AmazonDynamoDBReadOnlyAccess")
    }
    assert needs_of(report, "TemplatePolicyFunction") == {"kms": ("iam", "kms:Decrypt in TemplatePolicyRole")}
    assert needs_of(report, "SamFunction") == {
        "sqs": ("iam", "sqs:SendMessage in SAM policy template SQSSendMessagePolicy"),
        "sns": ("iam", "sns:* in AmazonSNSFullAccess"),
    }
    assert needs_of(report, "WildcardFunction") == {"s3": ("iam", "s3:* in WildcardRole")}


def test_bare_star_is_not_a_need():
    report = scan_json(CFN / "needs_iam_sources.yaml")
    assert needs_of(report, "StarFunction") == {}
    # "*" covers the network-interface actions too.
    assert findings_on(report, "StarFunction") == []


def test_logs_xray_and_network_interface_actions_are_not_needs():
    report = scan_json(CFN / "needs_iam_sources.yaml")
    assert needs_of(report, "LogsFunction") == {}
    # No service finding, and the role's explicit ENI actions satisfy VR304.
    assert findings_on(report, "LogsFunction") == []


# --- event source mappings ------------------------------------------------------------------------------
def test_poller_actions_are_not_needs_of_a_function_with_a_mapping():
    report = scan_json(CFN / "needs_event_source_mapping.yaml")
    assert needs_of(report, "ConsumerFunction") == {}
    assert needs_of(report, "SamConsumerFunction") == {}


def test_poller_actions_are_not_needs_of_a_function_sharing_the_role_of_a_mapped_function():
    # DESIGN decision 3 (per role): ProducerFunction has no mapping but shares QueueRole with ConsumerFunction.
    report = scan_json(CFN / "needs_event_source_mapping.yaml")
    assert needs_of(report, "ProducerFunction") == {}


def test_poller_actions_are_needs_of_a_role_no_mapped_function_uses():
    report = scan_json(CFN / "needs_event_source_mapping.yaml")
    assert findings_of(report, "VR106") == [("VR106", "SamPollerFunction", 107)]
    assert needs_of(report, "SamPollerFunction") == {
        "sqs": ("iam", "sqs:ReceiveMessage in SAM policy template SQSPollerPolicy")
    }


# --- environment variables ------------------------------------------------------------------------------
def test_environment_references_become_needs():
    report = scan_json(CFN / "needs_environment.yaml")
    assert needs_of(report, "OrdersFunction") == {
        "sqs": ("env", "environment variable QUEUE_URL refers to Queue"),
        "tcp:5432@Db": ("env", "environment variable DB_HOST refers to Db"),
        "internet": ("env", "environment variable PAYMENTS_API is https://api.example.com"),
    }
    fn = report["functions"][0]
    assert {n["target"]: n["verdict"] for n in fn["needs"]} == {
        "sqs": "blocked",
        "tcp:5432@Db": "reachable",
        "internet": "blocked",
    }
    assert findings_of(report, "VR101") == [("VR101", "OrdersFunction", 80)]
    assert findings_of(report, "VR106") == [("VR106", "OrdersFunction", 80)]
    assert findings_of(report, "VR111") == []


def test_path_style_sqs_url_in_environment_is_an_sqs_need():
    report = scan_json(CFN / "needs_environment_aws_urls.yaml")
    assert needs_of(report, "ReportFunction")["sqs"] == ("env", "environment variable QUEUE_URL is an AWS URL")


def test_virtual_hosted_s3_and_api_gateway_urls_name_their_service():
    report = scan_json(CFN / "needs_environment_aws_urls.yaml")
    assert set(needs_of(report, "ReportFunction")) == {"s3", "execute-api", "sqs"}
    assert findings_of(report, "VR201") == [("VR201", "ReportFunction", 90), ("VR201", "StreamsFunction", 107)]
    assert findings_of(report, "VR202") == [("VR202", "ReportFunction", 90)] * 2 + [("VR202", "StreamsFunction", 107)]


def test_dynamodb_streams_url_is_the_streams_api_and_the_plain_url_dynamodb():
    # streams.dynamodb.REGION.amazonaws.com is the endpoint service dynamodb-streams (interface endpoints only).
    report = scan_json(CFN / "needs_environment_aws_urls.yaml")
    assert needs_of(report, "StreamsFunction") == {
        "dynamodb-streams": ("env", "environment variable STREAMS_ENDPOINT is an AWS URL"),
        "dynamodb": ("env", "environment variable TABLE_ENDPOINT is an AWS URL"),
    }
    vr201 = [f for f in report["findings"] if f["rule_id"] == "VR201" and f["resource"] == "StreamsFunction"]
    vr202 = [f for f in report["findings"] if f["rule_id"] == "VR202" and f["resource"] == "StreamsFunction"]
    assert [f["message"].split(";")[0] for f in vr201 + vr202] == [
        "StreamsFunction reaches dynamodb through NAT gateway NatA",
        "StreamsFunction reaches dynamodb-streams through NAT gateway NatA",
    ]
    assert "com.amazonaws.<region>.dynamodb-streams" in vr202[0]["fix"]
    tf = scan_json(FIXTURES / "terraform" / "needs_environment_aws_urls")
    assert set(needs_of(tf, "aws_lambda_function.streams_function")) == {"dynamodb-streams", "dynamodb"}


def test_explain_needs_shows_where_each_need_comes_from():
    code, out, err = run_cli("scan", str(CFN / "needs_environment.yaml"), "--explain-needs", "--no-color")
    assert (code, err) == (1, "")
    lines = [line.strip() for line in out.splitlines()]
    assert "tcp:5432@Db    REACHABLE  [env: environment variable DB_HOST refers to Db]" in lines
    assert "internet       BLOCKED    [env: environment variable PAYMENTS_API is https://api.example.com]" in lines
    assert "sqs            BLOCKED    [env: environment variable QUEUE_URL refers to Queue]" in lines


def test_without_explain_needs_only_the_origin_kind_is_shown():
    code, out, _ = run_cli("scan", str(CFN / "needs_environment.yaml"), "--no-color", "--explain")
    assert code == 1
    lines = [line.strip() for line in out.splitlines()]
    assert "sqs            BLOCKED    [env]" in lines
    assert not any("refers to Queue]" in line for line in lines)


def test_explain_needs_says_when_no_need_is_known():
    _, out, _ = run_cli("scan", str(CFN / "needs_iam_sources.yaml"), "--explain-needs", "--no-color")
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("LogsFunction (line 271)"))
    assert lines[at + 1].strip() == (
        "no needs known (declare them: Metadata `vpcreach: {needs: [...]}`, a `vpcreach:needs` comment or tag, "
        "or the config)"
    )


def test_declared_need_comes_first_and_is_marked_declared():
    report = scan_json(CFN / "vr101_no_default_route.yaml")
    assert needs_of(report, "NeedsInternetFunction") == {"internet": ("declared", "")}


# --- cost sentences -------------------------------------------------------------------------------------
def test_nat_cost_without_traffic_volume_depends_on_traffic():
    report = scan_json(CFN / "vr201_s3_through_nat.yaml")
    (message,) = [f["message"] for f in report["findings"] if f["rule_id"] == "VR201"]
    assert message == (
        "ReportFunction reaches s3 through NAT gateway NatA; a gateway VPC endpoint would serve it (cost depends "
        "on traffic: NAT processing is $0.045/GB (us-east-1, 2026-05); set a traffic volume to get an estimate)"
    )
    assert "/month" not in message


def test_nat_cost_with_metadata_traffic_gives_dollar_estimate():
    report = scan_json(CFN / "vr201_traffic_estimate.yaml")
    assert findings_of(report, "VR201") == [("VR201", "ReportFunction", 77)]
    (message,) = [f["message"] for f in report["findings"] if f["rule_id"] == "VR201"]
    assert message.endswith("(at 100 GB/month that is $4.50/month of NAT processing; a gateway endpoint costs $0)"), (
        message
    )


def test_interface_service_cost_depends_on_traffic_then_compares_with_endpoint(tmp_path):
    report = scan_json(CFN / "vr202_sqs_through_nat.yaml")
    (message,) = [f["message"] for f in report["findings"] if f["rule_id"] == "VR202"]
    assert "cost depends on traffic" in message and "/month" not in message
    config = tmp_path / "vpcreach.toml"
    config.write_text("[tool.vpcreach]\ntraffic = { QueueFunction = { sqs = 100 } }\n")
    priced = scan_json(CFN / "vr202_sqs_through_nat.yaml", extra=("--config", str(config)))
    (message,) = [f["message"] for f in priced["findings"] if f["rule_id"] == "VR202"]
    # 100 GB × $0.045 = $4.50 of NAT processing; 100 GB × $0.01 + 1 AZ × 730 h × $0.01 = $8.30 for the endpoint.
    assert message.endswith(
        "(at 100 GB/month that is $4.50/month of NAT processing against about $8.30/month for an interface "
        "endpoint in 1 AZ(s))"
    ), message
