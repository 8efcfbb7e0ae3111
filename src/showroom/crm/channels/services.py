from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.forms import BaseModelFormSet

from showroom.core.versions import claim
from showroom.crm.models import MediaSpend
from showroom.organization.models import Store


class StaleSpend(Exception):
    """A row of the month was saved by someone else after the page was opened."""


def save_spend(*, formset: BaseModelFormSet[Any, Any], store: Store, month: date) -> None:
    """Save a valid spend formset for `store`'s `month`: its changed rows, and delete the rows
    marked for deletion, all or nothing. Each row changed or deleted claims the version it was
    opened at: StaleSpend (nothing written) when someone saved it meanwhile. IntegrityError
    when a channel and model is entered twice for the month (by someone else meanwhile)."""
    with transaction.atomic():
        claimed: dict[int, int | None] = {
            form.instance.pk: claim(
                MediaSpend, form.instance.pk, form.cleaned_data.get("version", 0)
            )
            for form in formset.initial_forms
            if form.has_changed() or form in formset.deleted_forms
        }
        if None in claimed.values():
            raise StaleSpend
        for record in formset.save(commit=False):
            record.store = store
            record.month = month
            record.version = claimed.get(record.pk) or record.version
            record.save()
        for record in formset.deleted_objects:
            record.delete()
