"""Rates and how they are shown: a rate is a fraction in [0, 1], or None when there is
nothing to divide by; it is shown as a percentage, or "—" when there is none."""

from __future__ import annotations

from decimal import Decimal

NO_VALUE = "—"


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator, a missing numerator counting as 0; None when the
    denominator is 0 or missing."""
    return (numerator or 0) / denominator if denominator else None


def percent(value: float | Decimal | None, *, decimals: int = 1) -> str:
    """0.4567 → "45.7%" (decimals=0: "46%"); None → "—"."""
    return NO_VALUE if value is None else f"{float(value) * 100:.{decimals}f}%"
