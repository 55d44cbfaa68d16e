"""Serverless Framework services (issue 17): what the framework deploys, its variables, discovery and notes.

Each behaviour is the framework's own, cited in parsers/serverless/*.py from its source
(github.com/serverless/serverless, packages/serverless/lib/plugins/aws and packages/sf-core/src/lib/resolvers).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES, findings_of, run_cli, scan_json
from vpcreach.graph import model as m
from vpcreach.graph.aws import VPC_ACCESS_POLICY_ARN
from vpcreach.parsers.errors import InputError
from vpcreach.parsers.serverless import naming, parse_service
from vpcreach.parsers.yaml_loader import load_document

SLS = FIXTURES / "serverless"

NETWORK = """
resources:
  Resources:
    Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
    SubnetA: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: eu-west-1a}}
    SubnetB: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, AvailabilityZone: eu-west-1b}}
    Sg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: x, VpcId: !Ref Vpc}}
    OtherSg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: y, VpcId: !Ref Vpc}}
"""


def service(
    body: str,
    tmp_path: Path | None = None,
    params: dict | None = None,
    environ: dict | None = None,
    network: bool = True,
) -> m.Network:
    text = textwrap.dedent(body) + (NETWORK if network else "")
    path = str(tmp_path / "serverless.yml") if tmp_path else "serverless.yml"
    if tmp_path:
        Path(path).write_text(text)
    doc = load_document(text, path)
    return parse_service(doc, path, params, str(tmp_path) if tmp_path else None, environ or {})


def fn(net: m.Network, name: str) -> m.Function:
    obj = net.objects[naming.function_id(name)]
    assert isinstance(obj, m.Function)
    return obj


def role(net: m.Network, rid: str = "IamRoleLambdaExecution") -> m.Role:
    obj = net.objects[rid]
    assert isinstance(obj, m.Role)
    return obj


HEAD = """
service: svc
provider:
  name: aws
  region: eu-west-1
"""


# --- logical ids ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "logical_id"),
    [
        ("api", "ApiLambdaFunction"),
        ("my-func", "MyDashfuncLambdaFunction"),
        ("get_user", "GetUnderscoreuserLambdaFunction"),
        ("ApiFunction", "ApiFunctionLambdaFunction"),
    ],
)
def test_function_logical_ids_are_the_frameworks(name: str, logical_id: str) -> None:
    assert naming.function_id(name) == logical_id


# --- provider.vpc and function vpc ---------------------------------------------------------------------------
VPC = (
    HEAD
    + """
  vpc:
    securityGroupIds: [!Ref Sg]
    subnetIds: [!Ref SubnetA, !Ref SubnetB]
functions:
  shared: {handler: h.h}
  own-subnets: {handler: h.h, vpc: {subnetIds: [!Ref SubnetA]}}
  own-groups: {handler: h.h, vpc: {securityGroupIds: [!Ref OtherSg]}}
  detached: {handler: h.h, vpc: false}
  dual: {handler: h.h, vpc: {ipv6AllowedForDualStack: true}}
