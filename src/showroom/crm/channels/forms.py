"""The media spend of a month as a table: a row per channel (and optionally model)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseModelFormSet
from django.utils.translation import gettext_lazy as _

from showroom.crm.models import MediaSpend
from showroom.customers.models import Source
from showroom.organization.models import Store


class SpendForm(forms.ModelForm):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=Decimal(0), max_digits=12, decimal_places=2
    )

    class Meta:
        model = MediaSpend
        fields = ["source", "model", "amount", "notes"]
        widgets = {"model": forms.TextInput(attrs={"list": "models", "autocomplete": "off"})}

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.for_store(store)  # type: ignore[attr-defined]
        self.fields["model"].strip = True  # type: ignore[attr-defined]
        if self.instance.pk:
            # the version it was opened at, for the save to claim
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            self.initial.setdefault("version", self.instance.version)


class BaseSpendFormSet(BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        seen: set[tuple[int, str]] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            source, model = form.cleaned_data.get("source"), form.cleaned_data.get("model", "")
            if source is None:
                continue
            key = (source.pk, model)
            if key in seen:
                form.add_error(
                    "source",
                    _("This channel (and model) is already entered for this month."),
                )
            seen.add(key)


SpendFormSet = forms.modelformset_factory(
    MediaSpend, form=SpendForm, formset=BaseSpendFormSet, extra=3, can_delete=True
)
