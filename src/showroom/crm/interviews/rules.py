"""What a delivery interview cannot be: held in the future, or before 2000."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from showroom.core.dates import too_early_error


def interview_date_error(*, day: date | None, today: date) -> str | None:
    early = too_early_error(day)
    if early or day is None or day <= today:
        return early
    return _("An interview cannot be in the future (%(day)s; today is %(today)s).") % {
        "day": day.isoformat(),
        "today": today.isoformat(),
    }
