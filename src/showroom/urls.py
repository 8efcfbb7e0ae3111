from django.contrib import admin
from django.urls import include, path

from showroom.api import api

urlpatterns = [
    path("", include("showroom.organization.urls")),
    path("desk/", include("showroom.traffic.urls")),
    path("kpi/", include("showroom.kpi.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
