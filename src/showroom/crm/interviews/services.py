from __future__ import annotations

from django.db import transaction

from showroom.core.versions import claim
from showroom.crm.interviews.forms import InterviewForm
from showroom.crm.models import DeliveryInterview
from showroom.organization.models import Staff


def save_interview(*, form: InterviewForm, user: Staff) -> DeliveryInterview | None:
    """Save a validated delivery interview; its interviewer is whoever recorded it first.
    None (nothing written) when someone else saved it after the form was opened."""
    with transaction.atomic():
        instance = form.instance
        version = (
            claim(DeliveryInterview, instance.pk, form.cleaned_data["version"])
            if instance.pk
            else 1
        )
        if version is None:
            return None
        record: DeliveryInterview = form.save(commit=False)
        record.version = version
        if record.pk is None or record.interviewer_id is None:
            record.interviewer = user
        record.save()
    return record
