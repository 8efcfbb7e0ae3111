from django.urls import path

from showroom.kpi.dashboard import views as dashboard_views
from showroom.kpi.statistics import views
from showroom.kpi.value import views as value_views

app_name = "kpi"

urlpatterns = [
    path("monthly/", views.monthly, name="monthly"),
    path("monthly.xlsx", views.monthly_workbook, name="monthly_xlsx"),
    path("overview/", views.overview, name="overview"),
    path("value/", value_views.value, name="value"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("board/", dashboard_views.board, name="board"),
    path("group/", dashboard_views.group, name="group"),
    path("drill/", dashboard_views.drill, name="drill"),
]
