"""The import center's forms: they only validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.exchange.exports import ExportError, parse_months

SUFFIXES = (".xlsx", ".xlsm", ".csv")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(_("Choose one or more workbooks or CSV files."))
        cleaned = [super(FilesField, self).clean(f, initial) for f in files]
        for upload in cleaned:
            if not (upload.name or "").lower().endswith(SUFFIXES):
                raise forms.ValidationError(
                    _("%(name)s is not a workbook (.xlsx) or a CSV file.") % {"name": upload.name}
                )
        return cleaned


class UploadForm(forms.Form):
    upload = FilesField(label=pgettext_lazy("import center", "Files"), required=False)


class ExportForm(forms.Form):
    months = forms.CharField(
        label=_("Months"), help_text=_("YYYY-MM, or a range YYYY-MM..YYYY-MM"), max_length=20
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("Workbook (.xlsx)")), ("csv", _("CSV files (.zip)"))],
    )

    def clean_months(self) -> tuple[Any, Any]:
        try:
            return parse_months(self.cleaned_data["months"])
        except ExportError as exc:
            raise forms.ValidationError(str(exc)) from exc
