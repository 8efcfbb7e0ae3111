from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "showroom.customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from showroom.customers.links import settings_changes, settings_links
        from showroom.organization import hooks

        hooks.store_settings_links.register(settings_links)
        hooks.administration_changes.register(settings_changes)
