from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from showroom.organization.choices import Duty, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


# The zones a Chinese dealership may be in, by the names people use; any other zone is shown
# as the time zone database writes it.
TIME_ZONE_NAMES = {
    "Asia/Shanghai": _("Beijing time"),
    "Asia/Urumqi": _("Xinjiang time (Urumqi)"),
    "Asia/Hong_Kong": _("Hong Kong time"),
    "Asia/Macau": _("Macau time"),
    "Asia/Taipei": _("Taipei time"),
}


def time_zone_name(zone: str) -> str:
    return str(TIME_ZONE_NAMES.get(zone, zone))


class DealerGroup(models.Model):
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dealer group")
        verbose_name_plural = _("dealer groups")

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    group = models.ForeignKey(
        DealerGroup,
        models.PROTECT,
        related_name="stores",
        verbose_name=_("dealer group"),
        null=True,
        blank=True,
    )
    code = models.SlugField(_("store code"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=100)
    brand = models.CharField(_("brand"), max_length=50, blank=True)
    # Validated against the zone database rather than baked into migrations as choices.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    # The store's own choice: also skip consultants with overdue follow-ups.
    rotation_skips_overdue = models.BooleanField(
        _("rotation skips consultants with overdue follow-ups"), default=False
    )
    # A consultant whose party is still in the showroom keeps their place but is passed over.
    rotation_skips_busy = models.BooleanField(
        _("rotation skips consultants still with a customer"), default=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # A closed store leaves the pickers, and its staff can no longer sign in; its rows stay.
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (core.versions)
    # The hour grid of the traffic statistics spans these hours, widened to any hour with visits.
    opening_time = models.TimeField(_("opening time"), default=time(9, 0))
    closing_time = models.TimeField(_("closing time"), default=time(18, 0))

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def time_zone_name(self) -> str:
        return time_zone_name(self.time_zone)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def now(self) -> datetime:
        return timezone.now().astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()


class StaffQuerySet(models.QuerySet["Staff"]):
    def on_duty(self) -> StaffQuerySet:
        """Those at work now: not at lunch, not out."""
        return self.filter(duty=Duty.ON_DUTY)

    def with_role(self, role: str) -> StaffQuerySet:
        return self.filter(roles__regex=rf"(^|,){role}(,|$)")

    def consultants(self, store: Store) -> StaffQuerySet:
        return self.with_role(Role.CONSULTANT).filter(store=store, is_active=True)

    def consultants_and(self, store: Store, others: Iterable[int] | QuerySet) -> StaffQuerySet:
        """The store's active consultants and the staff `others` names (ids or a subquery):
        former consultants who still have rows, for instance."""
        consultants = self.consultants(store).values("pk")
        return self.filter(models.Q(pk__in=consultants) | models.Q(pk__in=others))


class StaffManager(UserManager.from_queryset(StaffQuerySet)):  # type: ignore[misc]
    pass


class Staff(AbstractUser):
    """A login. `store` is empty only for group-level staff, who see every store."""

    store = models.ForeignKey(
        Store, models.PROTECT, related_name="staff", null=True, blank=True, verbose_name=_("store")
    )
    full_name = models.CharField(_("name"), max_length=50, blank=True)
    staff_code = models.CharField(_("staff code"), max_length=32, blank=True)
    roles = models.CharField(
        _("roles"), max_length=200, blank=True, help_text=_("Comma-separated role codes.")
    )
    duty = models.CharField(
        pgettext_lazy("duty", "today"), max_length=16, choices=Duty.choices, default=Duty.ON_DUTY
    )
    # Position in the store's rotation when nobody has received a customer yet today.
    rotation_order = models.PositiveSmallIntegerField(_("rotation order"), default=0)
    # Set when an admin resets the password: the next sign-in must choose a new one.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (core.versions)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects: ClassVar[StaffManager] = StaffManager()

    class Meta:
        ordering = ["store", "rotation_order", "username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "staff_code"],
                condition=~models.Q(staff_code=""),
                name="unique_staff_code_per_store",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def on_duty(self) -> bool:
        return self.duty == Duty.ON_DUTY

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.role_set & set(roles))

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles.split(",") if r in Role.values]


class ExportRecord(models.Model):
    """One export of personal data: every export of personal data is recorded."""

    store = models.ForeignKey(Store, models.PROTECT, related_name="+", verbose_name=_("store"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Who exported: the login's username, or "cli" for the command line.
    actor = models.CharField(_("exported by"), max_length=150)
    created_at = models.DateTimeField(_("exported at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("form"), max_length=32)  # an exchange form's name: walk_ins, calls…
    format = models.CharField(_("format"), max_length=8)  # xlsx or csv
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    rows = models.PositiveIntegerField(_("rows"))
    destination = models.CharField(_("file"), max_length=500, blank=True)

    class Meta:
        db_table = "exchange_exportrecord"
        ordering = ["-created_at", "id"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        indexes = [models.Index(fields=["store", "created_at"])]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor} {self.kind} {self.date_from}..{self.date_to}"
