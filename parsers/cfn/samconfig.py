"""Parameter values where SAM and CloudFormation users keep them: `samconfig.toml` / `samconfig.yaml` beside a
template, as `sam deploy` reads it, and parameter files (`--param-file`).

samconfig (AWS SAM Developer Guide, "AWS SAM CLI configuration file"): named `samconfig`, "at the root of your
project. This is the same location as your template.yaml file", TOML or YAML/YML; tables
`[<config-env>.<command>.parameters]` with `[<config-env>.global.parameters]` applying to every command, a
command's own value winning over the global one. `sam deploy` reads `parameter_overrides` (a string of
`Key=Value` pairs separated by spaces, values quoted when they hold spaces or commas, or the
`ParameterKey=K,ParameterValue=V` form; or a list of `Key=Value` strings) and `stack_name`.

Parameter files: the CloudFormation CLI form `[{"ParameterKey": ..., "ParameterValue": ...}]` (aws cloudformation
create-stack --parameters file://...), and CodePipeline's template configuration file `{"Parameters": {...}}`
(AWS CodePipeline User Guide, "CloudFormation artifacts": template configuration file), in JSON or YAML.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SAMCONFIG_NAMES = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")


@dataclass
class SamConfig:
    path: str
    params: dict[str, str] = field(default_factory=dict)
    stack_name: str | None = None


def find_samconfig(template: str, root: str | None = None) -> str | None:
    """The samconfig file beside `template`; one that is a link out of the scan root `root` is not read (as for
    every file a scanned input names: it may come with a pull request)."""
    from ..files import FileRefused, confine

    folder = os.path.dirname(template)
    for name in SAMCONFIG_NAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            try:
                confine(candidate, root or os.path.dirname(os.path.abspath(template)))
            except FileRefused:
                return None
            return candidate
    return None


def read_samconfig(path: str, config_env: str = "default") -> SamConfig:
    from ..yaml_loader import load_document, read_text

    text = read_text(path)
    if path.endswith(".toml"):
        try:
            doc: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(path, f"not valid TOML: {exc}") from None
    else:
        doc = load_document(text, path)
    out = SamConfig(path)
    env = doc.get(config_env) if isinstance(doc, dict) else None
    if not isinstance(env, dict):
        return out
    for section in ("global", "deploy"):  # deploy's own values win over global's
        table = env.get(section)
        params = table.get("parameters") if isinstance(table, dict) else None
        if not isinstance(params, dict):
            continue
        if isinstance(params.get("stack_name"), str):
            out.stack_name = params["stack_name"]
        if "parameter_overrides" in params:
            out.params.update(parse_overrides(params["parameter_overrides"], path))
    return out


def parse_overrides(value: Any, where: str) -> dict[str, str]:
    """`Key=Value Key2="a,b"`, `ParameterKey=K,ParameterValue=V ...`, or a list of `Key=Value` strings."""
    if isinstance(value, list):
        items = [str(v) for v in value]
    elif isinstance(value, str):
        try:
            items = shlex.split(value)
        except ValueError as exc:
            raise InputError(where, f"parameter_overrides cannot be split: {exc}") from None
    else:
        raise InputError(where, "parameter_overrides must be a string or a list of Key=Value strings")
    out: dict[str, str] = {}
    for item in items:
        if item.startswith("ParameterKey="):
            key_part, sep, value_part = item.partition(",ParameterValue=")
            if not sep:
                raise InputError(where, f"parameter_overrides item {item!r} has no ParameterValue")
            out[key_part[len("ParameterKey=") :]] = value_part
        elif "=" in item:
            key, _, val = item.partition("=")
            out[key] = val
        else:
            raise InputError(where, f"parameter_overrides item {item!r} is not Key=Value")
    return out


def read_param_file(path: str) -> dict[str, str]:
    from ..yaml_loader import load_document, read_text

    doc = load_document(read_text(path), path)
    if isinstance(doc, list):
        out = {}
        for item in doc:
            if not isinstance(item, dict) or not isinstance(item.get("ParameterKey"), str):
                raise InputError(path, 'each item of a parameter list needs "ParameterKey" and "ParameterValue"')
            if "ParameterValue" in item:  # UsePreviousValue: the deployed value, not known here
                out[item["ParameterKey"]] = _text(item["ParameterValue"])
        return out
    if isinstance(doc, dict) and isinstance(doc.get("Parameters"), dict):
        return {str(k): _text(v) for k, v in doc["Parameters"].items()}
    raise InputError(
        path,
        'not a parameter file: expected [{"ParameterKey": ..., "ParameterValue": ...}] or {"Parameters": {...}}',
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    return str(value)
