"""Notices: each event kind reaches the person it concerns, and nobody else.

Two consultants (张伟, 李娜) of one store, the store's other roles, and a consultant of a
second store. Each test makes one event and asks the bell (count) and the list of every
person concerned and of the others.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from showroom.crm.models import CallList, CallListEntry, CrosscheckException
from showroom.notices.models import Notice, NoticeKind
from showroom.notices.reminders import remind
from showroom.notices.selectors import notices, unread_count
from showroom.notices.services import mark_all_read, mark_read
from showroom.organization.choices import Role
from showroom.sales.losses.services import confirm_loss, request_loss, return_loss
from showroom.sales.models import LossReport
from showroom.sales.prospects.services import hand_over
from showroom.traffic.models import Lead
from showroom.traffic.services import cancel_walk_in, log_walk_in, save_row
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(store, other_store, make_staff, consultant, consultant2, manager, receptionist):  # type: ignore[no-untyped-def]
    return {
        "zhang": consultant,
        "li": consultant2,
        "manager": manager,
        "receptionist": receptionist,
        "dcc": make_staff("dcc", Role.DCC, store=store),
        "crm": make_staff("crm", Role.CRM, store=store),
        "assistant": make_staff("assistant", Role.ASSISTANT, store=store),
        "marketing": make_staff("marketing", Role.MARKETING, store=store),
        "gm": make_staff("gm", Role.GENERAL_MANAGER, store=store),
        "group": make_staff("group", Role.GROUP, store=None),
        "far": make_staff("wu", Role.CONSULTANT, store=other_store),
        "far_desk": make_staff("far-desk", Role.RECEPTIONIST, store=other_store),
    }


def counts(people) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Every person's bell, after the reminders due now."""
    now = timezone.now()
    for person in people.values():
        remind(user=person, now=now)
    return {name: unread_count(user=person) for name, person in people.items()}


def only(people, **expected: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {name: expected.get(name, 0) for name in people}


def kinds(person) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.label for n in notices(user=person)]


def test_a_walk_in_registered_by_the_desk_tells_its_consultant_only(store, people):  # type: ignore[no-untyped-def]
    row = log_walk_in(
        store=store,
        user=people["receptionist"],
        consultant=people["zhang"],
        visit_type="first",
        name="王先生",
    )
    assert counts(people) == only(people, zhang=1)
    [shown] = notices(user=people["zhang"])
    assert shown.label == str(NoticeKind.WALKIN.label)
    assert "王先生" in shown.text
    assert shown.url == reverse("traffic:walkin_edit", args=[row.pk])
    assert all(
        "王先生" not in n.text
        for p in people.values()
        for n in notices(user=p)
        if p != people["zhang"]
    )


def test_a_consultant_registering_their_own_walk_in_is_not_told(store, people):  # type: ignore[no-untyped-def]
    log_walk_in(store=store, user=people["zhang"], consultant=people["zhang"], visit_type="first")
    assert counts(people) == only(people)


def test_a_walk_in_given_to_another_consultant_moves_its_notice(store, people):  # type: ignore[no-untyped-def]
    row = log_walk_in(
        store=store, user=people["receptionist"], consultant=people["zhang"], visit_type="first"
    )
    row.consultant = people["li"]
    assert save_row(row, fields=["consultant"], expected_version=1, user=people["manager"])
    assert counts(people) == only(people, li=1)
    # Saving other fields tells nobody again.
    row.notes = "看了两款车"
    assert save_row(row, fields=["notes"], expected_version=2, user=people["manager"])
    assert Notice.objects.count() == 1


def test_a_lead_assigned_tells_the_assignee_and_moves_with_it(store, people):  # type: ignore[no-untyped-def]
    lead = Lead(
        store=store,
        created_at=timezone.now(),
        channel=f.source("internet"),
        name="线索甲",
        phone="13900000001",
        model="途胜",
    )
    lead.save()
    assert counts(people) == only(people)
    lead.assigned_to = people["dcc"]
    lead.save(update_fields=["assigned_to"])
    assert counts(people) == only(people, dcc=1)
    assert kinds(people["dcc"]) == [str(NoticeKind.LEAD.label)]
    assert notices(user=people["dcc"])[0].text == "线索甲 · 途胜"
    lead.assigned_to = people["zhang"]
    lead.save(update_fields=["assigned_to"])
    assert counts(people) == only(people, zhang=1)


