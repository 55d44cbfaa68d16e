"""One scan, from paths to a report and an exit code (0 clean, 1 findings, 2 bad input or usage)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import click


@dataclass
class RunRequest:
    paths: list[str]
    params: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)
    fmt: str | None = None
    output: str | None = None
    severity_threshold: str | None = None
    ignore: tuple[str, ...] = ()
    config: str | None = None
    baseline: str | None = None
    create_baseline: str | None = None
    color: bool | None = None
    explain_needs: bool = False
    graph_out: str | None = None
    mode: str = "scan"


def _error(message: str) -> int:
    click.echo(f"vpcreach: error: {message}", err=True)
    return 2


def run(req: RunRequest) -> int:
    from vpcreach.parsers.errors import InputError

    from .config import ConfigError, load_config

    try:
        config = load_config(req.config, req.paths)
    except ConfigError as exc:
        return _error(str(exc))
    options = config.options(req)
    for path in req.paths:
        if not os.path.exists(path):
            return _error(f"{path}: no such file or directory")
    try:
        analyses = analyse_paths(req, config, options)
    except InputError as exc:
        return _error(str(exc))
    except RecursionError:
        return _error("input nested too deeply to analyse")
    except Exception as exc:
        where = getattr(exc, "vpcreach_source", "input")
        return _error(f"internal error while analysing {where}: {type(exc).__name__}: {exc} (please report this)")
    findings = sorted((f for a in analyses for f in a.findings), key=lambda f: f.sort_key())
    from .baseline import apply_baseline, write_baseline

    if req.baseline:
        try:
            findings = apply_baseline(findings, req.baseline)
        except ValueError as exc:
            return _error(str(exc))
    if req.create_baseline:
        write_baseline(findings, req.create_baseline)
    threshold = req.severity_threshold or config.severity_threshold or "warning"
    text = render(analyses, findings, req, threshold)
    if req.output:
        with open(req.output, "w", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text, color=req.color)
    if req.graph_out:
        from .reports.picture import write_html

        write_html(analyses, req.graph_out)
    from vpcreach.analyzer.engine import failing

    return 1 if failing(findings, threshold) else 0


def analyse_paths(req: RunRequest, config, options) -> list:  # type: ignore[no-untyped-def]
    from vpcreach.analyzer.engine import analyze

    from .sources import LoadOptions, discover, load

    load_options = LoadOptions(
        params={**config.params, **req.params},
        variables={**config.variables, **req.variables},
        var_files=list(req.var_files),
    )
    analyses = []
    for source in discover(req.paths):
        try:
            network = load(source, load_options)
            if network is None:
                continue
            analyses.append(analyze(network, options))
        except Exception as exc:
            exc.vpcreach_source = source.path  # type: ignore[attr-defined]
            raise
    return analyses


def render(analyses: list, findings: list, req: RunRequest, threshold: str) -> str:
    fmt = req.fmt or "text"
    if fmt == "json":
        import json

        from .reports.data import to_dict

        return json.dumps(to_dict(analyses, findings), indent=2)
    if fmt == "sarif":
        import json

        from .reports.sarif import to_sarif

        return json.dumps(to_sarif(analyses, findings), indent=2)
    if fmt == "junit":
        from .reports.junit import to_junit

        return to_junit(analyses, findings, threshold)
    from .reports.text import render as render_text

    colour = req.color if req.color is not None else (sys.stdout.isatty() and not req.output)
    return render_text(analyses, findings, colour, req.explain_needs, graph_out=req.graph_out)
