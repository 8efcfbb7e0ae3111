from django.contrib.auth import views as auth_views
from django.urls import include, path

from showroom.organization import views

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", views.first_run, name="first_run"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("logins/locked/", views.login_locks, name="login_locks"),
    path("store/settings/", views.store_settings, name="store_settings"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("manage/", include("showroom.organization.administration.urls")),
]
