"""The CRM department's records (docs/glossary.md): call lists, cross-check exceptions,
intent checks, delivery interviews, surveys and media spend. Every row carries its store."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from showroom.crm.choices import (
    CallOutcome,
    CheckCode,
    EntryResult,
    ExceptionStatus,
    Intent,
    ListKind,
    ListStatus,
    QuestionKind,
    SurveyKind,
)
from showroom.customers.models import Customer, Source
from showroom.organization.models import Store

STAFF = settings.AUTH_USER_MODEL


class CallList(models.Model):
    """A screening, activation or after-sales solicitation list that the CRM works by phone."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    kind = models.CharField(_("list"), max_length=20, choices=ListKind.choices)
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=100)
    created_on = models.DateField(_("created on"))
    created_by = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    # The rule it was built with, e.g. {"days": 30}; empty for imported lists.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ListStatus.choices, default=ListStatus.WORKING
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_on", "-id"]
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")
        indexes = [models.Index(fields=["store", "created_on"])]

    def __str__(self) -> str:
        return self.name


class CallListEntry(models.Model):
    """One person on a list: the CRM's call, the hand-over to a consultant, and the outcome."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    call_list = models.ForeignKey(
        CallList, models.CASCADE, related_name="entries", verbose_name=_("call list")
    )
    # Imported partner or exhibition lists may name people with no card yet.
    customer = models.ForeignKey(
        Customer,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_list_entries",
        verbose_name=_("customer"),
    )
    vehicle = models.ForeignKey(
        "owners.Vehicle",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vehicle"),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_norm = models.CharField(max_length=20, blank=True, editable=False)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    reason = models.CharField(_("why on the list"), max_length=200, blank=True)
    outcome = models.CharField(
        _("call outcome"), max_length=16, choices=CallOutcome.choices, blank=True
    )
    intended_model = models.CharField(_("intended model"), max_length=50, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    called_on = models.DateField(_("called on"), null=True, blank=True)
    called_by = models.ForeignKey(
        STAFF, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("called by")
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        STAFF,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="crm_assignments",
        verbose_name=_("assigned to"),
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        STAFF,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    result = models.CharField(
        _("result"), max_length=8, choices=EntryResult.choices, blank=True, default=""
    )
    result_date = models.DateField(_("result date"), null=True, blank=True)
    close_reason = models.CharField(_("why closed"), max_length=200, blank=True)
    order = models.ForeignKey(
        "sales.Order",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    service_visit = models.ForeignKey(
        "owners.ServiceVisit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service visit"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        indexes = [
            models.Index(fields=["store", "assigned_to", "result"]),
            models.Index(fields=["store", "phone_norm"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}".strip()


class CrosscheckException(models.Model):
    """An exception found by the daily data cross-check (数据交叉比对).

    Found again on later days it stays one row (same `key`); it is open until the data no
    longer shows it (fixed) or someone explains it.
    """

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    code = models.CharField(_("check"), max_length=32, choices=CheckCode.choices)
    # What it is about, e.g. "walkin:123", "customer:45", "consultant:7:2026-11-23".
    key = models.CharField(max_length=64)
    date = models.DateField(_("date"))
    consultant = models.ForeignKey(
        STAFF,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="crosscheck_exceptions",
        verbose_name=_("consultant"),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    message = models.CharField(_("message"), max_length=300)
    found_on = models.DateField(_("found on"))
    last_seen_on = models.DateField(_("last seen on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN
    )
    explanation = models.CharField(_("explanation"), max_length=500, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        STAFF,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-date", "code", "id"]
        verbose_name = _("cross-check exception")
        verbose_name_plural = _("cross-check exceptions")
        constraints = [
            models.UniqueConstraint(fields=["store", "code", "key"], name="crosscheck_unique_key")
        ]
        indexes = [models.Index(fields=["store", "status", "date"])]

    def __str__(self) -> str:
        return f"{self.code} {self.key}"


class CrosscheckSettings(models.Model):
    """A store's thresholds of the data cross-check; a store without a row uses the defaults
    (the checks' own: 7 days, 15 minutes, 10 first visits)."""

    store = models.OneToOneField(
        Store, models.CASCADE, related_name="crosscheck_settings", verbose_name=_("store")
    )
    contact_days = models.PositiveSmallIntegerField(
        _("a new card needs a walk-in, call or lead within (days)"), default=7
    )
    short_stay_minutes = models.PositiveSmallIntegerField(
        _("a first visit graded H or A is short under (minutes)"), default=15
    )
    outlier_min_first_visits = models.PositiveSmallIntegerField(
        _("retention outliers: at least this many first visits"), default=10
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cross-check settings")
        verbose_name_plural = _("cross-check settings")

    def __str__(self) -> str:
        return str(self.store)

    @classmethod
    def for_store(cls, store: Store) -> CrosscheckSettings:
        """The store's row, or the defaults (unsaved); kept on the store instance, so that one
        run of the checks reads it once."""
        cached = getattr(store, "_crosscheck_settings", None)
        if cached is None:
            cached = cls.objects.filter(store=store).first() or cls(store=store)
            store._crosscheck_settings = cached  # type: ignore[attr-defined]
        return cached


class IntentCheck(models.Model):
    """意向状态核实: a new prospect sampled for a call, and what the call found."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="intent_checks", verbose_name=_("customer")
    )
    sampled_on = models.DateField(_("sampled on"))
    called_on = models.DateField(_("called on"), null=True, blank=True)
    called_by = models.ForeignKey(
        STAFF, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("called by")
    )
    reached = models.BooleanField(_("reached"), null=True, blank=True)
    record_true = models.BooleanField(_("record true"), null=True, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-sampled_on", "id"]
        verbose_name = _("intent check")
        verbose_name_plural = _("intent checks")
        constraints = [
            models.UniqueConstraint(fields=["customer", "sampled_on"], name="intent_check_once")
        ]
        indexes = [models.Index(fields=["store", "sampled_on"])]

    def __str__(self) -> str:
        return f"{self.customer} {self.sampled_on}"


class DeliveryInterview(models.Model):
    """交车面访: what the CRM learns at delivery, for customer profiles (客户画像)."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    order = models.OneToOneField(
        "sales.Order", models.CASCADE, related_name="interview", verbose_name=_("order")
    )
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="interviews", verbose_name=_("customer")
    )
    date = models.DateField(_("date"))
    interviewer = models.ForeignKey(
        STAFF,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interviewer"),
    )
    # Comma-separated codes of crm.profiles (why they bought, usage, interests).
    reasons = models.CharField(_("why they bought"), max_length=200, blank=True)
    usage = models.CharField(_("usage"), max_length=200, blank=True)
    interests = models.CharField(_("interests and hobbies"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    heard_from = models.ForeignKey(
        Source,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("how they heard of the store"),
    )
    referral_intent = models.CharField(
        _("would refer"), max_length=12, choices=Intent.choices, blank=True
    )
    repurchase_intent = models.CharField(
        _("would buy again"), max_length=12, choices=Intent.choices, blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("delivery interview")
        verbose_name_plural = _("delivery interviews")
        indexes = [models.Index(fields=["store", "date"])]

    def __str__(self) -> str:
        return f"{self.customer} {self.date}"


class Survey(models.Model):
    """A satisfaction survey with its own questions; each store configures its own."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    kind = models.CharField(_("for"), max_length=10, choices=SurveyKind.choices)
    title = models.CharField(_("title"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(
        Survey, models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("answer"), max_length=8, choices=QuestionKind.choices)
    # For CHOICE: the options, one per line.
    options = models.TextField(_("options"), blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    survey = models.ForeignKey(
        Survey, models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="survey_responses", verbose_name=_("customer")
    )
    date = models.DateField(_("date"))
    taken_by = models.ForeignKey(
        STAFF, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("taken by")
    )
    # For prospect surveys: did they buy (here or elsewhere), and was the recorded source right.
    bought = models.BooleanField(_("bought"), null=True, blank=True)
    source_correct = models.BooleanField(_("recorded source right"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["store", "date"])]

    def __str__(self) -> str:
        return f"{self.survey} {self.customer} {self.date}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(
        SurveyResponse, models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        SurveyQuestion, models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    value = models.CharField(_("answer"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.score if self.score is not None else self.value}"


class MediaSpend(models.Model):
    """Marketing spend per channel (a source) and month, optionally for one model."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    month = models.DateField(_("month"))  # the first day of the month
    source = models.ForeignKey(Source, models.PROTECT, related_name="+", verbose_name=_("channel"))
    model = models.CharField(_("model"), max_length=50, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-month", "source", "model"]
        verbose_name = _("media spend")
        verbose_name_plural = _("media spend")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "month", "source", "model"], name="media_spend_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.source} {self.amount}"
