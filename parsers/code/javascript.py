"""JavaScript and TypeScript code: AWS SDK clients and HTTP calls with literal URLs, read with tree-sitter.

- SDK v3: an import or `require` of `@aws-sdk/client-X` is evidence at that line (a type-only import is not);
  `new XClient(...)` of a class imported from it is evidence too, kind "endpoint" when its options name a
  literal `endpoint`. SDK v2: `new AWS.S3()`, `new AWS.DynamoDB.DocumentClient()`, `new (require("aws-sdk").S3)()`,
  a class imported from `aws-sdk`, and `aws-sdk/clients/s3` imports.
- HTTP: `fetch` (global, node-fetch, cross-fetch, undici), `axios(...)`/`axios.get`/`axios.create({baseURL})`,
  `got`, `https`/`http` `.get`/`.request` (a URL or options with `hostname`/`host`), `superagent`, `ky`.
- A custom resource's `cfn-response` `send` is a call to S3 (its ResponseURL is an S3 presigned URL).
- A URL is its literal parts, with `{}` for each template substitution or operand that is not a literal; a
  name counts when the nearest enclosing block declares it exactly once and nothing assigns it.

The tree is searched with tree-sitter queries (run in C) rather than walked in Python, and every recursive
step is bounded by MAX_RESOLVE_DEPTH, so deeply nested code costs neither a RecursionError nor Python time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .evidence import HOLE, CodeEvidence, js_v2_service, js_v3_service, one_line, useful_url
from .grammars import TooBroken, captures, parse

MAX_RESOLVE_DEPTH = 32  # identifiers and operators followed to resolve one value (`a = b; b = a` stops)
MAX_SCOPE_STEPS = 256  # ancestors walked to find the scope of a name: code nested deeper is not resolved

_PATTERN = """
(import_statement) @import
(call_expression) @call
(new_expression) @new
(variable_declarator) @declarator
(assignment_expression left: (identifier) @assigned)
(augmented_assignment_expression left: (identifier) @assigned)
(update_expression argument: (identifier) @assigned)
"""

# Nodes that hold the declarations visible below them.
_SCOPES = frozenset(
    {"program", "statement_block", "class_body", "switch_body", "for_statement", "for_in_statement"}
    | {"arrow_function", "function_expression", "function_declaration", "method_definition"}
)

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
_URL_KEYS = ("url", "baseURL", "prefixUrl", "hostname", "host")
# HTTP calls: (module, member; "*" for the module itself) → where the URL is: "arg0" (a string, or an options
# object's url/baseURL/hostname/host), "arg1" (after the method).
_HTTP_CALLS: dict[tuple[str, str], str] = {
    ("", "fetch"): "arg0",
    ("node-fetch", "*"): "arg0",
    ("node-fetch", "default"): "arg0",
    ("cross-fetch", "*"): "arg0",
    ("cross-fetch", "fetch"): "arg0",
    ("undici", "fetch"): "arg0",
    ("undici", "request"): "arg0",
    ("axios", "*"): "arg0",
    ("axios", "request"): "arg0",
    ("axios", "create"): "arg0",
    **{("axios", v): "arg0" for v in _VERBS},
    ("got", "*"): "arg0",
    **{("got", v): "arg0" for v in _VERBS},
    ("ky", "*"): "arg0",
    **{("ky", v): "arg0" for v in _VERBS},
    **{("superagent", v): "arg0" for v in _VERBS},
    ("superagent", "*"): "arg1",
    ("https", "get"): "arg0",
    ("https", "request"): "arg0",
    ("http", "get"): "arg0",
    ("http", "request"): "arg0",
}
_V3_NOT_CLIENTS = ("Command", "Exception", "Error", "Paginator")
# A custom resource's reply: cfn-response's send "sends a response object to a custom resource by way of an
# Amazon S3 presigned URL (the ResponseURL)" (CloudFormation User Guide, "cfn-response module"): a call to S3.
_S3_RESPONSE_CALLS = frozenset({("cfn-response", "send")})


def _text(node: Any) -> str:
    return bytes(node.text).decode("utf-8", "replace")


def _unwrap(node: Any) -> Any:
    """The expression inside parentheses, `as`/`satisfies`/`!` and `await`."""
    for _ in range(MAX_RESOLVE_DEPTH):
        if node is None or node.type not in (
            "parenthesized_expression",
            "as_expression",
            "satisfies_expression",
            "non_null_expression",
            "await_expression",
            "type_assertion",
        ):
            return node
        node = node.named_children[0] if node.named_children else None
    return node


def _string(node: Any) -> str | None:
    """The content of a string literal node, None for any other node."""
    if node is None or node.type != "string":
        return None
    return "".join(_text(child) for child in node.named_children)


def _args(call: Any) -> list[Any]:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "arguments":
        return []
    return [child for child in arguments.named_children if child.type != "comment"]


def _scope_of(node: Any) -> Any:
    """The nearest enclosing scope node; None past MAX_SCOPE_STEPS ancestors (deeply nested code is left
    unresolved rather than walked for every name in it)."""
    current = node.parent
    for _ in range(MAX_SCOPE_STEPS):
        if current is None or current.type in _SCOPES:
            return current
        current = current.parent
    return None


def _key(node: Any) -> tuple[int, int]:
    return (node.start_byte, node.end_byte)


class _Reader:
    def __init__(self, root: Any, dialect: str, file: str, first_line: int) -> None:
        self.file = file
        self.offset = first_line - 1
        found = captures(dialect, _PATTERN, root)
        self.imports: list[Any] = found.get("import", [])
        self.calls: list[Any] = found.get("call", [])
        self.news: list[Any] = found.get("new", [])
        self.assigned = {_text(node) for node in found.get("assigned", [])}
        # name → (module, member): what a name imported or required stands for ("*" is the module itself).
        self.bindings: dict[str, tuple[str, str]] = {}
        # (scope, name) → the values the declarations of `name` in that scope give it.
        self.declared: dict[tuple[tuple[int, int], str], list[Any]] = {}
        for statement in self.imports:
            self._import_bindings(statement)
        for declarator in found.get("declarator", []):
            self._declaration(declarator)

    # --- what names stand for -----------------------------------------------------------------------------
    def _import_bindings(self, statement: Any) -> None:
        source = _string(statement.child_by_field_name("source"))
        for clause in statement.named_children:
            if clause.type == "import_require_clause":  # TypeScript: import x = require("m")
                name = clause.named_children[0] if clause.named_children else None
                module = _string(clause.child_by_field_name("source"))
                if name is not None and module is not None:
                    self.bindings[_text(name)] = (_module(module), "*")
            if clause.type != "import_clause" or source is None:
                continue
            module = _module(source)
            for part in clause.named_children:
                if part.type == "identifier":
                    self.bindings[_text(part)] = (module, "*")
                elif part.type == "namespace_import":
                    for name in part.named_children:
                        self.bindings[_text(name)] = (module, "*")
                elif part.type == "named_imports":
                    for spec in part.named_children:
                        if spec.type != "import_specifier":
                            continue
                        imported = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias") or imported
                        if imported is not None and alias is not None:
                            self.bindings[_text(alias)] = (module, _text(imported))

    def _declaration(self, declarator: Any) -> None:
        name = declarator.child_by_field_name("name")
        value = _unwrap(declarator.child_by_field_name("value"))
        if name is None:
            return
        required = self._required(value)
        if required is not None:
            module, member = required
            if name.type == "identifier":
                self.bindings[_text(name)] = (module, member)
            elif name.type == "object_pattern" and member == "*":
                for part in name.named_children:
                    if part.type == "shorthand_property_identifier_pattern":
                        self.bindings[_text(part)] = (module, _text(part))
                    elif part.type == "pair_pattern":
                        key, bound = part.child_by_field_name("key"), part.child_by_field_name("value")
                        if key is not None and bound is not None and bound.type == "identifier":
                            self.bindings[_text(bound)] = (module, _text(key))
            return
        if name.type == "identifier":
            scope = _scope_of(declarator)
            if scope is not None:
                self.declared.setdefault((_key(scope), _text(name)), []).append(value)

    def _required(self, node: Any) -> tuple[str, str] | None:
        """(module, member) for `require("m")`, `await import("m")` or `require("m").X`, else None."""
        node = _unwrap(node)
        if node is None:
            return None
        if node.type == "member_expression":
            inner = self._required(node.child_by_field_name("object"))
            prop = node.child_by_field_name("property")
            if inner is not None and inner[1] == "*" and prop is not None:
                return inner[0], _text(prop)
            return None
        module = self._loaded_module(node)
        return (module, "*") if module is not None else None

    @staticmethod
    def _loaded_module(node: Any) -> str | None:
        """The module `require("m")` or `import("m")` loads, else None."""
        if node is None or node.type != "call_expression":
            return None
        function = node.child_by_field_name("function")
        if (
            function is None
            or function.type not in ("identifier", "import")
            or _text(function) not in ("require", "import")
        ):
            return None
        args = _args(node)
        module = _string(args[0]) if args else None
        return _module(module) if module is not None else None

    def _value(self, identifier: Any) -> Any:
        """The one value a name is declared with in the nearest enclosing scope declaring it, else None."""
        name = _text(identifier)
        if name in self.assigned:
            return None
        scope = _scope_of(identifier)
        for _ in range(MAX_SCOPE_STEPS):
            if scope is None:
                break
            values = self.declared.get((_key(scope), name))
            if values is not None:
                return values[0] if len(values) == 1 else None
            scope = _scope_of(scope)
        return None

    def url(self, node: Any, depth: int = 0) -> str | None:
        """The literal parts of a string value, `{}` for each part that is not literal; None when no part is."""
        node = _unwrap(node)
        if node is None or depth > MAX_RESOLVE_DEPTH:
            return None
        if node.type == "string":
            return _string(node)
        if node.type == "template_string":
            parts = []
            for child in node.named_children:
                if child.type == "template_substitution":
                    inner = child.named_children[0] if child.named_children else None
                    value = self.url(inner, depth + 1) if inner is not None else None
                    parts.append(value if value is not None else HOLE)
                else:
                    parts.append(_text(child))
            return "".join(parts)
        if node.type == "binary_expression":
            operator = node.child_by_field_name("operator")
            if operator is None or _text(operator) != "+":
                return None
            left = self.url(node.child_by_field_name("left"), depth + 1)
            right = self.url(node.child_by_field_name("right"), depth + 1)
            if left is None and right is None:
                return None
            return (left if left is not None else HOLE) + (right if right is not None else HOLE)
        if node.type == "identifier":
            return self.url(self._value(node), depth + 1)
        if node.type == "new_expression":  # new URL("https://…")
            constructor = node.child_by_field_name("constructor")
            args = _args(node)
            if constructor is not None and _text(constructor) == "URL" and args:
                return self.url(args[0], depth + 1)
        return None

    def _option(self, node: Any, keys: tuple[str, ...], depth: int = 0) -> str | None:
        """The first of `keys` an object literal (or a name declared as one) sets to a string value."""
        node = _unwrap(node)
        if node is not None and node.type == "identifier" and depth < MAX_RESOLVE_DEPTH:
            return self._option(self._value(node), keys, depth + 1)
        if node is None or node.type != "object":
            return None
        pairs = {}
        for pair in node.named_children:
            if pair.type == "pair":
                key = pair.child_by_field_name("key")
                if key is not None:
                    name = _string(key) if key.type == "string" else _text(key)
                    pairs[name] = pair.child_by_field_name("value")
        for key in keys:
            if key in pairs:
                value = self.url(pairs[key], depth + 1)
                if value is not None:
                    return value
        return None

    # --- what a callee or constructor stands for ----------------------------------------------------------
    def callee(self, node: Any) -> tuple[str, str] | None:
        """(module, member) a callee stands for: `axios.get` → ("axios", "get"), global `fetch` → ("", "fetch")."""
        node = _unwrap(node)
        if node is None:
            return None
        if node.type == "identifier":
            name = _text(node)
            if name in self.bindings:
                return self.bindings[name]
            return ("", name) if name == "fetch" else None
        if node.type == "member_expression":
            obj = _unwrap(node.child_by_field_name("object"))
            prop = node.child_by_field_name("property")
            if obj is None or prop is None:
                return None
            if obj.type == "identifier":
                name = _text(obj)
                if name in self.bindings and self.bindings[name][1] in ("*", "default"):
                    return (self.bindings[name][0], _text(prop))
                if name in ("globalThis", "window", "self") and _text(prop) == "fetch":
                    return ("", "fetch")
                return None
            required = self._required(obj)
            if required is not None and required[1] == "*":
                return (required[0], _text(prop))
        return None

    def _constructed_service(self, constructor: Any) -> str | None:
        """The service a `new` expression builds a client of, None when it is not an SDK client."""
        node = _unwrap(constructor)
        if node is None:
            return None
        if node.type == "identifier":
            binding = self.bindings.get(_text(node))
            if binding is None:
                return None
            module, member = binding
            service = js_v3_service(module)
            if service is not None:
                return None if member.endswith(_V3_NOT_CLIENTS) else service
            if module == "aws-sdk" and member not in ("*", "default"):
                return js_v2_service(member)
            return None
        if node.type != "member_expression":
            return None
        # The leftmost object and the member right after it: AWS.DynamoDB.DocumentClient → (AWS, DynamoDB).
        members = []
        current = node
        for _ in range(MAX_RESOLVE_DEPTH):
            if current is None or current.type != "member_expression":
                break
            prop = current.child_by_field_name("property")
            members.append(_text(prop) if prop is not None else "")
            current = _unwrap(current.child_by_field_name("object"))
        if current is None or not members:
            return None
        first = members[-1]
        if current.type == "identifier":
            binding = self.bindings.get(_text(current))
            if binding is None or binding[1] not in ("*", "default"):
                return None
            module = binding[0]
        else:
            required = self._required(current)
            if required is None or required[1] != "*":
                return None
            module = required[0]
        if module == "aws-sdk":
            return js_v2_service(first)
        service = js_v3_service(module)
        if service is not None and not node_member_is_command(members[0]):
            return service
        return None

    # --- evidence -----------------------------------------------------------------------------------------
    def evidence(self) -> Iterator[CodeEvidence]:
        for statement in self.imports:
            if any(child.type == "type" for child in statement.children):  # import type {...}: no code
                continue
            source = _string(statement.child_by_field_name("source"))
            service = js_v3_service(_module(source)) if source is not None else None
            if service is not None:
                yield self._make(statement, "sdk", service, "")
        for call in self.calls:
            module = self._loaded_module(call)
            if module is not None:
                service = js_v3_service(module)
                if service is not None:
                    yield self._make(call, "sdk", service, "")
                continue
            target = self.callee(call.child_by_field_name("function"))
            if target is None:
                continue
            if target in _S3_RESPONSE_CALLS:
                yield self._make(call, "sdk", "s3", "")
                continue
            where = _HTTP_CALLS.get(target)
            if where is None:
                continue
            args = _args(call)
            index = 1 if where == "arg1" else 0
            arg = args[index] if len(args) > index else None
            url = self.url(arg)
            if url is None:
                url = self._option(arg, _URL_KEYS)
            if url is not None and useful_url(url):
                yield self._make(call, "http", "", url)
        for new in self.news:
            service = self._constructed_service(new.child_by_field_name("constructor"))
            if service is None:
                continue
            args = _args(new)
            endpoint = self._option(args[0], ("endpoint",)) if args else None
            if endpoint is not None and useful_url(endpoint):
                yield self._make(new, "endpoint", service, endpoint)
            else:
                yield self._make(new, "sdk", service, "")

    def _make(self, node: Any, kind: str, service: str, url: str) -> CodeEvidence:
        return CodeEvidence(kind, service, url, self.file, node.start_point[0] + 1 + self.offset, one_line(_text(node)))


def node_member_is_command(member: str) -> bool:
    return member.endswith(_V3_NOT_CLIENTS)


def _module(name: str) -> str:
    """A module name without Node's `node:` prefix (`node:https` is `https`)."""
    return name[5:] if name.startswith("node:") else name