"""
)


def test_function_vpc_falls_back_to_provider_vpc_key_by_key() -> None:
    net = service(VPC)
    assert (fn(net, "shared").subnets, fn(net, "shared").security_groups) == (["SubnetA", "SubnetB"], ["Sg"])
    assert (fn(net, "own-subnets").subnets, fn(net, "own-subnets").security_groups) == (["SubnetA"], ["Sg"])
    assert (fn(net, "own-groups").subnets, fn(net, "own-groups").security_groups) == (
        ["SubnetA", "SubnetB"],
        ["OtherSg"],
    )
    assert fn(net, "dual").ipv6_dual_stack is True and fn(net, "shared").ipv6_dual_stack is False


def test_vpc_false_detaches_a_function_from_provider_vpc() -> None:
    net = service(VPC)
    assert fn(net, "detached").has_vpc_config is False
    assert all(fn(net, n).has_vpc_config for n in ("shared", "own-subnets", "own-groups", "dual"))


def test_no_vpc_config_without_both_subnets_and_security_groups() -> None:
    net = service(HEAD + "functions:\n  half: {handler: h.h, vpc: {subnetIds: [!Ref SubnetA]}}\n")
    assert fn(net, "half").has_vpc_config is False


# --- the generated role -----------------------------------------------------------------------------------
def test_shared_role_gets_the_vpc_policy_when_any_function_has_vpc() -> None:
    net = service(
        HEAD
        + "functions:\n  a: {handler: h.h}\n  b: {handler: h.h, vpc: {subnetIds: [!Ref SubnetA], securityGroupIds: [!Ref Sg]}}\n"
    )
    assert fn(net, "a").role == fn(net, "b").role == "IamRoleLambdaExecution"
    assert VPC_ACCESS_POLICY_ARN in role(net).managed_policy_arns


def test_shared_role_gets_the_vpc_policy_even_for_vpc_false() -> None:
    """merge-iam-templates.js tests `'vpc' in functionObject`: a `vpc: false` key counts."""
    net = service(HEAD + "functions:\n  a: {handler: h.h, vpc: false}\n")
    assert VPC_ACCESS_POLICY_ARN in role(net).managed_policy_arns


def test_shared_role_has_no_vpc_policy_without_vpc() -> None:
    net = service(HEAD + "functions:\n  a: {handler: h.h}\n")
    assert role(net).managed_policy_arns == []


def test_iam_role_statements_win_over_the_older_iam_role_statements_key() -> None:
    body = (
        HEAD
        + """
  iam:
    role:
      statements: [{Effect: Allow, Action: [s3:GetObject], Resource: "*"}]
      managedPolicies: [arn:aws:iam::aws:policy/AmazonSQSFullAccess]
  iamRoleStatements: [{Effect: Allow, Action: [dynamodb:GetItem], Resource: "*"}]
functions:
  a: {handler: h.h}
"""
    )
    r = role(service(body))
    actions = [a for st in r.statements for a in st.actions]
    assert "s3:GetObject" in actions and "dynamodb:GetItem" not in actions
    assert r.managed_policy_arns == ["arn:aws:iam::aws:policy/AmazonSQSFullAccess"]


def test_older_iam_role_statements_and_managed_policies() -> None:
    body = (
        HEAD
        + """
  iamRoleStatements: [{Effect: Allow, Action: [dynamodb:GetItem], Resource: "*"}]
  iamManagedPolicies: [arn:aws:iam::aws:policy/AmazonSQSFullAccess]
functions:
  a: {handler: h.h}
"""
    )
    r = role(service(body))
    assert "dynamodb:GetItem" in [a for st in r.statements for a in st.actions]
    assert r.managed_policy_arns == ["arn:aws:iam::aws:policy/AmazonSQSFullAccess"]


def test_function_role_by_logical_id_arn_and_provider_role() -> None:
    body = (
        HEAD
        + """
functions:
  by-id: {handler: h.h, role: MyRole}
  by-arn: {handler: h.h, role: "arn:aws:iam::123456789012:role/r"}
  default: {handler: h.h}
resources:
  Resources:
    MyRole: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
"""
    )
    net = service(body, network=False)
    assert fn(net, "by-id").role == "MyRole" and "MyRole" in fn(net, "by-id").depends_on  # compileRole's DependsOn
    assert isinstance(fn(net, "by-arn").role, m.External)
    assert fn(net, "default").role == "IamRoleLambdaExecution"


def test_no_generated_role_when_the_provider_names_one() -> None:
    net = service(
        HEAD + '  iam:\n    role: "arn:aws:iam::123456789012:role/shared"\nfunctions:\n  a: {handler: h.h}\n',
        network=False,
    )
    assert "IamRoleLambdaExecution" not in net.objects
    assert isinstance(fn(net, "a").role, m.External)


def _actions(r: m.Role) -> set[str]:
    return {a for st in r.statements if isinstance(st.actions, list) for a in st.actions}


PER_FUNCTION = (
    HEAD
    + """
  vpc: {securityGroupIds: [!Ref Sg], subnetIds: [!Ref SubnetA]}
  iam:
    role:
      mode: perFunction
      statements: [{Effect: Allow, Action: [s3:GetObject], Resource: "*"}]
      managedPolicies: [arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess]
