from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from showroom.organization import access, hooks
from showroom.organization.administration import services
from showroom.organization.administration.forms import FirstRunForm
from showroom.organization.context_processors import nav_items
from showroom.organization.forms import OpeningHoursForm
from showroom.organization.logins import locked_accounts, unlock_account
from showroom.organization.models import Staff


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own first piece of work."""
    items = nav_items(request.user)  # type: ignore[arg-type]
    return redirect(items[0].url if items else "password_change")


def login_locks(request: HttpRequest) -> HttpResponse:
    """Accounts of the store locked after too many failed logins, each with an unlock button."""
    user: Staff = request.user  # type: ignore[assignment]
    if request.method == "POST":
        username = request.POST.get("username", "")
        if unlock_account(user=user, username=username):
            messages.success(request, _("%(user)s can log in again.") % {"user": username})
        else:
            messages.error(request, _("That account is not locked."))
        return redirect("login_locks")
    context = {
        "locked": locked_accounts(user=user),
        "limit": settings.AXES_FAILURE_LIMIT,
        "lock_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "organization/login_locks.html", context)


def store_settings(request: HttpRequest) -> HttpResponse:
    """The store's settings: its opening hours here (the hour grid of the traffic statistics
    starts from them), and links to the settings other screens keep."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    form = OpeningHoursForm(request.POST or None, instance=store)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Opening hours saved."))
        return redirect(request.get_full_path())
    contributed = hooks.store_settings_links.results(user=user, store=store)
    links = sorted((link for group in contributed for link in group), key=lambda k: k.order)
    context = {"store": store, "form": form, "links": links}
    return render(request, "organization/store_settings.html", context)


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Nobody can sign in yet: the page points to the first run.
        context["first_run"] = not Staff.objects.exists()
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; it also ends a reset's obligation to choose a new one."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(form.user)
        return response


def first_run(request: HttpRequest) -> HttpResponse:
    """While the database has no login at all: the dealer group, its first store and the
    group admin, who is then signed in. Once anyone exists, it leads to the home page."""
    if Staff.objects.exists():
        return redirect("home")
    form = FirstRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = services.set_up(
            group=data["group"],
            store_code=data["store_code"],
            store_name=data["store_name"],
            brand=data["brand"],
            time_zone=data["time_zone"],
            username=data["username"],
            full_name=data["full_name"],
            password=data["password"],
        )
        login(request, done.admin, backend="showroom.organization.backends.StaffBackend")
        messages.success(
            request,
            _("Welcome. Add the staff of %(store)s next: managers, the front desk, consultants.")
            % {"store": done.store.name},
        )
        return redirect("administration:staff")
    return render(request, "organization/first_run.html", {"form": form})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose CSRF check failed: in the app's layout and language, with what to do."""
    return render(request, "403_csrf.html", status=403)