def dialect_of(file: str) -> str:
    """The grammar of a file by its extension: tsx for .tsx, typescript for .ts/.mts/.cts, else javascript."""
    lowered = file.lower()
    if lowered.endswith(".tsx"):
        return "tsx"
    if lowered.endswith((".ts", ".mts", ".cts")):
        return "typescript"
    return "javascript"


def read_javascript(
    source: bytes, file: str, first_line: int = 1, dialect: str = "javascript", deadline: float | None = None
) -> tuple[list[CodeEvidence], list[str]]:
    """The evidence in one JavaScript or TypeScript source (`dialect`: javascript, typescript or tsx), sorted
    by line, and notes (a parse with a few errors is still read: tree-sitter recovers around them; one with
    more than MAX_ERROR_NODES in errors is not). Timeout when time.monotonic() passes `deadline` in the parse."""
    try:
        tree = parse(dialect, source, deadline)
    except TooBroken as exc:
        return [], [f"{file}: too many syntax errors to read ({exc}); not read"]
    found = sorted(set(_Reader(tree.root_node, dialect, file, first_line).evidence()), key=_order)
    notes = []
    if tree.root_node.has_error:
        notes.append(f"{file}: has syntax errors; read around them")
    return found, notes


def _order(evidence: CodeEvidence) -> tuple[int, str, str, str]:
    return (evidence.line, evidence.kind, evidence.service, evidence.url)