def _lost_card(store, people):  # type: ignore[no-untyped-def]
    card = f.CustomerFactory(store=store, consultant=people["zhang"], name="战败客户")
    report = request_loss(
        customer=card, user=people["zhang"], day=store.today(), kind="lost", reason="price"
    )
    return card, report


def test_a_loss_request_waits_on_the_managers_and_its_decision_goes_back(store, people):  # type: ignore[no-untyped-def]
    _card, report = _lost_card(store, people)
    assert counts(people) == only(people, manager=1, gm=1)
    assert kinds(people["manager"]) == [str(NoticeKind.LOSS_REQUESTED.label)]

    assert confirm_loss(report, user=people["manager"], expected_version=1)
    # The decision is made: the managers' notices are read, the consultant is told.
    assert counts(people) == only(people, zhang=1)
    assert kinds(people["zhang"]) == [str(NoticeKind.LOSS_CONFIRMED.label)]
    mark_all_read(user=people["zhang"])

    report.refresh_from_db()
    assert return_loss(
        report,
        user=people["manager"],
        expected_version=report.version,
        note="再跟一次",
        follow_up=store.today() + dt.timedelta(days=1),
    )
    assert counts(people) == only(people, zhang=1)
    assert kinds(people["zhang"]) == [str(NoticeKind.LOSS_RETURNED.label)]
    shown = notices(user=people["zhang"])[0]
    assert shown.url == reverse("deals:loss_detail", args=[report.pk])


def test_a_card_handed_over_takes_its_notices_away_from_the_former_consultant(store, people):  # type: ignore[no-untyped-def]
    card, report = _lost_card(store, people)
    assert confirm_loss(report, user=people["manager"], expected_version=1)
    assert counts(people)["zhang"] == 1
    hand_over(customers=[card], receivers=[people["li"]], by=people["manager"], day=store.today())
    assert counts(people)["zhang"] == 0
    assert notices(user=people["zhang"]) == []
    assert LossReport.objects.get(pk=report.pk).customer.consultant == people["li"]


def test_a_call_list_entry_handed_over_tells_the_consultant(store, people):  # type: ignore[no-untyped-def]
    today = store.today()
    call_list = CallList.objects.create(
        store=store, kind="dormant", name="休眠客户", created_on=today, created_by=people["crm"]
    )
    CallListEntry.objects.create(
        store=store,
        call_list=call_list,
        name="名单客户",
        assigned_to=people["zhang"],
        assigned_on=today,
    )
    assert counts(people) == only(people, zhang=1)
    assert notices(user=people["zhang"])[0].text == "休眠客户 · 名单客户"
    # Asked again, the same reminder is not stored twice, and read stays read.
    mark_all_read(user=people["zhang"])
    assert counts(people) == only(people)
    assert Notice.objects.filter(kind=NoticeKind.CALL_LIST).count() == 1


def test_an_open_cross_check_exception_tells_its_consultant(store, other_store, people):  # type: ignore[no-untyped-def]
    today = store.today()
    for who, where in (("zhang", store), ("far", other_store)):
        CrosscheckException.objects.create(
            store=where,
            code="missing_model",
            key=f"walkin:{who}",
            date=today,
            consultant=people[who],
            message=f"{who}的来店",
            found_on=today,
            last_seen_on=today,
        )
    assert counts(people) == only(people, zhang=1, far=1)
    assert notices(user=people["zhang"])[0].url == reverse("crm:crosscheck")


