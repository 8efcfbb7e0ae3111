"""The CRM's reports that read the KPIs. Their URL names are the CRM's (`crm:channels`,
`crm:report`, …): the project's URLs add these patterns to the `crm` namespace."""

from django.urls import path

from showroom.reports.crm import channel_views, views

urlpatterns = [
    path("channels/", channel_views.channel_report, name="channels"),
    path("channels.xlsx", channel_views.channel_report_xlsx, name="channels_xlsx"),
    path("reports/", views.index, name="reports"),
    path("reports/<str:kind>/", views.report, name="report"),
    path("reports/<str:kind>.xlsx", views.report_xlsx, name="report_xlsx"),
]
