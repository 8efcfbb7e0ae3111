"""What the CRM's forms share: months and report periods, scores and yes/no answers."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.months import add_months, first_of_month, last_of_month, month_range

SCORES = [(str(n), str(n)) for n in range(1, 6)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
UNKNOWN = [("", pgettext_lazy("answer", "Not asked"))]
MONTH_WIDGET = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"})


def yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def yes_no_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class MonthField(forms.CharField):
    """YYYY-MM, cleaned to the month's first day."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MONTH_WIDGET)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            start, _end = month_range(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not 1900 < start.year < 9999:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return start


class PeriodForm(forms.Form):
    """A report's period as a range of whole months (one month by default), and a model."""

    start = MonthField(label=pgettext_lazy("period", "From"), required=False)
    end = MonthField(label=pgettext_lazy("period", "To"), required=False)
    model = forms.CharField(
        label=pgettext_lazy("car model", "Model"), max_length=50, required=False
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start = data.get("start") or first_of_month(self.today)
        end = data.get("end") or start
        if end < start:
            raise forms.ValidationError(_("The period ends before it starts."), code="order")
        if add_months(start, 36) <= end:
            raise forms.ValidationError(_("Choose at most 36 months."), code="long")
        data["start"], data["end"] = start, last_of_month(end)
        return data

    def period(self) -> tuple[date, date, str]:
        """(first day, last day, model) when valid, else the current month and no model."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"], self.cleaned_data["model"]
        start = first_of_month(self.today)
        return start, last_of_month(start), ""
