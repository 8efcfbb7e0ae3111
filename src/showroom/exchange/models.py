from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from showroom.organization.models import Store


class ExportRecord(models.Model):
    """One export of personal data (SPEC §1: every export of personal data is recorded)."""

    store = models.ForeignKey(Store, models.PROTECT, related_name="+", verbose_name=_("store"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Who exported: the login's username, or "cli" for the command line.
    actor = models.CharField(_("exported by"), max_length=150)
    created_at = models.DateTimeField(_("exported at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("form"), max_length=32)  # a form name of SPEC §6: walk_ins, calls…
    format = models.CharField(_("format"), max_length=8)  # xlsx or csv
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    rows = models.PositiveIntegerField(_("rows"))
    destination = models.CharField(_("file"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        indexes = [models.Index(fields=["store", "created_at"])]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor} {self.kind} {self.date_from}..{self.date_to}"
