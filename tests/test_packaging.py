"""Every package of the source tree is in pyproject's explicit package list, so a wheel (pip install from the
repository, the pre-commit hook's environment) holds it: a package missing there imports in an editable
install and fails with ModuleNotFoundError everywhere else."""

from __future__ import annotations

import sys

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = set()
    for name, folder in config["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            if any(p.startswith(".") or p == "__pycache__" for p in parts):
                continue
            found.add(".".join((name, *parts)))
    assert found - listed == set()
