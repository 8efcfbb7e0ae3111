import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from showroom.core.busy import database_busy
from showroom.organization import permissions
from showroom.organization.choices import Role

logger = logging.getLogger(__name__)


class LanguageMiddleware:
    """Chinese unless the user picked another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a showroom tablet
    set up in English would show English; the product's language is Chinese by default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ScreenPermissionMiddleware(MiddlewareMixin):
    """Opens a screen only to the roles `organization.permissions.SCREENS` admits to it."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or (match.namespaces and match.namespaces[0] in OWN_CHECKS):
            return None
        name = match.view_name
        roles = permissions.SCREENS.get(name)
        if roles is None:
            logger.error("No entry in organization.permissions.SCREENS for %r: refused", name)
            raise PermissionDenied
        if roles in (permissions.PUBLIC, permissions.OWN_AUTH):
            return None
        if not request.user.is_authenticated:
            if request.headers.get("HX-Request"):
                # A fragment asked for after the login ended (the notice bell's poll).
                return IdleLogoutMiddleware.to_login(request)
            return redirect_to_login(request.get_full_path())
        if permissions.allows(request.user, name):  # type: ignore[arg-type]
            return None
        raise PermissionDenied


OWN_CHECKS = frozenset(permissions.SCREENS_OF_THEIR_OWN)


class PasswordResetMiddleware(MiddlewareMixin):
    """After an admin has reset a password, the person's first stop is choosing a new one:
    every screen but the password change (and signing out) sends them there."""

    OPEN = frozenset({"password_change", "password_change_done", "logout", "set_language"})

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not getattr(user, "must_change_password", False):
            return None
        match = request.resolver_match
        if match is None or match.view_name in self.OPEN:
            return None
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            # A background poll (the bell) comes from a page that is already the password
            # change: sending that page there again would reload it forever.
            if not request.headers.get(IdleLogoutMiddleware.BACKGROUND):
                response["HX-Redirect"] = reverse("password_change")
            return response
        return redirect("password_change")


class NulCharacterMiddleware(MiddlewareMixin):
    """Refuses a request whose path, query or form data holds a NUL character: PostgreSQL
    cannot take one even in a search, so any query built from it would end in a server error.
    Browsers never send one from what people type. The lead API checks what is posted to it."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        api = match is not None and bool(match.namespaces) and match.namespaces[0] == "api"
        if api and request.method == "POST":
            return None  # the lead API checks its body and parameters field by field
        found = "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for data in (request.GET, request.POST)
            for key, values in data.lists()
        )
        if not found:
            return None
        message = _(
            "The request holds a NUL character, which cannot be stored. Remove it and try again."
        )
        if api:
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class BusyDatabaseMiddleware(MiddlewareMixin):
    """On SQLite one writer holds the whole database: while a large import commits, another
    screen's save waits for it (the connection's timeout) and then fails. That save is lost
    either way; say so in the user's language and ask to try again (503), not a server
    error."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_busy(exception):
            return None
        logger.warning("Database locked during %s %s", request.method, request.path)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response


def note_login(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """A new login starts its idle time now."""
    if request is not None and hasattr(request, "session"):
        request.session[IdleLogoutMiddleware.KEY] = int(time.time())


class IdleLogoutMiddleware:
    """Signs out a login left unused for settings.IDLE_LOGOUT (IDLE_LOGOUT_DESK for a
    receptionist): the front desk is a shared tablet that nobody signs out of.
    """

    KEY = "last_seen"
    # What a page asks by itself (the notice bell's count every half minute) carries this
    # header: it is not the user at work, so it keeps no login alive.
    BACKGROUND = "X-Background-Poll"
    # The session is written at most this often, not on every request.
    RESOLUTION = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            desk = Role.RECEPTIONIST in user.role_set  # type: ignore[union-attr]
            limit = settings.IDLE_LOGOUT_DESK if desk else settings.IDLE_LOGOUT
            if isinstance(last, int) and now - last > limit.total_seconds():
                logout(request)
                return self.to_login(request)
            stale = not isinstance(last, int) or now - last >= self.RESOLUTION
            if stale and not request.headers.get(self.BACKGROUND):
                request.session[self.KEY] = now
        return self.get_response(request)

    @staticmethod
    def to_login(request: HttpRequest) -> HttpResponse:
        back = request.get_full_path() if request.method == "GET" else request.path
        response = redirect_to_login(back)
        if request.headers.get("HX-Request"):
            # htmx would swap the login page into a fragment; have it load the page instead.
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response
