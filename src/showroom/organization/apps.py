from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "showroom.organization"
    verbose_name = _("Organization")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from showroom.organization.middleware import note_login

        user_logged_in.connect(note_login, dispatch_uid="showroom-idle-logout")
