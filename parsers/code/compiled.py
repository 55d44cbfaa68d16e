"""Java, Go and C# code: AWS SDK clients and HTTP calls with literal URLs, read with tree-sitter like JavaScript.

Narrower than the Python and JavaScript readers (issue 16: "where it extends cheaply"):

- Java: an import of an SDK client class (`software.amazon.awssdk.services.s3.S3Client`, v1
  `com.amazonaws.services.s3.AmazonS3ClientBuilder`) at its line; `S3Client.builder()`/`.create()` (v1
  `AmazonS3ClientBuilder.standard()`/`.defaultClient()`) of an imported class, kind "endpoint" when the chain
  sets `endpointOverride(URI.create("…"))`; HTTP: `HttpRequest.newBuilder(URI)`, `.uri(URI)`, `new URL(…)`,
  `new HttpGet/HttpPost/…(…)`, and `.uri(…)`/OkHttp `.url(…)` with a URL whose literal starts with http(s)://.
- Go: an import of `github.com/aws/aws-sdk-go-v2/service/X` (or v1 `aws-sdk-go/service/X`) at its line;
  `X.NewFromConfig(…)`/`X.New(…)`, kind "endpoint" when its options set `BaseEndpoint` to a literal; HTTP:
  `http.Get/Head/Post/PostForm(url)`, `http.NewRequest(method, url, …)`, `http.NewRequestWithContext`.
- C#: `new AmazonXClient(…)` and `AmazonXClient x = new(…)` (kind "endpoint" with a literal `ServiceURL` in its config initialiser); HTTP:
  `new Uri("…")` as an `HttpClient`'s `BaseAddress`, `new HttpRequestMessage(method, url)`, and
  `GetAsync`/`PostAsync`/… called with a URL whose literal starts with http:// or https:// (the receiver's
  type is not tracked, so only an absolute URL counts). `using Amazon.Lambda.Core` is the runtime, not a client.

A URL is its literal parts with `{}` for the rest (`+`, string interpolation, `String.format`/`fmt.Sprintf`/
`string.Format` patterns); a name counts when the file declares it exactly once and never assigns it.
"""

from __future__ import annotations

from typing import Any

from .evidence import HOLE, CodeEvidence, format_holes, one_line, percent_holes, service_id, useful_url
from .grammars import TooBroken, captures, parse

MAX_RESOLVE_DEPTH = 32  # names and operators followed to resolve one value

_HTTP_VERBS_CS = frozenset(
    {"GetAsync", "PostAsync", "PutAsync", "PatchAsync", "DeleteAsync", "GetStringAsync", "GetByteArrayAsync"}
    | {"GetStreamAsync", "GetFromJsonAsync", "PostAsJsonAsync", "PutAsJsonAsync", "PatchAsJsonAsync"}
)
_JAVA_HTTP_CLASSES = frozenset({"URL", "HttpGet", "HttpPost", "HttpPut", "HttpPatch", "HttpDelete", "HttpHead"})


def _text(node: Any) -> str:
    return bytes(node.text).decode("utf-8", "replace")


