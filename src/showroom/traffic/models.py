from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from showroom.customers.choices import Grade
from showroom.customers.models import Customer, Source
from showroom.customers.phones import normalize_phone
from showroom.organization.models import Store
from showroom.traffic.choices import CallType, VisitType

# 是否留档: an explicit yes/no wins; left empty, yes when name and phone are both given.
CONTACT_KEPT = Q(contact_kept=True) | (
    Q(contact_kept__isnull=True) & ~Q(name="") & ~Q(phone_norm="")
)


class RegisterRow(models.Model):
    """What both registers share: one row per party or call, kept by the front desk."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    date = models.DateField(_("date"))
    name = models.CharField(_("customer name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_norm = models.CharField(max_length=20, blank=True, editable=False)
    source = models.ForeignKey(
        Source, models.PROTECT, null=True, blank=True, verbose_name=_("source")
    )
    model = models.CharField(_("intended model"), max_length=50, blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("consultant"), related_name="+"
    )
    contact_kept = models.BooleanField(_("contact kept"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    customer = models.ForeignKey(
        Customer,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("customer"),
        related_name="+",
    )
    # Fingerprint of an imported row, so that importing the same file twice changes nothing.
    import_key = models.CharField(max_length=64, blank=True, editable=False)
    # Optimistic locking: a save must name the version it was edited from.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.phone_norm = normalize_phone(self.phone)
        if kwargs.get("update_fields") is not None and "phone" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_norm"}
        super().save(*args, **kwargs)

    @property
    def is_contact_kept(self) -> bool:
        if self.contact_kept is not None:
            return self.contact_kept
        return bool(self.name.strip() and self.phone_norm)


class LiveWalkIns(models.Manager["WalkIn"]):
    """Walk-ins that happened: a row cancelled at the desk (a mis-tap) stays in the register's
    history but out of every count, KPI and export, because they all read through here."""

    def get_queryset(self) -> models.QuerySet[WalkIn]:
        return super().get_queryset().filter(cancelled_at=None)


class WalkIn(RegisterRow):
    """来店客户登记表: one row per party (批/组) that walks into the showroom."""

    arrived_at = models.TimeField(_("arrival time"))
    left_at = models.TimeField(_("departure time"), null=True, blank=True)
    party_size = models.PositiveSmallIntegerField(_("party size"), default=1)
    visit_type = models.CharField(_("visit type"), max_length=8, choices=VisitType.choices)
    invited = models.BooleanField(_("invited"), default=False)
    test_drive = models.BooleanField(_("test drive"), default=False)
    quoted = models.BooleanField(_("quoted"), default=False)
    hand_card = models.CharField(_("hand card no."), max_length=20, blank=True)
    # Minutes between arrival and departure, kept with the row so that SQL can average it
    # the same way on SQLite and PostgreSQL.
    stay_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    completed = models.BooleanField(_("completed by the consultant"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["import_key", "created_at"])

    # The register as the desk keeps it, cancelled rows included.
    with_cancelled = models.Manager()
    objects = LiveWalkIns()

    class Meta:
        ordering = ["date", "arrived_at", "id"]
        default_manager_name = "objects"
        verbose_name = _("walk-in")
        verbose_name_plural = _("walk-ins")
        indexes = [
            models.Index(fields=["store", "date"]),
            models.Index(fields=["store", "phone_norm"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "import_key"],
                condition=~Q(import_key=""),
                name="unique_walkin_import_key",
            ),
            models.CheckConstraint(
                condition=Q(party_size__gte=1), name="walkin_party_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.arrived_at:%H:%M} {self.name or '—'}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.stay_minutes = stay_minutes(self.arrived_at, self.left_at)
        if kwargs.get("update_fields") is not None and {"arrived_at", "left_at"} & set(
            kwargs["update_fields"]
        ):
            kwargs["update_fields"] = {*kwargs["update_fields"], "stay_minutes"}
        super().save(*args, **kwargs)


class Call(RegisterRow):
    """来电客户登记表: one row per incoming call, put through to a consultant."""

    called_at = models.TimeField(_("call time"))
    call_type = models.CharField(_("call type"), max_length=8, choices=CallType.choices)
    appointment_date = models.DateField(_("appointment date"), null=True, blank=True)
    completed = models.BooleanField(_("completed by the consultant"), default=False)

    history = HistoricalRecords(excluded_fields=["import_key", "created_at"])

    class Meta:
        ordering = ["date", "called_at", "id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["store", "date"]),
            models.Index(fields=["store", "phone_norm"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "import_key"],
                condition=~Q(import_key=""),
                name="unique_call_import_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.called_at:%H:%M} {self.name or '—'}"


def stay_minutes(arrived: object, left: object) -> int | None:
    if arrived is None or left is None:
        return None
    start = datetime.combine(datetime.min, arrived)  # type: ignore[arg-type]
    end = datetime.combine(datetime.min, left)  # type: ignore[arg-type]
    if end < start:  # left after midnight
        end += timedelta(days=1)
    return int((end - start).total_seconds() // 60)


class Lead(models.Model):
    """线索: an internet or phone lead before the person visits."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    created_at = models.DateTimeField(_("created at"))
    # The store-local date of created_at, kept so that periods are plain date ranges in SQL.
    date = models.DateField(_("date"), editable=False)
    channel = models.ForeignKey(Source, models.PROTECT, verbose_name=_("channel"))
    name = models.CharField(_("customer name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32)
    phone_norm = models.CharField(max_length=20, blank=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    model = models.CharField(_("intended model"), max_length=50, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    appointment_date = models.DateField(_("appointment date"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    customer = models.ForeignKey(
        Customer,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    import_key = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["import_key"])

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["store", "date"]),
            models.Index(fields=["store", "phone_norm"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "import_key"],
                condition=~Q(import_key=""),
                name="unique_lead_import_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name or self.phone}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.phone_norm = normalize_phone(self.phone)
        # Kept to the second, as the lead form exports them, so a round trip is exact.
        self.created_at = self.created_at.replace(microsecond=0)
        if self.first_contact_at is not None:
            self.first_contact_at = self.first_contact_at.replace(microsecond=0)
        self.date = self.created_at.astimezone(self.store.tz).date()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "phone_norm", "date"}
        super().save(*args, **kwargs)


class LeadApiKey(models.Model):
    """A key a lead sender (website, lead platform) gives in the X-API-Key header of
    POST /api/leads: it writes leads of its own store only. Only its hash is kept; the key is
    shown once, when it is made.
    """

    store = models.ForeignKey(
        Store, models.CASCADE, related_name="lead_api_keys", verbose_name=_("store")
    )
    name = models.CharField(_("name"), max_length=100)
    # The key's first characters, to tell keys apart on the screen.
    prefix = models.CharField(_("key starts with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["store", "-created_at"]
        verbose_name = _("lead API key")
        verbose_name_plural = _("lead API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
