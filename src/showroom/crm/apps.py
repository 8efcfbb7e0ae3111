from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "showroom.crm"
    verbose_name = _("CRM department")

    def ready(self) -> None:
        from showroom.crm import links, panels
        from showroom.organization import hooks
        from showroom.sales.prospects.selectors import my_day_panels

        my_day_panels.register(panels.data_exceptions)
        my_day_panels.register(panels.call_list_entries)
        hooks.store_settings_links.register(links.settings_links)
        hooks.administration_changes.register(links.settings_changes)
