"""Forms of the lead desk: they only validate; the writes are in leads.services."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.customers.models import Source
from showroom.organization.models import Staff, Store
from showroom.traffic.choices import (
    AppointmentPurpose,
    CloseReason,
    ContactMedium,
    ContactOutcome,
    LeadStatus,
)
from showroom.traffic.leads.selectors import lead_agents
from showroom.traffic.models import LeadDesk

AGE_CHOICES = [
    ("", _("Any age")),
    ("1h", _("Last hour")),
    ("24h", _("Last 24 hours")),
    ("7d", _("Last 7 days")),
    ("older", _("Older than 7 days")),
]


class InboxFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *LeadStatus.choices]
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"), required=False, queryset=Source.objects.none()
    )
    model = forms.CharField(label=_("Model"), required=False, max_length=50)
    age = forms.ChoiceField(label=_("Age"), required=False, choices=AGE_CHOICES)
    owner = forms.ModelChoiceField(
        label=pgettext_lazy("lead", "Owner"), required=False, queryset=Staff.objects.none()
    )
    unassigned = forms.BooleanField(label=_("Unassigned only"), required=False)

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Source.objects.all()  # type: ignore[attr-defined]
        self.fields["owner"].queryset = lead_agents(store)  # type: ignore[attr-defined]


class Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ContactForm(Versioned):
    medium = forms.ChoiceField(
        label=_("By way of"), choices=ContactMedium.choices, initial=ContactMedium.CALL
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactOutcome.choices)
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)


class AppointmentForm(forms.Form):
    day = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    at = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=AppointmentPurpose.choices, initial=AppointmentPurpose.VISIT
    )
    consultant = forms.ModelChoiceField(
        label=_("Consultant"),
        queryset=Staff.objects.none(),
        error_messages={"required": _("Choose the consultant who receives the customer.")},
    )
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)
    # The lead's version when booked from its page.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["consultant"].queryset = Staff.objects.consultants(store)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, at = cleaned.get("day"), cleaned.get("at")
        if day is not None and at is not None:
            starts = datetime.combine(day, at, tzinfo=self.store.tz)
            if starts < self.store.now() - timedelta(minutes=5):
                self.add_error("at", _("An appointment cannot be booked in the past."))
            if day > self.store.today() + timedelta(days=90):
                self.add_error("day", _("An appointment at most 90 days ahead."))
            cleaned["starts_at"] = starts
        return cleaned


class DeskAppointmentForm(AppointmentForm):
    """An appointment booked at the front desk or from the calendar, for a person by name and
    phone (a card, when the phone is one of the store's customers)."""

    name = forms.CharField(label=_("Customer name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=32)


class ConvertForm(forms.Form):
    consultant = forms.ModelChoiceField(
        label=_("Consultant of the card"),
        queryset=Staff.objects.none(),
        error_messages={"required": _("Choose the consultant the card belongs to.")},
    )

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = Staff.objects.consultants(store)  # type: ignore[attr-defined]


class CloseForm(Versioned):
    reason = forms.ChoiceField(label=_("Close reason"), choices=CloseReason.choices)


class AssignForm(Versioned):
    agent = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=Staff.objects.none(),
        error_messages={"required": _("Choose who works the lead.")},
    )

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = lead_agents(store)  # type: ignore[attr-defined]


class NewLeadForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Source.objects.all())
    name = forms.CharField(label=_("Customer name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32)
    model = forms.CharField(label=_("Intended model"), max_length=50, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)


class DeskSettingsForm(forms.ModelForm):
    class Meta:
        model = LeadDesk
        fields = [
            "response_amber_minutes",
            "response_red_minutes",
            "escalate_after_minutes",
            "routing",
            "tries_before_giving_up",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        amber, red = cleaned.get("response_amber_minutes"), cleaned.get("response_red_minutes")
        if amber is not None and red is not None and red <= amber:
            self.add_error("response_red_minutes", _("The red limit must come after amber."))
        return cleaned


STATUS_ACTIONS = {"cancelled": _("Cancelled"), "no_show": _("No-show")}
OPENING = time(9, 0)


class RouteForm(forms.Form):
    """One line of a by-channel or by-model rule: this channel or model → this agent."""

    channel = forms.ModelChoiceField(
        label=_("Channel"), required=False, queryset=Source.objects.all()
    )
    model = forms.CharField(label=_("Intended model"), max_length=50, required=False)
    agent = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=Staff.objects.none(),
        error_messages={"required": _("Choose who works the lead.")},
    )

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = lead_agents(store)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["model"] = (cleaned.get("model") or "").strip()
        if not cleaned.get("channel") and not cleaned["model"]:
            raise forms.ValidationError(_("Name a channel or a model."))
        return cleaned
