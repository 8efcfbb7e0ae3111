"""The lead API keys screen: a store's managers make, see and revoke its keys."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from showroom.organization.access import visible_stores
from showroom.organization.models import Staff
from showroom.traffic.api_keys import create_key, keys_for, revoke_key
from showroom.traffic.forms import LeadApiKeyForm


def api_keys(request: HttpRequest) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    stores = visible_stores(user)
    form = LeadApiKeyForm(request.POST or None, stores=stores)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        _key, new_key = create_key(
            store=form.cleaned_data["store"], name=form.cleaned_data["name"], created_by=user
        )
        # Shown in this answer only: a redirect would have to carry the key somewhere.
        form = LeadApiKeyForm(stores=stores)
    context = {"form": form, "keys": keys_for(user=user), "new_key": new_key}
    return render(request, "traffic/api_keys.html", context)


@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(keys_for(user=request.user), pk=pk)  # type: ignore[arg-type]
    revoke_key(key=key)
    messages.success(request, _("Key “%(name)s” revoked.") % {"name": key.name})
    return redirect("traffic:api_keys")
