"""Form pieces every app's forms share: the browser's own date and time pickers."""

from __future__ import annotations

from django import forms

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
