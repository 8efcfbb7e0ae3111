from django.apps import AppConfig


class KpiConfig(AppConfig):
    name = "showroom.kpi"

    def ready(self) -> None:
        # The register export (exchange) also carries the monthly statistics sheets.
        from showroom.exchange.exports import extra_sheets
        from showroom.kpi.workbooks import add_monthly_sheets

        if add_monthly_sheets not in extra_sheets:
            extra_sheets.append(add_monthly_sheets)
