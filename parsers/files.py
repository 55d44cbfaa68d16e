"""Reading input files: the one place vpcreach opens a file it was given or that an input names.

Input comes from pull requests, so it is hostile: a template, a `.tf` file or a tfvars file may name
`/proc/self/environ`, a FIFO, a device or a path outside the repository. Two rules hold for every read:

- **Bounded by the bytes actually read**, never by `os.path.getsize` (which is 0 for `/proc` files and
  devices): at most `limit + 1` bytes are read, and more than `limit` is refused.
- **Regular files only**: a FIFO named `x.yaml` would block forever, a device would never end.

Paths that an input *names* (Terraform's `file()`, a local module `source`, CloudFormation's `AWS::Include`)
must also stay inside the **scan root** after symlinks are resolved: `confine()` decides that, once.
"""

from __future__ import annotations

import os
import stat

from .errors import MAX_FILE_BYTES, InputError

# Pseudo file systems whose files look regular but are views of the running machine (`/proc/self/environ`
# holds the CI job's secrets). Refused even when the scan root contains them.
_SYSTEM_TREES = ("/proc", "/sys", "/dev")


class FileRefused(OSError):
    """A file vpcreach will not read: not regular, too large, or outside the scan root. `str()` is the reason
    (from `read_bytes` without the path, which the caller names; from `confine` with it)."""


class FileTooLarge(FileRefused):
    """The file holds more bytes than the caller's limit."""


def find_scan_root(path: str) -> str:
    """The scan root for a path named on the command line: the top of the git work tree that holds it (a
    folder with `.git`, directory or file), else the path itself when it is a folder, else its folder.

    Found by looking for `.git` upward, without running git: a scan never starts another program.
    """
    real = os.path.realpath(path)
    start = real if os.path.isdir(real) else os.path.dirname(real)
    current = start
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent


def confine(path: str, root: str) -> str:
    """`path`'s real location when it lies inside `root` (after resolving symlinks), else FileRefused.

    Relative paths are taken as they stand (the caller joins them to their base folder first). `~` is
    never expanded: a path naming the runner's home directory is outside any scan root by construction.
    """
    if path.startswith("~"):
        raise FileRefused(f"{path} names a home directory, outside the scan root")
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if any(is_within(real, tree) for tree in _SYSTEM_TREES):
        raise FileRefused(f"{shown(path, root)} is a system file, not part of the scanned code")
    if not is_within(real, real_root):
        raise FileRefused(f"{shown(path, root)} is outside the scan root")
    return real


def is_within(real: str, folder: str) -> bool:
    """Whether the real (symlink-free, normalised) path `real` is `folder` or lies below it."""
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def shown(path: str, root: str) -> str:
    """`path` as a report may show it: relative to the scan root when inside it, else only its last part.

    Reports must not carry the runner's absolute paths (`/home/runner/work/...`, a user's home folder).
    """
    if not os.path.isabs(path):
        return path
    real_root = os.path.realpath(root)
    real = os.path.normpath(path)
    if real == real_root:
        return "."
    if is_within(real, real_root):
        return os.path.relpath(real, real_root)
    return os.path.join("…", os.path.basename(real))


def read_bytes(path: str, limit: int) -> bytes:
    """The bytes of the regular file at `path`: FileRefused when it is not a regular file, FileTooLarge when
    it holds more than `limit` bytes, OSError when it cannot be opened."""
    data = _read_regular(path, limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"file is larger than {_size(limit)}; refusing to read it")
    return data


def read_head(path: str, size: int) -> bytes:
    """At most the first `size` bytes of the regular file at `path`, whatever its length (to tell what kind
    of file it is from its start); FileRefused when it is not a regular file, OSError when it cannot be opened."""
    return _read_regular(path, size)


def _read_regular(path: str, size: int) -> bytes:
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused("not a regular file")
    # O_NONBLOCK: should the file be swapped for a FIFO between stat and open, open() still returns.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise FileRefused("not a regular file")
        return fh.read(size)


def read_input(path: str, limit: int = MAX_FILE_BYTES, too_large: str | None = None) -> bytes:
    """`read_bytes` for a file the user gave or a scan found: every refusal is an InputError (one line, exit 2),
    `too_large` its message when the file holds more than `limit` bytes."""
    try:
        return read_bytes(path, limit)
    except FileTooLarge as exc:
        raise InputError(path, too_large or str(exc)) from None
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory") from None
    except FileRefused as exc:
        raise InputError(path, str(exc)) from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def is_regular_file(path: str) -> bool:
    """True for a regular file (following symlinks); False for FIFOs, devices, sockets and missing paths."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 and n % (1024 * 1024) == 0 else f"{n} bytes"


__all__ = [
    "FileRefused",
    "FileTooLarge",
    "confine",
    "find_scan_root",
    "is_regular_file",
    "is_within",
    "read_bytes",
    "read_head",
    "read_input",
    "shown",
]
