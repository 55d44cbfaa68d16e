"""Safe YAML/JSON loading with line numbers, on PyYAML's C parser.

cfn-lint's decoder gives the same marks but costs ~0.6 s to import; a pre-commit hook cannot pay that on
every commit, so the CLI path uses PyYAML's libyaml-backed safe loader and keeps the marks it already
computes. JSON is read by the same loader (JSON is YAML's flow style), so JSON templates get lines too.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .errors import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, InputError

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: slower, same behaviour
    _BaseLoader = yaml.SafeLoader


class Mapping(dict):
    """A dict that remembers the 1-based line of itself and of each of its keys."""

    __slots__ = ("key_lines", "line")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.key_lines: dict[str, int] = {}


# CloudFormation short-form tags → long form. `!GetAtt a.b` is split on the first dot, as CloudFormation does.
_FN_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in [
            "Base64",
            "Cidr",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "ImportValue",
            "Join",
            "Select",
            "Split",
            "Sub",
            "Transform",
            "If",
            "Not",
            "Equals",
            "And",
            "Or",
            "Contains",
            "EachMemberEquals",
            "EachMemberIn",
            "RefAll",
            "ValueOf",
            "ValueOfAll",
            "Implies",
            "Length",
            "ToJsonString",
            "ForEach",
        ]
    },
}


class _CfnLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    out = Mapping()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise InputError("", f"unsupported mapping key {type(key).__name__}", key_node.start_mark.line + 1)
        out[key] = loader.construct_object(value_node, deep=True)
        if isinstance(key, str):
            out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Mapping:
    name = _FN_TAGS.get(suffix)
    if name is None:
        # A preprocessor's tag (Rain's !Rain::Embed, say) is data vpcreach cannot evaluate, not an error.
        out = Mapping({"Fn::Unsupported": f"!{suffix}"})
        out.line = node.start_mark.line + 1
        return out
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = value.split(".", 1)
        elif name == "Fn::GetAZs" and value is None:
            value = ""
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = _construct_mapping(loader, node)
    out = Mapping({name: value})
    out.line = node.start_mark.line + 1
    out.key_lines[name] = out.line
    return out


_CfnLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_CfnLoader.add_multi_constructor("!", _construct_tag)


def _expanded_size(root: Any, limit: int) -> int:
    """Count nodes as if every YAML alias were copied out; stop once past `limit`."""
    memo: dict[int, int] = {}

    def size(value: Any, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise RecursionError
        if isinstance(value, (dict, list)):
            key = id(value)
            if key in memo:
                return memo[key]
            items = value.values() if isinstance(value, dict) else value
            total = 1
            for item in items:
                total += size(item, depth + 1)
                if total > limit:
                    break
            memo[key] = total
            return total
        return 1

    return size(root, 0)


def _too_deep(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, dict):
        return any(_too_deep(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_too_deep(v, depth + 1) for v in value)
    return False


def read_text(path: str) -> str:
    """Read a source file, refusing missing, oversized and binary files with one clear line."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(path, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; refusing to parse it")
    if b"\x00" in data:
        raise InputError(path, "binary file (contains NUL bytes), not a template")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None


_BRACKETS = re.compile(r"[\[\]{}]")


def _nesting_estimate(text: str) -> int:
    """An upper bound on nesting depth, taken before parsing.

    libyaml's composer recurses in C, so a document nested a hundred thousand levels deep crashes the
    process instead of raising; the depth must be refused before the parser sees it.
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    indents: list[int] = []
    block_deepest = 0
    for line in text.splitlines():
        stripped = line.lstrip(" -")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        block_deepest = max(block_deepest, len(indents))
    return deepest + block_deepest


def load_document(text: str, path: str) -> Any:
    """Parse YAML (CloudFormation short tags allowed) or JSON into Mapping/list/scalars with lines."""
    if _nesting_estimate(text) > MAX_DEPTH:
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it")
    try:
        data = yaml.load(text, Loader=_CfnLoader)
    except InputError as exc:
        raise InputError(path, exc.message, exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in problem or "unknown tag" in problem:
            problem = problem.replace("could not determine a constructor for the tag", "unsupported tag")
            problem += " (only safe YAML and CloudFormation tags are accepted)"
        data = _json_fallback(text, path, f"invalid YAML/JSON: {problem}", line)
    except yaml.YAMLError as exc:
        data = _json_fallback(text, path, f"invalid YAML/JSON: {str(exc).splitlines()[0]}", None)
    except RecursionError:
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it") from None
    if "&" in text and isinstance(data, (dict, list)) and _expanded_size(data, MAX_ALIASES * 1000) > MAX_ALIASES * 1000:
        raise InputError(path, "YAML aliases expand to more than a million nodes (alias bomb); refusing it")
    try:
        deep = _too_deep(data)
    except RecursionError:
        deep = True
    if deep:
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it")
    return data


def _json_fallback(text: str, path: str, message: str, line: int | None) -> Any:
    # A few valid JSON files are not valid YAML 1.1 (tabs before keys, say); json reads them without lines.
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            pass
    raise InputError(path, message, line)
