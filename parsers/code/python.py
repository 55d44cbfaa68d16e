"""Python code: AWS SDK clients and HTTP calls with literal URLs, read with the standard `ast` module.

A call is recognised by the dotted name its callee resolves to through the file's imports and the names
assigned once in the enclosing scopes: `import boto3 as b; s = b.Session(); s.client("sqs")` is
`boto3.Session().client`. A URL argument is its literal parts, with `{}` for every part that is not a literal
(f-string fields, names that are not constants, calls); a name counts when its scope (or an enclosing one)
assigns it exactly once. Nothing is evaluated. A custom resource's reply (`cfnresponse.send`, crhelper) is
a call to S3.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from .evidence import HOLE, CodeEvidence, format_holes, one_line, percent_holes, useful_url

MAX_RESOLVE_DEPTH = 32  # names and operators followed to resolve one value: `a = b; b = a` and long `+` chains stop

# Dotted names written another way, rewritten before matching (the longest prefix first).
_ALIASES = (
    ("aioboto3.", "boto3."),
    ("boto3.session.Session()", "boto3.Session()"),
    ("botocore.session.get_session()", "boto3.Session()"),
    ("botocore.session.Session()", "boto3.Session()"),
    ("boto3.Session().create_client", "boto3.Session().client"),
    ("requests.sessions.Session()", "requests.Session()"),
    ("requests.session()", "requests.Session()"),
    ("httpx.AsyncClient()", "httpx.Client()"),
    ("aiohttp.client.ClientSession()", "aiohttp.ClientSession()"),
)

_SDK_CALLS = frozenset({"boto3.client", "boto3.resource", "boto3.Session().client", "boto3.Session().resource"})
# A custom resource's reply to CloudFormation: "The module includes a send method, which sends a response object
# to a custom resource by way of an Amazon S3 presigned URL (the ResponseURL)" (CloudFormation User Guide,
# "cfn-response module"); crhelper's CfnResource sends it the same way. It is a call to S3 (kind "sdk").
_S3_RESPONSE_CALLS = frozenset({"cfnresponse.send", "crhelper.CfnResource", "crhelper.resource_helper.CfnResource"})

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
# HTTP calls: callee → (position of the URL argument or None, keyword naming it).
_HTTP_CALLS: dict[str, tuple[int | None, str]] = {
    **{f"requests.{v}": (0, "url") for v in _VERBS},
    **{f"requests.Session().{v}": (0, "url") for v in _VERBS},
    "requests.request": (1, "url"),
    "requests.Session().request": (1, "url"),
    **{f"httpx.{v}": (0, "url") for v in _VERBS},
    **{f"httpx.Client().{v}": (0, "url") for v in _VERBS},
    "httpx.request": (1, "url"),
    "httpx.stream": (1, "url"),
    "httpx.Client().request": (1, "url"),
    "httpx.Client().stream": (1, "url"),
    "httpx.Client": (None, "base_url"),
    "httpx.AsyncClient": (None, "base_url"),
    "urllib.request.urlopen": (0, "url"),
    "urllib.request.Request": (0, "url"),
    "http.client.HTTPSConnection": (0, "host"),
    "http.client.HTTPConnection": (0, "host"),
    **{f"aiohttp.ClientSession().{v}": (0, "url") for v in _VERBS},
    "aiohttp.ClientSession().request": (1, "url"),
    "aiohttp.ClientSession().ws_connect": (0, "url"),
    "aiohttp.ClientSession": (0, "base_url"),
    "aiohttp.request": (1, "url"),
    "urllib3.request": (1, "url"),
    "urllib3.PoolManager().request": (1, "url"),
}


# Nodes the collecting pass acts on; every other node is only walked through.
_INTERESTING = frozenset(
    {ast.Call, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Import, ast.ImportFrom}
    | {ast.Assign, ast.AnnAssign, ast.NamedExpr, ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension}
    | {ast.With, ast.AsyncWith, ast.ExceptHandler}
)
_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})
# Nodes with nothing below them worth walking: names, constants, contexts and operators.
_LEAVES = frozenset(
    {ast.Name, ast.Constant, ast.alias}
    | {
        cls
        for base in (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
        for cls in base.__subclasses__()
    }
)


@dataclass
class _Scope:
    parent: _Scope | None
    # Name → the values it is assigned in this scope (None for a binding that is not a plain value: a
    # parameter, a loop target, an augmented assignment, an unpacking).
    names: dict[str, list[ast.expr | None]] = field(default_factory=dict)

    def bind(self, name: str, value: ast.expr | None) -> None:
        self.names.setdefault(name, []).append(value)


class _Reader:
    def __init__(self, source: str, tree: ast.Module, file: str, first_line: int) -> None:
        self.lines = source.splitlines()
        self.file = file
        self.offset = first_line - 1
        self.imports: dict[str, str] = {}
        self.calls: list[tuple[ast.Call, _Scope]] = []
        self._collect(tree)

    # --- one pass over the tree: scopes, assignments, imports, calls --------------------------------------
    def _collect(self, tree: ast.Module) -> None:
        module = _Scope(None)
        stack: list[tuple[ast.AST, _Scope]] = [(tree, module)]
        while stack:
            node, scope = stack.pop()
            inner = scope
            kind = type(node)
            if kind not in _INTERESTING:
                pass
            elif kind is ast.Call:
                self.calls.append((node, scope))  # type: ignore[arg-type]
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                inner = _Scope(scope)
                args = node.args
                for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                    if arg is not None:
                        inner.bind(arg.arg, None)
            elif isinstance(node, ast.ClassDef):
                inner = _Scope(scope)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.imports[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.imports[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(scope, target, node.value if isinstance(target, ast.Name) else None)
            elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)):
                self._bind(scope, node.target, node.value)
            elif isinstance(node, (ast.AugAssign, ast.For, ast.AsyncFor, ast.comprehension)):
                self._bind(scope, node.target, None)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        self._bind(scope, item.optional_vars, item.context_expr)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                scope.bind(node.name, None)
            if kind in _DEFINITIONS:
                scope.bind(node.name, None)  # type: ignore[attr-defined]
            # The children, without the leaves that hold nothing of interest (ast.iter_child_nodes is slower).
            for name in node._fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast.AST) and type(item) not in _LEAVES:
                            stack.append((item, inner))
                elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                    stack.append((value, inner))

    @staticmethod
    def _bind(scope: _Scope, target: ast.AST, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            scope.bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                _Reader._bind(scope, element, None)
        elif isinstance(target, ast.Starred):
            _Reader._bind(scope, target.value, None)

    # --- resolving names ----------------------------------------------------------------------------------
    @staticmethod
    def _value(name: str, scope: _Scope) -> tuple[bool, ast.expr | None]:
        """(found, value): whether a scope on the chain binds `name`, and its value when bound exactly once."""
        current: _Scope | None = scope
        while current is not None:
            values = current.names.get(name)
            if values is not None:
                return True, values[0] if len(values) == 1 else None
            current = current.parent
        return False, None

    def qualified(self, expr: ast.expr, scope: _Scope, depth: int = 0) -> str | None:
        """The dotted name `expr` stands for (`boto3.Session().client`), None when it is not one."""
        if depth > MAX_RESOLVE_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            found, value = self._value(expr.id, scope)
            if not found:
                return self.imports.get(expr.id)
            if isinstance(value, (ast.Call, ast.Name, ast.Attribute, ast.Await)):
                return self.qualified(value, scope, depth + 1)
            return None
        if isinstance(expr, ast.Attribute):
            base = self.qualified(expr.value, scope, depth + 1)
            return f"{base}.{expr.attr}" if base else None
        if isinstance(expr, ast.Call):
            base = self.qualified(expr.func, scope, depth + 1)
            return f"{base}()" if base else None
        if isinstance(expr, ast.Await):
            return self.qualified(expr.value, scope, depth + 1)
        return None

    def text(self, expr: ast.expr | None, scope: _Scope, depth: int = 0) -> str | None:
        """The literal parts of a string value, `{}` for each part that is not literal; None when no part is."""
        if expr is None or depth > MAX_RESOLVE_DEPTH:
            return None
        if isinstance(expr, ast.Constant):
            return expr.value if isinstance(expr.value, str) else None
        if isinstance(expr, ast.Name):
            found, value = self._value(expr.id, scope)
            return self.text(value, scope, depth + 1) if found else None
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for value in expr.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                elif isinstance(value, ast.FormattedValue) and value.conversion == -1 and value.format_spec is None:
                    inner = self.text(value.value, scope, depth + 1)
                    parts.append(inner if inner is not None else HOLE)
                else:
                    parts.append(HOLE)
            return "".join(parts)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.text(expr.left, scope, depth + 1)
            right = self.text(expr.right, scope, depth + 1)
            if left is None and right is None:
                return None
            return (left if left is not None else HOLE) + (right if right is not None else HOLE)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            pattern = self.text(expr.left, scope, depth + 1)
            return percent_holes(pattern) if pattern is not None else None
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "format"
            and isinstance(expr.func.value, ast.Constant)
            and isinstance(expr.func.value.value, str)
        ):
            return format_holes(expr.func.value.value)
        return None

    # --- classifying calls --------------------------------------------------------------------------------
    def evidence(self) -> Iterator[CodeEvidence]:
        for call, scope in sorted(self.calls, key=lambda item: (item[0].lineno, item[0].col_offset)):
            name = self.qualified(call.func, scope)
            if name is None:
                continue
            name = _canonical(name)
            if name in _SDK_CALLS:
                yield self._sdk(call, scope)
            elif name in _S3_RESPONSE_CALLS:
                yield self._make(call, "sdk", "s3", "")
            elif name in _HTTP_CALLS:
                position, keyword = _HTTP_CALLS[name]
                url = self.text(_argument(call, position, keyword), scope)
                if url is not None and useful_url(url):
                    yield self._make(call, "http", "", url)

    def _sdk(self, call: ast.Call, scope: _Scope) -> CodeEvidence:
        service = self.text(_argument(call, 0, "service_name"), scope)
        service = service.strip().lower() if service and HOLE not in service else ""
        endpoint = self.text(_argument(call, None, "endpoint_url"), scope)
        if endpoint is not None and useful_url(endpoint):
            return self._make(call, "endpoint", service, endpoint)
        return self._make(call, "sdk", service, "")

    def _make(self, call: ast.Call, kind: str, service: str, url: str) -> CodeEvidence:
        return CodeEvidence(kind, service, url, self.file, call.lineno + self.offset, one_line(self._segment(call)))

    def _segment(self, node: ast.expr) -> str:
        """The source of `node`, from its lines (ast.get_source_segment splits the whole source on every call).
        Column offsets are UTF-8 byte offsets; only the lines a one-line text can show are joined."""
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        if first >= len(self.lines):
            return ""
        parts = []
        for number in range(first, min(last, first + 8, len(self.lines) - 1) + 1):
            line = self.lines[number].encode("utf-8")
            start = node.col_offset if number == first else 0
            end = node.end_col_offset if number == last and node.end_col_offset is not None else len(line)
            parts.append(line[start:end].decode("utf-8", "replace"))
        return " ".join(parts)


def _argument(call: ast.Call, position: int | None, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and len(call.args) > position:
        arg = call.args[position]
        return None if isinstance(arg, ast.Starred) else arg
    return None


def _canonical(name: str) -> str:
    for old, new in _ALIASES:
        if name.startswith(old):
            name = new + name[len(old) :]
    return name


def read_python(source: str, file: str, first_line: int = 1) -> tuple[list[CodeEvidence], list[str]]:
    """The evidence in one Python source, and a note when it cannot be parsed."""
    try:
        tree = ast.parse(source)
        return list(_Reader(source, tree, file, first_line).evidence()), []
    except SyntaxError as exc:
        line = (exc.lineno or 1) + first_line - 1
        return [], [f"{file}:{line}: not valid Python ({exc.msg}); not read"]
    except (RecursionError, MemoryError):
        return [], [f"{file}: nested too deeply to parse; not read"]
    except ValueError as exc:  # source with NUL bytes
        return [], [f"{file}: not Python source ({exc}); not read"]
