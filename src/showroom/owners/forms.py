"""Forms of the owners' file. They only validate; the views and services write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.core.forms import DATE_WIDGET
from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer
from showroom.customers.phones import clean_phone_value, normalize_phone
from showroom.organization.models import Store
from showroom.owners.choices import ServiceKind
from showroom.owners.models import Vehicle
from showroom.sales.deals.forms import DatedForm, clean_vin_value, parse_month

END_DATES = ("insurance_end", "finance_end", "warranty_end")
OUTSIDE_KINDS = [
    (OwnerKind.OWN_BRAND_ELSEWHERE.value, OwnerKind.OWN_BRAND_ELSEWHERE.label),
    (OwnerKind.OTHER_BRAND.value, OwnerKind.OTHER_BRAND.label),
]


class OwnerFilterForm(forms.Form):
    month = forms.CharField(
        label=_("Delivery month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    q = forms.CharField(label=_("Name, phone, plate or VIN"), max_length=50, required=False)
    kind = forms.ChoiceField(
        label=_("Owner"),
        required=False,
        choices=[("", _("All owners")), ("here", _("Sold here")), *OUTSIDE_KINDS],
    )
    churned = forms.BooleanField(label=_("Churned only"), required=False)

    def clean_month(self) -> str:
        raw = self.cleaned_data["month"].strip()
        if raw and raw != "none" and parse_month(raw) is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return raw


class OwnerForm(forms.Form):
    """An owner recorded without a sale here, with the car they drive."""

    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, widget=forms.TextInput(attrs={"type": "tel"})
    )
    owner_kind = forms.ChoiceField(
        label=_("Owner"),
        choices=OUTSIDE_KINDS,
        initial=OwnerKind.OWN_BRAND_ELSEWHERE,
        widget=forms.RadioSelect,
    )
    brand = forms.CharField(label=_("Brand"), max_length=30, required=False)
    model = forms.CharField(label=_("Car model"), max_length=50)
    vin = forms.CharField(label=_("VIN"), max_length=30, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    delivery_date = forms.DateField(label=_("Bought on"), required=False, widget=DATE_WIDGET)
    insurance_end = forms.DateField(label=_("Insurance ends"), required=False, widget=DATE_WIDGET)
    finance_end = forms.DateField(label=_("Finance ends"), required=False, widget=DATE_WIDGET)
    warranty_end = forms.DateField(label=_("Warranty ends"), required=False, widget=DATE_WIDGET)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.existing: Customer | None = None

    def clean_phone(self) -> str:
        value = clean_phone_value(self.cleaned_data["phone"])
        existing = (
            Customer.objects.filter(store=self.store, phone_norm=normalize_phone(value))
            .select_related("consultant")
            .first()
        )
        if existing is not None:
            self.existing = existing
            raise forms.ValidationError(
                _("This number already has a card in the store (consultant: %(consultant)s).")
                % {"consultant": existing.consultant or "—"},
                code="duplicate",
            )
        return value

    def clean_vin(self) -> str:
        return clean_vin_value(self.cleaned_data["vin"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("owner_kind") == OwnerKind.OWN_BRAND_ELSEWHERE and not cleaned.get("brand"):
            cleaned["brand"] = self.store.brand
        return cleaned


class VehicleForm(forms.ModelForm):
    """A vehicle's details. For a car sold here, VIN, model and delivery date belong to the
    order (the KPIs read them there) and are edited on it."""

    class Meta:
        model = Vehicle
        fields = ["plate", "vin", "brand", "model", "delivery_date", *END_DATES]
        widgets = {name: DATE_WIDGET for name in ("delivery_date", *END_DATES)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["model"].label = _("Car model")
        if self.instance.pk:  # the version it was opened at, for the save to claim
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            self.initial.setdefault("version", self.instance.version)
        if self.instance.order_id:
            for name in ("vin", "model", "delivery_date"):
                del self.fields[name]

    def clean_vin(self) -> str:
        return clean_vin_value(self.cleaned_data.get("vin", ""))


class ServiceVisitForm(DatedForm):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ServiceKind.choices,
        initial=ServiceKind.MAINTENANCE,
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("Amount"), initial=0, max_digits=10, decimal_places=2, min_value=Decimal(0)
    )
    vehicle = forms.ModelChoiceField(
        label=_("Vehicle"), queryset=Vehicle.objects.none(), required=False
    )
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args: Any, owner: Customer, **kwargs: Any) -> None:
        super().__init__(*args, store=owner.store, **kwargs)
        vehicles = owner.vehicles.all()
        self.fields["vehicle"].queryset = vehicles  # type: ignore[attr-defined]
        if len(vehicles) == 1 and not self.is_bound:
            self.initial["vehicle"] = vehicles[0].pk


class CareForm(DatedForm):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    notes = forms.CharField(
        label=_("What was said or done"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReferralForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), max_length=50, required=False)
