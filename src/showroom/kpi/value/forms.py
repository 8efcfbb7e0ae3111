"""The store's margins as a manager types them (money in yuan, shares as percentages)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from showroom.kpi.models import StoreMargins

_MONEY_FIELDS = ("vehicle", "insurance", "finance", "extended_warranty", "trade_in")
_SHARE_FIELDS = ("accessories_share", "aftersales_share")


def _money_field(label: Any, *, loss_possible: bool = False) -> forms.DecimalField:
    """Yuan per unit; a vehicle or a trade-in may be sold at a loss."""
    return forms.DecimalField(
        label=label,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("-1000000") if loss_possible else Decimal("0"),
        max_value=Decimal("10000000"),
    )


def _percent_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
    )


class MarginsForm(forms.Form):
    """The margins as typed: money in yuan, the two shares as percentages (40 for 40%)."""

    vehicle = _money_field(gettext_lazy("Gross margin per vehicle sold (yuan)"), loss_possible=True)
    insurance = _money_field(gettext_lazy("Insurance commission per policy (yuan)"))
    finance = _money_field(gettext_lazy("Finance commission per contract (yuan)"))
    accessories_share = _percent_field(gettext_lazy("Accessories margin (percent of the amount)"))
    extended_warranty = _money_field(gettext_lazy("Extended warranty margin per contract (yuan)"))
    trade_in = _money_field(
        gettext_lazy("Trade-in (used car) margin per unit (yuan)"), loss_possible=True
    )
    aftersales_share = _percent_field(
        gettext_lazy("After-sales margin (percent of service amounts)")
    )
    horizon_years = forms.IntegerField(
        label=gettext_lazy("Loyal customer horizon (years)"), min_value=1, max_value=30
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @staticmethod
    def initial_for(margins: StoreMargins) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(margins, name) for name in _MONEY_FIELDS}
        for name in _SHARE_FIELDS:
            initial[name] = _percent_value(getattr(margins, name))
        initial["horizon_years"] = margins.horizon_years
        initial["version"] = margins.version if margins.pk else 0
        return initial

    def values(self) -> dict[str, Any]:
        """Model field values of the cleaned data (shares back to fractions)."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data[name] for name in _MONEY_FIELDS}
        for name in _SHARE_FIELDS:
            values[name] = data[name] / 100
        values["horizon_years"] = data["horizon_years"]
        return values


def _percent_value(share: Decimal) -> Decimal:
    """0.400 → 40, 0.125 → 12.5 (not 4E+1: a form shows the Decimal as it is)."""
    percent = (share * 100).quantize(Decimal("0.1"))
    return percent.quantize(Decimal("1")) if percent == percent.to_integral_value() else percent
