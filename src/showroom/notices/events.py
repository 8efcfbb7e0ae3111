"""The events that make a notice, heard on the domain models' saves.

Only the change that matters makes one: a walk-in row whose consultant is set or changed,
a lead whose assignee is set or changed, a loss request made, confirmed or sent back (and a
call put through to another consultant takes the former one's appointment reminder back). The
value a row was loaded with is kept on it (post_init) and compared after the save, so no
save costs an extra query. Nobody is told about what they did themselves.
Bulk writes (imports, the demo generator) send no signals and make no notices.
"""

from __future__ import annotations

from typing import Any

from django.db.models import ForeignKey, Model
from django.db.models.signals import post_init, post_save
from simple_history.models import HistoricalRecords

from showroom.customers.models import Customer
from showroom.notices import links
from showroom.notices.models import NoticeKind
from showroom.notices.services import Draft, notify, settle, withdraw, withdraw_from
from showroom.organization import access
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.sales.choices import LossStatus
from showroom.sales.models import LossReport
from showroom.traffic.models import Call, Lead, WalkIn

# The field each model's notices follow.
WATCHED: dict[type[Model], str] = {
    WalkIn: "consultant_id",
    Call: "consultant_id",
    Lead: "assigned_to_id",
    LossReport: "status",
}
_WAS = "_notices_was"


def connect() -> None:
    for model in WATCHED:
        post_init.connect(_remember, sender=model, dispatch_uid=f"notices-init-{model.__name__}")
    post_save.connect(walkin_saved, sender=WalkIn, dispatch_uid="notices-walkin")
    post_save.connect(call_saved, sender=Call, dispatch_uid="notices-call")
    post_save.connect(lead_saved, sender=Lead, dispatch_uid="notices-lead")
    post_save.connect(loss_saved, sender=LossReport, dispatch_uid="notices-loss")


def _remember(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    # From __dict__: a deferred field is not loaded (that would be a query per row).
    instance.__dict__[_WAS] = instance.__dict__.get(WATCHED[sender])


def _changed(instance: Model, created: bool, update_fields: frozenset[str] | None) -> bool:
    """Whether the watched field was saved with another value than the row was loaded
    with; the row remembers the new value, so that saving it again tells nobody twice."""
    return _change(instance, created, update_fields) is not None


def _change(
    instance: Model, created: bool, update_fields: frozenset[str] | None
) -> tuple[Any, Any] | None:
    """(value before, value now) of the watched field if this save changed it, else None."""
    attname = WATCHED[type(instance)]
    if update_fields is not None and not {attname, attname.removesuffix("_id")} & update_fields:
        return None
    now = instance.__dict__.get(attname)
    was = None if created else instance.__dict__.get(_WAS)
    instance.__dict__[_WAS] = now
    return (was, now) if now != was else None


def _actor_id(instance: Model) -> int | None:
    """Who made the change: the user a service named for the history, else the request's."""
    user = getattr(instance, "_history_user", None)
    if user is None:
        request = getattr(HistoricalRecords.context, "request", None)
        user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _loaded(instance: Model, name: str) -> Staff | None:
    """The staff member the row's foreign key `name` points to: the one the save was given
    (the desk's consultant, the routed agent) when it is on the row, else read."""
    field = type(instance)._meta.get_field(name)
    assert isinstance(field, ForeignKey)
    if field.is_cached(instance):
        return getattr(instance, name)  # type: ignore[no-any-return]
    return Staff.objects.filter(pk=getattr(instance, field.attname)).first()


def walkin_saved(sender: type[WalkIn], instance: WalkIn, created: bool, **kwargs: Any) -> None:
    key = f"walkin:{instance.pk}"
    if instance.cancelled_at is not None:
        # A mis-tap the desk cancelled: nobody has a party to receive.
        withdraw(key)
        return
    if kwargs.get("raw") or not _changed(instance, created, kwargs.get("update_fields")):
        return
    if not created:  # a new row's key has no notices yet
        withdraw(key, keep=instance.consultant_id)
    consultant = _loaded(instance, "consultant")
    if consultant is None or consultant.pk == _actor_id(instance):
        return
    if not access.front_desk_rows(WalkIn.objects.filter(pk=instance.pk), consultant).exists():
        return
    notify(
        Draft(
            recipient_id=consultant.pk,
            store_id=instance.store_id,
            kind=NoticeKind.WALKIN,
            key=key,
            text=str(instance),
            link_name="traffic:walkin_edit",
            link_pk=instance.pk,
        ),
        new=created,
    )


def call_saved(sender: type[Call], instance: Call, created: bool, **kwargs: Any) -> None:
    """A call put through to another consultant: the former one's reminders of its
    appointment go (the desk keeps its own)."""
    change = None if kwargs.get("raw") else _change(instance, created, kwargs.get("update_fields"))
    if change is not None and change[0] is not None:
        withdraw_from(change[0], prefix=f"appointment:call:{instance.pk}:")


def lead_saved(sender: type[Lead], instance: Lead, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw") or not _changed(instance, created, kwargs.get("update_fields")):
        return
    key = f"lead:{instance.pk}"
    if not created:  # a new lead has no notices, nor appointments, yet
        withdraw(key, keep=instance.assigned_to_id)
        withdraw(f"appointment:lead:{instance.pk}:", keep=instance.assigned_to_id, prefix=True)
    if instance.assigned_to_id is None:
        return
    person = _loaded(instance, "assigned_to")
    if person is None or person.pk == _actor_id(instance):
        return
    if not access.lead_rows(Lead.objects.filter(pk=instance.pk), person).exists():
        return
    notify(links.lead_draft(instance, recipient_id=person.pk), new=created)


def loss_saved(
    sender: type[LossReport], instance: LossReport, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw") or not _changed(instance, created, kwargs.get("update_fields")):
        return
    actor = _actor_id(instance)
    customer = Customer.objects.filter(pk=instance.customer_id).first()
    if customer is None:
        return
    text = f"{customer.name or '—'} · {instance.get_reason_display()}"
    requested = f"loss:{instance.pk}:requested"
    if instance.status == LossStatus.REQUESTED:
        staff = Staff.objects.filter(store_id=instance.store_id, is_active=True).exclude(pk=actor)
        deciders = [s for s in staff if s.has_role(Role.MANAGER, Role.GENERAL_MANAGER)]
        for manager in deciders:
            notify(
                Draft(
                    recipient_id=manager.pk,
                    store_id=instance.store_id,
                    kind=NoticeKind.LOSS_REQUESTED,
                    key=requested,
                    text=text,
                    customer_id=customer.pk,
                    link_name="deals:loss_detail",
                    link_pk=instance.pk,
                )
            )
        return
    settle(requested)
    kind = {
        LossStatus.CONFIRMED: NoticeKind.LOSS_CONFIRMED,
        LossStatus.RETURNED: NoticeKind.LOSS_RETURNED,
    }.get(LossStatus(instance.status))
    # Told to the card's consultant: after a hand-over the request is theirs to follow.
    consultant = Staff.objects.filter(pk=customer.consultant_id).first()
    if kind is None or consultant is None or consultant.pk == actor:
        return
    if not access.loss_rows(LossReport.objects.filter(pk=instance.pk), consultant).exists():
        return
    notify(
        Draft(
            recipient_id=consultant.pk,
            store_id=instance.store_id,
            kind=kind,
            key=f"loss:{instance.pk}:decided",
            text=text,
            customer_id=customer.pk,
            link_name="deals:loss_detail",
            link_pk=instance.pk,
        )
    )