functions:
  reader: {handler: h.h}
  writer:
    handler: h.h
    iam:
      inheritStatements: false
      role:
        statements: [{Effect: Allow, Action: [dynamodb:PutItem], Resource: "*"}]
"""
)


def test_per_function_mode_gives_each_function_its_own_role() -> None:
    net = service(PER_FUNCTION)
    assert "IamRoleLambdaExecution" not in net.objects
    assert fn(net, "reader").role == "ReaderIamRoleLambdaExecution"
    assert fn(net, "writer").role == "WriterIamRoleLambdaExecution"
    reader, writer = role(net, "ReaderIamRoleLambdaExecution"), role(net, "WriterIamRoleLambdaExecution")
    assert "s3:GetObject" in _actions(reader) and "s3:GetObject" not in _actions(writer)
    assert "dynamodb:PutItem" in _actions(writer)
    for r in (reader, writer):
        assert r.managed_policy_arns == ["arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess", VPC_ACCESS_POLICY_ARN]


FUNCTION_STATEMENTS = """
service: svc
frameworkVersion: "VERSION"
PLUGINS
provider:
  name: aws
  iam:
    role:
      statements: [{Effect: Allow, Action: [s3:GetObject], Resource: "*"}]
functions:
  plain: {handler: h.h}
  own:
    handler: h.h
    vpc: {securityGroupIds: [!Ref Sg], subnetIds: [!Ref SubnetA]}
    iamRoleStatements: [{Effect: Allow, Action: [sqs:SendMessage], Resource: "*"}]
"""


def test_function_statements_give_a_dedicated_role_in_framework_v4() -> None:
    net = service(FUNCTION_STATEMENTS.replace("VERSION", "4").replace("PLUGINS", ""))
    assert fn(net, "plain").role == "IamRoleLambdaExecution"
    assert fn(net, "own").role == "OwnIamRoleLambdaExecution"
    own = role(net, "OwnIamRoleLambdaExecution")
    assert "sqs:SendMessage" in _actions(own) and "s3:GetObject" not in _actions(own)  # not inherited by default
    assert own.managed_policy_arns == [VPC_ACCESS_POLICY_ARN]
    assert "sqs:SendMessage" not in _actions(role(net))


def test_function_statements_are_ignored_by_framework_v3_without_the_plugin() -> None:
    net = service(FUNCTION_STATEMENTS.replace("VERSION", "3").replace("PLUGINS", ""))
    assert fn(net, "own").role == "IamRoleLambdaExecution"
    with_plugin = FUNCTION_STATEMENTS.replace("VERSION", "3").replace(
        "PLUGINS", "plugins: [serverless-iam-roles-per-function]"
    )
    assert fn(service(with_plugin), "own").role == "OwnIamRoleLambdaExecution"


# --- environment, events ------------------------------------------------------------------------------------
def test_environment_is_provider_then_function() -> None:
    body = HEAD + "  environment: {A: one, B: two}\nfunctions:\n  f: {handler: h.h, environment: {B: own, C: three}}\n"
    assert fn(service(body, network=False), "f").environment == {"A": "one", "B": "own", "C": "three"}


def test_poller_events_become_event_source_mappings() -> None:
    body = (
        HEAD
        + """
functions:
  my-func:
    handler: h.h
    events:
      - sqs: arn:aws:sqs:eu-west-1:123456789012:orders
      - stream: {type: dynamodb, arn: !GetAtt Table.StreamArn}
      - http: {path: /, method: get}
resources:
  Resources:
    Table: {Type: AWS::DynamoDB::Table}
