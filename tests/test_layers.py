"""The apps form layers and every import runs downwards (see docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

from tests import layering


def test_no_import_runs_up_the_layers():
    assert [str(p) for p in layering.wrong_way(layering.package_edges())] == []


def test_every_package_module_belongs_to_a_layer():
    top = {layering.layer_of(module) for _path, module in layering.modules()}
    assert top - set(layering.RANK) - {""} == set()


def test_a_wrong_way_import_is_found():
    edges = [
        ("showroom.sales.views", 3, "showroom.customers.models"),  # down: fine
        ("showroom.customers.services", 7, "showroom.sales.services"),  # up
        ("showroom.traffic.selectors", 9, "showroom.traffic.models"),  # same app: fine
        ("showroom.kpi.selectors", 11, "showroom.targets"),  # up, the app itself
        ("showroom.core.months", 2, "showroom.organization.models"),  # the base imports an app
    ]
    assert [str(p) for p in layering.wrong_way(edges)] == [
        "showroom.customers.services:7 imports showroom.sales.services",
        "showroom.kpi.selectors:11 imports showroom.targets",
        "showroom.core.months:2 imports showroom.organization.models",
    ]


def test_lazy_and_relative_imports_count(tmp_path: Path):
    package = tmp_path / "showroom"
    (package / "customers").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "customers" / "__init__.py").write_text("")
    (package / "customers" / "services.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from showroom.kpi import selectors\n"
        "def f():\n"
        "    from ..sales import funnel\n"
        "    return funnel\n"
    )
    found = [str(p) for p in layering.wrong_way(layering.package_edges(package))]
    assert found == [
        "showroom.customers.services:3 imports showroom.kpi",
        "showroom.customers.services:3 imports showroom.kpi.selectors",
        "showroom.customers.services:5 imports showroom.sales",
        "showroom.customers.services:5 imports showroom.sales.funnel",
    ]
