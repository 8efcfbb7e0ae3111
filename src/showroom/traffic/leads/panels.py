"""The lead desk's part of a consultant's "My day" (sales registers it on its panel hook):
today's appointments with them and the leads given to them that nobody has called yet."""

from __future__ import annotations

from showroom.core.hooks import Panel
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.traffic.leads import selectors


def appointments_and_leads(*, user: Staff, store: Store, consultant: Staff) -> Panel | None:
    today = store.today()
    appointments = access.with_shown_phones(
        list(
            selectors.calendar(
                user=user, store=store, start=today, end=today, consultant=consultant.pk
            )
        ),
        user,
    )
    waiting = list(selectors.waiting_for(user=user, store=store, agent=consultant)[:20])
    if not appointments and not waiting:
        return None
    for lead in waiting:
        lead.shown_phone = access.shown_phone(  # type: ignore[attr-defined]
            user, lead.phone, owner_id=lead.assigned_to_id
        )
    return Panel(
        "traffic/leads/_my_day.html",
        {"appointments": appointments, "waiting": waiting},
        order=5,
    )
