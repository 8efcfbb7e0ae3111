"""意向状态核实: the CRM checks new records daily and calls a sample of the new
prospects — was the record true, is the customer satisfied — with statistics for a period.

The sample of a day is drawn from the prospects whose card was created the day before (with a
phone to call), a share of them up to a daily cap. It is deterministic: each card is ranked by
a hash of the store, the day and the card, so drawing the same day again gives the same people,
whoever draws it and whenever; once drawn, a day's sample is kept as IntentCheck rows.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet

from showroom.core.versions import claim
from showroom.crm.models import IntentCheck
from showroom.customers.models import Customer
from showroom.organization.models import Staff, Store
from showroom.sales.funnel import PROSPECT

# Configurable in settings: the share of the day's new prospects sampled, and the daily cap.
SAMPLE_SHARE: float = getattr(settings, "SHOWROOM_INTENT_SAMPLE_SHARE", 0.3)
SAMPLE_MAX: int = getattr(settings, "SHOWROOM_INTENT_SAMPLE_MAX", 10)


def candidates(*, store: Store, on: date) -> QuerySet[Customer]:
    """The prospects a sample drawn on `on` is taken from: cards created the day before."""
    return (
        Customer.objects.filter(store=store, created=on - timedelta(days=1))
        .filter(PROSPECT)
        .exclude(phone_norm="")
    )


def sample_size(count: int, *, share: float, limit: int) -> int:
    """ceil(share × count), at least one when there is anyone and a share, at most `limit`."""
    if count <= 0 or share <= 0:
        return 0
    return min(count, limit, max(1, math.ceil(share * count - 1e-9)))


def _rank(store: Store, on: date, pk: int) -> str:
    return hashlib.sha256(f"{store.code}:{on.isoformat()}:{pk}".encode()).hexdigest()


def choose(
    *, store: Store, on: date, share: float | None = None, limit: int | None = None
) -> list[int]:
    """The ids of the cards sampled on `on` (not stored): the same answer every time."""
    share = SAMPLE_SHARE if share is None else share
    limit = SAMPLE_MAX if limit is None else limit
    ids = list(candidates(store=store, on=on).values_list("pk", flat=True))
    ids.sort(key=lambda pk: _rank(store, on, pk))
    return ids[: sample_size(len(ids), share=share, limit=limit)]


def draw(
    *, store: Store, on: date, share: float | None = None, limit: int | None = None
) -> QuerySet[IntentCheck]:
    """The day's sample, drawn and stored the first time it is asked for."""
    checks = IntentCheck.objects.filter(store=store, sampled_on=on)
    if not checks.exists():
        chosen = choose(store=store, on=on, share=share, limit=limit)
        try:
            with transaction.atomic():
                IntentCheck.objects.bulk_create(
                    [IntentCheck(store=store, customer_id=pk, sampled_on=on) for pk in chosen]
                )
        except IntegrityError:
            pass  # drawn at the same moment by someone else: theirs is the same sample
    return checks


def record(
    *,
    check: IntentCheck,
    expected_version: int,
    by: Staff,
    on: date,
    reached: bool,
    record_true: bool | None,
    satisfied: bool | None,
    notes: str = "",
) -> bool:
    """The result of the call. Not reached: nothing could be checked. False (nothing written)
    when someone else recorded it after `expected_version` was read."""
    with transaction.atomic():
        version = claim(IntentCheck, check.pk, expected_version)
        if version is None:
            return False
        check.version = version
        check.called_on = on
        check.called_by = by
        check.reached = reached
        check.record_true = record_true if reached else None
        check.satisfied = satisfied if reached else None
        check.notes = notes.strip()[:500]
        check.save(
            update_fields=["called_on", "called_by", "reached", "record_true", "satisfied", "notes"]
        )
    return True


@dataclass
class Counts:
    """One line of the statistics; rates are fractions, None when nothing to divide by."""

    label: str
    sampled: int = 0
    called: int = 0
    reached: int = 0
    true: int = 0
    untrue: int = 0
    satisfied: int = 0
    unsatisfied: int = 0
    consultant_id: int | None = field(default=None, compare=False)

    @property
    def true_rate(self) -> float | None:
        """Of the records checked on a reached call, the share found true."""
        checked = self.true + self.untrue
        return self.true / checked if checked else None

    @property
    def satisfied_rate(self) -> float | None:
        answered = self.satisfied + self.unsatisfied
        return self.satisfied / answered if answered else None

    @property
    def reach_rate(self) -> float | None:
        return self.reached / self.called if self.called else None

    def add(self, other: Counts) -> None:
        for name in ("sampled", "called", "reached", "true", "untrue", "satisfied", "unsatisfied"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Statistics:
    start: date
    end: date
    total: Counts
    by_consultant: list[Counts]


def statistics(
    *, checks: QuerySet[IntentCheck], start: date, end: date, total_label: str = ""
) -> Statistics:
    """The checks sampled from start to end, in total and per the card's consultant: one query.

    `checks` is what the caller may see (organization.access)."""
    rows = (
        checks.filter(sampled_on__range=(start, end))
        .order_by()
        .values("customer__consultant_id")
        # n_…: the model has fields called reached and satisfied.
        .annotate(
            n_sampled=Count("pk"),
            n_called=Count("pk", filter=Q(called_on__isnull=False)),
            n_reached=Count("pk", filter=Q(reached=True)),
            n_true=Count("pk", filter=Q(reached=True, record_true=True)),
            n_untrue=Count("pk", filter=Q(reached=True, record_true=False)),
            n_satisfied=Count("pk", filter=Q(reached=True, satisfied=True)),
            n_unsatisfied=Count("pk", filter=Q(reached=True, satisfied=False)),
        )
    )
    ids = [r["customer__consultant_id"] for r in rows if r["customer__consultant_id"]]
    names = {s.pk: str(s) for s in Staff.objects.filter(pk__in=ids)} if ids else {}
    total = Counts(label=total_label)
    lines = []
    counted = ("sampled", "called", "reached", "true", "untrue", "satisfied", "unsatisfied")
    for r in rows:
        pk = r["customer__consultant_id"]
        line = Counts(
            label=names.get(pk, "—") if pk else "—",
            consultant_id=pk,
            **{name: r[f"n_{name}"] for name in counted},  # type: ignore[literal-required]
        )
        total.add(line)
        lines.append(line)
    lines.sort(key=lambda c: (c.consultant_id is None, c.label))
    return Statistics(start=start, end=end, total=total, by_consultant=lines)
