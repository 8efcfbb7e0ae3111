from django.urls import path

from showroom.kpi import views

app_name = "kpi"

urlpatterns = [
    path("monthly/", views.monthly, name="monthly"),
    path("monthly.xlsx", views.monthly_workbook, name="monthly_xlsx"),
    path("overview/", views.overview, name="overview"),
]
