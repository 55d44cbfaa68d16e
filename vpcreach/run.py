"""The one run path: `execute` takes a request from its config to its analyses (config → discover → load →
analyse → results); `run` (scan, plan) and `graph` render them and decide the exit code, and the cfn-lint
rules read them. Renderers (vpcreach.reports) only render."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .output import error, exit_code, say, write_report

if TYPE_CHECKING:
    from vpcreach.analyzer.analysis import Analysis
    from vpcreach.parsers.errors import InputError


@dataclass
class RunRequest:
    paths: list[str]
    params: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)
    snapshots: list[str] = field(default_factory=list)  # --snapshot: files or folders of AWS CLI output
    param_files: list[str] = field(default_factory=list)  # --param-file, in order (later files win)
    config_env: str = "default"  # the samconfig environment (sam's --config-env)
    stack_names: dict[str, str] = field(default_factory=dict)  # --stack-name TEMPLATE=NAME
    fmt: str | None = None
    output: str | None = None
    severity_threshold: str | None = None
    ignore: tuple[str, ...] = ()
    config: str | None = None
    baseline: str | None = None
    create_baseline: str | None = None
    color: bool | None = None
    explain_needs: bool = False
    explain: bool = False  # text: the full per-function report as well (--explain / --verbose)
    quiet: bool = False  # text: finding lines and the summary only, no notes (--quiet)
    graph_out: str | None = None
    mode: str = "scan"
    root: str | None = None
    fail_on_empty: bool = False
    tf_dir: str | None = None  # `vpcreach plan --tf-dir`
    assume_bpa: str | None = None  # --assume-bpa: VPC Block Public Access when the source does not set it
    # Sources already chosen by the caller (cfn-lint hands over the template it has read): no discovery, and
    # `paths` only locate the config file.
    sources: list[Any] | None = None


class RunError(Exception):
    """Bad input or usage that stops the run: its message is the one `vpcreach: error:` line (exit 2)."""


@dataclass
class Results:
    """What `execute` found: an analysis per source read, an InputError per source that could not be, and
    the notes and warnings the run has for the person reading it (printed, or logged, by the caller)."""

    config: Any
    analyses: list[Analysis]
    problems: list[InputError]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Why the run had nothing to check (no input, no Lambda function, none attached to a VPC), or None.
    empty: str | None = None


def execute(req: RunRequest) -> Results:
    """The one run path of `vpcreach scan`, `plan` and `graph` and of the cfn-lint rules: config → discover →
    load → analyse → results. Raises RunError for what stops the run; what follows is the caller's to
    render (renderers never load a config, discover, or analyse)."""
    from vpcreach.parsers.errors import InputError

    from .config import ConfigError, load_config, unexplained_suppressions, unmatched_keys

    try:
        config = load_config(req.config, req.paths)
    except ConfigError as exc:
        raise RunError(str(exc)) from None
    if req.sources is None:
        for path in req.paths:
            if not os.path.exists(path):
                raise RunError(f"{path}: no such file or directory")
    options = config.options(req)
    try:
        snapshot = _snapshot(req, config)
        analyses, problems, notes = analyse_all(req, config, options, snapshot)
    except InputError as exc:
        raise RunError(str(exc)) from None
    _report_shared_objects_once(analyses)
    results = Results(config, analyses, problems, notes)
    if analyses:
        from .sources import empty_root_hint

        results.notes += list(dict.fromkeys(note for a in analyses for note in a.network.notes))
        covered = {os.path.realpath(p) for a in analyses for p in [*a.network.sources, *a.network.also_read]}
        for a in analyses:
            if not a.network.objects and a.network.sources and os.path.isdir(a.network.sources[0]):
                hint = empty_root_hint(a.network.sources[0], covered)
                if hint:
                    results.notes.append(hint)
        results.warnings = [w for a in analyses for w in a.network.warnings] + unexplained_suppressions(analyses)
        results.warnings += unmatched_keys(config, analyses, req.paths)
    if not problems:
        results.empty = _nothing_to_check(req, analyses)
    return results


def _report_shared_objects_once(analyses: list) -> None:
    """A finding on an object outside an analysis's own sources (a snapshot's subnet or NAT gateway, another
    template's exported subnet), already reported by an earlier analysis, is not reported again: two templates
    in one existing VPC give its single NAT gateway one VR204, not two."""
    if len(analyses) < 2:
        return  # nothing was reported before the first analysis
    seen: set[str] = set()
    real_paths: dict[str, str] = {}  # one realpath per file, not per finding
    for a in analyses:
        own = [os.path.realpath(p) for p in (*a.network.sources, *a.network.also_read)]
        kept = []
        for f in a.findings:
            real = real_paths.setdefault(f.file, os.path.realpath(f.file)) if f.file else ""
            shared = bool(real) and not any(real == p or real.startswith(p + os.sep) for p in own)
            if shared and f.fingerprint in seen:
                continue
            seen.add(f.fingerprint)
            kept.append(f)
        a.findings[:] = kept


def _snapshot(req: RunRequest, config: Any):  # -> Snapshot | None
    """The environment snapshot of the config's `snapshot` and --snapshot paths (read once per run)."""
    paths = [*config.snapshot, *req.snapshots]
    if not paths:
        return None
    from vpcreach.parsers.snapshot import load_snapshot

    return load_snapshot(paths)


