"""The logical ids the Serverless Framework gives the resources it generates, so that findings and cross
references name what CloudFormation will show.

From the framework's source, packages/serverless/lib/plugins/aws/lib/naming.js:
- `normalizeName(name)`: the first letter upper-cased (lodash upperFirst);
- `normalizeNameToAlphaNumericOnly(name)`: every character outside [0-9A-Za-z] removed, then normalizeName;
- `getNormalizedResourceName(name)` (= getNormalizedFunctionName): `-` → `Dash`, `_` → `Underscore`, then
  normalizeName, so `my-func` → `MyDashfunc`, `get_user` → `GetUnderscoreuser`;
- `getLambdaLogicalId(fn)`: `<normalized>LambdaFunction`; `getRoleLogicalId()`: `IamRoleLambdaExecution`;
- `getQueueLogicalId(fn, queue)`: `<normalized>EventSourceMappingSQS<alphanumeric queue name>`;
- `getStreamLogicalId(fn, type, stream)`: `<normalized>EventSourceMapping<Type><alphanumeric stream name>`;
- `getMSKEventLogicalId(fn, cluster, topic)`: `<normalized>EventSourceMappingMSK<cluster[:79]><topic[:79]>`.
"""

from __future__ import annotations

import re

ROLE_ID = "IamRoleLambdaExecution"


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def alphanumeric(name: str) -> str:
    return upper_first(re.sub(r"[^0-9A-Za-z]", "", name))


def normalized(name: str) -> str:
    return upper_first(name.replace("-", "Dash").replace("_", "Underscore"))


def function_id(name: str) -> str:
    return f"{normalized(name)}LambdaFunction"


def queue_mapping_id(function: str, queue: str) -> str:
    return f"{normalized(function)}EventSourceMappingSQS{alphanumeric(queue)}"


def stream_mapping_id(function: str, stream_type: str, stream: str) -> str:
    return f"{normalized(function)}EventSourceMapping{upper_first(stream_type)}{alphanumeric(stream)}"


def msk_mapping_id(function: str, cluster: str, topic: str) -> str:
    return f"{normalized(function)}EventSourceMappingMSK{alphanumeric(cluster)[:79]}{alphanumeric(topic)[:79]}"
