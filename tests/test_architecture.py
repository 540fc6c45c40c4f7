"""The package's shape: no import cycles among its modules, modules of a readable size, and the
definition of voice in one place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "rehearse"
MAX_LINES = 600
MAX_LINES_CLI = 700


def imports_of(path: Path) -> set[str]:
    """Every ``rehearse.*`` module a module imports, at its top or inside a function, except under
    ``if TYPE_CHECKING:`` (never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "rehearse":
                found.update(f"rehearse.{a.name}" for a in node.names)
            elif node.module.startswith("rehearse."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("rehearse."))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def module_graph() -> dict[str, set[str]]:
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        graph[name] = imports_of(path)
    return {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_no_import_cycles_among_the_packages_modules():
    graph = module_graph()
    assert "rehearse.practice" in graph and graph["rehearse.practice"]
    assert cycles(graph) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_modules_stay_readable():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    too_long = {name: n for name, n in sizes.items()
                if n > (MAX_LINES_CLI if name == "cli.py" else MAX_LINES)}
    assert too_long == {}


def test_voice_thresholds_are_defined_only_in_the_voice_module():
    """A dBFS level written as a number anywhere but rehearse/voice.py is a second definition of
    what is loud enough to be speech."""
    literal = re.compile(r"-\d+(\.\d+)?\s*$|[<>]=?\s*-\d{2}(\.\d+)?\b|_db\w*\s*[:=][^=\n]*-\d{2}"
                         r"|_db\w*\s*[-+]\s*\d{2}", re.IGNORECASE)
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "voice.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if "db" in line.lower() and literal.search(code):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []
    for line in ("speech_db: float = -45.0", "speech = level_dbfs(audio) > -60.0",
                 "bars = int((p.level_db + 60) / 2)", "MIN_VOICE_DB = -60.0  # dBFS"):
        assert literal.search(line.split("#", 1)[0]), line
