"""The sales report screens: who sees what, the manager's review, constant query counts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.organization.choices import Role
from showroom.reports.tests import test_sales_reports as data
from showroom.sales.models import DailyReview

pytestmark = pytest.mark.django_db

october = data.october
DAY = data.DAY


def get(client, user, name: str, **params):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(reverse(f"reports:{name}"), params)


def test_index_links_by_role(client, consultant, manager, receptionist, store):
    page = get(client, consultant, "index")
    assert page.status_code == 200
    urls = [link["url"] for link in page.context["links"]]
    assert urls == [
        reverse("reports:daily"),
        reverse("reports:contact_status"),
        reverse("reports:losses"),
    ]
    page = get(client, manager, "index")
    assert next(link["url"] for link in page.context["links"]) == reverse("reports:evening")
    html = page.content.decode()
    assert "营业日报表" in html and "意向客户接触状况表" in html and "夕会" in html
    assert get(client, receptionist, "index").status_code == 403


def test_daily_report_of_a_consultant(client, consultant, consultant2, october):
    page = get(client, consultant, "daily", date="2026-10-03")
    assert page.status_code == 200
    report = page.context["report"]
    assert report.consultant == consultant and report.counts.total == 3
    assert page.context["overview"] == [] and page.context["consultants"] == []
    assert page.context["can_review"] is False
    html = page.content.decode()
    assert "营业日报表" in html and "不一致" in html and "路人" in html
    assert "139 0000 0011" in html  # the consultant's own customer's phone
    # someone else's report is refused
    assert (
        get(client, consultant, "daily", date="2026-10-03", consultant=consultant2.pk).status_code
        == 403
    )


def test_manager_switches_consultant_and_sees_the_overview(client, manager, consultant2, october):
    page = get(client, manager, "daily", date="2026-10-03")
    assert page.context["consultant"].full_name == "张伟"
    assert [item["line"].consultant.full_name for item in page.context["overview"]] == [
        "张伟",
        "李娜",
    ]
    page = get(client, manager, "daily", date="2026-10-03", consultant=consultant2.pk)
    report = page.context["report"]
    assert [c.name for c in report.new_cards] == ["李的新增"] and report.agrees is True
    assert page.context["can_review"] is True
    assert "保存点评" in page.content.decode()


def test_bad_date_falls_back_to_today_with_a_message(client, consultant, store):
    page = get(client, consultant, "daily", date="2026-13-40")
    assert page.context["day"] == store.today()
    assert "不是日期" in page.content.decode()


def test_manager_saves_and_edits_the_review(
    client, manager, make_staff, consultant, store, october
):
    client.force_login(manager)
    url = reverse("reports:daily_review")
    response = client.post(
        url,
        {"date": "2026-10-03", "consultant": consultant.pk, "comment": "开拓不足", "version": 0},
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("reports:daily") + f"?date=2026-10-03&consultant={consultant.pk}"
    )
    review = DailyReview.objects.get()
    assert (review.store, review.consultant, review.date) == (store, consultant, DAY)
    assert (review.reviewed_by, review.comment) == (manager, "开拓不足")

    gm = make_staff("gm", Role.GENERAL_MANAGER, store=store, full_name="赵总")
    client.force_login(gm)
    page = get(client, gm, "daily", date="2026-10-03", consultant=consultant.pk)
    assert page.context["form"]["version"].value() == 1
    client.post(
        url,
        {
            "date": "2026-10-03",
            "consultant": consultant.pk,
            "comment": "明天跟进留存B",
            "version": 1,
        },
    )
    review = DailyReview.objects.get()  # still one per consultant and day
    assert (review.reviewed_by, review.comment, review.version) == (gm, "明天跟进留存B", 2)

    # the consultant reads it, with who and when
    page = get(client, consultant, "daily", date="2026-10-03")
    html = page.content.decode()
    assert "明天跟进留存B" in html
    assert f"由 赵总 于 {review.reviewed_at.astimezone(store.tz):%Y-%m-%d %H:%M} 点评" in html


CONFLICT = "未保存：在您打开后，其他人点评了这一天。您输入的内容已保留，请核对后重新保存。"


@pytest.mark.parametrize("reviewed_before", [False, True])
def test_two_managers_reviewing_the_same_day(
    client, manager, make_staff, consultant, store, october, reviewed_before
):
    """The second save of a page opened before the first one's is refused, keeps what was
    typed, and saving that page again replaces the review knowingly."""
    gm = make_staff("gm", Role.GENERAL_MANAGER, store=store, full_name="赵总")
    url = reverse("reports:daily_review")
    day = {"date": "2026-10-03", "consultant": consultant.pk}
    if reviewed_before:
        client.force_login(manager)
        client.post(url, {**day, "comment": "旧的点评", "version": 0})
    opened = 1 if reviewed_before else 0
    for user in (manager, gm):
        page = get(client, user, "daily", **day)
        assert page.context["form"]["version"].value() == opened

    client.force_login(manager)
    assert client.post(url, {**day, "comment": "经理的点评", "version": opened}).status_code == 302
    client.force_login(gm)
    response = client.post(url, {**day, "comment": "总经理的点评", "version": opened})

    assert response.status_code == 409
    review = DailyReview.objects.get()
    assert (review.reviewed_by, review.comment, review.version) == (
        manager,
        "经理的点评",
        opened + 1,
    )
    html = response.content.decode()
    assert CONFLICT in html
    assert "总经理的点评</textarea>" in html
    form = response.context["form"]
    assert (form["comment"].value(), form["version"].value()) == ("总经理的点评", str(opened + 1))

    again = client.post(url, {**day, "comment": "总经理的点评", "version": opened + 1})
    assert again.status_code == 302
    review = DailyReview.objects.get()
    assert (review.reviewed_by, review.comment, review.version) == (gm, "总经理的点评", opened + 2)


def test_a_review_without_the_version_it_was_opened_at_is_not_saved(
    client, manager, consultant, october
):
    client.force_login(manager)
    response = client.post(
        reverse("reports:daily_review"),
        {"date": "2026-10-03", "consultant": consultant.pk, "comment": "x"},
        follow=True,
    )
    assert "这个字段是必填项。" in response.content.decode()
    assert not DailyReview.objects.exists()


def test_review_refused_to_consultants_and_for_days_to_come(
    client, consultant, manager, store, october
):
    client.force_login(consultant)
    url = reverse("reports:daily_review")
    assert client.post(url, {"date": "2026-10-03", "consultant": consultant.pk}).status_code == 403
    client.force_login(manager)
    future = store.today().toordinal() + 1
    import datetime as dt

    day = dt.date.fromordinal(future).isoformat()
    response = client.post(
        url, {"date": day, "consultant": consultant.pk, "comment": "x"}, follow=True
    )
    assert not DailyReview.objects.exists()
    assert "还没到" in response.content.decode()
    assert client.get(url).status_code == 405


def test_contact_status_screen(client, consultant, consultant2, manager, october):
    page = get(client, consultant, "contact_status", month="2026-10")
    assert page.status_code == 200
    sheet = page.context["sheet"]
    assert sheet.consultant == consultant and len(sheet.rows) == 7
    assert [len(s["rows"]) for s in page.context["sections"]] == [4, 3]
    assert [(label, ratio) for label, _counts, ratio in page.context["groups"]] == [
        ("上月留存", "25.0%"),
        ("本月新增", "33.3%"),
        ("合计", "28.6%"),
    ]
    html = page.content.decode()
    assert "意向客户接触状况表" in html and "2026年10月" in html
    assert page.context["download_all_url"] == ""
    assert (
        get(
            client, consultant, "contact_status", month="2026-10", consultant=consultant2.pk
        ).status_code
        == 403
    )

    page = get(client, manager, "contact_status", month="2026-10", consultant=consultant2.pk)
    assert page.context["sheet"].consultant == consultant2
    assert "consultant=all" in page.context["download_all_url"]


def test_loss_analysis_screen(client, consultant, manager, october):
    page = get(client, manager, "losses", month="2026-10")
    analysis = page.context["analysis"]
    assert [r.customer.name for r in analysis.confirmed] == ["留存A", "李的失控", "李的战败"]
    html = page.content.decode()
    assert "销售促进战败(失控)分析表" in html or "战败" in html
    assert "价格" in html and "丰田 凯美瑞" in html
    page = get(client, consultant, "losses", month="2026-10")
    assert [r.customer.name for r in page.context["analysis"].confirmed] == ["留存A"]
    assert page.context["own_only"] is True


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_screens_use_a_constant_number_of_queries(
    client, manager, store, october, django_assert_max_num_queries
):
    client.force_login(manager)
    urls = [
        reverse("reports:daily") + "?date=2026-10-03",
        reverse("reports:evening") + "?date=2026-10-03",
        reverse("reports:contact_status") + "?month=2026-10",
        reverse("reports:contact_status_xlsx") + "?month=2026-10&consultant=all",
        reverse("reports:losses") + "?month=2026-10",
        reverse("reports:losses_xlsx") + "?month=2026-10",
    ]
    for url in urls:
        # The evening meeting's: its own counts and compute_kpis by consultant (walk-ins,
        # calls, orders), the diagnostics (the store's first row and the same days of three
        # months before), the page's session, user, stores and navigation.
        with django_assert_max_num_queries(40):
            client.get(url)
    cache.clear()
    before = [count_queries(client, url) for url in urls]
    data.more_consultants(store, 5)
    # Their rows are dated in the past: the cached past figures are computed again, as they
    # were the first time.
    cache.clear()
    assert [count_queries(client, url) for url in urls] == before


def test_a_store_without_consultants(client, make_staff, other_store):
    boss = make_staff("boss2", Role.MANAGER, store=other_store)
    page = get(client, boss, "daily", date="2026-10-03")
    assert page.status_code == 200 and page.context["report"] is None
    assert "没有可显示的销售顾问。" in page.content.decode()
    page = get(client, boss, "contact_status", month="2026-10")
    assert page.context["sheet"] is None
    page = get(client, boss, "evening", date="2026-10-03")
    assert page.context["report"].lines == [] and page.context["report"].total.orders == 0


def test_screens_in_english(client, manager, october):
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("reports:contact_status"), {"month": "2026-10"}).content.decode()
    assert "Prospect contact status sheet" in html and "October 2026" in html
    html = client.get(reverse("reports:losses"), {"month": "2026-10"}).content.decode()
    assert "By competitor bought" in html and "Price" in html
