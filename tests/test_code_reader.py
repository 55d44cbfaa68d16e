"""The code reader (issue 16 item 1): what parsers.code finds in a function's code, exactly, and its bounds.

Fixtures are small function folders under fixtures/code/; each test reads one from that folder (the working
directory), so evidence names files as the folder joined with the path below it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import FIXTURES
from vpcreach.parsers import code as code_reader
from vpcreach.parsers.code import CodeEvidence, read_inline, read_tree

CODE = FIXTURES / "code"


@pytest.fixture(autouse=True)
def in_code_fixtures(monkeypatch):
    monkeypatch.chdir(CODE)


def found(path: str, runtime: str | None = None) -> tuple[list[tuple[str, str, str, str, int]], list[str]]:
    evidence, notes = read_tree(path, ".", runtime)
    return [(e.kind, e.service, e.url, e.file, e.line) for e in evidence], notes


def test_python_boto3_clients_and_http_calls():
    assert found("python_boto3_requests") == (
        [
            ("sdk", "s3", "", "python_boto3_requests/app.py", 12),
            ("sdk", "dynamodb", "", "python_boto3_requests/app.py", 13),
            ("endpoint", "kms", "http://localhost:4566", "python_boto3_requests/app.py", 15),
            ("sdk", "secretsmanager", "", "python_boto3_requests/app.py", 19),
            ("http", "", "https://hooks.example.com/notify", "python_boto3_requests/app.py", 20),
            ("http", "", "https://{}.execute-api.{}.amazonaws.com/test", "python_boto3_requests/app.py", 23),
            ("http", "", "https://checkip.amazonaws.com", "python_boto3_requests/app.py", 24),
            ("http", "", "api.github.com", "python_boto3_requests/app.py", 25),
            ("sdk", "sqs", "", "python_boto3_requests/lib/queue.py", 4),
        ],
        [],
    )


def test_evidence_text_is_the_call_on_one_line():
    evidence, _ = read_tree("python_boto3_requests/app.py", ".")
    assert [e.text for e in evidence][:4] == [
        'boto3.client("s3")',
        'boto3.resource("dynamodb")',
        'boto3.client("kms", endpoint_url="http://localhost:4566")',
        'session.client(service_name="secretsmanager")',
    ]


def test_node_sdk_v3_imports_clients_and_fetch():
    assert found("node_v3_fetch") == (
        [
            ("sdk", "sqs", "", "node_v3_fetch/index.mjs", 3),
            ("sdk", "secretsmanager", "", "node_v3_fetch/index.mjs", 4),
            ("sdk", "sqs", "", "node_v3_fetch/index.mjs", 7),
            (
                "endpoint",
                "secretsmanager",
                "https://secretsmanager.eu-west-1.amazonaws.com",
                "node_v3_fetch/index.mjs",
                8,
            ),
            ("http", "", "https://api.example.com/v1/orders", "node_v3_fetch/index.mjs", 11),
        ],
        [],
    )
    evidence, _ = read_tree("node_v3_fetch", ".")
    assert evidence[0].text == 'import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";'


def test_node_sdk_v2_clients_and_axios():
    assert found("node_v2_axios") == (
        [
            ("sdk", "s3", "", "node_v2_axios/index.js", 6),
            ("sdk", "dynamodb", "", "node_v2_axios/index.js", 7),
            ("sdk", "acm-pca", "", "node_v2_axios/index.js", 8),
            ("http", "", "https://api.stripe.com/v1/charges", "node_v2_axios/index.js", 12),
            ("http", "", "https://{}.myshopify.com/admin", "node_v2_axios/index.js", 13),
        ],
        [],
    )


def test_typescript_type_only_import_and_test_file_are_no_evidence():
    assert found("typescript_v3") == (
        [
            ("sdk", "rds-data", "", "typescript_v3/src/handler.ts", 4),
            ("sdk", "rds-data", "", "typescript_v3/src/handler.ts", 7),
            ("http", "", "example.org", "typescript_v3/src/handler.ts", 11),
        ],
        [],
    )


def test_near_miss_client_only_in_test_code():
    assert found("near_miss_test_only") == ([], [])


def test_private_host_is_still_evidence():
    assert found("private_host") == (
        [
            ("http", "", "http://10.0.1.25:8080/health", "private_host/app.py", 9),
            ("http", "", "internal.corp.example", "private_host/notify.js", 3),
        ],
        [],
    )


def test_runtime_chooses_the_language_read():
    assert found("private_host", "python3.12")[0] == [
        ("http", "", "http://10.0.1.25:8080/health", "private_host/app.py", 9)
    ]
    assert found("private_host", "nodejs20.x")[0] == [
        ("http", "", "internal.corp.example", "private_host/notify.js", 3)
    ]
    assert found("private_host", "java21") == ([], [])
    assert found("private_host", "ruby3.3") == ([], [])


def test_near_miss_vendored_dependencies_are_skipped():
    assert (CODE / "near_miss_vendored" / "node_modules" / "@aws-sdk" / "client-s3" / "dist" / "index.js").is_file()
    assert found("near_miss_vendored") == ([], [])


def test_file_over_the_size_bound_is_noted_not_read():
    assert os.path.getsize(CODE / "oversize" / "big.py") > code_reader.MAX_FILE_BYTES
    assert found("oversize") == (
        [("sdk", "events", "", "oversize/small.py", 5)],
        ["oversize/big.py: larger than 512 KiB; not read"],
    )


def test_a_single_file_is_read_even_when_named_like_a_test():
    assert found("near_miss_test_only/conftest.py") == ([("sdk", "sqs", "", "near_miss_test_only/conftest.py", 3)], [])


def test_java_sdk_v2_and_v1_clients_and_http():
    handler = "java_sdk/src/main/java/example/Handler.java"
    # The wildcard sqs import is no evidence by itself; SqsClient.create() is. The test folder is skipped.
    assert found("java_sdk") == (
        [
            ("sdk", "dynamodb", "", handler, 6),
            ("sdk", "s3", "", handler, 10),
            ("endpoint", "s3", "http://localhost:4566", handler, 15),
            ("sdk", "sqs", "", handler, 16),
            ("sdk", "dynamodb", "", handler, 19),
            ("http", "", "https://api.example.com/v1/items", handler, 20),
        ],
        [],
    )


def test_go_sdk_v2_clients_and_net_http():
    assert found("go_sdk", "provided.al2023") == (
        [
            ("sdk", "s3", "", "go_sdk/main.go", 13),
            ("sdk", "secretsmanager", "", "go_sdk/main.go", 14),
            ("sdk", "s3", "", "go_sdk/main.go", 21),
            ("endpoint", "secretsmanager", "http://localhost:4566", "go_sdk/main.go", 22),
            ("http", "", "https://api.example.com/health", "go_sdk/main.go", 24),
            ("http", "", "https://{}.example.org/hook", "go_sdk/main.go", 25),
        ],
        [],
    )


def test_dotnet_sdk_clients_and_http_client():
    function = "dotnet_sdk/src/Function/Function.cs"
    # A relative URL (GetStringAsync("relative/path")) and the Function.Tests project are no evidence.
    assert found("dotnet_sdk", "dotnet8") == (
        [
            ("sdk", "s3", "", function, 10),
            ("endpoint", "sqs", "http://localhost:4566", function, 11),
            ("sdk", "secretsmanager", "", function, 12),
            ("http", "", "https://b.example.com", function, 13),
            ("http", "", "https://api.example.com/v1/items", function, 17),
            ("http", "", "https://{}.example.org/hook", function, 18),
        ],
        [],
    )
    evidence, _ = read_tree("dotnet_sdk", ".")
    assert evidence[2].text == "AmazonSecretsManagerClient secrets = new()"


def test_service_names_are_boto3_ids():
    from vpcreach.parsers.code.evidence import js_v2_service, js_v3_service, service_id

    assert [
        js_v3_service(m)
        for m in ("@aws-sdk/client-secrets-manager", "@aws-sdk/client-cloudwatch-logs", "@aws-sdk/client-sfn")
    ] == ["secretsmanager", "logs", "stepfunctions"]
    assert [js_v3_service(m) for m in ("@aws-sdk/client-acm-pca", "@aws-sdk/lib-dynamodb", "aws-sdk/clients/sqs")] == [
        "acm-pca",
        "dynamodb",
        "sqs",
    ]
    assert js_v3_service("@aws-sdk/credential-providers") is None
    assert [js_v2_service(c) for c in ("RDSDataService", "EventBridge", "Config", "EnvironmentCredentials")] == [
        "rds-data",
        "events",
        None,
        None,
    ]
    # Java/Go packages and .NET client names.
    assert [service_id(n) for n in ("rdsdata", "cloudwatchlogs", "SimpleNotificationService", "DynamoDBv2")] == [
        "rds-data",
        "logs",
        "sns",
        "dynamodb",
    ]


def test_packages_pip_installed_beside_the_handler_are_skipped():
    assert found("python_pip_target") == ([("sdk", "sqs", "", "python_pip_target/handler.py", 6)], [])


# --- inline code -------------------------------------------------------------------------------------------
PY_INLINE = """import boto3, urllib.request
def handler(event, context):
    boto3.client('ssm')
    urllib.request.urlopen(urllib.request.Request('https://example.com/hook'))
