from django.urls import path

from showroom.sales.prospects import views

app_name = "sales"

urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("overdue/", views.overdue, name="overdue"),
    path("customers/<int:pk>/contact/", views.log_contact, name="log_contact"),
]
