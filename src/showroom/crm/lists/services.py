"""The call-list workflow (客户名单筛选 / 客户激活, 售后招揽): the CRM builds a
list and calls it, submits the interested people, the sales manager assigns consultants (or,
after-sales lists, hands them to the service side), the consultant follows up until an order
or a close.

A won or lost outcome is not stored here: it is read from the orders, service visits and loss
records (crm.list_selectors), so it can never disagree with them. Only the consultant's own
close (with a reason) is written on the entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from showroom.core.tables import ReadError, Table, as_text, is_empty, read_tables
from showroom.core.text import CONTROL_MESSAGE, control_character_error
from showroom.core.versions import claim
from showroom.crm.choices import AFTERSALES_KINDS, CallOutcome, EntryResult, ListKind, ListStatus
from showroom.crm.lists import builders as lists
from showroom.crm.models import CallList, CallListEntry
from showroom.customers.choices import CustomerType
from showroom.customers.models import Customer, Source
from showroom.customers.phones import normalize_phone
from showroom.customers.services import DuplicateCustomer, create_prospect, find_duplicate
from showroom.organization.models import Staff, Store
from showroom.sales.choices import LossKind
from showroom.sales.funnel import closed_by
from showroom.sales.models import Reactivation
from showroom.sales.prospects.services import hand_over

# Handing these back to sales makes a closed card a new prospect (docs/contracts.md).
ACTIVATION_KINDS = frozenset({ListKind.DORMANT, ListKind.ACTIVATION})
MAX_IMPORT_ROWS = 5000


def create_list(
    *, store: Store, user: Staff, kind: str, name: str, params: dict[str, Any]
) -> CallList:
    """A new list of `kind` with today's candidates (the same rows the preview counted)."""
    today = store.today()
    build = dict(params)
    campaign = build.pop("campaign", None)
    if campaign is not None:
        build["campaign"] = campaign
        params = {**params, "campaign": campaign.pk}
    with transaction.atomic():
        rows = lists.candidates(kind=kind, store=store, on=today, **build)
        call_list = CallList.objects.create(
            store=store, kind=kind, name=name, created_on=today, created_by=user, params=params
        )
        CallListEntry.objects.bulk_create(
            [
                CallListEntry(
                    store=store,
                    call_list=call_list,
                    customer_id=row["customer_id"],
                    vehicle_id=row["vehicle_id"],
                    name=row["name"][:50],
                    phone=row["phone"],
                    phone_norm=normalize_phone(row["phone"]),
                    due_date=row["due"],
                    reason=_detail(kind, row["detail"]),
                )
                for row in rows
            ]
        )
    return call_list


def _detail(kind: str, detail: Any) -> str:
    if kind == ListKind.ACTIVATION and detail in LossKind.values:
        return str(LossKind(detail).label)
    return str(detail or "")[:200]


# --- Imported partner and exhibition lists -----------------------------------------------------

# Header names the import accepts (normalized: no spaces, lower case).
HEADERS = {
    "name": ("姓名", "客户姓名", "name"),
    "phone": ("电话", "手机", "联系电话", "手机号", "phone", "mobile"),
    "model": ("车型", "意向车型", "model"),
    "notes": ("备注", "说明", "notes", "note"),
}


@dataclass
class ImportResult:
    call_list: CallList | None
    errors: list[str]


