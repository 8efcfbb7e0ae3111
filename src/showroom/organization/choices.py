from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles (docs/glossary.md, docs/security.md). A staff member may hold several."""

    RECEPTIONIST = "receptionist", _("Receptionist")
    CONSULTANT = "consultant", _("Sales consultant")
    MANAGER = "manager", _("Sales manager")
    ASSISTANT = "assistant", _("Sales assistant")
    DCC = "dcc", _("DCC agent")
    CRM = "crm", _("CRM specialist")
    MARKETING = "marketing", _("Marketing manager")
    GENERAL_MANAGER = "general_manager", _("General manager")
    GROUP = "group", _("Group analyst")
    # Administration: a store admin runs their store's staff, roster and settings; a group
    # admin (no store) also creates and closes stores.
    STORE_ADMIN = "store_admin", _("Store admin")
    GROUP_ADMIN = "group_admin", _("Group admin")


class Duty(models.TextChoices):
    """Where a staff member is today: the reception rotation takes only those on duty."""

    ON_DUTY = "on_duty", _("On duty")
    LUNCH = "lunch", _("At lunch")
    OUT = "out", _("Out")


# Roles that read every row of their stores (not only their own).
STORE_WIDE_ROLES = frozenset(
    {Role.MANAGER, Role.ASSISTANT, Role.CRM, Role.GENERAL_MANAGER, Role.GROUP}
)
# Roles that may see a customer's full phone number.
PHONE_ROLES = frozenset(
    {Role.CONSULTANT, Role.MANAGER, Role.ASSISTANT, Role.DCC, Role.CRM, Role.GENERAL_MANAGER}
)
