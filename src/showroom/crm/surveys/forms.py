"""Survey, question and response forms (they only validate; `services` saves)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.forms import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from showroom.crm.choices import QuestionKind
from showroom.crm.forms import SCORES, UNKNOWN, YES_NO, yes_no, yes_no_initial
from showroom.crm.models import (
    Survey,
    SurveyQuestion,
    SurveyResponse,
)

# --- surveys ------------------------------------------------------------------------------


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "kind", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # the version it was opened at, for the save to claim
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
            "bought": yes_no(self.cleaned_data.get("bought", "")),
            "source_correct": yes_no(self.cleaned_data.get("source_correct", "")),
        }


def response_initial(response: SurveyResponse | None, day: date) -> dict[str, Any]:
    if response is None:
        return {"date": day}
    return {
        "date": response.date,
        "bought": yes_no_initial(response.bought),
        "source_correct": yes_no_initial(response.source_correct),
    }
