from __future__ import annotations

from showroom.crm.interviews.forms import InterviewForm
from showroom.crm.models import DeliveryInterview
from showroom.organization.models import Staff


def save_interview(*, form: InterviewForm, user: Staff) -> DeliveryInterview:
    """Save a validated delivery interview; its interviewer is whoever recorded it first."""
    record: DeliveryInterview = form.save(commit=False)
    if record.pk is None or record.interviewer_id is None:
        record.interviewer = user
    record.save()
    return record
