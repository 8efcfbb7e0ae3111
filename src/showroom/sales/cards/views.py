"""Customer card screens: the list, the card (front and back), its edit form, its history,
a new prospect, the duplicate check as the phone is typed, the manager's handover."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from showroom.core.history import format_local, last_change
from showroom.customers import forms, services
from showroom.customers.choices import CustomerType
from showroom.customers.forms import TIMEFRAMES
from showroom.customers.models import Customer
from showroom.customers.phones import format_phone
from showroom.customers.selectors import (
    card_for,
    model_suggestions,
    trim_suggestions,
    visible_customers,
)
from showroom.organization import access, permissions
from showroom.organization.models import Staff, Store
from showroom.organization.requests import Request, requested_store
from showroom.sales.cards import selectors
from showroom.sales.prospects.forms import ContactForm
from showroom.sales.prospects.services import hand_over
from showroom.traffic.selectors import phone_match


def _card(request: Request, pk: int) -> Customer:
    """The card if the user may read it; 404 otherwise, so that others' cards stay unseen."""
    return card_for(user=request.user, pk=pk)


def _phone(user: Staff, customer: Customer) -> str:
    """As the user may see it, in the one format (138 0000 0000)."""
    shown = access.shown_phone(
        user, customer.phone_norm or customer.phone, owner_id=customer.consultant_id
    )
    return format_phone(shown)


CLOSED = (CustomerType.LOST, CustomerType.OUT_OF_CONTROL)

# The list's status filter: the live prospects first (the default), every card last.
STATUS_CHOICES: list[tuple[str, Any]] = [
    ("", _lazy("Live prospects (O included)")),
    *selectors.STATUSES,
    (selectors.ALL, _lazy("All cards")),
]


