"""The bell's count, the list of notices, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from showroom.notices import selectors, services
from showroom.notices.reminders import pending, remind


@require_GET
def count(request: HttpRequest) -> HttpResponse:
    """The bell's count, asked every half minute: the unread notices and the reminders due
    now. It writes nothing (opening the list stores the reminders)."""
    unread = selectors.unread_count(user=request.user) + pending(  # type: ignore[arg-type]
        user=request.user,  # type: ignore[arg-type]
        now=timezone.now(),
    )
    return render(request, "notices/_count.html", {"unread": unread})


@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    remind(user=request.user, now=timezone.now())  # type: ignore[arg-type]
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.notices(user=request.user, unread_only=unread_only)  # type: ignore[arg-type]
    return render(
        request,
        "notices/list.html",
        {
            "rows": rows,
            "unread_only": unread_only,
            "unread": selectors.unread_count(user=request.user),  # type: ignore[arg-type]
        },
    )


@require_GET
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notice to the thing it is about, marking it read."""
    url = selectors.link_of(user=request.user, pk=pk)  # type: ignore[arg-type]
    if url is None:
        raise Http404
    services.mark_read(user=request.user, pk=pk)  # type: ignore[arg-type]
    if not url:
        messages.info(request, _("This notice has nothing of yours to open."))
        return redirect("notices:list")
    return redirect(url)


@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    if selectors.link_of(user=request.user, pk=pk) is None:  # type: ignore[arg-type]
        raise Http404
    services.mark_read(user=request.user, pk=pk)  # type: ignore[arg-type]
    return redirect("notices:list")


@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    done = services.mark_all_read(user=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        ngettext("%(count)d notice marked read.", "%(count)d notices marked read.", done)
        % {"count": done},
    )
    return redirect("notices:list")
