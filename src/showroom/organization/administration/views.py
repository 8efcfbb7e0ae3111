"""The administration screens. Who may open each is organization.permissions; which stores
and logins a user administers is organization.access."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.organization import access, permissions
from showroom.organization.administration import forms, selectors, services
from showroom.organization.choices import Duty, Role
from showroom.organization.models import DealerGroup, Staff, Store


def _user(request: HttpRequest) -> Staff:
    return request.user  # type: ignore[return-value]


def _stale(request: HttpRequest) -> None:
    messages.error(
        request,
        _("Someone else saved this meanwhile: their version is shown; make your change again."),
    )


# --- Stores ----------------------------------------------------------------------------------


def stores(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = access.administered_stores(user).select_related("group").order_by("-is_active", "code")
    groups = (
        DealerGroup.objects.all() if access.is_group_admin(user) else DealerGroup.objects.none()
    )
    return render(
        request,
        "organization/admin/stores.html",
        {"stores": rows, "groups": groups, "group_admin": access.is_group_admin(user)},
    )


def _group_admin_only(user: Staff) -> None:
    # The role alone is not enough: a group admin attached to a store administers that store.
    if not access.is_group_admin(user):
        raise PermissionDenied


def store_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _group_admin_only(user)
    form = forms.StoreForm(request.POST or None, group_admin=True)
    if request.method == "POST" and form.is_valid():
        values = {n: form.cleaned_data[n] for n in form.Meta.fields}
        store = services.create_store(values=values, user=user)
        messages.success(request, _("Store %(store)s created.") % {"store": store})
        return redirect("administration:stores")
    return render(request, "organization/admin/store_form.html", {"form": form, "store": None})


def store_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    store = get_object_or_404(access.administered_stores(user), pk=pk)
    group_admin = access.is_group_admin(user)
    form = forms.StoreForm(request.POST or None, instance=store, group_admin=group_admin)
    if request.method == "POST" and form.is_valid():
        names = [n for n in form.Meta.fields if not form.fields[n].disabled]
        values = {n: form.cleaned_data[n] for n in names}
        if services.save_store(
            store, values=values, expected_version=form.cleaned_data["version"], user=user
        ):
            messages.success(request, _("Store %(store)s saved.") % {"store": store})
            return redirect("administration:stores")
        _stale(request)
        return redirect("administration:store_edit", pk=pk)
    return render(request, "organization/admin/store_form.html", {"form": form, "store": store})


@require_POST
def store_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    store = get_object_or_404(access.administered_stores(user), pk=pk)
    active = request.POST.get("active") == "1"
    services.set_store_active(store, active=active, user=user)
    if active:
        messages.success(request, _("Store %(store)s is open again.") % {"store": store})
    else:
        messages.success(
            request,
            _("Store %(store)s is closed: it is in no list and its staff cannot sign in.")
            % {"store": store},
        )
    return redirect("administration:stores")


def group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _group_admin_only(_user(request))
    group = get_object_or_404(DealerGroup, pk=pk) if pk else None
    form = forms.GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved._history_user = _user(request)  # type: ignore[attr-defined]
        saved.save()
        messages.success(request, _("Dealer group %(group)s saved.") % {"group": saved})
        return redirect("administration:stores")
    return render(request, "organization/admin/group_form.html", {"form": form, "group": group})


# --- Staff -----------------------------------------------------------------------------------


def _staff_rows(user: Staff) -> Any:
    return access.staff_rows(Staff.objects.select_related("store"), user)


def staff(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    store_code = request.GET.get("store", "")
    query = request.GET.get("q", "").strip()
    show_inactive = request.GET.get("inactive") == "1"
    context = {
        "rows": selectors.staff_list(
            user=user, store_code=store_code, query=query, inactive=show_inactive
        ),
        "stores": access.administered_stores(user),
        "store_code": store_code,
        "query": query,
        "show_inactive": show_inactive,
    }
    return render(request, "organization/admin/staff.html", context)


def _staff_form(request: HttpRequest, user: Staff, instance: Staff | None) -> forms.StaffForm:
    initial = {}
    if instance is None and request.GET.get("store"):
        initial["store"] = (
            access.administered_stores(user).filter(code=request.GET["store"]).first()
        )
    return forms.StaffForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        stores=access.administered_stores(user).filter(is_active=True)
        if instance is None
        else access.administered_stores(user),
        roles=access.assignable_roles(user),
        group_level=access.is_group_admin(user),
    )


def staff_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = _staff_form(request, user, None)
    if request.method == "POST" and form.is_valid():
        values = {n: form.cleaned_data[n] for n in ("username", "full_name", "staff_code", "store")}
        member = services.create_staff(
            values=values,
            roles=form.cleaned_data["role_list"],
            password=form.cleaned_data["password"],
            user=user,
        )
        messages.success(
            request,
            _("%(name)s can sign in as %(login)s and must then choose their own password.")
            % {"name": member, "login": member.username},
        )
        query = f"?store={member.store.code}" if member.store else ""
        return redirect(reverse("administration:staff") + query)
    return render(request, "organization/admin/staff_form.html", {"form": form, "member": None})


def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = get_object_or_404(_staff_rows(user), pk=pk)
    form = _staff_form(request, user, member)
    if request.method == "POST" and form.is_valid():
        values = {n: form.cleaned_data[n] for n in ("username", "full_name", "staff_code", "store")}
        if services.save_staff(
            member,
            values=values,
            roles=form.cleaned_data["role_list"],
            expected_version=form.cleaned_data["version"],
            user=user,
        ):
            messages.success(request, _("%(name)s saved.") % {"name": member})
            return redirect("administration:staff_edit", pk=pk)
        _stale(request)
        return redirect("administration:staff_edit", pk=pk)
    context = {
        "form": form,
        "member": member,
        "password_form": forms.PasswordResetForm(staff=member),
        "sign_ins": selectors.sign_ins(staff=member, limit=20),
        "is_self": member.pk == user.pk,
    }
    return render(request, "organization/admin/staff_form.html", context)


@require_POST
def staff_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = get_object_or_404(_staff_rows(user), pk=pk)
    form = forms.PasswordResetForm(request.POST, staff=member)
    if form.is_valid():
        services.reset_password(member, password=form.cleaned_data["password"], user=user)
        messages.success(
            request,
            _("Password of %(name)s reset: they must choose a new one at their next sign-in.")
            % {"name": member},
        )
    else:
        for error in form.errors.get("password", []):
            messages.error(request, str(error))
    return redirect("administration:staff_edit", pk=pk)


@require_POST
def staff_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = get_object_or_404(_staff_rows(user), pk=pk)
    active = request.POST.get("active") == "1"
    if not active and member.pk == user.pk:
        messages.error(request, _("You cannot deactivate your own login."))
        return redirect("administration:staff_edit", pk=pk)
    services.set_staff_active(member, active=active, user=user)
    if active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": member})
        return redirect("administration:staff_edit", pk=pk)
    messages.success(
        request, _("%(name)s is deactivated and can no longer sign in.") % {"name": member}
    )
    if Role.CONSULTANT in member.role_set and member.store is not None:
        # Their customers need a new consultant: straight on to the handover.
        if permissions.allows(user, "customers:handover"):
            query = f"?store={member.store.code}&from={member.pk}"
            return redirect(reverse("customers:handover") + query)
        messages.warning(
            request,
            _("Ask the sales manager to hand over the customers of %(name)s.") % {"name": member},
        )
    return redirect("administration:staff")


def staff_signins(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(_staff_rows(_user(request)), pk=pk)
    rows = selectors.sign_ins(staff=member)
    return render(request, "organization/admin/signins.html", {"member": member, "rows": rows})


# --- The day's roster ------------------------------------------------------------------------


def roster(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    store = access.store_for(user, request.GET.get("store") or None)
    team = selectors.roster(user=user, store=store)
    context = {
        "store": store,
        "team": team,
        "duties": Duty.choices,
        "may_order": permissions.allows(user, "administration:roster_move"),
        "rules_form": forms.RotationRulesForm(instance=store),
    }
    return render(request, "organization/admin/roster.html", context)


def _back_to_roster(store: Store) -> HttpResponse:
    return redirect(reverse("administration:roster") + f"?store={store.code}")


@require_POST
def roster_duty(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = get_object_or_404(access.roster_rows(Staff.objects.all(), user), pk=pk)
    form = forms.DutyForm(request.POST)
    if not form.is_valid():
        raise Http404
    services.set_duty(member, duty=form.cleaned_data["duty"], user=user)
    messages.success(
        request,
        _("%(name)s: %(duty)s.") % {"name": member, "duty": member.get_duty_display()},
    )
    assert member.store is not None
    if request.POST.get("next") == "desk" and permissions.allows(user, "traffic:desk"):
        return redirect("traffic:desk")
    return _back_to_roster(member.store)


@require_POST
def roster_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = get_object_or_404(access.roster_rows(Staff.objects.all(), user), pk=pk)
    services.move_in_rotation(member, up=request.POST.get("direction") == "up", user=user)
    assert member.store is not None
    return _back_to_roster(member.store)


@require_POST
def roster_rules(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    store = access.store_for(user, request.POST.get("store") or None)
    form = forms.RotationRulesForm(request.POST, instance=store)
    if form.is_valid():
        services.set_rotation_rules(
            store,
            skips_busy=form.cleaned_data["rotation_skips_busy"],
            skips_overdue=form.cleaned_data["rotation_skips_overdue"],
            user=user,
        )
        messages.success(request, _("Rotation rules saved."))
    return _back_to_roster(store)


# --- The record of changes -------------------------------------------------------------------


def changes(request: HttpRequest) -> HttpResponse:
    rows = selectors.change_log(user=_user(request), limit=200)
    return render(request, "organization/admin/changes.html", {"rows": rows})
