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
