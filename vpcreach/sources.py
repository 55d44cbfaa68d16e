"""Finding and loading sources: which files are templates, Terraform modules or plans.

Parsers are imported only when a source of their kind is found, so a scan of CloudFormation never pays
for the HCL parsers and `vpcreach --version` imports nothing but click.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

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
# A directory walk stops at these, with an error line, rather than run for minutes or out of stack: a pull
# request can add a folder nested a thousand deep or a hundred thousand folders. A walk reads about 50,000
# entries a second here; real repositories nest templates a dozen folders deep.
MAX_WALK_DEPTH = 100
MAX_WALK_ENTRIES = 250_000


@dataclass
class Source:
    kind: str  # cfn | serverless | cdk (a cloud assembly folder) | terraform | plan
    path: str
    explicit: bool = True  # named on the command line (errors are fatal) or found by walking a directory
    # Files an input names (Terraform's file(), module sources, AWS::Include) are read only inside this
    # folder: the git work tree holding the named path, the folder named, or --root / config `root`.
    # None: the parser's own default (cfn-lint's templates).
    root: str | None = "."
    # kind "refused": a file or folder a directory walk found but will not read, and why (its error line).
    # kind "skipped": a file a walk leaves to another command, and why (a note).
    problem: str = ""
    # kind "cfn": the template already read by the caller (cfn-lint's, with SAM Globals applied), not `path`.
    document: dict | None = None


@dataclass
class LoadOptions:
    params: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)
    tf_dir: str | None = None  # plan mode: the Terraform configuration the plan was made from
    snapshot: Any = None  # parsers.snapshot.Snapshot: the existing network (--snapshot), or None
    # CloudFormation parameter values by precedence: a template's Default < its samconfig < file_params
    # (--param-file, in order) < params (config, --param); where each was given, for the report.
    param_sources: dict[str, str] = field(default_factory=dict)
    file_params: dict[str, str] = field(default_factory=dict)
    file_param_sources: dict[str, str] = field(default_factory=dict)
    config_env: str = "default"
    stack_names: dict[str, str] = field(default_factory=dict)  # --stack-name TEMPLATE=NAME
    # Export name → parsers.cfn.stacks.StackExport: the exports of the templates of this scan.
    exports: dict[str, Any] = field(default_factory=dict)


def _is_plan_json(path: str) -> bool:
    head = _head(path, 4096)
    if head is None:
        return False  # the reader says why it cannot be read
    stripped = head.lstrip()
    return (
        stripped.startswith("{")
        and any(
            k in head for k in ('"planned_values"', '"resource_changes"', '"format_version"', '"terraform_version"')
        )
        and '"Resources"' not in head
    )


def _head(path: str, size: int) -> str | None:
    """The start of a regular file, decoded leniently; None when it is not one or cannot be read."""
    from vpcreach.parsers.files import read_head

    try:
        return read_head(path, size).decode("utf-8", "replace")
    except OSError:
        return None


def discover(paths: list[str], root: str | None = None) -> list[Source]:
    """Sources under the given paths, in a stable order. Missing paths are reported by the loader.

    `root` is the scan root set by --root or the config; without it, each named path gets its own
    (`find_scan_root`). What a directory walk cannot read becomes a source of kind "refused", which the
    loader reports as that path's error line, in discovery order."""
    from vpcreach.parsers.files import find_scan_root
    from vpcreach.parsers.serverless.names import is_config_name

    out: list[Source] = []
    for path in paths:
        found: list[Source]
        path_root = os.path.realpath(root) if root else find_scan_root(path)
        escape = _named_link_escapes(path, root)
        if escape:
            found = [Source("refused", path, problem=escape)]
        elif os.path.isdir(path):
            found = _walk(path, path_root)
        elif path.endswith((".tf", ".tf.json")):
            found = [Source("terraform", os.path.dirname(path) or ".")]
        elif path.endswith(".json") and _is_plan_json(path):
            found = [Source("plan", path)]
        elif is_config_name(path):
            found = [Source("serverless", path)]
        else:
            found = [Source("cfn", path)]
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


def _named_link_escapes(path: str, root: str | None) -> str | None:
    """Why a path named on the command line that is itself a symbolic link is not read, or None.

    A CI job names `infra/template.yaml`; the pull request it checks out can make that a link to the job's
    ~/.aws/credentials or to /etc. The link must resolve inside --root (or the config's root), else inside
    the scan root of the folder holding the link: its git work tree, else that folder.
    """
    from vpcreach.parsers.files import FileRefused, confine, find_scan_root

    link = path.rstrip(os.sep) or path  # with a trailing slash, lstat would follow the link
    if not os.path.islink(link):
        return None
    bound = root or find_scan_root(os.path.dirname(os.path.abspath(link)))
    try:
        confine(link, bound)
    except FileRefused:
        return "a symbolic link to a file or folder outside the scan root; not read (name its target, or set --root)"
    return None


