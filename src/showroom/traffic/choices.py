from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitType(models.TextChoices):
    FIRST = "first", _("First visit")
    REPEAT = "repeat", _("Repeat visit")


class CallType(models.TextChoices):
    FIRST = "first", _("First call")
    REPEAT = "repeat", _("Repeat call")


# Hour slots of the monthly statistics (展厅来店/来电统计表): opening hours in one-hour slots,
# with everything before and after folded into the first and last slot.
OPENING_HOUR = 9
CLOSING_HOUR = 18
