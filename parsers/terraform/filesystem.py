"""Terraform's view of the file system, confined to the scan root: the one way the evaluator touches files.

Terraform's file functions (`file`, `templatefile`, `fileexists`, `fileset`, `filebase64` and the file
hashes) take paths relative to the working directory, which is the root module's folder; `path.module` and
`path.root` are folders relative to it (`modules/net`, `.`), while `path.cwd` and `abspath()` are absolute
(Terraform's internal/terraform/evaluate.go `GetPathAttr`, internal/lang/funcs/filesystem.go). A
configuration may come from a pull request, so here:

- **Every read is confined.** `locate()` resolves a path after symlinks with `parsers.files.confine`: it must
  stay inside the scan root and outside /proc, /sys and /dev; `~` is never expanded. `read()` then reads it
  with `parsers.files.read_bytes` (regular files only, bounded by the bytes actually read) and counts the
  bytes against a budget for the whole configuration. A refusal raises `FileRefused` with the reason, which
  the functions turn into an Unknown: never the content, never an error that stops the scan.
- **Absolute paths are virtual.** The scan root appears to the configuration as `/…/<its folder name>`, so
  `path.cwd` or `abspath(path.module)` may end up in a tag, a description or a message without carrying
  the runner's folders (`/home/runner/work/…`), and such a path given back to `file()` still reads the
  right file. Any other absolute path is outside the scan root.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterator

from vpcreach.graph.model import Unknown

from ..files import FileRefused, confine, is_regular_file, is_within, read_bytes, shown
from .expressions import Budget, EvalError, LimitError

MAX_FILE = 1_000_000  # bytes of one file a function reads: no more than a computed string may hold (MAX_STRING)
MAX_READ = 32 * 1024 * 1024  # bytes read by file functions for one configuration (repeated reads are free)
MAX_LISTED = 100_000  # directory entries one fileset() call looks at
MAX_PATTERN = 1024  # characters of one fileset() pattern
MAX_ALTERNATIVES = 64  # patterns a fileset() pattern's {a,b} alternatives expand to
VIRTUAL = "/…"  # what stands for the folders above the scan root in an absolute path


class FileSystem:
    """The files one root module's configuration may read: inside `scan_root`, relative paths from `root_dir`."""

    def __init__(self, root_dir: str, scan_root: str) -> None:
        self.root_dir = os.path.abspath(root_dir)
        self.scan_root = os.path.realpath(scan_root)
        name = os.path.basename(self.scan_root)
        self.virtual_root = f"{VIRTUAL}/{name}" if name else VIRTUAL
        self.spent = 0
        self._cache: dict[str, bytes] = {}

    # --- path values ------------------------------------------------------------------------------------
    def relative(self, directory: str) -> str:
        """`path.module` / `path.root`: a module folder relative to the root module's, with `/` separators."""
        rel = os.path.relpath(os.path.abspath(directory), self.root_dir)
        return rel.replace(os.sep, "/")

    def cwd(self) -> str | Unknown:
        """`path.cwd`: the root module's folder as a virtual absolute path."""
        virtual = self._virtual(os.path.realpath(self.root_dir))
        if virtual is None:
            return Unknown("path.cwd: the root module's folder is outside the scan root")
        return virtual

    def absolute(self, text: str) -> str | Unknown:
        """`abspath()`: relative paths are joined to the (virtual) working directory, then cleaned."""
        if posixpath.isabs(text):
            return posixpath.normpath(text)
        cwd = self.cwd()
        if isinstance(cwd, Unknown):
            return Unknown(f"abspath(): {cwd.reason}")
        return posixpath.normpath(posixpath.join(cwd, text))

    def _virtual(self, real: str) -> str | None:
        if real == self.scan_root:
            return self.virtual_root
        if is_within(real, self.scan_root):
            return self.virtual_root + "/" + os.path.relpath(real, self.scan_root).replace(os.sep, "/")
        return None

    # --- reading ----------------------------------------------------------------------------------------
    def locate(self, text: str) -> str:
        """The real path `text` names, inside the scan root; FileRefused (with the reason) otherwise."""
        if text.startswith("~"):
            raise FileRefused(f"{_quoted(text)} names a home folder, outside the scan root")
        if text == self.virtual_root or text.startswith(self.virtual_root + "/"):
            path = self.scan_root + text[len(self.virtual_root) :]
        elif os.path.isabs(text):
            path = text
        else:
            path = os.path.join(self.root_dir, text)
        try:
            return confine(path, self.scan_root)
        except FileRefused as exc:
            # confine() names the path as a report may show it; the path as the configuration wrote it is
            # clearer and carries nothing of the runner's (absolute paths other than the virtual root's
            # are the configuration's own text).
            reason = str(exc)
            prefix = shown(path, self.scan_root)
            if reason.startswith(prefix):
                reason = _quoted(text) + reason[len(prefix) :]
            raise FileRefused(reason) from None

    def read(self, text: str) -> bytes:
        """The bytes of the file `text` names. FileRefused when vpcreach will not read it (outside the scan
        root, not a regular file, too large, over the budget); EvalError where Terraform fails too (no such
        file, a folder)."""
        real = self.locate(text)
        if real in self._cache:
            return self._cache[real]
        if os.path.isdir(real):
            raise EvalError(f"{_quoted(text)} is a directory, not a file")
        if not os.path.lexists(real):
            raise EvalError(f"no file exists at {_quoted(text)}")
        if self.spent >= MAX_READ:
            raise FileRefused(f"the configuration's file functions already read {MAX_READ // (1024 * 1024)} MiB")
        try:
            data = read_bytes(real, MAX_FILE)
        except FileRefused as exc:
            raise FileRefused(f"{_quoted(text)}: {exc}") from None
        except OSError as exc:
            raise FileRefused(f"{_quoted(text)} cannot be read ({exc.strerror or type(exc).__name__})") from None
        self.spent += len(data)
        self._cache[real] = data
        return data

    def exists(self, text: str) -> bool:
        """`fileexists()`: whether a regular file is there. A folder is an error, as in Terraform; a device
        or a FIFO (an error in Terraform too) is refused like any read of one."""
        real = self.locate(text)
        try:
            st = os.stat(real)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise FileRefused(f"{_quoted(text)} cannot be read ({exc.strerror or type(exc).__name__})") from None
        if stat.S_ISREG(st.st_mode):
            return True
        if stat.S_ISDIR(st.st_mode):
            raise EvalError(f"{_quoted(text)} is a directory, not a file")
        raise FileRefused(f"{_quoted(text)}: not a regular file")

    def glob(self, text: str, pattern: str, budget: Budget) -> list[str]:
        """`fileset()`: regular files under the folder `text` whose path relative to it matches `pattern`
        (Terraform's doublestar syntax: `*`, `**`, `?`, `[class]`, `{a,b}`), sorted, with `/` separators.
        The matching work is charged to the evaluation budget."""
        base = self.locate(text)
        if not os.path.isdir(base):
            return []
        matchers = [_compile(p) for p in _expand_braces(_clean_pattern(pattern))]
        out: list[str] = []
        for rel, real in self._walk(base):
            hit = False
            for tokens in matchers:
                matched, work = _matches(tokens, rel)
                budget.spend(work)
                if matched:
                    hit = True
                    break
            if hit and _regular_inside(real, self.scan_root):
                out.append(rel)
        return sorted(out)

    def _walk(self, base: str) -> Iterator[tuple[str, str]]:
        seen = 0
        for dirpath, dirnames, filenames in os.walk(base):  # symlinked folders are not entered
            dirnames.sort()
            seen += len(dirnames) + len(filenames)
            if seen > MAX_LISTED:
                raise LimitError(f"fileset() would look at more than {MAX_LISTED} files, more than vpcreach lists")
            for name in sorted(filenames):
                real = os.path.join(dirpath, name)
                yield os.path.relpath(real, base).replace(os.sep, "/"), real


