"""Serverless Framework variables (`${source:address, fallback}`), resolved as far as a repository allows.

The framework resolves a service file's variables before it compiles anything (Serverless Framework docs,
"Variables": https://www.serverless.com/framework/docs/guides/variables; v4 source
packages/sf-core/src/lib/resolvers/placeholders.js). What vpcreach resolves:

- `${self:a.b}` (the service file itself), `${opt:stage}` / `${opt:region}` (from `--param opt:stage=...`),
  `${env:X}` (from `--param env:X=...` only, see below), `${sls:stage}` (opt:stage, else
  provider.stage, else "dev"), `${aws:region}` (opt:region, else provider.region, else us-east-1),
  `${aws:accountId}` (only from `--param aws:accountId=...`), `${param:X}` (the service's `params` for the
  stage, else its `default`, else `--param param:X=...`), `${file(./x.yml):a.b}` (YAML or JSON inside the
  scan root only), literal fallbacks (`'dev'`, numbers) and variable fallbacks (`${opt:stage, self:provider.stage}`).
- `${ssm:...}`, `${cf:...}`, `${s3:...}`, `${output:...}` and every other source are read from AWS (or a
  vault) when the framework runs: they stay Unknown, naming the variable. A fallback is taken only when the
  value is known to be absent (no option, no environment variable, no such key), never in place of a value
  that exists but is unknown here.
- `${AWS::Region}`, `${!Literal}`, `${PROP...}` and `${iot:...}` are left for CloudFormation's Fn::Sub, as
  the framework leaves them (placeholders.js, shouldBeIgnored).

`${env:X}` is not read from the environment vpcreach runs in: a pull request could name the CI job's secrets
(`${env:GITHUB_TOKEN}` as a subnet id) and have them printed in findings and uploaded in SARIF; and the
environment of a scan is not the one the service is deployed from. Without `--param env:X=...` its default
applies, else it is Unknown naming the variable.

Input is hostile: nesting, the number of variables resolved, the length of a built string and the files read
are bounded, as CloudFormation intrinsics are (parsers/cfn/intrinsics.py); past a bound the value is Unknown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping as AbcMapping
from typing import Any

from vpcreach.graph.model import Unknown

from ..cfn.intrinsics import MAX_STRING
from ..errors import InputError
from ..files import FileRefused, confine, shown
from ..yaml_loader import Mapping, load_document, read_text

# Variables nested inside variables (and `self:` values that hold variables), deepest chain followed.
MAX_NESTING = 32
# Variables resolved in one service file, every `self:` hop and file read included.
MAX_VARIABLES = 100_000
# Files read through ${file(...)} in one service file.
MAX_FILES = 64

# The framework's default stage and region (Serverless Framework docs, "Deploying": "--stage ... defaults to
# dev"; provider "region: us-east-1 # Default region").
DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"

_ABSENT = object()  # known to have no value: the next fallback applies
_SOURCE = re.compile(r"^([A-Za-z][\w-]*)(?:\((.*)\))?(?::(.*))?$", re.S)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_REMOTE = {
    "ssm": "SSM Parameter Store",
    "cf": "another CloudFormation stack's outputs",
    "s3": "an S3 object",
    "output": "another service's outputs",
    "aws": "the AWS account",
    "terraform": "Terraform state",
    "vault": "HashiCorp Vault",
    "doppler": "Doppler",
    "git": "the git repository",
}


class _Budget(Exception):
    pass


class Variables:
    """Resolves the variables of one service file `doc` (path `path`, scan root `root`)."""

    def __init__(
        self,
        doc: dict,
        path: str,
        params: dict[str, str] | None = None,
        root: str | None = None,
        environ: AbcMapping[str, str] | None = None,
        env: Any = None,
    ) -> None:
        self.doc = doc
        # The existing network and account (parsers.environment.Environment: a --snapshot), for ${ssm:...}.
        self.env = env
        self.path = path
        self.params = params or {}
        self.root = root if root is not None else os.path.dirname(os.path.abspath(path))
        self.environ = environ if environ is not None else {}  # never os.environ by default: see above
        self.steps = 0
        self.files: dict[str, Any] = {}
        self._self_cache: dict[str, Any] = {}
        self._in_progress: set[str] = set()
        self.unresolved: list[str] = []  # the variables left Unknown, in the order met

    # --- the whole document ------------------------------------------------------------------------
    def resolve_document(self) -> Any:
        return self.value(self.doc, 0)

    def value(self, node: Any, depth: int) -> Any:
        """`node` with every variable in it resolved; mappings keep their lines."""
        if depth > 200:
            return Unknown("the service file is nested too deeply")
        if isinstance(node, dict):
            out = Mapping()
            out.line = getattr(node, "line", None)
            out.key_lines = dict(getattr(node, "key_lines", {}))
            for key, item in node.items():
                out[key] = self.value(item, depth + 1)
            return out
        if isinstance(node, list):
            return [self.value(item, depth + 1) for item in node]
        if isinstance(node, str) and "${" in node:
            return self.string(node, 0)
        return node

    # --- one string ---------------------------------------------------------------------------------
    def string(self, text: str, nesting: int) -> Any:
        """A string with variables: the variable's own value when the string is exactly one variable (it may
        be a list or a mapping), else the text with each variable's value in place."""
        spans = _variables(text)
        if not spans:
            return text
        if len(spans) == 1 and spans[0] == (0, len(text)):
            return self.variable(text[2:-1], nesting)
        parts: list[str] = []
        unknown: list[str] = []
        end = 0
        size = len(text)
        for start, stop in spans:
            parts.append(text[end:start])
            got = self.variable(text[start + 2 : stop - 1], nesting)
            if isinstance(got, Unknown):
                unknown.append(got.reason)
                parts.append(text[start:stop])
            elif isinstance(got, (dict, list)):
                unknown.append(f"{text[start:stop]} is not a string and is used inside one")
            elif isinstance(got, bool):
                parts.append("true" if got else "false")
            else:
                parts.append(str(got))
            end = stop
            size += len(parts[-1])
            if size > MAX_STRING:
                return Unknown(f"a string built from variables is longer than {MAX_STRING:,} characters")
        parts.append(text[end:])
        if unknown:
            return Unknown("; ".join(dict.fromkeys(unknown)))
        return "".join(parts)

    def variable(self, body: str, nesting: int) -> Any:
        """The value of one `${body}`."""
        whole = _shown("${" + body + "}")
        if nesting > MAX_NESTING:
            return self._unknown(whole, f"{whole}: variables nested more than {MAX_NESTING} deep")
        self.steps += 1
        if self.steps > MAX_VARIABLES:
            raise _Budget
        stripped = body.strip()
        if _left_for_cloudformation(stripped):
            return "${" + body + "}"
        if "${" in stripped:
            inner = self.string(stripped, nesting + 1)
            if isinstance(inner, Unknown):
                return self._unknown(whole, inner.reason)
            if not isinstance(inner, str):
                return self._unknown(whole, f"{whole}: a nested variable is not a string")
            stripped = inner
        for option in _split_top(stripped, ","):
            got = self._one(option.strip(), whole, nesting)
            if got is not _ABSENT:
                return got
        return self._unknown(whole, _absent_reason(whole, stripped))

    def _one(self, option: str, whole: str, nesting: int) -> Any:
        """One alternative of a variable: a literal fallback, or a source; _ABSENT when it has no value."""
        if len(option) >= 2 and option[0] == option[-1] and option[0] in "'\"":
            return option[1:-1]
        if _NUMBER.match(option):
            return float(option) if "." in option else int(option)
        if option in ("true", "false"):
            return option == "true"
        if option in ("null", ""):
            return _ABSENT
        match = _SOURCE.match(option)
        if match is None or (match.group(2) is None and match.group(3) is None):
            return option  # a bare word: the framework takes it as a literal (placeholders.js, parseLiteralValue)
        source, arg, address = match.group(1), match.group(2), match.group(3) or ""
        if source == "self":
            return self._self(address, whole, nesting)
        if source == "opt":
            return self._param(f"opt:{address}")
        if source == "env":
            given = self._param(f"env:{address}")
            return given if given is not _ABSENT else self.environ.get(address, _ABSENT)
        if source == "sls" and address == "stage":
            return self.stage(nesting)
        if source == "aws" and address == "region":
            return self.region(nesting)
        if source == "aws" and address == "partition":
            return self._param("aws:partition") if "aws:partition" in self.params else "aws"
        if source == "param":
            return self._service_param(address, whole, nesting)
        if source == "file" and arg is not None:
            return self._file(arg.strip(), address, whole, nesting)
        if source in ("aws", "sls") and f"{source}:{address}" in self.params:
            return self.params[f"{source}:{address}"]  # --param aws:accountId=123456789012
        if source == "ssm" and self.env is not None:
            found = self._ssm(address.strip(), arg, whole)
            if found is not _ABSENT:
                return found
        where = _REMOTE.get(source)
        if where:
            return self._unknown(
                whole, f"{whole} is read from {where} when the framework runs; vpcreach does not read it"
            )
        return self._unknown(whole, f"{whole}: the variable source {source!r} is not evaluated by vpcreach")

    def _ssm(self, name: str, arg: str | None, whole: str) -> Any:
        """`${ssm:/path}` from the snapshot's Parameters, as the framework's SSM source gives it (v3 source
        lib/configuration/variables/sources/instance-dependent/get-ssm.js): a String as is, a StringList split on
        commas unless `raw` is asked for; a SecureString is not read (its value is a secret)."""
        answer = self.env.ssm(name)
        if answer is None:
            return _ABSENT
        if answer.kind == "SecureString":
            return self._unknown(whole, f"{whole} is a SecureString; vpcreach does not read secrets")
        value = answer.value
        if answer.kind == "StringList":
            items = value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
            return ",".join(map(str, items)) if "raw" in (arg or "") else items
        return value

    def _param(self, key: str) -> Any:
        return self.params.get(key, _ABSENT)

    # --- sources ------------------------------------------------------------------------------------
    def stage(self, nesting: int = 0) -> Any:
        """`${sls:stage}`: the --stage option, else provider.stage, else "dev" (sls.js; "Deploying" docs)."""
        given = self._param("opt:stage")
        if given is not _ABSENT:
            return given
        got = self._self("provider.stage", "${sls:stage}", nesting)
        return DEFAULT_STAGE if got is _ABSENT or got is None else got

    def region(self, nesting: int = 0) -> Any:
        """`${aws:region}` and the region functions deploy to: --region, else provider.region, else us-east-1."""
        given = self._param("opt:region")
        if given is not _ABSENT:
            return given
        if "aws:region" in self.params:
            return self.params["aws:region"]
        got = self._self("provider.region", "${aws:region}", nesting)
        return DEFAULT_REGION if got is _ABSENT or got is None else got

    def _self(self, address: str, whole: str, nesting: int) -> Any:
        key = address.strip()
        if key in self._self_cache:
            return self._self_cache[key]
        if key in self._in_progress:
            return self._unknown(whole, f"{whole} refers to itself")
        self._in_progress.add(key)
        try:
            got = self._walk(self.doc, key, whole, nesting)
        finally:
            self._in_progress.discard(key)
        self._self_cache[key] = got
        return got

    def _walk(self, node: Any, address: str, whole: str, nesting: int) -> Any:
        """The value at a dotted `address` under `node`, variables on the way resolved; _ABSENT when missing."""
        for part in [p for p in address.split(".") if p] if address else []:
            if isinstance(node, str) and "${" in node:
                node = self.string(node, nesting + 1)
            if isinstance(node, Unknown):
                return self._unknown(whole, node.reason)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return _ABSENT
        return self._deep(node, nesting + 1)

    def _deep(self, node: Any, nesting: int) -> Any:
        if isinstance(node, str) and "${" in node:
            return self.string(node, nesting)
        if isinstance(node, (dict, list)):
            if nesting > MAX_NESTING:
                return Unknown(f"variables nested more than {MAX_NESTING} deep")
            return self.value(node, 0)
        return node

    def _service_param(self, name: str, whole: str, nesting: int) -> Any:
        """`${param:X}`: the service's `params` for the stage, else `params.default`, else --param param:X."""
        given = self._param(f"param:{name}")
        if given is not _ABSENT:
            return given
        stage = self.stage(nesting + 1)
        if isinstance(stage, Unknown):
            return self._unknown(whole, f"{whole} depends on the stage: {stage.reason}")
        for section in (str(stage), "default"):
            got = self._self(f"params.{section}.{name}", whole, nesting)
            if got is not _ABSENT:
                return got
        return _ABSENT

    def _file(self, target: str, address: str, whole: str, nesting: int) -> Any:
        """`${file(./x.yml):a.b}`: a YAML or JSON file next to the service file, inside the scan root."""
        if target.startswith(("'", '"')) and target.endswith(("'", '"')) and len(target) >= 2:
            target = target[1:-1]
        if not target.endswith((".yml", ".yaml", ".json")):
            return self._unknown(whole, f"{whole}: vpcreach reads YAML and JSON files only, it runs no code")
        full = os.path.join(os.path.dirname(os.path.abspath(self.path)), target)
        if full not in self.files:
            if len(self.files) >= MAX_FILES:
                return self._unknown(whole, f"{whole}: more than {MAX_FILES} files named by ${{file(...)}}")
            self.files[full] = self._load(full, whole)
        content = self.files[full]
        if isinstance(content, Unknown):
            return self._unknown(whole, content.reason)
        return self._walk(content, address.strip(), whole, nesting)

    def _load(self, full: str, whole: str) -> Any:
        try:
            real = confine(full, self.root)
        except FileRefused as exc:
            return Unknown(f"{whole}: {exc}; not read")
        if not os.path.exists(real):
            return Unknown(f"{whole}: {shown(full, self.root)} does not exist")
        try:
            return load_document(read_text(real), real, cfn_tags=True)
        except InputError as exc:
            return Unknown(f"{whole}: {shown(full, self.root)} cannot be read: {exc.message}")

    def _unknown(self, whole: str, reason: str) -> Unknown:
        self.unresolved.append(whole)
        return Unknown(reason)


