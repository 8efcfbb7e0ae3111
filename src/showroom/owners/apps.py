from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OwnersConfig(AppConfig):
    name = "showroom.owners"
    verbose_name = _("Owners and after-sales")

    def ready(self) -> None:
        from showroom.owners import spans
        from showroom.owners.selectors import cards_by_plate
        from showroom.owners.services import mirror_order, vehicle_for_delivery
        from showroom.sales.cards.selectors import card_search
        from showroom.sales.deals.services import order_delivered, order_saved

        card_search.register(cards_by_plate)
        order_delivered.register(vehicle_for_delivery)
        order_saved.register(mirror_order)
        spans.connect()
