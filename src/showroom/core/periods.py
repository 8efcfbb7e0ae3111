"""The month a screen shows: ?month=YYYY-MM, or the store's current month."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from showroom.core.months import first_of_month, last_of_month, month_range


def requested_month(request: HttpRequest, *, today: date) -> tuple[date, date]:
    """First and last day of ?month=YYYY-MM; the month of `today` (the store's) when there is
    none, or when it is not a month, with a message saying so. Years are kept within 1901–9998
    so that a page may still compare with a year before and link the next month."""
    text = request.GET.get("month", "").strip()
    if text:
        try:
            start, end = month_range(text)
        except ValueError:
            start = end = date.min
        if 1900 < start.year < 9999:
            return start, end
        messages.error(request, _("“%(month)s” is not a month (YYYY-MM).") % {"month": text})
    start = first_of_month(today)
    return start, last_of_month(start)
