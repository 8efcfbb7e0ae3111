"""Writing targets: the store target with its split, the split itself, and seeded targets.

A store target and its split are saved together under the target's `version`: a save claims
the version first (`showroom.core.versions.claim`, as orders and cards do), so of two people
saving the same version the second is refused and can look again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from showroom.core.months import add_months, first_of_month, month_weeks
from showroom.core.versions import claim
from showroom.organization.models import Staff, Store
from showroom.sales.models import Order
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget
from showroom.targets.selectors import allocate, proposed_split, weekly_spread

# The fields of a store target a manager sets (everything but who, when and the version).
TARGET_FIELDS = (
    "deliveries",
    "orders",
    "season_index",
    "history_basis",
    "launches",
    "policy",
    "advertising",
    "staffing",
    "notes",
)


@dataclass(frozen=True)
class Line:
    """One consultant's line of a split: monthly target and, optionally, its weeks."""

    consultant_id: int
    deliveries: int
    weeks: Sequence[int] | None = None  # None: spread over the weeks by their days


# A target asks for a little more than history gave (SMART: stretching but achievable).
STRETCH = Decimal("1.1")


def save_target(
    *,
    store: Store,
    month: date,
    values: dict[str, Any],
    user: Staff,
    expected_version: int | None,
) -> StoreTarget | None:
    """Create the month's target (`expected_version` None) with the default split, or update
    it. None when someone else saved it in between (or created it meanwhile).

    When the delivery target changes, the split is rescaled in proportion to the current one
    (the manager's weighting kept, the sum right again) and its weeks re-spread.
    """
    month = first_of_month(month)
    fields = {k: values[k] for k in TARGET_FIELDS if k in values}
    with transaction.atomic():
        if expected_version is None:
            try:
                with transaction.atomic():
                    target = StoreTarget.objects.create(
                        store=store, month=month, set_by=user, **fields
                    )
            except IntegrityError:
                return None
            split = proposed_split(store=store, month=month, total=target.deliveries)
            _write_split(
                target, [Line(s.consultant.pk, s.deliveries) for s in split], replace=False
            )
            return target
        found = StoreTarget.objects.filter(store=store, month=month).first()
        if found is None or claim(StoreTarget, found.pk, expected_version) is None:
            return None
        target = StoreTarget.objects.get(pk=found.pk)
        before = target.deliveries
        for name, value in fields.items():
            setattr(target, name, value)
        target.set_by = user
        target.save(update_fields=[*fields, "set_by", "set_at"])
        if target.deliveries != before:
            current = list(target.splits.order_by("pk").values_list("consultant_id", "deliveries"))
            if current:
                shares = allocate(target.deliveries, [n for _c, n in current])
                _write_split(
                    target, [Line(c, n) for (c, _old), n in zip(current, shares, strict=True)]
                )
            else:
                split = proposed_split(store=store, month=month, total=target.deliveries)
                _write_split(target, [Line(s.consultant.pk, s.deliveries) for s in split])
        return target


def save_split(
    *, target: StoreTarget, lines: Iterable[Line], user: Staff, expected_version: int
) -> bool:
    """Replace the target's split with `lines` (validated by the form: they add up).
    False when someone else saved the target or its split in between."""
    with transaction.atomic():
        version = claim(StoreTarget, target.pk, expected_version)
        if version is None:
            return False
        target.version = version
        target.set_by = user
        target.save(update_fields=["set_by", "set_at"])
        _write_split(target, list(lines))
        return True


def _write_split(target: StoreTarget, lines: list[Line], *, replace: bool = True) -> None:
    if replace:
        target.splits.all().delete()
    splits = ConsultantTarget.objects.bulk_create(
        ConsultantTarget(
            target=target, consultant_id=line.consultant_id, deliveries=line.deliveries
        )
        for line in lines
    )
    weeks = month_weeks(target.month)
    WeeklyTarget.objects.bulk_create(
        WeeklyTarget(split=split, week_start=start, week_end=end, deliveries=n)
        for split, line in zip(splits, lines, strict=True)
        for (start, end), n in zip(
            weeks,
            line.weeks if line.weeks is not None else weekly_spread(line.deliveries, target.month),
            strict=True,
        )
    )


# --- demo data ---------------------------------------------------------------------------

