"""Forms of the call lists: they only validate; the workflow is in crm.list_services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.crm.choices import CallOutcome, ListKind
from showroom.crm.lists.builders import BUILDERS, default_days
from showroom.organization.models import Staff, Store
from showroom.owners.models import RecallCampaign

BUILT_KINDS = [(k.value, k.label) for k in ListKind if k.value in BUILDERS]


class NewListForm(forms.Form):
    kind = forms.ChoiceField(label=_("List"), choices=BUILT_KINDS)
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Empty: the list's default."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Recall campaign"), queryset=RecallCampaign.objects.none(), required=False
    )
    name = forms.CharField(label=_("List name"), max_length=100, required=False)

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["campaign"].queryset = RecallCampaign.objects.filter(store=store)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ListKind.RECALL and not data.get("campaign"):
            self.add_error("campaign", _("Choose the recall campaign."))
        return data

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        builder = BUILDERS[data["kind"]]
        params: dict[str, Any] = {}
        if builder.days is not None:
            params["days"] = data.get("days") or default_days(data["kind"], self.store)
        if data["kind"] == ListKind.RECALL:
            params["campaign"] = data["campaign"]
        return params


class ImportForm(forms.Form):
    name = forms.CharField(label=_("List name"), max_length=100)
    file = forms.FileField(
        label=_("File (.xlsx or .csv: 姓名, 电话, 车型, 备注)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Call outcome"), choices=[("", "—"), *CallOutcome.choices])
    intended_model = forms.CharField(label=_("Intended model"), max_length=50, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    consultant = forms.ModelChoiceField(
        label=_("Consultant"), queryset=Staff.objects.none(), required=False
    )
    entries = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), label=pgettext_lazy("call list", "People")
    )

    def __init__(self, *args: Any, store: Store, entry_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = Staff.objects.consultants(store).order_by(  # type: ignore[attr-defined]
            "full_name", "username"
        )
        self.fields["entries"].choices = [(i, str(i)) for i in entry_ids]  # type: ignore[attr-defined]


class CloseEntryForm(forms.Form):
    reason = forms.CharField(label=_("Why closed"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RecallCampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = RecallCampaign
        fields = ["name", "model", "delivered_from", "delivered_to", "vins"]
        widgets = {
            "delivered_from": forms.DateInput(attrs={"type": "date"}),
            "delivered_to": forms.DateInput(attrs={"type": "date"}),
            "vins": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("model") and not (data.get("vins") or "").strip():
            raise forms.ValidationError(_("Give a model or a list of VINs."))
        return data