def _nothing_to_check(req: RunRequest, analyses: list[Analysis]) -> str | None:
    """One sentence when the run checked nothing: a green result must not hide that nothing was read."""
    where = ", ".join(req.paths) or "."
    if not analyses:
        return f"no CloudFormation/SAM template, Serverless Framework service, CDK cloud assembly, Terraform root or plan found under {where}: nothing was checked"
    functions = [r.function for a in analyses for r in a.functions.values()]
    if any(a.compute for a in analyses):
        return None  # a capacity provider or network connector is checked on its own (DESIGN decision 11)
    if not functions:
        return f"no Lambda function in the {len(analyses)} input(s) read under {where}: nothing was checked"
    # A stand-in (a module not on disk, a loop not expanded) or a Managed Instances function is reported as
    # unknown (VR001): that is something to read, not nothing.
    if not any(
        fn.has_vpc_config or fn.compute is not None or fn.stand_in is not None or fn.managed_instances is not None
        for fn in functions
    ):
        return f"none of the {len(functions)} Lambda function(s) under {where} is attached to a VPC: nothing to check"
    return None


def run(req: RunRequest) -> int:
    """`vpcreach scan` and `vpcreach plan`: the report, and the exit code."""
    try:
        results = execute(req)
    except RunError as exc:
        return error(str(exc))
    analyses, problems = results.analyses, results.problems

    def tell(message: str) -> None:
        if not req.quiet:  # --quiet: the finding lines and the summary; errors and warnings still print
            say("note", message)

    if req.quiet and req.explain:
        return error("--quiet and --explain exclude each other")
    # Each input that could not be read gets its line; the others are still analysed and reported, and the
    # exit code is 2 — one broken file neither hides the rest nor passes silently.
    for problem in problems:
        error(str(problem))
    if problems and not analyses:
        return exit_code(errors=True)
    for note in results.notes:
        tell(note)
    if results.empty is not None:
        if req.fail_on_empty or results.config.fail_on_empty:
            return error(f"{results.empty} (--fail-on-empty)")
        if not results.notes:  # a note on an empty Terraform root already says why, and where to look
            tell(results.empty)
    findings = sorted((f for a in analyses for f in a.findings), key=lambda f: f.sort_key())
    for warning in results.warnings:
        say("warning", warning)
    from .baseline import BaselineError, apply_baseline, write_baseline

    if req.create_baseline and problems:
        error(f"baseline not written to {req.create_baseline}: {len(problems)} input(s) could not be read")
    elif req.create_baseline:
        # The baseline records every current finding (before any --baseline filter): it accepts them all.
        try:
            written = write_baseline(findings, req.create_baseline)
        except BaselineError as exc:
            return error(str(exc))
        tell(f"wrote {written} fingerprint(s) to {req.create_baseline}")
    if req.baseline:
        try:
            kept = apply_baseline(findings, req.baseline)
        except BaselineError as exc:
            return error(str(exc))
        active = [f for f in findings if f.suppressed is None]
        hidden = len(active) - len([f for f in kept if f.suppressed is None])
        tell(f"{hidden} finding(s) hidden by the baseline {req.baseline}, {len(active) - hidden} not in it")
        findings = kept
    threshold = req.severity_threshold or results.config.severity_threshold or "warning"
    text = render(analyses, findings, req, threshold, problems)
    write_report(text, req.output, color=req.color, human=(req.fmt or "text") == "text")
    if req.graph_out:
        from .reports.picture import write_html

        write_html(analyses, req.graph_out)
    from vpcreach.analyzer.engine import failing

    return exit_code(errors=bool(problems), failing=bool(failing(findings, threshold)))