"""
    )
    net = service(body, network=False)
    got = {o.id: (o.function, o.source_service) for o in net.of(m.EventSourceMapping)}
    assert got == {
        "MyDashfuncEventSourceMappingSQSOrders": ("MyDashfuncLambdaFunction", "sqs"),
        "MyDashfuncEventSourceMappingDynamodbTable": ("MyDashfuncLambdaFunction", "dynamodb"),
    }
    actions = {a for st in role(net).statements for a in st.actions}
    assert {"sqs:ReceiveMessage", "dynamodb:GetRecords"} <= actions


# --- resources ------------------------------------------------------------------------------------------------
def test_resources_merge_into_generated_resources_and_extensions_patch_them() -> None:
    body = (
        HEAD
        + """
functions:
  a: {handler: h.h, vpc: {subnetIds: [!Ref SubnetA], securityGroupIds: [!Ref Sg]}}
resources:
  - Resources:
      IamRoleLambdaExecution:
        Properties:
          ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
  - extensions:
      ALambdaFunction:
        Properties:
          VpcConfig: {SubnetIds: [!Ref SubnetB], SecurityGroupIds: [!Ref Sg]}
"""
        + NETWORK.replace("resources:\n  Resources:", "  - Resources:").replace("\n    ", "\n        ")
    )
    net = service(body, network=False)
    # lodash merge: lists index by index, so the user's first managed policy replaces the VPC policy
    assert role(net).managed_policy_arns == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    assert fn(net, "a").subnets == ["SubnetB"]


def test_findings_point_at_the_function_in_serverless_yml() -> None:
    report = scan_json(SLS / "vr302_serverless_provider_vpc_fallback")
    assert findings_of(report, "VR302") == [("VR302", "OneDashsubnetLambdaFunction", 23)]
    assert report["findings"][0]["file"].endswith("vr302_serverless_provider_vpc_fallback/serverless.yml")


# --- variables ------------------------------------------------------------------------------------------------
STAGED = """
service: svc
provider:
  name: aws
  stage: ${opt:stage, 'dev'}
  region: ${opt:region, 'eu-west-1'}
custom:
  subnets:
    dev: [!Ref SubnetA, !Ref SubnetB]
    prod: [!Ref SubnetA]
functions:
  f:
    handler: h.h
    vpc:
      securityGroupIds: [!Ref Sg]
      subnetIds: ${self:custom.subnets.${sls:stage}}
    environment:
      STAGE: ${sls:stage}
      REGION: ${aws:region}
      TOKEN: ${env:TOKEN, 'none'}
      NAME: svc-${self:provider.stage}
"""


def test_variables_take_their_defaults() -> None:
    f = fn(service(STAGED), "f")
    assert f.subnets == ["SubnetA", "SubnetB"]
    assert f.environment == {"STAGE": "dev", "REGION": "eu-west-1", "TOKEN": "none", "NAME": "svc-dev"}


def test_variables_from_param_options_and_the_environment() -> None:
    f = fn(service(STAGED, params={"opt:stage": "prod", "opt:region": "us-east-2", "env:TOKEN": "t"}), "f")
    assert f.subnets == ["SubnetA"]
    assert f.environment == {"STAGE": "prod", "REGION": "us-east-2", "TOKEN": "t", "NAME": "svc-prod"}


def test_env_variables_are_not_read_from_the_scanning_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pull request must not get the CI job's secrets printed: ${env:X} comes from --param env:X only."""
    monkeypatch.setenv("VPCREACH_TEST_SECRET", "subnet-0secret")
    body = (
        HEAD
        + "functions:\n  f: {handler: h.h, vpc: {securityGroupIds: [sg-0a], subnetIds: ['${env:VPCREACH_TEST_SECRET}']}}\n"
    )
    (tmp_path / "serverless.yml").write_text(textwrap.dedent(body))
    code, out, err = run_cli("scan", "--format", "json", str(tmp_path))
    assert code in (0, 1) and "0secret" not in out + err
    assert (
        "${env:VPCREACH_TEST_SECRET} has no value and no default (pass --param env:VPCREACH_TEST_SECRET=VALUE)" in out
    )