def _walk(top: str, root: str) -> list[Source]:
    from vpcreach.parsers.cdk.apps import AMPLIFY_ASSEMBLY, is_amplify_backend, is_assembly, unsynthesized_note
    from vpcreach.parsers.serverless.names import CODE_CONFIG_NAMES, CONFIG_NAMES, code_config_note

    found: list[Source] = []

    def refuse(path: str, problem: str) -> None:
        found.append(Source("refused", path, explicit=False, problem=problem))

    tf_root = False
    here_tf = False
    # A file a walk meets through a symlink is read only when it lies inside the folder walked or the scan
    # root: a link in the repository to ~/.aws/credentials or /dev/zero is not part of the scanned code.
    bounds = (os.path.realpath(top), root)
    for dirpath, filenames in _pruned_walk(top, refuse):
        here_tf = any(f.endswith((".tf", ".tf.json")) for f in filenames)
        if dirpath == top:
            tf_root = here_tf
            if tf_root:
                found.append(Source("terraform", top, explicit=True))
        elif not tf_root and here_tf:
            found.append(Source("terraform", dirpath, explicit=False))
        note = unsynthesized_note(dirpath, filenames)
        if note:
            found.append(Source("skipped", dirpath, explicit=False, problem=note))
        amplify = os.path.join(dirpath, AMPLIFY_ASSEMBLY)
        if is_amplify_backend(dirpath) and os.path.isdir(amplify) and is_assembly(amplify):
            found.append(Source("cdk", amplify, explicit=False))  # a hidden folder the walk does not enter
        if "manifest.json" in filenames and is_assembly(dirpath):
            # A CDK cloud assembly: its stacks are read together from the manifest, not file by file.
            found.append(Source("cdk", dirpath, explicit=dirpath == top))
            continue
        for name in filenames:
            if name in CODE_CONFIG_NAMES:
                full = os.path.join(dirpath, name)
                found.append(Source("skipped", full, explicit=False, problem=code_config_note(full)))
                continue
            if not name.endswith(TEMPLATE_SUFFIXES) or name.endswith(".tf.json"):
                continue  # a .tf.json file is Terraform's JSON syntax, read with its folder
            full = os.path.join(dirpath, name)
            problem = _unreadable(full, bounds)
            if problem:
                refuse(full, problem)
            elif name in CONFIG_NAMES:
                found.append(Source("serverless", full, explicit=False))
            elif name.endswith(".json") and _is_plan_json(full):
                if here_tf:
                    # The plan of the configuration beside it: the folder is analysed from its .tf files,
                    # and the same network again from the plan would repeat every finding.
                    note = f"{full} is a Terraform plan beside the .tf files it was made from; not scanned with the folder (run: vpcreach plan {full})"
                    found.append(Source("skipped", full, explicit=False, problem=note))
                else:
                    found.append(Source("plan", full, explicit=False))
            else:
                found.append(Source("cfn", full, explicit=False))
    return found


_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _unreadable(path: str, bounds: tuple[str, ...]) -> str | None:
    """Why a file a walk found will not be read (not a regular file, a broken or looping link, a link out of
    `bounds`), or None. Decided from stat and the link, without opening the file."""
    from vpcreach.parsers.files import FileRefused, confine

    try:
        st = os.stat(path)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return f"not a regular file ({_KINDS.get(stat.S_IFMT(st.st_mode), 'a special file')}); not read"
    if os.path.islink(path):
        for bound in bounds:
            try:
                confine(path, bound)
                return None
            except FileRefused:
                continue
        return "a symbolic link to a file outside the scan root; not read"
    return None


def _pruned_walk(top: str, onerror: Callable[[str, str], None] | None = None) -> Iterator[tuple[str, list[str]]]:
    """(folder, sorted names of what is not a folder) under `top`, parent before children and in name order,
    without tool, VCS and dependency folders.

    Iterative and bounded (MAX_WALK_DEPTH, MAX_WALK_ENTRIES); symbolic links to folders are not followed, so
    a link to a parent folder is no loop. Each folder that cannot be listed, and each bound reached, is given
    to `onerror(path, message)`, where os.walk would drop it silently.
    """
    report = onerror or (lambda path, message: None)
    stack = [(top, 0)]
    budget = MAX_WALK_ENTRIES
    while stack:
        folder, depth = stack.pop()
        try:
            files, subfolders = _list(folder, budget)
        except _TooMany:
            report(
                top,
                f"more than {MAX_WALK_ENTRIES} files and folders; the walk stopped (scan the folders that hold the templates)",
            )
            return
        except OSError as exc:
            report(folder, f"cannot read folder: {exc.strerror or exc}")
            continue
        budget -= len(files) + len(subfolders)
        yield folder, files
        for name in reversed(subfolders):
            path = os.path.join(folder, name)
            if depth == MAX_WALK_DEPTH:
                report(path, f"nested more than {MAX_WALK_DEPTH} folders deep under the scanned folder; not read")
            else:
                stack.append((path, depth + 1))


