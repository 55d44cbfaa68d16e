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

    def __reduce__(self):
        # Crosses process boundaries intact (directory scans run in a process pool).
        return (type(self), (self.file, self.message, self.line))


# Refuse inputs past these before parsing them: a pre-commit hook must never hang on one file.
MAX_FILE_BYTES = 20 * 1024 * 1024
# CloudFormation accepts no template body over 1 MB (the "Template body size in an Amazon S3 object" quota,
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). Five times
# that leaves room for comments and indentation, and keeps the YAML load (~0.65 s/MiB) within the 10 s goal.
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 1000
MAX_DEPTH = 200
# Terraform's .tf files of one root and every module it calls, together. python-hcl2 parses at 25-35 us per
# character on the reference machine (a 2 MiB root took 29 s of CPU), so this keeps a root within the 10 s
# goal: 256 KiB parse in ~8 s. The largest corpus module folder is 143 KB, the r480 benchmark twin 226 KB.
# Raise it when the HCL front end gets faster (issue 20); a plan (`vpcreach plan`) has no such limit.
MAX_TERRAFORM_BYTES = 256 * 1024
# Values (YAML/JSON nodes) in one template. Parsing costs 3 to 9 µs and ~300 bytes per value (flat lists
# are cheapest, small flow mappings dearest), so this bounds a template's parse at about 4.5 s and 200 MB.
# A template CloudFormation deploys is at most 1 MB (51,200 bytes in a request; "Understand CloudFormation
# quotas", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html): about
# 65,000 values at the corpus's density (one per 16 bytes), 500,000 only if written as `[1,1,1,...]`.
MAX_NODES = 500_000
