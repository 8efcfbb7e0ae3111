"""Every edit is kept (who, when, what), and a stale save never overwrites a colleague's."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from showroom.traffic import services
from showroom.traffic.models import WalkIn
from tests import factories as f

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def at(minutes):
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


def form_data(row, **changes):
    data = {
        "version": str(row.version),
        "visit_type": row.visit_type,
        "party_size": str(row.party_size),
        "name": row.name,
        "phone": row.phone,
        "source": "",
        "model": row.model,
        "grade": row.grade,
        "contact_kept": "unknown",
        "hand_card": row.hand_card,
        "left_at": "",
        "notes": row.notes,
        # Only on a manager's form; a consultant's form ignores them.
        "arrived_at": row.arrived_at.strftime("%H:%M"),
        "consultant": str(row.consultant_id),
    }
    data.update(changes)
    return data


def text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_history_lists_each_change_with_user_time_and_old_to_new(
    client, store, consultant, receptionist, manager
):
    client.force_login(receptionist)
    with at(0):
        client.post(
            reverse("traffic:log_walkin"),
            {"party_size": "2", "visit_type": "first", "consultant": consultant.pk},
        )
    row = WalkIn.objects.get()
    client.force_login(consultant)
    with at(30):
        client.post(
            reverse("traffic:walkin_edit", args=[row.pk]),
            form_data(row, name="王先生", phone="13812345678"),
        )
    row.refresh_from_db()
    client.force_login(manager)
    with at(45):
        client.post(
            reverse("traffic:walkin_edit", args=[row.pk]),
            form_data(row, party_size="3", notes="经理核对"),
        )

    client.force_login(consultant)
    response = client.get(reverse("traffic:walkin_history", args=[row.pk]))
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [(e.when_text, e.user, e.kind) for e in entries] == [
        ("2026-10-01 10:45", "王经理", "~"),
        ("2026-10-01 10:30", "张伟", "~"),
        ("2026-10-01 10:00", "前台小王", "+"),
    ]
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [
        ("人数", "2", "3"),
        ("备注", "—", "经理核对"),
    ]
    assert [(c.label, c.old, c.new) for c in entries[1].changes] == [
        ("客户姓名", "—", "王先生"),
        ("联系电话", "—", "13812345678"),
    ]
    assert [(c.label, c.new) for c in entries[2].changes] == [
        ("进店时间", "10:00"),
        ("人数", "2"),
        ("来店类型", "首次来店"),
        ("销售顾问", "张伟"),
        ("手卡号", "1"),  # the day's first hand card, issued by the desk
    ]
    page = text(response.content.decode())
    assert "2026-10-01 10:45 · 王经理 · 修改" in page
    assert "人数 2 3" in page


def test_receptionist_sees_masked_phones_in_history(client, store, consultant, receptionist):
    row = f.WalkInFactory(store=store, consultant=consultant)
    services.save_row(row, fields=[], expected_version=1, user=consultant)
    row.phone = "13812345678"
    services.save_row(row, fields=["phone"], expected_version=2, user=consultant)
    client.force_login(receptionist)
    entries = client.get(reverse("traffic:walkin_history", args=[row.pk])).context["entries"]
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [
        ("联系电话", "—", "138****5678")
    ]


def test_second_save_of_the_same_version_is_refused_and_keeps_the_first(
    client, store, consultant, manager
):
    row = f.WalkInFactory(store=store, consultant=consultant, arrived_at=dt.time(9, 40))
    # Both open the form at version 1.
    client.force_login(manager)
    with at(5):
        first = client.post(
            reverse("traffic:walkin_edit", args=[row.pk]),
            form_data(row, name="王先生", party_size="3", notes="经理核对"),
        )
    assert first.status_code == 302
    client.force_login(consultant)
    with at(7):
        second = client.post(
            reverse("traffic:walkin_edit", args=[row.pk]),
            form_data(row, name="王建国", party_size="3", notes="顾问填写", model="途胜"),
        )
    assert second.status_code == 409
    html = second.content.decode()
    assert "未保存：在您打开此记录之后，王经理 于 2026-10-01 10:05 修改了它。" in html
    # What the consultant typed is still in the form …
    assert 'value="王建国"' in html and "顾问填写" in html and 'value="途胜"' in html
    # … beside the values now stored, for the fields that differ.
    assert [(b.name, stored) for b, stored in second.context["fields"] if stored] == [
        ("name", "王先生"),
        ("model", "—"),
        ("notes", "经理核对"),
    ]
    assert "当前保存的值： 王先生" in text(html)
    assert 'name="version" value="2"' in html
    row.refresh_from_db()
    assert (row.name, row.notes, row.model, row.version) == ("王先生", "经理核对", "", 2)
    assert row.history.count() == 2

    # Saving again from the conflict page overwrites knowingly.
    with at(8):
        third = client.post(
            reverse("traffic:walkin_edit", args=[row.pk]),
            form_data(
                row, version="2", name="王建国", party_size="3", notes="顾问填写", model="途胜"
            ),
        )
    assert third.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.notes, row.model, row.version) == ("王建国", "顾问填写", "途胜", 3)


def test_save_row_claims_the_version_once(store, consultant, manager):
    row = f.WalkInFactory(store=store, consultant=consultant)
    mine = WalkIn.objects.get(pk=row.pk)
    theirs = WalkIn.objects.get(pk=row.pk)
    mine.notes = "先保存"
    theirs.notes = "后保存"
    assert services.save_row(mine, fields=["notes"], expected_version=1, user=consultant) is True
    assert services.save_row(theirs, fields=["notes"], expected_version=1, user=manager) is False
    row.refresh_from_db()
    assert (row.notes, row.version, row.history.count()) == ("先保存", 2, 2)


def test_departure_after_a_colleague_saved_does_not_lose_their_change(
    client, store, consultant, receptionist
):
    row = f.WalkInFactory(store=store, consultant=consultant, arrived_at=dt.time(9, 0))
    stale = WalkIn.objects.get(pk=row.pk)
    row.notes = "顾问填写"
    services.save_row(row, fields=["notes"], expected_version=1, user=consultant)
    with at(0):
        assert services.mark_departed(stale, user=receptionist) is False
    row.refresh_from_db()
    assert (row.notes, row.left_at, row.version) == ("顾问填写", None, 2)


def test_a_cleared_link_is_a_dash_not_a_deleted_object(client, store, consultant, manager):
    card = f.CustomerFactory(store=store, consultant=consultant, name="王先生")
    row = f.WalkInFactory(store=store, consultant=consultant, customer=card)
    row.customer = None
    row._history_user = manager
    row.save()
    client.force_login(manager)
    response = client.get(reverse("traffic:walkin_history", args=[row.pk]))
    entries = response.context["entries"]
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [("客户", "王先生", "—")]
    assert "pk=None" not in response.content.decode()
