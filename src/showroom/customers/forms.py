"""Forms of the customer card. They only validate; the views and services write."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from showroom.customers.choices import Grade
from showroom.customers.models import Customer, Source
from showroom.customers.phones import clean_phone_value, normalize_phone
from showroom.customers.services import FRONT_FIELDS, find_duplicate
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store

# Suggestions for 购买周期, after the expected purchase times of the grades.
TIMEFRAMES = [
    _("Within 7 days"),
    _("7 days to 1 month"),
    _("1 to 3 months"),
    _("Over 3 months"),
]


def card_phone_input(*, store: Store, customer: int | None) -> forms.TextInput:
    """A phone box that asks, as it is typed, whose card the number already is (撞单)."""
    vals: dict[str, Any] = {"store": store.code}
    if customer:
        vals["customer"] = customer
    return phone_check_input(url=reverse("customers:phone_check"), target="#phone-check", vals=vals)


def phone_check_input(*, url: str, target: str, vals: dict[str, Any]) -> forms.TextInput:
    """A phone box that sends what is typed, with `vals`, to `url` and shows the answer in
    `target`: whose customer the number already is."""
    return forms.TextInput(
        attrs={
            "type": "tel",
            "inputmode": "tel",
            "autocomplete": "off",
            "hx-get": url,
            "hx-trigger": "input changed delay:400ms, change",
            "hx-target": target,
            # Explicit: forms that swap outerHTML would otherwise pass it on.
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
            "hx-vals": json.dumps(vals),
        }
    )


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, phone or plate"), max_length=50, required=False)
    # Filled by the list's view with its statuses; empty means the live prospects.
    status = forms.ChoiceField(label=_("Status"), choices=[], required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    grade = forms.ChoiceField(
        label=_("Grade"), choices=[("", _("All grades")), *Grade.choices], required=False
    )
    consultant = forms.ModelChoiceField(
        label=_("Consultant"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=_("All consultants"),
    )
    overdue = forms.BooleanField(label=_("Overdue follow-ups only"), required=False)

    def __init__(
        self,
        *args: Any,
        store: Store,
        show_consultant: bool,
        statuses: list[tuple[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = statuses or []
        if show_consultant:
            self.fields["consultant"].queryset = Staff.objects.consultants_and(  # type: ignore[attr-defined]
                store, Customer.objects.filter(store=store).values("consultant")
            ).order_by("full_name", "username")
        else:
            del self.fields["consultant"]


class CardFieldsMixin(forms.ModelForm):
    """What the new-prospect form and the card's edit form share: the phone box with its
    duplicate check as it is typed, the store's sources, the referrer found by phone."""

    referrer_phone = forms.CharField(
        label=_("Referred by (owner's phone)"),
        max_length=32,
        required=False,
        help_text=_("The phone number of the owner who referred this customer."),
    )

    def __init__(self, *args: Any, store: Store, user: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.user = user
        if "source" in self.fields:
            self.fields["source"].queryset = Source.for_store(store)  # type: ignore[attr-defined]
        self.fields["phone"].widget = card_phone_input(store=store, customer=self.instance.pk)
        self.fields["phone"].error_messages["required"] = _("Enter the customer's phone number.")
        for name in ("model", "purchase_timeframe", "configuration"):
            if name in self.fields:
                self.fields[name].widget.attrs["list"] = f"{name}-choices"
        if "model" in self.fields and "configuration" in self.fields:
            # The trim box suggests the chosen model's trims: asked again as the model changes.
            self.fields["model"].widget.attrs.update(
                {
                    "hx-get": reverse("customers:trims"),
                    "hx-trigger": "input changed delay:300ms, change",
                    "hx-target": "#configuration-choices",
                    "hx-swap": "outerHTML",
                    "hx-sync": "this:replace",
                    "hx-vals": json.dumps({"store": store.code}),
                }
            )
        ref = self.instance.referred_by if self.instance.pk else None
        self.referrer_shown = (
            access.shown_phone(user, ref.phone, owner_id=ref.consultant_id) if ref else ""
        )
        self.initial.setdefault("referrer_phone", self.referrer_shown)

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])

    def clean_referrer_phone(self) -> Customer | None:
        value = self.cleaned_data["referrer_phone"].strip()
        if not value:
            return None
        if self.instance.pk and value == self.referrer_shown:
            return self.instance.referred_by  # unchanged (possibly shown masked)
        norm = normalize_phone(value)
        referrer = (
            Customer.objects.filter(store=self.store, phone_norm=norm).first() if norm else None
        )
        if referrer is None:
            raise forms.ValidationError(
                _("No customer of this store has the number %(phone)s."),
                params={"phone": value},
                code="referrer",
            )
        if referrer.pk == self.instance.pk:
            raise forms.ValidationError(_("A customer cannot refer themselves."), code="self")
        return referrer


