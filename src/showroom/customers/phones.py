"""Phone numbers as the dealership types them: normalised for matching, checked on entry."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

_NON_DIGITS = re.compile(r"\D+")


def normalize_phone(raw: object) -> str:
    """Digits only, a leading +86 / 0086 dropped: '+86 138-0000-0004' -> '13800000004'.

    Excel hands numbers over as floats ('13800000004.0'), so a trailing '.0' is dropped too.
    """
    if raw is None:
        return ""
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    digits = _NON_DIGITS.sub("", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and (text.lstrip().startswith("+") or len(digits) == 13):
        digits = digits[2:]
    return digits


def clean_phone_value(value: str) -> str:
    """A typed phone number, trimmed; 7 to 15 digits once normalised, or empty."""
    value = value.strip()
    if value and not 7 <= len(normalize_phone(value)) <= 15:
        raise forms.ValidationError(_("Enter a phone number of 7 to 15 digits."), code="phone")
    return value


def format_phone(shown: str) -> str:
    """One way of showing a mainland mobile number, whatever way it was typed:
    '+86 138-0000-0004' → '138 0000 0004', masked '138****0004' → '138 **** 0004'.
    Anything else (a landline, a foreign number) is shown as typed."""
    text = shown.strip()
    if "*" in text:
        compact = text.replace(" ", "")
        if len(compact) == 11 and compact[:3].isdigit() and compact[-4:].isdigit():
            return f"{compact[:3]} {compact[3:7]} {compact[7:]}"
        return text
    digits = normalize_phone(text)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return text
