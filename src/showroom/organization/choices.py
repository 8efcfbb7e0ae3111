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


# Roles that read every row of their stores (not only their own).
STORE_WIDE_ROLES = frozenset(
    {Role.MANAGER, Role.ASSISTANT, Role.CRM, Role.GENERAL_MANAGER, Role.GROUP}
)
# Roles that may see a customer's full phone number.
PHONE_ROLES = frozenset(
    {Role.CONSULTANT, Role.MANAGER, Role.ASSISTANT, Role.DCC, Role.CRM, Role.GENERAL_MANAGER}
)
