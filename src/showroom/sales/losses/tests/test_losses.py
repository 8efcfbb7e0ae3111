"""Lost / out of control: the consultant requests, the manager confirms or sends it back."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from showroom.customers.models import Customer
from showroom.organization.choices import Role
from showroom.sales import funnel
from showroom.sales.models import LossReport
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 13, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
TODAY = D(2026, 10, 13)


@pytest.fixture
def card(store, consultant):
    return f.CustomerFactory(
        store=store,
        consultant=consultant,
        name="赵女士",
        grade="A",
        created=D(2026, 9, 5),
        next_follow_up=D(2026, 10, 14),
    )


def is_open(customer, day):
    return Customer.objects.filter(funnel.open_on(day), pk=customer.pk).exists()


def request_data(**overrides):
    data = {
        "date": "2026-10-11",
        "kind": "lost",
        "grade": "A",
        "competitor_brand": "丰田",
        "competitor_model": "RAV4",
        "reason": "price",
        "description": "对方优惠一万",
    }
    data.update(overrides)
    return data


def requested(card, consultant, **kw):
    report = LossReport(
        store=card.store,
        customer=card,
        consultant=consultant,
        date=D(2026, 10, 11),
        kind=kw.pop("kind", "lost"),
        grade="A",
        competitor_brand="丰田",
        reason="price",
        **kw,
    )
    report._history_user = consultant
    report.save()
    return report


@time_machine.travel(NOW, tick=False)
def test_a_request_leaves_the_prospect_open(client, card, consultant):
    client.force_login(consultant)
    url = reverse("deals:loss_request") + f"?customer={card.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert (page.context["form"]["grade"].value(), page.context["form"]["date"].value()) == (
        "A",
        TODAY,
    )
    response = client.post(url, request_data())
    report = LossReport.objects.get()
    assert response["Location"] == reverse("deals:loss_detail", args=[report.pk])
    assert (report.store, report.customer, report.consultant, report.date, report.kind) == (
        card.store,
        card,
        consultant,
        D(2026, 10, 11),
        "lost",
    )
    assert (report.grade, report.competitor_brand, report.competitor_model, report.reason) == (
        "A",
        "丰田",
        "RAV4",
        "price",
    )
    assert (report.description, report.status, report.decided_by, report.decided_on) == (
        "对方优惠一万",
        "requested",
        None,
        None,
    )
    card.refresh_from_db()
    assert (card.customer_type, card.next_follow_up, card.version) == (
        "prospect",
        D(2026, 10, 14),
        1,
    )
    assert is_open(card, D(2026, 10, 31)) is True
    # A second request while one waits goes to the waiting one.
    again = client.get(url)
    assert again["Location"] == reverse("deals:loss_detail", args=[report.pk])
    assert LossReport.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_lost_needs_the_brand_bought_out_of_control_does_not(client, card, consultant):
    client.force_login(consultant)
    url = reverse("deals:loss_request") + f"?customer={card.pk}"
    response = client.post(url, request_data(competitor_brand="", reason=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["这个字段是必填项。"],
        "competitor_brand": ["战败即客户已在别处购车：请填写所购品牌。"],
    }
    response = client.post(
        url, request_data(kind="out_of_control", competitor_brand="", reason="other")
    )
    assert response.status_code == 302
    assert LossReport.objects.get().kind == "out_of_control"


@time_machine.travel(NOW, tick=False)
def test_the_manager_confirms_and_the_prospect_closes_on_the_loss_date(
    client, card, consultant, manager
):
    report = requested(card, consultant)
    client.force_login(manager)
    queue = client.get(reverse("deals:losses_pending"))
    assert [i["report"] for i in queue.context["items"]] == [report]
    response = client.post(reverse("deals:loss_confirm", args=[report.pk]), {"version": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.decided_by, report.decided_on, report.version) == (
        "confirmed",
        manager,
        TODAY,
        2,
    )
    card.refresh_from_db()
    assert (card.customer_type, card.next_follow_up, card.version) == ("lost", None, 2)
    assert is_open(card, D(2026, 10, 10)) is True
    assert is_open(card, D(2026, 10, 11)) is False
    assert list(client.get(reverse("deals:losses_pending")).context["items"]) == []


@time_machine.travel(NOW, tick=False)
def test_out_of_control_confirmed_by_the_general_manager(client, store, card, consultant):
    gm = f.StaffFactory(username="gm", roles=Role.GENERAL_MANAGER, store=store)
    report = requested(card, consultant, kind="out_of_control")
    client.force_login(gm)
    response = client.post(
        reverse("deals:loss_confirm", args=[report.pk]), {"version": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.context["item"]["done"] == "confirmed"
    card.refresh_from_db()
    assert card.customer_type == "out_of_control"


@time_machine.travel(NOW, tick=False)
def test_consultants_and_assistants_cannot_decide(client, store, card, consultant):
    assistant = f.StaffFactory(username="assist", roles=Role.ASSISTANT, store=store)
    report = requested(card, consultant)
    for user in (consultant, assistant):
        client.force_login(user)
        assert (
            client.post(
                reverse("deals:loss_confirm", args=[report.pk]), {"version": "1"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("deals:loss_return", args=[report.pk]), {"version": "1", "note": "x"}
            ).status_code
            == 403
        )
        assert client.get(reverse("deals:losses_pending")).status_code == 403
    report.refresh_from_db()
    card.refresh_from_db()
    assert (report.status, report.version, card.customer_type) == ("requested", 1, "prospect")


@time_machine.travel(NOW, tick=False)
def test_the_links_and_buttons_follow_the_screen_table(client, store, card, consultant, manager):
    # Each page shows a link or button only to a role the screen it leads to admits.
    assistant = f.StaffFactory(username="assist", roles=Role.ASSISTANT, store=store)
    report = requested(card, consultant)
    pending = reverse("deals:losses_pending")
    request = reverse("deals:loss_request") + f"?customer={card.pk}"
    confirm = reverse("deals:loss_confirm", args=[report.pk])
    seen = {}
    for user in (consultant, assistant, manager):
        client.force_login(user)
        losses = client.get(reverse("deals:losses")).content.decode()
        detail = client.get(reverse("deals:loss_detail", args=[report.pk])).content.decode()
        deal_page = client.get(reverse("deals:customer", args=[card.pk]))
        seen[user.username] = (pending in losses, pending in detail, confirm in detail)
        assert deal_page.context["can_request_loss"] is False  # a request is open
    assert seen == {
        "zhang": (False, False, False),
        "assist": (False, False, False),
        "boss": (True, True, True),
    }
    # Without an open request: the sellers may report a loss, the assistant may not.
    report.delete()
    buttons = {}
    for user in (consultant, assistant, manager):
        client.force_login(user)
        page = client.get(reverse("deals:customer", args=[card.pk]))
        buttons[user.username] = (
            page.context["can_request_loss"],
            request in page.content.decode(),
        )
    assert buttons == {"zhang": (True, True), "assist": (False, False), "boss": (True, True)}


@time_machine.travel(NOW, tick=False)
def test_sent_back_the_prospect_stays_open_and_the_consultant_sees_the_note(
    client, card, consultant, manager
):
    report = requested(card, consultant)
    client.force_login(manager)
    refused = client.post(reverse("deals:loss_return", args=[report.pk]), {"version": "1"})
    assert refused.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.version) == ("requested", 1)
    response = client.post(
        reverse("deals:loss_return", args=[report.pk]),
        {"version": "1", "note": "再约一次试驾，问问家人意见", "follow_up": "2026-10-15"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.decided_by, report.decided_on, report.manager_note) == (
        "returned",
        manager,
        TODAY,
        "再约一次试驾，问问家人意见",
    )
    card.refresh_from_db()
    assert (card.customer_type, card.next_follow_up) == ("prospect", D(2026, 10, 15))
    assert is_open(card, D(2026, 10, 31)) is True

    client.force_login(consultant)
    mine = client.get(reverse("deals:losses"))
    assert [r.pk for r in mine.context["reports"]] == [report.pk]
    page = mine.content.decode()
    assert "再约一次试驾，问问家人意见" in page
    assert "退回继续跟进" in page
    # Sent back, the consultant may report it again later.
    again = client.get(reverse("deals:loss_request") + f"?customer={card.pk}")
    assert again.status_code == 200


@time_machine.travel(NOW, tick=False)
def test_a_confirmed_loss_is_reopened_with_its_history(client, card, consultant, manager):
    report = requested(card, consultant)
    client.force_login(manager)
    client.post(reverse("deals:loss_confirm", args=[report.pk]), {"version": "1"})
    # Reopening is only for a confirmed record, through its own action.
    assert (
        client.post(
            reverse("deals:loss_return", args=[report.pk]), {"version": "2", "note": "x"}
        ).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.status == "confirmed"
    response = client.post(
        reverse("deals:loss_reopen", args=[report.pk]),
        {"version": "2", "note": "客户并未购车，重新跟进"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    card.refresh_from_db()
    assert (report.status, report.manager_note, report.version) == (
        "returned",
        "客户并未购车，重新跟进",
        3,
    )
    assert (card.customer_type, card.next_follow_up) == ("prospect", TODAY)
    assert is_open(card, D(2026, 10, 31)) is True
    detail = client.get(reverse("deals:loss_detail", args=[report.pk]))
    entries = detail.context["entries"]
    assert [(e.user, e.kind) for e in entries] == [("王经理", "~"), ("王经理", "~"), ("张伟", "+")]
    assert [(c.old, c.new) for c in entries[0].changes if c.label == "状态"] == [
        ("已确认", "退回继续跟进")
    ]


@time_machine.travel(NOW, tick=False)
def test_a_stale_decision_changes_nothing(client, card, consultant, manager, make_staff, store):
    other = make_staff("boss2", Role.MANAGER, store=store, full_name="刘经理")
    report = requested(card, consultant)
    client.force_login(other)
    client.post(reverse("deals:loss_return", args=[report.pk]), {"version": "1", "note": "再跟进"})
    client.force_login(manager)
    response = client.post(
        reverse("deals:loss_confirm", args=[report.pk]), {"version": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only 2xx; the item says it is stale
    assert response.context["item"]["done"] == "stale"
    report.refresh_from_db()
    card.refresh_from_db()
    assert (report.status, report.decided_by, card.customer_type) == ("returned", other, "prospect")


@time_machine.travel(NOW, tick=False)
def test_a_consultant_sees_only_their_own_loss_records(
    client, store, card, consultant, consultant2
):
    mine = requested(card, consultant)
    theirs = requested(f.CustomerFactory(store=store, consultant=consultant2), consultant2)
    client.force_login(consultant)
    assert client.get(reverse("deals:loss_detail", args=[theirs.pk])).status_code == 404
    assert [r.pk for r in client.get(reverse("deals:losses")).context["reports"]] == [mine.pk]
    client.force_login(consultant2)
    assert client.get(reverse("deals:loss_detail", args=[mine.pk])).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_owners_cannot_be_reported_lost(client, store, consultant):
    owner = f.CustomerFactory(store=store, consultant=consultant, customer_type="owner")
    client.force_login(consultant)
    response = client.get(reverse("deals:loss_request") + f"?customer={owner.pk}")
    assert response["Location"] == reverse("deals:customer", args=[owner.pk])
    assert not LossReport.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_queue_answers_htmx_with_the_item_itself(client, card, consultant, manager):
    report = requested(card, consultant)
    client.force_login(manager)
    url = reverse("deals:loss_return", args=[report.pk])
    response = client.post(url, {"version": "1", "note": " "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["item"]["form"].errors["note"] == ["请写明销售顾问还应继续做什么。"]
    assert f'id="loss-{report.pk}"' in response.content.decode()
    response = client.post(url, {"version": "1", "note": "再跟进"}, HTTP_HX_REQUEST="true")
    assert (response.status_code, response.context["item"]["done"]) == (200, "returned")
    assert "退回继续跟进" in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.manager_note) == ("returned", "再跟进")
