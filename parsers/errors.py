"""The one exception type parsers raise for input the user must fix."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: reported as one line naming the file (and line when known), exit code 2."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Crosses process boundaries intact (directory scans run in a process pool).
        return (type(self), (self.file, self.message, self.line))


# Refuse inputs past these before parsing them: a pre-commit hook must never hang on one file.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ALIASES = 1000
MAX_DEPTH = 200
# Values (YAML/JSON nodes) in one template. Parsing costs 3 to 9 µs and ~300 bytes per value (flat lists
# are cheapest, small flow mappings dearest), so this bounds a template's parse at about 4.5 s and 200 MB.
# A template CloudFormation deploys is at most 1 MB (51,200 bytes in a request; "Understand CloudFormation
# quotas", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html): about
# 65,000 values at the corpus's density (one per 16 bytes), 500,000 only if written as `[1,1,1,...]`.
MAX_NODES = 500_000
