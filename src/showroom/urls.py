from django.urls import include, path

from showroom.api import api

urlpatterns = [
    path("", include("showroom.organization.urls")),
    path("desk/", include("showroom.traffic.urls")),
    path("customers/", include(("showroom.sales.cards.urls", "customers"))),
    path("sales/", include("showroom.sales.prospects.urls")),
    path("deals/", include("showroom.sales.deals.urls")),
    path("reports/", include("showroom.sales.report_urls")),
    path("owners/", include("showroom.owners.urls")),
    path("kpi/", include("showroom.kpi.urls")),
    path("targets/", include("showroom.targets.urls")),
    path("crm/", include("showroom.crm.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
