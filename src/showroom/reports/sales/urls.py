from django.urls import path

from showroom.reports.sales import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("daily/", views.daily, name="daily"),
    path("daily/review/", views.daily_review, name="daily_review"),
    path("contact-status/", views.contact_status, name="contact_status"),
    path("contact-status.xlsx", views.contact_status_xlsx, name="contact_status_xlsx"),
    path("losses/", views.losses, name="losses"),
    path("losses.xlsx", views.losses_xlsx, name="losses_xlsx"),
    path("evening/", views.evening, name="evening"),
]
