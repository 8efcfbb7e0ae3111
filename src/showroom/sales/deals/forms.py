"""Forms of the deal. They only validate; the views and services write."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.dates import too_early_error
from showroom.core.forms import DATE_WIDGET
from showroom.customers.models import Customer, Source
from showroom.organization.models import Staff, Store
from showroom.sales.choices import Channel
from showroom.sales.models import Order
from showroom.sales.rules import contact_date_error, delivery_date_error

# 17 characters, the letters I, O and Q never used (ISO 3779).
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# "Showroom" alone is the product's name in the catalogue; as a sales channel it is 展厅.
CHANNEL_CHOICES = [
    (Channel.SHOWROOM.value, pgettext_lazy("sales channel", "Showroom")),
    (Channel.SECONDARY.value, Channel.SECONDARY.label),
    (Channel.FLEET.value, Channel.FLEET.label),
]


def channel_label(code: str) -> str:
    return str(dict(CHANNEL_CHOICES).get(code, code))


def clean_vin_value(value: str) -> str:
    value = re.sub(r"\s+", "", value or "").upper()
    if value and not VIN_RE.match(value):
        raise forms.ValidationError(
            _("A VIN has 17 letters and digits (never I, O or Q)."), code="vin"
        )
    return value


def not_after_today(value: date | None, store: Store) -> None:
    """A date of something done: since 2000 and not after the store's today."""
    early = too_early_error(value)
    if early:
        raise forms.ValidationError(early, code="too_early")
    if value is not None and value > store.today():
        raise forms.ValidationError(
            _("The date cannot be after today (%(today)s)."),
            code="future",
            params={"today": store.today().isoformat()},
        )


def parse_month(raw: str | None) -> date | None:
    """ "2026-10" → 2026-10-01; anything else → None."""
    match = MONTH_RE.match((raw or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def consultant_choices(store: Store, current_id: int | None = None) -> Any:
    """The store's consultants, and the one already set even if they have since left."""
    qs = Staff.objects.consultants(store)
    if current_id:
        qs = Staff.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk=current_id))
    return qs


class DatedForm(forms.Form):
    """A form whose dates are the store's local dates, none after today."""

    date_fields: tuple[str, ...] = ("date",)

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        for name in self.date_fields:
            if name in self.fields and not self.is_bound and name not in self.initial:
                self.initial[name] = store.today()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.date_fields:
            try:
                not_after_today(cleaned.get(name), self.store)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned


class TestDriveForm(DatedForm):
    __test__ = False  # not a pytest test class

    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    model = forms.CharField(label=_("Car model"), max_length=50)
    route = forms.CharField(label=_("Route"), max_length=100, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=600, required=False
    )

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        reason = contact_date_error(day=day, kind="test_drive", today=self.store.today())
        if reason:
            raise forms.ValidationError(reason, code="future")
        return day


