"""Where a notice leads, and what it says about a lead.

A notice keeps a URL name of the screen table and a row id; the link is made when the list
is shown, and only if its reader may open that screen.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from showroom.notices.models import NoticeKind
from showroom.notices.services import Draft
from showroom.organization import permissions
from showroom.organization.models import Staff
from showroom.traffic.models import Lead

# The lead's own screen once the lead desk has one; until then a lead leads to its card.
LEAD_SCREEN = "traffic:lead"


def lead_link(lead: Lead) -> tuple[str, int | None]:
    """The URL name and id a notice about `lead` leads to."""
    if LEAD_SCREEN in permissions.SCREENS:
        return LEAD_SCREEN, lead.pk
    if lead.customer_id is not None:
        return "customers:card", lead.customer_id
    return "", None


def lead_text(lead: Lead) -> str:
    who = lead.name or lead.phone
    return f"{who} · {lead.model}" if lead.model else who


def lead_draft(lead: Lead, *, recipient_id: int) -> Draft:
    """The notice telling `recipient_id` of a lead assigned to them (one per lead)."""
    link_name, link_pk = lead_link(lead)
    return Draft(
        recipient_id=recipient_id,
        store_id=lead.store_id,
        kind=NoticeKind.LEAD,
        key=f"lead:{lead.pk}",
        text=lead_text(lead),
        link_name=link_name,
        link_pk=link_pk,
    )


def url_for(user: Staff, link_name: str, link_pk: int | None) -> str:
    """The notice's link for `user`, or "" when there is none or they may not open it."""
    if not link_name or not permissions.allows(user, link_name):
        return ""
    try:
        return reverse(link_name, args=[link_pk] if link_pk is not None else [])
    except NoReverseMatch:
        return ""
