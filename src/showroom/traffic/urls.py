from django.urls import path

from showroom.traffic import api_key_views, views

app_name = "traffic"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("walk-ins/new/", views.log_walk_in, name="log_walkin"),
    path("calls/new/", views.log_call, name="log_call"),
    path("walk-ins/<int:pk>/departed/", views.depart, name="depart"),
    path("walk-ins/<int:pk>/cancel/", views.cancel_walk_in, name="walkin_cancel"),
    path("phone-check/", views.phone_check, name="phone_check"),
    path("mine/", views.my_rows, name="my_rows"),
    path("register/", views.register, name="register"),
    path("calls/", views.calls, name="calls"),
    path("walk-ins/<int:pk>/", views.row_edit, {"kind": "walkin"}, name="walkin_edit"),
    path("calls/<int:pk>/", views.row_edit, {"kind": "call"}, name="call_edit"),
    path(
        "walk-ins/<int:pk>/history/", views.row_history, {"kind": "walkin"}, name="walkin_history"
    ),
    path("calls/<int:pk>/history/", views.row_history, {"kind": "call"}, name="call_history"),
    path("walk-ins/<int:pk>/link/", views.row_link, {"kind": "walkin"}, name="walkin_link"),
    path("calls/<int:pk>/link/", views.row_link, {"kind": "call"}, name="call_link"),
    path("api-keys/", api_key_views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", api_key_views.api_key_revoke, name="api_key_revoke"),
]
