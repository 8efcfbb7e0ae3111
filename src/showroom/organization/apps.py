from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "showroom.organization"
    verbose_name = _("Organization")

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from showroom.organization.middleware import note_login

        user_logged_in.connect(note_login, dispatch_uid="showroom-idle-logout")
        # A sign-in is kept by django-axes, not as a change of the login's history.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(last_login_without_history, dispatch_uid="showroom-last-login")


def last_login_without_history(sender: Any, user: Any, **kwargs: Any) -> None:
    from django.contrib.auth.models import update_last_login

    user.skip_history_when_saving = True
    try:
        update_last_login(sender, user, **kwargs)
    finally:
        del user.skip_history_when_saving
