"""The docs name real code: every path, module, model and function that docs/*.md, README.md
and the READMEs under src/ name exists, and every relative link leads to a file.

A path is checked when it starts at the repository (`src/showroom/kpi/registry.py`,
`tests/layering.py`) or at the package (`organization/permissions.py`, `sales/deals/`); a dotted
name when it starts with `showroom.` or an app (`showroom.kpi.selectors.compute_kpis`,
`customers.services.find_duplicate`, `sales.Order`, `traffic.Lead.assigned_to`); a URL name
(`customers:card`) when its namespace is one of the project's: it must be in the permission
table. URLs (`/api/leads`) and file names (`walk_ins.csv`) are not code paths.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "showroom"
APPS = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
TOP = {"src", "docs", "tests", "bench", "README.md", "dev.py", "conftest.py", "pyproject.toml"}
FILE_SUFFIXES = {"csv", "xlsx", "py", "md", "po", "mo", "html", "json", "txt", "toml"}

DOCS = sorted(
    [*ROOT.glob("docs/*.md"), ROOT / "README.md", *PACKAGE.glob("**/README.md")],
)

PATH = re.compile(r"(?<![\w/.:-])([\w.-]+(?:/[\w.-]+)+/?)")
DOTTED = re.compile(r"(?<![\w/.:=@-])([a-z_]+(?:\.[A-Za-z_]\w*)+)(?![\w/-])")
URL_NAME = re.compile(r"^([a-z_]+):([a-z_0-9]+)$")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _code_spans(text: str) -> list[tuple[int, str]]:
    spans = []
    for match in re.finditer(r"`([^`\n]+)`", text):
        spans.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return spans


def _lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), start=1))


def named_paths(text: str) -> list[tuple[int, str]]:
    found = []
    for line, span in _lines(text):
        for path in PATH.findall(span):
            path = path.rstrip(".")
            first = path.split("/")[0]
            if first in TOP or first in APPS:
                found.append((line, path))
    return found


def named_dotted(text: str) -> list[tuple[int, str]]:
    found = []
    for line, span in _lines(text):
        for name in DOTTED.findall(span):
            parts = name.split(".")
            if parts[0] not in {"showroom", *APPS} or parts[-1] in FILE_SUFFIXES:
                continue
            found.append((line, name))
    return found


def path_exists(path: str) -> bool:
    return any((base / path).exists() for base in (ROOT, PACKAGE))


def dotted_exists(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "showroom":
        parts = ["showroom", *parts]
        # app.Model or app.Model.field: the model registry knows the app's models.
        if len(parts) >= 3 and parts[2][:1].isupper():
            try:
                model = apps.get_model(parts[1], parts[2])
            except LookupError:
                pass
            else:
                return all(_has(model, a) for a in parts[3:4]) and len(parts) <= 4
    for cut in range(len(parts), 1, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not _has(obj, attribute):
                return False
            obj = getattr(obj, attribute)
        return True
    return False


def _has(obj: object, attribute: str) -> bool:
    if hasattr(obj, attribute):
        return True
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return False
    return any(f.name == attribute for f in meta.get_fields())


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_named_exists(doc: Path) -> None:
    missing = [f"{line}: {p}" for line, p in named_paths(doc.read_text()) if not path_exists(p)]
    assert missing == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_and_name_named_exists(doc: Path) -> None:
    text = doc.read_text()
    missing = [f"{line}: {n}" for line, n in named_dotted(text) if not dotted_exists(n)]
    assert missing == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_url_name_named_is_a_screen(doc: Path) -> None:
    from showroom.organization.permissions import SCREENS

    namespaces = {name.split(":")[0] for name in SCREENS if ":" in name}
    named = [
        (line, span)
        for line, span in _code_spans(doc.read_text())
        if (m := URL_NAME.match(span)) and m.group(1) in namespaces
    ]
    assert [f"{line}: {name}" for line, name in named if name not in SCREENS] == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file(doc: Path) -> None:
    links = [t for t in LINK.findall(doc.read_text()) if "://" not in t]
    assert [t for t in links if not (doc.parent / t).exists()] == []


def test_the_checks_find_what_they_look_for() -> None:
    text = (
        "`src/showroom/kpi/registry.py`, `sales/deals/`, `/api/leads`, `walk_ins.csv`, "
        "`showroom.kpi.selectors.compute_kpis`, `traffic.Lead.assigned_to`, `customers:card`, "
        "`sales/nowhere.py`, `showroom.kpi.nothing`, `crm.NoSuchModel`. See docs/security.md.\n"
        "ALLOWED_HOSTS=crm.example.com"
    )
    assert [p for _l, p in named_paths(text)] == [
        "src/showroom/kpi/registry.py",
        "sales/deals/",
        "sales/nowhere.py",
        "docs/security.md",
    ]
    assert [n for _l, n in named_dotted(text)] == [
        "showroom.kpi.selectors.compute_kpis",
        "traffic.Lead.assigned_to",
        "showroom.kpi.nothing",
        "crm.NoSuchModel",
    ]
    exists = {p: path_exists(p) for _l, p in named_paths(text)}
    assert exists == {
        "src/showroom/kpi/registry.py": True,
        "sales/deals/": True,
        "sales/nowhere.py": False,
        "docs/security.md": True,
    }
    assert {n: dotted_exists(n) for _l, n in named_dotted(text)} == {
        "showroom.kpi.selectors.compute_kpis": True,
        "traffic.Lead.assigned_to": True,
        "showroom.kpi.nothing": False,
        "crm.NoSuchModel": False,
    }