def resolve(
    doc: dict,
    path: str,
    params: dict[str, str] | None = None,
    root: str | None = None,
    environ: AbcMapping[str, str] | None = None,
    env: Any = None,
) -> tuple[Any, Variables]:
    """(the document with its variables resolved, the resolver: stage, region). InputError past the budget."""
    resolver = Variables(doc, path, params, root, environ, env)
    try:
        return resolver.resolve_document(), resolver
    except _Budget:
        raise InputError(
            path, f"more than {MAX_VARIABLES:,} variables to resolve (variables that multiply); refusing it"
        ) from None


def _shown(variable: str, limit: int = 120) -> str:
    """A variable as a reason names it: cut short, so that a hostile one cannot make every message huge."""
    return variable if len(variable) <= limit else variable[: limit - 4] + "...}"


def _left_for_cloudformation(body: str) -> bool:
    """Placeholders the framework leaves alone for Fn::Sub (placeholders.js, shouldBeIgnored)."""
    return body.startswith(("AWS::", "!", "PROP", "iot:")) or ("," not in body and ":" not in body and "(" not in body)


def _absent_reason(whole: str, body: str) -> str:
    first = _split_top(body, ",")[0].strip()
    if first.startswith(("opt:", "env:", "param:")):
        return f"{whole} has no value and no default (pass --param {first}=VALUE)"
    return f"{whole} has no value and no default"


def _variables(text: str) -> list[tuple[int, int]]:
    """(start, stop) of each outermost `${...}` in `text`, braces balanced."""
    out: list[tuple[int, int]] = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            return out
        depth = 0
        j = start + 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= len(text):
            return out  # unbalanced: the rest is literal text
        out.append((start, j + 1))
        i = j + 1


def _split_top(text: str, sep: str) -> list[str]:
    """`text` split on `sep` outside quotes, parentheses and braces."""
    parts: list[str] = []
    depth = 0
    quote = ""
    current: list[str] = []
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts
