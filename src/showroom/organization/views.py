from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from showroom.organization import access
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
    """The store's opening hours: the hour grid of the traffic statistics starts from them."""
    user: Staff = request.user  # type: ignore[assignment]
    store = access.store_for(user, request.GET.get("store") or None)
    form = OpeningHoursForm(request.POST or None, instance=store)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Opening hours saved."))
        return redirect(request.get_full_path())
    return render(request, "organization/store_settings.html", {"store": store, "form": form})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form whose CSRF check failed: in the app's layout and language, with what to do."""
    return render(request, "403_csrf.html", status=403)
