"""What ties the forms of one import together (cards, activities, orders, losses).

Checked before anything is written:
- a row of activities, orders or losses names its customer by phone; the card must exist in
  the store or come in the customers sheet of the same import ("没有对应的客户信息卡");
- a card's 建档日期 left empty is the import day for a new card (an existing card keeps its own);
- the owner rule: an owner (保有) is this store's own sale only when an order for that phone
  exists, in the orders sheet of the import or in the store; otherwise the card is recorded
  as an own-brand owner sold elsewhere (本品牌他销, not a prospect), unless the card already
  says other brand or the file's 保有类型 says which.

Written after the forms' own rows, in the same transaction:
- a grade change for a new card's grade (on its card date) and for a grade an import changes
  (on the import day), as every grade change is logged;
- the grade history of every card whose activities the import added or changed, rebuilt
  from the 级别 of its activities (each grade change is made with a contact);
- an owner's car (owners.Vehicle) for an owner row with a VIN or plate, and for a delivered
  order (sold here, linked to the order);
- a service visit's car: the owner's car with its VIN (else plate).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from showroom.customers.choices import CustomerType, OwnerKind
from showroom.customers.models import Customer, GradeChange
from showroom.customers.phones import normalize_phone
from showroom.exchange.report import ImportReport, Row
from showroom.organization.models import Staff, Store
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales.models import Activity, Order

CHUNK = 500


@dataclass
class Written:
    """A row of the import with the model row it became; `before` holds the old values of the
    fields it changed (None: a new row)."""

    row: Row
    obj: Any
    before: dict[str, Any] | None


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _phone(row: Row, column: str) -> str:
    return normalize_phone(row.values[row.form.column(column).attr])


def check(rows: list[Row], report: ImportReport) -> None:
    by_store: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_store[row.store.code].append(row)
    for group in by_store.values():
        _check_store(group[0].store, group, report)


def _check_store(store: Store, rows: list[Row], report: ImportReport) -> None:
    cards = [r for r in rows if r.form.name == "customers"]
    referring = [r for r in rows if r.form.customer_column]
    in_file = {_phone(r, "phone") for r in cards}
    wanted = sorted({_phone(r, r.form.customer_column) for r in referring} | in_file)
    existing: dict[str, Customer] = {}
    if store.pk:
        for chunk in _chunks(wanted):
            found = Customer.objects.filter(store=store, phone_norm__in=chunk).only(
                "phone_norm", "customer_type", "owner_kind"
            )
            existing.update((c.phone_norm, c) for c in found)
    for row in referring:
        column = row.form.customer_column
        phone = _phone(row, column)
        if phone not in existing and phone not in in_file:
            row.problem(report, column, _("No customer card has this phone number"))
    if cards:
        _owner_rule(store, cards, rows, existing, report)


def _owner_rule(
    store: Store,
    cards: list[Row],
    rows: list[Row],
    existing: dict[str, Customer],
    report: ImportReport,
) -> None:
    ordered = {
        _phone(r, "phone")
        for r in rows
        if r.form.name == "orders" and not r.values.get("cancelled_on")
    }
    owners = sorted(
        _phone(r, "phone")
        for r in cards
        if r.values["customer_type"] == CustomerType.OWNER and "customer_type" in r.given
    )
    if store.pk and owners:
        for chunk in _chunks(owners):
            ordered.update(
                Order.objects.filter(
                    store=store, cancelled=False, customer__phone_norm__in=chunk
                ).values_list("customer__phone_norm", flat=True)
            )
    today = store.today()
    elsewhere = 0
    for row in cards:
        phone = _phone(row, "phone")
        card = existing.get(phone)
        values, given = row.values, row.given
        if "created" not in given and card is None:
            values["created"] = today
            given.add("created")
        if "customer_type" in given:
            row.customer_type = values["customer_type"]
        else:
            row.customer_type = card.customer_type if card else CustomerType.PROSPECT
        if "owner_kind" in given or not ("customer_type" in given or card is None):
            continue
        if row.customer_type != CustomerType.OWNER or phone in ordered:
            values["owner_kind"] = OwnerKind.NONE
        else:
            kept = card.owner_kind if card else ""
            values["owner_kind"] = kept or OwnerKind.OWN_BRAND_ELSEWHERE
            elsewhere += values["owner_kind"] == OwnerKind.OWN_BRAND_ELSEWHERE
        given.add("owner_kind")
    if elsewhere:
        report.notices.append(
            _(
                "%(form)s (%(store)s): %(count)d owner(s) without an order of this store "
                "recorded as own-brand owners sold elsewhere"
            )
            % {"form": cards[0].form.zh, "store": store.code, "count": elsewhere}
        )


def after_cards(written: list[Written], store: Store, user: Staff | None) -> None:
    """Grade changes of the imported cards, and the cars of their owners."""
    today = store.today()
    changes = []
    for item in written:
        card = item.obj
        if item.before is None and card.grade:
            changes.append(
                GradeChange(
                    store=store,
                    customer=card,
                    date=card.created,
                    old_grade="",
                    new_grade=card.grade,
                    changed_by=user,
                )
            )
        elif item.before is not None and "grade" in item.before:
            changes.append(
                GradeChange(
                    store=store,
                    customer=card,
                    date=today,
                    old_grade=item.before["grade"],
                    new_grade=card.grade,
                    changed_by=user,
                )
            )
    GradeChange.objects.bulk_create(changes)
    cars = [
        w
        for w in written
        if w.row.customer_type == CustomerType.OWNER
        and (w.row.values["vin"] or w.row.values["plate"])
    ]
    if not cars:
        return
    vehicles = _vehicles(store, [w.obj.pk for w in cars])
    new: list[Vehicle] = []
    for item in cars:
        card, vin, plate = item.obj, item.row.values["vin"] or "", item.row.values["plate"] or ""
        mine = [
            v for v in vehicles[card.pk] if (vin and v.vin == vin) or (not vin and v.plate == plate)
        ]
        if mine:
            _update(mine[0], vin=vin or mine[0].vin, plate=plate or mine[0].plate)
            continue
        vehicle = Vehicle(
            store=store,
            customer=card,
            vin=vin,
            plate=plate,
            model=card.model,
            brand="" if card.owner_kind == OwnerKind.OTHER_BRAND else store.brand,
        )
        new.append(vehicle)
        vehicles[card.pk].append(vehicle)
    Vehicle.objects.bulk_create(new, batch_size=CHUNK)


def after_orders(written: list[Written], store: Store) -> None:
    """A delivered order is a car sold here: its owners.Vehicle, linked to the order."""
    delivered = [w.obj for w in written if w.obj.delivery_date and not w.obj.cancelled]
    if not delivered:
        return
    vehicles = _vehicles(store, sorted({o.customer_id for o in delivered}))
    new: list[Vehicle] = []
    for order in delivered:
        mine = vehicles[order.customer_id]
        found = next((v for v in mine if v.order_id == order.pk), None)
        if found is None and order.vin:
            found = next((v for v in mine if v.order_id is None and v.vin == order.vin), None)
        if found is not None:
            _update(
                found,
                order_id=order.pk,
                vin=order.vin or found.vin,
                model=order.model,
                delivery_date=order.delivery_date,
            )
            continue
        vehicle = Vehicle(
            store=store,
            customer_id=order.customer_id,
            order=order,
            vin=order.vin,
            model=order.model,
            brand=store.brand,
            delivery_date=order.delivery_date,
        )
        new.append(vehicle)
        mine.append(vehicle)
    Vehicle.objects.bulk_create(new, batch_size=CHUNK)


def after_activities(written: list[Written], store: Store, user: Staff | None) -> None:
    """The grade history of every card whose activities the import added or changed, rebuilt
    from the 级别 of all its activities: every grade change is made with a contact, so the
    activities carry it (docs/glossary.md). A card whose history already says the same keeps
    its rows untouched."""
    touched = sorted({w.obj.customer_id for w in written if w.before is None or w.before})
    for start in range(0, len(touched), CHUNK):
        chunk = touched[start : start + CHUNK]
        graded: dict[int, list[tuple[Any, str, int]]] = defaultdict(list)
        activities = (
            Activity.objects.filter(customer_id__in=chunk)
            .exclude(grade_after="")
            .order_by("date", "id")
            .values_list("customer_id", "date", "grade_after", "consultant_id")
        )
        for customer_id, day, grade, consultant_id in activities:
            graded[customer_id].append((day, grade, consultant_id))
        logged: dict[int, list[GradeChange]] = defaultdict(list)
        for change in GradeChange.objects.filter(customer_id__in=chunk).order_by("date", "id"):
            logged[change.customer_id].append(change)
        stale: list[int] = []
        new: list[GradeChange] = []
        for customer_id in chunk:
            wanted = []
            previous = ""
            for day, grade, consultant_id in graded[customer_id]:
                if grade != previous:
                    wanted.append((day, previous, grade, consultant_id))
                    previous = grade
            have = [(g.date, g.old_grade, g.new_grade) for g in logged[customer_id]]
            if not wanted or have == [w[:3] for w in wanted]:
                continue
            stale.extend(g.pk for g in logged[customer_id])
            new.extend(
                GradeChange(
                    store=store,
                    customer_id=customer_id,
                    date=day,
                    old_grade=old,
                    new_grade=grade,
                    changed_by_id=consultant_id,
                )
                for day, old, grade, consultant_id in wanted
            )
        GradeChange.objects.filter(pk__in=stale).delete()
        GradeChange.objects.bulk_create(new, batch_size=CHUNK)


def after_service_visits(written: list[Written], store: Store) -> None:
    """A visit names its car by VIN (else plate) as the after-sales system gives them: linked
    to the owner's car with that VIN or plate, when the owner has one."""
    open_visits = [
        w.obj for w in written if w.obj.vehicle_id is None and (w.obj.vin or w.obj.plate)
    ]
    if not open_visits:
        return
    vehicles = _vehicles(store, sorted({v.customer_id for v in open_visits}))
    linked = []
    for visit in open_visits:
        mine = vehicles[visit.customer_id]
        found = next((v for v in mine if visit.vin and v.vin == visit.vin), None)
        if found is None and visit.plate:
            found = next((v for v in mine if v.plate == visit.plate), None)
        if found is not None:
            visit.vehicle_id = found.pk
            linked.append(visit)
    ServiceVisit.objects.bulk_update(linked, ["vehicle"], batch_size=CHUNK)


def _vehicles(store: Store, customer_ids: list[int]) -> dict[int, list[Vehicle]]:
    found: dict[int, list[Vehicle]] = defaultdict(list)
    for start in range(0, len(customer_ids), CHUNK):
        chunk = customer_ids[start : start + CHUNK]
        for vehicle in Vehicle.objects.filter(store=store, customer_id__in=chunk).order_by("id"):
            found[vehicle.customer_id].append(vehicle)
    return found


def _update(vehicle: Vehicle, **values: Any) -> None:
    changed = [name for name, value in values.items() if getattr(vehicle, name) != value]
    for name in changed:
        setattr(vehicle, name, values[name])
    if changed:
        vehicle.save(update_fields=changed)
