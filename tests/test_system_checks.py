"""Django's system checks (`showroom check`, the server and the set-up commands run them): on
the database in use they find nothing to warn a dealer about (on SQLite, the owner spans'
covering index is built without its included column, which Django would otherwise print
before such a command's output)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_no_check_warns_on_the_database_in_use() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", "--database", "default", stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "System check identified no issues" in out.getvalue()


@pytest.fixture
def failing_check():  # type: ignore[no-untyped-def]
    """A set-up check that fails, registered for the test only."""
    from django.core import checks

    def broken(**kwargs: object) -> list[checks.CheckMessage]:
        return [checks.Error("set-up broken", id="test.E001")]

    checks.register(broken)
    yield
    checks.registry.registry.registered_checks.discard(broken)


def test_data_commands_run_without_the_set_up_checks(failing_check, store, capsys) -> None:
    """The commands on the data (run every night) leave the set-up to `showroom check` and the
    server's start; the set-up commands still stop on a failing check."""
    from django.core.management import ManagementUtility

    ManagementUtility(["showroom", "kpi", "--store", "BJ01", "--month", "2026-10"]).execute()
    ran = capsys.readouterr()
    assert '"walkin_batches": 0' in ran.out
    assert "set-up broken" not in ran.err
    with pytest.raises(SystemExit):
        ManagementUtility(["showroom", "rebuild_kpi_state", "--store", "BJ01"]).execute()
    assert "set-up broken" in capsys.readouterr().err
