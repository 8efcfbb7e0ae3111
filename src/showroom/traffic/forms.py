"""Forms of the front desk. They only validate; the views and services write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from showroom.core.forms import DATE_WIDGET, TIME_WIDGET, validate_since_2000
from showroom.customers.forms import phone_check_input
from showroom.customers.models import Source
from showroom.customers.phones import clean_phone_value
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import Call, WalkIn
from showroom.traffic.rules import Errors, call_errors, walk_in_errors
from showroom.traffic.selectors import column_order

# The desk's big buttons; a bigger party is typed in the box beside them.
PARTY_SIZES = [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
MAX_PARTY_SIZE = 50


def add_rule_errors(form: forms.BaseForm, errors: Errors) -> None:
    """Each impossible value on its field, or on the form when the field is not shown."""
    for name, reason in errors:
        form.add_error(name if name in form.fields else None, reason)


def phone_input(*, store: Store, target: str, row: str = "") -> forms.TextInput:
    """A phone box that asks the server, as it is typed, whose customer the number is (撞单)."""
    vals = {"store": store.code, **({"row": row} if row else {})}
    return phone_check_input(url=reverse("traffic:phone_check"), target=target, vals=vals)


class QuickWalkInForm(forms.Form):
    """A walk-in party as the receptionist logs it: everything but the consultant has a default."""

    arrived_at = forms.TimeField(label=_("Arrival time"), required=False, widget=TIME_WIDGET)
    party_size = forms.TypedChoiceField(
        label=_("Party size"), choices=PARTY_SIZES, coerce=int, initial=1, widget=forms.RadioSelect
    )
    # More than the buttons offer: the number typed wins over the button.
    party_more = forms.IntegerField(
        label=_("or more people"),
        required=False,
        min_value=1,
        max_value=MAX_PARTY_SIZE,
        widget=forms.NumberInput(attrs={"min": 5, "max": MAX_PARTY_SIZE, "placeholder": "5+"}),
    )
    visit_type = forms.ChoiceField(
        label=_("Visit"),
        choices=VisitType.choices,
        initial=VisitType.FIRST,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Customer name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    hand_card = forms.CharField(label=_("Hand card no."), max_length=20, required=False)
    consultant = forms.ModelChoiceField(
        label=_("Consultant"),
        queryset=Staff.objects.none(),
        error_messages={"required": _("Choose the consultant who receives the party.")},
    )

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["consultant"].queryset = Staff.objects.consultants(store)  # type: ignore[attr-defined]
        self.fields["phone"].widget = phone_input(store=store, target="#walkin-phone-check")

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        now = self.store.now()
        errors = walk_in_errors(
            day=now.date(), arrived_at=cleaned.get("arrived_at"), left_at=None, now=now
        )
        add_rule_errors(self, errors)
        more = cleaned.pop("party_more", None)
        if more:
            cleaned["party_size"] = more
        return cleaned


class QuickCallForm(forms.Form):
    called_at = forms.TimeField(label=_("Call time"), required=False, widget=TIME_WIDGET)
    call_type = forms.ChoiceField(
        label=_("Call"), choices=CallType.choices, initial=CallType.FIRST, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Customer name"), max_length=50, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    consultant = forms.ModelChoiceField(
        label=_("Put through to"),
        queryset=Staff.objects.none(),
        error_messages={"required": _("Choose the consultant the call is put through to.")},
    )

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["consultant"].queryset = Staff.objects.consultants(store)  # type: ignore[attr-defined]
        self.fields["phone"].widget = phone_input(store=store, target="#call-phone-check")

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        now = self.store.now()
        add_rule_errors(
            self, call_errors(day=now.date(), called_at=cleaned.get("called_at"), now=now)
        )
        return cleaned


class ContactKeptSelect(forms.NullBooleanSelect):
    """是否留档 as a tri-state: left unsaid, it counts as yes when name and phone are given."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("Not said (yes when name and phone are given)")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]


