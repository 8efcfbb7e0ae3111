"""Forms of prospect promotion. They only validate; the services write."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.core.forms import DATE_WIDGET
from showroom.customers.choices import Grade
from showroom.customers.grades import cadence_date, cadence_days, next_date_error
from showroom.customers.models import Customer
from showroom.organization.models import Store
from showroom.sales.choices import ActivityCategory, ActivityKind
from showroom.sales.rules import contact_date_error

# The ways of a contact a consultant logs by hand (orders, deliveries, test drives and
# quotes are logged by their own screens).
CONTACT_KINDS = [
    (k.value, k.label)
    for k in (
        ActivityKind.CALL,
        ActivityKind.RECEPTION,
        ActivityKind.MESSAGE,
        ActivityKind.HOME_VISIT,
        ActivityKind.INVITATION,
        ActivityKind.OWNER_CARE,
    )
]


class ContactForm(forms.Form):
    """One contact, short enough for a phone: way, what happened, grade after, next date
    (prefilled from the grade's cadence). The rest folds away under "more"."""

    kind = forms.ChoiceField(label=_("Way"), choices=CONTACT_KINDS, initial=ActivityKind.CALL)
    notes = forms.CharField(
        label=_("What happened"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    grade_after = forms.ChoiceField(
        label=_("Grade after"), choices=[("", "—"), *Grade.choices], required=False
    )
    next_date = forms.DateField(label=_("Next follow-up"), required=False, widget=DATE_WIDGET)
    later_reason = forms.CharField(
        label=_("Reason for a later follow-up"), max_length=200, required=False
    )
    not_closed_reason = forms.CharField(
        label=_("Reason not yet closed"), max_length=200, required=False
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Automatic")), *ActivityCategory.choices],
        required=False,
        help_text=_(
            "Automatic: development for the first contact of a card, promotion when the "
            "grade goes up, management otherwise."
        ),
    )
    date = forms.DateField(label=_("Date of the contact"), widget=DATE_WIDGET)

    def __init__(
        self,
        *args: Any,
        customer: Customer,
        today: dt.date,
        store: Store | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", f"c{customer.pk}")
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.today = today
        # The card's store; a page of many cards passes it once (its cadence is read once).
        self.store = store or customer.store
        self.initial.setdefault("grade_after", customer.grade)
        self.initial.setdefault("date", today)
        self.initial.setdefault("next_date", cadence_date(customer.grade, today, store=self.store))
        # The page moves the prefilled next date with the grade until the user picks one.
        cadence = json.dumps(cadence_days(self.store))
        self.fields["grade_after"].widget.attrs["data-cadence"] = cadence

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        reason = contact_date_error(
            day=day, kind=self.cleaned_data.get("kind", ""), today=self.today
        )
        if reason:
            raise forms.ValidationError(reason, code="future")
        if day < self.customer.created:
            raise forms.ValidationError(
                _("The card was only created on %(day)s."),
                params={"day": self.customer.created.isoformat()},
                code="before_card",
            )
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day = data.get("date")
        if day is not None:
            error = next_date_error(
                grade=data.get("grade_after", ""),
                day=day,
                next_date=data.get("next_date"),
                later_reason=data.get("later_reason", ""),
                store=self.store,
            )
            if error:
                self.add_error("next_date", error)
        return data