class _TooMany(Exception):
    pass


def _list(folder: str, budget: int) -> tuple[list[str], list[str]]:
    """(names of what is not a folder, names of the subfolders to walk) in `folder`, sorted; _TooMany past
    `budget` entries. Links to folders are in neither list, as os.walk does without followlinks."""
    files: list[str] = []
    subfolders: list[str] = []
    with os.scandir(folder) as listing:
        for count, entry in enumerate(listing, 1):
            if count > budget:
                raise _TooMany
            try:
                is_dir = entry.is_dir()
            except OSError:  # a link that loops or cannot be followed: a file the reader refuses
                is_dir = False
            if not is_dir:
                files.append(entry.name)
            elif not entry.is_symlink() and entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                subfolders.append(entry.name)
    return sorted(files), sorted(subfolders)


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
        if dirpath != directory and any(f.endswith((".tf", ".tf.json")) for f in filenames):
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
    """Whether a file's start names CloudFormation; also True for a file that cannot be read, so that the
    caller keeps it and the reader reports why instead of passing over it in silence."""
    head = _head(path, 65536)
    return head is None or any(h in head for h in _TEMPLATE_HINTS)


def load(source: Source, options: LoadOptions):  # -> Network | None
    """Parse one source, with the snapshot's objects it references. None for a walked file that is not a
    template (skipped silently)."""
    network = _parse(source, options)
    if network is not None and options.snapshot is not None:
        from vpcreach.parsers.snapshot.attach import attach

        attach(network, options.snapshot)
    if network is not None:
        from .function_code import read_function_code

        read_function_code(network, source.root or os.path.dirname(os.path.abspath(source.path)))
    return network


def _environment(options: LoadOptions, stack_name: str | None = None, path: str = ""):  # -> Environment
    from vpcreach.parsers.environment import Environment

    return Environment(
        snapshot=options.snapshot,
        stack_name=stack_name,
        exports=options.exports,
        load_stack=(lambda template: _other_stack(template, options)) if options.exports else None,
        own_path=path,
    )


_STACKS: dict[tuple[str, int], Any] = {}


def _other_stack(path: str, options: LoadOptions):  # -> Network | None
    """Another template of the scan, read once per process (with its own parameters, without imports)."""
    from vpcreach.parsers.cfn import parse_template
    from vpcreach.parsers.yaml_loader import load_document, read_text

    key = (path, id(options))
    if key not in _STACKS:
        params, where, stack_name = template_inputs(path, options)
        doc = load_document(read_text(path), path)
        env = _environment(LoadOptions(snapshot=options.snapshot), stack_name, path)
        _STACKS[key] = parse_template(doc, path, params, None, env=env, param_sources=where)
    return _STACKS[key]


def collect_exports(sources: list[Source], options: LoadOptions) -> dict[str, Any]:
    """Export name → StackExport for every Output with an Export of the CloudFormation templates among `sources`,
    read only when one of them imports (Fn::ImportValue). Two templates exporting one name: an InputError
    naming both (CloudFormation refuses the second: export names are unique in an account and Region)."""
    from vpcreach.parsers.cfn import looks_like_template
    from vpcreach.parsers.cfn.intrinsics import Resolver
    from vpcreach.parsers.cfn.stacks import StackExport
    from vpcreach.parsers.errors import InputError
    from vpcreach.parsers.yaml_loader import load_document, read_text

    texts = {}
    for source in sources:
        if source.kind == "cfn" and source.document is None:
            try:
                texts[source.path] = read_text(source.path)
            except InputError:
                continue  # the load reports it
    if not any("ImportValue" in text for text in texts.values()):
        return {}
    out: dict[str, Any] = {}
    for path, text in texts.items():
        if "Export" not in text:
            continue
        try:
            doc = load_document(text, path)
        except InputError:
            continue
        if not looks_like_template(doc) or not isinstance(doc.get("Outputs"), dict):
            continue
        params, _where, stack_name = template_inputs(path, options)
        ids = frozenset(str(k) for k in doc["Resources"])
        resolver = Resolver(doc, params, set(ids), env=_environment(LoadOptions(snapshot=options.snapshot), stack_name))
        label = stack_name or os.path.splitext(os.path.basename(path))[0]
        for key, output in doc["Outputs"].items():
            export = output.get("Export") if isinstance(output, dict) else None
            if not isinstance(export, dict):
                continue
            name = resolver.resolve(export.get("Name"))
            if not isinstance(name, str):
                continue
            line = getattr(doc["Outputs"], "key_lines", {}).get(key)
            if name in out:
                first = out[name]
                raise InputError(
                    path,
                    f"export {name} (output {key}) is also exported by {first.where}; CloudFormation export names "
                    "are unique in an account and Region",
                    line,
                )
            out[name] = StackExport(name, path, line, resolver.resolve(output.get("Value")), ids, label)
    return out


