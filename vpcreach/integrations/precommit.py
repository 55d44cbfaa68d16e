"""Support for the pre-commit hooks in `.pre-commit-hooks.yaml`.

pre-commit hands a hook every changed file its `types`/`files` filter lets through: for YAML and JSON
that includes workflow files, docker-compose files, Kubernetes manifests and package.json. Named on the
command line they are errors ("not a CloudFormation/SAM template"), which is right for a person typing
`vpcreach scan x.yaml` and wrong for a hook, so `vpcreach scan --skip-non-templates` drops them first.
"""

from __future__ import annotations

import os


def templates_only(paths: list[str]) -> list[str]:
    """The paths worth scanning: directories, Terraform files, files that are CloudFormation templates, and
    Serverless Framework services (serverless.yml / .yaml / .json by name, or a service under another name).

    A file that looks like a template but does not parse is kept, so the scan reports its error.
    """
    from vpcreach.parsers.cfn import looks_like_template
    from vpcreach.parsers.errors import InputError
    from vpcreach.parsers.serverless.names import is_config_name
    from vpcreach.parsers.yaml_loader import load_document, read_text
    from vpcreach.sources import looks_like_template_text

    keep = []
    for path in paths:
        if not os.path.isfile(path) or path.endswith(".tf"):
            keep.append(path)  # directories, .tf files and missing paths: the scan decides
            continue
        # A service file need not name CloudFormation at all (literal subnet ids, no resources section).
        if not is_config_name(path) and not looks_like_template_text(path):
            continue
        try:
            doc = load_document(read_text(path), path)
        except InputError:
            keep.append(path)
            continue
        if looks_like_template(doc) or _looks_like_service(doc):
            keep.append(path)
    return keep


def _looks_like_service(doc: object) -> bool:
    from vpcreach.parsers.serverless import looks_like_service

    return looks_like_service(doc)