def _regular_inside(path: str, root: str) -> bool:
    try:
        confine(path, root)
    except FileRefused:
        return False
    return is_regular_file(path)


def _quoted(text: str) -> str:
    short = text if len(text) <= 120 else text[:117] + "..."
    return f'"{short}"'


# --- fileset() patterns ----------------------------------------------------------------------------------
# Matched by simulating the pattern as a small automaton over the path's characters (the set of pattern
# positions still alive after each character), so the time is linear in the path for a given pattern:
# a hostile pattern such as `**/*/**/*/**/x` cannot make the match backtrack.


def _clean_pattern(pattern: str) -> str:
    if len(pattern) > MAX_PATTERN:
        raise LimitError(f"fileset() pattern of {len(pattern)} characters, more than vpcreach reads ({MAX_PATTERN})")
    cleaned = posixpath.normpath(pattern) if pattern else pattern
    if posixpath.isabs(cleaned) or cleaned == ".." or cleaned.startswith("../"):
        raise FileRefused(f"the pattern {_quoted(pattern)} leaves its folder, outside the scan root")
    return cleaned


def _expand_braces(pattern: str) -> list[str]:
    """`a{b,c}d` → [abd, acd], innermost first; escaped braces stay literal."""
    out = [pattern]
    done: list[str] = []
    while out:
        current = out.pop()
        span = _brace_span(current)
        if span is None:
            done.append(current)
        else:
            start, end, options = span
            out.extend(current[:start] + o + current[end + 1 :] for o in options)
        if len(out) + len(done) > MAX_ALTERNATIVES:
            raise LimitError(f"fileset() pattern expands to more than {MAX_ALTERNATIVES} alternatives")
    return done


