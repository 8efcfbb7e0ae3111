"""Media spend entry: the spend of a month as an editable table."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from showroom.core.months import add_months, first_of_month
from showroom.crm.channels import selectors, services
from showroom.crm.channels.forms import SpendFormSet
from showroom.crm.forms import MonthField
from showroom.crm.stores import store_of


def spend(request: HttpRequest) -> HttpResponse:
    """The spend of one month (?month=YYYY-MM), per channel and optionally model."""
    store, stores = store_of(request)
    try:
        month = MonthField(required=False).clean(request.GET.get("month", "")) or None
    except ValidationError:
        messages.error(request, _("Enter a month as YYYY-MM."))
        month = None
    month = month or first_of_month(store.today())
    rows = selectors.spend_of(store=store, month=month)
    formset = SpendFormSet(
        request.POST or None, queryset=rows, form_kwargs={"store": store}, prefix="s"
    )
    if request.method == "POST" and formset.is_valid():
        try:
            services.save_spend(formset=formset, store=store, month=month)
        except services.StaleSpend:
            messages.error(
                request,
                _(
                    "Not saved: someone else changed this month's spend after you opened it. "
                    "Check the figures below and enter your changes again."
                ),
            )
            # A fresh query: the rows read for the refused save carry the typed values.
            formset = SpendFormSet(queryset=rows.all(), form_kwargs={"store": store}, prefix="s")
        except IntegrityError:
            # Someone saved the same channel and model meanwhile (or a stale page was sent).
            messages.error(
                request, _("This channel (and model) is already entered for this month.")
            )
        else:
            messages.success(request, _("Spend of %(month)s saved.") % {"month": f"{month:%Y-%m}"})
            query = {"month": f"{month:%Y-%m}", **({"store": store.code} if stores else {})}
            return redirect(reverse("crm:channel_spend") + "?" + urlencode(query))
    models = selectors.models_sold(store=store)
    store_param = {"store": store.code} if stores else {}
    return render(
        request,
        "crm/channels/spend.html",
        {
            "store": store,
            "stores": stores,
            "month": month,
            "formset": formset,
            "models": models,
            "total": sum((r.amount for r in rows), start=0),
            "previous_url": "?"
            + urlencode({"month": f"{add_months(month, -1):%Y-%m}", **store_param}),
            "next_url": "?" + urlencode({"month": f"{add_months(month, 1):%Y-%m}", **store_param}),
            "report_url": reverse("crm:channels")
            + "?"
            + urlencode({"start": f"{month:%Y-%m}", **store_param}),
        },
    )