"""
JS_INLINE = """const { S3Client } = require('@aws-sdk/client-s3');
exports.handler = async () => fetch(`https://${process.env.HOST}/x`);
"""


def inline(code: str, runtime: str | None) -> list[tuple[str, str, str, str, int]]:
    return [(e.kind, e.service, e.url, e.file, e.line) for e in read_inline(code, runtime, "template.yaml", 40)]


def test_inline_code_lines_are_offset_by_first_line():
    python = [
        ("sdk", "ssm", "", "template.yaml", 42),
        ("http", "", "https://example.com/hook", "template.yaml", 43),
    ]
    node = [
        ("sdk", "s3", "", "template.yaml", 40),
        ("http", "", "https://{}/x", "template.yaml", 41),
    ]
    assert inline(PY_INLINE, "python3.12") == python
    assert inline(JS_INLINE, "nodejs20.x") == node
    # No runtime: the language is told from the content.
    assert inline(PY_INLINE, None) == python
    assert inline(JS_INLINE, None) == node
    # The wrong runtime or another language: nothing, never an error.
    assert inline(JS_INLINE, "python3.12") == []
    assert inline(PY_INLINE, "ruby3.3") == []
    assert inline(PY_INLINE, "java21") == []


def test_inline_text_is_at_most_120_characters():
    code = "import boto3\nboto3.client('s3', region_name='" + "x" * 300 + "')\n"
    (evidence,) = read_inline(code, "python3.12", "t.yaml", 1)
    assert len(evidence.text) == 120
    assert evidence.text.startswith("boto3.client('s3', region_name='xxx")


# --- what counts as a literal ------------------------------------------------------------------------------
def test_python_names_resolve_only_when_assigned_once():
    code = """import requests, boto3