def _sort_links(request: Request, sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the list's address sorted by it (reversed if it is the
    current one) and the arrow shown beside the current one."""
    links = {}
    for key in selectors.SORTS:
        params = request.GET.copy()
        params.pop("page", None)
        current = sort.lstrip("-") == key
        params["sort"] = f"-{key}" if current and not sort.startswith("-") else key
        arrow = ("▼" if sort.startswith("-") else "▲") if current else ""
        links[key] = {"url": "?" + params.urlencode(), "arrow": arrow}
    return links


# --- List ------------------------------------------------------------------------------------


def customer_list(request: Request) -> HttpResponse:
    """The cards the user may see: search by name or phone, filter by grade, consultant,
    overdue follow-ups."""
    user = request.user
    store = requested_store(request)
    today = store.today()
    show_consultant = access.sees_all_rows(user)
    form = forms.ListFilterForm(
        request.GET or None, store=store, show_consultant=show_consultant, statuses=STATUS_CHOICES
    )
    filters: dict[str, Any] = {}
    sort = selectors.DEFAULT_SORT
    if form.is_valid():
        sort = form.cleaned_data["sort"] or sort
        filters = {
            "query": form.cleaned_data["q"],
            "grade": form.cleaned_data["grade"],
            "consultant": form.cleaned_data.get("consultant"),
            "overdue": form.cleaned_data["overdue"],
            "status": form.cleaned_data["status"] or selectors.LIVE,
            "sort": sort,
        }
    qs = selectors.customer_list(user=user, store=store, today=today, **filters)
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    overdue = selectors.overdue_ids(customer_ids=[c.pk for c in rows], today=today)
    status_names = dict(selectors.STATUSES)
    for c in rows:
        c.shown_phone = _phone(user, c)  # type: ignore[attr-defined]
        c.is_overdue = c.pk in overdue  # type: ignore[attr-defined]
        c.status = selectors.status_of(c)  # type: ignore[attr-defined]
        c.status_name = status_names.get(c.status, "")  # type: ignore[attr-defined]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "customers/list.html",
        {
            "store": store,
            "today": today,
            "form": form,
            "page": page,
            "rows": rows,
            "show_consultant": show_consultant,
            "page_query": params.urlencode(),
            "columns": _sort_links(request, sort),
            "can_create": permissions.allows(user, "customers:new"),
        },
    )


# --- Card ------------------------------------------------------------------------------------


def card(request: Request, pk: int) -> HttpResponse:
    """Front (who, what they want, where they come from) and back (every contact, newest
    first), with the contact form for the consultant and the manager."""
    user = request.user
    customer = _card(request, pk)
    today = customer.store.today()
    contact_form = None
    if access.may_log_contact(user, customer):
        contact_form = ContactForm(customer=customer, today=today)
    overdue = selectors.overdue_ids(customer_ids=[customer.pk], today=today)
    referrer = customer.referred_by
    return render(
        request,
        "customers/card.html",
        {
            "customer": customer,
            "shown_phone": _phone(user, customer),
            "referrer_phone": _phone(user, referrer) if referrer else "",
            "referrer_visible": referrer is not None and access.card_visible(user, referrer),
            "timeline": selectors.card_timeline(customer=customer),
            "contact_form": contact_form,
            "is_overdue": customer.pk in overdue,
            "today": today,
            "can_edit": access.may_edit_card(user, customer),
            "can_hand_over": permissions.allows(user, "customers:handover"),
            # A card already lost or out of control is past an order or a loss request.
            "can_order": customer.customer_type not in CLOSED,
            "can_request_loss": customer.customer_type
            in (
                CustomerType.PROSPECT,
                CustomerType.DORMANT,
            ),
        },
    )


def card_edit(request: Request, pk: int) -> HttpResponse:
    """Edit the front. Saving a version someone else has meanwhile saved is refused (409):
    what was typed stays in the form, the values now stored are shown beside it."""
    user = request.user
    customer = _card(request, pk)
    if not access.may_edit_card(user, customer):
        raise PermissionDenied
    store = customer.store
    stored: dict[str, str] = {}
    conflict: dict[str, str] | None = None
    status = 200
    if request.method == "POST":
        form = forms.CardForm(request.POST, instance=customer, store=store, user=user)
        if form.is_valid():
            customer.referred_by = form.cleaned_data["referrer_phone"]
            fields = list(services.FRONT_FIELDS)
            if services.save_card(
                customer, fields=fields, expected_version=form.cleaned_data["version"], user=user
            ):
                messages.success(request, _("Saved."))
                return redirect("customers:card", pk=customer.pk)
            current = _card(request, pk)
            who, when = last_change(current)
            for name in fields:
                key = "referrer_phone" if name == "referred_by" else name
                now = getattr(current, name)
                if form.cleaned_data.get(key) != now:
                    stored[key] = access.shown_value(current, name, now, user=user)
            conflict = {"who": who, "when": format_local(when)}
            data = request.POST.copy()
            data["version"] = str(current.version)  # saving again now overwrites, knowingly
            form = forms.CardForm(data, instance=_card(request, pk), store=store, user=user)
            customer = current
            status = 409
    else:
        form = forms.CardForm(instance=customer, store=store, user=user)
    phone = form["phone"].value() or ""
    match = None
    if services.find_duplicate(store=store, phone=phone, exclude_pk=customer.pk):
        match = phone_match(user=user, store=store, phone=phone)
    context = {
        "customer": customer,
        "form": form,
        "fields": [(form[name], stored.get(name)) for name in form.model_fields],
        "conflict": conflict,
        "match": match,
        "models": model_suggestions(store=store),
        "trims": trim_suggestions(store=store, model=form["model"].value() or ""),
        "timeframes": TIMEFRAMES,
    }
    return render(request, "customers/edit.html", context, status=status)


def card_history(request: Request, pk: int) -> HttpResponse:
    """Who changed what on the card and when (old → new), and on its orders and losses."""
    customer = _card(request, pk)
    entries, related = selectors.card_history(customer=customer, user=request.user)
    return render(
        request,
        "customers/history.html",
        {"customer": customer, "entries": entries, "related": related},
    )


# --- New prospect ----------------------------------------------------------------------------


def new(request: Request) -> HttpResponse:
    """A new prospect's card (ProspectForm's minimum). A number that is already a card of the
    store shows whose it is, with a link when the user may open it — never a second card."""
    user = request.user
    store = requested_store(request)
    choose = access.may_choose_consultant(user)
    duplicate: Customer | None = None
    if request.method == "POST":
        form = forms.ProspectForm(request.POST, store=store, user=user, choose_consultant=choose)
        if form.is_valid():
            data = {n: form.cleaned_data[n] for n in form.model_fields}
            consultant = data.pop("consultant", None) if choose else user
            referrer = form.cleaned_data["referrer_phone"]
            try:
                customer = services.create_prospect(
                    store=store, user=user, consultant=consultant, referred_by=referrer, **data
                )
            except services.DuplicateCustomer as exc:
                duplicate = exc.customer
            else:
                messages.success(request, _("Card created for %(name)s.") % {"name": customer.name})
                return redirect("customers:card", pk=customer.pk)
    else:
        form = forms.ProspectForm(
            initial=request.GET.dict(), store=store, user=user, choose_consultant=choose
        )
    context: dict[str, Any] = {
        "store": store,
        "form": form,
        "duplicate": duplicate,
        "models": model_suggestions(store=store),
        "trims": trim_suggestions(store=store, model=form["model"].value() or ""),
        "timeframes": TIMEFRAMES,
        "match": None,
    }
    if duplicate is not None:
        visible = access.card_visible(user, duplicate)
        context.update(
            duplicate_visible=visible,
            duplicate_is_own=duplicate.consultant_id == user.pk,
            duplicate_name=duplicate.name if visible else "",
        )
    else:
        phone = form["phone"].value() or ""
        context["match"] = phone_match(user=user, store=store, phone=phone) if phone else None
    return render(request, "customers/new.html", context, status=200)


@require_GET
def trims(request: Request) -> HttpResponse:
    """HTMX: the trim box's suggestions for the model being typed on a card form."""
    store = requested_store(request)
    context = {"trims": trim_suggestions(store=store, model=request.GET.get("model", ""))}
    return render(request, "customers/_trims.html", context)


