"""Forms of the administration screens. They only validate; services.py saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from showroom.core.forms import TIME_WIDGET
from showroom.organization.choices import Duty, Role
from showroom.organization.models import DealerGroup, Staff, Store

# Roles that may be held without a store (seeing, or administering, every store).
GROUP_ROLES = {Role.GROUP.value, Role.GROUP_ADMIN.value}


class VersionedForm(forms.ModelForm):
    """Carries the version the row was opened at: a save over someone else's is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
        else:
            self.fields["version"].required = False


class GroupForm(forms.ModelForm):
    # Only the group admin renames the group: no version check.
    class Meta:
        model = DealerGroup
        fields = ["name"]


class StoreForm(VersionedForm):
    class Meta:
        model = Store
        fields = [
            "group", "code", "name", "brand", "time_zone", "address",
            "opening_time", "closing_time",
        ]  # fmt: skip
        widgets = {"opening_time": TIME_WIDGET, "closing_time": TIME_WIDGET}
        help_texts = {"code": _("Letters, digits and hyphens, e.g. BJ01. Used in files and URLs.")}

    def __init__(self, *args: Any, group_admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not group_admin:
            # A store's own admin edits its details, not which group or code it has.
            for name in ("group", "code"):
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opening, closing = cleaned.get("opening_time"), cleaned.get("closing_time")
        if opening and closing and closing <= opening:
            self.add_error("closing_time", _("The store must close after it opens."))
        return cleaned


class StaffForm(VersionedForm):
    """A login: who, which store, which roles. The password is set on creation only."""

    role_list = forms.MultipleChoiceField(
        label=_("Roles"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("They must choose their own at their first sign-in."),
    )

    class Meta:
        model = Staff
        fields = ["username", "full_name", "staff_code", "store"]
        labels = {"username": _("Login name")}

    def __init__(
        self,
        *args: Any,
        stores: QuerySet[Store],
        roles: list[tuple[str, str]],
        group_level: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores  # type: ignore[attr-defined]
        self.fields["store"].required = not group_level
        self.fields["role_list"].choices = roles  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial.setdefault("role_list", sorted(self.instance.role_set))
            del self.fields["password"]
        else:
            self.fields["password"].required = True

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if password:
            validate_password(password, self.instance)
        return password

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        store, code = cleaned.get("store"), cleaned.get("staff_code")
        roles = set(cleaned.get("role_list") or [])
        if store is None and "store" not in self.errors and roles - GROUP_ROLES:
            self.add_error("store", _("Choose the store: only the group roles work without one."))
        if code:
            taken = Staff.objects.filter(store=store, staff_code=code).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("staff_code", _("Another staff member of the store has this code."))
        return cleaned


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("Temporary password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Give it to the person; they must choose their own at the next sign-in."),
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_password(password, self.staff)
        return password


class DutyForm(forms.Form):
    duty = forms.ChoiceField(choices=Duty.choices)


class RotationRulesForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["rotation_skips_busy", "rotation_skips_overdue"]


class FirstRunForm(forms.Form):
    """The dealer group, its first store and the admin who runs them."""

    group = forms.CharField(label=_("Dealer group"), max_length=100)
    store_code = forms.SlugField(
        label=_("Store code"), max_length=32, help_text=_("Letters, digits and hyphens, e.g. BJ01.")
    )
    store_name = forms.CharField(label=_("Store name"), max_length=100)
    brand = forms.CharField(label=_("Brand"), max_length=50, required=False)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, initial="Asia/Shanghai")
    username = forms.CharField(label=_("Admin login name"), max_length=150)
    full_name = forms.CharField(label=_("Admin name"), max_length=50, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def clean_time_zone(self) -> str:
        from showroom.organization.models import validate_time_zone

        zone: str = self.cleaned_data["time_zone"]
        validate_time_zone(zone)
        return zone

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        Staff.username_validator(username)
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            user = Staff(
                username=cleaned.get("username", ""), full_name=cleaned.get("full_name", "")
            )
            try:
                validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
