"""The CRM's parts of a consultant's "My day": the open data exceptions that are theirs to fix
and the people the call lists handed them, until an order or a close."""

from __future__ import annotations

from showroom.core.hooks import Panel
from showroom.crm.crosscheck import checks as crosscheck
from showroom.crm.lists import selectors as list_selectors
from showroom.organization import access
from showroom.organization.models import Staff, Store


def data_exceptions(*, user: Staff, store: Store, consultant: Staff) -> Panel | None:
    exceptions = list(crosscheck.open_for(store=store, consultant=consultant)[:50])
    if not exceptions:
        return None
    for x in exceptions:
        x.fix_url = crosscheck.fix_url(x.key)  # type: ignore[attr-defined]
    return Panel("crm/crosscheck/_my_exceptions.html", {"exceptions": exceptions}, order=10)


def call_list_entries(*, user: Staff, store: Store, consultant: Staff) -> Panel | None:
    entries = list(list_selectors.my_entries(user=user, consultant=consultant, store=store))
    if not entries:
        return None
    for e in entries:
        e.shown_phone = access.shown_phone(user, e.phone, owner_id=consultant.pk)  # type: ignore[attr-defined]
    return Panel("crm/lists/_my_day.html", {"entries": entries}, order=20)
