"""Tracking the cross-check's exceptions from day to day: exceptions go back to the
sales department and are tracked until fixed.

`refresh` runs the checks as of a day and brings the store's tracked exceptions up to date:
new findings are opened, findings seen again are kept (a fixed one found again reopens), open
ones no longer found are fixed on that day, explained ones stay explained. An open exception
whose row has since left the 30-day window is still checked (the checks look back to the
oldest open one), so that it is fixed when its row is, rather than forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import translation

from showroom.core.versions import claim
from showroom.crm.choices import CheckCode, ExceptionStatus
from showroom.crm.crosscheck.checks import Finding, find_between, window
from showroom.crm.models import CrosscheckException
from showroom.organization.models import Staff, Store

# Their date is the check date: they never leave the window.
_NOT_ROW_BASED = (CheckCode.RETENTION_OUTLIER,)
_UPDATED = ["date", "consultant", "phone", "message", "last_seen_on", "status", "resolved_on"]


@dataclass(frozen=True)
class Refreshed:
    opened: int
    reopened: int
    fixed: int
    open: int  # open after the refresh


def refresh(*, store: Store, on: date) -> Refreshed:
    """Bring the store's tracked exceptions up to date as of `on` (idempotent for a day).

    Messages are stored in the default language (settings.LANGUAGE_CODE), whoever refreshes.
    """
    start, end = window(on)
    tracked = CrosscheckException.objects.filter(store=store)
    oldest = (
        tracked.filter(status=ExceptionStatus.OPEN)
        .exclude(code__in=_NOT_ROW_BASED)
        .aggregate(oldest=Min("date"))["oldest"]
    )
    with translation.override(settings.LANGUAGE_CODE):
        findings = find_between(store=store, start=min(start, oldest or start), end=end)
    found = {(x.code, x.key): x for x in findings}

    with transaction.atomic():
        # The open ones, and whatever was found (fixed or explained rows of any age): not the
        # whole history.
        keys = sorted({key for _code, key in found})
        relevant = tracked.filter(Q(status=ExceptionStatus.OPEN) | Q(key__in=keys))
        existing = {(e.code, e.key): e for e in relevant.select_for_update()}
        new: list[CrosscheckException] = []
        changed: list[CrosscheckException] = []
        reopened = fixed = 0
        for ident, finding in found.items():
            row = existing.get(ident)
            if finding.date < start and (row is None or row.status != ExceptionStatus.OPEN):
                continue  # found only because the checks looked back for older open ones
            if row is None:
                new.append(_new(store, finding, on))
                continue
            before = _state(row)
            row.date = finding.date
            row.consultant_id = finding.consultant_id
            row.phone = finding.phone[:32]
            row.message = finding.message[:300]
            row.last_seen_on = max(row.last_seen_on, on)
            if row.status == ExceptionStatus.FIXED:
                row.status = ExceptionStatus.OPEN
                row.resolved_on = None
                row.version += 1
                reopened += 1
            if _state(row) != before:
                changed.append(row)
        for ident, row in existing.items():
            if row.status == ExceptionStatus.OPEN and ident not in found:
                row.status = ExceptionStatus.FIXED
                row.resolved_on = on
                # A change of status is an edit: an explanation typed before it is refused.
                row.version += 1
                changed.append(row)
                fixed += 1
        # Fixed by the data, not by a person.
        for row in changed:
            if row.status != ExceptionStatus.EXPLAINED:
                row.resolved_by = None
        CrosscheckException.objects.bulk_create(new, ignore_conflicts=True)
        CrosscheckException.objects.bulk_update(changed, [*_UPDATED, "resolved_by", "version"])
    still_open = tracked.filter(status=ExceptionStatus.OPEN).count()
    return Refreshed(opened=len(new), reopened=reopened, fixed=fixed, open=still_open)


def explain(
    *, exception: CrosscheckException, expected_version: int, text: str, by: Staff, on: date
) -> bool:
    """The CRM or a manager accepts an exception with a reason (it is not an error). False
    (nothing written) when it changed after `expected_version` was read."""
    with transaction.atomic():
        version = claim(CrosscheckException, exception.pk, expected_version)
        if version is None:
            return False
        exception.version = version
        exception.status = ExceptionStatus.EXPLAINED
        exception.explanation = text.strip()[:500]
        exception.resolved_on = on
        exception.resolved_by = by
        exception.save(update_fields=["status", "explanation", "resolved_on", "resolved_by"])
    return True


def reopen(*, exception: CrosscheckException, expected_version: int) -> bool:
    """Take an explanation back: the exception is open again until the next refresh says.
    False (nothing written) when it changed after `expected_version` was read."""
    with transaction.atomic():
        version = claim(
            CrosscheckException,
            exception.pk,
            expected_version,
            status=ExceptionStatus.EXPLAINED,
        )
        if version is None:
            return False
        exception.version = version
        exception.status = ExceptionStatus.OPEN
        exception.resolved_on = None
        exception.resolved_by = None
        exception.save(update_fields=["status", "resolved_on", "resolved_by"])
    return True


def _new(store: Store, finding: Finding, on: date) -> CrosscheckException:
    return CrosscheckException(
        store=store,
        code=finding.code,
        key=finding.key,
        date=finding.date,
        consultant_id=finding.consultant_id,
        phone=finding.phone[:32],
        message=finding.message[:300],
        found_on=on,
        last_seen_on=on,
        status=ExceptionStatus.OPEN,
    )


def _state(row: CrosscheckException) -> tuple[object, ...]:
    return tuple(getattr(row, f if f != "consultant" else "consultant_id") for f in _UPDATED)
