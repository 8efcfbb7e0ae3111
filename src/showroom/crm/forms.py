"""Forms of the CRM's delivery interviews, surveys, media spend and report periods (they only
validate; the views save)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseInlineFormSet, BaseModelFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.crm.choices import QuestionKind
from showroom.crm.models import (
    DeliveryInterview,
    MediaSpend,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from showroom.crm.profiles import INTENTS, INTERESTS, REASONS, USAGE, join_codes, split_codes
from showroom.customers.models import Source
from showroom.kpi.reports import add_months, first_of_month, last_of_month
from showroom.kpi.selectors import month_range
from showroom.organization.models import Store

SCORES = [(str(n), str(n)) for n in range(1, 6)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
UNKNOWN = [("", pgettext_lazy("answer", "Not asked"))]
MONTH_WIDGET = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"})


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _yes_no_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class MonthField(forms.CharField):
    """YYYY-MM, cleaned to the month's first day."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MONTH_WIDGET)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            start, _end = month_range(text)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not 1900 < start.year < 9999:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return start


class PeriodForm(forms.Form):
    """A report's period as a range of whole months (one month by default), and a model."""

    start = MonthField(label=pgettext_lazy("period", "From"), required=False)
    end = MonthField(label=pgettext_lazy("period", "To"), required=False)
    model = forms.CharField(
        label=pgettext_lazy("car model", "Model"), max_length=50, required=False
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start = data.get("start") or first_of_month(self.today)
        end = data.get("end") or start
        if end < start:
            raise forms.ValidationError(_("The period ends before it starts."), code="order")
        if add_months(start, 36) <= end:
            raise forms.ValidationError(_("Choose at most 36 months."), code="long")
        data["start"], data["end"] = start, last_of_month(end)
        return data

    def period(self) -> tuple[date, date, str]:
        """(first day, last day, model) when valid, else the current month and no model."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"], self.cleaned_data["model"]
        start = first_of_month(self.today)
        return start, last_of_month(start), ""


# --- delivery interview -------------------------------------------------------------------


class InterviewForm(forms.ModelForm):
    reasons = forms.MultipleChoiceField(
        label=_("Why they bought"),
        choices=REASONS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    usage = forms.MultipleChoiceField(
        label=_("Usage"), choices=USAGE, widget=forms.CheckboxSelectMultiple, required=False
    )
    interests = forms.MultipleChoiceField(
        label=_("Interests and hobbies"),
        choices=INTERESTS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    referral_intent = forms.ChoiceField(
        label=_("Would refer"), choices=INTENTS, widget=forms.RadioSelect, required=False
    )
    repurchase_intent = forms.ChoiceField(
        label=_("Would buy again"), choices=INTENTS, widget=forms.RadioSelect, required=False
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"),
        choices=SCORES,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = DeliveryInterview
        fields = [
            "date",
            "reasons",
            "usage",
            "interests",
            "industry",
            "heard_from",
            "referral_intent",
            "repurchase_intent",
            "satisfaction",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "industry": forms.TextInput(attrs={"list": "industries", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "industry": _("Industry"),
            "heard_from": _("How they heard of the store"),
            "notes": _("Notes"),
        }

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["heard_from"].queryset = Source.for_store(store)  # type: ignore[attr-defined]
        self.fields["heard_from"].empty_label = str(_("Not given"))  # type: ignore[attr-defined]
        if self.instance.pk:
            for name in ("reasons", "usage", "interests"):
                self.initial[name] = split_codes(getattr(self.instance, name))
            # the version it was opened at, for the save to claim
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            self.initial.setdefault("version", self.instance.version)

    def clean_reasons(self) -> str:
        return join_codes(self.cleaned_data["reasons"])

    def clean_usage(self) -> str:
        return join_codes(self.cleaned_data["usage"])

    def clean_interests(self) -> str:
        return join_codes(self.cleaned_data["interests"])


# --- surveys ------------------------------------------------------------------------------


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "kind", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the version it was opened at, for the save to claim
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            self.initial.setdefault("version", self.instance.version)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = SurveyQuestion
        fields = ["position", "text", "kind", "options"]
        widgets = {
            "position": forms.NumberInput(attrs={"min": 0, "class": "narrow"}),
            "options": forms.Textarea(
                attrs={"rows": 2, "placeholder": _("For one of a list: one option per line")}
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An empty row stays unchanged (and is skipped) whatever its position box shows.
        self.fields["position"].required = False
        if self.instance.pk is None:
            self.initial["position"] = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("position") is None:
            data["position"] = 0  # unnumbered rows keep the order they were entered in
        options = [line.strip() for line in (data.get("options") or "").splitlines()]
        options = [line for line in options if line]
        if data.get("kind") == QuestionKind.CHOICE and len(options) < 2:
            self.add_error("options", _("Give at least two options, one per line."))
        data["options"] = "\n".join(options) if data.get("kind") == QuestionKind.CHOICE else ""
        return data


class BaseQuestionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.answers.exists():
                raise forms.ValidationError(
                    _(
                        "“%(question)s” has answers and stays; to change the questions, "
                        "make a new survey and deactivate this one."
                    ),
                    params={"question": form.instance.text},
                    code="answered",
                )
        kept = [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and f.cleaned_data.get("text")
            and not f.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise forms.ValidationError(_("A survey needs at least one question."), code="empty")


QuestionFormSet = forms.inlineformset_factory(
    Survey,
    SurveyQuestion,
    form=QuestionForm,
    formset=BaseQuestionFormSet,
    extra=3,
    can_delete=True,
)


class ResponseForm(forms.Form):
    """One survey taken: a field per question, and for prospects whether they bought and
    whether the source on their card was right."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bought = forms.ChoiceField(
        label=_("Have they bought a car?"),
        choices=[*YES_NO, *UNKNOWN],
        widget=forms.RadioSelect,
        required=False,
    )
    source_correct = forms.ChoiceField(
        label=_("Is the source on the card right?"),
        choices=[*YES_NO, *UNKNOWN],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(
        self, *args: Any, questions: list[SurveyQuestion], prospect: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        if not prospect:
            del self.fields["bought"], self.fields["source_correct"]
        for q in questions:
            self.fields[self.key(q)] = self._field(q)

    @staticmethod
    def key(question: SurveyQuestion) -> str:
        return f"q{question.pk}"

    @staticmethod
    def _field(q: SurveyQuestion) -> forms.Field:
        if q.kind == QuestionKind.SCORE:
            return forms.TypedChoiceField(
                label=q.text,
                choices=SCORES,
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                required=False,
            )
        if q.kind == QuestionKind.YES_NO:
            return forms.ChoiceField(
                label=q.text, choices=YES_NO, widget=forms.RadioSelect, required=False
            )
        if q.kind == QuestionKind.CHOICE:
            options = [(o, o) for o in q.options.splitlines() if o.strip()]
            return forms.ChoiceField(
                label=q.text, choices=options, widget=forms.RadioSelect, required=False
            )
        return forms.CharField(
            label=q.text, max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not any(data.get(self.key(q)) not in (None, "") for q in self.questions):
            raise forms.ValidationError(_("Answer at least one question."), code="empty")
        return data

    def answers(self) -> list[tuple[SurveyQuestion, int | None, str]]:
        """(question, score, value) of each answered question."""
        result: list[tuple[SurveyQuestion, int | None, str]] = []
        for q in self.questions:
            value = self.cleaned_data.get(self.key(q))
            if value in (None, ""):
                continue
            if q.kind == QuestionKind.SCORE:
                result.append((q, int(value), ""))
            else:
                result.append((q, None, str(value)))
        return result

    def response_fields(self) -> dict[str, Any]:
        return {
            "date": self.cleaned_data["date"],
            "bought": _yes_no(self.cleaned_data.get("bought", "")),
            "source_correct": _yes_no(self.cleaned_data.get("source_correct", "")),
        }


def response_initial(response: SurveyResponse | None, day: date) -> dict[str, Any]:
    if response is None:
        return {"date": day}
    return {
        "date": response.date,
        "bought": _yes_no_initial(response.bought),
        "source_correct": _yes_no_initial(response.source_correct),
    }


# --- media spend --------------------------------------------------------------------------


class SpendForm(forms.ModelForm):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=Decimal(0), max_digits=12, decimal_places=2
    )

    class Meta:
        model = MediaSpend
        fields = ["source", "model", "amount", "notes"]
        widgets = {"model": forms.TextInput(attrs={"list": "models", "autocomplete": "off"})}

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.for_store(store)  # type: ignore[attr-defined]
        self.fields["model"].strip = True  # type: ignore[attr-defined]
        if self.instance.pk:  # the version it was opened at, for the save to claim
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            self.initial.setdefault("version", self.instance.version)


class BaseSpendFormSet(BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        seen: set[tuple[int, str]] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            source, model = form.cleaned_data.get("source"), form.cleaned_data.get("model", "")
            if source is None:
                continue
            key = (source.pk, model)
            if key in seen:
                form.add_error(
                    "source",
                    _("This channel (and model) is already entered for this month."),
                )
            seen.add(key)


SpendFormSet = forms.modelformset_factory(
    MediaSpend, form=SpendForm, formset=BaseSpendFormSet, extra=3, can_delete=True
)
