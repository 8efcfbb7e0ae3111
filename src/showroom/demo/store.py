"""One store's day: the traffic, then leads, follow-ups, deals, deliveries and owners, and the
manager's evening review of some daily reports."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime

from showroom.customers.phones import normalize_phone
from showroom.demo import names
from showroom.demo.aftersales import AfterSalesBuilder
from showroom.demo.base import LOST, OUT, Consultant, weighted
from showroom.demo.bulk import Row
from showroom.demo.leads import LeadDesk
from showroom.demo.tables import (
    DAILY_REVIEW,
    LEAD_APPOINTMENT,
    LEAD_CHANNELS,
    LEAD_HOURS,
    LEAD_NEVER_CONTACTED,
    LEAD_SHOWS,
    LEAD_TO_DCC,
    LEADS_PER_DAY,
    MONTH_FACTOR,
)
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store

OPENING, CLOSING = dtime(9, 0), dtime(21, 0)
MEETING = dtime(19, 0)  # the evening meeting, where the manager reviews daily reports


@dataclass(slots=True, eq=False)
class _Show:
    """A lead who comes to the store on their appointment."""

    lead: Row
    digits: str
    female: bool
    consultant: Consultant | None
    appointment: Row | None = None


class StoreBuilder(AfterSalesBuilder, LeadDesk):
    """Everything generated for one store, in memory, ready for the bulk inserts."""

    def __init__(self, rng: random.Random, store: Store, staff: list[Staff]) -> None:
        super().__init__(rng, store, staff)
        self.tz = store.tz
        self.dcc_id = next((s.pk for s in staff if s.roles == Role.DCC), None)
        self.tables["lead_channel"] = weighted(LEAD_CHANNELS)
        self.tables["lead_hour"] = weighted(LEAD_HOURS)
        # Median minutes to the first contact of a lead in working hours: the DCC desk is
        # usually quicker than consultants on the floor.
        self.dcc_minutes = rng.uniform(8, 40)
        self.consultant_minutes = rng.uniform(30, 150)
        self.leads: list[Row] = []
        self._desk_init(rng)
        self.shows: dict[date, list[_Show]] = defaultdict(list)
        self.reviews: list[Row] = []

    def _day(self, day: date) -> None:
        super()._day(day)  # walk-ins, the visits and calls people planned, calls
        for show in self.shows.pop(day, ()):
            self._lead_visit(day, show)
        self._leads(day)
        for person in self.cancels.pop(day, ()):
            if self._happens(day):
                self._cancel(day, person)
        for person in self.reactivate.pop(day, ()):
            if person.status in (LOST, OUT) and self._happens(day):
                self._reactivate(day, person)
        self._follow_ups(day)
        self._deliveries(day)
        self._owner_day(day)
        self._met_in_service(day)
        self._reviews(day)

    # -- leads ----------------------------------------------------------------------------------

    def _leads(self, day: date) -> None:
        r = self.rng
        on_duty = self.on_duty[day.weekday()]
        for _ in range(self._poisson(LEADS_PER_DAY * self.size * MONTH_FACTOR[day.month])):
            at = dtime(self._pick("lead_hour"), r.randrange(60))
            if self._after_now(day, at):
                continue
            created = datetime.combine(day, at, tzinfo=self.tz)
            female = r.random() < 0.42
            x = r.random()
            if x < 0.7:
                name = names.person_name(r, female=female)
            else:
                name = names.polite_name(r) if x < 0.9 else ""
            digits = self._digits()
            phone = names.written_phone(r, digits)
            consultant = None
            if self.dcc_id is not None and r.random() < LEAD_TO_DCC:
                assigned = self.dcc_id
            else:
                consultant = self._one(on_duty)
                assigned = consultant.staff_id
            first = self._first_contact(created, quick=consultant is None)
            lead = Row(
                store_id=self.store_id,
                created_at=created,
                date=day,
                channel_id=self.sources[self._pick("lead_channel")],
                name=name,
                phone=phone,
                phone_norm=normalize_phone(phone),
                email=f"{digits[-9:]}@{self._one(names.EMAIL_DOMAINS)}" if x < 0.12 else "",
                model=self._model() if r.random() < 0.85 else "",
                assigned_to_id=assigned,
                first_contact_at=first,
                notes=self._one(names.LEAD_NOTES) if r.random() < 0.5 else "",
                appointment_date=None,
            )
            self.leads.append(lead)
            if first is not None and r.random() < LEAD_APPOINTMENT:
                lead.appointment_date = first.date() + timedelta(days=self._int(1, 6))
            self._work_lead(lead, first, assigned)
            if lead.appointment_date is None:
                continue
            # The appointment is with the consultant who had the lead, else one on duty.
            with_whom = consultant or self.desk_rng.choice(
                self.on_duty[lead.appointment_date.weekday()]
            )
            appointment = self._lead_book(lead, with_whom, assigned)
            if r.random() < LEAD_SHOWS:
                late = self._one((0, 0, 0, 0, 0, 0, 1, 1, 2, 3))  # within 3 days of the date
                show = lead.appointment_date + timedelta(days=late)
                if show <= self.last_day:
                    self.shows[show].append(_Show(lead, digits, female, consultant, appointment))

    def _first_contact(self, created: datetime, *, quick: bool) -> datetime | None:
        """When somebody first calls the lead back: minutes to hours in working hours, the
        next morning for leads of the night, or never."""
        r = self.rng
        if r.random() < LEAD_NEVER_CONTACTED:
            return None
        median = self.dcc_minutes if quick else self.consultant_minutes
        if OPENING <= created.time() < CLOSING:
            minutes = min(r.lognormvariate(math.log(median), 0.9), 3 * 24 * 60)
            # Systems record the second, not the microsecond: exports round-trip exactly.
            first = (created + timedelta(minutes=minutes)).replace(microsecond=0)
        else:
            morning = created.date() + timedelta(days=0 if created.time() < OPENING else 1)
            first = datetime.combine(morning, OPENING, tzinfo=self.tz)
            first += timedelta(minutes=self._int(0, 120))
        if not OPENING <= first.time() < CLOSING:  # called back the next morning
            morning = first.date() + timedelta(days=0 if first.time() < OPENING else 1)
            first = datetime.combine(morning, OPENING, tzinfo=self.tz)
            first += timedelta(minutes=self._int(0, 90))
        if first.date() > self.last_day or self._after_now(first.date(), first.time()):
            return None  # not yet
        return first

    def _lead_visit(self, day: date, show: _Show) -> None:
        r = self.rng
        arrived = self._time("walk_h")
        if self._after_now(day, arrived):
            return
        lead = show.lead
        consultant = show.consultant or self._one(self.on_duty[day.weekday()])
        grade = self._pick("grade")
        if grade == "C" and r.random() < 0.5:
            grade = "B"  # came on an appointment
        female = show.female
        name = lead.name if len(lead.name) > 1 and not lead.name.endswith(("先生", "女士")) else ""
        person = self._first_kept_visit(
            day,
            arrived,
            consultant,
            grade,
            name=name or names.person_name(r, female=female),
            phone=names.written_phone(r, show.digits),
            source=lead.channel_id,
            model=lead.model or self._model(),
            invited=True,
            gender="F" if female else "M",
        )
        lead.customer_id = person.customer.id
        self._lead_shown(show.appointment, person.customer.id, consultant.staff_id)

    # -- the evening meeting ------------------------------------------------------------------

    def _reviews(self, day: date) -> None:
        r = self.rng
        if day.weekday() == 6 or r.random() >= DAILY_REVIEW or self._after_now(day, MEETING):
            return
        on_duty = self.on_duty[day.weekday()]
        for consultant in r.sample(on_duty, min(len(on_duty), self._int(1, 3))):
            at = dtime(MEETING.hour, r.randrange(60))
            self.reviews.append(
                Row(
                    store_id=self.store_id,
                    consultant_id=consultant.staff_id,
                    date=day,
                    reviewed_by_id=self.manager_id,
                    reviewed_at=datetime.combine(day, at, tzinfo=self.tz),
                    comment=self._one(names.REVIEW_COMMENTS),
                )
            )