@require_GET
def phone_check(request: Request) -> HttpResponse:
    """HTMX: whose card the number being typed already is (as much as the role may see);
    the card being edited does not count as a duplicate of itself."""
    store = requested_store(request)
    phone = request.GET.get("phone", "")
    match = phone_match(user=request.user, store=store, phone=phone)
    own_card = request.GET.get("customer", "")
    if match and match.customer and own_card.isdigit() and match.customer.pk == int(own_card):
        match = None
    context: dict[str, Any] = {"match": match}
    if match and match.customer and match.full:
        context["card_url"] = reverse("customers:card", args=[match.customer.pk])
    return render(request, "customers/_phone_check.html", context)


# --- Handover --------------------------------------------------------------------------------


def handover(request: Request) -> HttpResponse:
    """Reassign one customer (?customer=ID) or all customers of a consultant (e.g. one who
    leaves) to one or several others in turn. Only within the manager's store."""
    user = request.user
    store = requested_store(request)
    cards = visible_customers(user=user, store=store)
    single: Customer | None = None
    raw = request.POST.get("customer") or request.GET.get("customer") or ""
    if raw.isdigit():
        single = get_object_or_404(cards.select_related("consultant"), pk=int(raw))
    initial: dict[str, Any] = {"customer": single.pk if single else None}
    if request.GET.get("from", "").isdigit():
        initial["from_consultant"] = int(request.GET["from"])
    if request.method == "POST":
        form = forms.HandoverForm(request.POST, store=store)
        if form.is_valid():
            if single is not None:
                chosen = [single]
            else:
                chosen = list(
                    selectors.cards_held(cards, consultant=form.cleaned_data["from_consultant"])
                )
            counts = hand_over(
                customers=chosen,
                receivers=list(form.cleaned_data["receivers"]),
                by=user,
                day=store.today(),
                reason=form.cleaned_data["reason"],
            )
            names = {r.pk: str(r) for r in form.cleaned_data["receivers"]}
            summary = "、".join(f"{names[pk]} {n}" for pk, n in counts.items())
            messages.success(
                request,
                _("%(count)s customers handed over: %(summary)s.")
                % {"count": sum(counts.values()), "summary": summary},
            )
            if single is not None:
                return redirect("customers:card", pk=single.pk)
            return redirect(reverse("customers:list") + _store_query(request, store))
    else:
        form = forms.HandoverForm(initial=initial, store=store)
    return render(
        request,
        "customers/handover.html",
        {
            "store": store,
            "form": form,
            "single": single,
            "counts": selectors.holder_counts(cards),
        },
    )


def _store_query(request: Request, store: Store) -> str:
    return "" if store.pk == request.user.store_id else "?" + urlencode({"store": store.code})