class QuoteForm(DatedForm):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    model = forms.CharField(label=_("Car model"), max_length=50)
    amount = forms.DecimalField(
        label=_("Quoted price"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)


class OrderForm(DatedForm):
    """A new order: source and model default from the card."""

    date_fields = ("order_date",)

    order_date = forms.DateField(label=_("Order date"), widget=DATE_WIDGET)
    model = forms.CharField(label=_("Car model"), max_length=50)
    channel = forms.ChoiceField(
        label=_("Sales channel"),
        choices=CHANNEL_CHOICES,
        initial=Channel.SHOWROOM,
        widget=forms.RadioSelect,
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.none(), required=False
    )
    deposit = forms.DecimalField(
        label=_("Deposit"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    contract_no = forms.CharField(label=_("Contract no."), max_length=40, required=False)
    price = forms.DecimalField(
        label=_("Transaction price"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    colour = forms.CharField(label=_("Colour"), max_length=30, required=False)
    expected_delivery = forms.DateField(
        label=_("Expected delivery"), required=False, widget=DATE_WIDGET
    )
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=Staff.objects.none())

    def __init__(
        self, *args: Any, store: Store, customer: Customer, pick_consultant: bool, **kwargs: Any
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("model", customer.model)
        initial.setdefault("colour", customer.colour)
        initial.setdefault("source", customer.source_id)
        initial.setdefault("consultant", customer.consultant_id)
        super().__init__(*args, store=store, **kwargs)
        self.fields["source"].queryset = Source.for_store(store)  # type: ignore[attr-defined]
        if pick_consultant:
            self.fields["consultant"].queryset = consultant_choices(  # type: ignore[attr-defined]
                store, customer.consultant_id
            )
        else:
            del self.fields["consultant"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ordered, expected = cleaned.get("order_date"), cleaned.get("expected_delivery")
        if ordered is not None and expected is not None and expected < ordered:
            self.add_error(
                "expected_delivery",
                _("The expected delivery (%(expected)s) is before the order date (%(day)s).")
                % {"expected": expected.isoformat(), "day": ordered.isoformat()},
            )
        return cleaned


# What an order edit shows: the order itself; after delivery, the delivery and aftercare too.
ORDER_FIELDS = [
    "order_date", "model", "channel", "source", "consultant", "deposit", "contract_no", "price",
    "colour", "expected_delivery",
]  # fmt: skip
DELIVERY_FIELDS = [
    "delivery_date", "vin", "ceremony", "insurance", "finance", "accessories",
    "extended_warranty", "trade_in", "call_3day", "letter_7day",
]  # fmt: skip


class OrderEditForm(forms.ModelForm):
    """Correction of an order, carrying the version it was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Order
        fields = [*ORDER_FIELDS, *DELIVERY_FIELDS]
        widgets = {
            name: DATE_WIDGET
            for name in (
                "order_date", "expected_delivery", "delivery_date", "call_3day", "letter_7day"
            )
        }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order: Order = self.instance
        self.store = order.store
        if "version" not in self.initial:
            self.initial["version"] = order.version
        if order.delivery_date is None:
            for name in DELIVERY_FIELDS:
                del self.fields[name]
        else:
            self.fields["delivery_date"].required = True
        self.fields["source"].queryset = Source.for_store(self.store)  # type: ignore[attr-defined]
        self.fields["consultant"].queryset = consultant_choices(  # type: ignore[attr-defined]
            self.store, order.consultant_id
        )
        self.fields["channel"].choices = CHANNEL_CHOICES  # type: ignore[attr-defined]
        self.fields["channel"].widget = forms.RadioSelect(choices=CHANNEL_CHOICES)

    @property
    def model_fields(self) -> list[str]:
        return [name for name in self.fields if name != "version"]

    def clean_vin(self) -> str:
        return clean_vin_value(self.cleaned_data.get("vin", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("order_date", "delivery_date", "call_3day", "letter_7day"):
            try:
                not_after_today(cleaned.get(name), self.store)
            except forms.ValidationError as error:
                self.add_error(name, error)
        ordered, delivered = cleaned.get("order_date"), cleaned.get("delivery_date")
        reason = delivery_date_error(order_date=ordered, delivery_date=delivered)
        if reason:
            self.add_error("delivery_date", reason)
        for name in ("call_3day", "letter_7day"):
            done = cleaned.get(name)
            if done and delivered and done < delivered:
                self.add_error(name, _("This cannot be before the delivery date."))
        cancelled_on = self.instance.cancelled_on
        if ordered and cancelled_on and cancelled_on < ordered:
            self.add_error("order_date", _("The order cannot be dated after its cancellation."))
        return cleaned


class CancelOrderForm(DatedForm):
    """退订: the date the customer cancelled (today unless told otherwise) and why."""

    date_fields = ("cancelled_on",)

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    cancelled_on = forms.DateField(label=_("Cancelled on"), widget=DATE_WIDGET)
    cancel_reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", order.version)
        super().__init__(*args, store=order.store, **kwargs)
        self.order = order

    def clean_cancelled_on(self) -> date:
        day: date = self.cleaned_data["cancelled_on"]
        if day < self.order.order_date:
            raise forms.ValidationError(
                _("The cancellation cannot be before the order date (%(date)s)."),
                code="before_order",
                params={"date": self.order.order_date.isoformat()},
            )
        return day


class DeliveryForm(DatedForm):
    date_fields = ("delivery_date",)

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    delivery_date = forms.DateField(label=_("Delivery date"), widget=DATE_WIDGET)
    vin = forms.CharField(label=_("VIN"), max_length=30, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    ceremony = forms.BooleanField(label=_("Delivery ceremony"), required=False)
    insurance = forms.BooleanField(label=_("Insurance sold"), required=False)
    finance = forms.BooleanField(label=_("Finance"), required=False)
    accessories = forms.DecimalField(
        label=_("Accessories amount"), initial=0, max_digits=10, decimal_places=2, min_value=0
    )
    extended_warranty = forms.BooleanField(label=_("Extended warranty"), required=False)
    trade_in = forms.BooleanField(label=_("Trade-in"), required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("version", order.version)
        initial.setdefault("vin", order.vin)
        super().__init__(*args, store=order.store, **kwargs)
        self.order = order

    def clean_vin(self) -> str:
        return clean_vin_value(self.cleaned_data["vin"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reason = delivery_date_error(
            order_date=self.order.order_date, delivery_date=cleaned.get("delivery_date")
        )
        if reason:
            self.add_error("delivery_date", reason)
        return cleaned


class OrderFilterForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    by = forms.ChoiceField(
        label=_("Month of"),
        choices=[("order", _("Order date")), ("delivery", _("Delivery date"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("All")),
            ("open", _("Open (not delivered)")),
            ("delivered", _("Delivered")),
            ("cancelled", _("Cancelled")),
        ],
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("Sales channel"), choices=[("", _("All")), *CHANNEL_CHOICES], required=False
    )
    consultant = forms.ModelChoiceField(
        label=_("Consultant"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=_("All consultants"),
    )

    def __init__(self, *args: Any, store: Store, pick_consultant: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if pick_consultant:
            self.fields["consultant"].queryset = consultant_choices(store)  # type: ignore[attr-defined]
        else:
            del self.fields["consultant"]

    def clean_month(self) -> str:
        raw = self.cleaned_data["month"].strip()
        if raw and parse_month(raw) is None:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return raw
