from django.urls import path

from showroom.owners import views

app_name = "owners"

urlpatterns = [
    path("", views.owner_list, name="list"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/vehicles/new/", views.vehicle_new, name="vehicle_new"),
    path("vehicles/<int:pk>/", views.vehicle_edit, name="vehicle_edit"),
    path("<int:pk>/visits/new/", views.visit_new, name="visit_new"),
    path("<int:pk>/care/new/", views.care_new, name="care_new"),
    path("<int:pk>/referrals/", views.referral_add, name="referral_add"),
]
