"""Owners' vehicles and their visits back to the workshop (回厂)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.customers.models import Customer
from showroom.organization.models import Store
from showroom.owners.choices import ServiceKind


class Vehicle(models.Model):
    """An owner's car. `order` is set when this store sold it (自销), empty otherwise."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="vehicles", verbose_name=_("owner")
    )
    order = models.OneToOneField(
        "sales.Order",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="vehicle",
        verbose_name=_("order"),
    )
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    brand = models.CharField(_("brand"), max_length=30, blank=True)
    model = models.CharField(_("model"), max_length=50)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    insurance_end = models.DateField(_("insurance ends"), null=True, blank=True)
    finance_end = models.DateField(_("finance ends"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-delivery_date", "id"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        indexes = [models.Index(fields=["store", "delivery_date"])]

    def __str__(self) -> str:
        return f"{self.model} {self.plate or self.vin}".strip()


class ServiceVisit(models.Model):
    """回厂: an owner's visit to the workshop."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="service_visits", verbose_name=_("owner")
    )
    vehicle = models.ForeignKey(
        Vehicle,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_visits",
        verbose_name=_("vehicle"),
    )
    date = models.DateField(_("date"))
    # Blank: the after-sales system did not say.
    kind = models.CharField(_("kind"), max_length=12, choices=ServiceKind.choices, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, default=0)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    # As the after-sales system (DMS) gives them: the car may not be one of `vehicles`.
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    mileage = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    advisor = models.CharField(_("service advisor"), max_length=50, blank=True)
    import_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("service visit")
        verbose_name_plural = _("service visits")
        indexes = [models.Index(fields=["store", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "import_key"],
                condition=~models.Q(import_key=""),
                name="unique_service_visit_import_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class RecallCampaign(models.Model):
    """召回: the manufacturer's recall of a model and/or a list of VINs. The owners' vehicles it
    concerns are those of `model` delivered within the dates (either end open), plus every
    vehicle whose VIN is listed."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=100)
    model = models.CharField(_("model"), max_length=50, blank=True)
    delivered_from = models.DateField(_("delivered from"), null=True, blank=True)
    delivered_to = models.DateField(_("delivered to"), null=True, blank=True)
    # One VIN per line (or separated by commas or spaces).
    vins = models.TextField(_("VINs"), blank=True)
    created_on = models.DateField(_("created on"))

    class Meta:
        ordering = ["-created_on", "-id"]
        verbose_name = _("recall campaign")
        verbose_name_plural = _("recall campaigns")

    def __str__(self) -> str:
        return self.name

    def vin_list(self) -> list[str]:
        return sorted({v.upper() for v in self.vins.replace(",", " ").split() if v.strip()})


class OwnerSpan(models.Model):
    """Kept state: a span of days, from `started_on` up to the day before `ended_on`
    (OPEN_END while it lasts), during which a card is an owner (`OWNER`: from its first
    delivery not cancelled), a retained owner (`RETAINED`: an owner-care contact or a service
    visit within the last 180 days) or a churned owner (`CHURNED`: neither a service visit nor
    a delivery within the last 365 days). Derived from the card's deliveries, service visits
    and owner-care activities by `owners.spans.owner_spans`, kept current by every write of
    those (`owners.spans`); `showroom rebuild_kpi_state` derives it again. An owner on a day
    has one OWNER span covering it, and at most one RETAINED and one CHURNED span."""

    OWNER = "owner"
    RETAINED = "retained"
    CHURNED = "churned"
    KINDS = [(OWNER, "owner"), (RETAINED, "retained"), (CHURNED, "churned")]

    # Both indexes below begin with these columns: no index of their own.
    store = models.ForeignKey(Store, models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="owner_spans", db_index=False
    )
    kind = models.CharField(max_length=8, choices=KINDS)
    started_on = models.DateField()
    ended_on = models.DateField()

    class Meta:
        ordering = ["customer_id", "kind", "started_on"]
        indexes = [
            # A period's end D: the spans with ended_on > D of the stores, kind read from the
            # index (PostgreSQL; SQLite ignores `include`).
            models.Index(
                fields=["store", "ended_on", "started_on"],
                include=["kind"],
                name="owner_span_store_end",
            ),
            models.Index(fields=["customer", "ended_on"], name="owner_span_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.started_on}..{self.ended_on}"
