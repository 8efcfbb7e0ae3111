"""Login throttling (django-axes): who is locked out, unlocking, and the lockout page.

After settings.AXES_FAILURE_LIMIT failed logins within the lock time the account and the
address are each locked; the right password is refused until the lock time has passed or a
store admin unlocks the account (docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from showroom.organization.access import visible_stores
from showroom.organization.models import Staff


def client_address(request: HttpRequest) -> str | None:
    """The client's address; behind the proxy, the one the proxy saw (the last it appended)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The login page again, saying why the right password does not help now."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked": True,
        "lock_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "username": username,
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


@dataclass(frozen=True)
class LockedAccount:
    staff: Staff
    failures: int
    last_attempt: datetime
    until: datetime


def locked_accounts(*, user: Staff) -> list[LockedAccount]:
    """Accounts of `user`'s stores locked now (all accounts for a superuser)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since, username__isnull=False)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    by_name = {row["username"]: row for row in rows}
    staff = Staff.objects.filter(username__in=by_name).select_related("store")
    if not user.is_superuser:
        staff = staff.filter(store__in=visible_stores(user))
    return [
        LockedAccount(
            staff=member,
            failures=by_name[member.username]["failures"],
            last_attempt=by_name[member.username]["last"],
            until=by_name[member.username]["last"] + settings.AXES_COOLOFF_TIME,
        )
        for member in staff.order_by("username")
    ]


def unlock_account(*, user: Staff, username: str) -> bool:
    """Forget the failed logins of `username`, if `user` may see that account's lock."""
    if not any(a.staff.username == username for a in locked_accounts(user=user)):
        return False
    reset(username=username)
    return True
