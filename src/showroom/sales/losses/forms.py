"""Forms of the loss workflow (a consultant requests, a manager decides). They only validate."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.core.dates import too_early_error
from showroom.core.forms import DATE_WIDGET
from showroom.customers.choices import Grade
from showroom.customers.models import Customer
from showroom.organization.models import Store
from showroom.sales.choices import LossKind, LossReason
from showroom.sales.deals.forms import DatedForm
from showroom.sales.rules import follow_up_error


class LossRequestForm(DatedForm):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(
        label=_("Type"), choices=LossKind.choices, initial=LossKind.LOST, widget=forms.RadioSelect
    )
    grade = forms.ChoiceField(
        label=_("Grade at the time"), choices=[("", "—"), *Grade.choices], required=False
    )
    competitor_brand = forms.CharField(label=_("Competitor brand"), max_length=50, required=False)
    competitor_model = forms.CharField(label=_("Competitor model"), max_length=50, required=False)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *LossReason.choices])
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, store: Store, customer: Customer, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("grade", customer.grade)
        super().__init__(*args, store=store, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == LossKind.LOST and not cleaned.get("competitor_brand", "").strip():
            self.add_error(
                "competitor_brand",
                _("Lost means the customer bought elsewhere: give the brand they bought."),
            )
        return cleaned


class LossDecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Note to the consultant"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up = forms.DateField(label=_("Follow up by"), required=False, widget=DATE_WIDGET)

    def __init__(
        self, *args: Any, returning: bool = False, today: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        if returning:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = cast(
                str, _("Say what the consultant should still try.")
            )

    def clean_follow_up(self) -> date | None:
        day: date | None = self.cleaned_data["follow_up"]
        reason = too_early_error(day)
        if reason is None and self.today is not None:
            reason = follow_up_error(follow_up=day, today=self.today)
        if reason:
            raise forms.ValidationError(reason, code="past")
        return day
