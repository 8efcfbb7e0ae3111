"""The delivery interview form (it only validates; `services` saves)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.crm.forms import SCORES
from showroom.crm.interviews.profiles import (
    INTENTS,
    INTERESTS,
    REASONS,
    USAGE,
    join_codes,
    split_codes,
)
from showroom.crm.interviews.rules import interview_date_error
from showroom.crm.models import (
    DeliveryInterview,
)
from showroom.customers.models import Source
from showroom.organization.models import Store

# --- delivery interview -------------------------------------------------------------------


class InterviewForm(forms.ModelForm):
    reasons = forms.MultipleChoiceField(
        label=_("Why they bought"),
        choices=REASONS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    usage = forms.MultipleChoiceField(
        label=_("Usage"), choices=USAGE, widget=forms.CheckboxSelectMultiple, required=False
    )
    interests = forms.MultipleChoiceField(
        label=_("Interests and hobbies"),
        choices=INTERESTS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    referral_intent = forms.ChoiceField(
        label=_("Would refer"), choices=INTENTS, widget=forms.RadioSelect, required=False
    )
    repurchase_intent = forms.ChoiceField(
        label=_("Would buy again"), choices=INTENTS, widget=forms.RadioSelect, required=False
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"),
        choices=SCORES,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = DeliveryInterview
        fields = [
            "date",
            "reasons",
            "usage",
            "interests",
            "industry",
            "heard_from",
            "referral_intent",
            "repurchase_intent",
            "satisfaction",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "industry": forms.TextInput(attrs={"list": "industries", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "industry": _("Industry"),
            "heard_from": _("How they heard of the store"),
            "notes": _("Notes"),
        }

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["heard_from"].queryset = Source.for_store(store)  # type: ignore[attr-defined]
        self.fields["heard_from"].empty_label = str(_("Not given"))  # type: ignore[attr-defined]
        if self.instance.pk:
            for name in ("reasons", "usage", "interests"):
                self.initial[name] = split_codes(getattr(self.instance, name))
            # the version it was opened at, for the save to claim
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            self.initial.setdefault("version", self.instance.version)

    def clean_date(self) -> date:
        day: date = self.cleaned_data["date"]
        reason = interview_date_error(day=day, today=self.store.today())
        if reason:
            raise forms.ValidationError(reason, code="future")
        return day

    def clean_reasons(self) -> str:
        return join_codes(self.cleaned_data["reasons"])

    def clean_usage(self) -> str:
        return join_codes(self.cleaned_data["usage"])

    def clean_interests(self) -> str:
        return join_codes(self.cleaned_data["interests"])