def test_a_follow_up_due_today_reminds_its_consultant(store, people):  # type: ignore[no-untyped-def]
    today = store.today()
    f.CustomerFactory(
        store=store, consultant=people["zhang"], name="今天跟进", next_follow_up=today
    )
    f.CustomerFactory(
        store=store,
        consultant=people["zhang"],
        name="明天跟进",
        next_follow_up=today + dt.timedelta(days=1),
    )
    f.CustomerFactory(store=store, consultant=people["li"], name="李的客户", next_follow_up=today)
    assert counts(people) == only(people, zhang=1, li=1)
    assert [n.text for n in notices(user=people["zhang"])] == ["今天跟进"]
    assert [n.text for n in notices(user=people["li"])] == ["李的客户"]


def test_an_appointment_today_reminds_its_agent_consultant_and_the_desk(store, other_store, people):  # type: ignore[no-untyped-def]
    today = store.today()
    lead = Lead(
        store=store,
        created_at=timezone.now(),
        channel=f.source("internet"),
        name="预约线索",
        phone="13900000002",
        appointment_date=today,
        first_contact_at=timezone.now(),
    )
    lead.save()
    Lead.objects.filter(pk=lead.pk).update(assigned_to=people["dcc"])  # no signal: a reminder only
    f.CallFactory(
        store=store, consultant=people["zhang"], date=today, name="来电预约", appointment_date=today
    )
    f.CallFactory(
        store=store,
        consultant=people["li"],
        date=today,
        name="明天来",
        appointment_date=today + dt.timedelta(days=1),
    )
    assert counts(people) == only(people, dcc=1, zhang=1, receptionist=1)
    assert kinds(people["receptionist"]) == [str(NoticeKind.APPOINTMENT.label)]
    assert [n.text for n in notices(user=people["receptionist"])] == ["来电预约"]


def test_nobody_reads_or_marks_another_persons_notice(client, store, people):  # type: ignore[no-untyped-def]
    log_walk_in(
        store=store, user=people["receptionist"], consultant=people["zhang"], visit_type="first"
    )
    notice = Notice.objects.get()
    for name, person in people.items():
        if name == "zhang":
            continue
        assert not mark_read(user=person, pk=notice.pk)
        client.force_login(person)
        assert client.get(reverse("notices:open", args=[notice.pk])).status_code == 404
        assert client.post(reverse("notices:read", args=[notice.pk])).status_code == 404
        client.post(reverse("notices:read_all"))
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize(
    "name",
    ["zhang", "manager", "receptionist", "dcc", "crm", "assistant", "marketing", "gm", "group"],
)
def test_every_role_has_the_bell_the_count_and_the_list(client, store, people, name):  # type: ignore[no-untyped-def]
    person = people[name]
    client.force_login(person)
    page = client.get(reverse("notices:list")).content.decode()
    assert 'hx-get="/notices/count/"' in page
    assert "没有通知" in page  # nothing yet, in Chinese
    assert client.get(reverse("notices:count")).content.decode().strip() == ""
    Notice.objects.create(
        store=store if person.store_id else people["far"].store,
        recipient=person,
        kind=NoticeKind.MESSAGE,
        key="message:1",
        text="欢迎",
    )
    assert '<span class="bell-n"' in client.get(reverse("notices:count")).content.decode()
    assert ">1</span>" in client.get(reverse("notices:count")).content.decode()
    listed = client.get(reverse("notices:list")).content.decode()
    # A message is 消息 (the cross-check's "Message" column is 说明, in a context of its own).
    assert ("<strong>消息</strong> · 欢迎" in listed, "说明" in listed) == (True, False)


