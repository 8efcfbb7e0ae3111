"""The import center's history: one `ImportBatch` per upload, from its dry run to its undo."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from showroom.organization.models import Store


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked, not imported")
    IMPORTING = "importing", _("Importing")
    FAILED = "failed", _("Has errors")
    IMPORTED = "imported", _("Imported")
    UNDOING = "undoing", _("Undoing")
    UNDONE = "undone", _("Undone")


class ImportBatch(models.Model):
    """Files uploaded on the import center into one store: what the dry run found, and once
    imported, every row the import created or changed (`changes`) so that it can be undone.

    `changes` is a list of {"model": app_label.model, "pk", "before", "after"}: `before` is
    None for a row the import created, else the previous values of the fields it changed;
    `after` the values it wrote (an undo is refused when a row no longer holds them). Grade
    changes and cars that the import added, changed or removed are recorded the same way
    (a removed row: "after" None)."""

    store = models.ForeignKey(Store, models.PROTECT, related_name="+", verbose_name=_("store"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor = models.CharField(_("imported by"), max_length=150)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKED
    )
    file_names = models.JSONField(_("files"), default=list)  # as uploaded
    folder = models.CharField(max_length=200, blank=True)  # under DATA_DIR/imports; "" when gone
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # {form name: [new, updated, unchanged]}
    counts = models.JSONField(_("counts"), default=dict)
    problems = models.JSONField(default=list)  # [file, sheet, row, column, value, reason]
    notices = models.JSONField(default=list)
    changes = models.JSONField(default=list)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.CharField(_("undone by"), max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["store", "created_at"])]

    def __str__(self) -> str:
        return f"{self.store_id} {self.created_at:%Y-%m-%d %H:%M} {', '.join(self.file_names)}"
