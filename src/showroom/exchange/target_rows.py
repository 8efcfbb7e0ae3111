"""销售目标 (targets): a store's monthly targets and its consultants' shares, one row each.

A row without 销售顾问 is the store's target for the month (targets.StoreTarget), a row with
one a consultant's share of it (targets.ConsultantTarget). A target is found again by its
month and consultant, which name at most one target of a store (the 编号 is written so that
the file says which row it was, as every form's). The consultant rows of a month in a file
are that month's whole split: they add up to the store's delivery target (in the file, else
the store's), and a split the import writes or changes is spread over the weeks again, as
the targets screen does (so that weeks, consultants and store always add up).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from showroom.core.months import first_of_month, month_weeks
from showroom.exchange.columns import STAFF, Column, Form
from showroom.exchange.parsing import Month, Ref, Whole
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.targets.models import ConsultantTarget, StoreTarget, WeeklyTarget
from showroom.targets.selectors import allocate, weekly_spread

if TYPE_CHECKING:  # report.py reads the forms
    from showroom.exchange.report import Counts, ImportReport, Row

MEASURES = ("deliveries", "orders", "walk_ins", "new_prospects")
COUNT = Whole(100_000)


@dataclass
class TargetRow:
    """One exported row: a store target (consultant None) or a consultant's share."""

    store: Store
    month: date
    consultant: Staff | None
    deliveries: int
    orders: int | None
    walk_ins: int | None
    new_prospects: int | None
    ref: str


class TargetRef(Ref):
    """TG<store target>-… or TC<consultant target>-…, checked on the month."""

    def __init__(self) -> None:
        super().__init__("TG", "month")
        self.split = Ref("TC", "month")

    def of(self, obj: Any) -> str:
        return obj.ref  # type: ignore[no-any-return]

    def of_target(self, target: StoreTarget) -> str:
        return f"TG{target.pk}-{self.check(target.pk, target.month)}"

    def of_split(self, split: ConsultantTarget, month: date) -> str:
        return f"TC{split.pk}-{self.split.check(split.pk, month)}"


REF = TargetRef()


class TargetRows:
    def check(self, rows: list[Row], report: ImportReport) -> None:
        """A month's consultant rows add up to its store target; they need one."""
        for (_code, month), group in _months(rows).items():
            store = group[0].store
            shares = [r for r in group if r.values.get("consultant") is not None]
            if not shares:
                continue
            own = next((r for r in group if r.values.get("consultant") is None), None)
            if own is not None:
                total: int | None = own.values["deliveries"]
            else:
                total = (
                    StoreTarget.objects.filter(store=store, month=month)
                    .values_list("deliveries", flat=True)
                    .first()
                    if store.pk
                    else None
                )
            if total is None:
                for row in shares:
                    row.problem(
                        report,
                        "consultant",
                        _lazy("The month has no store target; add its row (销售顾问 left empty)"),
                    )
                continue
            given = sum(r.values["deliveries"] for r in shares)
            if given != total:
                shares[0].problem(
                    report,
                    "deliveries",
                    _(
                        "The consultants' delivery targets of %(month)s add up to %(given)d, "
                        "not to the store's %(total)d"
                    )
                    % {"month": f"{month:%Y-%m}", "given": given, "total": total},
                )

    def write(self, rows: list[Row], *, user: Staff | None, dry_run: bool) -> Counts:
        from showroom.exchange.report import Counts

        counts = Counts()
        for (_code, month), group in _months(rows).items():
            _write_month(group[0].store, month, group, user, counts, dry_run=dry_run)
        return counts

    def kept(self, store: Store) -> list[QuerySet[Any]]:
        if store.pk is None:  # a store the import creates has none yet
            return []
        return [
            StoreTarget.objects.filter(store=store),
            ConsultantTarget.objects.filter(target__store=store),
            WeeklyTarget.objects.filter(split__target__store=store),
        ]

    def export_rows(
        self, *, stores: list[Store], start: date, end: date, user: Staff | None
    ) -> list[TargetRow]:
        targets = StoreTarget.objects.filter(
            store__in=stores, month__range=(first_of_month(start), end)
        )
        if user is not None:
            targets = access.store_rows(targets, user)
        splits: dict[int, list[ConsultantTarget]] = defaultdict(list)
        for split in (
            ConsultantTarget.objects.filter(target__in=targets)
            .select_related("consultant")
            .order_by("consultant__rotation_order", "consultant__username", "pk")
        ):
            splits[split.target_id].append(split)
        found: list[TargetRow] = []
        for target in targets.select_related("store").order_by("store__code", "month"):
            found.append(_row(target, target.store, None, REF.of_target(target)))
            found.extend(
                _row(s, target.store, s.consultant, REF.of_split(s, target.month), target.month)
                for s in splits[target.pk]
            )
        return found


