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
assume_bpa = "off"                                   # VPC Block Public Access outside the source: off|ingress|bidirectional
root = "."                                           # scan root: files inputs name are read only inside it
fail_on_empty = true                                 # nothing to analyse is an error (exit 2), as --fail-on-empty
snapshot = ["env/prod"]                              # AWS CLI describe output (files or folders), as --snapshot
```

Mistakes in the file (a misspelt setting or rule id, a wrong type, inf or nan) are errors naming the file: a
config that silently does nothing is worse than one that refuses to load. So is a pyproject.toml met on the
way up that cannot be read or parsed: it may hold [tool.vpcreach] (`--config` names the file instead).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from vpcreach.graph.aws import DEFAULT_ENI_QUOTA
from vpcreach.parsers.errors import MAX_DEPTH

if TYPE_CHECKING:
    from vpcreach.analyzer.analysis import Analysis, Options

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
    eni_quota: int = DEFAULT_ENI_QUOTA
    root: str | None = None  # scan root; relative to the config file's folder
    fail_on_empty: bool = False  # a scan with nothing to analyse is an error (exit 2), not a note
    assume_bpa: str = "off"  # VPC Block Public Access when the source does not set it: off, ingress, bidirectional
    snapshot: list[str] = field(default_factory=list)  # environment snapshots; relative to the config's folder

    def options(self, req: Any) -> Options:
        """Analysis options from this file and a request (anything with the RunRequest attributes, or None)."""
        from vpcreach.analyzer.analysis import Options
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
            assume_bpa=getattr(req, "assume_bpa", None) or self.assume_bpa,
        )


def find_config(paths: list[str]) -> str | None:
    """The nearest `.vpcreach.toml`, or pyproject.toml with a [tool.vpcreach] table, above the first path."""
    found = _find(paths)
    return found[0] if found else None


def _find(paths: list[str]) -> tuple[str, dict] | None:
    """(path, document) of the nearest config above the first path.

    A pyproject.toml without [tool.vpcreach] belongs to other tools and is passed over, but one that cannot be
    read or parsed is an error, as it is for ruff, black and pytest: it may hold our table, and scanning with
    the defaults instead would change the findings without a word. `--config` names the file instead.
    Anything but a folder at a config's name is read, so a FIFO or a device there is refused, not passed over.
    """
    start = os.path.abspath(paths[0] if paths else ".")
    directory = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        for name in FILE_NAMES:
            candidate = os.path.join(directory, name)
            if not os.path.lexists(candidate) or os.path.isdir(candidate):
                continue
            hint = "; vpcreach reads [tool.vpcreach] from it (fix it, or name a config with --config)"
            data = _read_toml(candidate, hint if name == "pyproject.toml" else "")
            if name == ".vpcreach.toml" or (isinstance(data.get("tool"), dict) and "vpcreach" in data["tool"]):
                return candidate, data
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


# Config files are small; this bounds both the read and tomllib's parse (about 1 s per MiB here).
MAX_CONFIG_BYTES = 1024 * 1024
# tomllib's work grows with the square of the dotted parts of one key (`a.a.a... = 1`, `[a.a.a...]`): 16,000
# parts, a 32 KB line, take 16 s here. A key never spans lines (TOML allows only spaces and tabs around its
# dots: https://toml.io/en/v1.0.0#keys), so the sum over lines of (dots on the line)² bounds that work; this
# much is about a second, and a file written by hand stays far below it.
MAX_DOTTED_WORK = 20_000_000


def _read_toml(path: str, hint: str = "") -> dict:
    """The TOML document in the file at `path`, or a ConfigError naming the file (and the line when known)."""
    from vpcreach.parsers.files import FileRefused, read_bytes

    try:
        raw = read_bytes(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        raise ConfigError(f"{path}: cannot read config: no such file{hint}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: cannot read config: is a directory{hint}") from None
    except FileRefused as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}{hint}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}{hint}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 text (at line {line}){hint}") from None
    work, worst = 0, (0, 0)
    for number, line_text in enumerate(text.split("\n"), 1):
        dots = line_text.count(".")
        work += dots * dots
        worst = max(worst, (dots, number))
    if work > MAX_DOTTED_WORK:
        raise ConfigError(
            f"{path}: invalid TOML: too many dotted key parts to parse in reasonable time "
            f"({worst[0]} dots at line {worst[1]}){hint}"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}{hint}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to read{hint}") from None
    except ValueError as exc:
        # int() refuses decimal literals longer than sys.get_int_max_str_digits() (4300 by default).
        raise ConfigError(f"{path}: invalid TOML: {_long_integer(text) or exc}{hint}") from None
    return data


def _long_integer(text: str) -> str | None:
    limit = getattr(sys, "get_int_max_str_digits", lambda: 4300)()
    for match in re.finditer(r"[0-9_]+", text):
        if limit and sum(c.isdigit() for c in match.group()) > limit:
            line = text.count("\n", 0, match.start()) + 1
            return f"an integer with more than {limit} digits (at line {line})"
    return None


def load_config(explicit: str | None, paths: list[str]) -> Config:
    if explicit:
        path, data = explicit, _read_toml(explicit)
    else:
        found = _find(paths)
        if found is None:
            return Config()
        path, data = found
    table = _our_table(path, data)
    if _depth(table) > MAX_DEPTH:
        raise ConfigError(f"{path}: the vpcreach settings nest more than {MAX_DEPTH} levels deep")
    # A config named on the command line is the CI author's; one found beside the scanned code may come
    # with the pull request, so the scan root it sets must stay inside the code's own repository.
    return _parse(path, table, trusted=bool(explicit))


def _our_table(path: str, data: dict) -> dict:
    """Our settings in a config document: [tool.vpcreach]; in a file other than pyproject.toml, else the top level."""
    tool = data.get("tool")
    if tool is not None and not isinstance(tool, dict):
        raise ConfigError(f"{path}: tool must be a table (holding [tool.vpcreach]), not {_brief(tool)}")
    if tool is not None and "vpcreach" in tool:
        table = tool["vpcreach"]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.vpcreach] must be a table")
        if os.path.basename(path) != "pyproject.toml" and set(data) - {"tool"}:
            top = ", ".join(sorted(_name(k) for k in data if k != "tool"))
            raise ConfigError(f"{path}: settings both at the top level ({top}) and in [tool.vpcreach]; keep one")
        return table
    if os.path.basename(path) == "pyproject.toml":
        # A pyproject.toml passed with --config belongs to other tools too: only [tool.vpcreach] is ours.
        return {}
    return {k: v for k, v in data.items() if k != "tool"}


def _depth(value: Any) -> int:
    """How deeply tables and arrays nest in `value`, counted without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth + 1)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _brief(value: Any) -> str:
    """`value` as an error message may quote it: escaped (repr) and short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _name(key: str) -> str:
    """A setting's key as a message shows it: as written when plain, else quoted and escaped."""
    return key if re.fullmatch(r"[A-Za-z0-9_*?!\[\]{},./:@+-]{1,80}", key) else _brief(key)


# Bounds on numeric settings: a quota or volume beyond them is a mistake (or an attack on the report), not a plan.
MAX_TRAFFIC_GB = 1_000_000_000  # one exabyte a month
MAX_ENI_QUOTA = 1_000_000


def _parse(path: str, table: dict, trusted: bool = True) -> Config:
    from vpcreach.analyzer.catalogue import RULES

    def fail(what: str) -> ConfigError:
        return ConfigError(f"{path}: {what}")

    def mapping(key: str) -> dict:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise fail(f"{key} must be a table")
        return value

    def rule_id(value: Any, where: str) -> str:
        rid = value.strip().upper() if isinstance(value, str) else ""
        if rid not in RULES:
            raise fail(f"{where}: unknown rule id {_brief(value)} (`vpcreach rules` lists them)")
        return rid

    def severity(value: Any, where: str) -> str:
        if value not in SEVERITIES:
            raise fail(f"{where} must be info, warning or error, not {_brief(value)}")
        return value

    def number(value: Any, where: str) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not 0 <= value <= MAX_TRAFFIC_GB  # also false for nan
        ):
            raise fail(f"{where} must be a non-negative number of GB/month up to {MAX_TRAFFIC_GB}, not {_brief(value)}")
        return float(value)

    def text(value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise fail(f"{where} must be a string, not {_brief(value)}")
        return value

    cfg = Config(path=path)
    unknown = set(table) - (set(Config.__dataclass_fields__) - {"path"})
    if unknown:
        raise fail(f"unknown setting(s) {', '.join(sorted(_name(k) for k in unknown))}")
    if "severity_threshold" in table:
        cfg.severity_threshold = severity(table["severity_threshold"], "severity_threshold")
    if "assume_bpa" in table:
        if table["assume_bpa"] not in ("off", "ingress", "bidirectional"):
            raise fail(f'assume_bpa must be "off", "ingress" or "bidirectional", not {_brief(table["assume_bpa"])}')
        cfg.assume_bpa = table["assume_bpa"]
    if "fail_on_empty" in table:
        if not isinstance(table["fail_on_empty"], bool):
            raise fail(f"fail_on_empty must be true or false, not {_brief(table['fail_on_empty'])}")
        cfg.fail_on_empty = table["fail_on_empty"]
    ignore = table.get("ignore", [])
    ignore = ignore.split(",") if isinstance(ignore, str) else ignore
    if not isinstance(ignore, list):
        raise fail("ignore must be a list of rule ids")
    cfg.ignore = [rule_id(x, "ignore") for x in ignore if not isinstance(x, str) or x.strip()]
    cfg.severity = {rule_id(k, "severity"): severity(v, f"severity.{_name(k)}") for k, v in mapping("severity").items()}
    for name, needs in mapping("needs").items():
        if isinstance(needs, str):
            needs = [n.strip() for n in needs.split(",")]
        if not isinstance(needs, list) or not all(isinstance(n, str) for n in needs):
            raise fail(f'needs.{_name(name)} must be a list of strings such as ["internet", "s3"]')
        from vpcreach.graph.aws import need_problem

        for need in needs:
            problem = need_problem(need) if need else None
            if problem is not None:
                raise fail(f"needs.{_name(name)}: {problem}")
        cfg.needs[name] = [n for n in needs if n]
    for name, volumes in mapping("traffic").items():
        if not isinstance(volumes, dict):
            raise fail(f"traffic.{_name(name)} must map a service to GB/month, such as {{ s3 = 500 }}")
        cfg.traffic[name] = {s: number(v, f"traffic.{_name(name)}.{_name(s)}") for s, v in volumes.items()}
    cfg.params = {k: _cfn_literal(v, f"{path}: params.{_name(k)}") for k, v in mapping("params").items()}
    cfg.variables = {
        k: v if isinstance(v, str) else _terraform_literal(v, f"{path}: variables.{_name(k)}")
        for k, v in mapping("variables").items()
    }
    for res, items in mapping("suppress").items():
        where = f"suppress.{_name(res)}"
        if not isinstance(items, list):
            raise fail(f'{where} must be a list of {{ id = "VR...", reason = "..." }}')
        entries = []
        for item in items:
            if isinstance(item, str):
                item = {"id": item}
            if not isinstance(item, dict) or "id" not in item:
                raise fail(f"{where}: each entry needs an id (and a reason)")
            extra = set(item) - {"id", "reason"}
            if extra:
                raise fail(f"{where}: unknown key(s) {', '.join(sorted(_name(k) for k in extra))} (id and reason)")
            reason = text(item.get("reason", ""), f"{where}: reason")
            entries.append({"id": rule_id(item["id"], where), "reason": reason})
        cfg.suppress[res] = entries
    if "eni_quota" in table:
        quota = table["eni_quota"]
        if isinstance(quota, bool) or not isinstance(quota, int) or not 0 < quota <= MAX_ENI_QUOTA:
            raise fail(f"eni_quota must be a positive integer up to {MAX_ENI_QUOTA}, not {_brief(quota)}")
        cfg.eni_quota = quota
    if "root" in table:
        cfg.root = _root(path, table["root"], trusted)
    snapshot = table.get("snapshot", [])
    snapshot = [snapshot] if isinstance(snapshot, str) else snapshot
    if not isinstance(snapshot, list) or not all(isinstance(x, str) and x and "\0" not in x for x in snapshot):
        raise fail(f'snapshot must be a list of files or folders such as ["env/prod"], not {_brief(snapshot)}')
    base = os.path.dirname(os.path.abspath(path))
    cfg.snapshot = [os.path.join(base, x) for x in snapshot]
    if not trusted:
        # As for root: a config that came with the scanned code names snapshots inside its own repository only.
        from vpcreach.parsers.files import find_scan_root, is_within

        repository = find_scan_root(base)
        for given, full in zip(snapshot, cfg.snapshot):
            if not is_within(os.path.realpath(full), repository):
                raise fail(
                    f"snapshot {_brief(given)} is outside the repository holding this config; "
                    "a snapshot elsewhere can only be given with --snapshot or --config"
                )
    return cfg


def _root(path: str, root: Any, trusted: bool) -> str:
    """The scan root a config sets: a folder, relative to the config's; inside the config's own repository
    (git work tree, else folder) unless the config was named on the command line."""
    from vpcreach.parsers.files import find_scan_root, is_within

    if not isinstance(root, str) or not root or "\0" in root:
        raise ConfigError(f"{path}: root must be a folder path, not {_brief(root)}")
    base = os.path.dirname(os.path.abspath(path))
    folder = os.path.join(base, root)
    if not os.path.isdir(folder):
        raise ConfigError(f"{path}: root {_brief(root)} is not a folder")
    real = os.path.realpath(folder)
    if not trusted:
        repository = find_scan_root(base)
        if not is_within(real, repository):
            raise ConfigError(
                f"{path}: root {_brief(root)} is outside the repository holding this config; "
                "a wider scan root can only be given with --root or --config"
            )
    return real


def _cfn_literal(value: Any, where: str) -> str:
    # CloudFormation parameter values are strings; TOML booleans and lists get CloudFormation's spelling.
    if isinstance(value, list):
        for item in value:
            _scalar(item, where, "a list of strings, numbers or booleans")
        return ",".join(_cfn_literal(item, where) for item in value)
    _scalar(value, where, "a string, number, boolean or list of them")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _terraform_literal(value: Any, where: str) -> str:
    """A TOML value as the Terraform literal `--var` would take (JSON's spelling is HCL's for these)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            _scalar(item, where, "a Terraform value: strings, numbers, booleans, lists and tables of them")
    return json.dumps(value)


def _scalar(value: Any, where: str, expected: str) -> None:
    """Nothing for a string, boolean, integer or finite float; a ConfigError for anything else (TOML dates,
    inf and nan have no CloudFormation or Terraform spelling)."""
    if isinstance(value, (str, bool, int)) or (isinstance(value, float) and math.isfinite(value)):
        return
    if isinstance(value, (dt.date, dt.time)):
        raise ConfigError(f"{where}: a TOML date or time has no CloudFormation or Terraform spelling; quote it")
    raise ConfigError(f"{where} must be {expected}, not {_brief(value)}")


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


def unmatched_keys(config: Config, analyses: list, scanned: list[str]) -> list[str]:
    """A warning for each `needs`, `traffic` or `suppress` key of the config that names nothing in the scan: a
    misspelt function name would otherwise declare nothing and suppress nothing, silently. Only when the scan
    covered the config's whole folder (a directory at or above it): a pre-commit run on a few changed files does
    not see every function the config names."""
    import fnmatch
    import os

    if config.path is None:
        return []
    folder = os.path.realpath(os.path.dirname(config.path))
    covered = any(
        os.path.isdir(p) and (folder + os.sep).startswith(os.path.realpath(p).rstrip(os.sep) + os.sep) for p in scanned
    )
    if not covered or not analyses:
        return []
    from vpcreach.graph import model as m

    functions: set[str] = set()
    resources: set[str] = set()
    for a in analyses:
        for obj in a.network.objects.values():
            resources.add(obj.id)
            if isinstance(obj, m.Function):
                functions.add(obj.id)
                if isinstance(obj.name, str):
                    functions.add(obj.name)

    def matches(pattern: str, names: set[str]) -> bool:
        return any(fnmatch.fnmatchcase(n, pattern) for n in names)

    out = []
    for section, keys, names, what in (
        ("needs", config.needs, functions, "function"),
        ("traffic", config.traffic, functions, "function"),
        ("suppress", config.suppress, resources | functions, "resource"),
    ):
        for key in keys:
            if not matches(key, names):
                out.append(f"{config.path}: {section}.{_name(key)} matches no {what} of this scan, so it does nothing")
    return out
