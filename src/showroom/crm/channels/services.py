from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.forms import BaseModelFormSet

from showroom.organization.models import Store


def save_spend(*, formset: BaseModelFormSet[Any, Any], store: Store, month: date) -> None:
    """Save a valid spend formset for `store`'s `month`: its changed rows, and delete the rows
    marked for deletion, all or nothing. IntegrityError when a channel and model is entered
    twice for the month (by someone else meanwhile)."""
    with transaction.atomic():
        for record in formset.save(commit=False):
            record.store = store
            record.month = month
            record.save()
        for record in formset.deleted_objects:
            record.delete()
