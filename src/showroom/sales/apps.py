from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "showroom.sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from showroom.sales import spans
        from showroom.sales.prospects.selectors import (
            consultants_with_overdue_follow_ups,
            my_day_panels,
        )
        from showroom.sales.prospects.services import log_reception
        from showroom.traffic.leads.panels import appointments_and_leads
        from showroom.traffic.selectors import overdue_follow_ups
        from showroom.traffic.services import row_completed

        overdue_follow_ups.register(consultants_with_overdue_follow_ups)
        row_completed.register(log_reception)
        # The lead desk's appointments and leads of the consultant.
        my_day_panels.register(appointments_and_leads)
        spans.connect()
