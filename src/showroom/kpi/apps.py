from django.apps import AppConfig


class KpiConfig(AppConfig):
    name = "showroom.kpi"

    def ready(self) -> None:
        from showroom.kpi import freshness

        freshness.connect()
