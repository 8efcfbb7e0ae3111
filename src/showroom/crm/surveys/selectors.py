"""Satisfaction surveys (意向客户满意度调查): who is still to survey, saving a response,
and the results of a survey over a period.

Results are aggregates in three queries whatever the number of responses: the survey's
questions, the responses' counts (bought, source right), and the answers grouped by question
and value (free-text answers are only counted).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Sum, When
from django.db.models import Value as V
from django.shortcuts import get_object_or_404

from showroom.core.numbers import rate
from showroom.crm.choices import QuestionKind, SurveyKind
from showroom.crm.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from showroom.customers.choices import OwnerKind
from showroom.customers.models import Customer
from showroom.organization import access
from showroom.organization.models import Staff, Store
from showroom.sales.models import Order

# Who is offered for a survey: cards and deliveries of the last this many days.
RECENT_DAYS = 60
CANDIDATES = 30


def surveys_of(*, user: Staff, store: Store) -> QuerySet[Survey]:
    return access.store_rows(Survey.objects.filter(store=store), user)


def survey_for(*, user: Staff, pk: int) -> Survey:
    qs = access.store_rows(Survey.objects.select_related("store"), user)
    return get_object_or_404(qs, pk=pk)


def card_for(*, user: Staff, survey: Survey, pk: int) -> Customer:
    """A card of the survey's store that `user` may read, to survey; 404 otherwise."""
    cards = access.customer_rows(Customer.objects.filter(store=survey.store), user)
    return get_object_or_404(cards.select_related("source", "consultant"), pk=pk)


def candidates(*, user: Staff, survey: Survey, query: str = "") -> list[Customer]:
    """People to survey: for a prospect survey the store's recent prospects, for an owner
    survey the recently delivered; none already surveyed with it. `query` (name or phone)
    searches all the cards the user may read instead."""
    today = survey.store.today()
    cards = access.customer_rows(Customer.objects.filter(store=survey.store), user)
    answered = SurveyResponse.objects.filter(survey=survey, customer=OuterRef("pk"))
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        match = Q(name__icontains=query)
        if len(digits) >= 4:
            match |= Q(phone_norm__contains=digits)
        return list(cards.filter(match).order_by("-created", "pk")[:CANDIDATES])
    since = today - timedelta(days=RECENT_DAYS)
    cards = cards.filter(~Exists(answered))
    if survey.kind == SurveyKind.OWNER:
        delivered = Order.objects.filter(
            customer=OuterRef("pk"), cancelled=False, delivery_date__gte=since
        )
        cards = cards.filter(Exists(delivered))
    else:
        cards = cards.filter(owner_kind=OwnerKind.NONE, created__gte=since)
    return list(cards.select_related("consultant").order_by("-created", "pk")[:CANDIDATES])


# --- results ------------------------------------------------------------------------------


@dataclass
class Option:
    label: str
    count: int
    share: float | None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answers: int = 0
    mean_score: float | None = None  # score questions, exact
    yes: int = 0
    yes_share: float | None = None  # yes/no questions
    options: list[Option] = field(default_factory=list)  # choice questions, in their order

    @property
    def kind(self) -> str:
        return self.question.kind


@dataclass
class SurveyResults:
    survey: Survey
    start: date
    end: date
    responses: int
    bought: int
    bought_asked: int
    source_correct: int
    source_asked: int
    questions: list[QuestionResult]

    @property
    def bought_share(self) -> float | None:
        """Of the responses where it was asked, the share who had bought."""
        return rate(self.bought, self.bought_asked)

    @property
    def source_correct_share(self) -> float | None:
        return rate(self.source_correct, self.source_asked)


def survey_results(*, survey: Survey, start: date, end: date) -> SurveyResults:
    """The responses of `survey` dated start..end."""
    responses = SurveyResponse.objects.filter(survey=survey, date__range=(start, end))
    counts = responses.aggregate(
        n=Count("pk"),
        n_bought=Count("pk", filter=Q(bought=True)),
        n_bought_asked=Count("bought"),
        n_source_correct=Count("pk", filter=Q(source_correct=True)),
        n_source_asked=Count("source_correct"),
    )
    questions = list(survey.questions.order_by("position", "pk"))
    # Free text is counted, not grouped by what was written.
    key = Case(
        When(question__kind=QuestionKind.TEXT, then=V("")),
        default=F("value"),
        output_field=CharField(),
    )
    rows: Iterable[Any] = (
        SurveyAnswer.objects.filter(response__in=responses)
        .order_by()
        .values("question_id", k=key)
        .annotate(n=Count("pk"), scored=Count("score"), points=Sum("score"))
    )
    by_question: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_question.setdefault(row["question_id"], []).append(row)
    results = [_question_result(q, by_question.get(q.pk, [])) for q in questions]
    return SurveyResults(
        survey=survey,
        start=start,
        end=end,
        responses=counts["n"],
        bought=counts["n_bought"],
        bought_asked=counts["n_bought_asked"],
        source_correct=counts["n_source_correct"],
        source_asked=counts["n_source_asked"],
        questions=results,
    )


def _question_result(question: SurveyQuestion, rows: list[dict[str, Any]]) -> QuestionResult:
    result = QuestionResult(question, answers=sum(r["n"] for r in rows))
    if question.kind == QuestionKind.SCORE:
        scored = sum(r["scored"] for r in rows)
        points = sum(r["points"] or 0 for r in rows)
        result.mean_score = points / scored if scored else None
    elif question.kind == QuestionKind.YES_NO:
        result.yes = sum(r["n"] for r in rows if r["k"] == "yes")
        result.yes_share = rate(result.yes, result.answers)
    elif question.kind == QuestionKind.CHOICE:
        found = {r["k"]: r["n"] for r in rows}
        labels = [o for o in question.options.splitlines() if o.strip()]
        # Answers to options since removed still count, after the current ones.
        labels += sorted(k for k in found if k not in labels)
        result.options = [
            Option(label, found.get(label, 0), rate(found.get(label, 0), result.answers))
            for label in labels
        ]
    return result