def _brace_span(pattern: str) -> tuple[int, int, list[str]] | None:
    """The first innermost `{...}` group: its bounds and comma-separated options."""
    i, start = 0, -1
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            start = i
        elif ch == "}" and start >= 0:
            body, options, piece, j = pattern[start + 1 : i], [], "", 0
            while j < len(body):
                if body[j] == "\\" and j + 1 < len(body):
                    piece += body[j : j + 2]
                    j += 2
                    continue
                if body[j] == ",":
                    options.append(piece)
                    piece = ""
                else:
                    piece += body[j]
                j += 1
            options.append(piece)
            return start, i, options
        i += 1
    return None


# Tokens: ("lit", c) one character; ("one",) `?`; ("class", ranges, negated); ("star",) `*` within a
# component; ("dirs",) `**/`: zero or more whole components; ("all",) a final `**`: anything.
Token = tuple


def _compile(pattern: str) -> list[Token]:
    tokens: list[Token] = []
    parts = pattern.split("/")
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            if last:
                tokens.append(("all",))
            elif not tokens or tokens[-1] != ("dirs",):
                tokens.append(("dirs",))
            continue
        i = 0
        while i < len(part):
            ch = part[i]
            if ch == "\\" and i + 1 < len(part):
                tokens.append(("lit", part[i + 1]))
                i += 2
            elif ch == "*":
                if not tokens or tokens[-1] != ("star",):
                    tokens.append(("star",))
                i += 1
            elif ch == "?":
                tokens.append(("one",))
                i += 1
            elif ch == "[":
                end, token = _char_class(part, i)
                tokens.append(token)
                i = end
            else:
                tokens.append(("lit", ch))
                i += 1
        if not last:
            tokens.append(("lit", "/"))
    return tokens


def _char_class(part: str, start: int) -> tuple[int, Token]:
    i = start + 1
    negated = i < len(part) and part[i] in "^!"
    if negated:
        i += 1
    ranges: list[tuple[str, str]] = []
    first = True
    while i < len(part) and (part[i] != "]" or first):
        first = False
        lo = part[i]
        if lo == "\\" and i + 1 < len(part):
            i += 1
            lo = part[i]
        if i + 2 < len(part) and part[i + 1] == "-" and part[i + 2] != "]":
            ranges.append((lo, part[i + 2]))
            i += 3
        else:
            ranges.append((lo, lo))
            i += 1
    if i >= len(part):
        raise EvalError("fileset(): the pattern has an unclosed [ class")
    return i + 1, ("class", tuple(ranges), negated)


def _step(tokens: list[Token], state: tuple[int, bool], ch: str) -> Iterator[tuple[int, bool]]:
    index, inside = state
    if index >= len(tokens):
        return
    token = tokens[index]
    kind = token[0]
    if kind == "dirs":
        if ch == "/":
            if inside:
                yield (index, False)  # one more whole component done; more may follow
        else:
            yield (index, True)
        return
    if kind == "all":
        yield (index, False)
        return
    if kind == "star":
        if ch != "/":
            yield (index, False)
        return
    if kind == "lit":
        if ch == token[1]:
            yield (index + 1, False)
        return
    if ch == "/":
        return
    if kind == "one":
        yield (index + 1, False)
    elif kind == "class":
        hit = any(lo <= ch <= hi for lo, hi in token[1])
        if hit != token[2]:
            yield (index + 1, False)


def _closure(tokens: list[Token], states: set[tuple[int, bool]]) -> set[tuple[int, bool]]:
    out = set(states)
    stack = list(states)
    while stack:
        index, inside = stack.pop()
        if index < len(tokens) and not inside and tokens[index][0] in ("dirs", "all", "star"):
            nxt = (index + 1, False)
            if nxt not in out:
                out.add(nxt)
                stack.append(nxt)
    return out


def _matches(tokens: list[Token], path: str) -> tuple[bool, int]:
    """Whether `path` matches, and the work it took (states visited), for the evaluation budget."""
    states = _closure(tokens, {(0, False)})
    work = len(states)
    for ch in path:
        states = _closure(tokens, {s for state in states for s in _step(tokens, state, ch)})
        work += len(states) + 1
        if not states:
            return False, work
    return (len(tokens), False) in states, work


__all__ = ["MAX_FILE", "MAX_READ", "FileSystem"]
