"""The value screen ("Value and lifetime") and its per-store margins form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from showroom.core.months import add_months
from showroom.core.numbers import percent
from showroom.core.periods import requested_month
from showroom.kpi.statistics.workbooks import period_label
from showroom.kpi.value.forms import MarginsForm
from showroom.kpi.value.selectors import ITEMS, StoreValue, group_value, margins_for, store_values
from showroom.kpi.value.services import save_margins
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.organization.models import Staff


def _query(**params: str) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v})


def value(request: HttpRequest) -> HttpResponse:
    """Profit per delivery, after-sales value per owner and lifetime value, with the margins.

    Group staff without ?store= see every store side by side; everyone else one store, with
    the margins form (editable by that store's managers).
    """
    user: Staff = request.user  # type: ignore[assignment]
    visible = list(access.visible_stores(user))
    code = (request.POST.get("store") if request.method == "POST" else None) or request.GET.get(
        "store", ""
    )
    side_by_side = not code and len(visible) > 1 and user.has_role(Role.GROUP)
    store = visible[0] if side_by_side and visible else access.store_for(user, code or None)
    start, end = requested_month(request, today=store.today())
    month = f"{start:%Y-%m}"
    status = 200
    form: MarginsForm | None = None
    conflict: dict[str, str] | None = None
    stored: dict[str, Any] = {}

    if request.method == "POST" and not side_by_side:
        if not access.may_edit_margins(user, store):
            raise PermissionDenied
        form = MarginsForm(request.POST)
        if form.is_valid():
            if save_margins(
                store=store,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
                user=user,
            ):
                messages.success(request, _("Margins saved."))
                return redirect(reverse("kpi:value") + _query(month=month, store=code))
            current = margins_for(stores=[store])[store.pk]
            now = MarginsForm.initial_for(current)
            stored = {k: v for k, v in now.items() if k != "version" and form.cleaned_data[k] != v}
            conflict = {
                "who": str(current.updated_by or ""),
                "when": f"{timezone.localtime(current.updated_at, store.tz):%Y-%m-%d %H:%M}"
                if current.updated_at
                else "",
            }
            data = request.POST.copy()
            data["version"] = str(now["version"])  # saving again now overwrites, knowingly
            form = MarginsForm(data)
            form.is_valid()
            status = 409
        else:
            status = 400

    stores = visible if side_by_side else [store]
    values = store_values(stores=stores, start=start, end=end)
    editable = not side_by_side and access.may_edit_margins(user, store)
    if form is None and not side_by_side:
        form = MarginsForm(initial=MarginsForm.initial_for(values[0].margins))  # type: ignore[arg-type]
    store_code = "" if len(visible) < 2 else (code or "")
    context: dict[str, Any] = {
        "side_by_side": side_by_side,
        "store": None if side_by_side else store,
        "stores": visible if len(visible) > 1 else [],
        "month": month,
        "period": period_label(start, end),
        "previous_url": _query(month=f"{add_months(start, -1):%Y-%m}", store=store_code),
        "next_url": _query(month=f"{add_months(start, 1):%Y-%m}", store=store_code),
        "report_url": reverse("kpi:report_xlsx") + _query(month=month, store=store_code)
        if not side_by_side
        else "",
        "form": form,
        "editable": editable,
        "conflict": conflict,
        "stored": stored,
        "fields": [(form[name], stored.get(name)) for name in form.fields if name != "version"]
        if form
        else [],
    }
    if side_by_side:
        total = group_value(values)
        context["columns"] = [*values, *([total] if total else [])]
        context["lines"] = _side_by_side_lines(context["columns"])
    else:
        one = values[0]
        context["value"] = one
        context["items"] = [
            {
                "code": i.code,
                "label": i.label,
                "penetration": percent(i.penetration),
                "units": i.units,
                "unit_margin": _yuan(i.unit_margin),
                "per_delivery": _yuan(i.per_delivery),
                "margin": _yuan(i.margin),
                "point_worth": _yuan(i.point_worth),
            }
            for i in one.month.items
        ]
        context["text"] = {
            "per_delivery": _yuan(one.month.per_delivery),
            "month_margin": _yuan(one.month.margin),
            "retention": percent(one.aftersales.owner_retention_rate),
            "service_amount_aftersales": _yuan(one.aftersales.service_amount),
            "margin_aftersales": _yuan(one.aftersales.margin),
            "per_owner_aftersales": _yuan(one.aftersales.per_owner),
            "per_returning_owner_aftersales": _yuan(one.aftersales.per_returning_owner),
            "annual_aftersales_lifetime": _yuan(one.lifetime.annual_aftersales),
            "purchase_lifetime": _yuan(one.lifetime.purchase),
            "value_lifetime": _yuan(one.lifetime.value),
        }
        context["chart"] = _chart(one)
    return render(request, "kpi/value.html", context, status=status)


def _chart(value: StoreValue) -> dict[str, Any]:
    items = [i for i in value.month.items if i.per_delivery is not None]
    return {
        "labels": [str(i.label) for i in items],
        "values": [round(float(i.per_delivery or 0)) for i in items],
        "title": _("Margin per delivery by item (yuan)"),
    }


def _yuan(amount: Decimal | None) -> str:
    return "—" if amount is None else f"{amount:,.0f}"


def _side_by_side_lines(columns: list[StoreValue]) -> list[dict[str, Any]]:
    """Rows of the group table: one per figure, a cell per store (and the total)."""
    lines: list[dict[str, Any]] = [
        {"label": _("Deliveries"), "cells": [str(c.month.deliveries) for c in columns]},
        {
            "label": _("Profit per delivery (yuan)"),
            "cells": [_yuan(c.month.per_delivery) for c in columns],
            "strong": True,
        },
    ]
    for index, (_code, _kpi, label) in enumerate(ITEMS):
        if index == 0:
            continue
        lines.append(
            {
                "label": _("%(item)s penetration") % {"item": label},
                "cells": [percent(c.month.items[index].penetration) for c in columns],
            }
        )
    for index, (_code, _kpi, label) in enumerate(ITEMS):
        lines.append(
            {
                "label": _("%(item)s margin per delivery (yuan)") % {"item": label},
                "cells": [_yuan(c.month.items[index].per_delivery) for c in columns],
            }
        )
    lines += [
        {"label": _("Owners"), "cells": [str(c.aftersales.owners) for c in columns]},
        {
            "label": _("After-sales margin per owner, 12 months (yuan)"),
            "cells": [_yuan(c.aftersales.per_owner) for c in columns],
        },
        {
            "label": _("Annual after-sales margin per returning owner (yuan)"),
            "cells": [_yuan(c.aftersales.per_returning_owner) for c in columns],
        },
        {
            "label": _("Lifetime value of a loyal customer (yuan)"),
            "cells": [_yuan(c.lifetime.value) for c in columns],
            "strong": True,
        },
    ]
    return lines