URL = "https://a.example.com"
def f(x):
    other = "https://b.example.com"
    other = x
    requests.get(other)
    requests.get(URL + "/p")
    requests.get("/relative")
    requests.get(x)
    requests.get("https://{}.example.com/{name}".format(x, name=x))
    boto3.client(x)
"""
    assert inline(code, "python3.12") == [
        ("http", "", "https://a.example.com/p", "template.yaml", 46),
        ("http", "", "https://{}.example.com/{}", "template.yaml", 49),
        # A client whose service is not a literal is still a client: service "".
        ("sdk", "", "", "template.yaml", 50),
    ]


def test_js_names_resolve_only_when_declared_once_and_never_assigned():
    code = """const axios = require('axios');
let url = 'https://a.example.com';
url = process.env.URL;
const fixed = 'https://b.example.com';
function f() { const fixed = 'https://c.example.com'; return axios.get(fixed); }
axios.get(url);
axios.get(fixed);
axios.create({ baseURL: 'https://api.example.com' });
new AWS.S3();
"""
    assert inline(code, "nodejs20.x") == [
        ("http", "", "https://c.example.com", "template.yaml", 44),
        ("http", "", "https://b.example.com", "template.yaml", 46),
        ("http", "", "https://api.example.com", "template.yaml", 47),
    ]


def test_js_sdk_commands_and_config_are_not_clients():
    code = """import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import AWS from 'aws-sdk';
