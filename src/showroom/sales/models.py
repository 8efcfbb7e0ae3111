"""The sales funnel after the first contact: grades, contacts, test drives, quotes, orders and
deliveries, losses, and the manager's review of the daily report (营业日报表)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.history import day_to_day_history
from showroom.customers.choices import Grade
from showroom.customers.models import Customer, Source
from showroom.organization.models import Store
from showroom.sales.choices import (
    ActivityCategory,
    ActivityKind,
    Channel,
    LossKind,
    LossReason,
    LossStatus,
)

STAFF = settings.AUTH_USER_MODEL


class Activity(models.Model):
    """A contact with a customer (客户信息卡 back; one row of 营业日报表)."""

    # The indexes below begin with the store: no index of its own.
    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"), db_index=False)
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="activities", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("activity"), max_length=12, choices=ActivityKind.choices)
    category = models.CharField(
        _("category"), max_length=12, choices=ActivityCategory.choices, blank=True
    )
    grade_after = models.CharField(
        _("grade after"), max_length=1, choices=Grade.choices, blank=True
    )
    next_date = models.DateField(_("next follow-up"), null=True, blank=True)
    # Why the next contact is later than the grade's cadence allows (never silently later).
    later_reason = models.CharField(_("reason for a later follow-up"), max_length=200, blank=True)
    not_closed_reason = models.CharField(_("reason not yet closed"), max_length=200, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    import_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = day_to_day_history(excluded_fields=["import_key", "created_at"])

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["store", "date"]),
            models.Index(fields=["store", "consultant", "date"]),
            # The stores' owner care of the last 180 days (kpi.funnel_kpis, owners' retention):
            # without it every activity of those months is read.
            models.Index(
                fields=["store", "date", "customer"],
                condition=Q(kind="owner_care"),
                name="activity_owner_care",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "import_key"],
                condition=~Q(import_key=""),
                name="unique_activity_import_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class TestDrive(models.Model):
    """试乘试驾, with route and duration."""

    __test__ = False  # not a pytest test class, whatever its name says

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="test_drives", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    date = models.DateField(_("date"))
    model = models.CharField(_("model"), max_length=50)
    route = models.CharField(_("route"), max_length=100, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("test drive")
        verbose_name_plural = _("test drives")
        indexes = [models.Index(fields=["store", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.model}"


class Quote(models.Model):
    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="quotes", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    date = models.DateField(_("date"))
    model = models.CharField(_("model"), max_length=50)
    amount = models.DecimalField(
        _("quoted price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [models.Index(fields=["store", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.model}"


class Order(models.Model):
    """订单 and its delivery 交车 (an orders row): the deal from contract to the 7-day letter."""

    # The indexes below begin with the store: no index of its own.
    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"), db_index=False)
    customer = models.ForeignKey(
        Customer, models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    order_date = models.DateField(_("order date"))
    model = models.CharField(_("model"), max_length=50)
    channel = models.CharField(
        _("sales channel"), max_length=10, choices=Channel.choices, default=Channel.SHOWROOM
    )
    source = models.ForeignKey(
        Source, models.PROTECT, null=True, blank=True, verbose_name=_("source")
    )
    deposit = models.DecimalField(
        _("deposit"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    contract_no = models.CharField(_("contract no."), max_length=40, blank=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    ceremony = models.BooleanField(_("delivery ceremony"), default=False)
    insurance = models.BooleanField(_("insurance"), default=False)
    finance = models.BooleanField(_("finance"), default=False)
    accessories = models.DecimalField(
        _("accessories amount"), max_digits=10, decimal_places=2, default=0
    )
    extended_warranty = models.BooleanField(_("extended warranty"), default=False)
    trade_in = models.BooleanField(_("trade-in"), default=False)
    # After delivery: the 3-day phone call and the 7-day letter, with the dates they were done.
    call_3day = models.DateField(_("3-day call made on"), null=True, blank=True)
    letter_7day = models.DateField(_("7-day letter sent on"), null=True, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    import_key = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    price = models.DecimalField(
        _("transaction price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    colour = models.CharField(_("colour"), max_length=30, blank=True)
    expected_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    # 退订: from this date on the order counts nowhere; periods that ended before keep it.
    # `cancelled` says the same for today and is kept in step by save().
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        STAFF,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(
        pgettext_lazy("order", "reason for cancelling"), max_length=200, blank=True
    )

    history = day_to_day_history(excluded_fields=["import_key", "created_at"])

    class Meta:
        ordering = ["order_date", "id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["store", "order_date"]),
            models.Index(fields=["store", "delivery_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "import_key"],
                condition=~Q(import_key=""),
                name="unique_order_import_key",
            ),
            models.CheckConstraint(
                condition=Q(cancelled=False, cancelled_on__isnull=True)
                | Q(cancelled=True, cancelled_on__isnull=False),
                name="order_cancelled_with_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_date} {self.model}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A cancellation given without its date is taken as of the order date.
        if self.cancelled and self.cancelled_on is None:
            self.cancelled_on = self.order_date
        self.cancelled = self.cancelled_on is not None
        fields = kwargs.get("update_fields")
        if fields is not None and {"cancelled", "cancelled_on"} & set(fields):
            kwargs["update_fields"] = {*fields, "cancelled", "cancelled_on"}
        super().save(*args, **kwargs)

    def counts_on(self, day: date) -> bool:
        """Dated on or before `day` and not cancelled by then."""
        return self.order_date <= day and (self.cancelled_on is None or self.cancelled_on > day)


class LossReport(models.Model):
    """战败/失控: requested by the consultant, counted only once a manager confirms it."""

    # The indexes below begin with the store: no index of its own.
    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"), db_index=False)
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="loss_reports", verbose_name=_("customer")
    )
    consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=16, choices=LossKind.choices)
    grade = models.CharField(
        _("grade at the time"), max_length=1, choices=Grade.choices, blank=True
    )
    competitor_brand = models.CharField(_("competitor brand"), max_length=50, blank=True)
    competitor_model = models.CharField(_("competitor model"), max_length=50, blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=LossReason.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=LossStatus.choices, default=LossStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        STAFF,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    manager_note = models.CharField(_("manager's note"), max_length=500, blank=True)
    import_key = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = day_to_day_history(excluded_fields=["import_key", "created_at"])

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("lost / out-of-control record")
        verbose_name_plural = _("lost / out-of-control records")
        indexes = [models.Index(fields=["store", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "import_key"],
                condition=~Q(import_key=""),
                name="unique_loss_import_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class DailyReview(models.Model):
    """The manager's review of one consultant's daily activity report (营业日报表)."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    date = models.DateField(_("date"))
    reviewed_by = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now=True)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("daily report review")
        verbose_name_plural = _("daily report reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "consultant", "date"], name="one_review_per_consultant_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.consultant}"