def graph(req: RunRequest, fmt: str, functions: list[str] | None = None) -> int:
    """`vpcreach graph`: load and analyse like `scan`, then draw. Exit 0, or 2 on bad input or usage."""
    try:
        results = execute(req)
    except RunError as exc:
        return error(str(exc))
    if results.problems:  # the picture would be of part of the input: stop at the first that was not read
        return error(str(results.problems[0]))
    analyses = results.analyses
    if not any(r.function.has_vpc_config or r.compute for a in analyses for r in a.functions.values()):
        say("note", "no VPC-attached function found; the picture is empty")
    from .reports.picture import render as render_picture
    from .reports.picture_model import build_views

    if functions and not build_views(analyses, functions):
        known = sorted(
            fid for a in analyses for fid, r in a.functions.items() if r.function.has_vpc_config or r.compute
        )
        hint = f"; VPC-attached functions: {', '.join(known[:20])}" if known else "; no VPC-attached function found"
        return error(f"no function matches {', '.join(functions)}{hint}")
    write_report(render_picture(analyses, fmt, functions), req.output)
    return exit_code()


def analyse_all(req: RunRequest, config, options, snapshot=None) -> tuple[list, list, list[str]]:
    """(analyses, problems, notes): every source under req.paths (or req.sources), in discovery order, an
    InputError for each source that could not be read or analysed, and a note for each file left out.

    Several sources with enough work between them are analysed in a pool of forked processes (see
    `choose_jobs`); results and problems come back in the same order as a serial run gives them.
    """
    from vpcreach.parsers.cfn.samconfig import read_param_file

    from .sources import LoadOptions, Source, discover

    file_params: dict[str, str] = {}
    file_sources: dict[str, str] = {}
    for path in req.param_files:
        values = read_param_file(path)
        file_params.update(values)
        file_sources.update(dict.fromkeys(values, f"--param-file {path}"))
    where = f"config {config.path}" if config.path else "config"
    load_options = LoadOptions(
        params={**config.params, **req.params},
        param_sources={**dict.fromkeys(config.params, where), **dict.fromkeys(req.params, "--param")},
        file_params=file_params,
        file_param_sources=file_sources,
        config_env=req.config_env,
        stack_names=dict(req.stack_names),
        variables={**config.variables, **req.variables},
        var_files=list(req.var_files),
        tf_dir=req.tf_dir,
        snapshot=snapshot,
    )
    if req.sources is not None:
        sources = list(req.sources)
    elif req.mode == "plan":
        # `vpcreach plan` names plan files: read each as one, so a bad file gets the plan reader's error.
        sources = [Source("plan", p) for p in req.paths]
    else:
        sources = discover(req.paths, req.root or config.root)
    notes = [s.problem for s in sources if s.kind == "skipped"]
    sources = [s for s in sources if s.kind != "skipped"]
    from .sources import collect_exports

    load_options.exports = collect_exports(sources, load_options)
    jobs = choose_jobs(sources)
    if jobs > 1:
        outcomes = _analyse_pool(sources, load_options, options, jobs)
    else:
        outcomes = [_outcome(source, load_options, options) for source in sources]
    return (*_settle(sources, outcomes), notes)


def _settle(sources: list, outcomes: list[tuple[str, object]]) -> tuple[list, list]:
    """Analyses and problems in source order, without the Terraform folders a directory walk found that
    another root calls as a local module, and the templates it found that another template reads as a nested
    stack: analysed there, with the inputs their caller gives them, they would only repeat its findings and
    add unknowns for the variables and parameters no caller sets."""
    called = {
        os.path.realpath(d)
        for status, value in outcomes
        if status == "ok" and value is not None
        for d in value.network.also_read  # type: ignore[attr-defined]
    }
    analyses, problems = [], []
    for source, (status, value) in zip(sources, outcomes):
        if source.kind in ("terraform", "cfn") and not source.explicit and os.path.realpath(source.path) in called:
            continue
        if status == "error":
            problems.append(value)
        elif value is not None:
            analyses.append(value)
    return analyses, problems


