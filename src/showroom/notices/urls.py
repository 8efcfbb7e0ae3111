from django.urls import path

from showroom.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("count/", views.count, name="count"),
    path("<int:pk>/", views.open_notice, name="open"),
    path("<int:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
]
