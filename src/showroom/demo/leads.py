"""The lead desk of a generated store: each lead worked the way a DCC agent works one — calls
and messages until the person is reached (the first one is the first contact), an appointment
booked for a day and hour with a consultant, shown or not, and leads closed with a reason.

It draws from its own random stream, so that the rest of the store's data does not depend on
how many calls a lead took.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from showroom.demo.base import Consultant
from showroom.demo.bulk import IdPool, Row
from showroom.traffic.models import Lead

# Of leads that are called back: calls that miss before one gets through (the last share:
# never reached, closed after the third miss).
MISSES = {0: 0.62, 1: 0.22, 2: 0.09, 3: 0.07}
MESSAGE = 0.25  # a miss is followed by a text or WeChat message
TEST_DRIVE = 0.4  # of appointments
CLOSE_UNBOOKED = 0.55  # contacted, no appointment: closed within two weeks
CLOSE_REASONS = {"not_interested": 50, "bought_elsewhere": 30, "duplicate": 12, "invalid_number": 8}
NEXT_STEPS = ["约到店看车", "发送报价", "明天再联系", "发车型资料", "周末到店", "约试驾"]


class LeadDesk:
    """Mixed into the store builder: the lead contacts and appointments of its leads."""

    store_id: int
    tz: ZoneInfo
    last_day: date
    now: dtime | None

    def _desk_init(self, rng: random.Random) -> None:
        # Seeded from the store's stream without drawing from it.
        self.desk_rng = random.Random(repr(rng.getstate()[1][:8]))
        self.lead_ids = IdPool(Lead)
        self.lead_contacts: list[Row] = []
        self.appointments: list[Row] = []

    def _desk_happened(self, moment: datetime) -> bool:
        day = moment.date()
        if day != self.last_day:
            return day < self.last_day
        return self.now is None or moment.time() <= self.now

    def _work_lead(self, lead: Row, first: datetime | None, by: int) -> None:
        """The calls of a lead from its first contact on; a lead nobody ever calls is closed as
        a duplicate or a wrong number a few days later (the escalation list keeps the recent)."""
        r = self.desk_rng
        lead.id = self.lead_ids.take()
        lead.assigned_at = lead.created_at
        if first is None:
            closed = lead.created_at + timedelta(days=r.randint(2, 5))
            if self._desk_happened(closed):
                lead.closed_at = closed
                lead.closed_reason = r.choice(["duplicate", "invalid_number"])
            return
        booked = lead.appointment_date
        misses = r.choices(list(MISSES), weights=list(MISSES.values()))[0]
        if booked is not None:
            misses = min(misses, 2)  # a lead with an appointment was reached
        at = first
        for i in range(misses):
            if not self._desk_happened(at):
                return
            self._lead_contact(lead, at, by, "no_answer", "再拨" if i < 2 else "")
            if r.random() < MESSAGE:
                sent = at + timedelta(minutes=r.randint(1, 5))
                if self._desk_happened(sent):
                    self._lead_contact(lead, sent, by, "message", "", medium="message")
            again = at + timedelta(hours=r.choice([2, 3, 4, 20, 24]))
            if booked is not None and again.date() >= booked:
                again = at + timedelta(minutes=r.randint(10, 40))  # tried again at once
            at = again
        if misses == 3:  # never reached: closed after the third miss
            if self._desk_happened(at):
                lead.closed_at = at.replace(microsecond=0)
                lead.closed_reason = "no_answer"
            return
        if not self._desk_happened(at):
            return
        self._lead_contact(lead, at, by, "reached", r.choice(NEXT_STEPS))
        if booked is None and r.random() < CLOSE_UNBOOKED:
            closed = at + timedelta(days=r.randint(1, 14))
            if self._desk_happened(closed):
                lead.closed_at = closed.replace(microsecond=0)
                reasons = list(CLOSE_REASONS)
                lead.closed_reason = r.choices(reasons, weights=list(CLOSE_REASONS.values()))[0]

    def _lead_contact(
        self, lead: Row, at: datetime, by: int, outcome: str, step: str, *, medium: str = "call"
    ) -> None:
        self.lead_contacts.append(
            Row(
                lead_id=lead.id,
                at=at.replace(microsecond=0),
                by_id=by,
                medium=medium,
                outcome=outcome,
                next_step=step,
            )
        )

    def _lead_book(self, lead: Row, consultant: Consultant, by: int) -> Row:
        """The lead's appointment on its appointment date: a no-show until the person comes
        (still booked while the day has not passed)."""
        r = self.desk_rng
        day = lead.appointment_date
        starts = datetime.combine(day, dtime(r.randint(10, 17), r.choice([0, 30])), self.tz)
        appointment = Row(
            store_id=self.store_id,
            lead_id=lead.id,
            customer_id=lead.customer_id if hasattr(lead, "customer_id") else None,
            name=lead.name,
            phone=lead.phone,
            consultant_id=consultant.staff_id,
            booked_by_id=by,
            starts_at=starts,
            date=day,
            purpose="test_drive" if r.random() < TEST_DRIVE else "visit",
            status="no_show" if day < self.last_day else "booked",
        )
        self.appointments.append(appointment)
        return appointment

    def _lead_shown(self, appointment: Row | None, customer_id: int, consultant_id: int) -> None:
        """The person came: received by whoever was free, the booked consultant or not."""
        if appointment is not None:
            appointment.status = "shown"
            appointment.customer_id = customer_id
            appointment.consultant_id = consultant_id
