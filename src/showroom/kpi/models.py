"""Per-store settings of the value screens ("Value and lifetime")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from showroom.organization.models import Store

_SHARE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
_MONEY = [MinValueValidator(Decimal("-1000000")), MaxValueValidator(Decimal("10000000"))]


def _money(label: Any, default: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        label, max_digits=10, decimal_places=2, default=Decimal(default), validators=_MONEY
    )


def _share(label: Any, default: str) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(
        label, max_digits=4, decimal_places=3, default=Decimal(default), validators=_SHARE
    )


class StoreMargins(models.Model):
    """The margins a store earns per item sold; a store without a row uses the defaults.

    The defaults follow the CRM training's worked example of a loyal customer (insurance 1000,
    extension products 1600, service 5000 × 3 visits a year × 5 years × 50%); the others are
    round figures each store is expected to replace with its own.

    Money is yuan per unit; the accessories and after-sales margins are shares (0..1) of the
    amounts. `version` guards against two managers saving over each other.
    """

    store = models.OneToOneField(
        Store, models.CASCADE, related_name="margins", verbose_name=_("store")
    )
    vehicle = _money(_("gross margin per vehicle sold"), "3000")
    insurance = _money(_("insurance commission per policy"), "1000")
    finance = _money(_("finance commission per contract"), "2000")
    accessories_share = _share(_("accessories margin (share of the amount)"), "0.40")
    extended_warranty = _money(_("extended warranty margin per contract"), "1600")
    trade_in = _money(_("trade-in (used car) margin per unit"), "2000")
    aftersales_share = _share(_("after-sales margin (share of service amounts)"), "0.50")
    horizon_years = models.PositiveSmallIntegerField(
        _("loyal customer horizon (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("store margins")
        verbose_name_plural = _("store margins")

    def __str__(self) -> str:
        return f"{self.store_id} margins"
