"""Execution roles as the Serverless Framework deploys them.

From the framework's source (packages/serverless/lib/plugins/aws/):
- provider.js `getCustomExecutionRole`: a function's `role`, else `provider.iam.role` when it names an
  existing role (a string, or an object with a `::` key such as `Fn::GetAtt`: `isExistingRoleProvided`),
  else `provider.role`.
- package/compile/functions.js `compileRole`: a string starting `arn:` is used as it is; any other string is a
  logical id (`Fn::GetAtt: [<role>, Arn]`); an object (Fn::GetAtt, Fn::ImportValue, Fn::Sub) is used as it is.
  Functions without one use `IamRoleLambdaExecution`.
- package/lib/merge-iam-templates.js: `IamRoleLambdaExecution` is generated unless the provider names an
  existing role, `provider.role` is set, every function has its own `role`, or `provider.iam.role.mode` is
  `perFunction`. It holds the CloudWatch Logs statements (iam-role-lambda-execution-template.json), then
  `provider.iam.role.statements` (framework v3+; else the older `provider.iamRoleStatements`), then the
  managed policies `provider.iam.role.managedPolicies` (else `provider.iamManagedPolicies`), then
  AWSLambdaVPCAccessExecutionRole when any function has a `vpc` key or `provider.vpc` is set — whether or not
  the function uses this role, and even for `vpc: false`. The event compilers add their poller statements
  (events.py).
- package/lib/roles-per-function.js (framework v4): a function with its own `iam.role.statements`,
  `iamRoleStatements` or `iam.role.managedPolicies`, or every function under `provider.iam.role.mode:
  perFunction`, gets a dedicated role `<Name>IamRoleLambdaExecution` (dedicated_role). Framework v3 knows
  these settings only through the serverless-iam-roles-per-function plugin, which v4 built in: with the
  plugin listed they are read the same way (the plugin itself is not run), without it they are ignored, as
  v3 ignores them.
"""

from __future__ import annotations

from typing import Any

from vpcreach.graph.model import Unknown

from ..yaml_loader import Mapping
from .naming import ROLE_ID

