"""Safe YAML/JSON loading with line numbers, on PyYAML's C parser.

cfn-lint's decoder gives the same marks but costs ~0.6 s to import; a pre-commit hook cannot pay that on
every commit, so the CLI path uses PyYAML's libyaml-backed safe loader and keeps the marks it already
computes. JSON is read by the same loader (JSON is YAML's flow style), so JSON templates get lines too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import yaml

from .errors import MAX_ALIASES, MAX_DEPTH, MAX_NODES, MAX_TEMPLATE_BYTES, InputError
from .files import read_input

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: slower, same behaviour
    _BaseLoader = yaml.SafeLoader


class Mapping(dict):
    """A dict that remembers the 1-based line of itself and of each of its keys (of any scalar type)."""

    __slots__ = ("key_lines", "line")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line: int | None = None
        self.key_lines: dict[Any, int] = {}


# A key that starts a Fn::ForEach loop (AWS::LanguageExtensions; parsers/cfn/language.py expands it).
LOOP_PREFIX = "Fn::ForEach::"

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


class _CfnLoader(_BaseLoader):
    def flatten_mapping(self, node: Any) -> None:
        """PyYAML's merge-key (`<<`) flattening, remembering how many pairs came from merges.

        The merged pairs are put first and the mapping's own pairs after them, so an own key overrides a
        merged one (YAML's merge semantics, not a duplicate); `vr_merged` tells the duplicate check where the
        own pairs start. A node is flattened once: a second call finds no merge keys and would say 0.
        """
        if getattr(node, "vr_merged", None) is not None:
            return
        own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
        super().flatten_mapping(node)
        node.vr_merged = len(node.value) - own


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Mapping:
    # Maps inside the few values PyYAML builds itself (!!omap, !!pairs, !!set): the same checks as _Builder's.
    loader.flatten_mapping(node)
    merged = getattr(node, "vr_merged", 0)
    out = Mapping()
    out.line = node.start_mark.line + 1
    own: dict = {}
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        _check_key(key, key_node)
        if key in own:
            _duplicate(key, out.key_lines.get(key), key_node)
        if index >= merged:
            own[key] = True
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _check_key(key: Any, key_node: Any) -> None:
    if not isinstance(key, (str, int, float, bool)) and key is not None:
        raise InputError("", f"unsupported mapping key {type(key).__name__}", key_node.start_mark.line + 1)


def _duplicate(key: Any, first: int | None, key_node: Any) -> None:
    """A key given twice in one mapping: an error naming both lines, not last-wins.

    CloudFormation's own linter refuses duplicates while decoding ("E0000 Duplicate found", cfn-lint's
    decode/cfn_yaml.py and cfn_json.py); a template whose reviewer sees one value and whose deploy uses
    another must not pass silently. Merge keys are not duplicates: see `_CfnLoader.flatten_mapping`.
    """
    line = key_node.start_mark.line + 1
    if not isinstance(key, str):
        # `1:` and `true:` (or `1.0:`) are equal to Python but different names to CloudFormation, whose keys
        # are strings: the fix is quoting, not removing one.
        kind = "null" if key is None else "a boolean" if isinstance(key, bool) else "a number"
        earlier = f", equal to the key on line {first}" if first else ""
        raise InputError("", f"key {_shown(key)} is not a string (YAML reads it as {kind}{earlier}); quote it", line)
    where = f"lines {first} and {line}" if first else f"line {line}"
    raise InputError("", f"duplicate key {_shown(key)} ({where}); a key may appear once in a mapping", line)


def _shown(value: Any, limit: int = 60) -> str:
    """A value quoted for an error line, cut short when long."""
    text = repr(value)
    size = len(value) if isinstance(value, str) else len(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({size} characters)"


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
    elif isinstance(node, yaml.MappingNode):
        value = _construct_mapping(loader, node)
    else:  # the composer builds only the three kinds of node above
        raise yaml.constructor.ConstructorError(None, None, f"!{suffix} on an unexpected node", node.start_mark)
    out = Mapping({name: value})
    out.line = node.start_mark.line + 1
    out.key_lines[name] = out.line
    return out


_CfnLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_CfnLoader.add_multi_constructor("!", _construct_tag)


# A long string counts as one node per this many characters in the alias guard: a 1 MiB string anchored once
# and aliased a thousand times is a gigabyte of text to anything that copies it out (Fn::Join, a report).
_CHARS_PER_NODE = 64


def _alias_growth(root: Any) -> int:
    """How much larger the document would be with every YAML alias copied out, in nodes.

    Each container is sized once (a memo by identity), so this is linear in the parsed document however
    many times its parts are aliased. Strings of `_CHARS_PER_NODE` characters or more weigh one node per that
    many characters; the document's own size (each container and long string counted once) is subtracted,
    so a large template that merely uses an alias or two is not taken for a bomb.
    """
    memo: dict[int, int] = {}
    long_strings: set[int] = set()
    own = 0

    def size(value: Any, depth: int) -> int:
        nonlocal own
        if depth > MAX_DEPTH:
            raise RecursionError
        if isinstance(value, (dict, list)):
            key = id(value)
            if key in memo:
                return memo[key]
            own += 1
            total = 1
            for item in value.values() if isinstance(value, dict) else value:
                total += size(item, depth + 1)
            memo[key] = total
            return total
        if isinstance(value, str) and len(value) >= _CHARS_PER_NODE:
            weight = len(value) // _CHARS_PER_NODE
            if id(value) not in long_strings:
                long_strings.add(id(value))
                own += weight
            return weight
        own += 1
        return 1

    return size(root, 0) - own


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
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MERGE_TAGS = (_MERGE_TAG, "tag:yaml.org,2002:value")
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
        self.long_strings: set[int] = set()
        self.scalar_constructors = loader.yaml_constructors
        # What a CloudFormation template's keys hold, noted while they are built (KeyScan); None once a
        # value PyYAML builds itself (!!omap, !!set...) hides keys from this builder.
        self.odd_key: tuple[Any, int] | None = None
        self.loop_key = False
        self.complete = True

    def build(self, node: Any, depth: int) -> Any:
        tag = node.tag
        if node.__class__ is _ScalarNode:
            if tag == _STR:
                value = node.value
                if len(value) >= _CHARS_PER_NODE:
                    self._long_string(node)
                return value
            if tag[0] == "!":
                return self._tag(node, tag[1:], depth)
            constructor = self.scalar_constructors.get(tag)
            if constructor is None:
                return self.loader.construct_object(node, deep=True)  # raises PyYAML's "unsupported tag"
            try:
                return constructor(self.loader, node)
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                raise _bad_scalar(node, exc) from None
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
            self.complete = False
            try:
                out = self.loader.construct_object(node, deep=True)
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                raise _bad_scalar(node, exc) from None
        self.memo[key] = out
        return out

    def _long_string(self, node: Any) -> None:
        # A scalar node met twice is an alias to it: strings are not memoised like containers, so count
        # the long ones here (the alias guard weighs them by length; short ones cost what writing them out does).
        if id(node) in self.long_strings:
            self.aliases += 1
        else:
            self.long_strings.add(id(node))

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
        # Pairs before `merged` came from merge keys: an own key may override those (see flatten_mapping).
        merged = getattr(node, "vr_merged", 0)
        out = Mapping()
        out.line = node.start_mark.line + 1
        key_lines = out.key_lines
        build = self.build
        own = out if not merged else {}  # the keys a duplicate is looked up in: the mapping's own ones
        for index, (key_node, value_node) in enumerate(pairs):
            if key_node.__class__ is _ScalarNode and key_node.tag == _STR:
                key: Any = key_node.value
                if key.startswith(LOOP_PREFIX):
                    self.loop_key = True
            else:
                key = build(key_node, depth + 1)
                _check_key(key, key_node)
                if isinstance(key, str):
                    self.loop_key = self.loop_key or key.startswith(LOOP_PREFIX)
                elif self.odd_key is None:
                    self.odd_key = (key, key_node.start_mark.line + 1)
            if key in own:
                _duplicate(key, key_lines.get(key), key_node)
            if merged and index >= merged:
                own[key] = True
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


def _bad_scalar(node: Any, exc: Exception) -> InputError:
    """A value PyYAML's constructors cannot build (`!!int abc`, `!!timestamp nope`, an int over Python's
    4300-digit limit): one line naming where, not a traceback."""
    kind = node.tag.rsplit(":", 1)[-1] if node.tag.startswith("tag:yaml.org,2002:") else node.tag
    line = node.start_mark.line + 1
    if not isinstance(node, _ScalarNode):
        return InputError("", f"invalid !!{kind} value", line)
    if kind == "int" and "digits" in str(exc):
        return InputError("", f"integer {_shown(node.value)} is longer than the 4300 digits Python reads", line)
    detail = f" ({str(exc).splitlines()[0][:80]})" if kind == "timestamp" and isinstance(exc, ValueError) else ""
    return InputError("", f"{_shown(node.value)} is not a valid !!{kind}{detail}", line)


def _check_depth(depth: int, node: Any) -> None:
    # The same limit, counted the same way, as `_too_deep` applies to data read by the JSON fallback.
    if depth > MAX_DEPTH:
        raise InputError("", f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it", node.start_mark.line + 1)


_ScalarNode = yaml.ScalarNode
_SequenceNode = yaml.SequenceNode


@dataclass(frozen=True)
class KeyScan:
    """What the keys of a parsed template hold, noted while building it so the template is not walked again:
    the first key that is not a string (value and line), and whether any key starts a Fn::ForEach loop."""

    odd_key: tuple[Any, int] | None
    loops: bool


def _parse(text: str, cfn_tags: bool = True) -> tuple[Any, int, KeyScan | None]:
    """The document's data, how many aliases it used, and its keys' scan (None when not complete)."""
    loader = _CfnLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, 0, KeyScan(None, False)
        builder = _Builder(loader, cfn_tags)
        data = builder.build(node, 0)
        scan = KeyScan(builder.odd_key, builder.loop_key) if builder.complete else None
        return data, builder.aliases, scan
    finally:
        loader.dispose()


def _value_estimate(text: str) -> int:
    """About how many values (nodes) a YAML/JSON text holds, taken before parsing.

    A value starts or ends at a separator: `,` and `[`/`{` in flow style and JSON, `:` after a key, `-` before
    a block sequence item, a line break in block style. Over the corpus this count is 1.0 to 9 times the real
    node count, never below it; str.count makes it ~10 ms for 20 MiB.
    """
    return sum(map(text.count, (",", ":", "-", "\n", "[", "{"))) + 1


# The last document parsed, by path and text: the pre-commit path (vpcreach/integrations/precommit.py) parses
# a file to see whether it is a template, then the scan parses it again; the second parse of the largest
# template vpcreach accepts would double its ~4 s. Callers never mutate the data they get.
_last: tuple[str, str, Any, KeyScan | None] | None = None


def key_scan(data: Any) -> KeyScan | None:
    """The key scan of the document load_document() returned last, if `data` is that document."""
    return _last[3] if _last is not None and _last[2] is data else None


def load_document(text: str, path: str, cfn_tags: bool = True) -> Any:
    """Parse YAML (CloudFormation short tags allowed unless `cfn_tags` is false) or JSON into
    Mapping/list/scalars with lines."""
    global _last
    if cfn_tags and _last is not None and _last[0] == path and _last[1] == text:
        return _last[2]
    data, scan = _load_document(text, path, cfn_tags)
    if cfn_tags:
        _last = (path, text, data, scan)
    return data


def _load_document(text: str, path: str, cfn_tags: bool) -> tuple[Any, KeyScan | None]:
    if nesting_estimate(text) > MAX_DEPTH:
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it")
    values = _value_estimate(text)
    if values > MAX_NODES:
        raise InputError(
            path,
            f"about {values:,} values, more than the {MAX_NODES:,} vpcreach parses in one template "
            "(CloudFormation deploys templates of at most 1 MB); refusing to parse it",
        )
    aliases = 0
    scan: KeyScan | None = None
    try:
        data, aliases, scan = _parse(text, cfn_tags)
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
    try:
        growth = _alias_growth(data) if aliases else 0
    except RecursionError:
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels; refusing to parse it") from None
    if growth > MAX_ALIASES * 1000:
        # Long strings weigh one node per _CHARS_PER_NODE characters (see _alias_growth).
        raise InputError(path, "YAML aliases expand to more than a million nodes (alias bomb); refusing it")
    return data, scan


def _json_fallback(text: str, path: str, message: str, line: int | None) -> Any:
    # A few valid JSON files are not valid YAML 1.1 (tabs before keys, say); json reads them without lines.
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        except _DuplicateKey:
            raise _json_duplicate(text, path) from None
        except (ValueError, RecursionError):
            pass
        else:
            if _SURROGATE_ESCAPE.search(text):
                _refuse_lone_surrogates(text, path)
            return data
    raise InputError(path, message, line)


class _DuplicateKey(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _DuplicateKey
    return out


# A JSON string token, or one structural character; everything else (numbers, literals, space) is skipped.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def _json_tokens(text: str) -> Iterator[tuple[str, int]]:
    """(token, line) of every string and structural character of a JSON text, in order."""
    line, last = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        start = match.start()
        line += text.count("\n", last, start)
        last = start
        yield match.group(), line


def _json_duplicate(text: str, path: str) -> InputError:
    """The first key given twice in one JSON object, with both lines (json itself keeps no positions)."""
    objects: list[dict[str, int] | None] = []  # per open bracket: the keys seen so far (None for an array)
    pending: tuple[str, int] | None = None
    for token, line in _json_tokens(text):
        if token == ":" and pending is not None and objects and objects[-1] is not None:
            key, key_line = pending
            seen = objects[-1]
            if key in seen:
                return InputError(
                    path,
                    f"duplicate key {_shown(key)} (lines {seen[key]} and {key_line}); a key may appear once in a mapping",
                    key_line,
                )
            seen[key] = key_line
        pending = None
        if token == "{":
            objects.append({})
        elif token == "[":
            objects.append(None)
        elif token in "}]" and objects:
            objects.pop()
        elif token.startswith('"'):
            pending = (json.loads(token), line)
    return InputError(path, "duplicate key in a JSON object; a key may appear once in a mapping")


# A \uD800-\uDFFF escape: only then can json.loads have produced a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _refuse_lone_surrogates(text: str, path: str) -> None:
    """Refuse a JSON string holding half a UTF-16 surrogate pair (`"\\ud800"`).

    json accepts the escape, but the result is not Unicode text: it cannot be encoded as UTF-8, so it would
    crash whatever writes it later (a report, a SARIF file). A pair (`"\\ud83d\\ude00"`) decodes to one
    character and is fine.
    """
    for token, line in _json_tokens(text):
        if token.startswith('"') and _SURROGATE_ESCAPE.search(token):
            try:
                json.loads(token).encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(
                    path, "a string escapes half a UTF-16 surrogate pair (\\ud800-\\udfff alone is not text)", line
                ) from None