def _header_map(row: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = as_text(cell).replace(" ", "").lower()
        for field, names in HEADERS.items():
            if key in names and field not in found:
                found[field] = index
    return found


def read_partner_rows(tables: Sequence[Table]) -> tuple[list[dict[str, str]], list[str]]:
    """Rows of the first sheet with a name and a phone column; (rows, errors in the user's
    language, each naming the Excel row)."""
    for table in tables:
        for index, header in enumerate(table.rows[:10]):
            columns = _header_map(header)
            if "name" in columns and "phone" in columns:
                return _partner_rows(table.rows, index, columns)
    return [], [_("No header row with a name and a phone column (姓名, 电话).")]


def _partner_rows(
    rows: list[list[Any]], header_index: int, columns: dict[str, int]
) -> tuple[list[dict[str, str]], list[str]]:
    def cell(row: list[Any], field: str) -> str:
        i = columns.get(field)
        return as_text(row[i]).strip() if i is not None and i < len(row) else ""

    out: list[dict[str, str]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if all(is_empty(c) for c in row):
            continue
        if any(isinstance(c, str) and control_character_error(c) for c in row):
            errors.append(_("Row %(row)d: %(reason)s") % {"row": index, "reason": CONTROL_MESSAGE})
        name, phone = cell(row, "name"), cell(row, "phone")
        norm = normalize_phone(phone)
        if not name:
            errors.append(_("Row %(row)d: the name is missing.") % {"row": index})
        if not norm:
            errors.append(_("Row %(row)d: the phone is missing.") % {"row": index})
        elif not 7 <= len(norm) <= 15:
            errors.append(
                _("Row %(row)d: %(phone)s is not a phone number.") % {"row": index, "phone": phone}
            )
        elif norm in seen:
            errors.append(
                _("Row %(row)d: the phone %(phone)s is already on row %(first)d.")
                % {"row": index, "phone": phone, "first": seen[norm]}
            )
        else:
            seen[norm] = index
        if len(name) > 50:
            errors.append(_("Row %(row)d: the name is longer than 50 characters.") % {"row": index})
        out.append(
            {
                "name": name,
                "phone": phone,
                "phone_norm": norm,
                "model": cell(row, "model")[:50],
                "notes": cell(row, "notes")[:200],
            }
        )
    if not out and not errors:
        errors.append(_("The file holds no rows below its header."))
    if len(out) > MAX_IMPORT_ROWS:
        errors.append(_("At most %(n)d rows per list.") % {"n": MAX_IMPORT_ROWS})
    return out, errors


def import_partner_list(
    *, store: Store, user: Staff, name: str, path: Path, filename: str
) -> ImportResult:
    """An exhibition or partner list from a workbook or CSV (姓名, 电话, 车型, 备注): all rows or
    none. Phones are matched to the store's cards; people already on an open partner list
    are an error (nobody twice on open lists of the same kind)."""
    try:
        tables = read_tables(path)
    except ReadError as exc:
        return ImportResult(None, [str(exc.reason)])
    rows, errors = read_partner_rows(tables)
    if errors:
        return ImportResult(None, errors)
    phones = [r["phone_norm"] for r in rows]
    cards = {
        c.phone_norm: c.pk for c in Customer.objects.filter(store=store, phone_norm__in=phones)
    }
    listed = set(
        CallListEntry.objects.filter(
            store=store,
            call_list__kind=ListKind.PARTNER,
            call_list__status__in=lists.OPEN_LIST,
            phone_norm__in=phones,
        ).values_list("phone_norm", flat=True)
    )
    for row in rows:
        if row["phone_norm"] in listed:
            errors.append(
                _("%(name)s %(phone)s is already on an open partner list.")
                % {"name": row["name"], "phone": row["phone"]}
            )
    if errors:
        return ImportResult(None, errors)
    today = store.today()
    with transaction.atomic():
        call_list = CallList.objects.create(
            store=store,
            kind=ListKind.PARTNER,
            name=name,
            created_on=today,
            created_by=user,
            params={"file": filename[:100], "rows": len(rows)},
        )
        CallListEntry.objects.bulk_create(
            [
                CallListEntry(
                    store=store,
                    call_list=call_list,
                    customer_id=cards.get(r["phone_norm"]),
                    name=r["name"],
                    phone=r["phone"],
                    phone_norm=r["phone_norm"],
                    intended_model=r["model"],
                    reason=r["notes"],
                    due_date=today,
                )
                for r in rows
            ]
        )
    return ImportResult(call_list, [])


# --- Calling ------------------------------------------------------------------------------------


def _claim(entry: CallListEntry, expected_version: int) -> bool:
    version = claim(CallListEntry, entry.pk, expected_version)
    if version is not None:
        entry.version = version
    return version is not None


def record_call(
    entry: CallListEntry,
    *,
    user: Staff,
    expected_version: int,
    outcome: str,
    intended_model: str,
    notes: str,
) -> bool:
    """The CRM's call: outcome, intended model, notes. False if someone saved the entry in
    between (nothing written). Once submitted, the outcome stays interested."""
    if entry.submitted_on is not None and outcome != CallOutcome.INTERESTED:
        raise ValidationError(_("This person was already submitted as interested."))
    with transaction.atomic():
        if not _claim(entry, expected_version):
            return False
        entry.outcome = outcome
        entry.intended_model = intended_model.strip()
        entry.notes = notes.strip()
        entry.called_on = entry.store.today()
        entry.called_by = user
        entry.save(update_fields=["outcome", "intended_model", "notes", "called_on", "called_by"])
    return True


def submit_list(call_list: CallList, *, user: Staff) -> int:
    """Submit the interested people not yet submitted to the sales manager (提交名单)."""
    today = call_list.store.today()
    with transaction.atomic():
        count = CallListEntry.objects.filter(
            call_list=call_list, outcome=CallOutcome.INTERESTED, submitted_on=None
        ).update(submitted_on=today, version=F("version") + 1)
        if not count:
            raise ValidationError(_("Nobody on this list is marked interested and unsubmitted."))
        call_list.status = ListStatus.SUBMITTED
        call_list.submitted_on = today
        call_list.version += 1
        call_list.save(update_fields=["status", "submitted_on", "version"])
    return count


def close_list(call_list: CallList, *, user: Staff) -> None:
    """No more calls on this list: its people may go on a new list of the same kind."""
    call_list.status = ListStatus.CLOSED
    call_list.version += 1
    call_list.save(update_fields=["status", "version"])


# --- Assigning ----------------------------------------------------------------------------------


def assign(entries: Sequence[CallListEntry], *, consultant: Staff | None, user: Staff) -> int:
    """The sales manager hands submitted entries on (分派销售顾问跟进): to `consultant` for
    sales lists — the card becomes his (a handover), and a lost or out-of-control card handed
    back through an activation list is re-activated, a new prospect from today; after-sales
    lists go to the service side (`consultant` None). Returns how many were assigned."""
    done = 0
    with transaction.atomic():
        for entry in entries:
            call_list = entry.call_list
            today = entry.store.today()
            aftersales = call_list.kind in AFTERSALES_KINDS
            if entry.submitted_on is None or entry.result:
                continue
            if aftersales:
                if entry.assigned_on is not None:
                    continue
                to = None
            else:
                if consultant is None:
                    raise ValidationError(_("Choose a consultant."))
                if not consultant.has_role("consultant") or consultant.store_id != entry.store_id:
                    raise ValidationError(_("Only a consultant of this store can follow up."))
                if entry.assigned_to_id == consultant.pk:
                    continue
                to = consultant
            CallListEntry.objects.filter(pk=entry.pk).update(
                assigned_to=to, assigned_on=today, assigned_by=user, version=F("version") + 1
            )
            entry.assigned_to, entry.assigned_on, entry.assigned_by = to, today, user
            entry.version += 1
            done += 1
            if to is not None and entry.customer_id is not None:
                _hand_card(entry, to=to, user=user, day=today, kind=call_list.kind)
    return done


def _hand_card(entry: CallListEntry, *, to: Staff, user: Staff, day: date, kind: str) -> None:
    card = Customer.objects.select_related("store").get(pk=entry.customer_id or 0)
    reason = _("Call list: %(name)s") % {"name": entry.call_list.name}
    if card.consultant_id != to.pk:
        hand_over(customers=[card], receivers=[to], by=user, day=day, reason=reason[:200])
        card.refresh_from_db()
    if kind in ACTIVATION_KINDS:
        reactivate(card, consultant=to, user=user, day=day, reason=reason[:200])


def reactivate(card: Customer, *, consultant: Staff, user: Staff, day: date, reason: str) -> bool:
    """A card closed by a loss (or an order) on `day` goes back to sales: a new prospect from
    `day`, due for a follow-up today. A card still open (dormant but never closed)
    is already a prospect and is not counted a second time. True if re-activated."""
    closed = Customer.objects.filter(closed_by(day), pk=card.pk).exists()
    if not closed:
        if card.next_follow_up is None or card.next_follow_up > day:
            Customer.objects.filter(pk=card.pk).update(next_follow_up=day, version=F("version") + 1)
        return False
    Reactivation.objects.create(
        store_id=card.store_id,
        customer=card,
        date=day,
        consultant=consultant,
        by=user,
        reason=reason,
    )
    card.customer_type = CustomerType.PROSPECT
    card.next_follow_up = day
    card.version += 1
    card._history_user = user  # type: ignore[attr-defined]
    card.save(update_fields=["customer_type", "next_follow_up", "version"])
    return True


# --- Following up -------------------------------------------------------------------------------


def card_for_entry(entry: CallListEntry, *, user: Staff) -> Customer:
    """The card of an entry that has none (an imported partner row): an existing card with
    the same phone, or a new prospect of the assigned consultant through the usual card
    path, its source the exhibition (车展/外展) list."""
    if entry.customer_id is not None:
        return Customer.objects.get(pk=entry.customer_id)
    store = entry.store
    consultant = entry.assigned_to
    card = find_duplicate(store=store, phone=entry.phone, name=entry.name)
    if card is None:
        try:
            card = create_prospect(
                store=store,
                user=user,
                consultant=consultant,
                name=entry.name,
                phone=entry.phone,
                model=entry.intended_model,
                purchase_timeframe="",
                source=Source.for_store(store).filter(code="exhibition").first(),
                notes=entry.notes,
            )
        except DuplicateCustomer as dup:
            card = dup.customer
    elif consultant is not None and card.consultant_id != consultant.pk:
        hand_over(
            customers=[card],
            receivers=[consultant],
            by=user,
            day=store.today(),
            reason=(_("Call list: %(name)s") % {"name": entry.call_list.name})[:200],
        )
    CallListEntry.objects.filter(pk=entry.pk).update(customer=card, version=F("version") + 1)
    entry.customer = card
    entry.version += 1
    return card


def close_entry(entry: CallListEntry, *, user: Staff, expected_version: int, reason: str) -> bool:
    """The consultant (or the manager) closes a follow-up that will not lead to a sale."""
    if not reason.strip():
        raise ValidationError(_("Say why it is closed."))
    with transaction.atomic():
        if not _claim(entry, expected_version):
            return False
        entry.result = EntryResult.CLOSED
        entry.result_date = entry.store.today()
        entry.close_reason = reason.strip()[:200]
        entry.save(update_fields=["result", "result_date", "close_reason"])
    return True
