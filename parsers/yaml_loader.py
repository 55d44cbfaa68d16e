"""Safe YAML/JSON loading with line numbers, on PyYAML's C parser.

cfn-lint's decoder gives the same marks but costs ~0.6 s to import; a pre-commit hook cannot pay that on
every commit, so the CLI path uses PyYAML's libyaml-backed safe loader and keeps the marks it already
computes. JSON is read by the same loader (JSON is YAML's flow style), so JSON templates get lines too.
"""

from __future__ import annotations

import json
import re
from itertools import repeat
from typing import Any

import yaml

from .errors import MAX_ALIASES, MAX_DEPTH, MAX_TEMPLATE_BYTES, InputError
from .files import read_input

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
    """Read a template, refusing missing, oversized and binary files with one clear line."""
    data = read_input(
        path,
        MAX_TEMPLATE_BYTES,
        f"file is larger than {MAX_TEMPLATE_BYTES // (1024 * 1024)} MiB, five times the largest template "
        "CloudFormation accepts (1 MB); refusing to read it",
    )
    if b"\x00" in data:
        raise InputError(path, "binary file (contains NUL bytes), not a template")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None


_BRACKETS = re.compile(r"[\[\]{}]")
_INDENT = re.compile(r"^[ \t-]*", re.M)


def nesting_estimate(text: str) -> int:
    """An upper bound on nesting depth, taken before parsing.

    libyaml's composer recurses in C, so a document nested a hundred thousand levels deep crashes the
    process instead of raising; the depth must be refused before the parser sees it. Flow nesting is
    bounded by the bracket depth (a closing bracket inside a string cannot hide opening ones: the count
    never drops below zero). Block nesting is bounded by the indentation prefixes (spaces and `- `): the
    lines open at any moment have distinct widths, and a line opens at most one level plus one per `-` in
    its prefix (`- - - x` is three sequences deep on one line), so the sum over distinct widths of one plus
    the most dashes seen at that width bounds it.
    """
    depth = deepest = 0
    if "[" in text or "{" in text:
        for match in _BRACKETS.finditer(text):
            if match.group() in "[{":
                depth += 1
                if depth > deepest:
                    deepest = depth
            elif depth:
                depth -= 1
    prefixes = _INDENT.findall(text)
    dashes: dict[int, int] = {}
    for width, count in set(zip(map(len, prefixes), map(str.count, prefixes, repeat("-")))):
        if count >= dashes.get(width, 0):
            dashes[width] = count
    return deepest + len(dashes) + sum(dashes.values())


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE_TAGS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")
_BUILDING = object()  # memo marker of a collection whose children are being built


