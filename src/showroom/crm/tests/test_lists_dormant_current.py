"""The dormant list is read from the current state: a loss confirmed a moment ago takes the
customer off it at once, and a request still waiting leaves them on it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from showroom.crm.choices import ListKind
from showroom.crm.lists.builders import candidates
from showroom.reports.crm.selectors import dormant_report
from showroom.sales.choices import LossKind, LossReason
from showroom.sales.losses import services as losses
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)
ON = dt.date(2026, 11, 10)


def names(store) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["name"] for r in candidates(kind=ListKind.DORMANT, store=store, on=ON)]


@time_machine.travel(NOW, tick=False)
def test_confirmed_loss_leaves_the_dormant_list_at_once(store, consultant, manager):  # type: ignore[no-untyped-def]
    quiet = f.CustomerFactory(
        store=store, consultant=consultant, name="沉默", created=dt.date(2026, 6, 1)
    )
    f.CustomerFactory(
        store=store, consultant=consultant, name="另一位", created=dt.date(2026, 6, 1)
    )
    assert names(store) == ["沉默", "另一位"]

    report = losses.request_loss(
        customer=quiet, user=consultant, day=ON, kind=LossKind.LOST, reason=LossReason.PRICE,
        competitor_brand="丰田",
    )  # fmt: skip
    assert names(store) == ["沉默", "另一位"]  # only requested: still open
    assert losses.confirm_loss(report, user=manager, expected_version=report.version)

    assert names(store) == ["另一位"]
    assert dormant_report(store=store, on=ON).total.total == 1
