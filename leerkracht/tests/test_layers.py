"""The layers hold: data flows one way, leerkracht (mechanism) ← schools ← instruments ← barometer,
and academy stands beside them reading only the core (its roles). Every module of every app is
parsed and each import in it is checked, function-level imports included; what has to know every
app (the root URLconf, the navigation on every page) is wiring (`wiring/`), which no app imports.

Exempt, because they assemble the whole platform on purpose, not because the code below them
needs it:
- leerkracht/tests/: the core's mechanism is tested against the real apps (the two-region world
  fills schools and instruments; the sweeps walk every app's routes).
- instruments/tests/test_metrics.py: one test holds the barometer's staircase to the instruments'
  own numbers, from the instruments' side.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIRING = "wiring"

# App → the apps it may import. `wiring` may import every app; no app may import `wiring`.
ALLOWED: dict[str, frozenset[str]] = {
    "leerkracht": frozenset(),
    "schools": frozenset({"leerkracht"}),
    "instruments": frozenset({"leerkracht", "schools"}),
    "barometer": frozenset({"leerkracht", "schools", "instruments"}),
    "academy": frozenset({"leerkracht"}),
}
LAYERED = frozenset({*ALLOWED, WIRING})

EXEMPT = (
    "leerkracht/tests/",
    "instruments/tests/test_metrics.py",
)


def imported_packages(source: str, *, filename: str = "<source>") -> set[tuple[str, int]]:
    """The top-level packages of ours that `source` imports, with the line of each import,
    wherever the import stands (module level, inside a function, under TYPE_CHECKING)."""
    found = set()
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue  # a relative import stays inside its own package
        found.update((module.split(".")[0], node.lineno) for module in modules)
    return {(package, line) for package, line in found if package in LAYERED}


def layer_violations(app: str, source: str, *, filename: str = "<source>") -> list[str]:
    """Each import in `source`, a module of `app`, that reaches an app the layers forbid it."""
    allowed = ALLOWED.get(app)
    if allowed is None:  # wiring: it is there to know every app
        return []
    return [
        f"{filename}:{line} imports {package} ({app} may import {', '.join(sorted(allowed)) or 'no app'})"
        for package, line in sorted(imported_packages(source, filename=filename), key=lambda found: found[::-1])
        if package != app and package not in allowed
    ]


def modules_of(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or relative.startswith(EXEMPT):
            continue
        yield relative, path.read_text(encoding="utf-8")


def import_graph() -> dict[str, dict[str, int]]:
    """App → app it imports → in how many of its modules (exempt files left out)."""
    graph: dict[str, dict[str, int]] = {}
    for app in sorted(LAYERED):
        counts: defaultdict[str, int] = defaultdict(int)
        for filename, source in modules_of(app):
            for package in {package for package, _line in imported_packages(source, filename=filename)}:
                if package != app:
                    counts[package] += 1
        graph[app] = dict(sorted(counts.items()))
    return graph


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_each_app_imports_only_the_layers_below_it(app):
    violations = [v for filename, source in modules_of(app) for v in layer_violations(app, source, filename=filename)]
    assert violations == []


def test_the_layer_check_fails_when_the_core_imports_an_app():
    """The checker itself: an import of an app in a core module is caught wherever it stands."""
    source = (
        "from leerkracht.roles import Role\n"
        "def compute(user):\n"
        "    from schools.models import SchoolMembership\n"
        "    import instruments.models\n"
        "    return SchoolMembership\n"
    )
    assert layer_violations("leerkracht", source, filename="leerkracht/access.py") == [
        "leerkracht/access.py:3 imports schools (leerkracht may import no app)",
        "leerkracht/access.py:4 imports instruments (leerkracht may import no app)",
    ]
    assert layer_violations("schools", "import barometer.models\n") == [
        "<source>:1 imports barometer (schools may import leerkracht)"
    ]
    assert layer_violations("academy", "from schools.models import Team\n")
    assert layer_violations("instruments", "from wiring.urls import urlpatterns\n"), "no app imports the wiring"
    assert layer_violations("barometer", "from instruments.access import readable_boards\n") == []
    assert layer_violations("wiring", "from barometer import urls\n") == []


def test_the_import_graph_between_apps():
    """The picture the layers draw (printed with `-s`): who imports whom, in how many modules."""
    graph = import_graph()
    print()
    for app, imports in graph.items():
        print(f"  {app:<12} → {', '.join(f'{other} ({n})' for other, n in imports.items()) or '—'}")
    assert graph["leerkracht"] == {}
    assert set(graph[WIRING]) <= set(ALLOWED)