new PutObjectCommand({});
new AWS.Config({});
new AWS.SharedIniFileCredentials();
new AWS.CognitoIdentityServiceProvider();
"""
    assert inline(code, "nodejs20.x") == [
        ("sdk", "s3", "", "template.yaml", 40),
        ("sdk", "cognito-idp", "", "template.yaml", 45),
    ]


def test_python_async_and_other_http_clients():
    code = """import aioboto3, aiohttp, httpx
from requests import get
async def f(host):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"https://{host}/a") as r:
            pass
    async with httpx.AsyncClient(base_url="https://b.example.com") as client:
        await client.get("/relative")
    httpx.Client().post("https://c.example.com")
    get("https://d.example.com")
    async with aioboto3.Session().resource("dynamodb") as ddb:
        pass
"""
    assert inline(code, "python3.12") == [
        ("http", "", "https://{}/a", "template.yaml", 44),
        ("http", "", "https://b.example.com", "template.yaml", 46),
        ("http", "", "https://c.example.com", "template.yaml", 48),
        ("http", "", "https://d.example.com", "template.yaml", 49),
        ("sdk", "dynamodb", "", "template.yaml", 50),
    ]


def test_js_other_http_clients_and_dynamic_imports():
    code = """import got from 'got';
import fetch from 'node-fetch';
const https = require('https');
const { S3Client } = await import('@aws-sdk/client-s3');
got.post('https://a.example.com');
fetch('https://b.example.com');
https.get('https://c.example.com/x', (res) => res.resume());
globalThis.fetch(new URL('https://d.example.com'));
"""
    assert inline(code, "nodejs20.x") == [
        ("sdk", "s3", "", "template.yaml", 43),
        ("http", "", "https://a.example.com", "template.yaml", 44),
        ("http", "", "https://b.example.com", "template.yaml", 45),
        ("http", "", "https://c.example.com/x", "template.yaml", 46),
        ("http", "", "https://d.example.com", "template.yaml", 47),
    ]


def test_custom_resource_replies_are_calls_to_s3():
    # cfn-response sends its reply to the ResponseURL, an S3 presigned URL: a function in a VPC needs S3.
    python = """import cfnresponse
from crhelper import CfnResource
helper = CfnResource()
def handler(event, context):
    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})
"""
    node = """var response = require('cfn-response');
