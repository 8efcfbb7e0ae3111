"""Writing notices: tell someone, take a notice back, mark read, send by e-mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from showroom.notices.models import Notice, NoticeKind
from showroom.organization import access
from showroom.organization.models import Staff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """A notice to store: for whom, what kind, about what (`key`), and where it leads."""

    recipient_id: int
    store_id: int
    kind: str
    key: str
    text: str = ""
    link_name: str = ""
    link_pk: int | None = None
    customer_id: int | None = None

    def fields(self) -> dict[str, object]:
        return {
            "store_id": self.store_id,
            "kind": self.kind,
            "text": self.text[:200],
            "link_name": self.link_name,
            "link_pk": self.link_pk,
            "customer_id": self.customer_id,
        }


def notify(draft: Draft, *, new: bool = False) -> Notice:
    """Store the notice; if its recipient has one with the same key, it becomes new and
    unread again (the same walk-in assigned back to them, a loss sent back twice). `new`:
    the row it is about was just created, so no notice has its key yet: none is looked for."""
    fields = {**draft.fields(), "created_at": timezone.now(), "read_at": None}
    if new:
        notice = Notice.objects.create(recipient_id=draft.recipient_id, key=draft.key, **fields)
    else:
        notice, _created = Notice.objects.update_or_create(
            recipient_id=draft.recipient_id, key=draft.key, defaults=fields
        )
    if settings.NOTICE_EMAIL:
        transaction.on_commit(lambda: send_by_mail([notice]))
    return notice


def notify_new(drafts: list[Draft]) -> int:
    """Store the drafts whose recipient has no notice with that key yet (read or not): the
    reminders, derived again at every look at the bell, are stored once. Returns how many
    were new."""
    fresh = unstored(drafts)
    if not fresh:
        return 0
    now = timezone.now()
    notices = [
        Notice(recipient_id=d.recipient_id, key=d.key, created_at=now, **d.fields())  # type: ignore[arg-type]
        for d in fresh
    ]
    # Two looks at the bell at once may both find a reminder missing: the second is ignored.
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    if settings.NOTICE_EMAIL:
        transaction.on_commit(lambda: send_by_mail(notices))
    return len(notices)


def unstored(drafts: list[Draft]) -> list[Draft]:
    """The drafts whose recipient has no notice with that key yet, once each."""
    if not drafts:
        return []
    known = set(
        Notice.objects.filter(
            recipient_id__in={d.recipient_id for d in drafts}, key__in=[d.key for d in drafts]
        ).values_list("recipient_id", "key")
    )
    fresh = {(d.recipient_id, d.key): d for d in drafts if (d.recipient_id, d.key) not in known}
    return list(fresh.values())


def withdraw(key: str, *, keep: int | None = None, prefix: bool = False) -> int:
    """Take back the notices about `key` (or every key starting with it) from everyone but
    `keep` (the row went to someone else: its former consultant must not keep reading
    about it)."""
    qs = Notice.objects.filter(key__startswith=key) if prefix else Notice.objects.filter(key=key)
    if keep is not None:
        qs = qs.exclude(recipient_id=keep)
    return qs.delete()[0]


def withdraw_from(recipient_id: int, *, prefix: str) -> int:
    """Take back from one person their notices whose key starts with `prefix`."""
    return Notice.objects.filter(recipient_id=recipient_id, key__startswith=prefix).delete()[0]


def settle(key: str) -> int:
    """Mark every notice about `key` read: what it asked for is done (a loss decided)."""
    return Notice.objects.filter(key=key, read_at=None).update(read_at=timezone.now())


def mark_read(*, user: Staff, pk: int) -> bool:
    rows = access.notice_rows(Notice.objects.filter(pk=pk), user)
    return rows.filter(read_at=None).update(read_at=timezone.now()) > 0


def mark_all_read(*, user: Staff) -> int:
    return (
        access.notice_rows(Notice.objects.all(), user)
        .filter(read_at=None)
        .update(read_at=timezone.now())
    )


def send_by_mail(notices: list[Notice]) -> int:
    """E-mail each notice to its recipient, if they have an address (SHOWROOM_NOTICE_EMAIL).
    A mail server that fails is logged, never an error on the screen that caused the notice."""
    sent = 0
    staff = Staff.objects.in_bulk({n.recipient_id for n in notices})
    with translation.override(settings.LANGUAGE_CODE):
        for notice in notices:
            person = staff.get(notice.recipient_id)
            if person is None or not person.email or not person.is_active:
                continue
            subject = str(NoticeKind(notice.kind).label)
            body = "\n".join([subject, notice.text, "", _("Open Showroom to see it.")])
            try:
                sent += send_mail(subject, body, None, [person.email])
            except OSError:
                log.exception("could not e-mail notice %s", notice.pk)
    return sent
