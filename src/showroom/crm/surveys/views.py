"""Survey screens: the store's surveys, a survey and its questions, taking a survey for one
customer, and the results of a period (aggregates only)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from showroom.crm.choices import SurveyKind
from showroom.crm.forms import PeriodForm
from showroom.crm.models import Survey
from showroom.crm.stores import store_of
from showroom.crm.surveys import selectors as surveys
from showroom.crm.surveys import services
from showroom.crm.surveys.forms import QuestionFormSet, ResponseForm, SurveyForm
from showroom.crm.surveys.forms import response_initial as initial_of
from showroom.organization import access
from showroom.organization.models import Staff


def _survey(request: HttpRequest, pk: int) -> Survey:
    user: Staff = request.user  # type: ignore[assignment]
    return surveys.survey_for(user=user, pk=pk)


def survey_list(request: HttpRequest) -> HttpResponse:
    user: Staff = request.user  # type: ignore[assignment]
    store, stores = store_of(request)
    today = store.today()
    month_start = today.replace(day=1)
    rows = (
        surveys.surveys_of(user=user, store=store)
        .annotate(
            n_questions=Count("questions", distinct=True),
            n_month=Count("responses", filter=Q(responses__date__gte=month_start), distinct=True),
        )
        .order_by("-active", "kind", "title")
    )
    return render(
        request,
        "crm/surveys/list.html",
        {
            "store": store,
            "stores": stores,
            "rows": rows,
        },
    )


def survey_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new survey (in the user's store, or ?store=) or an existing one, with its questions."""
    if pk is None:
        store, _stores = store_of(request)
        survey = Survey(store=store, kind=SurveyKind.PROSPECT)
    else:
        survey = _survey(request, pk)
    form = SurveyForm(request.POST or None, instance=survey)
    formset = QuestionFormSet(request.POST or None, instance=survey, prefix="q")
    status = 200
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        saved = services.save_survey(form=form, questions=formset)
        if saved is not None:
            messages.success(request, _("Survey “%(title)s” saved.") % {"title": saved.title})
            return redirect("crm:surveys")
        survey = _survey(request, survey.pk)
        data = request.POST.copy()
        data["version"] = str(survey.version)  # saving again now overwrites, knowingly
        form = SurveyForm(data, instance=survey)
        formset = QuestionFormSet(data, instance=survey, prefix="q")
        form.add_error(
            None,
            _(
                "Not saved: someone else changed this survey after you opened it. "
                "What you typed is kept; check it and save again."
            ),
        )
        status = 409
    return render(
        request,
        "crm/surveys/edit.html",
        {"survey": survey, "form": form, "formset": formset, "store": survey.store},
        status=status,
    )


def survey_take(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the survey for one customer (?customer=ID); without one, whom to survey."""
    user: Staff = request.user  # type: ignore[assignment]
    survey = _survey(request, pk)
    raw = request.POST.get("customer") or request.GET.get("customer") or ""
    if not raw.isdigit():
        query = request.GET.get("q", "").strip()
        return render(
            request,
            "crm/surveys/pick.html",
            {
                "survey": survey,
                "query": query,
                "rows": access.with_shown_phones(
                    surveys.candidates(user=user, survey=survey, query=query), user
                ),
            },
        )
    customer = surveys.card_for(user=user, survey=survey, pk=int(raw))
    if not survey.active:
        raise Http404
    questions = list(survey.questions.order_by("position", "pk"))
    prospect = survey.kind == SurveyKind.PROSPECT
    form = ResponseForm(
        request.POST or None,
        questions=questions,
        prospect=prospect,
        initial=initial_of(None, survey.store.today()),
    )
    if request.method == "POST" and form.is_valid():
        services.record_response(
            survey=survey,
            customer=customer,
            user=user,
            day=form.response_fields()["date"],
            bought=form.response_fields()["bought"],
            source_correct=form.response_fields()["source_correct"],
            answers=form.answers(),
        )
        messages.success(request, _("Survey of %(name)s saved.") % {"name": customer.name})
        return redirect(reverse("crm:survey_take", args=[survey.pk]))
    return render(
        request,
        "crm/surveys/take.html",
        {
            "survey": survey,
            "customer": customer,
            "shown_phone": access.shown_phone(
                user, customer.phone, owner_id=customer.consultant_id
            ),
            "form": form,
            "prospect": prospect,
            "question_fields": [form[ResponseForm.key(q)] for q in questions],
        },
    )


def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Responses of a period: mean scores, yes shares, choices, bought and source right."""
    survey = _survey(request, pk)
    form = PeriodForm(request.GET or None, today=survey.store.today())
    start, end, _model = form.period()
    result = surveys.survey_results(survey=survey, start=start, end=end)
    return render(
        request,
        "crm/surveys/results.html",
        {
            "survey": survey,
            "store": survey.store,
            "form": form,
            "start": start,
            "end": end,
            "models": None,
            "result": result,
        },
    )
