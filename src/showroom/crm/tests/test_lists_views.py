"""The call-list screens through the test client: build, call (HTMX, version check), submit,
assign, follow up, close; imported partner lists; who sees what."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.crm.choices import CallOutcome, EntryResult, ListKind, ListStatus
from showroom.crm.models import CallList, CallListEntry
from showroom.customers.choices import CustomerType
from showroom.customers.models import Customer
from showroom.organization.choices import Role
from showroom.owners.models import Vehicle
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("crm", Role.CRM, store=store, full_name="CRM小刘")


@pytest.fixture
def owners(store, consultant2):  # type: ignore[no-untyped-def]
    today = store.today()
    made = []
    for n in range(3):
        card = f.CustomerFactory(
            store=store,
            consultant=consultant2,
            name=f"车主{n}",
            phone=f"1380000000{n}",
            customer_type=CustomerType.OWNER,
            created=today - dt.timedelta(days=800),
        )
        Vehicle.objects.create(
            store=store,
            customer=card,
            model="途胜",
            finance_end=today + dt.timedelta(days=5 + n),
        )
        made.append(card)
    return made


def login(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def make_list(client, kind=ListKind.FINANCE_ENDING, days=30):  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("crm:list_new"), {"kind": kind, "days": days, "name": "金融到期"}
    )
    assert response.status_code == 302
    return CallList.objects.latest("id")


def call(client, entry, outcome, version=None, notes="", model="途胜L", htmx=True):  # type: ignore[no-untyped-def]
    p = f"e{entry.pk}-"
    data = {
        p + "outcome": outcome,
        p + "intended_model": model,
        p + "notes": notes,
        p + "version": entry.version if version is None else version,
    }
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("crm:entry_call", args=[entry.pk]), data, headers=headers)


def test_preview_then_create(client, crm, owners):  # type: ignore[no-untyped-def]
    login(client, crm)
    response = client.get(reverse("crm:list_new"), {"kind": ListKind.FINANCE_ENDING, "days": 6})
    assert response.status_code == 200
    assert response.context["count"] == 2  # ends in 5 and 6 days; the third in 7
    assert "138 0000 0000" in response.content.decode()
    call_list = make_list(client, days=6)
    assert call_list.entries.count() == 2
    assert call_list.created_by == crm
    assert call_list.params == {"days": 6}
    # The same people are not put on a second open list of the same kind.
    response = client.get(reverse("crm:list_new"), {"kind": ListKind.FINANCE_ENDING, "days": 30})
    assert response.context["count"] == 1


def test_call_submit_assign_follow_up(client, crm, manager, consultant, consultant2, owners):  # type: ignore[no-untyped-def]
    login(client, crm)
    call_list = make_list(client)
    e0, e1, e2 = call_list.entries.order_by("due_date")
    response = call(client, e0, CallOutcome.INTERESTED, notes="想换车")
    assert response.status_code == 200
    assert 'class="saved"' in response.content.decode()
    e0.refresh_from_db()
    assert (e0.outcome, e0.intended_model, e0.notes, e0.called_by) == (
        CallOutcome.INTERESTED,
        "途胜L",
        "想换车",
        crm,
    )
    # A stale version: nothing written, the typed notes stay in the row.
    response = call(client, e0, CallOutcome.CALL_BACK, version=e0.version - 1, notes="我的输入")
    body = response.content.decode()
    assert 'class="stale"' in body and 'value="我的输入"' in body
    e0.refresh_from_db()
    assert e0.outcome == CallOutcome.INTERESTED
    call(client, e1, CallOutcome.NOT_INTERESTED)
    # No outcome chosen: refused, the typed notes stay.
    response = call(client, e2, "", notes="还没打")
    assert 'class="error"' in response.content.decode()
    assert 'value="还没打"' in response.content.decode()
    page = client.get(reverse("crm:list_detail", args=[call_list.pk]), {"show": "to_call"})
    assert [e.pk for e in page.context["entries"]] == [e2.pk]
    call(client, e2, CallOutcome.INTERESTED)

    client.post(reverse("crm:list_submit", args=[call_list.pk]))
    call_list.refresh_from_db()
    assert call_list.status == ListStatus.SUBMITTED
    assert (
        CallListEntry.objects.filter(call_list=call_list, submitted_on__isnull=False).count() == 2
    )
    # The CRM does not assign.
    response = client.post(
        reverse("crm:list_assign", args=[call_list.pk]),
        {"consultant": consultant.pk, "entries": [e0.pk]},
    )
    assert response.status_code == 403

    login(client, manager)
    page = client.get(reverse("crm:list_detail", args=[call_list.pk]))
    assert page.context["show_assign"] is True
    client.post(
        reverse("crm:list_assign", args=[call_list.pk]),
        {"consultant": consultant.pk, "entries": [e0.pk, e2.pk, e1.pk]},
    )
    e0.refresh_from_db()
    e1.refresh_from_db()
    assert (e0.assigned_to, e0.assigned_by) == (consultant, manager)
    assert e1.assigned_to is None  # not interested, not submitted
    card = Customer.objects.get(pk=e0.customer_id)
    assert card.consultant == consultant  # never the CRM

    login(client, consultant)
    day = client.get(reverse("sales:my_day"))
    assert [e.pk for e in day.context["entries"]] == [e0.pk, e2.pk]
    assert client.get(reverse("crm:entry", args=[e0.pk])).status_code == 200
    login(client, consultant2)
    assert client.get(reverse("crm:entry", args=[e0.pk])).status_code == 404
    assert client.get(reverse("crm:lists")).status_code == 403

    login(client, consultant)
    client.post(
        reverse("crm:entry_close", args=[e2.pk]),
        {"reason": "暂不考虑", "version": CallListEntry.objects.get(pk=e2.pk).version},
    )
    e2.refresh_from_db()
    assert (e2.result, e2.close_reason) == (EntryResult.CLOSED, "暂不考虑")
    day = client.get(reverse("sales:my_day"))
    assert [e.pk for e in day.context["entries"]] == [e0.pk]


def test_who_sees_lists(client, crm, store, other_store, make_staff, owners):  # type: ignore[no-untyped-def]
    login(client, crm)
    call_list = make_list(client)
    marketing = make_staff("mkt", Role.MARKETING, store=store)
    login(client, marketing)
    assert client.get(reverse("crm:lists")).status_code == 403
    assert client.get(reverse("crm:list_detail", args=[call_list.pk])).status_code == 403
    entry = call_list.entries.first()
    assert client.get(reverse("crm:entry", args=[entry.pk])).status_code == 403
    other_crm = make_staff("crm2", Role.CRM, store=other_store)
    login(client, other_crm)
    assert client.get(reverse("crm:list_detail", args=[call_list.pk])).status_code == 404
    assert client.get(reverse("crm:entry", args=[entry.pk])).status_code == 404
    assert client.get(reverse("crm:lists")).context["index"].lists == []


def xlsx(rows):  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("车展名单.xlsx", data.getvalue())


def test_partner_import_all_or_nothing(client, crm, manager, consultant, owners):  # type: ignore[no-untyped-def]
    login(client, crm)
    bad = xlsx(
        [
            ["姓名", "电话", "车型", "备注"],
            ["赵一", "139 0000 1111", "途胜", "车展"],
            ["", "13900002222", "", ""],
            ["钱二", "12", "", ""],
            ["孙三", "+86 139-0000-1111", "", ""],
        ]
    )
    response = client.post(reverse("crm:list_import"), {"name": "车展", "file": bad})
    assert response.status_code == 200
    assert response.context["errors"] == [
        "第 3 行：缺少姓名。",
        "第 4 行：12 不是电话号码。",
        "第 5 行：电话 +86 139-0000-1111 与第 2 行重复。",
    ]
    assert not CallList.objects.exists()

    good = xlsx(
        [
            ["车展客户名单"],
            ["姓名", "手机", "意向车型", "备注"],
            ["赵一", 13900001111.0, "途胜", "车展留资"],
            ["车主0", "138-0000-0000", "", ""],
        ]
    )
    response = client.post(reverse("crm:list_import"), {"name": "车展", "file": good})
    assert response.status_code == 302
    call_list = CallList.objects.get()
    zhao, owner = call_list.entries.order_by("id")
    assert (zhao.customer_id, zhao.phone_norm, zhao.intended_model) == (None, "13900001111", "途胜")
    assert owner.customer_id == owners[0].pk  # matched by phone

    call(client, zhao, CallOutcome.INTERESTED)
    client.post(reverse("crm:list_submit", args=[call_list.pk]))
    login(client, manager)
    client.post(
        reverse("crm:list_assign", args=[call_list.pk]),
        {"consultant": consultant.pk, "entries": [zhao.pk]},
    )
    login(client, consultant)
    response = client.post(reverse("crm:entry_card", args=[zhao.pk]))
    zhao.refresh_from_db()
    card = Customer.objects.get(pk=zhao.customer_id)
    assert response.url == reverse("customers:card", args=[card.pk])
    assert (card.name, card.phone_norm, card.consultant, card.model, card.source.code) == (
        "赵一",
        "13900001111",
        consultant,
        "途胜L",
        "exhibition",
    )


def test_aftersales_list_goes_to_service_and_wins_by_a_visit(client, crm, manager, store, owners):  # type: ignore[no-untyped-def]
    from showroom.owners.choices import ServiceKind
    from showroom.owners.models import ServiceVisit

    Vehicle.objects.filter(customer=owners[0]).update(
        insurance_end=store.today() + dt.timedelta(days=3)
    )
    login(client, crm)
    call_list = make_list(client, kind=ListKind.INSURANCE_RENEWAL, days=10)
    entry = call_list.entries.get()
    call(client, entry, CallOutcome.INTERESTED)
    client.post(reverse("crm:list_submit", args=[call_list.pk]))
    login(client, manager)
    client.post(reverse("crm:list_assign", args=[call_list.pk]), {"entries": [entry.pk]})
    entry.refresh_from_db()
    assert (entry.assigned_to, entry.assigned_on, entry.assigned_by) == (
        None,
        store.today(),
        manager,
    )
    owners[0].refresh_from_db()
    assert owners[0].consultant.username == "li"  # the card stays with its consultant
    page = client.get(reverse("crm:list_detail", args=[call_list.pk]))
    assert (page.context["figures"].assigned, page.context["figures"].won) == (1, 0)
    ServiceVisit.objects.create(
        store=store, customer=owners[0], date=store.today(), kind=ServiceKind.MAINTENANCE
    )
    page = client.get(reverse("crm:list_detail", args=[call_list.pk]))
    assert (page.context["figures"].won, page.context["figures"].open) == (1, 0)


def test_partner_csv_in_gb18030(client, crm, store):  # type: ignore[no-untyped-def]
    login(client, crm)
    data = "姓名,电话,车型,备注\n李四,139-1111-2222,名图,异业合作\n".encode("gb18030")
    upload = SimpleUploadedFile("合作名单.csv", data)
    response = client.post(reverse("crm:list_import"), {"name": "合作", "file": upload})
    assert response.status_code == 302
    entry = CallListEntry.objects.get()
    assert (entry.name, entry.phone_norm, entry.intended_model, entry.reason) == (
        "李四",
        "13911112222",
        "名图",
        "异业合作",
    )
    # The same person again while that list is open: refused, nothing imported.
    upload = SimpleUploadedFile("again.csv", data)
    response = client.post(reverse("crm:list_import"), {"name": "再来", "file": upload})
    assert response.context["errors"] == ["李四 139-1111-2222 已在未结束的外展/合作名单中。"]
    assert CallList.objects.count() == 1


def test_recall_campaign_to_list(client, crm, store, owners):  # type: ignore[no-untyped-def]
    Vehicle.objects.filter(customer=owners[1]).update(vin="LBEHDAFB0RY000009")
    login(client, crm)
    response = client.post(
        reverse("crm:recall_new"),
        {"name": "气囊召回", "model": "", "vins": "LBEHDAFB0RY000009\nLBEHDAFB0RY000777"},
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.context["count"] == 1
    assert page.context["preview"][0]["name"] == "车主1"
    response = client.post(reverse("crm:recall_new"), {"name": "空", "model": "", "vins": ""})
    assert response.context["form"].non_field_errors() == ["请填写车型或VIN清单。"]


def test_the_pages_of_a_long_list_are_next_and_previous_pages(client, crm, owners, monkeypatch):  # type: ignore[no-untyped-def]
    from showroom.crm.lists import views as list_views

    monkeypatch.setattr(list_views, "PAGE_ROWS", 2)
    call_list = make_list(login(client, crm), days=30)
    first = client.get(reverse("crm:list_detail", args=[call_list.pk])).content.decode()
    second = client.get(
        reverse("crm:list_detail", args=[call_list.pk]), {"page": "2"}
    ).content.decode()
    # "Next" on the desk's rotation is the next consultant (下一位), here the next page.
    assert ("下一页" in first, "上一页" in first, "下一位" in first) == (True, False, False)
    assert ("下一页" in second, "上一页" in second) == (False, True)


def test_the_list_screens_speak_of_lists_not_of_cases_or_head_counts(client, crm, owners):  # type: ignore[no-untyped-def]
    call_list = make_list(login(client, crm))
    CallList.objects.filter(pk=call_list.pk).update(status=ListStatus.CLOSED)
    call_list.entries.filter(pk=call_list.entries.first().pk).update(result=EntryResult.CLOSED)
    index = client.get(reverse("crm:lists"), {"start": "2000-01-01"}).content.decode()
    detail = client.get(reverse("crm:list_detail", args=[call_list.pk])).content.decode()
    # Other apps' words for these msgids (已创建, 人数, 结案) showed here before.
    assert ("<th>创建日期</th>" in index, '<th class="num">客户</th>' in index) == (True, True)
    assert ("已结束" in index, "已结束" in detail) == (True, True)
    shown = index + detail
    assert [w for w in ("已创建", '<th class="num">人数</th>', "结案") if w in shown] == []


def test_my_day_without_open_entries_builds_no_state_subqueries(  # type: ignore[no-untyped-def]
    client, store, consultant
):
    # An entry handed over and then closed: nothing open, so the state is never worked out.
    call_list = CallList.objects.create(
        store=store,
        name="战败激活",
        kind=ListKind.ACTIVATION,
        created_on=dt.date(2026, 9, 30),
        created_by=consultant,
    )
    CallListEntry.objects.create(
        store=store,
        call_list=call_list,
        name="王先生",
        phone="13800000001",
        assigned_to=consultant,
        submitted_on=dt.date(2026, 10, 1),
        result=EntryResult.CLOSED,
    )
    client.force_login(consultant)
    with CaptureQueriesContext(connection) as ctx:
        day = client.get(reverse("sales:my_day"))
    assert day.status_code == 200
    assert "crm/lists/_my_day.html" not in [t.name for t in day.templates]
    entry_queries = [q["sql"] for q in ctx.captured_queries if '"crm_calllistentry"' in q["sql"]]
    assert len(entry_queries) == 1
    assert "EXISTS" not in entry_queries[0]
