"""Baselines: accept today's findings, fail only on new ones.

A baseline entry is (file, fingerprint). The fingerprint (`Finding.fingerprint`) is rule, file name,
resource and key, never the line, so inserting lines above a resource keeps the finding baselined. The
file is stored relative to the baseline file's directory and is part of the match because SAM projects
all call their template `template.yaml`: without it, baselining `HelloFunction` in one service would hide
the same finding in every other service of a monorepo.
"""

from __future__ import annotations

import json
import os
import stat

from vpcreach.analyzer.findings import Finding

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """A baseline that cannot be read or written: one line naming the file, exit 2."""


def _relative(file: str, base_dir: str) -> str:
    if not file:
        return ""
    return os.path.relpath(os.path.abspath(file), base_dir).replace(os.sep, "/")


def write_baseline(findings: list[Finding], path: str) -> int:
    """Record the active findings (suppressed ones are already accepted where they are written); returns
    how many fingerprints were written.

    BaselineError (one line) when `path` is not a regular file or a new one: a FIFO would block the scan, a
    device would swallow the baseline, and a symbolic link, which a pull request can put at the baseline's
    path, would have the CI job overwrite whatever file it points to.
    """
    base_dir = os.path.dirname(os.path.abspath(path))
    entries = sorted(
        (
            {
                "file": _relative(f.file, base_dir),
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,  # rule and resource are for the reader of the file; matching ignores them
                "resource": f.resource,
            }
            for f in findings
            if f.suppressed is None
        ),
        key=lambda e: (e["file"], e["rule_id"], e["resource"], e["fingerprint"]),
    )
    text = json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    else:
        if stat.S_ISLNK(st.st_mode):
            raise BaselineError(f"{path}: is a symbolic link; the baseline is not written through it (name its target)")
        if not stat.S_ISREG(st.st_mode):
            raise BaselineError(f"{path}: not a regular file; the baseline is not written to it")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        # O_NOFOLLOW and O_NONBLOCK: should the path be swapped for a link or a FIFO since lstat, open() fails
        # or returns at once instead of following it or blocking.
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise BaselineError(f"{path}: not a regular file; the baseline is not written to it")
            fh.write(text)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None
    return len(entries)


def apply_baseline(findings: list[Finding], path: str) -> list[Finding]:
    """The findings not recorded in the baseline. Raises BaselineError (one line) for a file that is not a baseline."""
    known = read_baseline(path)
    base_dir = os.path.dirname(os.path.abspath(path))
    # An entry without a file (written by hand) accepts the fingerprint in any file.
    return [
        f
        for f in findings
        if (_relative(f.file, base_dir), f.fingerprint) not in known and (None, f.fingerprint) not in known
    ]


def read_baseline(path: str) -> set[tuple[str | None, str]]:
    """The (file, fingerprint) entries of a baseline file; BaselineError naming the file (and the line when
    known) for anything else: unreadable, not a regular file, over the size limit, not UTF-8, not JSON,
    nested too deeply, or JSON of another shape."""
    from vpcreach.parsers.errors import MAX_FILE_BYTES
    from vpcreach.parsers.files import FileRefused, read_bytes

    def refuse(why: str, line: int | None = None) -> BaselineError:
        return BaselineError(f"{path}{f':{line}' if line else ''}: not a vpcreach baseline ({why})")

    try:
        raw = read_bytes(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc}") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refuse("not UTF-8 text", raw.count(b"\n", 0, exc.start) + 1) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise refuse(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise refuse("JSON nested too deeply") from None
    except ValueError:  # an integer longer than int() converts (4300 digits)
        raise refuse("a number too long to read") from None
    if not isinstance(data, dict) or "version" not in data or not isinstance(data.get("findings"), list):
        raise refuse('expected {"version": 1, "findings": [...]}')
    version = data["version"]
    if type(version) is not int or version != BASELINE_VERSION:
        shown = repr(version) if len(repr(version)) <= 40 else repr(version)[:37] + "..."
        raise BaselineError(f"{path}: baseline version {shown} is not supported (expected {BASELINE_VERSION})")
    known: set[tuple[str | None, str]] = set()
    for i, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise refuse(f"findings[{i}] has no fingerprint string")
        file = entry.get("file")
        if file is not None and not isinstance(file, str):
            raise refuse(f"findings[{i}].file is not a string")
        known.add((file, entry["fingerprint"]))
    return known
