from django.apps import AppConfig


class KpiConfig(AppConfig):
    name = "showroom.kpi"

    def ready(self) -> None:
        from showroom.kpi import freshness
        from showroom.kpi.links import settings_links
        from showroom.organization import hooks

        hooks.store_settings_links.register(settings_links)
        freshness.connect()
