"""The monthly management report. Its URL name is the KPIs' (`kpi:report_xlsx`): the project's
URLs add this pattern to the `kpi` namespace."""

from django.urls import path

from showroom.reports.month_report import views

urlpatterns = [
    path("report.xlsx", views.report_workbook, name="report_xlsx"),
]
