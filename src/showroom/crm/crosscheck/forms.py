"""The store's cross-check thresholds. The form only validates; the view saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.crm.models import CrosscheckSettings

LIMITS = {
    "contact_days": (1, 60),
    "short_stay_minutes": (1, 240),
    "outlier_min_first_visits": (1, 500),
}


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = CrosscheckSettings
        fields = list(LIMITS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, (low, high) in LIMITS.items():
            value = cleaned.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(
                    name, _("Between %(low)d and %(high)d.") % {"low": low, "high": high}
                )
        return cleaned
