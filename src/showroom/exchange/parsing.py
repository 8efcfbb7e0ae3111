"""Cell values of the exchange forms: what a cell may hold, and how it is written back.

Each kind parses one non-empty cell — as calamine hands it over from a workbook (str, float,
bool, date, datetime, time, timedelta) or as text from a CSV file — into the model's value,
and turns a model value back into a workbook cell (Chinese labels) or a CSV field (codes).
A bad cell raises `Invalid` with a reason for the user.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from showroom.core.dates import parse_datetime, too_early_error
from showroom.core.tables import as_text
from showroom.core.text import control_character_error
from showroom.customers.phones import normalize_phone
from showroom.exchange import advice

if TYPE_CHECKING:
    from showroom.customers.models import Source
    from showroom.organization.models import Staff

# Excel's day zero (the 1900 date system as every current Excel writes it).
EXCEL_EPOCH = datetime(1899, 12, 30)
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
# The longest number the international plan allows (E.164).
MAX_PHONE_DIGITS = 15


class Invalid(ValueError):
    def __init__(self, reason: str | Promise) -> None:
        super().__init__(reason)
        self.reason = reason


class Lookups(Protocol):
    """The store's own names a cell may refer to; resolved per store by the import."""

    @property
    def tz(self) -> tzinfo: ...  # the store's zone: a date and time in a sheet is local

    def source(self, text: str) -> Source | None: ...

    def staff(self, text: str, role: str = "consultant") -> Staff | None: ...


def check_cell(raw: object, limit: int | None = None) -> None:
    """What no cell may hold, whatever its column: a control character, or more text than a
    workbook cell can (`limit`, read from the settings when not given)."""
    if isinstance(raw, str):
        reason = control_character_error(raw)
        if reason:
            raise Invalid(reason)
        if limit is None:
            limit = settings.IMPORT_MAX_CELL_CHARS
        if len(raw) > limit:
            raise Invalid(_("Too long: at most %(max)d characters") % {"max": limit})


def _number(raw: object) -> float | None:
    """A number cell (Excel hands every number over as a float); None for anything else."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    return None


class Kind:
    """How one column's cells are read and written. Subclasses override what differs."""

    number_format: str | None = None

    def parse(self, raw: object, lookups: Lookups) -> Any:
        return as_text(raw)

    def to_excel(self, value: Any) -> Any:
        return "" if value is None else value

    def to_csv(self, value: Any) -> str:
        return "" if value is None else str(value)

    def key(self, value: Any) -> str:
        """The value's part of a row's natural key (import_key)."""
        return self.to_csv(value)


class Text(Kind):
    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length

    def parse(self, raw: object, lookups: Lookups) -> str:
        text = as_text(raw)
        if self.max_length and len(text) > self.max_length:
            raise Invalid(_("Too long: at most %(max)d characters") % {"max": self.max_length})
        return text


# The import normalizes each phone several times (its cell, its key, its card, its row's
# phone_norm): once, and read again from here.
normalized_phone = functools.lru_cache(maxsize=1 << 17)(normalize_phone)


class Phone(Text):
    """A phone number as written; rows are matched by its digits (normalize_phone)."""

    def __init__(self, max_length: int | None = None, *, digits_required: bool = False) -> None:
        super().__init__(max_length)
        self.digits_required = digits_required

    def parse(self, raw: object, lookups: Lookups) -> str:
        if isinstance(raw, time | timedelta) or ":" in (text := as_text(raw)):
            raise Invalid(_("Invalid phone number: it looks like a time"))
        if self.max_length and len(text) > self.max_length:  # Text.parse, without a 2nd as_text
            raise Invalid(_("Too long: at most %(max)d characters") % {"max": self.max_length})
        digits = normalized_phone(text)
        if self.digits_required and not digits:
            raise Invalid(_("Invalid phone number: it has no digits"))
        if len(digits) > MAX_PHONE_DIGITS:
            raise Invalid(
                _("Invalid phone number: more than %(max)d digits") % {"max": MAX_PHONE_DIGITS}
            )
        return text

    def key(self, value: Any) -> str:
        return normalized_phone(value)


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+0{1,2}:00(?::00(?:\.0+)?)?)?$"
)


