"""The `vpcreach` command. Only click is imported at startup; everything else loads when a command runs."""

from __future__ import annotations

import sys

import click

from . import __version__
from .output import error, exit_code, write_report

FORMATS = ("text", "json", "sarif", "junit", "codeclimate")
SEVERITIES = ("info", "warning", "error")


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for item in values:
        if "=" not in item:
            raise click.UsageError(f"{option} expects KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def _fail(message: str) -> None:
    sys.exit(error(message))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vpcreach")
def main() -> None:
    """Static reachability analysis for VPC-attached Lambda functions."""


def common_options(fn):
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Output format (default text)."),
        click.option(
            "--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE instead of stdout."
        ),
        click.option(
            "--severity-threshold",
            type=click.Choice(SEVERITIES),
            default=None,
            help="Exit 1 when a finding at or above this severity remains (default warning).",
        ),
        click.option(
            "--ignore", multiple=True, metavar="ID", help="Drop findings of this rule (repeatable, or comma list)."
        ),
        click.option(
            "--config",
            type=click.Path(exists=True, dir_okay=False),
            help="Config file (else .vpcreach.toml / pyproject.toml found upward).",
        ),
        click.option(
            "--baseline",
            type=click.Path(exists=True, dir_okay=False),
            help="Hide findings recorded in this baseline file.",
        ),
        click.option(
            "--create-baseline",
            type=click.Path(dir_okay=False),
            help="Write the current findings' fingerprints to FILE.",
        ),
        click.option("--color/--no-color", default=None, help="Colour text output (default: only on a terminal)."),
        click.option(
            "--explain",
            "--verbose",
            "explain",
            is_flag=True,
            help="Text output: also each function's needs, verdicts and paths, and the fix for each finding.",
        ),
        click.option(
            "--quiet", "-q", is_flag=True, help="Text output: only the finding lines and the summary; no notes."
        ),
        click.option(
            "--fail-on-empty",
            is_flag=True,
            help="Exit 2 when there is nothing to check (no template, root or plan; no VPC-attached function).",
        ),
        click.option(
            "--assume-bpa",
            type=click.Choice(("off", "ingress", "bidirectional")),
            default=None,
            help="VPC Block Public Access mode when the source does not set it (default off; config assume_bpa).",
        ),
        click.option(
            "--root",
            type=click.Path(exists=True, file_okay=False),
            default=None,
            help="Scan root: files an input names are read only inside it (default: the git work tree, else the path).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def input_options(fn):
    """What a scan reads besides its paths (scan and graph): parameter and variable values, stack names, and
    snapshots of the existing network."""
    options = [
        click.option(
            "--param",
            multiple=True,
            metavar="KEY=VALUE",
            help="CloudFormation parameter value, or Serverless Framework variable (opt:stage=prod, env:NAME=value) (repeatable).",
        ),
        click.option(
            "--param-file",
            "param_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="CloudFormation parameter values: [{ParameterKey, ParameterValue}] or {Parameters: {...}} (repeatable).",
        ),
        click.option(
            "--config-env",
            default="default",
            show_default=True,
            help="The samconfig environment to read parameters from.",
        ),
        click.option(
            "--stack-name",
            "stack_names",
            multiple=True,
            metavar="TEMPLATE=NAME",
            help="The stack name a template deploys as (for AWS::StackName and export names; repeatable).",
        ),
        click.option(
            "--var", "variables", multiple=True, metavar="NAME=VALUE", help="Terraform variable value (repeatable)."
        ),
        click.option("--var-file", multiple=True, type=click.Path(), help="Terraform .tfvars file (repeatable)."),
        click.option(
            "--snapshot",
            "snapshots",
            multiple=True,
            type=click.Path(exists=True),
            metavar="PATH",
            help="AWS CLI describe/list output (a JSON file or a folder of them) describing the existing network (repeatable).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@main.command()
@click.argument("paths", nargs=-1, required=True)
@input_options
@click.option("--explain-needs", is_flag=True, help="Show each function's needs and where each came from.")
@click.option("--graph-out", type=click.Path(dir_okay=False), help="Also write an HTML picture of the paths to FILE.")
@click.option(
    "--skip-non-templates",
    is_flag=True,
    help="Skip named YAML/JSON files that are not CloudFormation templates (for pre-commit hooks).",
)
@common_options
def scan(
    paths: tuple[str, ...],
    param: tuple[str, ...],
    param_files: tuple[str, ...],
    config_env: str,
    stack_names: tuple[str, ...],
    variables: tuple[str, ...],
    var_file: tuple[str, ...],
    snapshots: tuple[str, ...],
    explain_needs: bool,
    graph_out: str | None,
    skip_non_templates: bool,
    **common: object,
) -> None:
    """Analyse CloudFormation/SAM templates, Terraform directories or plan JSON files."""
    from .run import RunRequest, run

    if skip_non_templates:
        from .integrations.precommit import templates_only

        paths = tuple(templates_only(list(paths)))
        if not paths:
            sys.exit(exit_code())
    request = RunRequest(
        paths=list(paths),
        params=_pairs(param, "--param"),
        param_files=list(param_files),
        config_env=config_env,
        stack_names=_pairs(stack_names, "--stack-name"),
        variables=_pairs(variables, "--var"),
        var_files=list(var_file),
        snapshots=list(snapshots),
        explain_needs=explain_needs,
        graph_out=graph_out,
        **common,  # type: ignore[arg-type]
    )
    sys.exit(run(request))


@main.command()
@click.argument("plans", nargs=-1, required=True, metavar="PLAN.json...")
@click.option(
    "--snapshot",
    "snapshots",
    multiple=True,
    type=click.Path(exists=True),
    metavar="PATH",
    help="AWS CLI describe/list output (a JSON file or a folder of them) describing the existing network (repeatable).",
)
@click.option("--explain-needs", is_flag=True, help="Show each function's needs and where each came from.")
@click.option(
    "--tf-dir",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="The Terraform configuration the plan was made from: findings point at its blocks (default: the "
    "plan's folder, else the working directory, when it holds .tf files).",
)
@common_options
def plan(
    plans: tuple[str, ...], snapshots: tuple[str, ...], explain_needs: bool, tf_dir: str | None, **common: object
) -> None:
    """Check Terraform plan JSON (terraform show -json plan.out > plan.json).

    Runs the whole catalogue on the planned network, and reports what the change does: new or replaced
    Hyperplane ENIs, subnets/security groups deleted while an ENI uses them (VR306), and the needs the
    change breaks or repairs.
    """
    import os

    from .run import RunRequest, run

    for path in plans:
        if os.path.isdir(path):
            _fail(f"{path}: is a directory; `vpcreach plan` reads plan JSON files (`vpcreach scan` reads directories)")
    request = RunRequest(
        paths=list(plans),
        snapshots=list(snapshots),
        explain_needs=explain_needs,
        mode="plan",
        tf_dir=tf_dir,
        **common,  # type: ignore[arg-type]
    )
    sys.exit(run(request))


@main.command()
@click.argument("rule_id", required=False)
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text")
def rules(rule_id: str | None, fmt: str) -> None:
    """List the rule catalogue, or explain one rule."""
    from .rules_doc import render_rules

    try:
        write_report(render_rules(rule_id, fmt), human=fmt != "json")
    except KeyError:
        _fail(f"unknown rule {rule_id!r}; `vpcreach rules` lists them")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(("dot", "mermaid", "html")), default="dot", help="Picture format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the picture to FILE instead of stdout.")
@click.option("--function", "functions", multiple=True, metavar="NAME", help="Only this function's paths (glob).")
@input_options
@click.option("--config", type=click.Path(exists=True, dir_okay=False), help="Config file (needs, params...).")
def graph(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    functions: tuple[str, ...],
    param: tuple[str, ...],
    param_files: tuple[str, ...],
    config_env: str,
    stack_names: tuple[str, ...],
    variables: tuple[str, ...],
    var_file: tuple[str, ...],
    snapshots: tuple[str, ...],
    config: str | None,
) -> None:
    """Draw each function's paths: Graphviz DOT, Mermaid, or a self-contained HTML page."""
    from .run import RunRequest
    from .run import graph as draw

    request = RunRequest(
        paths=list(paths),
        params=_pairs(param, "--param"),
        param_files=list(param_files),
        config_env=config_env,
        stack_names=_pairs(stack_names, "--stack-name"),
        variables=_pairs(variables, "--var"),
        var_files=list(var_file),
        snapshots=list(snapshots),
        config=config,
        output=output,
    )
    sys.exit(draw(request, fmt, list(functions)))


@main.command()
@click.option("--vpc-id", required=True, help="The VPC to describe.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write the files to.")
@click.option("--region", default=None, help="AWS Region (default: the AWS configuration's).")
@click.option("--profile", default=None, help="AWS profile (default: the AWS configuration's).")
@click.option("--ssm-path", multiple=True, help="Also read the SSM parameters under this path (repeatable).")
@click.option("--ssm-name", multiple=True, help="Also read this SSM parameter (repeatable).")
@click.option("--stack", "stacks", multiple=True, help="Also read this CloudFormation stack's outputs (repeatable).")
@click.option("--exports/--no-exports", default=True, help="Read the Region's CloudFormation exports (default on).")
def snapshot(
    vpc_id: str,
    out_dir: str,
    region: str | None,
    profile: str | None,
    ssm_path: tuple[str, ...],
    ssm_name: tuple[str, ...],
    stacks: tuple[str, ...],
    exports: bool,
) -> None:
    """Write an environment snapshot of one VPC for --snapshot (needs boto3: pip install 'vpcreach[aws]').

    Read-only AWS calls with your credentials; the one vpcreach command that uses the network.
    """
    from .aws_snapshot import SnapshotError, take_snapshot

    try:
        import boto3  # type: ignore[import-untyped]
    except ImportError:
        _fail("vpcreach snapshot needs boto3: pip install 'vpcreach[aws]'")
    try:
        session = boto3.Session(region_name=region, profile_name=profile)
        written = take_snapshot(vpc_id, out_dir, session, list(ssm_path), list(ssm_name), list(stacks), exports)
    except SnapshotError as exc:
        _fail(str(exc))
    except Exception as exc:  # botocore's ClientError, NoCredentialsError...: one line, exit 2
        _fail(f"snapshot of {vpc_id} failed: {type(exc).__name__}: {exc}")
    click.echo(f"wrote {len(written)} file(s) to {out_dir}; scan with --snapshot {out_dir}")


if __name__ == "__main__":  # pragma: no cover
    main()


def entry() -> None:
    """The console script: run the command, flush its output, and leave without tearing the interpreter down.

    Freeing a scan's objects one by one at exit costs ~40 ms on a 480-resource template (15% of the scan),
    paid by a pre-commit hook on every commit, for memory the process is about to give back anyway; mypy
    leaves the same way (`mypy.util.hard_exit`). Files the command writes are closed before it returns, and
    the process pool is shut down by its own `with` block. Tests call `main`, which exits normally.
    """
    try:
        main(prog_name="vpcreach")
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what sys.exit("text") would have printed
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`vpcreach scan | head`): nothing more to say
            code = code or 1
    import os

    os._exit(code or 0)
