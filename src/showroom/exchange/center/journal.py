"""What an import changed, recorded so that it can be undone (ImportBatch.changes).

The import (exchange.services.import_files) tells the journal, per form and store, the rows
it is about to write and, once written with their links, the rows it wrote. The journal keeps
one entry per row it created or changed, in write order. The grade changes and cars that the
links add, change or remove for the cards concerned are found by comparing them before and
after each write (links.py writes them in bulk, without signals).

An entry is {"model", "pk", "before", "after"} with values by column (attname), as text a
field turns back into its value (`load`): `before` None for a created row, `after` None for a
removed one; an update holds only the fields it changed (and the row's version).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

from showroom.customers.models import GradeChange
from showroom.exchange.columns import Form, model_field
from showroom.exchange.links import Written
from showroom.organization.models import Store
from showroom.owners.models import Vehicle

Entry = dict[str, Any]
Values = dict[str, Any]

# What the links write beside a form's own rows, by the card they belong to.
SIDE_MODELS: tuple[type[models.Model], ...] = (GradeChange, Vehicle)
CHUNK = 500


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def model_of(name: str) -> type[models.Model]:
    return apps.get_model(name)


def dump(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def load(model: type[models.Model], values: Values) -> Values:
    """`values` by attname, as their fields hold them."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return {name: fields[name].to_python(v) for name, v in values.items()}


def row_values(obj: models.Model) -> Values:
    return {f.attname: dump(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


class Journal:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._cards: set[int] = set()
        self._side: dict[str, dict[int, Values]] = {}
        self._updated: list[tuple[Any, Values]] = []
        self._kept: list[tuple[str, dict[int, Values]]] = []

    # The protocol of exchange.services.Journal -------------------------------------------

    def before(self, form: Form, store: Store, written: list[Written]) -> None:
        if form.custom is not None:
            self._kept = _kept_rows(form.custom.kept(store))
            return
        model = form.model
        self._updated = []
        for item in written:
            if item.before:  # changed: its values before, by attname
                before = {
                    model_field(model, name).attname: dump(value)
                    for name, value in item.before.items()
                }
                if form.has_version:
                    before["version"] = item.obj.version - 1
                self._updated.append((item.obj, before))
        self._cards = set(_cards(form, written))
        self._side = {label(m): _side_rows(m, self._cards) for m in SIDE_MODELS}

    def after(self, form: Form, store: Store, written: list[Written]) -> None:
        if form.custom is not None:
            self.entries.extend(_compared(self._kept, _kept_rows(form.custom.kept(store))))
            return
        name = label(form.model)
        for item in written:
            if item.before is None:
                self.entries.append(
                    {
                        "model": name,
                        "pk": item.obj.pk,
                        "before": None,
                        "after": row_values(item.obj),
                    }
                )
        for obj, before in self._updated:
            after = {attname: dump(getattr(obj, attname)) for attname in before}
            self.entries.append({"model": name, "pk": obj.pk, "before": before, "after": after})
        cards = self._cards | set(_cards(form, written))
        for model in SIDE_MODELS:
            old = self._side[label(model)]
            new = _side_rows(model, cards)
            for pk, values in new.items():
                previous = old.get(pk)
                if previous is None:
                    entry = {"model": label(model), "pk": pk, "before": None, "after": values}
                    self.entries.append(entry)
                elif previous != values:
                    changed = [k for k in values if values[k] != previous.get(k)]
                    self.entries.append(
                        {
                            "model": label(model),
                            "pk": pk,
                            "before": {k: previous.get(k) for k in changed},
                            "after": {k: values[k] for k in changed},
                        }
                    )
            for pk, values in old.items():
                if pk not in new:
                    entry = {"model": label(model), "pk": pk, "before": values, "after": None}
                    self.entries.append(entry)


def _cards(form: Form, written: list[Written]) -> Iterable[int]:
    """The cards whose grade changes and cars a form's write may touch."""
    for item in written:
        if form.name == "customers":
            if item.obj.pk is not None:
                yield item.obj.pk
        elif getattr(item.obj, "customer_id", None) is not None:
            yield item.obj.customer_id


def _side_rows(model: type[models.Model], cards: set[int]) -> dict[int, Values]:
    found: dict[int, Values] = {}
    ordered = sorted(cards)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        for obj in model._default_manager.filter(customer_id__in=chunk).order_by():
            found[obj.pk] = row_values(obj)
    return found


def _kept_rows(querysets: list[models.QuerySet[Any]]) -> list[tuple[str, dict[int, Values]]]:
    return [
        (label(qs.model), {obj.pk: row_values(obj) for obj in qs.order_by("pk")})
        for qs in querysets
    ]


def _compared(
    old: list[tuple[str, dict[int, Values]]], new: list[tuple[str, dict[int, Values]]]
) -> list[Entry]:
    """The entries that turn `old` into `new` (both by model, the models referred to first).
    The removed rows come first, those of the referring models before those they refer to, so
    that the undo, which goes backwards, deletes what was created before it recreates what was
    removed, and recreates a row before the rows that refer to it."""
    removed: list[Entry] = []
    written: list[Entry] = []
    was = dict(old)  # empty for a store the import created
    for name, after in new:
        before = was.get(name, {})
        gone = [
            {"model": name, "pk": pk, "before": values, "after": None}
            for pk, values in before.items()
            if pk not in after
        ]
        removed[:0] = gone
        for pk, values in after.items():
            previous = before.get(pk)
            if previous is None:
                written.append({"model": name, "pk": pk, "before": None, "after": values})
            elif previous != values:
                changed = [k for k in values if values[k] != previous.get(k)]
                written.append(
                    {
                        "model": name,
                        "pk": pk,
                        "before": {k: previous.get(k) for k in changed},
                        "after": {k: values[k] for k in changed},
                    }
                )
    return removed + written