class ProspectForm(CardFieldsMixin):
    """A new prospect: name, phone, model and timeframe first, then what else is known."""

    class Meta:
        model = Customer
        fields = [
            "name", "phone", "model", "purchase_timeframe", "grade", "source", "consultant",
            "gender", "region", "industry", "configuration", "colour", "budget", "payment",
            "purchase_type", "competitor_models", "vip", "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    REQUIRED = ("name", "phone", "model", "purchase_timeframe")

    def __init__(self, *args: Any, choose_consultant: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED:
            self.fields[name].required = True
        if choose_consultant:
            field = self.fields["consultant"]
            field.queryset = Staff.objects.consultants(self.store)  # type: ignore[attr-defined]
            field.required = True
        else:
            del self.fields["consultant"]

    @property
    def model_fields(self) -> list[str]:
        return [n for n in self.fields if n != "referrer_phone"]


class CardForm(CardFieldsMixin):
    """The front of the card, carrying the version it was opened at (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Customer
        fields = [n for n in FRONT_FIELDS if n != "referred_by"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        for name in ("name", "phone"):
            self.fields[name].required = True

    def clean_phone(self) -> str:
        value = super().clean_phone()
        other = find_duplicate(
            store=self.store,
            phone=value,
            name=self.data.get("name", ""),
            exclude_pk=self.instance.pk,
        )
        if other is not None:
            if other.consultant_id == self.user.pk:
                msg = _("This number is already on your customer %(name)s's card.")
            else:
                msg = _("This number is already on another card of this store (%(consultant)s).")
            raise forms.ValidationError(
                msg,
                params={"name": other.name, "consultant": other.consultant or "—"},
                code="duplicate",
            )
        return value

    @property
    def model_fields(self) -> list[str]:
        """Form fields in card order, the referrer where the front has it."""
        return [
            "referrer_phone" if n == "referred_by" else n
            for n in FRONT_FIELDS
            if n in self.fields or n == "referred_by"
        ]


class HandoverForm(forms.Form):
    """Reassign one card, or every card of a consultant, to one or several others in turn."""

    from_consultant = forms.ModelChoiceField(
        label=_("All customers of"), queryset=Staff.objects.none(), required=False
    )
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    receivers = forms.ModelMultipleChoiceField(
        label=_("Hand over to"),
        queryset=Staff.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one consultant to hand over to.")},
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Everyone who holds cards of the store, those who have left too.
        holders = Staff.objects.filter(
            Q(pk__in=Customer.objects.filter(store=store).values("consultant"))
        ).order_by("full_name", "username")
        self.fields["from_consultant"].queryset = holders  # type: ignore[attr-defined]
        # Not the CRM, should someone hold both roles: the CRM does not take customers over.
        self.fields["receivers"].queryset = (  # type: ignore[attr-defined]
            Staff.objects.consultants(store)
            .exclude(pk__in=Staff.objects.with_role(Role.CRM))
            .order_by("full_name", "username")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("from_consultant") and not data.get("customer"):
            raise forms.ValidationError(
                _("Choose the consultant whose customers are handed over."), code="from"
            )
        return data