def stack_name_for(path: str, names: dict[str, str]) -> str | None:
    """The --stack-name given for a template: TEMPLATE as named, or the same file by another path."""
    if path in names:
        return names[path]
    real = os.path.realpath(path)
    return next((name for key, name in names.items() if os.path.realpath(key) == real), None)


def template_inputs(
    path: str, options: LoadOptions, root: str | None = None
) -> tuple[dict[str, str], dict[str, str], str | None]:
    """(parameter values, where each came from, stack name) for the template at `path`: samconfig beside it <
    --param-file < config params and --param; --stack-name over samconfig's stack_name."""
    from vpcreach.parsers.cfn.samconfig import find_samconfig, read_samconfig

    params: dict[str, str] = {}
    where: dict[str, str] = {}
    stack_name = None
    samconfig = find_samconfig(path, root)
    if samconfig is not None:
        sam = read_samconfig(samconfig, options.config_env)
        params.update(sam.params)
        where.update(dict.fromkeys(sam.params, f"{samconfig} [{options.config_env}]"))
        stack_name = sam.stack_name
    params.update(options.file_params)
    where.update(options.file_param_sources)
    params.update(options.params)
    where.update({k: options.param_sources.get(k, "--param") for k in options.params})
    return params, where, stack_name_for(path, options.stack_names) or stack_name


def _template(doc: Any, source: Source, options: LoadOptions):  # -> Network
    from vpcreach.parsers.cfn import parse_template

    params, where, stack_name = template_inputs(source.path, options, source.root)
    env = _environment(options, stack_name, source.path)
    return parse_template(doc, source.path, params, source.root, env=env, param_sources=where)


def _parse(source: Source, options: LoadOptions):  # -> Network | None
    from vpcreach.parsers.errors import InputError

    if source.kind == "refused":
        raise InputError(source.path, source.problem)
    if source.kind == "cfn" and source.document is not None:
        return _template(source.document, source, options)
    if source.kind == "cfn":
        from vpcreach.parsers.cfn import looks_like_template
        from vpcreach.parsers.yaml_loader import load_document, read_text

        try:
            doc = load_document(read_text(source.path), source.path)
        except InputError:
            if source.explicit or looks_like_template_text(source.path):
                raise
            return None
        if not looks_like_template(doc):
            from vpcreach.parsers.serverless import looks_like_service, parse_service

            if looks_like_service(doc):  # a service file under another name (`sls deploy --config x.yml`)
                return parse_service(
                    doc, source.path, options.params, source.root, env=_environment(options, None, source.path)
                )
            if source.explicit:
                raise InputError(source.path, "not a CloudFormation/SAM template (no Resources with AWS:: types)")
            return None
        return _template(doc, source, options)
    if source.kind == "serverless":
        return _load_service(source, options)
    if source.kind == "cdk":
        from vpcreach.parsers.cdk.assembly import parse_assembly

        return parse_assembly(source.path, options.params, source.root)
    if source.kind == "terraform":
        from vpcreach.parsers.terraform import parse_module

        return parse_module(source.path, options.variables, options.var_files, source.root, _environment(options))
    if source.kind == "plan":
        from vpcreach.parsers.terraform.plan import parse_plan

        return parse_plan(source.path, options.tf_dir, source.root, sources=True)
    raise ValueError(source.kind)


def _load_service(source: Source, options: LoadOptions):  # -> Network | None
    """A serverless.yml / .yaml / .json. One a directory walk found that is not an AWS service (another
    provider, or a file of that name that is no service) is passed over with a note, not an error."""
    from vpcreach.graph.model import Network
    from vpcreach.parsers.errors import InputError
    from vpcreach.parsers.serverless import looks_like_service, parse_service
    from vpcreach.parsers.yaml_loader import load_document, read_text

    doc = load_document(read_text(source.path), source.path)
    if not looks_like_service(doc):
        if source.explicit:
            raise InputError(source.path, "not a Serverless Framework service (no service, provider and functions)")
        return None
    provider = doc["provider"].get("name")
    if provider != "aws" and not source.explicit:
        note = (
            f"{source.path}: a Serverless Framework service for provider {provider!r}; vpcreach reads AWS services only"
        )
        return Network(sources=[source.path], notes=[note])
    return parse_service(doc, source.path, options.params, source.root, env=_environment(options, None, source.path))