class Handover(models.Model):
    """A customer passed from one consultant to another; the card keeps its history."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="handovers", verbose_name=_("customer")
    )
    from_consultant = models.ForeignKey(
        STAFF,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=pgettext_lazy("handover", "from"),
    )
    to_consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=pgettext_lazy("handover", "to")
    )
    date = models.DateField(_("date"))
    by = models.ForeignKey(STAFF, models.PROTECT, related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.date} {self.from_consultant} → {self.to_consultant}"


class Reactivation(models.Model):
    """A lost or out-of-control customer handed back to sales (客户激活): a new prospect from
    `date`. Closing events dated before it no longer close the card from that day on;
    states before it are unchanged."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="reactivations", verbose_name=_("customer")
    )
    date = models.DateField(_("date"))
    consultant = models.ForeignKey(
        STAFF, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    by = models.ForeignKey(STAFF, models.PROTECT, related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # 名单: the call list the customer was reached through.
    list_name = models.CharField(_("call list"), max_length=100, blank=True)
    import_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("re-activation")
        verbose_name_plural = _("re-activations")
        indexes = [
            models.Index(fields=["store", "date"]),
            models.Index(fields=["customer", "date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "import_key"],
                condition=~Q(import_key=""),
                name="unique_reactivation_import_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.customer}"


class ProspectSpan(models.Model):
    """Kept state: one span of days during which a card is an open prospect, from `opened_on`
    up to the day before `closed_on` (OPEN_END while still open). Derived from the card and
    its orders, confirmed losses and re-activations by `sales.funnel.open_spans`, and kept
    current by every write of those (`sales.spans`); `showroom rebuild-kpi-state` derives it
    again from scratch. A card open on a day has exactly one span covering it."""

    # Both indexes below begin with these columns: no index of their own.
    store = models.ForeignKey(Store, models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="prospect_spans", db_index=False
    )
    opened_on = models.DateField()
    closed_on = models.DateField()

    class Meta:
        ordering = ["customer_id", "opened_on"]
        indexes = [
            models.Index(fields=["store", "closed_on", "opened_on"]),
            models.Index(fields=["customer", "closed_on", "opened_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.opened_on}..{self.closed_on}"
