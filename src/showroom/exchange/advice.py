"""What an import's messages tell the reader to do: `showroom import`'s options at the command
line, the screens in the import center (which creates no store and no staff member).

The import center runs an import within `on_screen()`; the messages below read it when they
are made, deep in the checks, so that the import's functions need no extra parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.urls import reverse
from django.utils.translation import gettext as _

_SCREEN: ContextVar[bool] = ContextVar("import_on_screen", default=False)


@contextmanager
def on_screen() -> Iterator[None]:
    """The import runs in the import center: its messages speak of the screens."""
    token = _SCREEN.set(True)
    try:
        yield
    finally:
        _SCREEN.reset(token)


def screen() -> bool:
    return _SCREEN.get()


def no_store_column() -> str:
    if screen():
        return _("The sheet has no store column; import it into one store")
    return _("The sheet has no store column; import it with a single --store")


def other_store(stores: str) -> str:
    """A row of a store other than the import's (`stores`: their codes)."""
    if screen():
        return _(
            "The store is not the one this import is for (%(stores)s); choose that store in "
            "the import center and upload the file again"
        ) % {"stores": stores}
    return _("The store is not one of those named by --store")


def unknown_store(valid: str) -> str:
    if screen():
        return _(
            "Unknown store (%(valid)s); an administrator creates stores on the Stores screen "
            "(%(url)s)"
        ) % {"valid": valid, "url": reverse("administration:stores")}
    return _("Unknown store (%(valid)s); import with --create-store to create it") % {
        "valid": valid
    }


def unknown_staff(*, consultant: bool) -> str:
    if screen():
        url = reverse("administration:staff")
        if consultant:
            return _(
                "Unknown consultant; use the name or staff code of a staff member of the "
                "store, or have an administrator add them on the Staff screen (%(url)s) first"
            ) % {"url": url}
        return _(
            "Unknown staff member; use the name or staff code of a staff member of the "
            "store, or have an administrator add them on the Staff screen (%(url)s) first"
        ) % {"url": url}
    if consultant:
        return _(
            "Unknown consultant; use the name or staff code of a staff member of the "
            "store, or import with --create-staff"
        )
    return _(
        "Unknown staff member; use the name or staff code of a staff member of the "
        "store, or import with --create-staff"
    )