# A Chinese car market's months against an average one: strong before the Spring Festival
# and in 金九银十 and December, weak in February and the summer.
SEASON_INDEX: dict[int, Decimal] = {
    1: Decimal("1.10"),
    2: Decimal("0.75"),
    3: Decimal("0.95"),
    4: Decimal("0.95"),
    5: Decimal("1.00"),
    6: Decimal("1.05"),
    7: Decimal("0.90"),
    8: Decimal("0.95"),
    9: Decimal("1.05"),
    10: Decimal("1.05"),
    11: Decimal("1.05"),
    12: Decimal("1.20"),
}


def seed_targets(*, stores: Iterable[Store], months: list[date]) -> int:
    """Plausible targets for generated data; returns how many store targets it created.

    For each store and month without a target yet (so running it again changes nothing): the
    average monthly deliveries of the 3 months before (of those that have any: generated data
    starts somewhere; the month's own deliveries when none has; no target when the month has
    none either) × the month's season index × STRETCH, rounded; split
    among the consultants active then (those who delivered in the 3 months before or in the
    month, else the store's active consultants) by their deliveries in the 3 months before,
    each spread over the weeks by their days. Four queries and three bulk inserts whatever
    the number of stores and months.
    """
    stores = list(stores)
    wanted = sorted({first_of_month(m) for m in months})
    if not stores or not wanted:
        return 0
    existing = set(
        StoreTarget.objects.filter(store__in=stores, month__in=wanted).values_list(
            "store_id", "month"
        )
    )
    # {(store, month): {consultant: deliveries}}
    delivered: dict[tuple[int, date], dict[int, int]] = {}
    for row in (
        Order.objects.filter(
            store__in=stores,
            cancelled=False,
            delivery_date__gte=add_months(wanted[0], -3),
            delivery_date__lt=add_months(wanted[-1], 1),
        )
        .annotate(m=TruncMonth("delivery_date"))
        .order_by()
        .values("store_id", "m", "consultant_id")
        .annotate(n=Count("pk"))
    ):
        delivered.setdefault((row["store_id"], row["m"]), {})[row["consultant_id"]] = row["n"]
    active: dict[int, list[int]] = {}
    for store in stores:
        active[store.pk] = []
    for pk, store_id in (
        Staff.objects.filter(store__in=stores, is_active=True)
        .with_role("consultant")
        .order_by("rotation_order", "username")
        .values_list("pk", "store_id")
    ):
        active[store_id].append(pk)

    targets: list[StoreTarget] = []
    plans: list[list[Line]] = []
    for store in stores:
        for month in wanted:
            if (store.pk, month) in existing:
                continue
            history: dict[int, int] = {}
            months_with_data = 0
            for before in (add_months(month, -i) for i in (1, 2, 3)):
                got = delivered.get((store.pk, before), {})
                months_with_data += bool(got)
                for consultant, n in got.items():
                    history[consultant] = history.get(consultant, 0) + n
            own = delivered.get((store.pk, month), {})
            basis = (
                Decimal(sum(history.values())) / months_with_data
                if history
                else Decimal(sum(own.values()))
            )
            if not basis:
                continue
            season = SEASON_INDEX[month.month]
            stretch = basis * season * STRETCH
            total = int(stretch.quantize(Decimal("1"), rounding=ROUND_HALF_UP)) or 1
            people = sorted(
                {*history, *own} or set(active[store.pk]),
                key=lambda c: (active[store.pk].index(c) if c in active[store.pk] else 10**6, c),
            )
            if not people:
                continue
            shares = allocate(total, [history.get(c, 0) for c in people])
            targets.append(
                StoreTarget(
                    store=store,
                    month=month,
                    deliveries=total,
                    season_index=season,
                    history_basis=int(basis.quantize(Decimal("1"), rounding=ROUND_HALF_UP)),
                )
            )
            plans.append([Line(c, n) for c, n in zip(people, shares, strict=True)])
    StoreTarget.objects.bulk_create(targets, batch_size=500)
    splits = ConsultantTarget.objects.bulk_create(
        (
            ConsultantTarget(
                target=target, consultant_id=line.consultant_id, deliveries=line.deliveries
            )
            for target, lines in zip(targets, plans, strict=True)
            for line in lines
        ),
        batch_size=1000,
    )
    months_of = [target.month for target, lines in zip(targets, plans, strict=True) for _l in lines]
    WeeklyTarget.objects.bulk_create(
        (
            WeeklyTarget(split=split, week_start=start, week_end=end, deliveries=n)
            for split, month in zip(splits, months_of, strict=True)
            for (start, end), n in zip(
                month_weeks(month), weekly_spread(split.deliveries, month), strict=True
            )
        ),
        batch_size=2000,
    )
    return len(targets)
