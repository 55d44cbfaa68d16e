"""Finding and loading sources: which files are templates, Terraform modules or plans.

Parsers are imported only when a source of their kind is found, so a scan of CloudFormation never pays
for python-hcl2 and `vpcreach --version` imports nothing but click.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIP_DIRS = {
    ".git",
    ".terraform",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".aws-sam",
    ".serverless",
    "cdk.out.bak",
}
_TEMPLATE_HINTS = ("AWSTemplateFormatVersion", "Resources", "AWS::")


@dataclass
class Source:
    kind: str  # cfn | terraform | plan
    path: str
    explicit: bool = True  # named on the command line (errors are fatal) or found by walking a directory
    # Files an input names (Terraform's file(), module sources, AWS::Include) are read only inside this
    # folder: the git work tree holding the named path, the folder named, or --root / config `root`.
    root: str = "."


@dataclass
class LoadOptions:
    params: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)


def _is_plan_json(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    stripped = head.lstrip()
    return (
        stripped.startswith("{")
        and any(
            k in head for k in ('"planned_values"', '"resource_changes"', '"format_version"', '"terraform_version"')
        )
        and '"Resources"' not in head
    )


def discover(paths: list[str], root: str | None = None) -> list[Source]:
    """Sources under the given paths, in a stable order. Missing paths are reported by the loader.

    `root` is the scan root set by --root or the config; without it, each named path gets its own
    (`find_scan_root`)."""
    from vpcreach.parsers.files import find_scan_root

    out: list[Source] = []
    for path in paths:
        found: list[Source]
        if os.path.isdir(path):
            found = _walk(path)
        elif path.endswith(".tf"):
            found = [Source("terraform", os.path.dirname(path) or ".")]
        elif path.endswith(".json") and _is_plan_json(path):
            found = [Source("plan", path)]
        else:
            found = [Source("cfn", path)]
        path_root = os.path.realpath(root) if root else find_scan_root(path)
        for source in found:
            source.root = path_root
        out.extend(found)
    seen: set[tuple[str, str]] = set()
    unique = []
    for s in out:
        key = (s.kind, os.path.normpath(s.path))
        if key not in seen:
            seen.add(key)
            unique.append(s)
    return unique


def _walk(root: str) -> list[Source]:
    found: list[Source] = []
    if any(name.endswith(".tf") for name in os.listdir(root)):
        found.append(Source("terraform", root, explicit=True))
        tf_root = True
    else:
        tf_root = False
    for dirpath, filenames in _pruned_walk(root):
        if dirpath != root and not tf_root and any(f.endswith(".tf") for f in filenames):
            found.append(Source("terraform", dirpath, explicit=False))
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if name.endswith(".json") and _is_plan_json(full):
                found.append(Source("plan", full, explicit=False))
            elif name.endswith(TEMPLATE_SUFFIXES):
                found.append(Source("cfn", full, explicit=False))
    return found


def _pruned_walk(root: str) -> Iterator[tuple[str, list[str]]]:
    """(folder, file names) under root in a stable order, without tool, VCS and dependency folders."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        yield dirpath, filenames


def empty_root_hint(directory: str, covered: set[str] | frozenset[str] = frozenset()) -> str | None:
    """For a Terraform directory that declared nothing vpcreach reads: where the real root modules may be.

    A repository whose top level holds only `provider.tf` is read as one (empty) root module, and its
    `environments/*` or `modules/*` folders are never reached; say so rather than report a clean scan.
    Folders in `covered` (real paths the same scan analysed or read as modules) are not suggested.
    """
    nested = []
    for dirpath, filenames in _pruned_walk(directory):
        if os.path.realpath(dirpath) in covered:
            continue
        if dirpath != directory and any(f.endswith(".tf") for f in filenames):
            nested.append(dirpath)
            if len(nested) == 4:
                break
    if not nested:
        return None
    shown = ", ".join(os.path.relpath(d, directory) for d in nested[:3]) + (", ..." if len(nested) > 3 else "")
    return (
        f"{directory} declares no resource vpcreach reads, and its subdirectories hold Terraform ({shown}); "
        f"if those are root modules, scan them: vpcreach scan {nested[0]}"
    )


def looks_like_template_text(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536).decode("utf-8", "replace")
    except OSError:
        return False
    return any(h in head for h in _TEMPLATE_HINTS)


def load(source: Source, options: LoadOptions):  # -> (Network | None, extra dict)
    """Parse one source. Returns None for a walked file that is not a template (skipped silently)."""
    from vpcreach.parsers.errors import InputError

    if source.kind == "cfn":
        from vpcreach.parsers.cfn import looks_like_template, parse_template
        from vpcreach.parsers.yaml_loader import load_document, read_text

        try:
            doc = load_document(read_text(source.path), source.path)
        except InputError:
            if source.explicit or looks_like_template_text(source.path):
                raise
            return None
        if not looks_like_template(doc):
            if source.explicit:
                raise InputError(source.path, "not a CloudFormation/SAM template (no Resources with AWS:: types)")
            return None
        return parse_template(doc, source.path, options.params, source.root)
    if source.kind == "terraform":
        from vpcreach.parsers.terraform import parse_module

        return parse_module(source.path, options.variables, options.var_files, source.root)
    if source.kind == "plan":
        from vpcreach.parsers.terraform.plan import parse_plan

        return parse_plan(source.path)
    raise ValueError(source.kind)
