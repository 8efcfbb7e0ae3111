from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Manager's comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    # The review's version when the page was opened (0: not reviewed yet), for the save to claim.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
