"""Reading a Lambda function's code for evidence of what it calls (issue 16, origin `code`).

Two entries: `read_inline` for code written in a template (SAM InlineCode, CloudFormation Code.ZipFile) and
`read_tree` for a function's code folder or file (SAM CodeUri, Terraform source_dir/source_file, a CDK asset).
Both return `CodeEvidence`: AWS SDK clients (kind "sdk"), SDK clients with an explicit endpoint ("endpoint")
and HTTP calls with a literal URL or host ("http"). What the evidence means (a need, internet or not) is
decided elsewhere; a URL to a private host is still returned.

Code is parsed with real parsers, never matched with regular expressions: Python with `ast`, JavaScript and
TypeScript with tree-sitter (imported on first use), and Java, Go and C# through the same tree-sitter
mechanism for the common SDK and HTTP client forms (compiled.py says which). Code comes from pull requests, so
every read is bounded before it is spent (the constants below) and confined to the scan root like every other
file vpcreach reads.
"""

from __future__ import annotations

import ast
import os
import time
from collections.abc import Callable

from ..files import FileRefused, FileTooLarge, confine, read_bytes
from .evidence import CodeEvidence
from .grammars import GrammarMissing, Timeout

# Measured on a generated 200-file project (100 Python, 100 JavaScript/TypeScript files, 2.8 MB, 12,200
# pieces of evidence) on the 2-core reference machine: 0.66 s per read_tree idle, 1.3-1.5 s under load
# (2-4 MB/s: Python's ast parse ~4.5 MB/s plus the pass over its tree; tree-sitter and its queries faster).
# A function's own code is far smaller: AWS's sample-apps (21 functions, 63 files in five languages) read in
# 65 ms all together, the fixtures in milliseconds.
#
# Source files read per read_tree: a Lambda package holds at most 250 MB unzipped, but a function's own code
# is small; 2,000 files covers a monorepo service folder (and at ~2 ms a file, the time budget binds first).
MAX_FILES = 2000
# Source bytes read per read_tree: bounds memory (an ast tree is ~10x its source) and, with the time budget,
# the work; dense code may reach the time budget first (4-8 MB in 2 s here).
MAX_TOTAL_BYTES = 8 * 1024 * 1024
# One source file: hand-written code is far smaller; larger files are bundles or generated code (an esbuild
# bundle with the whole SDK inside would make every SDK client look used).
MAX_FILE_BYTES = 512 * 1024
# Directory levels below the function's folder: deeper trees are generated or a symlink maze.
MAX_DIR_DEPTH = 100
# Directory entries looked at per read_tree (files, folders, skipped ones): a folder of a million files is
# listed no further than this.
MAX_ENTRIES = 100_000
# Wall-clock seconds per read_tree: code reading must not dominate a scan (a template scans in ~0.1 s); the
# files read before the cut still count, and a note says where it stopped. Checked before each file and
# between a large file's parse probes (grammars.PROBES), so one file may overrun it by its own parse: at most
# ~0.5 s for 512 KiB on the reference machine, garbage included (grammars.MAX_ERROR_NODES refuses a source
# that is mostly syntax errors, whose query would otherwise take minutes).
TIME_BUDGET = 2.0
# Notes per read_tree; the rest are counted in one last note.
MAX_NOTES = 20

# Folders of dependencies, build output and tooling: their SDK imports are not the function's own calls.
SKIPPED_DIRS = frozenset(
    {"node_modules", ".venv", "venv", "vendor", "site-packages", "dist-packages", ".aws-sam", "cdk.out"}
    | {"__pycache__", ".git", ".serverless", ".terraform", ".mypy_cache", ".pytest_cache", "bower_components"}
    | {"target", "obj"}  # Maven's and dotnet's build output
)
# Folders of test code: a client created only in a test is not something the deployed function calls.
TEST_DIRS = frozenset({"tests", "test", "__tests__", "spec", "__mocks__"})

_PYTHON = (".py",)
_JAVASCRIPT = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
_COMPILED = {".java": "java", ".go": "go", ".cs": "csharp"}
_TEST_SUFFIXES = (
    *(f".{kind}{ext}" for kind in ("test", "spec") for ext in _JAVASCRIPT),
    "_test.go",  # go test
    "test.java",  # JUnit's FooTest.java
    "tests.java",
    "it.java",  # Maven Failsafe's FooIT.java
    "test.cs",  # xUnit/NUnit FooTest.cs, FooTests.cs
    "tests.cs",
)
_NOT_SOURCE = (".d.ts", ".d.mts", ".d.cts", ".min.js", ".min.mjs")


