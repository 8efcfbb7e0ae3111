"""Dates and times as people and other systems write them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from django.utils.translation import gettext as _

_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})\s*[:：点]\s*(\d{2})(?:\s*[:：]\s*(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


# No dealer's record is older: an earlier date is a slip (a number in a date column, a
# two-digit year) and would put the row in a month no report shows.
EARLIEST_DATE = date(2000, 1, 1)


def too_early_error(day: date | None) -> str | None:
    """Why `day` cannot be a record's date, or None."""
    if day is not None and day < EARLIEST_DATE:
        return _("A date before 2000 cannot be right (%(date)s).") % {"date": day.isoformat()}
    return None


def _offset(text: str) -> tzinfo:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(sign * timedelta(minutes=minutes))


def parse_datetime(text: str, tz: tzinfo) -> datetime | None:
    """'2026-10-01 09:30', '2026/10/1 9:30:15', '2026-10-01T09:30:00+08:00' -> an aware
    datetime; without an offset the time is the store's local time. None if not one."""
    match = _DATETIME.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    if hour is None:
        return None  # a date alone: the time is required
    try:
        naive = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    return naive.replace(tzinfo=_offset(offset) if offset else tz)
