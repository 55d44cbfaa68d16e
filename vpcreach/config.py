"""Configuration: `[tool.vpcreach]` in pyproject.toml or `.vpcreach.toml`, found by walking up from the
first scanned path; `--config FILE` overrides the search. Command-line options win over the file.

```toml
[tool.vpcreach]            # in .vpcreach.toml the table may also be top level
severity_threshold = "warning"
ignore = ["VR202"]
severity = { VR302 = "info" }                       # per-rule severity override
needs = { ApiFunction = ["internet", "s3"], "worker-*" = ["sqs"] }
traffic = { ApiFunction = { s3 = 500 } }             # GB/month, for NAT cost estimates
params = { Environment = "prod" }                    # CloudFormation parameters
variables = { enable_nat_gateway = true }            # Terraform variables
suppress = { LegacyFn = [{ id = "VR302", reason = "single-AZ by design" }] }
eni_quota = 250
root = "."                                           # scan root: files inputs name are read only inside it
```

Mistakes in the file (a misspelt setting or rule id, a wrong type) are errors naming the file: a config
that silently does nothing is worse than one that refuses to load.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from vpcreach.analyzer.engine import Analysis, Options

SEVERITIES = ("info", "warning", "error")
FILE_NAMES = (".vpcreach.toml", "pyproject.toml")


class ConfigError(Exception):
    pass


@dataclass
class Config:
    path: str | None = None
    severity_threshold: str | None = None
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    needs: dict[str, list[str]] = field(default_factory=dict)
    traffic: dict[str, dict[str, float]] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    suppress: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    eni_quota: int = 250
    root: str | None = None  # scan root; relative to the config file's folder

    def options(self, req: Any) -> Options:
        """Analysis options from this file and a request (anything with the RunRequest attributes, or None)."""
        from vpcreach.analyzer.engine import Options
        from vpcreach.graph.model import Suppression

        ignore = {
            i.strip().upper()
            for item in (*self.ignore, *(getattr(req, "ignore", None) or ()))
            for i in str(item).split(",")
            if i.strip()
        }
        return Options(
            severity_threshold=getattr(req, "severity_threshold", None) or self.severity_threshold or "warning",
            ignore=ignore,
            severity_overrides=dict(self.severity),
            needs=self.needs,
            traffic=self.traffic,
            suppressions={
                res: [Suppression(s["id"], s.get("reason", "")) for s in items] for res, items in self.suppress.items()
            },
            mode=getattr(req, "mode", None) or "scan",
            eni_quota=self.eni_quota,
        )


def find_config(paths: list[str]) -> str | None:
    """The nearest `.vpcreach.toml`, or pyproject.toml with a [tool.vpcreach] table, above the first path."""
    start = os.path.abspath(paths[0] if paths else ".")
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        for name in FILE_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and (name == ".vpcreach.toml" or _has_table(candidate)):
                return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _has_table(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return "vpcreach" in tomllib.load(fh).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def load_config(explicit: str | None, paths: list[str]) -> Config:
    path = explicit or find_config(paths)
    if path is None:
        return Config()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("vpcreach") if isinstance(data.get("tool"), dict) else None
    if table is None:
        # A pyproject.toml passed with --config belongs to other tools too: only [tool.vpcreach] is ours.
        is_pyproject = os.path.basename(path) == "pyproject.toml"
        table = {} if is_pyproject else {k: v for k, v in data.items() if k != "tool"}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.vpcreach] must be a table")
    return _parse(path, table)


def _parse(path: str, table: dict) -> Config:
    from vpcreach.analyzer.catalogue import RULES

    def fail(what: str) -> ConfigError:
        return ConfigError(f"{path}: {what}")

    def mapping(key: str) -> dict:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise fail(f"{key} must be a table")
        return value

    def rule_id(value: Any, where: str) -> str:
        rid = str(value).strip().upper()
        if rid not in RULES:
            raise fail(f"{where}: unknown rule id {value!r} (`vpcreach rules` lists them)")
        return rid

    def severity(value: Any, where: str) -> str:
        if value not in SEVERITIES:
            raise fail(f"{where} must be info, warning or error, not {value!r}")
        return value

    def number(value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail(f"{where} must be a non-negative number, not {value!r}")
        return float(value)

    cfg = Config(path=path)
    unknown = set(table) - (set(Config.__dataclass_fields__) - {"path"})
    if unknown:
        raise fail(f"unknown setting(s) {', '.join(sorted(unknown))}")
    if "severity_threshold" in table:
        cfg.severity_threshold = severity(table["severity_threshold"], "severity_threshold")
    ignore = table.get("ignore", [])
    ignore = ignore.split(",") if isinstance(ignore, str) else ignore
    if not isinstance(ignore, list):
        raise fail("ignore must be a list of rule ids")
    cfg.ignore = [rule_id(x, "ignore") for x in ignore if str(x).strip()]
    cfg.severity = {rule_id(k, "severity"): severity(v, f"severity.{k}") for k, v in mapping("severity").items()}
    for name, needs in mapping("needs").items():
        if isinstance(needs, str):
            needs = [n.strip() for n in needs.split(",")]
        if not isinstance(needs, list):
            raise fail(f'needs.{name} must be a list such as ["internet", "s3"]')
        cfg.needs[str(name)] = [str(n) for n in needs if str(n)]
    for name, volumes in mapping("traffic").items():
        if not isinstance(volumes, dict):
            raise fail(f"traffic.{name} must map a service to GB/month, such as {{ s3 = 500 }}")
        cfg.traffic[str(name)] = {str(s): number(v, f"traffic.{name}.{s}") for s, v in volumes.items()}
    cfg.params = {str(k): _cfn_literal(v) for k, v in mapping("params").items()}
    cfg.variables = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in mapping("variables").items()}
    for res, items in mapping("suppress").items():
        if not isinstance(items, list):
            raise fail(f'suppress.{res} must be a list of {{ id = "VR...", reason = "..." }}')
        entries = []
        for item in items:
            if isinstance(item, str):
                item = {"id": item}
            if not isinstance(item, dict) or "id" not in item:
                raise fail(f"suppress.{res}: each entry needs an id (and a reason)")
            entries.append({"id": rule_id(item["id"], f"suppress.{res}"), "reason": str(item.get("reason") or "")})
        cfg.suppress[str(res)] = entries
    if "eni_quota" in table:
        quota = table["eni_quota"]
        if isinstance(quota, bool) or not isinstance(quota, int) or quota <= 0:
            raise fail(f"eni_quota must be a positive integer, not {quota!r}")
        cfg.eni_quota = quota
    if "root" in table:
        root = table["root"]
        if not isinstance(root, str) or not root:
            raise fail(f"root must be a folder path, not {root!r}")
        folder = os.path.join(os.path.dirname(os.path.abspath(path)), root)
        if not os.path.isdir(folder):
            raise fail(f"root {root!r} is not a folder")
        # A config file may come with the pull request it checks: its root may narrow the scan root, never
        # widen it past the repository holding the file (its git work tree, else its folder), where `root =
        # "/"` would let file() read the runner's files. Only --root on the command line can go further.
        from vpcreach.parsers.files import FileRefused, confine, find_scan_root

        try:
            cfg.root = confine(folder, find_scan_root(path))
        except FileRefused:
            raise fail(f"root {root!r} is outside the repository holding this config file") from None
    return cfg


def _cfn_literal(value: Any) -> str:
    # CloudFormation parameter values are strings; TOML booleans and lists get CloudFormation's spelling.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_cfn_literal(v) for v in value)
    return str(value)


def unexplained_suppressions(analyses: list[Analysis]) -> list[str]:
    """A warning for each suppression that gives no reason.

    A bare id (`ignore: [VR201]`, `# vpcreach:ignore=VR201`, `suppress = { Fn = ["VR201"] }`) still
    suppresses, so templates written to the first DESIGN examples keep working, but the reason is what a
    reviewer reads later, so each one without a reason is named on stderr.
    """
    from vpcreach.graph import model as m

    out: list[str] = []

    def note(where: str, resource: str, rule: str) -> None:
        if where == "config":
            how = f'write {{ id = "{rule}", reason = "..." }}'
        elif where.endswith(".tf"):
            how = f"write # vpcreach:ignore={rule}:<reason>"
        else:
            how = f"write {{id: {rule}, reason: ...}}"
        line = f"{where}: {resource} suppresses {rule} without a reason; {how}"
        if line not in out:
            out.append(line)

    for a in analyses:
        net = a.network
        source = ", ".join(net.sources)
        for fn in net.of(m.Function):
            for s in fn.ignores:
                if not s.reason:
                    note(fn.loc.file or source, fn.id, s.rule_id)
        for resource, sups in net.ignores.items():
            obj = net.objects.get(resource)
            for s in sups:
                if not s.reason:
                    note(obj.loc.file if obj and obj.loc.file else source, resource, s.rule_id)
        for pattern, sups in a.options.suppressions.items():
            for s in sups:
                if not s.reason:
                    note("config", pattern, s.rule_id)
    return out
