"""Fixtures of the exchange tests: workbooks built with openpyxl, CSV files, the commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from showroom.exchange.tests.builders import Run, run_command
from showroom.organization.choices import Role


@pytest.fixture(autouse=True)
def _chinese():  # type: ignore[no-untyped-def]
    # What `showroom` runs in: settings.LANGUAGE_CODE (zh-hans).
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def xlsx(tmp_path: Path) -> Callable[..., Path]:
    """xlsx({"sheet": [row, …], …}, name="book.xlsx"): a workbook with those sheets."""

    def build(sheets: dict[str, list[list[Any]]], name: str = "book.xlsx") -> Path:
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for title, rows in sheets.items():
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        path = tmp_path / name
        workbook.save(path)
        return path

    return build


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    """csv_file("walk_ins.csv", rows, encoding="utf-8-sig"): a CSV file as Excel saves it."""

    def build(name: str, rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
        text = "\r\n".join(",".join("" if v is None else str(v) for v in row) for row in rows)
        path = tmp_path / name
        path.write_bytes((text + "\r\n").encode(encoding))
        return path

    return build


@pytest.fixture
def run_import() -> Callable[..., Run]:
    def run(*files: Path, store: str = "BJ01", **options: Any) -> Run:
        return run_command("import", *files, store=store, **options)

    return run


@pytest.fixture
def assistant(make_staff, store):  # type: ignore[no-untyped-def]
    """The store's assistant, who runs the import center."""
    return make_staff("assist", Role.ASSISTANT, store=store, full_name="助理小刘")


@pytest.fixture
def office(client, assistant, consultant):  # type: ignore[no-untyped-def]
    """The test client signed in as the assistant."""
    client.force_login(assistant)
    return client


@pytest.fixture
def staff(consultant, consultant2, manager):  # type: ignore[no-untyped-def]
    """Two consultants and their manager."""
    return consultant, consultant2, manager
