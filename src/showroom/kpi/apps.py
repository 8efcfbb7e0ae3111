from django.apps import AppConfig


class KpiConfig(AppConfig):
    name = "showroom.kpi"
