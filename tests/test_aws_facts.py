"""The AWS facts of graph/aws.py, and the three results that drifted while each parser kept its own copy.

Each drift has a CloudFormation + Terraform twin fixture (tests/test_terraform_twins.py also checks that
both give the same rule ids, needs and verdicts); here each gives the exact finding.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
from conftest import FIXTURES, findings_of, scan_json
from vpcreach.graph import aws
from vpcreach.graph.model import Unknown
from vpcreach.parsers.iam_document import read_statements

CFN = FIXTURES / "cfn"
TF = FIXTURES / "terraform"
ROOT = pathlib.Path(__file__).resolve().parent.parent


def _needs(report: dict) -> list[tuple[str, str]]:
    return sorted((n["target"], n["verdict"]) for f in report["functions"] for n in f["needs"])


# --- (a) an unresolved Action item is Unknown: VR001, not VR304 ----------------------------------------
def test_cfn_action_list_with_an_unresolved_item_is_unknown_not_missing():
    report = scan_json(CFN / "vr001_unresolved_action_item.yaml")
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR001") == [("VR001", "ReportFunction", 54)]
    assert "parameter ExtraAction has no default" in report["findings"][0]["message"]


def test_terraform_action_list_with_an_unresolved_item_is_unknown_not_missing():
    report = scan_json(TF / "vr001_unresolved_action_item")
    assert findings_of(report, "VR304") == []
    assert findings_of(report, "VR001") == [("VR001", "aws_lambda_function.report_function", 62)]


# --- (b) Firehose and API Gateway needs are written by their endpoint service names -------------------
@pytest.mark.parametrize(
    ("path", "function"),
    [
        (CFN / "vr106_near_miss_firehose_api_endpoints.yaml", "IngestFunction"),
        (TF / "vr106_near_miss_firehose_api_endpoints", "aws_lambda_function.ingest_function"),
    ],
)
def test_firehose_and_api_gateway_references_are_served_by_their_endpoints(path, function):
    report = scan_json(path)
    assert findings_of(report, "VR106") == []
    assert [f["rule_id"] for f in report["findings"]] == ["VR301"]  # one group set, two subnets: one finding
    assert _needs(report) == [("execute-api", "reachable"), ("kinesis-firehose", "reachable")]
    assert [f["resource"] for f in report["functions"]] == [function]


# --- (c) sqlserver-* editions and a replication group without Engine keep their database need ---------
def test_cfn_sqlserver_edition_and_engineless_replication_group_are_database_needs():
    report = scan_json(CFN / "vr111_sqlserver_and_default_redis.yaml")
    assert findings_of(report, "VR111") == [("VR111", "ReportFunction", 75), ("VR111", "ReportFunction", 75)]
    assert _needs(report) == [("tcp:1433@ReportDb", "blocked"), ("tcp:6379@ReportCache", "blocked")]


def test_terraform_sqlserver_edition_and_engineless_replication_group_are_database_needs():
    report = scan_json(TF / "vr111_sqlserver_and_default_redis")
    fn = "aws_lambda_function.report_function"
    assert findings_of(report, "VR111") == [("VR111", fn, 88), ("VR111", fn, 88)]
    assert _needs(report) == [
        ("tcp:1433@aws_db_instance.report_db", "blocked"),
        ("tcp:6379@aws_elasticache_replication_group.report_cache", "blocked"),
    ]


# --- graph/aws.py ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("engine", "port"),
    [
        ("sqlserver-ee", 1433),
        ("sqlserver-se", 1433),
        ("sqlserver-ex", 1433),
        ("sqlserver-web", 1433),
        ("custom-sqlserver-ee", 1433),
        ("oracle-se2-cdb", 1521),
        ("Redis", 6379),
        ("MYSQL", 3306),
        ("POSTGRESQL", 5432),
        ("aurora-postgresql", 5432),
        ("db2-se", None),
    ],
)
def test_engine_editions_share_their_family_port(engine, port):
    assert aws.engine_port(engine) == port


def test_default_engine_of_a_replication_group_is_redis():
    assert aws.engine_port(aws.DEFAULT_ENGINES["elasticache_replication_group"]) == 6379


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("firehose", "kinesis-firehose"),
        ("cloudwatch", "monitoring"),
        ("ecr", "ecr.api"),
        ("ses", "email"),
        ("S3", "s3"),
    ],
)
def test_every_service_name_is_normalised_to_its_endpoint_service(name, service):
    assert aws.normalise_service(name) == service


def test_both_spellings_of_a_resource_name_the_same_service():
    for cfn, tf in (
        ("AWS::KinesisFirehose::DeliveryStream", "aws_kinesis_firehose_delivery_stream"),
        ("AWS::ApiGateway::RestApi", "aws_api_gateway_rest_api"),
        ("AWS::ApiGatewayV2::Api", "aws_apigatewayv2_api"),
        ("AWS::SQS::Queue", "aws_sqs_queue"),
    ):
        assert aws.service_of_resource_type(cfn) == aws.service_of_resource_type(tf) != ""
    assert all(s == aws.normalise_service(s) for s in aws.SERVICE_OF_RESOURCE_TYPE.values())


@pytest.mark.parametrize(
    ("text", "protocol"), [("6", "tcp"), ("58", "icmpv6"), ("ALL", "-1"), ("-1", "-1"), ("47", "47")]
)
def test_protocol_names_and_numbers(text, protocol):
    assert aws.normalise_protocol(text) == protocol


def test_graph_layer_imports_neither_parsers_nor_analyzer():
    for path in (ROOT / "graph").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            for name in names:
                assert "parsers" not in name and "analyzer" not in name, f"{path.name} imports {name}"


# --- parsers/iam_document.py ---------------------------------------------------------------------------
def test_reader_keeps_every_unresolved_part_unknown():
    reason = Unknown("from a parameter")
    (item,) = read_statements({"Statement": [{"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", reason]}]})
    assert item.actions is reason
    (whole,) = read_statements({"Statement": reason})
    assert whole.actions is reason
    (stmt,) = read_statements({"Statement": [reason]})
    assert stmt.actions is reason
    (effect,) = read_statements({"Statement": [{"Effect": reason, "Action": "s3:GetObject"}]})
    assert effect.effect is reason and effect.actions == ["s3:GetObject"]
    (doc,) = read_statements(reason)
    assert isinstance(doc.actions, Unknown) and "from a parameter" in doc.actions.reason


def test_reader_asks_the_format_what_an_unresolved_value_is():
    marker = object()
    (item,) = read_statements(
        {"Statement": [{"Action": [marker]}]}, lambda v: Unknown("known only after deploy") if v is marker else None
    )
    assert isinstance(item.actions, Unknown) and item.actions.reason == "known only after deploy"


def test_every_eni_holder_type_is_read_by_both_parsers_from_the_fixtures():
    """ENI_HOLDER_TYPES is the one list of resources that take subnet addresses besides Lambda's ENIs: the
    model refuses any other type, and every listed type is produced from some fixture (no dead entry)."""
    from vpcreach.graph import model as m
    from vpcreach.parsers.cfn import parse_file
    from vpcreach.parsers.terraform import parse_module

    with pytest.raises(ValueError):
        m.EniHolder("x#eni", m.NOWHERE, resource_type="AWS::RDS::DBInstance")
    seen: set[str] = set()
    for path in sorted(CFN.glob("*.yaml")):
        seen |= {h.resource_type for h in parse_file(str(path)).of(m.EniHolder)}
    for path in sorted(p for p in TF.iterdir() if p.is_dir()):
        seen |= {h.resource_type for h in parse_module(str(path), {}, []).of(m.EniHolder)}
    assert seen == aws.ENI_HOLDER_TYPES
