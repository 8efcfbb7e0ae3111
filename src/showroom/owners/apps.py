from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnersConfig(AppConfig):
    name = "showroom.owners"
    verbose_name = _("Owners and after-sales")
