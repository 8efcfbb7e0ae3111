"""The apps' layers and a check that every import runs downwards.

Each module of the package belongs to one layer; a module may import its own layer and the
layers below it, never one above. Imports inside functions and under TYPE_CHECKING count
too: a lazy import is still a dependency. Run as a script to list the wrong-way imports.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "showroom"

# Bottom first. The project shell (settings, URLs, the API root, the command line) sits on
# top of everything and may import any app.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("organization",),
    ("customers",),
    ("traffic",),
    ("sales",),
    ("owners",),
    ("crm",),
    ("notices",),
    ("kpi",),
    ("targets",),
    ("reports",),
    ("exchange",),
    ("demo",),
    ("settings", "urls", "api", "cli", "wsgi", "__main__", "management", "apps"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


@dataclass(frozen=True)
class WrongWay:
    module: str
    line: int
    imported: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}"


def layer_of(dotted: str) -> str:
    """`showroom.sales.deals.views` → `sales`; `showroom.periods` → `periods`."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports_of(path: Path, module: str) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from showroom import crm` imports the app
                yield node.lineno, f"{target}.{alias.name}"


def modules(root: Path = PACKAGE) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        parts = list(relative.parts)
        if "tests" in parts or "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield path, ".".join(parts)


def wrong_way(edges: Iterable[tuple[str, int, str]]) -> list[WrongWay]:
    """The edges (module, line, imported module) that import a higher layer, or a module of
    the package that belongs to no layer."""
    found = []
    for module, line, imported in edges:
        if not imported.startswith("showroom.") or imported == "showroom":
            continue
        source, target = layer_of(module), layer_of(imported)
        if source == target:
            continue
        if source not in RANK or target not in RANK or RANK[target] > RANK[source]:
            found.append(WrongWay(module, line, imported))
    return found


def package_edges(root: Path = PACKAGE) -> Iterator[tuple[str, int, str]]:
    for path, module in modules(root):
        for line, imported in imports_of(path, module):
            yield module, line, imported


if __name__ == "__main__":
    problems = wrong_way(package_edges())
    for problem in problems:
        print(problem)
    print(f"{len(problems)} wrong-way imports")
    sys.exit(1 if problems else 0)