def test_opening_a_notice_marks_it_read_and_leads_to_the_row(client, store, people):  # type: ignore[no-untyped-def]
    row = log_walk_in(
        store=store, user=people["receptionist"], consultant=people["zhang"], visit_type="first"
    )
    client.force_login(people["zhang"])
    page = client.get(reverse("notices:list")).content.decode()
    assert "有来店客户分配给您" in page
    notice = Notice.objects.get()
    response = client.get(reverse("notices:open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("traffic:walkin_edit", args=[row.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.get(reverse("notices:count")).content.decode().strip() == ""


def test_mark_one_and_all_read(client, store, people):  # type: ignore[no-untyped-def]
    for name in ("甲", "乙", "丙"):
        log_walk_in(
            store=store,
            user=people["receptionist"],
            consultant=people["zhang"],
            visit_type="first",
            name=name,
        )
    client.force_login(people["zhang"])
    first = Notice.objects.order_by("pk").first()
    assert first is not None
    assert client.post(reverse("notices:read", args=[first.pk])).status_code == 302
    assert unread_count(user=people["zhang"]) == 2
    page = client.post(reverse("notices:read_all"), follow=True).content.decode()
    assert "已将 2 条通知标为已读。" in page
    assert unread_count(user=people["zhang"]) == 0
    assert Notice.objects.filter(read_at=None).count() == 0


def test_the_bells_poll_keeps_no_login_alive(client, people, settings):  # type: ignore[no-untyped-def]
    client.force_login(people["receptionist"])
    client.get(reverse("notices:list"))
    session = client.session
    session["last_seen"] = int(timezone.now().timestamp()) - 120
    session.save()
    client.get(reverse("notices:count"), HTTP_X_BACKGROUND_POLL="1", HTTP_HX_REQUEST="true")
    assert client.session["last_seen"] == session["last_seen"]
    client.get(reverse("notices:list"))
    assert client.session["last_seen"] > session["last_seen"]


def test_a_signed_out_poll_sends_the_page_to_the_login(client):  # type: ignore[no-untyped-def]
    response = client.get(reverse("notices:count"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_notices_by_email_when_switched_on(
    store, people, settings, mailoutbox, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    settings.NOTICE_EMAIL = True
    people["zhang"].email = "zhang@example.com"
    people["zhang"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        log_walk_in(
            store=store,
            user=people["receptionist"],
            consultant=people["zhang"],
            visit_type="first",
            name="邮件客户",
        )
        log_walk_in(
            store=store, user=people["receptionist"], consultant=people["li"], visit_type="first"
        )
    assert [m.to for m in mailoutbox] == [["zhang@example.com"]]
    assert "邮件客户" in mailoutbox[0].body
    assert mailoutbox[0].subject == "有来店客户分配给您"


def test_no_email_by_default(store, people, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    people["zhang"].email = "zhang@example.com"
    people["zhang"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        log_walk_in(
            store=store, user=people["receptionist"], consultant=people["zhang"], visit_type="first"
        )
    assert mailoutbox == []


def test_a_fixed_exception_takes_its_notice_back(store, people):  # type: ignore[no-untyped-def]
    today = store.today()
    row = CrosscheckException.objects.create(
        store=store,
        code="missing_model",
        key="walkin:1",
        date=today,
        consultant=people["zhang"],
        message="缺车型",
        found_on=today,
        last_seen_on=today,
    )
    assert counts(people)["zhang"] == 1
    CrosscheckException.objects.filter(pk=row.pk).update(status="fixed")
    assert counts(people)["zhang"] == 0
    assert not Notice.objects.exists()


def test_a_call_put_through_to_another_consultant_moves_its_appointment(store, people):  # type: ignore[no-untyped-def]
    today = store.today()
    call = f.CallFactory(
        store=store, consultant=people["zhang"], date=today, name="来电预约", appointment_date=today
    )
    assert counts(people) == only(people, zhang=1, receptionist=1)
    call.consultant = people["li"]
    call.save(update_fields=["consultant"])
    assert counts(people) == only(people, li=1, receptionist=1)


def test_a_lead_given_to_another_agent_moves_its_appointment(store, people):  # type: ignore[no-untyped-def]
    lead = Lead(
        store=store,
        created_at=timezone.now(),
        channel=f.source("internet"),
        name="预约线索",
        phone="13900000003",
        appointment_date=store.today(),
        first_contact_at=timezone.now(),
    )
    lead.save()
    Lead.objects.filter(pk=lead.pk).update(assigned_to=people["dcc"])
    assert counts(people) == only(people, dcc=1)
    lead = Lead.objects.get(pk=lead.pk)
    lead.assigned_to = people["zhang"]
    lead.save(update_fields=["assigned_to"])
    # The new assignee is told of the lead and reminded of its appointment.
    assert counts(people) == only(people, zhang=2)


def test_a_call_list_entry_follows_its_card(store, people):  # type: ignore[no-untyped-def]
    today = store.today()
    card = f.CustomerFactory(store=store, consultant=people["zhang"], name="名单卡")
    call_list = CallList.objects.create(
        store=store, kind="dormant", name="休眠客户", created_on=today, created_by=people["crm"]
    )
    CallListEntry.objects.create(
        store=store,
        call_list=call_list,
        customer=card,
        name="名单卡",
        assigned_to=people["zhang"],
        assigned_on=today,
    )
    assert counts(people)["zhang"] == 1
    hand_over(customers=[card], receivers=[people["li"]], by=people["manager"], day=today)
    assert counts(people)["zhang"] == 0


def test_a_fresh_lead_assigned_in_bulk_is_told_once(store, people):  # type: ignore[no-untyped-def]
    now = timezone.now()
    fresh, old = (
        Lead(
            store=store,
            created_at=at,
            channel=f.source("internet"),
            name=name,
            phone=phone,
        )
        for name, phone, at in (
            ("新线索", "13900000004", now),
            ("旧线索", "13900000005", now - dt.timedelta(days=3)),
        )
    )
    fresh.save()
    old.save()
    Lead.objects.filter(pk__in=[fresh.pk, old.pk]).update(assigned_to=people["dcc"])
    assert counts(people) == only(people, dcc=1)
    assert [n.text for n in notices(user=people["dcc"])] == ["新线索"]
    # Contacted, read: nothing new; the same lead assigned again by a save is not doubled.
    mark_all_read(user=people["dcc"])
    Lead.objects.filter(pk=fresh.pk).update(first_contact_at=now)
    assert counts(people) == only(people)
    assert Notice.objects.filter(key=f"lead:{fresh.pk}").count() == 1


def test_a_walk_in_cancelled_at_the_desk_takes_its_notice_back(store, people):  # type: ignore[no-untyped-def]
    row = log_walk_in(
        store=store, user=people["receptionist"], consultant=people["zhang"], visit_type="first"
    )
    assert counts(people)["zhang"] == 1
    assert cancel_walk_in(row, reason="点错了", user=people["receptionist"], expected_version=1)
    assert counts(people) == only(people)
    assert not Notice.objects.exists()


def test_a_calendar_appointment_reminds_its_consultant_half_an_hour_before(store, people):  # type: ignore[no-untyped-def]
    from showroom.traffic.models import Appointment

    now = timezone.now()
    for minutes, name in ((20, "快到了"), (90, "还早"), (-10, "已过")):
        Appointment.objects.create(
            store=store,
            name=name,
            phone="13900000009",
            consultant=people["zhang"],
            booked_by=people["dcc"],
            starts_at=now + dt.timedelta(minutes=minutes),
            purpose="test_drive",
        )
    assert counts(people) == only(people, zhang=1)
    [notice] = notices(user=people["zhang"])
    assert notice.label == str(NoticeKind.APPOINTMENT.label)
    assert notice.text.endswith(" 快到了")
    assert notice.url == reverse("traffic:calendar")


def test_the_bells_count_of_reminders_is_kept_for_half_a_minute(  # type: ignore[no-untyped-def]
    client, store, people, django_assert_max_num_queries
):
    today = store.today()
    zhang = people["zhang"]
    f.CustomerFactory(store=store, consultant=zhang, name="今天跟进", next_follow_up=today)
    client.force_login(zhang)

    def bell() -> str:
        return client.get(reverse("notices:count")).content.decode().strip()

    assert ">1</span>" in bell()  # the reminder, not stored yet
    # Asked again (the next page's bell), the reminders are not worked out again: the login,
    # the session and the stored notices' count.
    with django_assert_max_num_queries(3):
        assert ">1</span>" in bell()
    f.CustomerFactory(store=store, consultant=zhang, name="又一个", next_follow_up=today)
    assert ">1</span>" in bell()  # the new reminder shows within PENDING_SECONDS
    # Opening the list stores the reminders: counted once, as notices, at once.
    client.get(reverse("notices:list"))
    assert ">2</span>" in bell()
    Notice.objects.update(read_at=timezone.now())
    assert bell() == ""
