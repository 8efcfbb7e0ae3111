from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance")
    REPAIR = "repair", _("Repair")
    ACCIDENT = "accident", _("Accident repair")
    WARRANTY = "warranty", _("Warranty")
