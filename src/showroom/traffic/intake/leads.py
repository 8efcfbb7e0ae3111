"""Leads that arrive through the API (docs/contracts.md, Lead API): checked, deduplicated, saved.

A lead is the same lead when its store, normalized phone and creation moment are the same
(a sender retrying, or the same lead in a later import): it is saved once. An API lead gets
the import_key the import would give the same row, so that importing an export of it finds
it instead of adding it twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ValidationError as SchemaError

from showroom.core.hooks import Hook
from showroom.core.text import fold
from showroom.customers.models import Customer, Source
from showroom.customers.phones import normalize_phone
from showroom.customers.selectors import sources_by_name
from showroom.organization.models import Staff, Store
from showroom.traffic.intake.adf import parse_adf, parse_date
from showroom.traffic.leads.services import assign_by_rule
from showroom.traffic.models import Lead

DEFAULT_CHANNEL = "internet"

# Called with (store=, created_at=, phone=): the import_key the workbook import gives a lead
# row of these values. The app that imports workbooks registers.
import_key: Hook[str] = Hook("traffic.lead_import_key")


class LeadError(ValueError):
    pass


class LeadIn(Schema):
    """A lead as JSON; created_at in the store's local time unless it names an offset."""

    store: str | None = None
    created_at: str | None = None
    channel: str
    name: str = ""
    phone: str
    email: str | None = None
    model: str | None = None
    notes: str | None = None


@dataclass
class NewLead:
    store: Store
    channel: Source
    phone: str
    created_at: datetime | None = None  # None: now
    name: str = ""
    email: str = ""
    model: str = ""
    notes: str = ""


def find_store(
    *names: str, stores: list[Store] | None = None, likely: Store | None = None
) -> Store | None:
    """A store by its code or name, as a sender spells it (any case, full-width or not).
    `likely`: the store the first name most probably is (an API key's own), taken without
    reading every store when it is."""
    wanted = [fold(n) for n in names if n and n.strip()]
    if likely is not None and wanted and wanted[0] in (fold(likely.code), fold(likely.name)):
        return likely
    candidates = stores if stores is not None else list(Store.objects.all())
    for name in wanted:
        for store in candidates:
            if name in (fold(store.code), fold(store.name)):
                return store
    return None


def find_channel(store: Store, text: str, *, default: str | None = None) -> Source:
    """A source by code, Chinese or English name; else `default`'s, else LeadError."""
    found = sources_by_name(store).get(fold(text)) if text.strip() else None
    if found is None and default is not None:
        found = Source.for_store(store).filter(code=default).order_by("store").first()
    if found is None:
        raise LeadError(
            _("Unknown channel “%(channel)s”; use a source code or name of the store")
            % {"channel": text}
        )
    return found


def check_text(value: str, limit: int, label: str) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise LeadError(
            _("%(field)s is too long: at most %(max)d characters") % {"field": label, "max": limit}
        )
    return value


def save_lead(new: NewLead, *, user: Staff | None = None) -> tuple[Lead, bool]:
    """The lead, and whether it is new (False: the same lead was already there)."""
    phone = check_text(new.phone, 32, "phone")
    if not normalize_phone(phone):
        raise LeadError(_("A phone number with digits is required"))
    email = check_text(new.email, 254, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise LeadError(_("Invalid email address “%(email)s”") % {"email": email}) from None
    created_at = (new.created_at or timezone.now()).replace(microsecond=0)
    key = next(iter(import_key.results(store=new.store, created_at=created_at, phone=phone)), "")
    lead = Lead(
        store=new.store,
        created_at=created_at,
        channel=new.channel,
        name=check_text(new.name, 50, "name"),
        phone=phone,
        email=email,
        model=check_text(new.model, 50, "model"),
        notes=new.notes.strip()[:500],
        import_key=key,
    )
    with transaction.atomic():
        same = Lead.objects.select_for_update().filter(
            store=new.store, phone_norm=normalize_phone(phone), created_at=created_at
        )
        existing = same.first() or Lead.objects.filter(store=new.store, import_key=key).first()
        if existing is not None:
            return existing, False
        lead.customer = Customer.objects.filter(
            store=new.store, phone_norm=normalize_phone(phone)
        ).first()
        if user is not None:
            lead._history_user = user  # type: ignore[attr-defined]
        assign_by_rule(lead)
        lead.save()
    return lead, True


def _store(names: list[str], stores: list[Store] | None, likely: Store | None) -> Store:
    """The store named; `stores`: those a login may see (None: any, for the API key)."""
    found = find_store(*names, stores=stores, likely=likely)
    if found is None:
        if not any(n.strip() for n in names):
            raise LeadError(_("No store given: name it (store, or ?store= for ADF)"))
        raise LeadError(_("Unknown store “%(store)s”") % {"store": next(n for n in names if n)})
    return found


def lead_from_json(
    body: bytes, *, store: str | None, stores: list[Store] | None, likely: Store | None = None
) -> NewLead:
    if not body.strip():
        raise LeadError(_("The request has no body"))
    try:
        data = LeadIn.model_validate(json.loads(body))
    except (ValueError, SchemaError) as exc:
        if isinstance(exc, SchemaError):
            fields = ", ".join(".".join(map(str, e["loc"])) or "body" for e in exc.errors())
            raise LeadError(
                _("Missing or invalid fields: %(fields)s") % {"fields": fields}
            ) from None
        raise LeadError(_("The body is not JSON: %(error)s") % {"error": exc}) from None
    found = _store([data.store or "", store or ""], stores, likely)
    created_at: datetime | None = None
    if data.created_at:
        created_at = parse_date(data.created_at, found.tz)
        if created_at is None:
            raise LeadError(
                _("Invalid created_at “%(value)s”, expected YYYY-MM-DD HH:MM")
                % {"value": data.created_at}
            )
    return NewLead(
        store=found,
        channel=find_channel(found, data.channel),
        phone=data.phone,
        created_at=created_at,
        name=data.name,
        email=data.email or "",
        model=data.model or "",
        notes=data.notes or "",
    )


def lead_from_adf(
    body: bytes, *, store: str | None, stores: list[Store] | None, likely: Store | None = None
) -> NewLead:
    lead = parse_adf(body)
    found = _store([store or "", *lead.vendor], stores, likely)
    return NewLead(
        store=found,
        channel=find_channel(found, lead.provider, default=DEFAULT_CHANNEL),
        phone=lead.phone,
        # A date that cannot be read is no reason to lose the lead: it is logged as received.
        created_at=parse_date(lead.requestdate, found.tz),
        name=lead.name,
        email=lead.email if _valid_email(lead.email) else "",
        model=lead.model,
        notes="\n".join(lead.notes),
    )


def _valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True