def _row(
    obj: Any, store: Store, consultant: Staff | None, ref: str, month: date | None = None
) -> TargetRow:
    return TargetRow(
        store=store,
        month=month or obj.month,
        consultant=consultant,
        ref=ref,
        **{name: getattr(obj, name) for name in MEASURES},
    )


def _months(rows: list[Row]) -> dict[tuple[str, date], list[Row]]:
    # By store code: a store the import creates has no primary key yet.
    found: dict[tuple[str, date], list[Row]] = defaultdict(list)
    for row in rows:
        found[row.store.code, row.values["month"]].append(row)
    return found


def _values(row: Row) -> dict[str, Any]:
    return {name: row.values.get(name) for name in MEASURES}


def _write_month(
    store: Store, month: date, rows: list[Row], user: Staff | None, counts: Counts, *, dry_run: bool
) -> None:
    target = None
    if store.pk:
        found = StoreTarget.objects.filter(store=store, month=month)
        target = (found if dry_run else found.select_for_update()).first()
    existing = {s.consultant_id: s for s in target.splits.all()} if target is not None else {}
    changed = False
    own = next((r for r in rows if r.values.get("consultant") is None), None)
    shares = [r for r in rows if r.values.get("consultant") is not None]
    if own is not None:
        values = _values(own)
        if target is None:
            counts.new += 1
            target = StoreTarget(store=store, month=month, set_by=user, **values)
            changed = True
        elif any(getattr(target, k) != v for k, v in values.items()):
            counts.updated += 1
            rescale = target.deliveries != values["deliveries"] and not shares
            for name, value in values.items():
                setattr(target, name, value)
            target.set_by = user
            changed = True
            if rescale and existing:
                # As the targets screen does: the split keeps its weighting and adds up again.
                splits = list(existing.values())
                amounts = allocate(target.deliveries, [s.deliveries for s in splits])
                for share, amount in zip(splits, amounts, strict=True):
                    share.deliveries = amount
                if not dry_run:
                    ConsultantTarget.objects.bulk_update(splits, ["deliveries"])
                    _spread(splits, month)
        else:
            counts.unchanged += 1
        if changed and not dry_run:
            target.save()
    assert target is not None or not shares  # checked: consultant rows need a store target
    respread: list[ConsultantTarget] = []
    for row in shares:
        consultant: Staff = row.values["consultant"]
        values = _values(row)
        split: ConsultantTarget | None = existing.pop(consultant.pk, None)
        if split is None:
            counts.new += 1
            split = ConsultantTarget(target=target, consultant=consultant, **values)
        elif any(getattr(split, k) != v for k, v in values.items()):
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        if split.pk is None or split.deliveries != values["deliveries"]:
            respread.append(split)
        for name, value in values.items():
            setattr(split, name, value)
        changed = True
        if not dry_run:
            split.save()
    if dry_run or target is None:
        return
    if shares and existing:  # the file's consultant rows are the month's whole split
        ConsultantTarget.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
        changed = True
    _spread(respread, month)
    if changed:
        _bump(target)


def _spread(splits: list[ConsultantTarget], month: date) -> None:
    WeeklyTarget.objects.filter(split__in=[s.pk for s in splits]).delete()
    WeeklyTarget.objects.bulk_create(
        WeeklyTarget(split=split, week_start=start, week_end=end, deliveries=n)
        for split in splits
        for (start, end), n in zip(
            month_weeks(month), weekly_spread(split.deliveries, month), strict=True
        )
    )


def _bump(target: StoreTarget) -> None:
    # The version guards the target and its split: a screen holding the old one is refused.
    StoreTarget.objects.filter(pk=target.pk).update(version=F("version") + 1)


TARGETS = Form(
    name="targets",
    zh="销售目标",
    model=StoreTarget,
    sheet_aliases=("销售目标管理", "target"),
    date_field="month",
    order_by=("month", "id"),
    scope=access.store_rows,
    unique=True,
    custom=TargetRows(),
    columns=(
        Column("month", "月份", Month(), required=True, identity=True, aliases=("目标月份",)),
        Column(
            "consultant",
            "销售顾问",
            STAFF,
            identity=True,
            stored=False,
            aliases=("顾问",),
        ),
        Column("deliveries", "交车目标", COUNT, required=True, aliases=("销量目标",)),
        Column("orders", "订单目标", COUNT),
        Column("walk_ins", "来店目标", COUNT, aliases=("来店批次目标",)),
        Column("new_prospects", "新增意向目标", COUNT, aliases=("新增意向客户目标",), width=14),
        Column("ref", "编号", REF, stored=False, aliases=("参考号",), width=16),
    ),
)
