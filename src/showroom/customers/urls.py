from django.urls import path

from showroom.customers import views

app_name = "customer_settings"

urlpatterns = [
    path("sources/", views.sources, name="sources"),
    path("sources/<int:pk>/", views.source_edit, name="source_edit"),
    path("models/", views.vehicle_models, name="models"),
    path("models/<int:pk>/", views.vehicle_model_edit, name="model_edit"),
    path("follow-up/", views.follow_up, name="follow_up"),
]