def _language_of(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(_NOT_SOURCE):
        return None
    if lowered.endswith(_PYTHON):
        return "python"
    if lowered.endswith(_JAVASCRIPT):
        return "javascript"
    return _COMPILED.get(os.path.splitext(lowered)[1])


def _languages_of(runtime: str | None) -> frozenset[str]:
    """The languages a Lambda runtime's code is written in; every language read when it is not known."""
    if runtime:
        lowered = runtime.lower()
        if lowered.startswith("python"):
            return frozenset({"python"})
        if lowered.startswith("nodejs"):
            return frozenset({"javascript"})
        if lowered.startswith("java"):
            return frozenset({"java"})
        if lowered.startswith("dotnet"):
            return frozenset({"csharp"})
        if lowered.startswith("go1"):
            return frozenset({"go"})
        if lowered.startswith("ruby"):
            return frozenset()
    # provided.al2023 (Go, Rust, anything) or no runtime: every language read.
    return frozenset({"python", "javascript", "java", "go", "csharp"})


def is_test_file(name: str) -> bool:
    """Whether a file name is a test's by the test runners' conventions (pytest, Jest, Mocha, Vitest, go test,
    JUnit, xUnit)."""
    lowered = name.lower()
    if lowered.endswith(".py"):
        return lowered.startswith("test_") or lowered.endswith("_test.py") or lowered == "conftest.py"
    return lowered.endswith(_TEST_SUFFIXES)


def _is_test_dir(name: str) -> bool:
    """Test folders: pytest/Jest/Mocha names, and .NET test projects (`MyFunction.Tests`)."""
    return name in TEST_DIRS or name.lower().endswith((".tests", ".test"))


def _read_source(
    language: str, data: bytes, file: str, first_line: int, deadline: float
) -> tuple[list[CodeEvidence], list[str]]:
    """The evidence in one source and its notes; Timeout when a tree-sitter parse or query passes `deadline`
    (Python's ast is bounded by the file size alone)."""
    if language == "python":
        from .python import read_python

        return read_python(data.decode("utf-8", "replace"), file, first_line)
    try:
        if language == "javascript":
            from .javascript import dialect_of, read_javascript

            return read_javascript(data, file, first_line, dialect_of(file), deadline)
        from .compiled import read_compiled

        return read_compiled(data, file, language, first_line, deadline)
    except GrammarMissing as exc:
        return [], [f"{file}: not read: {exc}"]


def read_inline(code: str, runtime: str | None, file: str, first_line: int) -> list[CodeEvidence]:
    """The evidence in code written inside a template (InlineCode, Code.ZipFile) that starts at `first_line` of
    `file`. The language is the runtime's (python3.x, nodejs20.x); with no runtime, Python when the code parses
    as Python, else JavaScript. Code over MAX_FILE_BYTES or TIME_BUDGET, or in another language, gives nothing."""
    data = code.encode("utf-8", "replace")
    if len(data) > MAX_FILE_BYTES:
        return []
    # Only Python and Node.js functions can have their code inline (CloudFormation's Code.ZipFile).
    languages = _languages_of(runtime) & {"python", "javascript"}
    if not languages:
        return []
    if len(languages) > 1:
        try:
            ast.parse(code)
            language = "python"
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            language = "javascript"
    else:
        (language,) = languages
    try:
        return _read_source(language, data, file, first_line, time.monotonic() + TIME_BUDGET)[0]
    except Timeout:
        return []


class _Notes:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.dropped = 0

    def add(self, line: str) -> None:
        if len(self.lines) < MAX_NOTES:
            self.lines.append(line)
        else:
            self.dropped += 1

    def result(self) -> list[str]:
        if self.dropped:
            return [*self.lines, f"… and {self.dropped} more notes"]
        return self.lines


def read_tree(path: str, root: str, runtime: str | None = None) -> tuple[list[CodeEvidence], list[str]]:
    """The evidence in a function's code folder or single file `path`, and notes (one line each) for every bound
    hit and file not parsed. Reads only inside `root` (after resolving symlinks; never /proc, /sys, /dev), skips
    dependency and build folders (SKIPPED_DIRS, dot folders, packages pip installed beside the handler) and test
    code (TEST_DIRS, is_test_file); a file reached twice through symlinks is read once. Evidence
    names files as `path` joined with their path below it. Bounded by MAX_FILES, MAX_TOTAL_BYTES,
    MAX_FILE_BYTES, MAX_DIR_DEPTH, MAX_ENTRIES and TIME_BUDGET."""
    return _TreeReader(root, runtime, time.monotonic).read(path)


class _TreeReader:
    def __init__(self, root: str, runtime: str | None, clock: Callable[[], float]) -> None:
        self.root = root
        self.languages = _languages_of(runtime)
        self.clock = clock
        self.deadline = clock() + TIME_BUDGET
        self.evidence: list[CodeEvidence] = []
        self.notes = _Notes()
        self.files = 0
        self.bytes = 0
        self.entries = 0
        self.seen: set[str] = set()
        self.stopped = False

    def read(self, path: str) -> tuple[list[CodeEvidence], list[str]]:
        try:
            real = confine(path, self.root)
        except FileRefused as exc:  # the reason names the path (relative to the root when inside it)
            return [], [f"{exc}; not read"]
        if os.path.isdir(real):
            self._walk(path, real)
        elif os.path.exists(real):
            language = _language_of(real)
            if language is None or language not in self.languages:
                self.notes.add(f"{path}: not source code vpcreach reads; not read")
            else:
                self._file(path, real, language)
        else:
            self.notes.add(f"{path}: no such file or folder; not read")
        return self.evidence, self.notes.result()

    def _stop(self, note: str) -> None:
        if not self.stopped:
            self.stopped = True
            self.notes.add(note)

    def _walk(self, top: str, real_top: str) -> None:
        visited = {real_top}
        # Depth-first in name order, so a cut at a bound is the same on every run.
        stack: list[tuple[str, str, int]] = [(top, real_top, 0)]
        while stack and not self.stopped:
            shown_dir, real_dir, depth = stack.pop()
            if self.clock() > self.deadline:
                self._stop(f"{top}: code reading stopped after {TIME_BUDGET:g} s; the rest not read")
                return
            try:
                with os.scandir(real_dir) as it:
                    entries = []
                    for entry in it:
                        self.entries += 1
                        if self.entries > MAX_ENTRIES:
                            self._stop(f"{top}: more than {MAX_ENTRIES} directory entries; the rest not read")
                            break
                        entries.append(entry)
            except OSError as exc:
                self.notes.add(f"{shown_dir}: cannot list ({exc.strerror or exc}); not read")
                continue
            subdirs = []
            installed = self._installed(real_dir, [entry.name for entry in entries])
            for entry in sorted(entries, key=lambda e: e.name):
                if self.stopped:
                    return
                name = entry.name
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                # Names first (cheap), then where the entry really is (a symlink may lead out of the root).
                if is_dir and (name in SKIPPED_DIRS or name.startswith(".") or _is_test_dir(name)):
                    continue
                if (name if is_dir else os.path.splitext(name)[0]) in installed:
                    continue
                language = None if is_dir else _language_of(name)
                if not is_dir and (language is None or language not in self.languages or is_test_file(name)):
                    continue
                shown_path = os.path.join(shown_dir, name)
                try:
                    real = confine(os.path.join(real_dir, name), self.root)
                except FileRefused as exc:
                    self.notes.add(f"{exc}; not read")
                    continue
                if is_dir:
                    if real in visited:
                        continue
                    if depth + 1 > MAX_DIR_DEPTH:
                        self.notes.add(f"{shown_path}: deeper than {MAX_DIR_DEPTH} folders; not read")
                        continue
                    visited.add(real)
                    subdirs.append((shown_path, real, depth + 1))
                elif language is not None:
                    self._file(shown_path, real, language)
            stack.extend(reversed(subdirs))

    def _installed(self, real_dir: str, names: list[str]) -> frozenset[str]:
        """Packages pip installed into this folder (`pip install -t .`, the usual way to bundle a Python
        function's dependencies beside its handler): the top-level names each `*.dist-info`/`*.egg-info`
        records in top_level.txt, or else its distribution name (`requests-2.32.3.dist-info` → requests)."""
        out: set[str] = set()
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            out.add(name.split("-")[0].lower().replace(".", "_"))
            out.add(name.split("-")[0])
            try:
                listed = read_bytes(confine(os.path.join(real_dir, name, "top_level.txt"), self.root), 64 * 1024)
            except OSError:  # absent, refused or too large: the distribution name stands
                continue
            out.update(line.strip() for line in listed.decode("utf-8", "replace").splitlines() if line.strip())
        return frozenset(out)

    def _file(self, shown_path: str, real: str, language: str) -> None:
        if real in self.seen:  # the same file reached again through a symlink
            return
        self.seen.add(real)
        if self.files >= MAX_FILES:
            self._stop(f"{shown_path}: more than {MAX_FILES} source files; the rest not read")
            return
        if self.clock() > self.deadline:
            self._stop(f"{shown_path}: code reading stopped after {TIME_BUDGET:g} s; the rest not read")
            return
        limit = min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - self.bytes)
        try:
            data = read_bytes(real, limit)
        except FileTooLarge:
            if limit < MAX_FILE_BYTES:
                self._stop(
                    f"{shown_path}: over {MAX_TOTAL_BYTES // (1024 * 1024)} MiB of source read; the rest not read"
                )
            else:
                self.notes.add(f"{shown_path}: larger than {MAX_FILE_BYTES // 1024} KiB; not read")
            return
        except OSError as exc:
            self.notes.add(f"{shown_path}: cannot read ({exc.strerror or exc}); not read")
            return
        self.files += 1
        self.bytes += len(data)
        try:
            found, notes = _read_source(language, data, shown_path, 1, self.deadline)
        except Timeout:
            self._stop(f"{shown_path}: code reading stopped after {TIME_BUDGET:g} s; the rest not read")
            return
        self.evidence.extend(found)
        for note in notes:
            self.notes.add(note)


__all__ = [
    "MAX_DIR_DEPTH",
    "MAX_ENTRIES",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "TIME_BUDGET",
    "CodeEvidence",
    "read_inline",
    "read_tree",
]
