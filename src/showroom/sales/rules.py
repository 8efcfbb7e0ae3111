"""What a contact, an order or a loss decision cannot be. The screens' forms and the import
ask here, so that both refuse the same values with the same reason."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from showroom.core.dates import too_early_error
from showroom.sales.choices import ActivityKind


def contact_date_error(*, day: date | None, kind: str, today: date) -> str | None:
    """A contact (a test drive too) happened on a day up to today, since 2000."""
    early = too_early_error(day)
    if early or day is None or day <= today:
        return early
    params = {"day": day.isoformat(), "today": today.isoformat()}
    if kind == ActivityKind.TEST_DRIVE:
        return _("A test drive cannot be in the future (%(day)s; today is %(today)s).") % params
    return _("A contact cannot be in the future (%(day)s; today is %(today)s).") % params


def delivery_date_error(*, order_date: date | None, delivery_date: date | None) -> str | None:
    if order_date and delivery_date and delivery_date < order_date:
        return _("The delivery (%(delivery)s) cannot be before the order date (%(order)s).") % {
            "delivery": delivery_date.isoformat(),
            "order": order_date.isoformat(),
        }
    return None


def follow_up_error(*, follow_up: date | None, today: date) -> str | None:
    """A loss sent back to the consultant is followed up from today on."""
    if follow_up is not None and follow_up < today:
        return _("The follow-up date (%(day)s) is in the past; today is %(today)s.") % {
            "day": follow_up.isoformat(),
            "today": today.isoformat(),
        }
    return None
