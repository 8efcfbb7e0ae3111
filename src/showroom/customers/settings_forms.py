"""Forms of the store's customer settings: sources, vehicle models, follow-up cadence.
They only validate; the views save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.customers.models import FollowUpSettings, Source, VehicleModel
from showroom.organization.models import Store


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["code", "name_zh", "name_en"]
        help_texts = {"code": _("Letters, digits, hyphens and underscores; used in files.")}

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        if self.instance.pk:
            self.fields["code"].disabled = True  # imported files name the source by its code

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if self.instance.pk:
            return code
        clash = Source.objects.filter(store__isnull=True, code=code).exists() or (
            Source.objects.filter(store=self.store, code=code).exists()
        )
        if clash:
            raise forms.ValidationError(_("The store already has a source with this code."))
        return code


class VehicleModelForm(forms.ModelForm):
    class Meta:
        model = VehicleModel
        fields = ["name", "trims", "active"]
        widgets = {"trims": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        taken = VehicleModel.objects.filter(store=self.store, name=name).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise forms.ValidationError(_("The store already offers this model."))
        return name


class FollowUpSettingsForm(forms.ModelForm):
    class Meta:
        model = FollowUpSettings
        fields = ["cadence_h", "cadence_a", "cadence_b", "cadence_c", "cadence_o", "dormant_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].widget.attrs["min"] = 1
        self.fields["dormant_days"].widget.attrs["min"] = 30

    def clean_dormant_days(self) -> int:
        days: int = self.cleaned_data["dormant_days"]
        if not 30 <= days <= 730:
            raise forms.ValidationError(_("Between 30 and 730 days."))
        return days

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.Meta.fields[:5]:
            value = cleaned.get(name)
            if value is not None and not 1 <= value <= 365:
                self.add_error(name, _("Between 1 and 365 days."))
        return cleaned
