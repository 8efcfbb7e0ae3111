"""Reading notices: a person's own, scoped by `organization.access.notice_rows`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from showroom.notices.links import url_for
from showroom.notices.models import Notice, NoticeKind
from showroom.organization import access
from showroom.organization.models import Staff

SHOWN = 100  # the list shows the newest ones; older ones are of no use under a bell


@dataclass(frozen=True)
class Shown:
    pk: int
    label: str
    text: str
    created_at: datetime
    read: bool
    url: str


def unread_count(*, user: Staff) -> int:
    return access.notice_rows(Notice.objects.filter(read_at=None), user).count()


def notices(*, user: Staff, unread_only: bool = False) -> list[Shown]:
    rows = access.notice_rows(Notice.objects.all(), user)
    if unread_only:
        rows = rows.filter(read_at=None)
    return [
        Shown(
            pk=n.pk,
            label=str(NoticeKind(n.kind).label),
            text=n.text,
            created_at=n.created_at,
            read=n.read_at is not None,
            url=url_for(user, n.link_name, n.link_pk),
        )
        for n in rows.order_by("-created_at", "-pk")[:SHOWN]
    ]


def link_of(*, user: Staff, pk: int) -> str | None:
    """The link of one of `user`'s notices ("" if it has none), None if it is not theirs."""
    notice = access.notice_rows(Notice.objects.filter(pk=pk), user).first()
    if notice is None:
        return None
    return url_for(user, notice.link_name, notice.link_pk)