def test_param_option_changes_the_findings(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(textwrap.dedent(STAGED) + NETWORK)
    assert findings_of(scan_json(tmp_path), "VR302") == []
    assert findings_of(scan_json(tmp_path, extra=("--param", "opt:stage=prod")), "VR302") == [
        ("VR302", "FLambdaFunction", 12)
    ]


def test_service_params_by_stage() -> None:
    body = (
        HEAD
        + """
params:
  default: {sg: !Ref Sg}
  prod: {sg: !Ref OtherSg}
functions:
  f: {handler: h.h, vpc: {subnetIds: [!Ref SubnetA], securityGroupIds: ["${param:sg}"]}}
"""
    )
    assert fn(service(body), "f").security_groups == ["Sg"]
    assert fn(service(body, params={"opt:stage": "prod"}), "f").security_groups == ["OtherSg"]


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("${ssm:/net/subnets}", "${ssm:/net/subnets} is read from SSM Parameter Store"),
        ("${cf:network.Subnets}", "${cf:network.Subnets} is read from another CloudFormation stack's outputs"),
        ("${opt:subnets}", "${opt:subnets} has no value and no default (pass --param opt:subnets=VALUE)"),
        ("${env:SUBNETS}", "${env:SUBNETS} has no value and no default (pass --param env:SUBNETS=VALUE)"),
        ("${self:custom.missing}", "${self:custom.missing} has no value and no default"),
        ("${aws:accountId}", "${aws:accountId} is read from the AWS account"),
        ("${self:custom.loop}", "refers to itself"),
    ],
)
def test_unresolvable_variables_are_unknown_naming_the_variable(value: str, named: str) -> None:
    body = (
        HEAD
        + f"""
custom:
  loop: ${{self:custom.loop}}
functions:
  f: {{handler: h.h, vpc: {{securityGroupIds: [!Ref Sg], subnetIds: "{value}"}}}}
"""
    )
    subnets = fn(service(body), "f").subnets
    assert isinstance(subnets, m.Unknown) and named in subnets.reason


def test_cloudformation_sub_variables_are_left_for_cloudformation() -> None:
    body = (
        HEAD
        + """
functions:
  f:
    handler: h.h
    environment:
      ARN: !Sub "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"
"""
    )
    env = fn(service(body, network=False), "f").environment["ARN"]
    assert isinstance(env, m.Unknown) and "account id" in env.reason  # Fn::Sub evaluated, not the framework


def test_file_variables_are_read_inside_the_scan_root_only(tmp_path: Path) -> None:
    inside = tmp_path / "repo"
    inside.mkdir()
    (inside / "net.yml").write_text("groups: [!Ref Sg]\n")
    (tmp_path / "secret.yml").write_text("groups: [sg-0secret]\n")
    body = (
        HEAD
        + """
functions:
  in: {handler: h.h, vpc: {subnetIds: [!Ref SubnetA], securityGroupIds: "${file(./net.yml):groups}"}}
  out: {handler: h.h, vpc: {subnetIds: [!Ref SubnetA], securityGroupIds: "${file(../secret.yml):groups}"}}
  code: {handler: h.h, vpc: {subnetIds: [!Ref SubnetA], securityGroupIds: "${file(./groups.js):groups}"}}
"""
    )
    net = service(body, inside)
    assert fn(net, "in").security_groups == ["Sg"]
    outside = fn(net, "out").security_groups
    assert isinstance(outside, m.Unknown) and "outside the scan root" in outside.reason
    code = fn(net, "code").security_groups
    assert isinstance(code, m.Unknown) and "runs no code" in code.reason


def test_variables_that_multiply_are_refused() -> None:
    chain = "\n".join(f"  v{i}: ${{self:custom.v{i + 1}}}${{self:custom.v{i + 1}}}" for i in range(20))
    body = (
        HEAD
        + "custom:\n"
        + chain
        + "\n  v20: x\nfunctions:\n  f: {handler: h.h, environment: {A: '${self:custom.v0}'}}\n"
    )
    # each value is resolved once (self references are cached): 20 steps, and a string of 2**20 characters refused
    value = fn(service(body, network=False), "f").environment["A"]
    assert isinstance(value, m.Unknown) and "longer than" in value.reason