class _Builder:
    """Builds Mapping/list/scalars from libyaml's node tree directly.

    PyYAML's generic constructor (construct_object with state generators and per-node bookkeeping) costs as
    much as libyaml's parse; plain maps, sequences, strings and CloudFormation tags are built here with one
    call per node, everything else (ints, booleans, timestamps, merge keys) goes through PyYAML's own safe
    constructors. Depth is checked as nodes are built; an alias to a node still being built (a recursive
    document) is refused instead of producing a cyclic structure.
    """

    def __init__(self, loader: Any, cfn_tags: bool = True) -> None:
        self.loader = loader
        self.cfn_tags = cfn_tags
        self.memo: dict[int, Any] = {}
        self.aliases = 0
        self.scalar_constructors = loader.yaml_constructors

    def build(self, node: Any, depth: int) -> Any:
        tag = node.tag
        if node.__class__ is _ScalarNode:
            if tag == _STR:
                return node.value
            if tag[0] == "!":
                return self._tag(node, tag[1:], depth)
            constructor = self.scalar_constructors.get(tag)
            if constructor is None:
                return self.loader.construct_object(node, deep=True)  # raises PyYAML's "unsupported tag"
            return constructor(self.loader, node)
        key = id(node)
        seen = self.memo.get(key)
        if seen is not None:
            if seen is _BUILDING:
                raise InputError("", "recursive YAML alias (a node that contains itself)", node.start_mark.line + 1)
            self.aliases += 1
            return seen
        if tag == _MAP:
            out: Any = self._mapping(node, depth)
        elif tag == _SEQ:
            self.memo[key] = _BUILDING
            if node.value:
                _check_depth(depth + 1, node)
            out = [self.build(item, depth + 1) for item in node.value]
        elif tag[0] == "!":
            self.memo[key] = _BUILDING
            out = self._tag(node, tag[1:], depth)
        else:  # omap, pairs, set, or a tag PyYAML refuses
            out = self.loader.construct_object(node, deep=True)
        self.memo[key] = out
        return out

    def _mapping(self, node: Any, depth: int) -> Mapping:
        self.memo[id(node)] = _BUILDING
        pairs = node.value
        if pairs:
            _check_depth(depth + 1, node)
        for key_node, _ in pairs:
            if key_node.tag in _MERGE_TAGS:
                self.loader.flatten_mapping(node)
                pairs = node.value
                break
        out = Mapping()
        out.line = node.start_mark.line + 1
        key_lines = out.key_lines
        build = self.build
        for key_node, value_node in pairs:
            if key_node.__class__ is _ScalarNode and key_node.tag == _STR:
                key: Any = key_node.value
                key_lines[key] = key_node.start_mark.line + 1
            else:
                key = build(key_node, depth + 1)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise InputError("", f"unsupported mapping key {type(key).__name__}", key_node.start_mark.line + 1)
                if isinstance(key, str):
                    key_lines[key] = key_node.start_mark.line + 1
            out[key] = build(value_node, depth + 1)
        return out

    def _tag(self, node: Any, suffix: str, depth: int) -> Mapping:
        name = _FN_TAGS.get(suffix)
        line = node.start_mark.line + 1
        if not self.cfn_tags:
            raise InputError("", f"unsupported tag !{suffix}", line)
        _check_depth(depth + 1, node)  # the value sits one level below the {"Fn::X": ...} wrapper
        if name is None:
            # A preprocessor's tag (Rain's !Rain::Embed, say) is data vpcreach cannot evaluate, not an error.
            out = Mapping({"Fn::Unsupported": f"!{suffix}"})
            out.line = line
            return out
        if node.__class__ is _ScalarNode:
            value: Any = node.value
            if name == "Fn::GetAtt":
                value = value.split(".", 1)
            elif name == "Fn::GetAZs" and value is None:
                value = ""
        elif node.__class__ is _SequenceNode:
            if node.value:
                _check_depth(depth + 2, node)
            value = [self.build(item, depth + 2) for item in node.value]
        else:
            value = self._mapping(node, depth + 1)
        out = Mapping({name: value})
        out.line = line
        out.key_lines[name] = line
        return out


def _check_depth(depth: int, node: Any) -> None:
    # The same limit, counted the same way, as `_too_deep` applies to data read by the JSON fallback.
    if depth > MAX_DEPTH:
        raise InputError("", f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it", node.start_mark.line + 1)


_ScalarNode = yaml.ScalarNode
_SequenceNode = yaml.SequenceNode


def _parse(text: str, cfn_tags: bool = True) -> tuple[Any, int]:
    """The document's data and how many aliases it used."""
    loader = _CfnLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, 0
        builder = _Builder(loader, cfn_tags)
        return builder.build(node, 0), builder.aliases
    finally:
        loader.dispose()


def load_document(text: str, path: str, cfn_tags: bool = True) -> Any:
    """Parse YAML (CloudFormation short tags allowed unless `cfn_tags` is false) or JSON into
    Mapping/list/scalars with lines."""
    if nesting_estimate(text) > MAX_DEPTH:
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it")
    aliases = 0
    try:
        data, aliases = _parse(text, cfn_tags)
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
        if _too_deep(data):
            raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it") from None
    except yaml.YAMLError as exc:
        data = _json_fallback(text, path, f"invalid YAML/JSON: {str(exc).splitlines()[0]}", None)
        if _too_deep(data):
            raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it") from None
    except RecursionError:
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it") from None
    if aliases and _expanded_size(data, MAX_ALIASES * 1000) > MAX_ALIASES * 1000:
        raise InputError(path, "YAML aliases expand to more than a million nodes (alias bomb); refusing it")
    return data


def _json_fallback(text: str, path: str, message: str, line: int | None) -> Any:
    # A few valid JSON files are not valid YAML 1.1 (tabs before keys, say); json reads them without lines.
    if text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            pass
    raise InputError(path, message, line)
