"""Forms of the targets. They only validate; `services` writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from showroom.organization.models import Staff
from showroom.targets.models import StoreTarget
from showroom.targets.services import TARGET_FIELDS, Line


class TargetForm(forms.ModelForm):  # type: ignore[type-arg]
    """The store's monthly target and the factors it was set from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = StoreTarget
        fields = TARGET_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "season_index": forms.NumberInput(attrs={"step": "0.05", "inputmode": "decimal"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One bound per field, so that a negative number gets one message, not "at least 0"
        # from the model's positive integer and "at least 1" besides.
        deliveries = self.fields["deliveries"]
        deliveries.validators = [
            v for v in deliveries.validators if not isinstance(v, MinValueValidator)
        ] + [MinValueValidator(1, _("The delivery target is at least 1."))]
        deliveries.widget.attrs["min"] = 1
        self.fields["season_index"].validators += [
            MinValueValidator(Decimal("0.10")),
            MaxValueValidator(Decimal("5.00")),
        ]
        for name in ("deliveries", "orders", "history_basis"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        deliveries, orders = data.get("deliveries"), data.get("orders")
        if deliveries and orders is not None and orders < deliveries:
            # Orders lead deliveries; a smaller order target is almost always a typo.
            self.add_error(
                "orders",
                _("The order target (%(orders)s) is below the delivery target (%(deliveries)s).")
                % {"orders": orders, "deliveries": deliveries},
            )
        return data


class SplitForm(forms.Form):
    """The split of a store target: per consultant a monthly target and its weeks.

    Fields `c<id>` (monthly) and `c<id>_w<i>` (week i, optional: a consultant whose weeks are
    all blank gets the monthly target spread by the weeks' days). The monthly targets must add
    up to the store target, and a consultant's weeks (when given) to their monthly target.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        total: int,
        consultants: list[Staff],
        weeks: list[tuple[date, date]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.total = total
        self.consultants = consultants
        self.weeks = weeks
        for person in consultants:
            self.fields[f"c{person.pk}"] = forms.IntegerField(
                label=str(person),
                min_value=0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )
            for i, (start, end) in enumerate(weeks):
                label = f"{person} {start:%m-%d}–{end:%m-%d}"
                self.fields[f"c{person.pk}_w{i}"] = forms.IntegerField(
                    label=label,
                    min_value=0,
                    required=False,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "min": 0, "aria-label": label}
                    ),
                )

    def rows(self) -> list[dict[str, Any]]:
        """For the template: per consultant, the monthly field and the week fields."""
        return [
            {
                "consultant": person,
                "month": self[f"c{person.pk}"],
                "weeks": [self[f"c{person.pk}_w{i}"] for i in range(len(self.weeks))],
                "errors": self.row_errors.get(person.pk, []),
            }
            for person in self.consultants
        ]

    @property
    def row_errors(self) -> dict[int, list[str]]:
        return getattr(self, "_row_errors", {})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        row_errors: dict[int, list[str]] = {}
        monthly = [data.get(f"c{p.pk}") for p in self.consultants]
        if any(v is None for v in monthly):
            return data  # the field errors say which
        total = sum(v for v in monthly if v is not None)
        if total != self.total:
            raise forms.ValidationError(
                _(
                    "The consultants' targets add up to %(sum)s, but the store target is "
                    "%(target)s (%(diff)s to go)."
                )
                if total < self.total
                else _(
                    "The consultants' targets add up to %(sum)s, but the store target is "
                    "%(target)s (%(diff)s too many)."
                ),
                code="sum",
                params={"sum": total, "target": self.total, "diff": abs(self.total - total)},
            )
        for person, month in zip(self.consultants, monthly, strict=True):
            weeks = [data.get(f"c{person.pk}_w{i}") for i in range(len(self.weeks))]
            if all(w is None for w in weeks):
                continue
            if any(w is None for w in weeks):
                row_errors[person.pk] = [
                    str(_("Fill every week, or leave them all blank to spread the month evenly."))
                ]
            elif sum(w for w in weeks if w is not None) != month:
                row_errors[person.pk] = [
                    str(
                        _("%(name)s's weeks add up to %(sum)s, not to the monthly %(month)s.")
                        % {
                            "name": person,
                            "sum": sum(w for w in weeks if w is not None),
                            "month": month,
                        }
                    )
                ]
        if row_errors:
            self._row_errors = row_errors
            raise forms.ValidationError(
                _("Some consultants' weeks do not add up to their monthly target."), code="weeks"
            )
        return data

    def lines(self) -> list[Line]:
        data = self.cleaned_data
        result = []
        for person in self.consultants:
            weeks = [data.get(f"c{person.pk}_w{i}") for i in range(len(self.weeks))]
            result.append(
                Line(
                    consultant_id=person.pk,
                    deliveries=data[f"c{person.pk}"],
                    weeks=None if all(w is None for w in weeks) else [int(w or 0) for w in weeks],
                )
            )
        return result