def as_problem(exc: BaseException, path: str):  # -> InputError
    """The one line a source that failed is reported with."""
    from vpcreach.parsers.errors import InputError

    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, RecursionError):
        return InputError(path, "input nested too deeply to analyse")
    from vpcreach.analyzer.reach import WalkLimitExceeded

    if isinstance(exc, WalkLimitExceeded):
        return InputError(path, str(exc))
    text = str(exc).splitlines()[0] if str(exc) else ""
    return InputError(path, f"internal error while analysing it: {type(exc).__name__}: {text} (please report this)")


# A pool pays ~0.015 s to fork its workers plus their warm-up and the trip back of each result. On 2 cores
# (bench/run.py --dirs, 16 KB templates) it ties with one process at 8 templates (127 KB), wins by 10% at 16
# (254 KB) and by 20% at 32; below this much input (templates, .tf files, plans) one process is used.
POOL_MIN_BYTES = 192 * 1024


def choose_jobs(sources: list) -> int:  # list[Source] or paths
    """How many processes to scan `sources` with: VPCREACH_JOBS when set, else 1 unless a pool pays off."""
    setting = os.environ.get("VPCREACH_JOBS", "").strip()
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            pass
    if len(sources) < 2 or not _can_fork():
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    if cpus < 2 or _input_bytes(sources, POOL_MIN_BYTES) < POOL_MIN_BYTES:
        return 1
    return min(cpus, len(sources))


def _input_bytes(sources: list, cap: int | None = None) -> int:
    """The bytes of input `sources` hold (a Terraform folder: its .tf files), counting regular files only and
    stopping at `cap`. Only stat is used: a FIFO or device is never opened here (the reader refuses it)."""
    total = 0
    for source in sources:
        path = getattr(source, "path", source)
        try:
            if os.path.isdir(path):
                with os.scandir(path) as listing:
                    for entry in listing:
                        if entry.name.endswith((".tf", ".tf.json")) and entry.is_file():
                            total += entry.stat().st_size
                            if cap is not None and total >= cap:
                                return total
            elif os.path.isfile(path):
                total += os.path.getsize(path)
        except OSError:
            continue
        if cap is not None and total >= cap:
            break
    return total


def _can_fork() -> bool:
    # Forked workers inherit the analyzer already imported here; spawned ones would import it again (~0.5 s).
    import multiprocessing

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _analyse_source(source, load_options, options):
    from vpcreach.analyzer.engine import analyze

    from .sources import load

    network = load(source, load_options)
    return None if network is None else analyze(network, options)


def _outcome(source, load_options, options):
    """("ok", analysis or None) or ("error", InputError): never raises, in a worker or in this process.

    The failure is turned into its one report line here, so what crosses a pool's pipe always pickles.
    """
    try:
        return "ok", _analyse_source(source, load_options, options)
    except Exception as exc:
        return "error", as_problem(exc, source.path)


def _analyse_pool(sources: list, load_options, options, jobs: int) -> list[tuple[str, object]]:
    import contextlib
    import gc
    import importlib

    # Import what the workers need before forking, so each starts with it loaded.
    parsers = {
        "cfn": "vpcreach.parsers.cfn",
        "terraform": "vpcreach.parsers.terraform",
        "plan": "vpcreach.parsers.terraform.plan",
    }
    for module in [*(parsers[k] for k in {s.kind for s in sources} if k in parsers), "vpcreach.analyzer.rules"]:
        with contextlib.suppress(ImportError):  # the worker reports it, as a serial run would
            importlib.import_module(module)
    # Largest first, so that one big template does not start last and keep a core waiting.
    order = sorted(range(len(sources)), key=lambda i: -_input_bytes([sources[i]]))
    # Objects alive now are never collected in the workers, so their pages stay shared instead of being
    # copied when the collector walks them (gc.freeze); this halves the workers' warm-up on a big heap.
    gc.freeze()
    try:
        return _collect(sources, order, load_options, options, jobs)
    finally:
        gc.unfreeze()


