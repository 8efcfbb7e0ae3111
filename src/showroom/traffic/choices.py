from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VisitType(models.TextChoices):
    FIRST = "first", _("First visit")
    REPEAT = "repeat", _("Repeat visit")


class CallType(models.TextChoices):
    FIRST = "first", _("First call")
    REPEAT = "repeat", _("Repeat call")


# A store's opening hours unless it sets its own (Store.opening_time, closing_time).
OPENING_HOUR = 9
CLOSING_HOUR = 18


class LeadStatus(models.TextChoices):
    """Where a lead stands on the lead desk; derived from its rows (see leads.selectors)."""

    NEW = "new", pgettext_lazy("lead status", "New")
    IN_PROGRESS = "in_progress", pgettext_lazy("lead status", "In progress")
    APPOINTMENT = "appointment", pgettext_lazy("lead status", "Appointment set")
    VISITED = "visited", pgettext_lazy("lead status", "Visited")
    CLOSED = "closed", pgettext_lazy("lead status", "Closed")


class CloseReason(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer after repeated tries")
    NOT_INTERESTED = "not_interested", _("Not interested")
    BOUGHT_ELSEWHERE = "bought_elsewhere", _("Bought elsewhere")
    DUPLICATE = "duplicate", _("Duplicate")
    INVALID_NUMBER = "invalid_number", _("Invalid number")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy, call back")
    MESSAGE = "message", _("Message sent")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class ContactMedium(models.TextChoices):
    CALL = "call", pgettext_lazy("contact medium", "Call")
    MESSAGE = "message", _("Message (SMS / WeChat)")


class AppointmentPurpose(models.TextChoices):
    VISIT = "visit", pgettext_lazy("appointment purpose", "Visit")
    TEST_DRIVE = "test_drive", pgettext_lazy("appointment purpose", "Test drive")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    SHOWN = "shown", _("Shown")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class RoutingRule(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin among on-duty DCC agents")
    BY_CHANNEL = "by_channel", _("By channel")
    BY_MODEL = "by_model", _("By model")
