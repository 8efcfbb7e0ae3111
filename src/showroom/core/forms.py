"""Form pieces every app's forms share: the browser's own date and time pickers."""

from __future__ import annotations

from datetime import date

from django import forms

from showroom.core.dates import too_early_error

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"type": "time"})


def validate_since_2000(value: date | None) -> None:
    """A date field's validator: nothing before 2000 (see core.dates.EARLIEST_DATE)."""
    reason = too_early_error(value)
    if reason:
        raise forms.ValidationError(reason, code="too_early")
