"""The package's layout holds (issue 25): imports only go down the layers, no cycles, few hidden imports.

Read from the source with `ast`, without importing anything: every
``import`` and ``from ... import`` of our own modules, at module level or
inside a function. ``docs/architecture.md`` describes the same layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hamstring_analyzer"
NAME = PACKAGE.name

#: Each module's layer, by the longest matching dotted prefix; a module may import its own layer or any below it.
LAYERS = {
    # foundation: no knowledge of runs
    "errors": 0, "atomic": 0, "numbers": 0, "tomlfile": 0, "units": 0, "glossary": 0, "timezones": 0,
    "workers": 0, "jsonfile": 0, "dates": 0, "safetext": 0, "config": 1, "symptoms": 1,
    "activity": 2, "samples": 2, "readers": 2,
    "clean": 3,
    "metrics": 4, "runmetrics": 4, "weekly": 4, "session_load": 4, "elevation": 4, "summary": 4,
    "store": 5,
    "ingest": 6, "export": 6,
    "races": 7, "holes": 7, "rules": 7,
    "analysis": 8, "insights": 8, "plan": 8,
    "render": 9, "plots": 9, "report": 9, "report_text": 9,
    "team": 10, "team_folders": 10, "cohort": 10, "cohort_tasks": 10, "cohort_log": 10, "cohort_rules": 8, "cli": 11, "synthetic": 10, "synthetic_cohort": 10, "synthetic_exports": 10, "synthetic_quirks": 10, "synthetic_tracks": 10,
    "synthetic_strava": 10, "synthetic_rows": 10, "synthetic_budgets": 10,
    "__main__": 12,
}  # fmt: skip
#: Function-level imports of our own modules allowed in all (each needs a comment on its line or the line above).
MOST_HIDDEN = 15


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _target(module: str, node: ast.ImportFrom) -> list[str]:
    """The modules of ours an ``import from`` names: ``from .x import y`` is ``x.y`` when that is a module, else ``x``."""
    package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
    if node.level:
        base = package[: len(package) - node.level + 1]
        name = ".".join(base + ([node.module] if node.module else []))
    elif node.module and (node.module == NAME or node.module.startswith(NAME + ".")):
        name = node.module[len(NAME) + 1 :]
    else:
        return []
    found = []
    for alias in node.names:
        full = f"{name}.{alias.name}".strip(".")
        found.append(full if full in MODULES else name)
    return found


def _imports() -> list[tuple[str, str, int, bool, str]]:
    """(importer, imported, line, inside a function, the source line and the one above)."""
    out = []
    for module, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        inner = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in ast.walk(f)}
        typing_only = {id(n) for f in ast.walk(tree) if isinstance(f, ast.If) and "TYPE_CHECKING" in ast.unparse(f.test)
                       for n in ast.walk(f)}  # fmt: skip
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                targets = _target(module, node)
            elif isinstance(node, ast.Import):
                targets = [a.name[len(NAME) + 1 :] for a in node.names if a.name.startswith(NAME + ".")]
            else:
                continue
            if id(node) in typing_only:  # for annotations only: never imported when the program runs
                continue
            text = "\n".join(lines[max(0, node.lineno - 2) : node.end_lineno])
            out += [(module, t, node.lineno, id(node) in inner, text) for t in targets if t and t != module]
    return out


IMPORTS = _imports()


def layer(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in LAYERS:
            return LAYERS[".".join(parts[:n])]
    raise KeyError(module)


def test_every_module_has_a_layer():
    assert [m for m in MODULES if m and _layer_or_none(m) is None] == []


def _layer_or_none(module):
    try:
        return layer(module)
    except KeyError:
        return None


def test_imports_only_go_down():
    upward = [f"{a} (layer {layer(a)}) imports {b} (layer {layer(b)}) at line {line}"
              for a, b, line, _, _ in IMPORTS if a and b and layer(b) > layer(a)]  # fmt: skip
    assert upward == []


def test_no_import_cycles():
    graph: dict[str, set[str]] = {}
    for a, b, *_ in IMPORTS:
        if a and b:
            graph.setdefault(a, set()).add(b)
    cycles, index, low, stack, on = [], {}, {}, [], set()

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                cycles.append(sorted(part))

    for v in list(graph):
        if v not in index:
            visit(v)
    assert cycles == []


def test_few_function_level_imports_each_commented():
    hidden = {(a, line): text for a, b, line, inner, text in IMPORTS if inner}
    assert len(hidden) <= MOST_HIDDEN, sorted(hidden)
    assert [f"{a}:{line}" for (a, line), text in sorted(hidden.items()) if "#" not in text] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_about_500_lines(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= 560, f"{module}: {lines} lines"
