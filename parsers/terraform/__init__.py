"""Terraform configuration (a directory of `.tf` files, one root module) → `graph.model.Network`.

`hcl` evaluates the configuration into `ResourceInstance`s (`syntax` parses; nothing else parses HCL
text), `aws` maps them to model objects exactly as it does for plan JSON.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from vpcreach.graph import model as m

from ..errors import InputError


def parse_module(
    path: str, variables: dict[str, str], var_files: list[str], root: str | None = None, env: object = None
) -> m.Network:
    """Analyse the root module in directory `path` with Terraform's variable precedence applied.

    `root` is the scan root: file functions and local module sources read only inside it (default: `path`)."""
    from .aws import map_resources
    from .expressions import LimitError
    from .hcl import load_instances

    if not os.path.isdir(path):
        raise InputError(path, "not a directory of Terraform files")
    if not any(name.endswith((".tf", ".tf.json")) for name in os.listdir(path)):
        raise InputError(path, "no .tf files in this directory")
    try:
        with _deep_stack(), _paused_gc():
            result = load_instances(path, dict(variables or {}), list(var_files or []), root or path, env)
    except LimitError as exc:
        raise InputError(exc.file or path, exc.message, exc.line) from None
    except RecursionError:
        raise InputError(path, "the configuration is nested too deeply to analyse") from None
    net = m.Network(sources=[path], also_read=result.module_dirs, region=result.region)
    net.unknowns.extend(result.notes)
    net.inputs.extend(result.inputs)
    map_resources(result.instances, net)
    from .annotations import stray_annotations

    for file, lines in result.lines.items():
        net.warnings.extend(f"{file}:{line}: {problem}" for line, problem in stray_annotations(lines))
    for stand_in in result.stand_ins:
        # No VPC config is known, so only the stand-in's own VR001 is reported; the module's functions,
        # whatever they are, are not analysed (graph.model.Function.stand_in).
        net.add(
            m.Function(stand_in.address, stand_in.loc, stand_in=m.Unknown(stand_in.reason), ignores=stand_in.ignores)
        )
    return net


@contextmanager
def _paused_gc() -> Iterator[None]:
    # Parsing and evaluation allocate many small objects and free them by reference count; the cyclic
    # collector's passes over them found nothing to free and cost 12-15% of a root's parse and evaluation
    # (bench: the r480 twin 0.126 s -> 0.107 s, terraform-aws-vpc 0.041 s -> 0.037 s, warm, median of 7).
    # The Budget bounds how much a configuration may allocate, so pausing it is bounded too.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _deep_stack() -> Iterator[None]:
    # Values are computed on demand, so a chain of locals through modules nests evaluation a few dozen
    # Python frames per step; Python 3.11 keeps such calls off the C stack, so a higher limit is safe.
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, 8000))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


__all__ = ["parse_module"]
