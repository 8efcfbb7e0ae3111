"""交车面访: the deliveries still to interview, the interview form, and the customer
profiles (客户画像) built from the interviews."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from showroom.crm.forms import PeriodForm
from showroom.crm.interviews import profiles, selectors, services
from showroom.crm.interviews.forms import InterviewForm
from showroom.crm.models import DeliveryInterview
from showroom.crm.stores import store_of
from showroom.organization import access
from showroom.organization.models import Staff, Store

PAGE_SIZE = 50


def interview_list(request: HttpRequest) -> HttpResponse:
    """Deliveries without an interview, most recent first; ?done=1 for those interviewed."""
    user: Staff = request.user  # type: ignore[assignment]
    store, stores = store_of(request)
    done = request.GET.get("done") == "1"
    qs = selectors.deliveries(user=user, store=store).filter(interview__isnull=not done)
    page = Paginator(qs.order_by("-delivery_date", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    for order in rows:
        order.shown_phone = access.shown_phone(  # type: ignore[attr-defined]
            user, order.customer.phone, owner_id=order.customer.consultant_id
        )
    pending = selectors.deliveries(user=user, store=store).filter(interview__isnull=True).count()
    return render(
        request,
        "crm/interviews/list.html",
        {
            "store": store,
            "stores": stores,
            "done": done,
            "page": page,
            "rows": rows,
            "pending": pending,
            "store_query": f"&store={store.code}" if stores else "",
            "page_query": f"done={int(done)}" + (f"&store={store.code}" if stores else ""),
        },
    )


def interview(request: HttpRequest, order_pk: int) -> HttpResponse:
    """The interview of one delivery: new, or the one recorded (edited in place)."""
    user: Staff = request.user  # type: ignore[assignment]
    order = selectors.delivery_for(user=user, pk=order_pk)
    # A new interview starts from the source recorded on the order, for the CRM to confirm.
    instance = selectors.interview_of(order) or DeliveryInterview(
        store=order.store,
        order=order,
        customer=order.customer,
        date=order.store.today(),
        heard_from_id=order.source_id,
    )
    form = InterviewForm(request.POST or None, instance=instance, store=order.store)
    status = 200
    if request.method == "POST" and form.is_valid():
        if services.save_interview(form=form, user=user) is not None:
            messages.success(
                request, _("Delivery interview of %(name)s saved.") % {"name": order.customer.name}
            )
            return redirect(reverse("crm:interviews") + _store_query(request, order.store))
        instance = DeliveryInterview.objects.get(pk=instance.pk)
        data = request.POST.copy()
        data["version"] = str(instance.version)  # saving again now overwrites, knowingly
        form = InterviewForm(data, instance=instance, store=order.store)
        form.add_error(
            None,
            _(
                "Not saved: someone else changed this interview after you opened it. "
                "What you typed is kept; check it and save again."
            ),
        )
        status = 409
    context: dict[str, Any] = {
        "order": order,
        "customer": order.customer,
        "shown_phone": access.shown_phone(
            user, order.customer.phone, owner_id=order.customer.consultant_id
        ),
        "form": form,
        "editing": instance.pk is not None,
        "industries": selectors.industries(store=order.store),
    }
    return render(request, "crm/interviews/form.html", context, status=status)


def _store_query(request: HttpRequest, store: Store) -> str:
    user: Staff = request.user  # type: ignore[assignment]
    return "" if store.pk == user.store_id else f"?store={store.code}"


def profile(request: HttpRequest) -> HttpResponse:
    """客户画像: the interviews of a period per model, as charts and tables (no one named)."""
    store, stores = store_of(request)
    form = PeriodForm(request.GET or None, today=store.today())
    start, end, model = form.period()
    result = profiles.customer_profiles(stores=[store], start=start, end=end, model=model)
    return render(
        request,
        "crm/profiles/index.html",
        {
            "store": store,
            "stores": stores,
            "form": form,
            "start": start,
            "end": end,
            "model": model,
            "models": selectors.interviewed_models(store=store),
            "profile": result,
            "charts": result.charts(),
            "overall_satisfaction": result.satisfaction.get(""),
        },
    )
