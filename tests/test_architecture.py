"""The shape of the product: no import cycle among its modules, and one run path for every entry.

Import cycles are found statically, from the source: every `import` and `from ... import` in a module,
at its top, inside a function or under `if TYPE_CHECKING:`, is an edge to the product module it names.
A function-local import hides a cycle from Python, not from the design: the modules still depend on
each other. The only imports allowed to close a cycle are the CLI's lazy start-up imports (ALLOWED).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Folders of the repository and the package each is installed as (pyproject.toml's package-dir).
PACKAGES = {
    "vpcreach": "vpcreach",
    "analyzer": "vpcreach.analyzer",
    "graph": "vpcreach.graph",
    "parsers": "vpcreach.parsers",
}

# Imports that may close a cycle: (importing module, imported module). Only lazy imports on the CLI start-up
# path belong here, where `vpcreach --version` must not pay for the analyzer. Empty today: the CLI
# imports the run path lazily, but nothing imports the CLI, so those imports close no cycle.
ALLOWED: set[tuple[str, str]] = set()

# A cycle not broken yet (issue 13 item 5, left for a follow-up): the one import of it that goes against
# the layering, to be removed when it is. Terraform data attributes are annotated with hcl's instance
# types (under TYPE_CHECKING), while hcl.ModuleInstance.data_attr calls them lazily.
PENDING: set[tuple[str, str]] = set()


def product_modules() -> dict[str, Path]:
    modules = {}
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join([package, *parts])] = path
    return modules


def imports_of(name: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The product modules `source` (module `name`) imports anywhere in its text."""
    out: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]

    def add(module: str) -> None:
        # The longest product module the name starts with (`vpcreach.graph.model.Function` → `...model`).
        while module and module not in known:
            module = module.rpartition(".")[0]
        if module and module != name:
            out.add(module)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
                full = f"{module}.{alias.name}"
                add(full if full in known else module)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = product_modules()
    known = set(modules)
    return {
        name: imports_of(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", known)
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a list of modules (first repeated last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if (node, nxt) in ALLOWED | PENDING:
                continue
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle_among_product_modules():
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])
    # An allowed import that no longer exists must leave its list.
    assert all(b in graph.get(a, ()) for a, b in ALLOWED | PENDING), [
        e for e in ALLOWED | PENDING if e[1] not in graph.get(e[0], ())
    ]


def test_the_import_graph_sees_lazy_relative_and_type_checking_imports():
    graph = import_graph()
    assert "vpcreach.run" in graph["vpcreach.cli"]  # inside a command function
    assert "vpcreach.analyzer.rules" in graph["vpcreach.analyzer.engine"]  # relative
    assert "vpcreach.analyzer.rules.capacity" in graph["vpcreach.analyzer.rules"]  # from . import capacity
    assert "vpcreach.analyzer.analysis" in graph["vpcreach.analyzer.rules.paths"]  # under TYPE_CHECKING
    assert "vpcreach.graph.model" in graph["vpcreach.analyzer.engine"]  # from vpcreach.graph import model


def test_a_cycle_through_a_function_local_import_is_found():
    known = {"p.a", "p.b"}
    graph = {
        "p.a": imports_of("p.a", "from . import b\n", False, known),
        "p.b": imports_of("p.b", "def f():\n    from .a import x\n", False, known),
    }
    assert find_cycle(graph) == ["p.a", "p.b", "p.a"]


def test_renderers_only_render():
    # Reports never load the config, discover or read sources, or run the analysis: they get the results.
    graph = import_graph()
    banned = {"vpcreach.config", "vpcreach.sources", "vpcreach.run", "vpcreach.cli"}
    banned |= {m for m in graph if m.startswith("vpcreach.parsers") and m != "vpcreach.parsers.errors"}
    for module, imported in graph.items():
        if module.startswith("vpcreach.reports"):
            assert not imported & banned, (module, imported & banned)
    calls = {"analyze", "execute", "load_config", "discover", "load", "analyse_all"}
    for path in (ROOT / "vpcreach" / "reports").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                assert name not in calls, (path.name, node.lineno, name)


# --- one run path ------------------------------------------------------------------------------------------
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def calls(monkeypatch):
    """Every request that reaches `vpcreach.run.execute`, which still runs."""
    from vpcreach import run

    seen: list = []
    real = run.execute

    def spy(req):  # type: ignore[no-untyped-def]
        seen.append(req)
        return real(req)

    monkeypatch.setattr(run, "execute", spy)
    return seen


def cli(*args: str) -> int:
    from click.testing import CliRunner

    from vpcreach.cli import main

    return CliRunner().invoke(main, list(args)).exit_code


def test_scan_goes_through_the_one_run_path(calls):
    path = str(FIXTURES / "cfn" / "vr101_no_default_route.yaml")
    assert cli("scan", path, "--format", "json") == 1
    assert [(r.paths, r.mode) for r in calls] == [([path], "scan")]


def test_plan_goes_through_the_one_run_path(calls):
    path = str(FIXTURES / "tfplan" / "break_nat_route" / "plan.json")
    cli("plan", path, "--format", "json")
    assert [(r.paths, r.mode) for r in calls] == [([path], "plan")]


def test_graph_goes_through_the_one_run_path(calls):
    path = str(FIXTURES / "cfn" / "vr101_no_default_route.yaml")
    assert cli("graph", path, "--format", "mermaid") == 0
    assert [r.paths for r in calls] == [[path]]


def test_cfn_lint_goes_through_the_one_run_path(calls):
    from cfnlint.decode import decode
    from cfnlint.template import Template

    from vpcreach.integrations.cfnlint_rules import findings_for

    path = str(FIXTURES / "cfn" / "vr101_no_default_route.yaml")
    template, problems = decode(path)
    assert not problems
    result = findings_for(Template(path, template, ["us-east-1"]))
    assert result.error is None and "VR101" in result.findings
    (req,) = calls
    assert req.paths == [path] and [s.document is not None for s in req.sources] == [True]


def test_one_place_prints_error_lines_and_decides_exit_2():
    # `vpcreach: error:` lines come from output.error alone, and exit statuses from output.exit_code.
    for path in [*(ROOT / "vpcreach").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if path.name == "output.py":
            continue
        assert 'say("error"' not in text, path
        assert "exit(2)" not in text and "return 2" not in text, path