def _absolute(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


class _Base:
    language = ""
    pattern = ""

    def __init__(self, root: Any, file: str, first_line: int) -> None:
        self.file = file
        self.offset = first_line - 1
        self.found: dict[str, list[Any]] = captures(self.language, self.pattern, root)
        self.assigned = {_text(node) for node in self.found.get("assigned", [])}
        self.declared: dict[str, list[Any]] = {}

    def declare(self, name: Any, value: Any) -> None:
        if name is not None:
            self.declared.setdefault(_text(name), []).append(value)

    def value_of(self, name: str) -> Any:
        values = self.declared.get(name)
        if name in self.assigned or values is None or len(values) != 1:
            return None
        return values[0]

    def make(self, node: Any, kind: str, service: str, url: str) -> CodeEvidence:
        return CodeEvidence(kind, service, url, self.file, node.start_point[0] + 1 + self.offset, one_line(_text(node)))

    # Per language: the content of a string literal node (or a call that wraps one), else None.
    def literal(self, node: Any, depth: int) -> str | None:
        raise NotImplementedError

    # Per language: the evidence in the file.
    def evidence(self) -> list[CodeEvidence]:
        raise NotImplementedError

    def url(self, node: Any, depth: int = 0) -> str | None:
        """The literal parts of a string value, `{}` for the parts that are not literal; None when no part is."""
        if node is None or depth > MAX_RESOLVE_DEPTH:
            return None
        while node.type in ("parenthesized_expression", "argument") and node.named_children:
            node = node.named_children[0]
        literal = self.literal(node, depth)
        if literal is not None:
            return literal
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
            return self.url(self.value_of(_text(node)), depth + 1)
        return None


# --- Java ---------------------------------------------------------------------------------------------------
class _Java(_Base):
    language = "java"
    pattern = """
(import_declaration) @import
(method_invocation) @call
(object_creation_expression) @new
(variable_declarator) @declarator
(assignment_expression left: (identifier) @assigned)
"""

    def __init__(self, root: Any, file: str, first_line: int) -> None:
        super().__init__(root, file, first_line)
        self.classes: dict[str, str] = {}  # SDK client class imported → its service
        self.wildcards: set[str] = set()  # services whose whole package is imported
        for declarator in self.found.get("declarator", []):
            self.declare(declarator.child_by_field_name("name"), declarator.child_by_field_name("value"))

    @staticmethod
    def _sdk_import(path: str) -> tuple[str, str] | None:
        """(service, class) of an SDK client import (`*` for a whole package), else None."""
        for prefix in ("software.amazon.awssdk.services.", "com.amazonaws.services."):
            if path.startswith(prefix):
                parts = path[len(prefix) :].split(".")
                if len(parts) == 2 and (parts[1] == "*" or "Client" in parts[1]):
                    return service_id(parts[0]), parts[1]
        return None

    def literal(self, node: Any, depth: int) -> str | None:
        if node.type == "string_literal":
            return "".join(_text(child) for child in node.named_children)
        if node.type == "method_invocation":
            obj, name = node.child_by_field_name("object"), node.child_by_field_name("name")
            args = _args(node)
            call = f"{_text(obj)}.{_text(name)}" if obj is not None and name is not None else ""
            if call in ("URI.create", "String.format") and args:
                pattern = self.url(args[0], depth + 1)
                if pattern is None:
                    return None
                return percent_holes(pattern) if call == "String.format" else pattern
        if node.type == "object_creation_expression":
            kind = node.child_by_field_name("type")
            args = _args(node)
            if kind is not None and _text(kind) in ("URI", "java.net.URI") and args:
                return self.url(args[0], depth + 1)
        return None

    def evidence(self) -> list[CodeEvidence]:
        out = []
        for statement in self.found.get("import", []):
            path = "".join(_text(child) for child in statement.named_children if child.type != "comment")
            path = path.replace(" ", "")
            if any(child.type == "asterisk" for child in statement.children):
                path += ".*"
            found = self._sdk_import(path)
            if found is None:
                continue
            service, cls = found
            if cls == "*":
                self.wildcards.add(service)
            else:
                self.classes[cls] = service
                out.append(self.make(statement, "sdk", service, ""))
        for call in self.found.get("call", []):
            obj, name = call.child_by_field_name("object"), call.child_by_field_name("name")
            method = _text(name) if name is not None else ""
            args = _args(call)
            if (
                obj is not None
                and obj.type == "identifier"
                and method in ("builder", "create", "standard", "defaultClient")
            ):
                client = self._client_service(_text(obj))
                if client is not None:
                    endpoint = self._endpoint_in_chain(call)
                    if endpoint is not None:
                        out.append(self.make(call, "endpoint", client, endpoint))
                    else:
                        out.append(self.make(call, "sdk", client, ""))
                continue
            http = (obj is not None and _text(obj) == "HttpRequest" and method == "newBuilder") or method in (
                "uri",
                "url",
            )
            if http and args:
                url = self.url(args[0])
                if url is not None and useful_url(url) and (method not in ("url", "uri") or _absolute(url)):
                    out.append(self.make(call, "http", "", url))
        for new in self.found.get("new", []):
            kind = new.child_by_field_name("type")
            args = _args(new)
            if kind is not None and _text(kind) in _JAVA_HTTP_CLASSES and args:
                url = self.url(args[0])
                if url is not None and useful_url(url):
                    out.append(self.make(new, "http", "", url))
        return out

    def _client_service(self, cls: str) -> str | None:
        if cls in self.classes:
            return self.classes[cls]
        for suffix in ("AsyncClientBuilder", "ClientBuilder", "AsyncClient", "Client"):
            if cls.endswith(suffix):
                base = cls[: -len(suffix)]
                base = base[6:] if base.startswith("Amazon") else base
                service = service_id(base)
                return service if service in self.wildcards else None
        return None

    def _endpoint_in_chain(self, call: Any) -> str | None:
        """The literal of `.endpointOverride(URI.create("…"))` (v1: `.withEndpointConfiguration(new
        EndpointConfiguration("…", region))`) further along the builder chain `call` starts."""
        current = call
        for _ in range(MAX_RESOLVE_DEPTH):
            parent = current.parent
            if parent is None or parent.type != "method_invocation" or parent.child_by_field_name("object") != current:
                return None
            name = parent.child_by_field_name("name")
            args = _args(parent)
            if name is not None and args and _text(name) in ("endpointOverride", "withEndpointConfiguration"):
                arg = args[0]
                if arg.type == "object_creation_expression" and _args(arg):
                    arg = _args(arg)[0]
                url = self.url(arg)
                return url if url is not None and useful_url(url) else None
            current = parent
        return None


# --- Go -----------------------------------------------------------------------------------------------------
class _Go(_Base):
    language = "go"
    pattern = """
(import_spec) @import
(call_expression) @call
(const_spec) @declaration
(var_spec) @declaration
(short_var_declaration) @short
(assignment_statement left: (expression_list (identifier) @assigned))
"""

    def __init__(self, root: Any, file: str, first_line: int) -> None:
        super().__init__(root, file, first_line)
        self.packages: dict[str, str] = {}  # package name in this file → its import path
        for spec in self.found.get("declaration", []):
            names = [child for child in spec.children if child.type == "identifier"]
            values = spec.child_by_field_name("value")
            items = values.named_children if values is not None else []
            for i, name in enumerate(names):
                self.declare(name, items[i] if len(names) == len(items) else None)
        for short in self.found.get("short", []):
            left, right = short.child_by_field_name("left"), short.child_by_field_name("right")
            names = left.named_children if left is not None else []
            items = right.named_children if right is not None else []
            for i, name in enumerate(names):
                self.declare(name, items[i] if len(names) == len(items) else None)

    def literal(self, node: Any, depth: int) -> str | None:
        if node.type == "interpreted_string_literal":
            return "".join(_text(child) for child in node.named_children)
        if node.type == "raw_string_literal":
            return _text(node)[1:-1]
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            args = _args(node)
            if function is not None and _text(function) in ("fmt.Sprintf", "aws.String") and args:
                pattern = self.url(args[0], depth + 1)
                if pattern is None:
                    return None
                return percent_holes(pattern) if _text(function) == "fmt.Sprintf" else pattern
        return None

    def evidence(self) -> list[CodeEvidence]:
        out = []
        for spec in self.found.get("import", []):
            path_node = spec.child_by_field_name("path")
            path = self.literal(path_node, 0) if path_node is not None else None
            if path is None:
                continue
            name_node = spec.child_by_field_name("name")
            name = _text(name_node) if name_node is not None else path.rstrip("/").split("/")[-1]
            self.packages[name] = path
            service = _go_service(path)
            if service is not None:
                out.append(self.make(spec, "sdk", service, ""))
        for call in self.found.get("call", []):
            function = call.child_by_field_name("function")
            if function is None or function.type != "selector_expression":
                continue
            operand, field = function.child_by_field_name("operand"), function.child_by_field_name("field")
            if operand is None or field is None or operand.type != "identifier":
                continue
            path, method = self.packages.get(_text(operand)), _text(field)
            args = _args(call)
            service = _go_service(path) if path is not None else None
            if service is not None and method in ("NewFromConfig", "New"):
                endpoint = self._base_endpoint(call)
                if endpoint is not None:
                    out.append(self.make(call, "endpoint", service, endpoint))
                else:
                    out.append(self.make(call, "sdk", service, ""))
            elif path == "net/http":
                index = {"Get": 0, "Head": 0, "Post": 0, "PostForm": 0, "NewRequest": 1, "NewRequestWithContext": 2}
                position = index.get(method)
                if position is not None and len(args) > position:
                    url = self.url(args[position])
                    if url is not None and useful_url(url):
                        out.append(self.make(call, "http", "", url))
        return out

    def _base_endpoint(self, call: Any) -> str | None:
        """A literal `o.BaseEndpoint = aws.String("…")` in the options functions of a client constructor."""
        for assignment in captures(self.language, "(assignment_statement) @a", call).get("a", []):
            left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
            if left is None or right is None or not _text(left).endswith(".BaseEndpoint") or not right.named_children:
                continue
            url = self.url(right.named_children[0])
            if url is not None and useful_url(url):
                return url
        return None


def _go_service(path: str) -> str | None:
    for prefix in ("github.com/aws/aws-sdk-go-v2/service/", "github.com/aws/aws-sdk-go/service/"):
        if path.startswith(prefix):
            rest = path[len(prefix) :].split("/")
            return service_id(rest[0]) if len(rest) == 1 and rest[0] else None
    return None


# --- C# -----------------------------------------------------------------------------------------------------
class _CSharp(_Base):
    language = "csharp"
    pattern = """
(object_creation_expression) @new
(implicit_object_creation_expression) @new
(invocation_expression) @call
(variable_declarator) @declarator
(assignment_expression left: (identifier) @assigned)
"""

    def __init__(self, root: Any, file: str, first_line: int) -> None:
        super().__init__(root, file, first_line)
        for declarator in self.found.get("declarator", []):
            name = declarator.child_by_field_name("name")
            values = [child for child in declarator.named_children if child != name]
            self.declare(name, values[-1] if values else None)

    def literal(self, node: Any, depth: int) -> str | None:
        if node.type in ("string_literal", "verbatim_string_literal", "raw_string_literal"):
            if node.type == "string_literal":
                return "".join(_text(child) for child in node.named_children)
            text = _text(node)
            return text[2:-1] if node.type == "verbatim_string_literal" else text.strip('"')
        if node.type == "interpolated_string_expression":
            parts = []
            for child in node.named_children:
                if child.type == "string_content":
                    parts.append(_text(child))
                elif child.type == "interpolation":
                    parts.append(HOLE)
            return "".join(parts)
        if node.type == "invocation_expression":
            function = node.child_by_field_name("function")
            args = _args(node)
            if function is not None and _text(function) in ("string.Format", "String.Format") and args:
                pattern = self.url(args[0], depth + 1)
                return format_holes(pattern) if pattern is not None else None
        if node.type == "object_creation_expression":
            kind = node.child_by_field_name("type")
            args = _args(node)
            if kind is not None and _text(kind) in ("Uri", "System.Uri") and args:
                return self.url(args[0], depth + 1)
        return None

    def evidence(self) -> list[CodeEvidence]:
        out = []
        for new in self.found.get("new", []):
            kind = new.child_by_field_name("type") or _declared_type(new)
            cls = _text(kind).split(".")[-1] if kind is not None else ""
            args = _args(new)
            if cls.startswith("Amazon") and cls.endswith("Client") and len(cls) > len("AmazonClient"):
                service = service_id(cls[len("Amazon") : -len("Client")])
                endpoint = self._initialised(args, ("ServiceURL",))
                # A target-typed new() shows as its declaration (`AmazonS3Client s3 = new()`).
                where = new if new.child_by_field_name("type") is not None else kind.parent
                if endpoint is not None:
                    out.append(self.make(where, "endpoint", service, endpoint))
                else:
                    out.append(self.make(where, "sdk", service, ""))
            elif cls == "HttpClient":
                url = self._initialised([new], ("BaseAddress",))
                if url is not None:
                    out.append(self.make(new, "http", "", url))
            elif cls == "HttpRequestMessage" and len(args) > 1:
                url = self.url(args[1])
                if url is not None and useful_url(url):
                    out.append(self.make(new, "http", "", url))
        for call in self.found.get("call", []):
            function = call.child_by_field_name("function")
            name = function.child_by_field_name("name") if function is not None else None
            args = _args(call)
            if name is None or _text(name) not in _HTTP_VERBS_CS or not args:
                continue
            url = self.url(args[0])
            if url is not None and _absolute(url):
                out.append(self.make(call, "http", "", url))
        return out

    def _initialised(self, nodes: list[Any], keys: tuple[str, ...]) -> str | None:
        """A literal URL that an object initialiser (`new X { ServiceURL = "…" }`) among `nodes` (or their
        arguments, one level down) sets one of `keys` to."""
        candidates = list(nodes)
        for node in nodes:
            inner = node.named_children[0] if node.type == "argument" and node.named_children else node
            candidates.append(inner)
            candidates.extend(_args(inner) if inner.type == "object_creation_expression" else [])
        for node in candidates:
            node = node.named_children[0] if node.type == "argument" and node.named_children else node
            if node.type != "object_creation_expression":
                continue
            initializer = node.child_by_field_name("initializer")
            for assignment in initializer.named_children if initializer is not None else []:
                left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
                if assignment.type == "assignment_expression" and left is not None and _text(left) in keys:
                    url = self.url(right)
                    if url is not None and useful_url(url):
                        return url
        return None


def _declared_type(node: Any) -> Any:
    """The declared type a C# target-typed `new()` creates (`AmazonS3Client s3 = new();`), else None."""
    declarator = node.parent
    declaration = declarator.parent if declarator is not None and declarator.type == "variable_declarator" else None
    return declaration.child_by_field_name("type") if declaration is not None else None


def _args(node: Any) -> list[Any]:
    arguments = node.child_by_field_name("arguments")
    if arguments is None:  # C#'s target-typed new() has its argument list unnamed
        arguments = next((child for child in node.named_children if child.type == "argument_list"), None)
    if arguments is None:
        return []
    return [child for child in arguments.named_children if "comment" not in child.type]


_READERS: dict[str, type[_Base]] = {"java": _Java, "go": _Go, "csharp": _CSharp}


def read_compiled(
    source: bytes, file: str, language: str, first_line: int = 1, deadline: float | None = None
) -> tuple[list[CodeEvidence], list[str]]:
    """The evidence in one Java, Go or C# source (`language`: java, go, csharp), sorted by line, and a note when
    the parse had errors (tree-sitter recovers around a few; more than MAX_ERROR_NODES is a note instead).
    Timeout when time.monotonic() passes `deadline` in the parse."""
    try:
        tree = parse(language, source, deadline)
    except TooBroken as exc:
        return [], [f"{file}: too many syntax errors to read ({exc}); not read"]
    reader = _READERS[language](tree.root_node, file, first_line)
    found = sorted(set(reader.evidence()), key=lambda e: (e.line, e.kind, e.service, e.url))
    notes = [f"{file}: has syntax errors; read around them"] if tree.root_node.has_error else []
    return found, notes


__all__ = ["read_compiled"]
