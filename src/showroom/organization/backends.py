"""Who may sign in: an active login of an open store (or of the group)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    """Django's password check, refusing also the staff of a closed store. Django asks the
    same of a session on every request, so closing a store signs its staff out too."""

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        store = getattr(user, "store", None)
        return store is None or bool(store.is_active)

    def get_user(self, user_id: Any) -> Any:
        # The store is read with the login, once per request, for the check above.
        from showroom.organization.models import Staff

        try:
            # get(), not first(): no ordering (the staff's default order joins their store's
            # code once more) on every request.
            user = Staff.objects.select_related("store").get(pk=user_id)
        except Staff.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