_VPC_POLICY = {
    "Fn::Join": [
        "",
        ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"],
    ]
}
_LOGS = [
    {
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:TagResource"],
        "Resource": ["*"],
    },
    {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": ["*"]},
]


def _iam_role(provider: dict) -> Any:
    iam = provider.get("iam")
    return iam.get("role") if isinstance(iam, dict) else None


def existing_role(role: Any) -> bool:
    """provider.js isExistingRoleProvided."""
    return isinstance(role, str) or (isinstance(role, dict) and any("::" in str(k) for k in role))


def custom_role(function: dict, provider: dict) -> Any:
    """provider.js getCustomExecutionRole: the role a function names, or None for the generated one."""
    if function.get("role"):
        return function["role"]
    role = _iam_role(provider)
    if existing_role(role):
        return role
    return provider.get("role")


def role_property(role: Any) -> Any:
    """functions.js compileRole: the function's Role property for a custom role."""
    if isinstance(role, str):
        return role if role.startswith("arn:") else {"Fn::GetAtt": [role, "Arn"]}
    return role


def role_dependency(role: Any) -> str | None:
    """compileRole's DependsOn: a role named by logical id (or by Fn::GetAtt) is waited for."""
    if isinstance(role, str):
        return None if role.startswith("arn:") else role
    if isinstance(role, dict):
        target = role.get("Fn::GetAtt")
        if isinstance(target, list) and target and isinstance(target[0], str):
            return target[0]
        if isinstance(target, str):
            return target.split(".", 1)[0]
    return None


def per_function_mode(provider: dict) -> bool:
    role = _iam_role(provider)
    return isinstance(role, dict) and role.get("mode") == "perFunction"


def uses_dedicated_role(function: dict, provider: dict, per_function_iam: bool) -> bool:
    """uses-dedicated-per-function-role.js: whether the function gets a role of its own. `per_function_iam` is
    false for a service of framework v3 or older without the serverless-iam-roles-per-function plugin,
    where function-level IAM settings do not exist (the framework ignores them) and neither does `mode`."""
    if not per_function_iam or function.get("role") or existing_role(_iam_role(provider)):
        return False
    if per_function_mode(provider):
        return True
    if "role" in provider:
        return False
    own = _own_role(function)
    return (
        "iamRoleStatements" in function
        or "statements" in own
        or (isinstance(own.get("managedPolicies"), list) and bool(own["managedPolicies"]))
    )


def _own_role(function: dict) -> dict:
    iam = function.get("iam")
    own = iam.get("role") if isinstance(iam, dict) else None
    return own if isinstance(own, dict) else {}


def dedicated_role(function: dict, provider: dict, custom: dict, event_statements: list, line: int | None) -> Mapping:
    """The function's own role as roles-per-function.js (_createRoleForFunction) and
    roles-per-function-permissions.js build it (Serverless Framework docs, IAM, "Auto-Added Permissions for
    Per-Function Roles"): the logs statements; the provider's statements when inherited (`iam.inheritStatements`,
    else `iamRoleStatementsInherit`, else custom.serverless-iam-roles-per-function.defaultInherit, else true under
    mode perFunction and false otherwise); the function's own statements (`iam.role.statements`, else
    `iamRoleStatements`); its poller statements; managed policies: the provider's `iam.role.managedPolicies`
    under mode perFunction, AWSLambdaVPCAccessExecutionRole when the function's or the provider's vpc is a
    non-empty value (applyVpcPermissions: `!_.isEmpty(...)`), then the function's `iam.role.managedPolicies`."""
    per_function = per_function_mode(provider)
    own = _own_role(function)
    iam = function.get("iam")
    legacy = custom.get("serverless-iam-roles-per-function") if isinstance(custom, dict) else None
    default = legacy.get("defaultInherit") if isinstance(legacy, dict) else None
    inherit: Any = per_function if default is None else bool(default)
    if isinstance(iam, dict) and "inheritStatements" in iam:
        inherit = iam["inheritStatements"]
    elif "iamRoleStatementsInherit" in function:
        inherit = function["iamRoleStatementsInherit"]
    statements: list[Any] = [dict(s) for s in _LOGS]
    if inherit is True:  # `provider.iam ? provider.iam.role?.statements : provider.iamRoleStatements`
        provider_role = _iam_role(provider)
        if isinstance(provider.get("iam"), dict):
            _extend(statements, provider_role.get("statements") if isinstance(provider_role, dict) else None)
        else:
            _extend(statements, provider.get("iamRoleStatements"))
    _extend(statements, own["statements"] if "statements" in own else function.get("iamRoleStatements"))
    statements.extend(event_statements)
    managed: list[Any] = []
    provider_role = _iam_role(provider)
    if per_function and isinstance(provider_role, dict):
        _extend(managed, provider_role.get("managedPolicies"))
    if _not_empty(function.get("vpc")) or _not_empty(provider.get("vpc")):
        managed.append(_VPC_POLICY)
    _extend(managed, own.get("managedPolicies"))
    return _role(statements, managed, line)


def _not_empty(value: Any) -> bool:
    """lodash isEmpty, negated: a non-empty mapping or list, or an unknown value."""
    return isinstance(value, Unknown) or (isinstance(value, (dict, list)) and bool(value))


def _extend(out: list, value: Any) -> None:
    if isinstance(value, list):
        out.extend(value)
    elif value is not None:
        out.append(value)  # an Unknown (a variable) or a malformed value: the reader says so


def generated_role(
    provider: dict, functions: dict, extra_statements: list, line: int | None, per_function_iam: bool = True
) -> Mapping | None:
    """IamRoleLambdaExecution as merge-iam-templates.js builds it, or None when it is not generated.
    `per_function_iam`: whether `mode: perFunction` exists (framework v4, or the plugin)."""
    if not functions:
        return None
    role = _iam_role(provider)
    if existing_role(role) or "role" in provider or (per_function_iam and per_function_mode(provider)):
        return None
    if all(isinstance(f, dict) and "role" in f for f in functions.values()):
        return None
    statements: list[Any] = [dict(s) for s in _LOGS]
    own = role.get("statements") if isinstance(role, dict) else None
    given = own if own is not None else provider.get("iamRoleStatements")
    if isinstance(given, list):
        statements.extend(given)
    elif given is not None:
        statements.append(given)  # an Unknown (a variable) or a malformed value: the reader says so
    statements.extend(extra_statements)
    managed: list[Any] = []
    own_managed = role.get("managedPolicies") if isinstance(role, dict) else None
    given_managed = own_managed if own_managed else provider.get("iamManagedPolicies")
    if isinstance(given_managed, list):
        managed.extend(given_managed)
    elif isinstance(given_managed, Unknown):
        managed.append(given_managed)
    if provider.get("vpc") or any(isinstance(f, dict) and "vpc" in f for f in functions.values()):
        managed.append(_VPC_POLICY)
    return _role(statements, managed, line)


def _role(statements: list, managed: list, line: int | None) -> Mapping:
    props: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
            ],
        },
        "Policies": [
            {"PolicyName": "serverless", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
        ],
    }
    if managed:
        props["ManagedPolicyArns"] = managed
    out = Mapping({"Type": "AWS::IAM::Role", "Properties": props})
    out.line = line
    return out


__all__ = [
    "ROLE_ID",
    "custom_role",
    "dedicated_role",
    "generated_role",
    "role_dependency",
    "role_property",
    "uses_dedicated_role",
]
