"""Lead intake (docs/contracts.md, Lead API): POST /api/leads as JSON or as ADF 1.0 XML.

JSON: {"store": "BJ01", "created_at": "2026-10-03 20:15", "channel": "internet",
"name": "…", "phone": "…", "email": "…", "model": "…", "notes": "…"} (created_at, email,
model and notes may be left out). ADF: Content-Type application/xml or text/xml; the store is
the ?store= parameter or the <vendor>'s name or id, the channel the <provider>'s name (a
source of the store) or internet.

Authentication: a staff login (session) or the X-API-Key header holding a store's key (made
on the lead API keys screen: it writes leads of that store only, 403 otherwise) or the
deprecated group-wide SHOWROOM_LEAD_API_KEY. Answers 201 {"id", "created": true} for a new
lead, 200 with "created": false for one already there (same store, phone and moment), 422
with a message; 400 or 413 for a body refused by api_guard, 429 beyond a key's rate limit.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, SessionAuth

from showroom.organization.access import visible_stores
from showroom.organization.choices import Role
from showroom.traffic import api_guard
from showroom.traffic.api_keys import key_for, over_rate
from showroom.traffic.intake.adf import AdfError
from showroom.traffic.intake.leads import (
    LeadError,
    LeadIn,
    lead_from_adf,
    lead_from_json,
    save_lead,
)
from showroom.traffic.models import LeadApiKey

router = Router(tags=["leads"])

# Who may log a lead with their own login: those who take or work leads.
LEAD_ROLES = (
    Role.DCC,
    Role.RECEPTIONIST,
    Role.CONSULTANT,
    Role.MANAGER,
    Role.ASSISTANT,
    Role.CRM,
    Role.GENERAL_MANAGER,
)
XML_TYPES = ("application/xml", "text/xml")


class LeadKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        expected = settings.LEAD_API_KEY
        if expected and key and secrets.compare_digest(key.encode(), expected.encode()):
            return "api-key"
        return key_for(key) if key else None


class StaffSession(SessionAuth):
    """The staff login; a request without one is simply not this kind (no CSRF answer)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


class LeadOut(Schema):
    id: int
    created: bool


_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": LeadIn.model_json_schema()},
            "application/xml": {"schema": {"type": "string", "description": "ADF 1.0"}},
        },
        "required": True,
    }
}


@router.post(
    "",
    auth=[LeadKey(), StaffSession()],
    response={201: LeadOut, 200: LeadOut},
    openapi_extra=_BODY,
    summary="Add a lead (JSON or ADF 1.0 XML)",
)
def add_lead(request: HttpRequest, store: str | None = None) -> Status[dict[str, Any]]:
    auth = request.auth  # type: ignore[attr-defined]
    store_key = auth if isinstance(auth, LeadApiKey) else None
    user = None if store_key is not None or auth == "api-key" else request.user
    if user is None and over_rate(name=str(store_key.pk) if store_key else "group"):
        raise HttpError(429, _("Too many requests with this key: wait a minute"))
    body = api_guard.read_body(request)
    if store is not None:
        api_guard.check_text(store, "store")
    if user is not None and not user.has_role(*LEAD_ROLES):  # type: ignore[union-attr]
        raise HttpError(403, "forbidden")
    stores = list(visible_stores(user)) if user is not None else None  # type: ignore[arg-type]
    # A store's key names its own store: found without reading every store.
    likely = store_key.store if store_key is not None else None
    content_type = request.content_type.lower() if request.content_type else ""
    try:
        if content_type in XML_TYPES or (not content_type and body.lstrip()[:1] == b"<"):
            new = lead_from_adf(body, store=store, stores=stores, likely=likely)
        else:
            api_guard.check_json(body)
            new = lead_from_json(body, store=store, stores=stores, likely=likely)
        if store_key is not None and new.store.pk != store_key.store_id:
            raise HttpError(403, _("This key writes leads of its own store only"))
        api_guard.check_created_at(new.created_at)
        for label in ("name", "phone", "email", "model", "notes"):
            api_guard.check_text(getattr(new, label), label)
        lead, created = save_lead(new, user=user)  # type: ignore[arg-type]
    except (LeadError, AdfError) as exc:
        raise HttpError(422, str(exc)) from None
    except OverflowError:  # a date at the calendar's edge, moved into another time zone
        raise api_guard.date_out_of_range() from None
    return Status(201 if created else 200, {"id": lead.pk, "created": created})
