from __future__ import annotations

from datetime import date

from django.db import transaction

from showroom.organization.models import ExportRecord, Staff, Store
from showroom.sales.models import DailyReview


def review_day(
    *, store: Store, consultant: Staff, day: date, reviewer: Staff, comment: str
) -> DailyReview:
    """The manager's review of a consultant's daily report: one per consultant and day, a
    second review replacing the comment and the reviewer."""
    with transaction.atomic():
        review = (
            DailyReview.objects.select_for_update()
            .filter(store=store, consultant=consultant, date=day)
            .first()
        )
        if review is None:
            return DailyReview.objects.create(
                store=store, consultant=consultant, date=day, reviewed_by=reviewer, comment=comment
            )
        review.comment = comment
        review.reviewed_by = reviewer
        review.save(update_fields=["comment", "reviewed_by", "reviewed_at"])
    return review


def record_download(
    *, store: Store, user: Staff, kind: str, start: date, end: date, rows: int, filename: str
) -> ExportRecord:
    """A report naming customers was downloaded: recorded as every export of personal data."""
    return ExportRecord.objects.create(
        store=store,
        user=user,
        actor=user.username,
        kind=kind,
        format="xlsx",
        date_from=start,
        date_to=end,
        rows=rows,
        destination=filename,
    )
