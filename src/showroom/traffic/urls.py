from django.urls import path

from showroom.traffic import api_key_views, views
from showroom.traffic.leads import views as leads

app_name = "traffic"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("walk-ins/new/", views.log_walk_in, name="log_walkin"),
    path("calls/new/", views.log_call, name="log_call"),
    path("duty/<int:pk>/", views.desk_duty, name="desk_duty"),
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
    # the lead desk
    path("leads/", leads.inbox, name="leads"),
    path("leads/new/", leads.new_lead, name="lead_new"),
    path("leads/escalated/", leads.escalations, name="lead_escalations"),
    path("leads/settings/", leads.desk_settings, name="lead_settings"),
    path("leads/<int:pk>/", leads.detail, name="lead"),
    path("leads/<int:pk>/contact/", leads.contact, name="lead_contact"),
    path("leads/<int:pk>/appointment/", leads.book, name="lead_book"),
    path("leads/<int:pk>/card/", leads.convert, name="lead_convert"),
    path("leads/<int:pk>/close/", leads.close, name="lead_close"),
    path("leads/<int:pk>/assign/", leads.assign, name="lead_assign"),
    path("appointments/", leads.calendar, name="calendar"),
    path("appointments/new/", leads.new_appointment, name="appointment_new"),
    path("appointments/no-shows/", leads.no_shows, name="no_shows"),
    path("appointments/<int:pk>/shown/", leads.shown, name="appointment_shown"),
    path("appointments/<int:pk>/status/", leads.set_status, name="appointment_status"),
]
