"""The CLI package stays layered: command modules import ``common`` only, never each other.

Read from the source with ``ast`` (imports inside functions count too, since a
lazy import closes a circle just as well at run time), so a circle or a second
copy of the shared helpers fails here rather than as a confusing import error.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

import ringside.cli

PACKAGE = "ringside.cli"
ASSEMBLERS = {PACKAGE, f"{PACKAGE}.app"}
COMMON = f"{PACKAGE}.common"
SHARED_NAMES = {"fail", "_fail", "EXIT_USAGE", "EXIT_FAILURE"}


def cli_modules() -> dict[str, ast.Module]:
    """Every module of the package by dotted name, parsed."""
    root = Path(ringside.cli.__file__).parent
    modules = {}
    for path in sorted(root.glob("*.py")):
        name = PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"
        modules[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return modules


def imported(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``name`` imports.

    ``from ringside.cli import x`` is the submodule ``x`` when there is one, else
    the package itself; importing a submodule runs the package's ``__init__``
    too, but that is Python's doing, not an edge of ours.
    """
    package = name if name == PACKAGE else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            targets = []
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.append(submodule if submodule in known else base)
        else:
            continue
        found.update(target for target in targets if target in known)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = cli_modules()
    known = set(modules)
    return {name: imported(name, tree, known) for name, tree in modules.items()}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle of imports in ``graph``, or None."""
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        found: list[str] = exc.args[1]
        return found
    return None


def test_the_cycle_check_sees_a_circle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_package_has_its_modules() -> None:
    graph = import_graph()
    assert {PACKAGE, f"{PACKAGE}.app", COMMON} <= set(graph)
    assert len(graph) > 3, "no command modules found"


def test_cli_imports_are_acyclic() -> None:
    graph = import_graph()
    assert cycle(graph) is None, f"import circle among the CLI modules: {cycle(graph)}"


@pytest.mark.parametrize(
    "name", sorted(set(import_graph()) - ASSEMBLERS - {COMMON}), ids=lambda n: n
)
def test_a_command_module_imports_only_common(name: str) -> None:
    edges = import_graph()[name]
    assert not edges & ASSEMBLERS, f"{name} imports the module that assembles the app"
    assert edges <= {COMMON}, f"{name} imports other command modules: {sorted(edges - {COMMON})}"


def test_common_imports_no_cli_module() -> None:
    assert import_graph()[COMMON] == set()


def defined_names(tree: ast.Module) -> set[str]:
    """Names a module binds with def, class or assignment, at any depth."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_shared_helpers_are_defined_only_in_common() -> None:
    modules = cli_modules()
    assert {"fail", "EXIT_USAGE", "EXIT_FAILURE"} <= defined_names(modules[COMMON])
    for name, tree in modules.items():
        if name != COMMON:
            again = defined_names(tree) & SHARED_NAMES
            assert not again, f"{name} defines {sorted(again)} again; import them from {COMMON}"
