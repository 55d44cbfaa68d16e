"""A function's `events` that the framework compiles into AWS::Lambda::EventSourceMapping resources (the poller
rule reads them), and the statements it adds to the shared execution role for them.

From packages/serverless/lib/plugins/aws/package/compile/events/: sqs.js (`sqs: arn` or `{arn}`; the role gets
sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes on the queue), stream.js (`stream: arn` or
`{arn, type}`, type else the ARN's service; dynamodb:GetRecords/GetShardIterator/DescribeStream/ListStreams or
kinesis:GetRecords/GetShardIterator/DescribeStream/ListStreams), msk/index.js (`msk: {arn, topic}`), kafka.js
(self-managed Kafka: `kafka: {bootstrapServers, topic}`), activemq.js and rabbitmq.js (`{arn, queue}`, an
Amazon MQ broker). Other events (http, schedule, s3, sns, ...) are pushed by AWS services, not polled.
"""

from __future__ import annotations

from typing import Any

from ..yaml_loader import Mapping
from . import naming

_STREAM_ACTIONS = {
    "dynamodb": ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"],
    "kinesis": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListStreams"],
}
_SQS_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]


def source_name(arn: Any) -> str:
    """The name the framework builds a mapping's logical id from (sqs.js / stream.js)."""
    if isinstance(arn, dict) and len(arn) == 1:
        ((fn, arg),) = arn.items()
        if fn == "Fn::GetAtt":
            first = arg.split(".", 1)[0] if isinstance(arg, str) else (arg[0] if isinstance(arg, list) and arg else "")
            return str(first)
        if fn == "Fn::ImportValue" and isinstance(arg, str):
            return arg
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list) and arg[1]:
            last = arg[1][-1]
            return last if isinstance(last, str) else "Source"
        return "Source"
    if isinstance(arn, str):
        tail = arn.split(":")[-1]
        parts = tail.split("/")
        # A stream ARN ends table/<name>/stream/<time> or stream/<name>: the framework names it by <name>.
        return parts[1] if len(parts) > 1 else tail
    return "Source"


# The service an event's poller reads, by the event's key: known even when its ARN is not (a variable).
KINDS = {"sqs": "sqs", "msk": "kafka", "kafka": "kafka", "activemq": "mq", "rabbitmq": "mq"}


def kind_of(event: Any) -> str | None:
    """The event source service of one `events` item, from its key (and a stream's `type` or ARN)."""
    if not isinstance(event, dict) or len(event) != 1:
        return None
    ((key, spec),) = event.items()
    if key == "stream":
        declared = spec.get("type") if isinstance(spec, dict) else None
        kind = (
            declared if isinstance(declared, str) else _service_of(spec.get("arn") if isinstance(spec, dict) else spec)
        )
        return kind if kind in _STREAM_ACTIONS else None
    return KINDS.get(str(key))


def mappings(
    function: str, function_id: str, events: Any, line: int | None
) -> tuple[dict[str, Mapping], list[dict[str, Any]], dict[str, str]]:
    """({logical id: CloudFormation resource}, [role statements], {logical id: source service known from the
    event's key}) for one function's events."""
    resources: dict[str, Mapping] = {}
    kinds: dict[str, str] = {}
    statements: list[dict[str, Any]] = []
    for event in events if isinstance(events, list) else []:
        if not isinstance(event, dict) or len(event) != 1:
            continue
        ((kind, spec),) = event.items()
        where = getattr(event, "line", None) or line
        target = {"Fn::GetAtt": [function_id, "Arn"]}
        arn = spec.get("arn") if isinstance(spec, dict) else spec
        props: dict[str, Any]
        if kind == "sqs" and arn is not None:
            rid = naming.queue_mapping_id(function, source_name(arn))
            props = {"FunctionName": target, "EventSourceArn": arn}
            statements.append({"Effect": "Allow", "Action": list(_SQS_ACTIONS), "Resource": [arn]})
        elif kind == "stream" and arn is not None:
            declared = spec.get("type") if isinstance(spec, dict) else None
            stream_type = declared if isinstance(declared, str) else _service_of(arn)
            rid = naming.stream_mapping_id(function, stream_type or "Stream", source_name(arn))
            props = {"FunctionName": target, "EventSourceArn": arn}
            if stream_type in _STREAM_ACTIONS:
                statements.append({"Effect": "Allow", "Action": list(_STREAM_ACTIONS[stream_type]), "Resource": [arn]})
        elif kind == "msk" and arn is not None:
            topic = spec.get("topic") if isinstance(spec, dict) else None
            rid = naming.msk_mapping_id(function, source_name(arn), str(topic or ""))
            props = {"FunctionName": target, "EventSourceArn": arn}
        elif kind == "kafka" and isinstance(spec, dict):
            rid = f"{naming.normalized(function)}EventSourceMappingKafka{naming.alphanumeric(str(spec.get('topic') or ''))}"
            props = {
                "FunctionName": target,
                "SelfManagedEventSource": {"Endpoints": {"KafkaBootstrapServers": spec.get("bootstrapServers")}},
            }
        elif kind in ("activemq", "rabbitmq") and arn is not None:
            label = "ActiveMQ" if kind == "activemq" else "RabbitMQ"
            queue = spec.get("queue") if isinstance(spec, dict) else None
            rid = f"{naming.normalized(function)}EventSourceMapping{label}{naming.alphanumeric(str(queue or ''))}"
            props = {"FunctionName": target, "EventSourceArn": arn}
        else:
            continue
        resource = Mapping({"Type": "AWS::Lambda::EventSourceMapping", "Properties": props})
        resource.line = where
        resources[rid] = resource
        kind = kind_of(event)
        if kind is not None:
            kinds[rid] = kind
    return resources, statements, kinds


def _service_of(arn: Any) -> str | None:
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":")
        return parts[2] if len(parts) > 2 else None
    if isinstance(arn, dict) and "Fn::GetAtt" in arn:
        return None  # the CloudFormation reader tells the kind from the referenced resource
    return None
