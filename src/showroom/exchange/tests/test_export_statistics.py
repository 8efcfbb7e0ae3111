import datetime as dt

import openpyxl
import pytest
from django.core.management import call_command

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_register_export_carries_the_monthly_statistics(tmp_path, store, consultant):
    f.WalkInFactory(
        store=store, consultant=consultant, date=dt.date(2026, 10, 3), arrived_at=dt.time(10, 15)
    )
    out = tmp_path / "oct.xlsx"
    call_command("export", "--store", "BJ01", "--month", "2026-10", str(out))
    wb = openpyxl.load_workbook(out)
    # The monthly statistics follow the form sheets.
    assert wb.sheetnames[-2:] == ["展厅来店统计表", "展厅来电统计表"]
    assert wb.sheetnames[:2] == ["来店客户登记表", "来电客户登记表"]
    assert wb["展厅来店统计表"]["A1"].value.startswith("北京一店")
