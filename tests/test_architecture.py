"""Layering contracts over every module of ``src/ringside``, read from the source.

Imports run one way: the sans-I/O core at the bottom, then the store, the
server's services, the server's web layer, and the programs on top (the
command line, the demo, the test helpers). Inside the server, each module
imports only those below it, and nothing imports the composition root but the
programs that start a server. Every import counts, at module level or inside
a function, under ``TYPE_CHECKING`` or not: a circle hidden in a function is
still a circle.
"""

from __future__ import annotations

import ast
import pathlib

import ringside

ROOT = pathlib.Path(ringside.__file__).parent

LAYERS: list[set[str]] = [
    # 0: the sans-I/O core and plain helpers
    {
        "text",
        "names",
        "protocol",
        "games",
        "referee",
        "rating",
        "tournament",
        "export",
        "local",
        "bots",
    },
    # 1: tools over the core: schemas, the bot SDK, the engine bridges
    {"schema", "gamedocs", "client", "bridges"},
    # 2: storage
    {"store"},
    # 3: what the API and the command line show of stored records
    {"views"},
    # 4: the server
    {"server"},
    # 5: the programs and the helpers of tests and benches
    {"cli", "demo", "testing", "__main__"},
]
"""Top-level parts of ``ringside``, lowest first; a part may import its own layer's
parts or lower ones."""

SERVER_LAYERS: list[set[str]] = [
    {
        "errors",
        "limits",
        "settings",
        "ports",
        "bus",
        "peer",
        "hello_limit",
        "connection",
        "spectator",
        "redis_wire",
    },
    {"reconnects", "lobby", "runner", "leases", "relay", "directory", "credentials"},
    {"session"},
    {"matches"},
    {"tournaments", "watching", "metrics", "cluster", "match_queue"},
    {"ladder"},
    {"services"},
    {"app", "bench", "keys", "bodies", "http_guard", "upgraded"},
    {"api", "transports"},
    {"api_bots", "api_export", "api_tournaments", "bot_ws"},
    {"main"},
]
"""The modules of ``ringside.server``, lowest first (services, then the HTTP layer)."""


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: pathlib.Path) -> set[str]:
    """Every ``ringside`` module this file imports, wherever the import stands."""
    tree = ast.parse(path.read_text(), str(path))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ringside"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if not target.startswith("ringside"):
                continue
            found.add(target)
            for alias in node.names:  # ``from ringside.server import api`` names a module
                candidate = f"{target}.{alias.name}"
                if _exists(candidate):
                    found.add(candidate)
    return {name for name in found if _exists(name)}


def _exists(name: str) -> bool:
    relative = pathlib.Path(*name.split(".")[1:])
    return (ROOT / relative).with_suffix(".py").exists() or (
        ROOT / relative / "__init__.py"
    ).exists()


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}
    return {name: imports_of(path) - {name} for name, path in modules.items()}


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


def test_no_import_circle_anywhere() -> None:
    """Tarjan's strongly connected components over the import graph: each must be one module.

    A package's ``__init__`` re-exporting its modules is not a circle by itself:
    the edge from a module to its own package's ``__init__`` is left out."""
    edges = {
        name: {t for t in targets if not (name.startswith(t + ".") and t != "ringside")}
        for name, targets in graph().items()
    }
    circles = [c for c in _components(edges) if len(c) > 1]
    assert circles == [], "import circles: " + "; ".join(" <-> ".join(sorted(c)) for c in circles)


def test_every_import_goes_down_the_layers() -> None:
    level = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    upward = []
    for module, targets in graph().items():
        here = part(module)
        if here not in level:
            continue
        for target in targets:
            there = part(target)
            if there in level and level[there] > level[here]:
                upward.append(f"{module} -> {target}")
    assert upward == [], "imports going up a layer: " + ", ".join(sorted(upward))


def test_every_top_level_part_has_a_layer() -> None:
    parts = {p.stem if p.is_file() else p.name for p in ROOT.iterdir()}
    parts = {p for p in parts if not p.startswith(("_", ".")) or p == "__main__"} - {
        "py",
        "web",
        "__pycache__",
    }
    parts.discard("__init__")
    known = set().union(*LAYERS)
    assert parts - known == set(), f"give these a layer: {sorted(parts - known)}"


def test_the_server_imports_downwards_only() -> None:
    level = {name: i for i, layer in enumerate(SERVER_LAYERS) for name in layer}
    modules = {p.stem for p in (ROOT / "server").glob("*.py")} - {"__init__"}
    assert modules <= set(level), f"give these a server layer: {sorted(modules - set(level))}"
    upward = []
    for module, targets in graph().items():
        if not module.startswith("ringside.server."):
            continue
        here = module.rsplit(".", 1)[1]
        for target in targets:
            if target.startswith("ringside.server."):
                there = target.rsplit(".", 1)[1]
                if level[there] > level[here]:
                    upward.append(f"{here} -> {there}")
    assert upward == [], "server imports going up: " + ", ".join(sorted(upward))


def test_only_the_programs_import_the_composition_root() -> None:
    importers = sorted(m for m, targets in graph().items() if "ringside.server.app" in targets)
    assert all(
        part(m) in ("cli", "testing", "demo") or m == "ringside.server.main" for m in importers
    ), importers


def _components(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components (Tarjan), iterative so deep graphs cannot overflow."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                found.append(component)
    return found
