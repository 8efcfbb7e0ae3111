from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "showroom.exchange"

    def ready(self) -> None:
        from showroom.exchange.forms import lead_import_key
        from showroom.traffic.intake.leads import import_key

        import_key.register(lead_import_key)