class RowForm(forms.ModelForm):
    """Completion and correction of one register row, carrying the version it was opened at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        store = self.instance.store
        if "version" not in self.initial:
            self.initial["version"] = self.instance.version
        if "source" in self.fields:
            self.fields["source"].queryset = Source.for_store(store)  # type: ignore[attr-defined]
        if "consultant" in self.fields:
            qs = Staff.objects.consultants(store)
            if self.instance.consultant_id:  # keep a consultant who has since left selectable
                qs = Staff.objects.filter(
                    Q(pk__in=qs.values("pk")) | Q(pk=self.instance.consultant_id)
                )
            self.fields["consultant"].queryset = qs  # type: ignore[attr-defined]
        if "party_size" in self.fields:
            self.fields["party_size"].validators.append(MinValueValidator(1))
            self.fields["party_size"].widget.attrs["min"] = 1
        if "contact_kept" in self.fields:
            self.fields["contact_kept"].widget = ContactKeptSelect()
        if "appointment_date" in self.fields:
            self.fields["appointment_date"].validators.append(validate_since_2000)
        if "phone" in self.fields:
            kind = "walkin" if isinstance(self.instance, WalkIn) else "call"
            self.fields["phone"].widget = phone_input(
                store=store, target="#phone-check", row=f"{kind}:{self.instance.pk}"
            )

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        row = self.instance

        def value(name: str) -> Any:
            # A field that is not on the form, or did not validate, keeps the row's value.
            if name in self.fields and name not in cleaned:
                return None
            return cleaned[name] if name in cleaned else getattr(row, name)

        now = row.store.now()
        if isinstance(row, WalkIn):
            errors = walk_in_errors(
                day=row.date, arrived_at=value("arrived_at"), left_at=value("left_at"), now=now
            )
        else:
            errors = call_errors(day=row.date, called_at=value("called_at"), now=now)
        # The date is not typed on the screens.
        add_rule_errors(self, [(n, r) for n, r in errors if n != "date"])
        return cleaned

    @property
    def model_fields(self) -> list[str]:
        return [name for name in self.fields if name != "version"]


# What each role fills in: the desk keeps time, party and consultant; the
# consultant completes the rest after the reception; a manager may correct everything.
WALK_IN_DESK_FIELDS = [
    "arrived_at", "left_at", "party_size", "visit_type", "consultant", "hand_card",
]  # fmt: skip
WALK_IN_CONSULTANT_FIELDS = [
    "visit_type", "party_size", "name", "phone", "source", "model", "invited", "test_drive",
    "quoted", "grade", "contact_kept", "hand_card", "left_at", "notes",
]  # fmt: skip
CALL_DESK_FIELDS = ["called_at", "call_type", "consultant"]
CALL_CONSULTANT_FIELDS = [
    "name", "phone", "source", "model", "contact_kept", "appointment_date", "grade", "notes",
]  # fmt: skip
EDITORS_OF_EVERYTHING = (Role.MANAGER, Role.GENERAL_MANAGER, Role.ASSISTANT)
# Set by the system, never typed.
NOT_TYPED = {"customer", "completed"}


def editable_fields(row: WalkIn | Call, user: Staff) -> list[str]:
    """The fields of `row` that `user` may change, in form order; empty when read-only.

    A manager's form follows the register's columns; a consultant's starts with what the
    consultant fills in; a receptionist's has the desk's fields only.
    """
    walk_in = isinstance(row, WalkIn)
    if user.has_role(*EDITORS_OF_EVERYTHING):
        return [n for n in column_order(type(row)) if n not in NOT_TYPED]
    fields: list[str] = []
    if user.has_role(Role.CONSULTANT) and row.consultant_id == user.pk:
        fields += WALK_IN_CONSULTANT_FIELDS if walk_in else CALL_CONSULTANT_FIELDS
    if user.has_role(Role.RECEPTIONIST):
        fields += WALK_IN_DESK_FIELDS if walk_in else CALL_DESK_FIELDS
    return list(dict.fromkeys(fields))


def row_form_class(row: WalkIn | Call, fields: list[str]) -> type[RowForm]:
    widgets: dict[str, Any] = {
        name: TIME_WIDGET for name in ("arrived_at", "left_at", "called_at") if name in fields
    }
    if "appointment_date" in fields:
        widgets["appointment_date"] = DATE_WIDGET
    if "notes" in fields:
        widgets["notes"] = forms.Textarea(attrs={"rows": 2})
    form_class = forms.modelform_factory(type(row), form=RowForm, fields=fields, widgets=widgets)
    return cast("type[RowForm]", form_class)


class CancelWalkInForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("Say why the walk-in is cancelled.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LinkSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), max_length=50, required=False)


class LinkForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LeadApiKeyForm(forms.Form):
    store = forms.ModelChoiceField(Store.objects.none(), label=_("Store"), empty_label=None)
    name = forms.CharField(
        label=_("Who sends with it"),
        max_length=100,
        help_text=_("For example the store's website or a lead platform."),
    )

    def __init__(self, *args: Any, stores: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["store"]).queryset = stores
