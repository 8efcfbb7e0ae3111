from django.urls import include, path

from showroom.api import api
from showroom.crm import urls as crm_urls
from showroom.kpi import urls as kpi_urls
from showroom.reports.crm import urls as crm_report_urls
from showroom.reports.month_report import urls as month_report_urls

# The reports app serves some pages under the namespaces of the apps whose figures they show.
kpi_patterns = (kpi_urls.urlpatterns + month_report_urls.urlpatterns, kpi_urls.app_name)
crm_patterns = (crm_urls.urlpatterns + crm_report_urls.urlpatterns, crm_urls.app_name)

urlpatterns = [
    path("", include("showroom.organization.urls")),
    path("desk/", include("showroom.traffic.urls")),
    path("customers/", include(("showroom.sales.cards.urls", "customers"))),
    path("store/customers/", include("showroom.customers.urls")),
    path("sales/", include("showroom.sales.prospects.urls")),
    path("deals/", include("showroom.sales.deals.urls")),
    path("reports/", include("showroom.reports.sales.urls")),
    path("owners/", include("showroom.owners.urls")),
    path("kpi/", include(kpi_patterns)),
    path("targets/", include("showroom.targets.urls")),
    path("crm/", include(crm_patterns)),
    path("notices/", include("showroom.notices.urls")),
    path("exchange/", include("showroom.exchange.center.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
