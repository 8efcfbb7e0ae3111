"""Who may see what: the one place every view, export, API call and command scopes its rows.

A user sees only their stores (group staff: all stores). A consultant sees only their own
customers and rows. A receptionist sees the front desk of their store and, of customers,
only whose they are. Phone numbers are masked for roles that do not need them.

Who may open a screen is `organization.permissions`; the `may_…` functions at the end decide
what is finer than a screen: which rows or fields of a screen a user may change.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from showroom.core.history import display_value
from showroom.organization.choices import PHONE_ROLES, STORE_WIDE_ROLES, Role
from showroom.organization.models import Staff, Store

M = TypeVar("M", bound=Model)


def _sees_every_store(user: Staff) -> bool:
    group_level = user.has_role(Role.GROUP, Role.GROUP_ADMIN) and user.store_id is None
    return user.is_superuser or group_level


def visible_stores(user: Staff) -> QuerySet[Store]:
    """The open stores `user` works in: a closed store is in no picker and no scope."""
    if not user.is_authenticated or not user.is_active:
        return Store.objects.none()
    if _sees_every_store(user):
        return Store.objects.filter(is_active=True)
    if user.store_id is None:
        return Store.objects.none()
    return Store.objects.filter(pk=user.store_id, is_active=True)


def sees_several_stores(user: Staff) -> bool:
    """More than one store in `visible_stores`: a store's own staff see one at most, known
    without a query."""
    if not user.is_authenticated or not user.is_active or not _sees_every_store(user):
        return False
    return visible_stores(user).count() > 1


# --- Administration: stores and staff ---------------------------------------------------------

# Who administers a store's staff, roster and settings: its store admin and general manager.
STORE_ADMIN_ROLES = (Role.STORE_ADMIN, Role.GENERAL_MANAGER)


def is_group_admin(user: Staff) -> bool:
    """A group admin (without a store) creates and closes stores and administers them all."""
    return user.is_superuser or (user.has_role(Role.GROUP_ADMIN) and user.store_id is None)


def administered_stores(user: Staff) -> QuerySet[Store]:
    """Stores `user` administers, closed ones included (to reopen them)."""
    if not user.is_authenticated or not user.is_active:
        return Store.objects.none()
    if is_group_admin(user):
        return Store.objects.all()
    if user.store_id and user.has_role(*STORE_ADMIN_ROLES):
        return Store.objects.filter(pk=user.store_id)
    return Store.objects.none()


def staff_rows(qs: QuerySet[Staff], user: Staff) -> QuerySet[Staff]:
    """Logins `user` administers: the staff of their stores; a group admin's also the
    group-level logins (without a store). Superusers are administered only by superusers."""
    if is_group_admin(user):
        rows = qs.filter(Q(store__isnull=True) | Q(store__in=administered_stores(user)))
    else:
        rows = qs.filter(store__in=administered_stores(user))
    return rows if user.is_superuser else rows.filter(is_superuser=False)


def assignable_roles(user: Staff) -> list[tuple[str, str]]:
    """The roles `user` may give: a store's admin never makes group-level logins."""
    group_roles = {Role.GROUP, Role.GROUP_ADMIN}
    return [
        (value, str(label))
        for value, label in Role.choices
        if is_group_admin(user) or value not in group_roles
    ]


def roster_rows(qs: QuerySet[Staff], user: Staff) -> QuerySet[Staff]:
    """The store's roster: its active consultants, for whoever works in the store."""
    return qs.filter(store__in=visible_stores(user), is_active=True).with_role(Role.CONSULTANT)  # type: ignore[attr-defined]


def sees_all_rows(user: Staff) -> bool:
    """Store-wide roles see every row of their stores; a consultant only their own."""
    return user.is_superuser or bool(user.role_set & STORE_WIDE_ROLES)


def front_desk_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Walk-in and call register rows: the receptionist keeps the whole register of the store."""
    if user.has_role(Role.RECEPTIONIST):
        return scope(qs, user, owner_field=None)
    return scope(qs, user)


def customer_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Customer cards: never for the receptionist or marketing (aggregates only)."""
    if not _reads_personal_rows(user):
        return qs.none()
    return scope(qs, user)


# Who works the call lists: the CRM builds and calls them, the sales managers assign.
CALL_LIST_ROLES = (Role.CRM, Role.MANAGER, Role.GENERAL_MANAGER)


def _reads_personal_rows(user: Staff) -> bool:
    """Receptionists and marketing read aggregates, not the rows of a customer or a lead."""
    return user.is_superuser or bool(user.role_set - {Role.RECEPTIONIST, Role.MARKETING})


def card_rows(qs: QuerySet[M], user: Staff, *, customer_field: str = "customer") -> QuerySet[M]:
    """Rows that hang on a customer card (orders, loss reports, contacts…) follow the card:
    a consultant reads those of their own customers, whoever the row is credited to, so that
    a card handed over takes its whole history with it."""
    if not _reads_personal_rows(user):
        return qs.none()
    return scope(
        qs,
        user,
        store_field=f"{customer_field}__store",
        owner_field=f"{customer_field}__consultant",
    )


