"""What a register row cannot be. The desk's forms, the row form and the import all ask here,
so that a value refused on a screen is refused in a file too, with the same reason.

Each check returns (field, reason) pairs; an empty list means the row is possible. `now` is
the store-local moment the row is entered: a row of today cannot have happened later than
that, and no row is dated after today.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from showroom.core.dates import too_early_error
from showroom.traffic.models import stay_minutes

# A party that stays longer is one whose departure was never tapped.
MAX_STAY_MINUTES = 12 * 60

Errors = list[tuple[str, str]]

# Translated only when a row breaks the rule: an import asks for every one of its rows.
FUTURE_VISIT = gettext_lazy("A visit cannot be in the future (%(day)s; today is %(today)s).")
ARRIVAL_AFTER_NOW = gettext_lazy("The arrival (%(time)s) is later than now (%(now)s).")
DEPARTURE_AFTER_NOW = gettext_lazy("The departure (%(time)s) is later than now (%(now)s).")
FUTURE_CALL = gettext_lazy("A call cannot be in the future (%(day)s; today is %(today)s).")
CALL_AFTER_NOW = gettext_lazy("The call (%(time)s) is later than now (%(now)s).")


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def _day_errors(day: date | None, now: datetime, future: str | Promise) -> Errors:
    early = too_early_error(day)
    if early:
        return [("date", early)]
    if day is not None and day > now.date():
        return [
            ("date", str(future) % {"day": day.isoformat(), "today": now.date().isoformat()})
        ]
    return []


def _later_than_now(
    name: str, day: date | None, moment: time | None, now: datetime, reason: str | Promise
) -> Errors:
    current = now.time().replace(second=0, microsecond=0)
    if day == now.date() and moment is not None and moment > current:
        return [(name, str(reason) % {"time": _hhmm(moment), "now": _hhmm(current)})]
    return []


def walk_in_errors(
    *, day: date | None, arrived_at: time | None, left_at: time | None, now: datetime
) -> Errors:
    errors = _day_errors(day, now, FUTURE_VISIT)
    errors += _later_than_now("arrived_at", day, arrived_at, now, ARRIVAL_AFTER_NOW)
    if arrived_at is None or left_at is None:
        return errors
    if left_at < arrived_at:
        errors.append(
            (
                "left_at",
                _("The departure (%(left)s) is before the arrival (%(arrived)s).")
                % {"left": _hhmm(left_at), "arrived": _hhmm(arrived_at)},
            )
        )
        return errors
    if (stay_minutes(arrived_at, left_at) or 0) > MAX_STAY_MINUTES:
        errors.append(
            (
                "left_at",
                _("A stay of more than 12 hours (%(arrived)s–%(left)s) cannot be right.")
                % {"left": _hhmm(left_at), "arrived": _hhmm(arrived_at)},
            )
        )
    errors += _later_than_now("left_at", day, left_at, now, DEPARTURE_AFTER_NOW)
    return errors


def call_errors(*, day: date | None, called_at: time | None, now: datetime) -> Errors:
    errors = _day_errors(day, now, FUTURE_CALL)
    errors += _later_than_now("called_at", day, called_at, now, CALL_AFTER_NOW)
    return errors
