"""What POST /api/leads refuses before a body is read as a lead: hostile or broken input gets
a 4xx with a message, never a server error (docs/security.md).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError

# Deeper JSON than this is refused before it is parsed (a lead is one flat object).
MAX_DEPTH = 20
# A lead's creation date must fall in these years.
FIRST_YEAR, LAST_YEAR = 2000, 2100

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The year a date starts with ("0001-01-01", "9999/12/31 23:59").
_YEAR = re.compile(r"\s*(\d{4})\s*[-/.年]")


def read_body(request: HttpRequest) -> bytes:
    limit = settings.LEAD_API_MAX_BYTES
    too_big = HttpError(
        413, _("The request body is larger than %(limit)d bytes") % {"limit": limit}
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HttpError(400, _("Invalid Content-Length")) from None
    if declared > limit:
        raise too_big
    try:
        body = request.body
    except RequestDataTooBig:
        raise too_big from None
    if len(body) > limit:
        raise too_big
    return body


def text_error(value: str) -> str | None:
    """Why `value` cannot be stored: a control character or invalid Unicode; None if it can."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("invalid Unicode")
    if _CONTROL.search(value):
        return _("a control character")
    return None


def check_text(value: str, label: str) -> None:
    if (error := text_error(value)) is not None:
        raise HttpError(400, _("%(field)s holds %(error)s") % {"field": label, "error": error})


def check_json(body: bytes) -> None:
    """Refuses JSON that is not UTF-8, nests too deep, or holds text that cannot be stored.

    Leaves other faults (not JSON at all, missing fields) to the lead parser's messages.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, _("The body is not valid UTF-8")) from None
    depth = deepest = 0
    for char in _STRING.sub("", text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                raise HttpError(
                    400, _("The JSON nests deeper than %(depth)d levels") % {"depth": MAX_DEPTH}
                )
        elif char in "]}":
            depth -= 1
    try:
        data = json.loads(text)
    except ValueError:
        return
    _check_values(data, "body")
    if isinstance(data, dict) and isinstance(data.get("created_at"), str):
        # A date alone is not a valid created_at, but one out of range is refused as such.
        year = _YEAR.match(data["created_at"])
        if year and not FIRST_YEAR <= int(year.group(1)) <= LAST_YEAR:
            raise date_out_of_range()


def _check_values(value: Any, label: str) -> None:
    if isinstance(value, str):
        check_text(value, label)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, label)
            _check_values(item, str(key) if text_error(str(key)) is None else label)
    elif isinstance(value, list):
        for item in value:
            _check_values(item, label)


def date_out_of_range() -> HttpError:
    return HttpError(
        400,
        _("The lead's date is out of range (years %(first)d to %(last)d)")
        % {"first": FIRST_YEAR, "last": LAST_YEAR},
    )


def check_created_at(created_at: datetime | None) -> None:
    if created_at is not None and not FIRST_YEAR <= created_at.year <= LAST_YEAR:
        raise date_out_of_range()