exports.handler = function(event, context) { response.send(event, context, response.SUCCESS, {}); };
"""
    assert inline(python, "python3.12") == [
        ("sdk", "s3", "", "template.yaml", 42),
        ("sdk", "s3", "", "template.yaml", 44),
    ]
    assert inline(node, "nodejs20.x") == [("sdk", "s3", "", "template.yaml", 41)]


# --- confinement -------------------------------------------------------------------------------------------
def test_outside_the_root_is_refused(tmp_path):
    (tmp_path / "app.py").write_text("import boto3\nboto3.client('s3')\n")
    evidence, notes = read_tree(str(tmp_path / "app.py"), "python_boto3_requests")
    assert evidence == []
    assert notes == ["…/app.py is outside the scan root; not read"]


def test_symlink_out_of_the_root_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("import boto3\nboto3.client('s3')\n")
    root = tmp_path / "root"
    (root / "fn").mkdir(parents=True)
    (root / "fn" / "link.py").symlink_to(outside / "secret.py")
    (root / "fn" / "linkdir").symlink_to(outside)
    (root / "fn" / "loop").symlink_to(root / "fn")
    (root / "fn" / "ok.py").write_text("import boto3\nboto3.client('sqs')\n")
    evidence, notes = read_tree(str(root / "fn"), str(root))
    assert [(e.service, os.path.basename(e.file)) for e in evidence] == [("sqs", "ok.py")]
    assert notes == [
        "fn/link.py is outside the scan root; not read",
        "fn/linkdir is outside the scan root; not read",
    ]


def test_system_files_are_refused():
    evidence, notes = read_tree("/proc/self", "/")
    assert evidence == []
    assert notes == ["proc/self is a system file, not part of the scanned code; not read"]


def test_a_file_reached_twice_through_symlinks_is_read_once(tmp_path):
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "app.py").write_text("import boto3\nboto3.client('sqs')\n")
    (tmp_path / "fn" / "same.py").symlink_to(tmp_path / "fn" / "app.py")
    evidence, notes = read_tree(str(tmp_path / "fn"), str(tmp_path))
    assert [(e.service, os.path.basename(e.file)) for e in evidence] == [("sqs", "app.py")]
    assert notes == []


def test_a_missing_grammar_is_a_note(monkeypatch):
    from vpcreach.parsers.code import grammars

    def clear() -> None:
        for cached in (grammars.language, grammars.parser, grammars.query):
            cached.cache_clear()

    monkeypatch.setitem(grammars._GRAMMARS, "javascript", ("tree_sitter_not_installed", "language"))
    clear()
    try:
        result = read_tree("node_v2_axios", ".")
    finally:
        monkeypatch.undo()
        clear()
    assert result == ([], ["node_v2_axios/index.js: not read: tree_sitter_not_installed is not installed"])


# --- bounds ------------------------------------------------------------------------------------------------
def test_file_count_bound(monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_FILES", 1)
    assert found("python_boto3_requests") == (
        [
            ("sdk", "s3", "", "python_boto3_requests/app.py", 12),
            ("sdk", "dynamodb", "", "python_boto3_requests/app.py", 13),
            ("endpoint", "kms", "http://localhost:4566", "python_boto3_requests/app.py", 15),
            ("sdk", "secretsmanager", "", "python_boto3_requests/app.py", 19),
            ("http", "", "https://hooks.example.com/notify", "python_boto3_requests/app.py", 20),
            ("http", "", "https://{}.execute-api.{}.amazonaws.com/test", "python_boto3_requests/app.py", 23),
            ("http", "", "https://checkip.amazonaws.com", "python_boto3_requests/app.py", 24),
            ("http", "", "api.github.com", "python_boto3_requests/app.py", 25),
        ],
        ["python_boto3_requests/lib/queue.py: more than 1 source files; the rest not read"],
    )


def test_total_bytes_bound(monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_TOTAL_BYTES", 1200)
    evidence, notes = read_tree("python_boto3_requests", ".")
    assert {e.file for e in evidence} == {"python_boto3_requests/app.py"}
    assert notes == ["python_boto3_requests/lib/queue.py: over 0 MiB of source read; the rest not read"]


def test_time_budget(monkeypatch):
    monkeypatch.setattr(code_reader, "TIME_BUDGET", -1.0)
    assert found("python_boto3_requests") == (
        [],
        ["python_boto3_requests: code reading stopped after -1 s; the rest not read"],
    )


def test_directory_depth_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_DIR_DEPTH", 2)
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.py").write_text("import boto3\nboto3.client('sqs')\n")
    (deep / "y.py").write_text("import boto3\nboto3.client('sns')\n")
    evidence, notes = read_tree(str(tmp_path), str(tmp_path))
    assert [e.service for e in evidence] == ["sqs"]
    assert notes == [f"{tmp_path}/a/b/c: deeper than 2 folders; not read"]


def test_entry_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(code_reader, "MAX_ENTRIES", 3)
    for i in range(5):
        (tmp_path / f"m{i}.py").write_text("import boto3\nboto3.client('sqs')\n")
    evidence, notes = read_tree(str(tmp_path), str(tmp_path))
    assert evidence == []
    assert notes == [f"{tmp_path}: more than 3 directory entries; the rest not read"]


def test_deep_nesting_is_a_note_not_a_crash():
    chain = " + ".join(['"a"'] * 100_000)
    assert read_inline(f"x = {chain}\n", "python3.12", "t.yaml", 1) == []
    from vpcreach.parsers.code.python import read_python

    assert read_python(f"x = {chain}\n", "deep.py") == ([], ["deep.py: nested too deeply to parse; not read"])
    # tree-sitter does not recurse; resolving a value stops at MAX_RESOLVE_DEPTH.
    js = "const axios = require('axios');\naxios.get(" + " + ".join(["'https://x'"] * 20_000) + ");\n"
    # The operands past it are holes, so the URL has no literal start and is no evidence.
    assert read_inline(js, "nodejs20.x", "t.yaml", 1) == []


def test_source_mostly_syntax_errors_is_a_note(tmp_path):
    # A query over a large error region takes time growing with its square (a 64 KiB run of `[`: 1.7 s), so
    # past MAX_ERROR_NODES the file is not read; a prefix shows it before the whole file is parsed.
    (tmp_path / "broken.js").write_bytes(b"[" * 200_000)
    (tmp_path / "ok.js").write_bytes(b"fetch('https://a.example.com'); [[[\n")
    evidence, notes = read_tree(str(tmp_path), str(tmp_path))
    assert [(e.url, os.path.basename(e.file)) for e in evidence] == [("https://a.example.com", "ok.js")]
    assert notes == [
        f"{tmp_path}/broken.js: too many syntax errors to read (65537 nodes in syntax errors); not read",
        f"{tmp_path}/ok.js: has syntax errors; read around them",
    ]


def test_a_parse_past_the_deadline_is_given_up():
    from vpcreach.parsers.code.grammars import Timeout
    from vpcreach.parsers.code.javascript import read_javascript

    source = b"fetch('https://a.example.com');\n" * 4000  # over the first probe (64 KiB)
    assert len(read_javascript(source, "big.js")[0]) == 4000
    with pytest.raises(Timeout):
        read_javascript(source, "big.js", deadline=0.0)


def test_invalid_python_is_a_note():
    from vpcreach.parsers.code.python import read_python

    assert read_python("def f(:\n", "bad.py", 10) == ([], ["bad.py:10: not valid Python (invalid syntax); not read"])


def test_tree_sitter_is_imported_only_for_javascript():
    script = (
        "import sys\n"
        "from vpcreach.parsers.code import read_inline\n"
        "assert read_inline('import boto3\\nboto3.client(\"s3\")', 'python3.12', 't', 1)\n"
        "assert 'tree_sitter' not in sys.modules\n"
        "import vpcreach.cli\n"
        "assert 'tree_sitter' not in sys.modules\n"
        "assert read_inline('fetch(\"https://x.example\")', 'nodejs20.x', 't', 1)\n"
        "assert 'tree_sitter' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_evidence_is_a_frozen_value():
    evidence = CodeEvidence("sdk", "s3", "", "a.py", 1, "boto3.client('s3')")
    with pytest.raises(AttributeError):
        evidence.kind = "http"  # type: ignore[misc]