def order_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    return card_rows(qs, user)


def loss_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    return card_rows(qs, user)


def activity_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Contacts logged on a card: whoever logged them, they are the card's history."""
    return card_rows(qs, user)


def grade_change_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    return card_rows(qs, user)


def daily_review_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """The manager's review of a consultant's day: the store's for store-wide roles, a
    consultant's own."""
    return scope(qs, user)


def lead_rows(qs: QuerySet[M], user: Staff, *, lead_field: str = "") -> QuerySet[M]:
    """Leads (or rows of a lead, through `lead_field`): a consultant those assigned to them;
    the DCC, who work the store's lead pool, and store-wide roles all of their stores; never
    the receptionist or marketing (a lead names a person)."""
    if not _reads_personal_rows(user):
        return qs.none()
    prefix = f"{lead_field}__" if lead_field else ""
    owner = None if user.has_role(Role.DCC) else f"{prefix}assigned_to"
    return scope(qs, user, store_field=f"{prefix}store", owner_field=owner)


def appointment_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Appointments: the front desk and the DCC (who book and receive them) and store-wide
    roles see the store's; a consultant their own; marketing none."""
    if not (user.is_superuser or user.role_set - {Role.MARKETING}):
        return qs.none()
    if user.has_role(Role.RECEPTIONIST, Role.DCC):
        return scope(qs, user, owner_field=None)
    return scope(qs, user)


def notice_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Notices: a person's own alone, whatever their role, in the stores they see; one about
    a customer card only while they may read the card (after a hand-over, the former
    consultant's notices about that customer are gone)."""
    qs = qs.filter(recipient=user, store__in=visible_stores(user))
    cards = qs.model._meta.get_field("customer").related_model
    assert isinstance(cards, type)
    readable = customer_rows(cards._default_manager.all(), user).values("pk")
    return qs.filter(Q(customer__isnull=True) | Q(customer__in=readable))


def call_list_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Call lists of the user's stores, for the roles that work them (not marketing, not the
    consultants: they see their own entries only)."""
    if not (user.is_superuser or user.has_role(*CALL_LIST_ROLES)):
        return qs.none()
    return scope(qs, user, owner_field=None)


def call_list_entry_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Entries: every one of the store for the CRM and managers, a consultant's own
    assignments, nothing for anyone else (marketing reads aggregates only)."""
    if user.is_superuser or user.has_role(*CALL_LIST_ROLES):
        return scope(qs, user, owner_field=None)
    if user.has_role(Role.CONSULTANT):
        return scope(qs, user, owner_field="assigned_to")
    return qs.none()


def exception_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Cross-check exceptions: the store's for store-wide roles, a consultant's own."""
    return scope(qs, user)


def intent_check_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Intent checks follow the sampled card."""
    return card_rows(qs, user)


def store_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """Rows that belong to a store, not to a person (surveys, media spend, targets…)."""
    return scope(qs, user, owner_field=None)


def statistics_rows(qs: QuerySet[M], user: Staff) -> QuerySet[M]:
    """The register rows counted in the monthly statistics for `user`.

    Marketing reads the store's aggregates (it has no rows of its own); everyone else goes
    through the front-desk scoping, so that a consultant counts only their own receptions.
    """
    if user.has_role(Role.MARKETING) and not user.has_role(Role.CONSULTANT):
        return scope(qs, user, owner_field=None)
    return front_desk_rows(qs, user)


def statistics_consultant(user: Staff) -> int | None:
    """The staff id whose rows alone `user` counts (see `statistics_rows`), None for the
    whole store."""
    if user.has_role(Role.MARKETING) and not user.has_role(Role.CONSULTANT):
        return None
    if user.has_role(Role.RECEPTIONIST) or sees_all_rows(user):
        return None
    return user.pk


def consultant_choices(*, user: Staff, store: Store) -> list[Staff]:
    """The consultants whose work `user` may pick (reports of a consultant): all of the
    store, or only themselves."""
    if sees_all_rows(user):
        return list(Staff.objects.consultants(store).order_by("staff_code", "full_name", "pk"))
    return [user] if user.store_id == store.pk else []


def pick_consultant(*, user: Staff, store: Store, pk: int | None) -> Staff | None:
    """The consultant asked for (a former one of the store too), or the default one.

    A consultant always gets themselves; asking for someone else is refused.
    """
    if not sees_all_rows(user):
        if pk is not None and pk != user.pk:
            raise PermissionDenied
        return user if user.store_id == store.pk else None
    if pk is not None:
        found = Staff.objects.filter(store=store, pk=pk).first()
        if found is None:
            raise PermissionDenied
        return found
    choices = consultant_choices(user=user, store=store)
    return choices[0] if choices else None


