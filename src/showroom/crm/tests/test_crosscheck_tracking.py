"""Cross-check exceptions tracked from day to day, the screen, and the consultant's share."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from showroom.crm.choices import ExceptionStatus
from showroom.crm.crosscheck.checks import fix_url, open_count
from showroom.crm.crosscheck.services import explain, refresh
from showroom.crm.models import CrosscheckException
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

D1 = dt.date(2026, 10, 20)
NOON = dt.datetime(2026, 10, 20, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _chinese():  # type: ignore[no-untyped-def]
    with translation.override("zh-hans"):
        yield


def no_model(store, consultant, day=D1, **kw):  # type: ignore[no-untyped-def]
    """A walk-in kept without a model, whose card exists: one missing_model exception."""
    phone = kw.pop("phone", "13800000001")
    f.CustomerFactory(store=store, consultant=consultant, phone=phone, created=day)
    return f.WalkInFactory(
        store=store,
        consultant=consultant,
        date=day,
        name="王",
        phone=phone,
        grade="B",
        model="",
        **kw,
    )


def tracked(store):  # type: ignore[no-untyped-def]
    return {
        (x.code, x.key): (x.status, x.found_on, x.last_seen_on, x.resolved_on)
        for x in CrosscheckException.objects.filter(store=store)
    }


def test_refresh_opens_keeps_fixes_and_reopens(store, consultant):
    row = no_model(store, consultant)
    key = ("missing_model", f"walkin:{row.pk}")
    done = refresh(store=store, on=D1)
    assert (done.opened, done.reopened, done.fixed, done.open) == (1, 0, 0, 1)
    assert tracked(store) == {key: ("open", D1, D1, None)}
    x = CrosscheckException.objects.get()
    assert x.consultant == consultant and x.phone == "13800000001" and x.date == D1
    assert x.message == "来店 2026-10-20（王）：已留档，但没有意向车型"

    d2 = D1 + dt.timedelta(days=1)
    assert refresh(store=store, on=d2).opened == 0
    assert refresh(store=store, on=d2).opened == 0  # idempotent
    assert tracked(store) == {key: ("open", D1, d2, None)}

    row.model = "途胜"
    row.save(update_fields=["model"])
    d3 = d2 + dt.timedelta(days=1)
    done = refresh(store=store, on=d3)
    assert (done.opened, done.fixed, done.open) == (0, 1, 0)
    assert tracked(store) == {key: ("fixed", D1, d2, d3)}
    assert open_count(store=store) == 0

    row.model = ""
    row.save(update_fields=["model"])
    d4 = d3 + dt.timedelta(days=1)
    done = refresh(store=store, on=d4)
    assert (done.opened, done.reopened, done.open) == (0, 1, 1)
    assert tracked(store) == {key: ("open", D1, d4, None)}
    assert open_count(store=store) == 1


def test_explained_stays_explained(store, consultant, manager):
    row = no_model(store, consultant)
    refresh(store=store, on=D1)
    x = CrosscheckException.objects.get()
    explain(exception=x, expected_version=1, text=" 客户未定车型 ", by=manager, on=D1)
    x.refresh_from_db()
    assert (x.status, x.explanation, x.resolved_by, x.resolved_on) == (
        "explained",
        "客户未定车型",
        manager,
        D1,
    )
    assert open_count(store=store) == 0
    refresh(store=store, on=D1 + dt.timedelta(days=1))  # still found
    row.model = "途胜"
    row.save(update_fields=["model"])
    refresh(store=store, on=D1 + dt.timedelta(days=2))  # no longer found
    x.refresh_from_db()
    assert (x.status, x.resolved_by, x.resolved_on) == ("explained", manager, D1)


def test_an_open_exception_that_leaves_the_window_is_still_checked(store, consultant):
    row = no_model(store, consultant)
    key = ("missing_model", f"walkin:{row.pk}")
    refresh(store=store, on=D1)
    # A row of those days that nobody tracked (imported later, say): looking back for the
    # open exception passes over it, but does not open it.
    untracked = no_model(store, consultant, day=D1 - dt.timedelta(days=5), phone="13800000003")
    later = D1 + dt.timedelta(days=40)
    refresh(store=store, on=later)
    assert tracked(store) == {key: ("open", D1, later, None)}
    row.model = "途胜"
    row.save(update_fields=["model"])
    refresh(store=store, on=later + dt.timedelta(days=1))
    assert tracked(store) == {key: ("fixed", D1, later, later + dt.timedelta(days=1))}
    assert untracked.model == ""


def test_stores_are_tracked_apart(store, other_store, consultant):
    no_model(store, consultant)
    other = f.StaffFactory(store=other_store, roles=Role.CONSULTANT)
    no_model(other_store, other)
    no_model(other_store, other, phone="13800000009")
    refresh(store=store, on=D1)
    refresh(store=other_store, on=D1)
    assert (open_count(store=store), open_count(store=other_store)) == (1, 2)


# --- the screen -------------------------------------------------------------------------------


@pytest.fixture
def crm_user(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("crm", Role.CRM, store=store, full_name="CRM小李")


@time_machine.travel(NOON, tick=False)
def test_screen_refreshes_counts_and_filters(
    client, store, consultant, consultant2, crm_user, manager
):
    no_model(store, consultant)
    f.WalkInFactory(
        store=store, consultant=consultant2, date=D1, name="李", grade="B", contact_kept=True
    )
    client.force_login(crm_user)
    response = client.post(reverse("crm:crosscheck_refresh"))
    assert response.status_code == 302 and response.url == reverse("crm:crosscheck")
    response = client.get(reverse("crm:crosscheck"))
    assert response.status_code == 200
    counts = {c["code"]: c["open"] for c in response.context["per_code"]}
    assert counts["missing_model"] == 2 and counts["kept_without_phone"] == 1
    assert response.context["open_total"] == 3
    assert len(response.context["rows"]) == 3
    response = client.get(reverse("crm:crosscheck"), {"consultant": consultant2.pk})
    assert {x.code for x in response.context["rows"]} == {"missing_model", "kept_without_phone"}
    response = client.get(reverse("crm:crosscheck"), {"code": "kept_without_phone"})
    (row,) = response.context["rows"]
    assert row.fix_url == ""  # the CRM does not edit the registers
    assert "数据交叉比对" in response.content.decode()
    client.force_login(manager)
    response = client.get(reverse("crm:crosscheck"), {"code": "kept_without_phone"})
    (row,) = response.context["rows"]
    assert row.fix_url == reverse("traffic:walkin_edit", args=[int(row.key.split(":")[1])])


@time_machine.travel(NOON, tick=False)
def test_the_page_writes_nothing_and_its_button_refreshes(client, store, consultant, crm_user):
    row = no_model(store, consultant)
    client.force_login(crm_user)
    response = client.get(reverse("crm:crosscheck"))
    assert response.context["open_total"] == 0
    assert CrosscheckException.objects.count() == 0
    html = response.content.decode()
    assert reverse("crm:crosscheck_refresh") in html and "刷新" in html
    assert client.get(reverse("crm:crosscheck_refresh")).status_code == 405
    back = reverse("crm:crosscheck") + "?code=missing_model"
    response = client.post(reverse("crm:crosscheck_refresh"), {"next": back})
    assert (response.status_code, response.url) == (302, back)
    (x,) = CrosscheckException.objects.all()
    assert (x.code, x.key, x.status) == ("missing_model", f"walkin:{row.pk}", "open")
    response = client.get(back)
    assert [r.pk for r in response.context["rows"]] == [x.pk]
    assert "数据交叉比对已刷新：1 条未处理，新增 1 条，已修正 0 条。" in response.content.decode()
    # A consultant reads the page but does not run the store's check.
    client.force_login(consultant)
    assert "crosscheck/refresh" not in client.get(reverse("crm:crosscheck")).content.decode()
    assert client.post(reverse("crm:crosscheck_refresh")).status_code == 403


@time_machine.travel(NOON, tick=False)
def test_explain_from_the_screen(client, store, consultant, crm_user):
    no_model(store, consultant)
    client.force_login(crm_user)
    client.post(reverse("crm:crosscheck_refresh"))
    x = CrosscheckException.objects.get()
    url = reverse("crm:crosscheck_explain", args=[x.pk])
    assert client.post(url, {"explanation": ""}).status_code == 302
    x.refresh_from_db()
    assert x.status == ExceptionStatus.OPEN
    client.post(url, {"explanation": "客户只看不买", "version": "1"})
    x.refresh_from_db()
    assert (x.status, x.explanation, x.resolved_by) == ("explained", "客户只看不买", crm_user)
    response = client.get(reverse("crm:crosscheck"), {"status": "explained"})
    assert [r.pk for r in response.context["rows"]] == [x.pk]
    client.post(url, {"action": "reopen", "version": "2"})
    x.refresh_from_db()
    assert (x.status, x.resolved_by) == ("open", None)


@time_machine.travel(NOON, tick=False)
def test_who_sees_what(
    client, store, other_store, consultant, consultant2, make_staff, receptionist
):
    no_model(store, consultant)
    no_model(store, consultant2, phone="13800000002")
    refresh(store=store, on=D1)
    client.force_login(consultant)
    response = client.get(reverse("crm:crosscheck"))
    assert [x.consultant for x in response.context["rows"]] == [consultant]
    assert "consultant" not in response.context["form"].fields
    x = CrosscheckException.objects.get(consultant=consultant)
    assert (
        client.post(
            reverse("crm:crosscheck_explain", args=[x.pk]), {"explanation": "x"}
        ).status_code
        == 403
    )
    for role in (Role.RECEPTIONIST, Role.MARKETING, Role.DCC):
        client.force_login(make_staff(f"u-{role}", role, store=store))
        assert client.get(reverse("crm:crosscheck")).status_code == 403
    # Another store's CRM sees nothing of this store, nor may explain it.
    client.force_login(make_staff("crm2", Role.CRM, store=other_store))
    response = client.get(reverse("crm:crosscheck"))
    assert response.context["rows"] == []
    assert (
        client.post(
            reverse("crm:crosscheck_explain", args=[x.pk]), {"explanation": "x"}
        ).status_code
        == 404
    )
    client.force_login(make_staff("boss2", Role.MANAGER, store=store))
    assert len(client.get(reverse("crm:crosscheck")).context["rows"]) == 2


@time_machine.travel(NOON, tick=False)
def test_my_day_shows_the_consultants_open_exceptions(client, store, consultant, consultant2):
    row = no_model(store, consultant)
    no_model(store, consultant2, phone="13800000002")
    refresh(store=store, on=D1)
    client.force_login(consultant)
    response = client.get(reverse("sales:my_day"))
    (x,) = response.context["exceptions"]
    assert x.key == f"walkin:{row.pk}"
    html = response.content.decode()
    assert "待修正的数据" in html and reverse("traffic:walkin_edit", args=[row.pk]) in html
    assert client.get(x.fix_url).status_code == 200  # the consultant may fix their own row


def test_fix_urls():
    assert fix_url("walkin:5") == reverse("traffic:walkin_edit", args=[5])
    assert fix_url("call:6") == reverse("traffic:call_edit", args=[6])
    assert fix_url("customer:7") == reverse("customers:card", args=[7])
    assert fix_url("hand_card:2026-10-28:A07") == reverse("traffic:register") + "?date=2026-10-28"
    assert fix_url("consultant:3") == ""


def test_badge(store, rf, manager):
    request = rf.get("/")
    request.user = manager
    html = render_to_string(
        "crm/_crosscheck_badge.html", {"count": 3, "store": store, "user": manager}, request
    )
    assert reverse("crm:crosscheck") in html and "3 条数据异常" in html


def test_a_retention_outlier_stays_one_exception_over_the_days(store, consultant, consultant2):
    def visits(day: dt.date, tag: str) -> None:
        for i in range(10):
            f.WalkInFactory(store=store, consultant=consultant, date=day, contact_kept=False)
            f.WalkInFactory(
                store=store,
                consultant=consultant2,
                date=day,
                name="客",
                phone=f"138{tag}00{i:04d}",
                grade="B",
                model="途胜",
            )
            f.CustomerFactory(store=store, phone=f"138{tag}00{i:04d}", created=day)

    visits(D1, "1")
    key = ("retention_outlier", f"consultant:{consultant.pk}")
    refresh(store=store, on=D1)
    refresh(store=store, on=D1 + dt.timedelta(days=1))
    assert tracked(store) == {key: ("open", D1, D1 + dt.timedelta(days=1), None)}
    assert CrosscheckException.objects.get().date == D1 + dt.timedelta(days=1)
    gone = D1 + dt.timedelta(days=40)
    refresh(store=store, on=gone)  # no first visits in the 30 days: no longer an outlier
    assert tracked(store) == {key: ("fixed", D1, D1 + dt.timedelta(days=1), gone)}
    back = D1 + dt.timedelta(days=60)
    visits(back, "2")
    assert refresh(store=store, on=back).reopened == 1
    assert tracked(store) == {key: ("open", D1, back, None)}
