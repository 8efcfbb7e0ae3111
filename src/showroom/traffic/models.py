from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from showroom.core.history import day_to_day_history
from showroom.customers.choices import Grade
from showroom.customers.models import Customer, Source
from showroom.customers.phones import normalize_phone
from showroom.organization.models import Store
from showroom.traffic.choices import (
    AppointmentPurpose,
    AppointmentStatus,
    CallType,
    CloseReason,
    ContactMedium,
    ContactOutcome,
    RoutingRule,
    VisitType,
)

# 是否留档: an explicit yes/no wins; left empty, yes when name and phone are both given.
CONTACT_KEPT = Q(contact_kept=True) | (
    Q(contact_kept__isnull=True) & ~Q(name="") & ~Q(phone_norm="")
)


class RegisterRow(models.Model):
    """What both registers share: one row per party or call, kept by the front desk."""

    # The indexes below begin with the store: no index of its own.
    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"), db_index=False)
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

    history = day_to_day_history(excluded_fields=["import_key", "created_at"])

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

    history = day_to_day_history(excluded_fields=["import_key", "created_at"])

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

    # The indexes below begin with the store: no index of its own.
    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"), db_index=False)
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
    # When the lead was given to assigned_to (by routing or by hand): the escalation clock.
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(
        _("close reason"), max_length=20, choices=CloseReason.choices, blank=True
    )
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
    # Optimistic locking of the lead desk's writes (core.versions.claim).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = day_to_day_history(excluded_fields=["import_key"])

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["store", "date"]),
            models.Index(fields=["store", "phone_norm"]),
            # The lead desk's round robin asks each agent's latest assigned lead on every new
            # lead (leads.services.route): one entry of this index, where the agent's whole
            # history was read and sorted (thousands of rows for a busy agent).
            models.Index(
                fields=["assigned_to", "-assigned_at", "-id"],
                condition=Q(assigned_at__isnull=False),
                name="lead_agent_latest_idx",
            ),
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
    name = models.CharField(pgettext_lazy("object name", "name"), max_length=100)
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


class LeadContact(models.Model):
    """One call or message to a lead, with what came of it and the next step."""

    lead = models.ForeignKey(Lead, models.CASCADE, related_name="contacts", verbose_name=_("lead"))
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    medium = models.CharField(
        _("by way of"), max_length=8, choices=ContactMedium.choices, default=ContactMedium.CALL
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("lead contact")
        verbose_name_plural = _("lead contacts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class Appointment(models.Model):
    """预约: a visit or test drive booked for a day and time, from a lead, a card or the desk.
    Marked shown at the front desk (which links the walk-in row), or left as a no-show."""

    store = models.ForeignKey(Store, models.PROTECT, verbose_name=_("store"))
    lead = models.ForeignKey(
        Lead,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("lead"),
    )
    customer = models.ForeignKey(
        Customer,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("customer name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("consultant")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("booked by")
    )
    starts_at = models.DateTimeField(_("starts at"))
    # The store-local date of starts_at: the calendar's days are plain date ranges in SQL.
    date = models.DateField(_("date"), editable=False)
    purpose = models.CharField(_("purpose"), max_length=12, choices=AppointmentPurpose.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    walk_in = models.ForeignKey(
        WalkIn,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("walk-in"),
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["store", "date"])]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.name or self.phone}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.starts_at = self.starts_at.replace(second=0, microsecond=0)
        self.date = self.starts_at.astimezone(self.store.tz).date()
        if kwargs.get("update_fields") is not None and "starts_at" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "date"}
        super().save(*args, **kwargs)


class LeadDesk(models.Model):
    """A store's lead desk settings: the first-response clock, routing and escalation.
    A store without a row uses the defaults."""

    store = models.OneToOneField(
        Store, models.CASCADE, related_name="lead_desk", verbose_name=_("store")
    )
    # The first-response clock turns amber, then red, after these many minutes.
    response_amber_minutes = models.PositiveIntegerField(_("response target (amber)"), default=15)
    response_red_minutes = models.PositiveIntegerField(_("response limit (red)"), default=60)
    # An unassigned or untouched lead older than this goes on the manager's escalation list.
    escalate_after_minutes = models.PositiveIntegerField(_("escalate after (minutes)"), default=60)
    routing = models.CharField(
        _("routing rule"),
        max_length=12,
        choices=RoutingRule.choices,
        default=RoutingRule.ROUND_ROBIN,
    )
    # "No answer after N tries": the close reason offered once a lead has this many misses.
    tries_before_giving_up = models.PositiveSmallIntegerField(
        _("tries before giving up"), default=3
    )

    class Meta:
        verbose_name = _("lead desk settings")
        verbose_name_plural = _("lead desk settings")

    def __str__(self) -> str:
        return str(self.store)


class LeadRoute(models.Model):
    """One line of a by-channel or by-model routing rule: leads of this channel (or model)
    go to this agent. A lead no line matches falls back to round robin."""

    store = models.ForeignKey(
        Store, models.CASCADE, related_name="lead_routes", verbose_name=_("store")
    )
    channel = models.ForeignKey(
        Source, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("channel")
    )
    model = models.CharField(_("intended model"), max_length=50, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("agent")
    )

    class Meta:
        ordering = ["store", "id"]
        verbose_name = _("lead route")
        verbose_name_plural = _("lead routes")

    def __str__(self) -> str:
        return f"{self.channel or self.model} → {self.agent}"
