from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from showroom.core.versions import claim
from showroom.organization.models import ExportRecord, Staff, Store
from showroom.sales.models import DailyReview


def review_day(
    *,
    store: Store,
    consultant: Staff,
    day: date,
    reviewer: Staff,
    comment: str,
    expected_version: int,
) -> DailyReview | None:
    """The manager's review of a consultant's daily report: one per consultant and day, a
    second review replacing the comment and the reviewer. `expected_version` is the version
    the page was opened at (0: not reviewed yet); None, with nothing written, if someone else
    reviewed the day in between."""
    with transaction.atomic():
        review = DailyReview.objects.filter(store=store, consultant=consultant, date=day).first()
        if review is None:
            if expected_version != 0:
                return None
            try:
                with transaction.atomic():
                    return DailyReview.objects.create(
                        store=store,
                        consultant=consultant,
                        date=day,
                        reviewed_by=reviewer,
                        comment=comment,
                    )
            except IntegrityError:  # the other manager's first review came in just before
                return None
        version = claim(DailyReview, review.pk, expected_version)
        if version is None:
            return None
        review.version = version
        review.comment = comment
        review.reviewed_by = reviewer
        review.save(update_fields=["comment", "reviewed_by", "reviewed_at", "version"])
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
