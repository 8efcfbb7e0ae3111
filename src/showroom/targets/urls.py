from django.urls import path

from showroom.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.index, name="index"),
    path("set/", views.set_target, name="set"),
    path("split/", views.edit_split, name="split"),
]