def test_deeply_nested_variables_are_unknown() -> None:
    custom = "\n".join(f"  v{i}: ${{self:custom.v{i + 1}}}" for i in range(60)) + "\n  v60: x"
    body = HEAD + "custom:\n" + custom + "\nfunctions:\n  f: {handler: h.h, environment: {A: '${self:custom.v0}'}}\n"
    value = fn(service(body, network=False), "f").environment["A"]
    assert isinstance(value, m.Unknown) and "nested more than" in value.reason


# --- discovery and notes ----------------------------------------------------------------------------------------
def test_provider_must_be_aws() -> None:
    with pytest.raises(InputError, match=r"provider\.name is 'azure'"):
        service("service: s\nprovider: {name: azure}\nfunctions: {}\n", network=False)


def test_directory_scan_finds_services_and_notes_code_configs_and_plugins(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "serverless.yml").write_text(
        "service: a\nplugins: [serverless-offline, serverless-plugin-warmup]\nprovider: {name: aws}\n"
        "functions:\n  f: {handler: h.h, vpc: {subnetIds: [subnet-0aaa], securityGroupIds: [sg-0aaa]}}\n"
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "serverless.ts").write_text("export default {}\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "serverless.yml").write_text("service: c\nprovider: {name: google}\nfunctions: {}\n")
    code, _, err = run_cli("scan", str(tmp_path))
    assert code in (0, 1), err
    notes = [line for line in err.splitlines() if line.startswith("vpcreach: note:")]
    assert any("serverless.ts is a Serverless Framework service written in code; not read" in n for n in notes)
    assert any("plugins are not evaluated (serverless-offline, serverless-plugin-warmup)" in n for n in notes)
    assert any("provider 'google'; vpcreach reads AWS services only" in n for n in notes)
    report = scan_json(tmp_path)
    assert [f["resource"] for f in report["functions"]] == ["FLambdaFunction"]


def test_service_file_named_otherwise_is_read_when_named(tmp_path: Path) -> None:
    path = tmp_path / "serverless.prod.yml"
    path.write_text(
        "service: a\nprovider: {name: aws}\nfunctions:\n  f: {handler: h.h, vpc: {subnetIds: [subnet-0aaa], securityGroupIds: [sg-0aaa]}}\n"
    )
    assert [f["resource"] for f in scan_json(path)["functions"]] == ["FLambdaFunction"]


def test_hostile_variables_stay_bounded(tmp_path: Path) -> None:
    """A FIFO named by file(), a variable that names itself through the file, and a huge variable: each is
    Unknown with a short reason, and the scan returns."""
    import os

    os.mkfifo(tmp_path / "fifo.yml")
    huge = "${self:custom.x" * 60 + "}" * 60
    body = (
        HEAD
        + f"""
custom:
  fifo: ${{file(./fifo.yml):a}}
  again: ${{file(./serverless.yml):custom.again}}
  huge: "{huge}"
functions:
  f:
    handler: h.h
    environment: {{A: "${{self:custom.fifo}}", B: "${{self:custom.again}}", C: "${{self:custom.huge}}"}}
"""
    )
    env = fn(service(body, tmp_path, network=False), "f").environment
    assert "fifo.yml cannot be read: not a regular file" in env["A"].reason
    assert "nested more than 32 deep" in env["B"].reason
    assert isinstance(env["C"], m.Unknown) and len(env["C"].reason) < 400


def test_an_event_source_given_by_a_variable_is_known_by_its_event_key() -> None:
    """The poller's actions are dropped even when the queue's ARN is a variable: an `sqs:` event reads SQS."""
    body = (
        HEAD
        + """
functions:
  f:
    handler: h.h
    events:
      - sqs: ${ssm:/queues/orders-arn}
      - stream: {type: kinesis, arn: "${cf:streams.OrdersArn}"}
"""
    )
    got = sorted(o.source_service for o in service(body, network=False).of(m.EventSourceMapping))
    assert got == ["kinesis", "sqs"]
