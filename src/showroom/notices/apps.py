from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "showroom.notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from showroom.notices import events

        events.connect()
