"""Forms of the store's own settings. They only validate; the view saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from showroom.core.forms import TIME_WIDGET
from showroom.organization.models import Store


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["opening_time", "closing_time"]
        widgets = {"opening_time": TIME_WIDGET, "closing_time": TIME_WIDGET}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opening, closing = cleaned.get("opening_time"), cleaned.get("closing_time")
        if opening and closing and closing <= opening:
            self.add_error("closing_time", _("The store must close after it opens."))
        return cleaned
