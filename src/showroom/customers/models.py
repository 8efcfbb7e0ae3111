from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from showroom.core.history import day_to_day_history
from showroom.customers.choices import (
    CADENCE_DAYS,
    DORMANT_DAYS,
    CustomerType,
    Gender,
    Grade,
    OwnerKind,
    Payment,
    PurchaseType,
)
from showroom.customers.phones import normalize_phone
from showroom.organization.models import Store

STAFF = settings.AUTH_USER_MODEL


class Source(models.Model):
    """信息来源: the standard codes (store empty) plus each store's own."""

    store = models.ForeignKey(Store, models.CASCADE, null=True, blank=True, related_name="sources")
    code = models.SlugField(_("code"), max_length=32)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50)
    active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="unique_source_code_per_store"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(store__isnull=True),
                name="unique_standard_source",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @classmethod
    def for_store(cls, store: Store) -> models.QuerySet[Source]:
        return cls.objects.filter(models.Q(store__isnull=True) | models.Q(store=store), active=True)


class FollowUpSettings(models.Model):
    """A store's follow-up cadence per grade (days to the next contact) and after how many
    days without contact a prospect counts as dormant. A store without a row uses the
    defaults: CADENCE_DAYS and DORMANT_DAYS."""

    store = models.OneToOneField(
        Store, models.CASCADE, related_name="follow_up_settings", verbose_name=_("store")
    )
    cadence_o = models.PositiveSmallIntegerField(
        _("grade O: days to the next contact"), default=CADENCE_DAYS[Grade.O]
    )
    cadence_h = models.PositiveSmallIntegerField(
        _("grade H: days to the next contact"), default=CADENCE_DAYS[Grade.H]
    )
    cadence_a = models.PositiveSmallIntegerField(
        _("grade A: days to the next contact"), default=CADENCE_DAYS[Grade.A]
    )
    cadence_b = models.PositiveSmallIntegerField(
        _("grade B: days to the next contact"), default=CADENCE_DAYS[Grade.B]
    )
    cadence_c = models.PositiveSmallIntegerField(
        _("grade C: days to the next contact"), default=CADENCE_DAYS[Grade.C]
    )
    dormant_days = models.PositiveSmallIntegerField(
        _("dormant after (days without contact)"), default=DORMANT_DAYS
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up settings")
        verbose_name_plural = _("follow-up settings")

    def __str__(self) -> str:
        return str(self.store)

    @classmethod
    def for_store(cls, store: Store) -> FollowUpSettings:
        """The store's row, or the defaults (unsaved) if it has none; kept on the store
        instance, so that a loop over rows of one store reads it once."""
        cached = getattr(store, "_follow_up_settings", None)
        if cached is None:
            cached = cls.objects.filter(store=store).first() or cls(store=store)
            store._follow_up_settings = cached  # type: ignore[attr-defined]
        return cached

    def cadence(self) -> dict[str, int]:
        return {
            Grade.O: self.cadence_o,
            Grade.H: self.cadence_h,
            Grade.A: self.cadence_a,
            Grade.B: self.cadence_b,
            Grade.C: self.cadence_c,
        }


class VehicleModel(models.Model):
    """A model the store sells, with its trims (配置): what the model and trim fields offer."""

    store = models.ForeignKey(
        Store, models.CASCADE, related_name="vehicle_models", verbose_name=_("store")
    )
    name = models.CharField(_("model"), max_length=50)
    trims = models.TextField(_("trims"), blank=True, help_text=_("One trim per line."))
    active = models.BooleanField(_("offered"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="unique_vehicle_model_per_store")
        ]

    def __str__(self) -> str:
        return self.name

    def trim_list(self) -> list[str]:
        return [line.strip() for line in self.trims.splitlines() if line.strip()]


class Customer(models.Model):
    """客户信息卡 (front). One per person per store, matched by normalized phone."""

    # The indexes below begin with the store: no index of its own.
    store = models.ForeignKey(
        Store, models.PROTECT, related_name="customers", verbose_name=_("store"), db_index=False
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=32)
    phone_norm = models.CharField(max_length=20, editable=False, db_index=True)
    customer_type = models.CharField(
        _("customer type"),
        max_length=16,
        choices=CustomerType.choices,
        default=CustomerType.PROSPECT,
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("consultant"),
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    source = models.ForeignKey(
        Source, models.PROTECT, null=True, blank=True, verbose_name=_("source")
    )
    model = models.CharField(_("intended model"), max_length=50, blank=True)
    purchase_timeframe = models.CharField(_("purchase timeframe"), max_length=50, blank=True)
    created = models.DateField(_("card date"))
    owner_kind = models.CharField(
        _("owner recorded without a sale here"),
        max_length=12,
        choices=OwnerKind.choices,
        blank=True,
        default=OwnerKind.NONE,
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    region = models.CharField(_("region"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    configuration = models.CharField(_("configuration"), max_length=50, blank=True)
    colour = models.CharField(_("colour"), max_length=30, blank=True)
    budget = models.CharField(_("budget"), max_length=30, blank=True)
    payment = models.CharField(_("payment"), max_length=12, choices=Payment.choices, blank=True)
    purchase_type = models.CharField(
        _("purchase type"), max_length=12, choices=PurchaseType.choices, blank=True
    )
    competitor_models = models.CharField(_("competitor models"), max_length=100, blank=True)
    vip = models.BooleanField(_("VIP"), default=False)
    referred_by = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by (owner)"),
    )
    # When the next contact is due: from the grade's cadence when a contact is logged.
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = day_to_day_history()

    class Meta:
        ordering = ["-created", "name"]
        indexes = [
            models.Index(fields=["store", "created"]),
            models.Index(fields=["store", "consultant", "next_follow_up"]),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "phone_norm"],
                condition=~models.Q(phone_norm=""),
                name="unique_customer_phone_per_store",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.phone_norm = normalize_phone(self.phone)
        if kwargs.get("update_fields") is not None and "phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_norm"}
        super().save(*args, **kwargs)


class GradeChange(models.Model):
    """Every grade change of a card: when, from what to what, by whom."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    # Indexed below with the date: the card's grade on a day is one probe of that index.
    customer = models.ForeignKey(
        Customer,
        models.CASCADE,
        related_name="grade_changes",
        verbose_name=_("customer"),
        db_index=False,
    )
    date = models.DateField(_("date"))
    old_grade = models.CharField(
        pgettext_lazy("grade change", "from"), max_length=1, choices=Grade.choices, blank=True
    )
    new_grade = models.CharField(
        pgettext_lazy("grade change", "to"), max_length=1, choices=Grade.choices, blank=True
    )
    changed_by = models.ForeignKey(
        STAFF, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")
        db_table = "sales_gradechange"
        indexes = [
            models.Index(fields=["store", "date"], name="sales_grade_store_i_e7e607_idx"),
            # The grade at a day's end (sales.funnel.grade_on), read from the index alone on
            # PostgreSQL: the latest change by then, for each card open at a period's end.
            models.Index(
                fields=["customer", "date", "id"],
                include=["new_grade"],
                name="grade_change_card_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.old_grade or '—'}→{self.new_grade or '—'}"
