"""Imported leads that wait for a first contact are routed like the API's."""

from __future__ import annotations

import pytest

from showroom.organization.choices import Role
from showroom.traffic.models import Lead

pytestmark = pytest.mark.django_db


def test_waiting_imported_leads_go_round_robin_to_the_dcc(
    csv_file, run_import, store, make_staff, consultant
) -> None:  # type: ignore[no-untyped-def]
    a = make_staff("dcc-a", Role.DCC, store=store, full_name="客服甲", rotation_order=1)
    b = make_staff("dcc-b", Role.DCC, store=store, full_name="客服乙", rotation_order=2)
    path = csv_file(
        "leads.csv",
        [
            ["创建时间", "渠道", "客户姓名", "联系电话", "负责人", "首次联系时间"],
            ["2026-10-01 09:00", "internet", "甲", "13900000001", "", ""],
            ["2026-10-01 09:05", "internet", "乙", "13900000002", "", ""],
            ["2026-10-01 09:10", "internet", "丙", "13900000003", "张伟", ""],
            ["2026-10-01 09:15", "internet", "丁", "13900000004", "", "2026-10-01 09:20"],
            ["2026-10-01 09:20", "internet", "戊", "13900000005", "", ""],
        ],
    )
    assert run_import(path).ok
    owners = dict(Lead.objects.values_list("name", "assigned_to"))
    assert owners == {"甲": a.pk, "乙": b.pk, "丙": consultant.pk, "丁": None, "戊": a.pk}
