"""Where a plan's resources are written: their blocks in the Terraform configuration the plan was made from.

`terraform show -json` writes one line and no source positions, so findings on a plan would say "line None"
and SARIF results would point at a generated file. The configuration directory (given, else the plan's own
folder, else the working directory, when it holds .tf files) is evaluated with the HCL front end and each
plan address is pointed at its instance's block (module calls followed); an address the configuration does
not expand the same way is matched on its block without instance keys.
"""

from __future__ import annotations

import os
import re

from vpcreach.graph import model as m

from ..errors import InputError

_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]')


def point_at_sources(net: m.Network, plan_path: str, tf_dir: str | None, root: str | None) -> None:
    """Move the locations of the plan's objects (and of the network before the change) to their blocks; or,
    when that cannot be done, leave them on the plan and add a note saying why."""
    if not any(fn.has_vpc_config for fn in net.of(m.Function)):
        return  # nothing will be reported on it but its parse errors: no note, no configuration to read
    directory = tf_dir or _beside(plan_path)
    if directory is None:
        net.notes.append(
            f"{plan_path}: findings point at the plan: no Terraform configuration (.tf files) beside it or in the "
            "working directory; name it with --tf-dir DIR"
        )
        return
    from .hcl import load_instances  # only when a configuration is there to read

    if tf_dir is not None:
        # Named on the command line by the person running the scan: its own scan root (its git work tree,
        # else itself) bounds the files it reads, as for a folder named to `vpcreach scan`.
        from ..files import find_scan_root

        root = find_scan_root(tf_dir)
    try:
        instances = load_instances(directory, {}, [], root).instances
    except InputError as exc:
        net.notes.append(f"{plan_path}: findings point at the plan: {directory} could not be read ({exc.message})")
        return
    exact = {i.address: i.loc for i in instances if i.loc.file}
    blocks = {_KEY.sub("", address): loc for address, loc in exact.items()}
    for network in (net, net.previous):
        if network is None:
            continue
        for obj in network.objects.values():
            if obj.loc.file != plan_path:
                continue
            address = obj.id.split("#", 1)[0]
            loc = exact.get(address) or blocks.get(_KEY.sub("", address))
            if loc is not None:
                obj.loc = m.Loc(os.path.normpath(loc.file), loc.line)


def _beside(plan_path: str) -> str | None:
    # Spelled as the plan's path is (relative stays relative), so findings name `infra/main.tf`, not /home/...
    for directory in (os.path.dirname(plan_path) or os.curdir, os.curdir):
        try:
            if any(name.endswith(".tf") for name in os.listdir(directory)):
                return directory
        except OSError:
            continue
    return None
