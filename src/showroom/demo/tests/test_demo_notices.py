"""The demo's notices: every demo login has some unread, and a second run adds none."""

from __future__ import annotations

import pytest
from django.utils import timezone

from showroom.demo.notices import ensure_demo_notices
from showroom.notices.models import Notice, NoticeKind
from showroom.organization.choices import Role
from showroom.sales.models import LossReport
from showroom.traffic.models import Lead
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_demo_login_finds_unread_notices_once(store, make_staff, consultant, manager):  # type: ignore[no-untyped-def]
    dcc = make_staff("dcc", Role.DCC, store=store)
    make_staff("crm", Role.CRM, store=store)
    make_staff("group", Role.GROUP, store=None)
    today = store.today()
    card = f.CustomerFactory(
        store=store, consultant=consultant, name="要战败", next_follow_up=today
    )
    LossReport.objects.bulk_create(
        [
            LossReport(
                store=store,
                customer=card,
                consultant=consultant,
                date=today,
                kind="lost",
                reason="price",
            )
        ]
    )
    lead = Lead(
        store=store,
        created_at=timezone.now(),
        channel=f.source("internet"),
        name="网上线索",
        phone="13900000009",
    )
    lead.save()
    Lead.objects.filter(pk=lead.pk).update(assigned_to=dcc)
    Notice.objects.all().delete()

    names = ["zhang", "boss", "dcc", "crm", "group"]
    counts = ensure_demo_notices(store, names)
    assert counts == {"zhang": 1, "boss": 1, "dcc": 1, "crm": 1, "group": 1}
    kinds = dict(Notice.objects.values_list("recipient__username", "kind"))
    assert kinds == {
        "zhang": NoticeKind.FOLLOW_UP,
        "boss": NoticeKind.LOSS_REQUESTED,
        "dcc": NoticeKind.LEAD,
        "crm": NoticeKind.WELCOME,
        "group": NoticeKind.WELCOME,
    }
    assert ensure_demo_notices(store, names) == counts
    assert Notice.objects.count() == 5
