"""No view decides by hand which rows a user sees: views get their rows from selectors, which
scope them through `organization.access` (see docs/architecture.md). This scans every views
module for lookups on a store or a person and for `access.scope` with its own fields."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import showroom

ROOT = Path(showroom.__file__).parent
# A lookup that picks rows by store or by person: store=…, store_id=…, store__in=…,
# consultant=request.user, assigned_to_id=…, customer__consultant=…
ROW_LOOKUP = re.compile(
    r"^(customer__)?(store|consultant|assigned_to|from_consultant|to_consultant)"
    r"(_id|__in|__pk|__code|__isnull)?$"
)
QUERY_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q"}

# (file, function, lookup): each one justified.
ALLOWED: set[tuple[str, str, str]] = set()


def views_modules() -> list[Path]:
    found = {
        *ROOT.rglob("views.py"),
        *ROOT.rglob("views/*.py"),
        *ROOT.rglob("*_views.py"),
    }
    return sorted(p for p in found if "tests" not in p.parts and "migrations" not in p.parts)


def _called(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return ""


def hand_filters(source: str, name: str) -> list[tuple[str, str, str, int]]:
    """(file, enclosing function, lookup, line) of each hand filter in `source`."""
    found: list[tuple[str, str, str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = child.name if not function else f"{function}.{child.name}"
            if isinstance(child, ast.Call):
                called = _called(child)
                if called in QUERY_METHODS:
                    for keyword in child.keywords:
                        if keyword.arg and ROW_LOOKUP.match(keyword.arg):
                            found.append((name, inner, keyword.arg, child.lineno))
                if called == "scope":
                    found.append((name, inner, "scope()", child.lineno))
            visit(child, inner)

    visit(ast.parse(source), "")
    return found


def test_the_scan_finds_hand_filters() -> None:
    source = """
def page(request):
    rows = Order.objects.filter(store=store, consultant=request.user)
    mine = Lead.objects.exclude(assigned_to_id=request.user.pk)
    either = Customer.objects.filter(Q(store__in=stores))
    own = access.scope(WalkIn.objects.all(), request.user, owner_field="x")
    fine = Order.objects.filter(pk=1, month=month)
    return Survey(store=store)
"""
    assert [(f, lookup, line) for _n, f, lookup, line in hand_filters(source, "x.py")] == [
        ("page", "store", 3),
        ("page", "consultant", 3),
        ("page", "assigned_to_id", 4),
        ("page", "store__in", 5),
        ("page", "scope()", 6),
    ]


def test_the_scan_reads_every_views_module() -> None:
    names = {str(p.relative_to(ROOT)) for p in views_modules()}
    assert {
        "sales/deals/views.py",
        "crm/crosscheck/views.py",
        "traffic/views.py",
        "reports/crm/channel_views.py",
        "traffic/api_key_views.py",
    } <= names


def test_views_filter_no_rows_by_store_or_person() -> None:
    found = []
    for path in views_modules():
        name = str(path.relative_to(ROOT))
        for hit in hand_filters(path.read_text(encoding="utf-8"), name):
            if hit[:3] not in ALLOWED:
                found.append(f"{hit[0]}:{hit[3]} in {hit[1] or '<module>'}: {hit[2]}")
    assert found == [], "filter through a selector and organization.access:\n" + "\n".join(found)


def test_every_allowed_entry_is_still_needed() -> None:
    used = {
        hit[:3]
        for path in views_modules()
        for hit in hand_filters(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    }
    assert ALLOWED - used == set()
