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
  perFunction`, gets a dedicated role. vpcreach does not model those roles yet: the function's role is
  Unknown, named as such.
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


def dedicated_role(function: dict, provider: dict) -> Unknown | None:
    """Unknown when the framework (v4) gives the function a dedicated role (roles-per-function.js,
    uses-dedicated-per-function-role.js), which vpcreach does not model."""
    if function.get("role") or existing_role(_iam_role(provider)):
        return None
    iam = function.get("iam")
    own = iam.get("role") if isinstance(iam, dict) else None
    own_settings = "iamRoleStatements" in function or (
        isinstance(own, dict) and ("statements" in own or own.get("managedPolicies"))
    )
    if per_function_mode(provider):
        why = "provider.iam.role.mode is perFunction"
    elif own_settings and "role" not in provider:
        why = "the function has its own IAM statements or managed policies"
    else:
        return None
    return Unknown(
        f"the framework gives this function a dedicated execution role ({why}); vpcreach does not model "
        "per-function roles yet, so what the role allows is unknown"
    )


def generated_role(provider: dict, functions: dict, extra_statements: list, line: int | None) -> Mapping | None:
    """IamRoleLambdaExecution as merge-iam-templates.js builds it, or None when it is not generated."""
    if not functions:
        return None
    role = _iam_role(provider)
    if existing_role(role) or "role" in provider or per_function_mode(provider):
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


__all__ = ["ROLE_ID", "custom_role", "dedicated_role", "generated_role", "role_dependency", "role_property"]
