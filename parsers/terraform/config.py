"""Reading a directory of `.tf` files into one module's configuration, each file parsed once.

`syntax` does the parsing (tree-sitter-hcl, python-hcl2 as the reference); this module only sorts its
nodes into blocks and attributes (keeping the expression nodes for the evaluator and the line numbers for
findings); a parse failure is an `InputError` naming the file and line. Terraform's own static checks that
the parsers do not make (an attribute defined twice, a resource declared twice) are made here, because
Terraform refuses such a configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..errors import MAX_FILE_BYTES, MAX_TERRAFORM_BYTES, InputError
from ..files import FileRefused, confine, read_input, shown
from . import syntax


@dataclass
class Attr:
    name: str
    expr: Any  # a syntax.Expr
    file: str
    line: int | None


@dataclass
class Block:
    type: str
    labels: list[str]
    attrs: dict[str, Attr]
    blocks: list[Block]
    file: str
    line: int | None
    end_line: int | None = None

    def blocks_of(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]


@dataclass
class ModuleConfig:
    dir: str
    files: list[str] = field(default_factory=list)
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attr] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: dict[str, Block] = field(default_factory=dict)  # "type.name"
    data: dict[str, Block] = field(default_factory=dict)  # "type.name"
    modules: dict[str, Block] = field(default_factory=dict)
    providers: list[Block] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)  # source lines, for annotations
    resource_types: set[str] = field(default_factory=set)
    size: int = 0  # bytes of its .tf files


def read_source(
    path: str, limit: int = MAX_FILE_BYTES, scan_root: str | None = None, too_large: str | None = None
) -> str:
    """A configuration file's text. With `scan_root`, a file whose real path (after symlinks) lies outside
    it is refused, not read: a `.tf` or `.tfvars` file in the pull request may be a symlink to a file of
    the runner's, and a parse error would quote a piece of it."""
    if scan_root is not None:
        try:
            confine(path, scan_root)
        except FileRefused as exc:
            reason, named = str(exc), shown(path, scan_root)
            reason = "it" + reason[len(named) :] if reason.startswith(named) else reason
            raise InputError(path, f"not read: {reason}") from None
    raw = read_input(path, limit, too_large)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, "not UTF-8 text", line) from None
    return text


def parse_hcl(text: str, path: str) -> list[syntax.Attribute | syntax.BlockNode]:
    """One file's top-level attributes and blocks (see `syntax`); a parse failure is one InputError line."""
    return syntax.parse(text, path)


def body_of(items: list[syntax.Attribute | syntax.BlockNode], path: str) -> tuple[dict[str, Attr], list[Block]]:
    """Attributes (each defined once, as Terraform requires) and nested blocks of a body."""
    attrs: dict[str, Attr] = {}
    blocks: list[Block] = []
    for item in items:
        if isinstance(item, syntax.Attribute):
            name, line = item.name, item.line
            if name in attrs:
                first = attrs[name].line
                raise InputError(
                    path,
                    f'attribute "{name}" is defined twice' + (f" (first at line {first})" if first else ""),
                    line,
                )
            attrs[name] = Attr(name, item.expr, path, line)
        else:
            blocks.append(block_of(item, path))
    return attrs, blocks


def block_of(node: syntax.BlockNode, path: str) -> Block:
    attrs, blocks = body_of(node.items, path)
    return Block(node.type, node.labels, attrs, blocks, path, node.line, node.end_line)


def _tf_files(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        raise InputError(directory, f"cannot read directory: {exc.strerror or exc}") from None
    return [n for n in names if syntax.is_terraform_file(n) and os.path.isfile(os.path.join(directory, n))]


def _is_override(name: str) -> bool:
    return name in ("override.tf", "override.tf.json") or name.endswith(("_override.tf", "_override.tf.json"))


def load_module(directory: str, budget: int = MAX_TERRAFORM_BYTES, scan_root: str | None = None) -> ModuleConfig:
    """Every `.tf` file of `directory` as one module (override files merged last, as Terraform does).

    `budget` is how many bytes of Terraform the root may still read (MAX_TERRAFORM_BYTES for all its modules
    together): checked before a file is parsed, since parsing is what costs. With `scan_root`, only files
    whose real path lies inside it are read (see `read_source`)."""
    config = ModuleConfig(directory)
    names = _tf_files(directory)
    overrides = [n for n in names if _is_override(n)]
    for name in [n for n in names if not _is_override(n)] + overrides:
        path = os.path.join(directory, name)
        text = read_source(
            path,
            budget - config.size,
            scan_root,
            f"the Terraform files of this root and its modules pass {MAX_TERRAFORM_BYTES // 1024} KiB, "
            "more than vpcreach parses within its time limit; check its plan instead (vpcreach plan PLAN.json)",
        )
        config.size += len(text.encode("utf-8"))
        items = parse_hcl(text, path)
        config.files.append(path)
        config.lines[path] = text.splitlines()
        _, blocks = body_of(items, path)
        for block in blocks:
            _add(config, block, override=_is_override(name))
    return config


def _add(config: ModuleConfig, block: Block, override: bool) -> None:
    kind = block.type
    if kind == "locals":
        for name, attr in block.attrs.items():
            if name in config.locals and not override:
                first = config.locals[name]
                _duplicate(block.file, f'local value "{name}"', attr.line, first.file, first.line)
            config.locals[name] = attr
        return
    if kind == "provider":
        config.providers.append(block)
        return
    table, want = {
        "variable": (config.variables, 1),
        "output": (config.outputs, 1),
        "module": (config.modules, 1),
        "resource": (config.resources, 2),
        "data": (config.data, 2),
    }.get(kind, (None, 0))
    if table is None:
        return  # terraform, moved, import, check, removed...: nothing that deploys a network object
    if len(block.labels) != want:
        raise InputError(block.file, f"{kind} block needs {want} label(s), has {len(block.labels)}", block.line)
    key = ".".join(block.labels)
    if key in table:
        if override:
            _merge(table[key], block)
            return
        what = f"{kind} {key}" if kind in ("resource", "data") else f'{kind} "{key}"'
        _duplicate(block.file, what, block.line, table[key].file, table[key].line)
    elif override:
        return  # an override of nothing is an error in Terraform; nothing to merge here
    table[key] = block
    if kind == "resource":
        config.resource_types.add(block.labels[0])


def _merge(base: Block, override: Block) -> None:
    base.attrs.update(override.attrs)
    replaced = {b.type for b in override.blocks}
    base.blocks = [b for b in base.blocks if b.type not in replaced] + override.blocks


def _duplicate(path: str, what: str, line: int | None, first_file: str, first_line: int | None) -> None:
    where = os.path.basename(first_file) + (f":{first_line}" if first_line else "")
    raise InputError(path, f"{what} is declared twice (first at {where})", line)