class Date(Kind):
    number_format = DATE_FORMAT

    def parse(self, raw: object, lookups: Lookups) -> date:
        day = self._read(raw)
        reason = too_early_error(day)
        if reason and _number(raw) is not None:
            # 3.7 in a date column would read as 1900-01-02: a number, not a date.
            raise Invalid(
                _("The number %(number)s is not a date (it would read as %(date)s)")
                % {"number": as_text(raw), "date": day.isoformat()}
            )
        if reason:
            raise Invalid(reason)
        return day

    def _read(self, raw: object) -> date:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        # A date cell whose format was lost shows Excel's serial number (46296 = 2026-10-01).
        serial = _number(raw)
        if serial is not None and 1 <= serial < 2958466:
            return (EXCEL_EPOCH + timedelta(days=int(serial))).date()
        match = _DATE.match(as_text(raw))
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
        raise Invalid(_("Invalid date, expected YYYY-MM-DD"))

    def to_csv(self, value: Any) -> str:
        return value.isoformat() if value else ""


_TIME = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]+)?"  # a date before the time is ignored
    r"(\d{1,2})\s*[:：点]\s*(\d{2})(?:\s*[:：]\s*(\d{2})(?:\.\d+)?)?$"
)


def _minutes(seconds: float) -> time:
    # Excel keeps times as fractions of a day: 10:05 is 0.42013888…; round to the second, and
    # keep minutes, which is what a register records.
    total = round(seconds)
    return time(total // 3600, total % 3600 // 60)


class Time(Kind):
    number_format = TIME_FORMAT

    def parse(self, raw: object, lookups: Lookups) -> time:
        if isinstance(raw, datetime):
            return raw.time().replace(second=0, microsecond=0)
        if isinstance(raw, time):
            return _minutes(raw.hour * 3600 + raw.minute * 60 + raw.second + raw.microsecond / 1e6)
        if isinstance(raw, timedelta) and timedelta(0) <= raw < timedelta(days=1):
            return _minutes(raw.total_seconds())
        fraction = _number(raw)
        if fraction is not None and 0 <= fraction < 1 and round(fraction * 86400) < 86400:
            return _minutes(fraction * 86400)
        match = _TIME.match(as_text(raw))
        if match:
            hour, minute, second = (int(part or 0) for part in match.groups())
            if hour < 24 and minute < 60 and second < 60:
                return time(hour, minute)
        raise Invalid(_("Invalid time, expected HH:MM"))

    def to_csv(self, value: Any) -> str:
        return value.strftime("%H:%M") if value else ""


def _to_second(moment: datetime) -> datetime:
    """Excel keeps a date and time as a fraction of days: 09:30 may come back as 09:29:59.9997."""
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


class DateTime(Kind):
    """A date and time in one cell (线索 创建时间): local to the store unless it names an offset."""

    number_format = DATETIME_FORMAT

    def parse(self, raw: object, lookups: Lookups) -> datetime:
        moment = self._read(raw, lookups)
        reason = too_early_error(moment.astimezone(lookups.tz).date())
        if reason:
            raise Invalid(reason)
        return moment

    def _read(self, raw: object, lookups: Lookups) -> datetime:
        if isinstance(raw, datetime):
            return _to_second(raw).replace(tzinfo=raw.tzinfo or lookups.tz)
        serial = _number(raw)
        if serial is not None and 1 <= serial < 2958466:
            return _to_second(EXCEL_EPOCH + timedelta(days=serial)).replace(tzinfo=lookups.tz)
        if not isinstance(raw, date | time | timedelta):
            found = parse_datetime(as_text(raw), lookups.tz)
            if found is not None:
                return found
        raise Invalid(_("Invalid date and time, expected YYYY-MM-DD HH:MM"))

    def to_excel(self, value: Any) -> Any:
        return "" if value is None else value  # made local and naive by the export

    def to_csv(self, value: Any) -> str:
        if not value:
            return ""
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")

    def key(self, value: Any) -> str:
        # The same moment whatever zone it was written in.
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


class Money(Kind):
    """An amount of money: 5000, 5,000.00, ¥5000 or 5000元; two decimals, not negative."""

    number_format = MONEY_FORMAT

    def __init__(self, max_digits: int = 12) -> None:
        self.limit = Decimal(10) ** (max_digits - 2)

    def parse(self, raw: object, lookups: Lookups) -> Decimal:
        number = _number(raw)
        text = repr(number) if number is not None else as_text(raw)
        text = re.sub(r"[\s,，¥￥元]|^RMB", "", text, flags=re.IGNORECASE)
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value < 0 or value >= self.limit:
            raise Invalid(_("Invalid amount, expected a number such as 5000 or 5000.00"))
        return value.quantize(Decimal("0.01"))

    def to_excel(self, value: Any) -> Any:
        return "" if value is None else value

    def to_csv(self, value: Any) -> str:
        return "" if value is None else f"{value:.2f}"


YES = frozenset({"是", "y", "yes", "1", "true", "t", "✓", "✔", "√", "☑", "有", "对"})
NO = frozenset({"否", "n", "no", "0", "false", "f", "×", "✗", "✘", "☐", "无", "不是"})


class YesNo(Kind):
    def parse(self, raw: object, lookups: Lookups) -> bool:
        if isinstance(raw, bool):
            return raw
        number = _number(raw)
        if number in (0.0, 1.0):
            return number == 1.0
        text = as_text(raw).lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise Invalid(_("Invalid yes/no value, expected 是/否, Y/N, yes/no, 1/0 or ✓"))

    def to_excel(self, value: Any) -> str:
        return "" if value is None else ("是" if value else "否")

    def to_csv(self, value: Any) -> str:
        return "" if value is None else ("1" if value else "0")


class Choice(Kind):
    """A closed list: each option as (code, Chinese label, other accepted spellings…)."""

    def __init__(self, *options: tuple[str, ...]) -> None:
        self.options = options
        self.labels = {code: zh for code, zh, *_aliases in options}
        self.accepted = {spelling.lower(): option[0] for option in options for spelling in option}

    def parse(self, raw: object, lookups: Lookups) -> str:
        code = self.accepted.get(as_text(raw).lower())
        if code is None:
            raise Invalid(
                _("Invalid value, expected one of: %(choices)s") % {"choices": self.describe()}
            )
        return code

    def describe(self) -> str:
        return "、".join(f"{zh} ({code})" if zh != code else zh for code, zh in self.labels.items())

    def to_excel(self, value: Any) -> str:
        return self.labels.get(value, value or "")


class Grade(Choice):
    def __init__(self) -> None:
        super().__init__(*((g, g, f"{g}级", f"{g}類", f"{g}类") for g in "OHABC"))

    def parse(self, raw: object, lookups: Lookups) -> str:
        try:
            return super().parse(raw, lookups)
        except Invalid:
            raise Invalid(_("Invalid grade, expected O, H, A, B or C")) from None


class Count(Kind):
    """A number of people: a whole number from 1 (default when the cell is empty)."""

    def __init__(self, maximum: int = 999) -> None:
        self.maximum = maximum

    def parse(self, raw: object, lookups: Lookups) -> int:
        text = as_text(raw).removesuffix("人").strip()
        if text.isdigit() and 1 <= int(text) <= self.maximum:
            return int(text)
        raise Invalid(
            _("Invalid number, expected a whole number from 1 to %(max)d") % {"max": self.maximum}
        )


class Whole(Kind):
    """A whole number from `minimum` (a mileage, a target): 12000, 12,000 or 12000.0."""

    number_format = "0"

    def __init__(self, maximum: int, minimum: int = 0) -> None:
        self.minimum, self.maximum = minimum, maximum

    def parse(self, raw: object, lookups: Lookups) -> int:
        number = _number(raw)
        text = repr(number) if number is not None else as_text(raw)
        text = re.sub(r"[\s,，]|(?:km|公里)$", "", text, flags=re.IGNORECASE)
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if (
            not value.is_finite()
            or value != value.to_integral_value()
            or not self.minimum <= value <= self.maximum
        ):
            raise Invalid(
                _("Invalid number, expected a whole number from %(min)d to %(max)d")
                % {"min": self.minimum, "max": self.maximum}
            )
        return int(value)


_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


class Month(Date):
    """A month, YYYY-MM (or a date in it, as a workbook's date cell holds it): its first day."""

    number_format = "yyyy-mm"

    def _read(self, raw: object) -> date:
        match = _MONTH.match(as_text(raw)) if isinstance(raw, str) else None
        if match:
            year, month = (int(part) for part in match.groups())
            if 1 <= month <= 12:
                return date(year, month, 1)
            raise Invalid(_("Invalid month, expected YYYY-MM"))
        try:
            return super()._read(raw).replace(day=1)
        except Invalid:
            raise Invalid(_("Invalid month, expected YYYY-MM")) from None

    def to_excel(self, value: Any) -> str:
        return value.strftime("%Y-%m") if value else ""

    def to_csv(self, value: Any) -> str:
        return value.strftime("%Y-%m") if value else ""


class SourceRef(Kind):
    """信息来源 by its Chinese name, English name or code."""

    def parse(self, raw: object, lookups: Lookups) -> Source:
        source = lookups.source(as_text(raw))
        if source is None:
            raise Invalid(_("Unknown source; use a source name or code of the store"))
        return source

    def to_excel(self, value: Any) -> str:
        return value.name_zh if value else ""

    def to_csv(self, value: Any) -> str:
        return value.code if value else ""


def staff_label(staff: Staff) -> str:
    return staff.full_name or staff.staff_code or staff.username


class StaffRef(Kind):
    """A staff member of the store by full name or staff code; `role` is the role an unknown
    name is created with (--create-staff) and the one preferred among namesakes."""

    def __init__(self, role: str = "consultant") -> None:
        self.role = role

    def parse(self, raw: object, lookups: Lookups) -> Staff:
        staff = lookups.staff(as_text(raw), self.role)
        if staff is None:
            raise Invalid(advice.unknown_staff(consultant=self.role == "consultant"))
        return staff

    def to_excel(self, value: Any) -> str:
        return staff_label(value) if value else ""

    def to_csv(self, value: Any) -> str:
        return staff_label(value) if value else ""


class Ref(Kind):
    """编号: the row's reference, `<form code><primary key>-<check>`, e.g. WI1234-3fa9c1.

    The check digits hash the form, the key and a value fixed at the row's creation (its
    created_at, or its date), so that a reference stays the row's for its whole life, and a
    file from another database whose rows happen to share a primary key is not taken for it.
    A reference is never required; a cell that is not one of this form's is ignored."""

    def __init__(self, code: str, stamp: str) -> None:
        self.code = code
        self.stamp = stamp  # the field fixed at creation that the check digits hash
        self.pattern = re.compile(rf"^{re.escape(code)}(\d+)-([0-9a-f]{{6}})$")

    def parse(self, raw: object, lookups: Lookups) -> str:
        return as_text(raw).strip()

    def of(self, obj: Any) -> str:
        return f"{self.code}{obj.pk}-{self.check(obj.pk, getattr(obj, self.stamp))}"

    def check(self, pk: int, stamp: object) -> str:
        fixed = stamp.astimezone(UTC).isoformat() if isinstance(stamp, datetime) else str(stamp)
        return hashlib.sha256(f"{self.code}|{pk}|{fixed}".encode()).hexdigest()[:6]

    def pk(self, text: str) -> int | None:
        """The primary key a reference of this form names, or None."""
        match = self.pattern.match(text or "")
        return int(match.group(1)) if match else None
