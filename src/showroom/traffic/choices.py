from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitType(models.TextChoices):
    FIRST = "first", _("First visit")
    REPEAT = "repeat", _("Repeat visit")


class CallType(models.TextChoices):
    FIRST = "first", _("First call")
    REPEAT = "repeat", _("Repeat call")


# A store's opening hours unless it sets its own (Store.opening_time, closing_time).
OPENING_HOUR = 9
CLOSING_HOUR = 18
