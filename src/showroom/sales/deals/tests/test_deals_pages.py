"""Every deal page renders, in Chinese, for the consultant and the manager; lists take a
constant number of queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.sales.models import LossReport, Order
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
NOW = dt.datetime(2026, 10, 15, 4, 0, tzinfo=dt.UTC)


def deal(store, consultant, n, delivered=True):
    card = f.CustomerFactory(store=store, consultant=consultant, name=f"客户{n}", grade="O")
    return Order.objects.create(
        store=store,
        customer=card,
        consultant=consultant,
        order_date=D(2026, 10, 1),
        model="途胜",
        channel="showroom",
        delivery_date=D(2026, 10, 8) if delivered else None,
        source=f.source("internet"),
    )


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["consultant", "manager"])
def test_every_page_renders(client, store, consultant, manager, who):
    delivered = deal(store, consultant, 1)
    pending = deal(store, consultant, 2, delivered=False)
    loss = LossReport.objects.create(
        store=store,
        customer=f.CustomerFactory(store=store, consultant=consultant, name="战败客户"),
        consultant=consultant,
        date=D(2026, 10, 12),
        kind="lost",
        reason="price",
        competitor_brand="丰田",
    )
    prospect = f.CustomerFactory(store=store, consultant=consultant, name="意向")
    client.force_login(consultant if who == "consultant" else manager)
    pages = {
        "deals:customer": [delivered.customer_id],
        "deals:order_detail": [delivered.pk],
        "deals:order_edit": [delivered.pk],
        "deals:order_history": [delivered.pk],
        "deals:deliver": [pending.pk],
        "deals:loss_detail": [loss.pk],
    }
    texts = {}
    for name, args in pages.items():
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        texts[name] = response.content.decode()
    for name in ("test_drive_new", "quote_new", "order_new", "loss_request"):
        response = client.get(reverse(f"deals:{name}") + f"?customer={prospect.pk}")
        assert response.status_code == 200, name
        texts[name] = response.content.decode()
    for name in ("orders", "aftercare", "losses"):
        response = client.get(reverse(f"deals:{name}"))
        assert response.status_code == 200, name
        texts[name] = response.content.decode()
    assert "交车3日电话回访" in texts["deals:order_detail"]
    assert "展厅" in texts["orders"] and "展厅管理</a>" in texts["orders"]  # brand vs channel
    assert "战败" in texts["deals:loss_detail"]
    pending_page = client.get(reverse("deals:losses_pending"))
    assert pending_page.status_code == (200 if who == "manager" else 403)
    if who == "manager":
        assert "确认" in pending_page.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("name", ["deals:orders", "deals:aftercare", "deals:losses"])
def test_lists_take_a_constant_number_of_queries(client, store, consultant, manager, name):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(manager)
    for n in range(3):
        deal(store, consultant, n)
    few = count()
    for n in range(3, 9):
        deal(store, consultant, n)
    assert count() == few
