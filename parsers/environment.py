"""What a scan knows about the world outside the source: the environment snapshot's SSM parameters, exports and
stack outputs, the exports of the other templates scanned in the same run, and the stack's name. Parsers ask
it for values a template reads at deploy time and record where each answer came from (`Network.inputs`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    value: Any  # a string, or a list of strings for a StringList parameter
    where: str  # "file:line" of the snapshot item or template output, or a description
    kind: str = ""  # the SSM parameter type, when it is one


@dataclass
class Environment:
    snapshot: Any = None  # parsers.snapshot.Snapshot or None
    # Export name → parsers.cfn.stacks.StackExport, from the other templates of the scan (Outputs' Export.Name).
    exports: dict[str, Any] = field(default_factory=dict)
    stack_name: str | None = None
    # Reads another template of the scan into its network (for the objects an import of its export names).
    load_stack: Callable[[str], Any] | None = None
    own_path: str = ""  # the template being read

    def ssm(self, name: str) -> Answer | None:
        snap = self.snapshot
        param = snap.parameters.get(name) if snap is not None else None
        if param is None:
            return None
        return Answer(param.value, str(param.loc), param.type)

    def ssm_version(self, name: str) -> int | None:
        snap = self.snapshot
        param = snap.parameters.get(name) if snap is not None else None
        return param.version if param is not None else None

    def export(self, name: str) -> Answer | None:
        if name in self.exports:
            exp = self.exports[name]
            return Answer(exp, exp.where)
        snap = self.snapshot
        if snap is not None and name in snap.exports:
            value, loc = snap.exports[name]
            return Answer(value, str(loc))
        return None

    def __bool__(self) -> bool:
        return self.snapshot is not None or bool(self.exports) or self.stack_name is not None
