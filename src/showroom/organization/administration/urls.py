from django.urls import path

from showroom.organization.administration import views

app_name = "administration"

urlpatterns = [
    path("stores/", views.stores, name="stores"),
    path("stores/new/", views.store_new, name="store_new"),
    path("stores/<int:pk>/", views.store_edit, name="store_edit"),
    path("stores/<int:pk>/active/", views.store_active, name="store_active"),
    path("groups/new/", views.group_edit, name="group_new"),
    path("groups/<int:pk>/", views.group_edit, name="group_edit"),
    path("staff/", views.staff, name="staff"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/password/", views.staff_password, name="staff_password"),
    path("staff/<int:pk>/active/", views.staff_active, name="staff_active"),
    path("staff/<int:pk>/sign-ins/", views.staff_signins, name="staff_signins"),
    path("roster/", views.roster, name="roster"),
    path("roster/<int:pk>/duty/", views.roster_duty, name="roster_duty"),
    path("roster/<int:pk>/move/", views.roster_move, name="roster_move"),
    path("roster/rules/", views.roster_rules, name="roster_rules"),
    path("changes/", views.changes, name="changes"),
]