# The pool's watchdog: a scan in workers must end within this many seconds plus so many per MiB of input
# (bench/run.py: ~0.5 s per MiB of templates on 2 cores, so the limit is generous), or its unfinished
# sources are reported as errors and the workers stopped. VPCREACH_POOL_TIMEOUT (seconds) replaces it.
POOL_TIMEOUT_FLOOR = 120.0
POOL_TIMEOUT_PER_MIB = 30.0


def pool_timeout(input_bytes: int) -> float:
    """Seconds a pooled scan of `input_bytes` may take before the watchdog stops it."""
    setting = os.environ.get("VPCREACH_POOL_TIMEOUT", "").strip()
    if setting:
        try:
            return max(0.0, float(setting))
        except ValueError:
            pass
    return POOL_TIMEOUT_FLOOR + POOL_TIMEOUT_PER_MIB * input_bytes / (1 << 20)


def _collect(sources: list, order: list[int], load_options, options, jobs: int) -> list[tuple[str, object]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    from vpcreach.parsers.errors import InputError

    limit = pool_timeout(_input_bytes(sources))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {i: pool.submit(_outcome, sources[i], load_options, options) for i in order}
        # A worker stuck in a loop no bound catches would otherwise hold the run (and a CI job) forever.
        _done, late = wait(futures.values(), timeout=limit)
        if late:
            _stop_workers(pool)
        outcomes: list[tuple[str, object]] = []
        for i, source in enumerate(sources):
            if futures[i] in late:
                message = (
                    f"not analysed: the scan's time limit of {limit:.0f} s passed first and its worker processes "
                    "were stopped (VPCREACH_POOL_TIMEOUT=SECONDS sets the limit; VPCREACH_JOBS=1 scans one file "
                    "at a time)"
                )
                outcomes.append(("error", InputError(source.path, message)))
                continue
            try:
                outcomes.append(futures[i].result())
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                raise InputError(
                    source.path,
                    "a worker process died while this or another file was being analysed "
                    "(VPCREACH_JOBS=1 scans one file at a time)",
                ) from None
    return outcomes


def _stop_workers(pool) -> None:
    """Kill a process pool's workers and let it go without waiting for them.

    ProcessPoolExecutor has kill_workers() from Python 3.14 (cpython gh-128041); before that the worker
    processes are reachable only through its private `_processes` map (pid → Process, since Python 3.2),
    which shutdown() clears: they are taken first.
    """
    kill = getattr(pool, "kill_workers", None)
    if kill is not None:  # pragma: no cover - Python 3.14+
        kill()
    else:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _alerts(findings: list, threshold: str) -> list:
    """What code scanning and merge-request widgets show: they make every result an alert, so the
    informational inventory (ENI groups, unknowns) is left out unless asked for with --severity-threshold info."""
    return findings if threshold == "info" else [f for f in findings if f.severity != "info"]


def render(analyses: list, findings: list, req: RunRequest, threshold: str, problems: list | None = None) -> str:
    """The report in req.fmt; `problems` (inputs that could not be read) go into the machine-readable formats
    too, since a CI system may keep only the report file."""
    fmt = req.fmt or "text"
    problems = problems or []
    if fmt == "json":
        from .output import json_text
        from .reports.data import to_dict

        return json_text(to_dict(analyses, findings, problems))
    if fmt == "sarif":
        from .output import json_text
        from .reports.sarif import to_sarif

        return json_text(to_sarif(analyses, _alerts(findings, threshold), problems))
    if fmt == "codeclimate":
        from .output import json_text
        from .reports.codeclimate import to_codeclimate

        return json_text(to_codeclimate(_alerts(findings, threshold)))
    if fmt == "junit":
        from .reports.junit import to_junit

        return to_junit(analyses, findings, threshold, problems)
    from .reports.text import render as render_text

    colour = req.color if req.color is not None else (sys.stdout.isatty() and not req.output)
    return render_text(
        analyses,
        findings,
        colour,
        req.explain_needs,
        graph_out=req.graph_out,
        explain=req.explain,
        quiet=req.quiet,
        threshold=threshold,
    )
