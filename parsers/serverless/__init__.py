"""Serverless Framework services (`serverless.yml`, framework v3 and v4) → `graph.model.Network`.

A service is read as the CloudFormation template the framework generates from it (template.py: functions,
the shared execution role, event source mappings, `resources`), handed to the CloudFormation reader, so a
service and its CloudFormation twin give the same findings. Variables are resolved first (variables.py).
Plugins are not run: what they add or change is not seen, and the scan says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping as AbcMapping
from typing import Any

from vpcreach.graph import model as m

from ..errors import InputError
from ..yaml_loader import load_document, read_text
from .names import CODE_CONFIG_NAMES, CONFIG_NAMES, is_config_name
from .naming import function_id
from .template import template
from .variables import resolve

__all__ = ["CODE_CONFIG_NAMES", "CONFIG_NAMES", "is_config_name", "looks_like_service", "parse_file", "parse_service"]


def looks_like_service(doc: Any) -> bool:
    """A Serverless Framework service: `service` and a `provider` mapping, with functions or resources."""
    return (
        isinstance(doc, dict)
        and "service" in doc
        and isinstance(doc.get("provider"), dict)
        and ("functions" in doc or "resources" in doc)
        and "Resources" not in doc
    )


def parse_file(path: str, params: dict[str, str] | None = None, root: str | None = None) -> m.Network:
    doc = load_document(read_text(path), path)
    if not looks_like_service(doc):
        raise InputError(path, "not a Serverless Framework service (no service and provider)")
    return parse_service(doc, path, params, root)


def parse_service(
    doc: dict,
    path: str,
    params: dict[str, str] | None = None,
    root: str | None = None,
    environ: AbcMapping[str, str] | None = None,
    env: Any = None,
) -> m.Network:
    """The network a service deploys. `root` is the scan root: ${file(...)} is read only inside it. `env` (a
    parsers.environment.Environment) answers ${ssm:...} from a --snapshot."""
    from ..cfn import parse_template

    provider = doc.get("provider")
    name = provider.get("name") if isinstance(provider, dict) else None
    if name != "aws":
        raise InputError(path, f"provider.name is {name!r}: vpcreach reads AWS services only (provider.name: aws)")
    resolved, variables = resolve(doc, path, params, root, environ, env)
    region = variables.region()
    cfn_params = dict(params or {})
    if isinstance(region, str) and region:
        cfn_params.setdefault("AWS::Region", region)
    cfn, kinds = template(resolved, variables.stage())
    net = parse_template(cfn, path, cfn_params, root, env=env)
    for rid, kind in kinds.items():
        mapping = net.objects.get(rid)
        if isinstance(mapping, m.EventSourceMapping) and not isinstance(mapping.source_service, str):
            # The ARN is a variable or a value known at deploy time, but an `sqs:` event reads a queue.
            mapping.source_service = kind
    net.notes.extend(_notes(doc, path))
    _handler_code(resolved, path, net)
    return net


# The files a handler `dir/module.function` names, by runtime family [SLSFN]: the framework packages the service
# folder and Lambda loads the module (Python `dir/module.py`, Node.js `dir/module.js|mjs|cjs`, TypeScript through
# a build plugin).
_HANDLER_FILES = (".py", ".js", ".mjs", ".cjs", ".ts")


def _handler_code(doc: Any, path: str, net: m.Network) -> None:
    """Where each function's code is: its handler's module in the service folder (issue 16). The handler's own
    folder is read (its imports sit beside it), or the module file alone when it is at the service's top, so
    the whole service (other functions' code) is not taken for this one's."""
    functions = doc.get("functions") if isinstance(doc, dict) else None
    provider = doc.get("provider") if isinstance(doc, dict) else None
    default_runtime = provider.get("runtime") if isinstance(provider, dict) else None
    if not isinstance(functions, dict):
        return
    service_dir = os.path.dirname(path)
    for name, spec in functions.items():
        fn = net.objects.get(function_id(str(name)))
        handler = spec.get("handler") if isinstance(spec, dict) else None
        if not isinstance(fn, m.Function) or not isinstance(handler, str) or "." not in handler:
            continue
        module = handler.rsplit(".", 1)[0]
        if os.path.isabs(module) or ".." in module.replace("\\", "/").split("/"):
            continue  # a handler is a path inside the service folder
        found = next(
            (module + ext for ext in _HANDLER_FILES if os.path.isfile(os.path.join(service_dir, module + ext))), None
        )
        if found is None:
            continue
        folder = os.path.dirname(found)
        runtime = spec.get("runtime", default_runtime)
        fn.code = m.CodeSource(
            "path",
            fn.loc,
            path=os.path.join(service_dir, folder or found),
            runtime=runtime if isinstance(runtime, str) else None,
        )


def _notes(doc: dict, path: str) -> list[str]:
    plugins = doc.get("plugins")
    if isinstance(plugins, dict):  # the older form: {localPath: ..., modules: [...]}
        plugins = plugins.get("modules")
    names = [str(p) for p in plugins if isinstance(p, (str, int, float))] if isinstance(plugins, list) else []
    if not names:
        return []
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return [f"{path}: plugins are not evaluated ({shown}); what they add to or change in the stack is not checked"]
