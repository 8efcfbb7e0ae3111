from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.forms import BaseInlineFormSet

from showroom.crm.choices import SurveyKind
from showroom.crm.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from showroom.crm.surveys.forms import SurveyForm
from showroom.customers.models import Customer
from showroom.organization.models import Staff


def save_survey(*, form: SurveyForm, questions: BaseInlineFormSet[Any, Any, Any]) -> Survey:
    """A survey and its questions (both validated), together or not at all."""
    with transaction.atomic():
        survey = form.save()
        questions.instance = survey
        questions.save()
    return survey


def record_response(
    *,
    survey: Survey,
    customer: Customer,
    user: Staff,
    day: date,
    bought: bool | None,
    source_correct: bool | None,
    answers: list[tuple[SurveyQuestion, int | None, str]],
) -> SurveyResponse:
    """A survey taken: the response and its answers, together or not at all."""
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            store=survey.store,
            survey=survey,
            customer=customer,
            date=day,
            taken_by=user,
            bought=bought if survey.kind == SurveyKind.PROSPECT else None,
            source_correct=source_correct if survey.kind == SurveyKind.PROSPECT else None,
        )
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, question=q, score=score, value=value)
            for q, score, value in answers
        )
    return response
