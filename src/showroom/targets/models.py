"""Monthly delivery targets and their split (销售目标管理).

A store's target for a month is set with the factors considered (SMART; dealer training lists season
index, history, launches, policy, advertising, staffing); it is split into consultant monthly
targets, and each of those into weekly targets. Weeks are ISO weeks (Monday to Sunday) clipped
to the month: a month starting on a Thursday has a first week of 4 days (Thu–Sun), so that a
week's target always belongs to exactly one month's target (`periods.month_weeks`).

The split always adds up: consultant targets sum to the store target and each consultant's
weeks to their monthly target (forms and `services` keep it so). `version` on the store target
guards the target and its whole split against two people saving over each other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from showroom.organization.models import Store

STAFF = settings.AUTH_USER_MODEL


class StoreTarget(models.Model):
    """销售目标: a store's delivery target for one month and the factors it was set from."""

    store = models.ForeignKey(
        Store, models.PROTECT, related_name="delivery_targets", verbose_name=_("store")
    )
    # The first day of the month.
    month = models.DateField(_("month"))
    deliveries = models.PositiveIntegerField(_("delivery target"))
    orders = models.PositiveIntegerField(_("order target"), null=True, blank=True)
    walk_ins = models.PositiveIntegerField(_("walk-in target"), null=True, blank=True)
    new_prospects = models.PositiveIntegerField(_("new prospect target"), null=True, blank=True)
    # The factors considered (目标设定的考虑因素).
    season_index = models.DecimalField(
        _("season index"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("1.00 is an average month; 1.20 a month 20% busier than average."),
    )
    history_basis = models.PositiveIntegerField(
        _("history basis (deliveries)"),
        null=True,
        blank=True,
        help_text=_("The deliveries the target starts from, e.g. the last three months' average."),
    )
    launches = models.CharField(_("new model launches"), max_length=200, blank=True)
    policy = models.CharField(_("national or local policy"), max_length=200, blank=True)
    advertising = models.CharField(_("advertising"), max_length=200, blank=True)
    staffing = models.CharField(_("staffing changes"), max_length=200, blank=True)
    notes = models.TextField(_("other considerations"), blank=True)
    set_by = models.ForeignKey(
        STAFF, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["set_at"])

    class Meta:
        ordering = ["store", "month"]
        verbose_name = _("store delivery target")
        verbose_name_plural = _("store delivery targets")
        constraints = [
            models.UniqueConstraint(fields=["store", "month"], name="one_target_per_store_month")
        ]

    def __str__(self) -> str:
        return f"{self.store.code} {self.month:%Y-%m} {self.deliveries}"


class ConsultantTarget(models.Model):
    """A consultant's share of the store's monthly target."""

    target = models.ForeignKey(
        StoreTarget, models.CASCADE, related_name="splits", verbose_name=_("store target")
    )
    consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    deliveries = models.PositiveIntegerField(_("delivery target"))
    orders = models.PositiveIntegerField(_("order target"), null=True, blank=True)
    walk_ins = models.PositiveIntegerField(_("walk-in target"), null=True, blank=True)
    new_prospects = models.PositiveIntegerField(_("new prospect target"), null=True, blank=True)

    class Meta:
        ordering = ["target", "consultant"]
        verbose_name = _("consultant target")
        verbose_name_plural = _("consultant targets")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "consultant"], name="one_split_per_consultant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultant_id} {self.deliveries}"


class WeeklyTarget(models.Model):
    """A consultant's target for one week of the month (ISO week clipped to the month)."""

    split = models.ForeignKey(
        ConsultantTarget, models.CASCADE, related_name="weeks", verbose_name=_("consultant target")
    )
    week_start = models.DateField(_("week from"))
    week_end = models.DateField(_("week to"))
    deliveries = models.PositiveIntegerField(_("delivery target"))

    class Meta:
        ordering = ["split", "week_start"]
        verbose_name = _("weekly target")
        verbose_name_plural = _("weekly targets")
        constraints = [
            models.UniqueConstraint(fields=["split", "week_start"], name="one_target_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.week_start}–{self.week_end} {self.deliveries}"
