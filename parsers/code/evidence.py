"""What the code readers return, and the one table that turns an SDK's spelling of a service into boto3's.

Every reader (Python's `ast`, tree-sitter for JavaScript/TypeScript, Java, Go and C#) produces
`CodeEvidence`: where in the source an AWS SDK client, an HTTP call with a literal URL or an SDK client with an
explicit endpoint is. Readers never evaluate code: a URL is its literal parts, each interpolation written `{}`.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

MAX_TEXT = 120  # characters of source text kept per evidence: one report line, never a whole file
HOLE = "{}"  # what an interpolated or unresolved part of a URL is written as


@dataclass(frozen=True)
class CodeEvidence:
    """One call or import in a function's code that says what the function talks to.

    kind: "sdk" (an AWS SDK client), "http" (an HTTP client called with a literal URL or host) or "endpoint"
    (an SDK client built with an explicit endpoint URL).
    service: for "sdk"/"endpoint", the service id as boto3 spells it ("s3", "secretsmanager", "acm-pca",
    "rds-data"); "" when the code names the service by a value that is not a literal. For "http", "".
    url: for "http", the URL or host (literal parts, `{}` for each interpolation); for "endpoint", the endpoint
    URL; else "".
    file, line: where (1-based line; inline code is offset by its first line in the template).
    text: the source of the call or import on one line, at most 120 characters.
    """

    kind: str
    service: str
    url: str
    file: str
    line: int
    text: str


def one_line(text: str) -> str:
    """`text` with its whitespace runs collapsed to one space, cut to MAX_TEXT characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_TEXT else flat[: MAX_TEXT - 1] + "…"


def useful_url(url: str) -> bool:
    """Whether a URL or host is worth reporting: it has a literal start (a scheme or host), not only a hole or
    a path relative to a base URL set elsewhere."""
    return bool(url) and not url.startswith((HOLE, "/", "?", "#")) and url.strip() != ""


def format_holes(pattern: str) -> str | None:
    """`"https://{}.x/{name}".format(...)` (C# `string.Format("…{0}…")`) → `https://{}.x/{}`: the literal text of a
    format string."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        return None
    return "".join(literal + (HOLE if field is not None else "") for literal, field, _spec, _conv in parsed)


def percent_holes(pattern: str) -> str:
    """`"https://%s.x/%d" % (...)` (Go `fmt.Sprintf`, Java `String.format`) → `https://{}.x/{}`: the literal
    text of a printf-style pattern."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        if pattern[i + 1 : i + 2] == "%":
            out.append("%")
            i += 2
            continue
        i += 1
        if pattern[i : i + 1] == "(":
            close = pattern.find(")", i)
            i = close + 1 if close >= 0 else len(pattern)
        while i < len(pattern) and pattern[i] in "#0- +*.0123456789hlL":
            i += 1
        i += 1  # the conversion letter
        out.append(HOLE)
    return "".join(out)


# Where an SDK's name for a service, compacted (lower case, letters and digits only), differs from boto3's
# service id. JS v3 packages (@aws-sdk/client-cloudwatch-logs), Java/Go packages (cloudwatchlogs, sfn, rdsdata),
# SDK v2 class names (CloudWatchLogs, RDSDataService) and .NET client names (AmazonSimpleNotificationServiceClient)
# are compacted first; a name not here is its own boto3 id ("secretsmanager", "dynamodb", "apigateway").
# Sources: the service ids of botocore's data/<service>/<version>/service-2.json ("serviceId" and folder name),
# the package names of aws-sdk-js-v3/clients, aws-sdk-go-v2/service, aws-sdk-java-v2/services, aws-sdk-net.
_COMPACT_TO_BOTO3 = {
    "acmpca": "acm-pca",
    "applicationautoscaling": "application-autoscaling",
    "bedrockagent": "bedrock-agent",
    "bedrockagentruntime": "bedrock-agent-runtime",
    "bedrockruntime": "bedrock-runtime",
    "certificatemanager": "acm",
    "cloudwatchevents": "events",
    "cloudwatchlogs": "logs",
    "cognitoidentity": "cognito-identity",
    "cognitoidentityprovider": "cognito-idp",
    "cognitoidentityserviceprovider": "cognito-idp",
    "costexplorer": "ce",
    "databasemigrationservice": "dms",
    "dynamodbv2": "dynamodb",
    "elasticfilesystem": "efs",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticmapreduce": "emr",
    "elasticsearch": "es",
    "elasticsearchservice": "es",
    "eventbridge": "events",
    "identitymanagement": "iam",
    "identitymanagementservice": "iam",
    "iotdata": "iot-data",
    "iotdataplane": "iot-data",
    "keymanagementservice": "kms",
    "kinesisfirehose": "firehose",
    "lexruntime": "lex-runtime",
    "lexruntimev2": "lexv2-runtime",
    "rdsdata": "rds-data",
    "rdsdataservice": "rds-data",
    "redshiftdata": "redshift-data",
    "sagemakerruntime": "sagemaker-runtime",
    "securitytoken": "sts",
    "securitytokenservice": "sts",
    "sfn": "stepfunctions",
    "simpleemail": "ses",
    "simpleemailservice": "ses",
    "simpleemailservicev2": "sesv2",
    "simplenotificationservice": "sns",
    "simplesystemsmanagement": "ssm",
    "timestreamquery": "timestream-query",
    "timestreamwrite": "timestream-write",
}

_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def service_id(name: str) -> str:
    """boto3's id of the service an SDK names `name` (a package suffix, class or namespace name)."""
    compact = _NOT_ALNUM.sub("", name.lower())
    return _COMPACT_TO_BOTO3.get(compact, compact)


def js_v3_service(module: str) -> str | None:
    """The service of a JavaScript SDK v3 package (`@aws-sdk/client-sqs` → sqs, `@aws-sdk/lib-dynamodb` →
    dynamodb, `aws-sdk/clients/s3` of v2 → s3), None for any other module."""
    for prefix in ("@aws-sdk/client-", "aws-sdk/clients/"):
        if module.startswith(prefix):
            rest = module[len(prefix) :].split("/")[0]
            return service_id(rest) or None
    return {
        "@aws-sdk/lib-dynamodb": "dynamodb",
        "@aws-sdk/lib-storage": "s3",
        "@aws-sdk/s3-request-presigner": "s3",
    }.get(module)


# JavaScript SDK v2 members of `AWS` that are not service clients (`new AWS.Config()`, `new AWS.Endpoint(url)`).
_V2_NOT_SERVICES = frozenset(
    {"config", "endpoint", "httprequest", "httpresponse", "request", "response", "service", "metadataservice"}
    | {"sequentialexecutor", "paramvalidator", "eventlisteners", "signers", "token"}
)


def js_v2_service(member: str) -> str | None:
    """The service of a JavaScript SDK v2 client class (`AWS.S3`, `AWS.CloudWatchLogs`), None for the SDK's other
    classes (`AWS.Config`, `AWS.SharedIniFileCredentials`)."""
    if not member[:1].isupper() or member.endswith(("Credentials", "Chain")):
        return None
    if member.lower() in _V2_NOT_SERVICES:
        return None
    return service_id(member) or None
