from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrafficConfig(AppConfig):
    name = "showroom.traffic"
    verbose_name = _("Front desk")

    def ready(self) -> None:
        from showroom.customers.services import card_created
        from showroom.traffic.services import link_leads

        card_created.register(link_leads)