def card_visible(user: Staff, card: Model) -> bool:
    """Whether `user` may read this customer card (to show or hide a link to it)."""
    return customer_rows(type(card)._default_manager.filter(pk=card.pk), user).exists()


def scope(
    qs: QuerySet[M],
    user: Staff,
    *,
    store_field: str = "store",
    owner_field: str | None = "consultant",
) -> QuerySet[M]:
    """Rows of `qs` that `user` may read: in their stores and, for consultants, their own."""
    qs = qs.filter(**{f"{store_field}__in": visible_stores(user)})
    if owner_field and not sees_all_rows(user):
        qs = qs.filter(**{owner_field: user})
    return qs


def can_see_phone(user: Staff) -> bool:
    return user.is_superuser or bool(user.role_set & PHONE_ROLES)


def mask_phone(phone: str) -> str:
    """138****5678: enough for staff to recognise a number, not to call it."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def shown_phone(user: Staff, phone: str, *, owner_id: int | None = None) -> str:
    if not phone:
        return ""
    if can_see_phone(user) and (sees_all_rows(user) or owner_id is None or owner_id == user.pk):
        return phone
    return mask_phone(phone)


R = TypeVar("R")


def with_shown_phone(row: R, user: Staff) -> R:
    """Set `shown_phone` on a card or a register row (its `phone` and `consultant_id`) as
    `user` may see it; returns the row."""
    row.shown_phone = shown_phone(  # type: ignore[attr-defined]
        user,
        row.phone,  # type: ignore[attr-defined]
        owner_id=row.consultant_id,  # type: ignore[attr-defined]
    )
    return row


def with_shown_phones(rows: list[R], user: Staff) -> list[R]:
    for row in rows:
        with_shown_phone(row, user)
    return rows


def shown_value(row: Model, name: str, value: Any, *, user: Staff) -> str:
    """A stored value of `row` as the screens and histories show it to `user`: a phone
    masked as the role requires, anything else as `core.history.display_value` shows it."""
    if name == "phone" and value not in (None, ""):
        return shown_phone(user, str(value), owner_id=getattr(row, "consultant_id", None))
    return display_value(row, name, value)


def store_for(user: Staff, code: str | None = None) -> Store:
    """The store a request works on: the code asked for if visible, else the user's own."""
    if user.store_id and Staff.store.is_cached(user):  # type: ignore[attr-defined]
        # The login's own store, read with the login on this request (the sign-in backend
        # reads it to refuse a closed store's staff): the same row, not asked for again,
        # also when a form names it (the desk posts its store's code).
        own = user.store
        if own is not None and (not code or code == own.code):
            if not own.is_active or not user.is_active:
                raise PermissionDenied
            return own
    stores = visible_stores(user)
    if code:
        store = stores.filter(code=code).first()
        if store is None:
            raise PermissionDenied
        return store
    store = stores.filter(pk=user.store_id).first() if user.store_id else stores.first()
    if store is None:
        raise PermissionDenied
    return store


# --- Finer than a screen: what a user may change on a screen they may open -------------------


class Owned(Protocol):
    """A row that belongs to a consultant (a customer card, a walk-in…)."""

    consultant_id: int | None


_SALES_MANAGERS = (Role.MANAGER, Role.GENERAL_MANAGER)
# Who may change any card or register row of the store, and say which consultant a row is for.
_OFFICE = (*_SALES_MANAGERS, Role.ASSISTANT)


def _owns(user: Staff, row: Owned) -> bool:
    return user.has_role(Role.CONSULTANT) and row.consultant_id == user.pk


def may_follow_colleagues(user: Staff) -> bool:
    """A sales manager opens any consultant's day and follow-ups; a consultant only their own."""
    return user.has_role(*_SALES_MANAGERS)


def may_choose_consultant(user: Staff) -> bool:
    """Whether `user` says whose a new card or order is (a consultant's are their own)."""
    return user.has_role(*_OFFICE)


def may_edit_card(user: Staff, card: Owned) -> bool:
    return user.has_role(*_OFFICE) or _owns(user, card)


def may_log_contact(user: Staff, card: Owned) -> bool:
    """A follow-up is logged by the card's consultant, or a sales manager standing in."""
    return user.has_role(*_SALES_MANAGERS) or _owns(user, card)


def may_complete_row(user: Staff) -> bool:
    """Whether `user` marks a walk-in or call row completed (the desk only registers it)."""
    return user.has_role(Role.CONSULTANT, *_OFFICE)


def may_fix_exception(user: Staff) -> bool:
    """A cross-check exception is fixed by its consultant or a sales manager, not by the CRM."""
    return user.has_role(Role.CONSULTANT, *_SALES_MANAGERS)


def may_edit_margins(user: Staff, store: Store) -> bool:
    """Margins are the store's business: its own sales managers set them; the group reads them."""
    if user.is_superuser:
        return True
    return user.has_role(*_SALES_MANAGERS) and user.store_id == store.pk
