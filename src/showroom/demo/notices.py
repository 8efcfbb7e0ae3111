"""The demo's notices: each demo login finds some unread under the bell.

Made from the demo store as it is: the reminders due today, the walk-ins and leads of the day
given to the demo consultant and DCC agent, the loss requests waiting for the managers. A
login that has none of those gets a welcome notice. Running it again adds nothing twice.
"""

from __future__ import annotations

from django.utils import timezone

from showroom.notices import links
from showroom.notices.models import NoticeKind
from showroom.notices.reminders import remind
from showroom.notices.selectors import unread_count
from showroom.notices.services import Draft, notify_new
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.sales.choices import LossStatus
from showroom.sales.models import LossReport
from showroom.traffic.models import Lead, WalkIn

RECENT = 3  # of each event, the newest


def ensure_demo_notices(store: Store, usernames: list[str]) -> dict[str, int]:
    """Notices for the logins named `usernames`; returns each one's unread count."""
    now = timezone.now()
    people = list(Staff.objects.filter(username__in=usernames).order_by("pk"))
    for person in people:
        remind(user=person, now=now)
        notify_new(_events(store, person))
    counts = {}
    for person in people:
        if unread_count(user=person) == 0:
            notify_new(
                [
                    Draft(
                        recipient_id=person.pk,
                        store_id=person.store_id or store.pk,
                        kind=NoticeKind.WELCOME,
                        key="welcome",
                        link_name="home",
                    )
                ]
            )
        counts[person.username] = unread_count(user=person)
    return counts


def _events(store: Store, person: Staff) -> list[Draft]:
    drafts: list[Draft] = []
    if person.store_id != store.pk:
        return drafts
    if person.has_role(Role.CONSULTANT):
        walk_ins = WalkIn.objects.filter(store=store, consultant=person).order_by("-date", "-pk")
        drafts += [
            Draft(
                recipient_id=person.pk,
                store_id=store.pk,
                kind=NoticeKind.WALKIN,
                key=f"walkin:{row.pk}",
                text=str(row),
                link_name="traffic:walkin_edit",
                link_pk=row.pk,
            )
            for row in walk_ins[:RECENT]
        ]
        decided = LossReport.objects.filter(
            store=store,
            customer__consultant=person,
            status__in=[LossStatus.CONFIRMED, LossStatus.RETURNED],
        ).select_related("customer")
        drafts += [
            Draft(
                recipient_id=person.pk,
                store_id=store.pk,
                kind=NoticeKind.LOSS_CONFIRMED
                if report.status == LossStatus.CONFIRMED
                else NoticeKind.LOSS_RETURNED,
                key=f"loss:{report.pk}:decided",
                text=f"{report.customer.name or '—'} · {report.get_reason_display()}",
                link_name="deals:loss_detail",
                link_pk=report.pk,
                customer_id=report.customer_id,
            )
            for report in decided.order_by("-decided_on", "-pk")[:RECENT]
        ]
    if person.has_role(Role.CONSULTANT, Role.DCC):
        leads = Lead.objects.filter(store=store, assigned_to=person).order_by("-created_at")
        drafts += [links.lead_draft(lead, recipient_id=person.pk) for lead in leads[:RECENT]]
    if person.has_role(Role.MANAGER, Role.GENERAL_MANAGER):
        waiting = LossReport.objects.filter(
            store=store, status=LossStatus.REQUESTED
        ).select_related("customer")
        drafts += [
            Draft(
                recipient_id=person.pk,
                store_id=store.pk,
                kind=NoticeKind.LOSS_REQUESTED,
                key=f"loss:{report.pk}:requested",
                text=f"{report.customer.name or '—'} · {report.get_reason_display()}",
                link_name="deals:loss_detail",
                link_pk=report.pk,
                customer_id=report.customer_id,
            )
            for report in waiting.order_by("-date", "-pk")[:RECENT]
        ]
    return drafts
