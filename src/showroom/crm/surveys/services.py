from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.forms import BaseInlineFormSet

from showroom.core.versions import claim
from showroom.crm.choices import SurveyKind
from showroom.crm.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from showroom.crm.surveys.forms import SurveyForm
from showroom.customers.models import Customer
from showroom.organization.models import Staff


def save_survey(*, form: SurveyForm, questions: BaseInlineFormSet[Any, Any, Any]) -> Survey | None:
    """A survey and its questions (both validated), together or not at all. The questions are
    part of the definition, so the survey's version covers them: None (nothing written) when
    someone else saved the survey after the form was opened."""
    with transaction.atomic():
        pk = form.instance.pk
        version = claim(Survey, pk, form.cleaned_data["version"]) if pk else 1
        if version is None:
            return None
        form.instance.version = version
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
