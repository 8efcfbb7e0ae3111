"""A notice: something that needs one person, shown under their bell until they read it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from showroom.customers.models import Customer
from showroom.organization.models import Store


class NoticeKind(models.TextChoices):
    WALKIN = "walkin", _("A walk-in was assigned to you")
    LEAD = "lead", _("A lead was assigned to you")
    LOSS_REQUESTED = "loss_requested", _("A loss request waits for your decision")
    LOSS_CONFIRMED = "loss_confirmed", _("Your loss request was confirmed")
    LOSS_RETURNED = "loss_returned", _("Your loss request was sent back for more follow-up")
    CALL_LIST = "call_list", _("A call-list entry was handed to you")
    EXCEPTION = "exception", _("A cross-check exception on your rows")
    FOLLOW_UP = "follow_up", _("A follow-up is due today")
    APPOINTMENT = "appointment", _("An appointment is coming up")
    MESSAGE = "message", _("Message")
    WELCOME = "welcome", _("Welcome: this bell tells you what needs you; each notice leads to it")


class Notice(models.Model):
    """One notice for one person. `key` names what it is about ("walkin:12"): a person gets
    one notice per key, and the same event again makes it unread again instead of a second."""

    store = models.ForeignKey(Store, models.CASCADE, verbose_name=_("store"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    key = models.CharField(max_length=64)
    text = models.CharField(_("about"), max_length=200, blank=True)
    # Where the notice leads: a URL name of the screen table and the row's id, if it has one.
    link_name = models.CharField(max_length=60, blank=True)
    link_pk = models.PositiveIntegerField(null=True, blank=True)
    # The card it is about, if any: the notice shows only while its recipient may read the card.
    customer = models.ForeignKey(Customer, models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notice_per_key")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.key}"
