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
variables = { enable_nat_gateway = "true" }          # Terraform variables
suppress = { LegacyFn = [{ id = "VR302", reason = "single-AZ by design" }] }
eni_quota = 250
```
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = ("info", "warning", "error")


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

    def options(self, req: Any):  # -> analyzer.engine.Options
        from vpcreach.analyzer.engine import Options
        from vpcreach.graph.model import Suppression

        ignore = {
            i.strip().upper()
            for item in (*self.ignore, *getattr(req, "ignore", ()))
            for i in str(item).split(",")
            if i.strip()
        }
        return Options(
            severity_threshold=getattr(req, "severity_threshold", None) or self.severity_threshold or "warning",
            ignore=ignore,
            severity_overrides={k.upper(): v for k, v in self.severity.items()},
            needs=self.needs,
            traffic=self.traffic,
            suppressions={
                res: [Suppression(str(s.get("id", "")).upper(), str(s.get("reason", ""))) for s in items]
                for res, items in self.suppress.items()
            },
            mode=getattr(req, "mode", "scan"),
            eni_quota=self.eni_quota,
        )


def find_config(paths: list[str]) -> str | None:
    start = os.path.abspath(paths[0] if paths else ".")
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        for name in (".vpcreach.toml", "pyproject.toml"):
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
    table = data.get("tool", {}).get("vpcreach")
    if table is None:
        table = {k: v for k, v in data.items() if k != "tool"}
    return _parse(path, table)


def _parse(path: str, table: dict) -> Config:
    def check(cond: bool, what: str) -> None:
        if not cond:
            raise ConfigError(f"{path}: {what}")

    cfg = Config(path=path)
    known = set(Config.__dataclass_fields__) - {"path"}
    unknown = set(table) - known
    check(not unknown, f"unknown setting(s) {', '.join(sorted(unknown))}")
    if "severity_threshold" in table:
        check(table["severity_threshold"] in SEVERITIES, "severity_threshold must be info, warning or error")
        cfg.severity_threshold = table["severity_threshold"]
    cfg.ignore = [str(x) for x in table.get("ignore", [])]
    cfg.severity = {str(k): str(v) for k, v in table.get("severity", {}).items()}
    check(all(v in SEVERITIES for v in cfg.severity.values()), "severity overrides must be info, warning or error")
    for name, needs in table.get("needs", {}).items():
        cfg.needs[str(name)] = [needs] if isinstance(needs, str) else [str(n) for n in needs]
    for name, volumes in table.get("traffic", {}).items():
        check(isinstance(volumes, dict), "traffic entries map a function to {service = GB}")
        cfg.traffic[str(name)] = {str(s): float(v) for s, v in volumes.items()}
    cfg.params = {str(k): str(v) for k, v in table.get("params", {}).items()}
    cfg.variables = {str(k): v if isinstance(v, str) else _tf_literal(v) for k, v in table.get("variables", {}).items()}
    for res, items in table.get("suppress", {}).items():
        check(isinstance(items, list), "suppress entries map a resource to a list of {id, reason}")
        cfg.suppress[str(res)] = [i if isinstance(i, dict) else {"id": str(i)} for i in items]
    cfg.eni_quota = int(table.get("eni_quota", 250))
    return cfg


def _tf_literal(value: Any) -> str:
    import json

    return json.dumps(value)
