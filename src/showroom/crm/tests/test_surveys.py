"""Satisfaction surveys: configuring one, taking it, and its results in exact numbers.

The prospect survey of BJ01 has: Q1 score, Q2 yes/no, Q3 one of 本品牌/竞品/未定, Q4 free text.
October responses (R5 is in November and does not count):
  R1  bought yes  source right yes   Q1 5  Q2 yes  Q3 本品牌  Q4 "好"
  R2  bought no   source right no    Q1 4  Q2 no   Q3 竞品
  R3  bought —    source right yes   Q1 3  Q2 yes  Q3 本品牌  Q4 "一般"
  R4  bought no   source right —     —     —       Q3 旧选项 (an option since removed)
  R5  (11-02)     bought yes         Q1 1
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from showroom.crm.choices import QuestionKind, SurveyKind
from showroom.crm.models import Survey, SurveyAnswer, SurveyResponse
from showroom.crm.surveys.selectors import candidates, survey_results
from showroom.crm.surveys.services import record_response
from showroom.crm.tests.insight_data import OCT, card, d, order
from showroom.organization.choices import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm(make_staff, store):  # type: ignore[no-untyped-def]
    return make_staff("crm", Role.CRM, store=store, full_name="客服小刘")


@pytest.fixture
def survey(store):  # type: ignore[no-untyped-def]
    s = f.SurveyFactory(store=store, kind=SurveyKind.PROSPECT, title="意向客户满意度调查")
    q = [
        f.SurveyQuestionFactory(survey=s, position=1, text="接待是否热情", kind=QuestionKind.SCORE),
        f.SurveyQuestionFactory(survey=s, position=2, text="是否试驾", kind=QuestionKind.YES_NO),
        f.SurveyQuestionFactory(
            survey=s, position=3, text="最终选择", kind=QuestionKind.CHOICE,
            options="本品牌\n竞品\n未定",
        ),
        f.SurveyQuestionFactory(survey=s, position=4, text="建议", kind=QuestionKind.TEXT),
    ]  # fmt: skip
    s.q = q  # type: ignore[attr-defined]
    return s


@pytest.fixture
def answered(survey, store, consultant, crm):  # type: ignore[no-untyped-def]
    q1, q2, q3, q4 = survey.q
    rows = [
        ("10-03", True, True, [(q1, 5, ""), (q2, None, "yes"), (q3, None, "本品牌"),
                               (q4, None, "好")]),
        ("10-10", False, False, [(q1, 4, ""), (q2, None, "no"), (q3, None, "竞品")]),
        ("10-20", None, True, [(q1, 3, ""), (q2, None, "yes"), (q3, None, "本品牌"),
                               (q4, None, "一般")]),
        ("10-31", False, None, [(q3, None, "旧选项")]),
        ("11-02", True, None, [(q1, 1, "")]),
    ]  # fmt: skip
    for day, bought, right, answers in rows:
        record_response(
            survey=survey, customer=card(store, consultant), user=crm, day=d(day),
            bought=bought, source_correct=right, answers=answers,
        )  # fmt: skip
    return survey


def test_results_exact(answered) -> None:  # type: ignore[no-untyped-def]
    result = survey_results(survey=answered, start=OCT[0], end=OCT[1])
    assert result.responses == 4
    assert (result.bought, result.bought_asked, result.bought_share) == (1, 3, 1 / 3)
    assert (result.source_correct, result.source_asked) == (2, 3)
    assert result.source_correct_share == 2 / 3
    score, yes_no, choice, text = result.questions
    assert (score.answers, score.mean_score) == (3, 4.0)
    assert (yes_no.answers, yes_no.yes, yes_no.yes_share) == (3, 2, 2 / 3)
    assert [(o.label, o.count, o.share) for o in choice.options] == [
        ("本品牌", 2, 0.5), ("竞品", 1, 0.25), ("未定", 0, 0.0), ("旧选项", 1, 0.25),
    ]  # fmt: skip
    assert text.answers == 2


def test_empty_period(answered) -> None:  # type: ignore[no-untyped-def]
    result = survey_results(survey=answered, start=d("09-01"), end=d("09-30"))
    assert result.responses == 0 and result.bought_share is None
    assert result.questions[0].mean_score is None and result.questions[1].yes_share is None


def test_three_queries(answered) -> None:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        survey_results(survey=answered, start=OCT[0], end=d("11-30"))
    assert len(queries) == 3


def test_results_screen(client, crm, answered) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    url = reverse("crm:survey_results", args=[answered.pk])
    html = client.get(url, {"start": "2026-10"}).content.decode()
    assert "4.00" in html and "66.7%" in html and "33.3%" in html and "本品牌" in html


def test_create_survey_with_ordered_questions(client, crm, store) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    data = {
        "title": "车主满意度", "kind": "owner", "active": "on",
        "q-TOTAL_FORMS": "3", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "1000",
        "q-0-position": "2", "q-0-text": "交车是否准时", "q-0-kind": "yes_no", "q-0-options": "",
        "q-1-position": "1", "q-1-text": "总体满意度", "q-1-kind": "score", "q-1-options": "",
        "q-2-position": "", "q-2-text": "", "q-2-kind": "", "q-2-options": "",
    }  # fmt: skip
    assert client.post(reverse("crm:survey_new"), data).status_code == 302
    survey = Survey.objects.get(title="车主满意度")
    assert survey.store == store and survey.kind == SurveyKind.OWNER
    assert [q.text for q in survey.questions.order_by("position")] == ["总体满意度", "交车是否准时"]


def test_a_choice_question_needs_options_and_the_form_keeps_its_rows(client, crm) -> None:  # type: ignore[no-untyped-def]
    client.force_login(crm)
    data = {
        "title": "调查", "kind": "prospect",
        "q-TOTAL_FORMS": "1", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "1000",
        "q-0-position": "1", "q-0-text": "选哪个", "q-0-kind": "choice", "q-0-options": "只有一个",
    }  # fmt: skip
    response = client.post(reverse("crm:survey_new"), data)
    assert response.status_code == 200
    assert "options" in response.context["formset"].forms[0].errors
    assert "选哪个" in response.content.decode()
    assert not Survey.objects.exists()


def test_take_survey_for_a_prospect(client, crm, survey, store, consultant) -> None:  # type: ignore[no-untyped-def]
    customer = card(store, consultant, created="10-01", name="赵六", source="internet")
    client.force_login(crm)
    url = reverse("crm:survey_take", args=[survey.pk])
    page = client.get(url, {"customer": customer.pk}).content.decode()
    assert f'value="{store.today():%Y-%m-%d}"' in page  # today, as the date box reads it
    q1, q2, q3, q4 = survey.q
    data = {
        "customer": customer.pk, "date": "2026-10-08", "bought": "no", "source_correct": "yes",
        f"q{q1.pk}": "4", f"q{q2.pk}": "yes", f"q{q3.pk}": "竞品", f"q{q4.pk}": "",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    response = SurveyResponse.objects.get(customer=customer)
    assert (response.date, response.bought, response.source_correct, response.taken_by) == (
        d("10-08"), False, True, crm,
    )  # fmt: skip
    answers = {a.question_id: (a.score, a.value) for a in SurveyAnswer.objects.all()}
    assert answers == {q1.pk: (4, ""), q2.pk: (None, "yes"), q3.pk: (None, "竞品")}


def test_take_survey_errors_keep_the_answers(client, crm, survey, store, consultant) -> None:  # type: ignore[no-untyped-def]
    customer = card(store, consultant)
    client.force_login(crm)
    q1, _q2, _q3, q4 = survey.q
    response = client.post(
        reverse("crm:survey_take", args=[survey.pk]),
        {"customer": customer.pk, "date": "", f"q{q1.pk}": "5", f"q{q4.pk}": "服务很好"},
    )
    assert response.status_code == 200
    assert "date" in response.context["form"].errors
    assert "服务很好" in response.content.decode()
    assert response.context["form"][f"q{q1.pk}"].value() == "5"
    assert not SurveyResponse.objects.exists()


def test_candidates(store, consultant, crm, survey) -> None:  # type: ignore[no-untyped-def]
    today = store.today()
    recent = card(store, consultant, created=today.isoformat(), name="新客户")
    card(store, consultant, created="2020-01-01", name="老客户")
    surveyed = card(store, consultant, created=today.isoformat(), name="已调查")
    record_response(survey=survey, customer=surveyed, user=crm, day=today, bought=None,
                    source_correct=None, answers=[])  # fmt: skip
    assert [c.name for c in candidates(user=crm, survey=survey)] == [recent.name]
    assert [c.name for c in candidates(user=crm, survey=survey, query="老客")] == ["老客户"]

    owners: Survey = f.SurveyFactory(store=store, kind=SurveyKind.OWNER)  # type: ignore[assignment]
    buyer = card(store, consultant, created="2020-01-01", name="新车主")
    order(buyer, "2020-01-02", delivered=today.isoformat())
    assert [c.name for c in candidates(user=crm, survey=owners)] == ["新车主"]
