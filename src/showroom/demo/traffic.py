"""A store's traffic registers, made up day by day: walk-ins, calls and the cards of the people
whose contact was kept. Every draw comes from the store's own `random.Random`.

What follows the first contact (follow-ups, deals, owners, leads) is built on this class in
prospects.py, aftersales.py and store.py, through the hooks at the end of it.

Data end at a cut-off (the last day, and on it the time `until` if given): whatever would
happen later is never made, rather than made and removed, so that nothing refers to it.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime

from showroom.customers.choices import CustomerType
from showroom.customers.phones import normalize_phone
from showroom.demo import names
from showroom.demo.base import OPEN, BuilderBase, Consultant, Person, weighted
from showroom.demo.bulk import Row
from showroom.demo.tables import (
    CALL_GRADES,
    CALL_HOURS,
    CALL_SOURCES,
    CLOSE_SKILL,
    CLOSES,
    DOWNGRADE,
    FIRST_GRADES,
    LATE_SKILL,
    LOSE_SKILL,
    MONTH_FACTOR,
    PARTY_SIZES,
    QUOTE_FACTOR,
    RETURN_CHANCE,
    RETURN_DAYS,
    SIGN_ON_VISIT,
    STAY,
    TEST_DRIVE_FACTOR,
    UPGRADE,
    WALKIN_HOURS,
    WALKIN_SOURCES,
    WEEKDAY_FACTOR,
)
from showroom.organization.models import Staff, Store
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import stay_minutes


class TrafficBuilder(BuilderBase):
    def __init__(self, rng: random.Random, store: Store, consultants: list[Staff]) -> None:
        super().__init__(rng, store)
        self.consultants = [self._skills(s) for s in consultants]
        if len(self.consultants) >= 6 and rng.random() < 0.3:
            self.consultants[-1].keep_rate = rng.uniform(0.2, 0.3)  # a new hire who keeps few
        self.on_duty = [
            [c for c in self.consultants if c.day_off != wd or len(self.consultants) < 3]
            for wd in range(7)
        ]
        weights: dict[str, dict] = {  # type: ignore[type-arg]
            "walk_src": WALKIN_SOURCES,
            "call_src": CALL_SOURCES,
            "walk_h": WALKIN_HOURS,
            "call_h": CALL_HOURS,
            "grade": FIRST_GRADES,
            "call_grade": CALL_GRADES,
            "party": PARTY_SIZES,
        }
        self.tables.update({name: weighted(table) for name, table in weights.items()})
        self.plans: dict[date, list[tuple[str, Person]]] = defaultdict(list)
        self.customers: list[Row] = []
        self.walk_ins: list[Row] = []
        self.calls: list[Row] = []

    def _skills(self, staff: Staff) -> Consultant:
        r = self.rng
        return Consultant(
            staff=staff,
            staff_id=staff.pk,
            keep_rate=r.uniform(0.4, 0.85),
            test_drive_rate=r.uniform(0.15, 0.5),
            quote_rate=r.uniform(0.3, 0.7),
            invite_rate=r.uniform(0.25, 0.6),
            day_off=staff.rotation_order % 5,
            close=r.uniform(*CLOSE_SKILL),
            late=r.uniform(*LATE_SKILL),
            lose=r.uniform(*LOSE_SKILL),
        )

    # -- the days -----------------------------------------------------------------------------

    def run(self, start: date, end: date, until: datetime | None) -> None:
        self.last_day = end - timedelta(days=1)
        if until is not None and until.date() <= self.last_day:
            self.last_day = until.date()
            self.now = until.time().replace(tzinfo=None)
            minutes = self.now.hour * 60 + self.now.minute
            self.day_share = min(1.0, max(0.0, (minutes - 9 * 60) / (9 * 60)))
        day = start
        month_from = 0
        while day <= self.last_day:
            first_of_day = len(self.walk_ins)
            self._day(day)
            self._finish_day(first_of_day)
            day += timedelta(days=1)
            if day.day == 1:
                self._slips(self.walk_ins[month_from:])
                month_from = len(self.walk_ins)
        if month_from < len(self.walk_ins):
            self._slips(self.walk_ins[month_from:])

    def _busy(self, day: date) -> float:
        return self.size * WEEKDAY_FACTOR[day.weekday()] * MONTH_FACTOR[day.month]

    def _day(self, day: date) -> None:
        busy = self._busy(day)
        on_duty = self.on_duty[day.weekday()]
        for _ in range(self._poisson(7.0 * busy)):
            self._first_visit(day, self._one(on_duty))
        for kind, person in self.plans.pop(day, []):
            if kind == "call":
                person.call_planned = False
                if person.status == OPEN:
                    self._call_again(day, person)
            else:
                person.visit_planned = False
                if person.status == OPEN:
                    self._return_visit(day, person, kind)
        for _ in range(self._poisson(4.5 * busy)):
            self._first_call(day, self._one(on_duty))

    def _new_person(
        self,
        day: date,
        name: str,
        phone: str,
        source: int | None,
        model: str,
        consultant: Consultant,
        grade: str,
        gender: str,
    ) -> Person:
        customer = Row(
            id=self.customer_ids.take(),
            store_id=self.store_id,
            name=name,
            phone=phone,
            phone_norm=normalize_phone(phone),
            customer_type=CustomerType.PROSPECT,
            consultant_id=consultant.staff_id,
            grade=grade,
            source_id=source,
            model=model,
            purchase_timeframe=names.PURCHASE_TIMEFRAMES[grade],
            created=day,
            gender=gender,
        )
        self.customers.append(customer)
        person = Person(name, phone, source, model, consultant, customer, grade)
        self._card_made(person, day)
        return person

    def _set_grade(self, person: Person, grade: str, day: date) -> None:
        if grade == person.grade:
            return
        old = person.grade
        person.grade = grade
        person.customer.grade = grade
        person.customer.purchase_timeframe = names.PURCHASE_TIMEFRAMES[grade]
        self._grade_changed(person, old, grade, day)

    def _plan(self, day: date, kind: str, person: Person) -> None:
        if day > self.last_day:
            return
        self.plans[day].append((kind, person))
        if kind == "call":
            person.call_planned = True
        else:
            person.visit_planned = True

    def _plan_return(self, day: date, person: Person, weight: float = 1.0) -> None:
        if person.status != OPEN:
            return
        if not person.visit_planned and self._chance(RETURN_CHANCE[person.grade] * weight):
            self._plan(self._later(day, *RETURN_DAYS[person.grade]), "visit", person)
        if not person.call_planned and self._chance(0.15):
            self._plan(self._later(day, 2, 25), "call", person)

    def _walk_in(
        self,
        day: date,
        arrived: dtime,
        consultant: Consultant,
        grade: str,
        card: Row | None = None,
        **fields: object,
    ) -> Row:
        r = self.rng
        # Test drives and quotes go on the customer's record, so only a party that left its
        # contact gets them here.
        test_drive = quoted = False
        if card is not None:
            drive_p = consultant.test_drive_rate * TEST_DRIVE_FACTOR[grade]
            test_drive = r.random() < min(0.95, drive_p)
            quote_p = consultant.quote_rate * QUOTE_FACTOR[grade] * (1.3 if test_drive else 1.0)
            quoted = r.random() < min(0.95, quote_p)
        stay = round(r.triangular(*STAY[grade])) + (self._int(15, 35) if test_drive else 0)
        minutes = min(arrived.hour * 60 + arrived.minute + stay, CLOSES.hour * 60)
        left: dtime | None = dtime(minutes // 60, minutes % 60)
        completed = True
        if self._after_now(day, left):  # type: ignore[arg-type]
            left, completed, grade = None, False, ""  # still in the showroom
            test_drive = quoted = False
        phone = str(fields.get("phone", ""))
        row = Row(
            store_id=self.store_id,
            date=day,
            arrived_at=arrived,
            left_at=left,
            consultant_id=consultant.staff_id,
            grade=grade,
            test_drive=test_drive,
            quoted=quoted,
            party_size=self._pick("party"),
            phone_norm=normalize_phone(phone),
            stay_minutes=stay_minutes(arrived, left),
            completed=completed,
            customer_id=card.id if card is not None else None,
            **fields,
        )
        self.walk_ins.append(row)
        return row

    def _call(
        self,
        day: date,
        called_at: dtime,
        consultant: Consultant,
        card: Row | None,
        **fields: object,
    ) -> Row:
        phone = str(fields.get("phone", ""))
        # The last half hour's calls before the cut-off still wait for the consultant.
        recent = self.now is not None and day == self.last_day
        if recent:
            cutoff = datetime.combine(day, self.now) - timedelta(minutes=30)  # type: ignore[arg-type]
            recent = called_at > cutoff.time()
        row = Row(
            store_id=self.store_id,
            date=day,
            called_at=called_at,
            consultant_id=consultant.staff_id,
            phone_norm=normalize_phone(phone),
            completed=not recent,
            customer_id=card.id if card is not None else None,
            **fields,
        )
        self.calls.append(row)
        return row

    def _first_visit(self, day: date, consultant: Consultant) -> None:
        r = self.rng
        arrived = self._time("walk_h")
        if self._after_now(day, arrived):
            return
        code = self._pick("walk_src")
        source = self.sources.get(code)
        invited = code == "invitation"
        if self._chance(consultant.keep_rate):
            grade = self._pick("grade")
            if code in {"friend", "owner_referral"} and grade == "C":
                grade = "B"  # someone who was sent by a friend usually means it
            female = self._chance(0.42)
            name = names.person_name(r, female=female)
            person = self._first_kept_visit(
                day,
                arrived,
                consultant,
                grade,
                name=name,
                phone=self._phone(),
                source=source,
                model=self._model(),
                invited=invited,
                gender="F" if female else "M",
                notes=self._note(),
            )
            if code == "owner_referral":
                person.customer.referred_by_id = self._referrer()
            return
        # Contact not kept: an anonymous party, a surname only, or a number with a "no".
        kind = r.random()
        name = phone = ""
        kept: bool | None = None if self._chance(0.6) else False
        if kind >= 0.55:
            name = names.polite_name(r)
        if kind >= 0.85:
            name, phone, kept = names.person_name(r), self._phone(), False
        grade = "C" if self._chance(0.25) else ""
        self._walk_in(
            day,
            arrived,
            consultant,
            grade,
            visit_type=VisitType.FIRST,
            name=name,
            phone=phone,
            source_id=source,
            model=self._model() if self._chance(0.6) else "",
            invited=invited,
            contact_kept=kept,
        )

    def _first_kept_visit(
        self,
        day: date,
        arrived: dtime,
        consultant: Consultant,
        grade: str,
        *,
        name: str,
        phone: str,
        source: int | None,
        model: str,
        invited: bool,
        gender: str,
        notes: str = "",
    ) -> Person:
        """A new person's first visit, who leaves a contact: a card, and maybe even a deal."""
        person = self._new_person(day, name, phone, source, model, consultant, grade, gender)
        person.visited = True
        after = grade
        if self._chance(SIGN_ON_VISIT["first"].get(grade, 0.0) * consultant.close):
            after = "O"
        row = self._walk_in(
            day,
            arrived,
            consultant,
            after,
            person.customer,
            visit_type=VisitType.FIRST,
            name=name,
            phone=phone,
            source_id=source,
            model=model,
            invited=invited,
            contact_kept=True if self._chance(0.35) else None,
            notes=notes,
        )
        if row.completed:
            self._set_grade(person, after, day)
            self._visited(person, row, grade, True)
        self._plan_return(day, person)
        return person

    def _next_grade(self, person: Person, kind: str) -> str:
        grade, close = person.grade, person.consultant.close
        if self._chance(SIGN_ON_VISIT[kind].get(grade, 0.0) * close):
            return "O"  # signs on this visit
        r = self.rng.random()
        up = 0.4 * math.sqrt(close)
        if r < up:
            return UPGRADE[grade] if grade != "H" else "H"
        if r < up + 0.1:
            return DOWNGRADE[grade]
        return grade

    def _return_visit(self, day: date, person: Person, kind: str) -> None:
        """A known person walks in: first visit after a call (invited), or a repeat visit."""
        arrived = self._time("walk_h")
        if self._after_now(day, arrived):
            return
        first = not person.visited
        old = person.grade
        grade = self._next_grade(person, "first" if first else kind)
        if first and grade == "C" and self._chance(0.5):
            grade = "B"  # coming in after a call shows intent
        row = self._walk_in(
            day,
            arrived,
            person.consultant,
            grade,
            person.customer,
            visit_type=VisitType.FIRST if first else VisitType.REPEAT,
            name=person.name,
            phone=person.phone,
            source_id=person.source,
            model=person.model,
            invited=first or kind != "visit" or self._chance(0.35),
            contact_kept=True if self._chance(0.3) else None,
        )
        person.visited = True
        if row.completed:
            self._set_grade(person, grade, day)
            self._visited(person, row, old, False)
        self._plan_return(day, person, weight=0.7)

    def _first_call(self, day: date, consultant: Consultant) -> None:
        r = self.rng
        called_at = self._time("call_h")
        if self._after_now(day, called_at):
            return
        code = self._pick("call_src")
        source = self.sources.get(code)
        if not self._chance(min(0.95, consultant.keep_rate + 0.05)):
            name = names.polite_name(r) if self._chance(0.5) else ""
            self._call(
                day,
                called_at,
                consultant,
                None,
                call_type=CallType.FIRST,
                name=name,
                source_id=source,
                model=self._model() if self._chance(0.5) else "",
                contact_kept=None if self._chance(0.6) else False,
            )
            return
        grade = self._pick("call_grade")
        female = self._chance(0.42)
        name, phone, model = names.person_name(r, female=female), self._phone(), self._model()
        person = self._new_person(
            day, name, phone, source, model, consultant, grade, "F" if female else "M"
        )
        if code == "owner_referral":
            person.customer.referred_by_id = self._referrer()
        appointment = None
        if self._chance(consultant.invite_rate):
            appointment = self._later(day, 1, 10)
            if self._chance(0.6):  # shows up, mostly on the day agreed
                show = appointment
                if self._chance(0.15):
                    show += timedelta(days=self._int(1, 3))
                self._plan(show, "visit", person)
        row = self._call(
            day,
            called_at,
            consultant,
            person.customer,
            call_type=CallType.FIRST,
            name=name,
            phone=phone,
            source_id=source,
            model=model,
            contact_kept=True if self._chance(0.3) else None,
            appointment_date=appointment,
            grade=grade,
        )
        if row.completed:
            self._called(person, row, True)
        if not person.visit_planned and self._chance(0.12):
            self._plan(self._later(day, 3, 20), "call", person)

    def _call_again(self, day: date, person: Person) -> None:
        called_at = self._time("call_h")
        if self._after_now(day, called_at):
            return
        appointment = None
        if not person.visit_planned and self._chance(0.4):
            appointment = self._later(day, 1, 7)
            if self._chance(0.7):
                self._plan(appointment, "visit", person)
        row = self._call(
            day,
            called_at,
            person.consultant,
            person.customer,
            call_type=CallType.REPEAT,
            name=person.name,
            phone=person.phone,
            source_id=person.source,
            model=person.model,
            contact_kept=None,
            appointment_date=appointment,
            grade=person.grade,
        )
        if row.completed:
            self._called(person, row, False)

    def _note(self) -> str:
        return self._one(names.NOTES) if self._chance(0.1) else ""

    def _finish_day(self, first: int) -> None:
        """Hand cards in order of arrival."""
        rows = self.walk_ins[first:]
        rows.sort(key=lambda row: row.arrived_at)
        for number, row in enumerate(rows, start=1):
            row.hand_card = f"{row.date:%m%d}-{number:02d}"
        self.walk_ins[first:] = rows

    def _slips(self, month: list[Row]) -> None:
        """The data-quality slips of a real month, for the cross-check to find."""
        r = self.rng
        kept_first = [
            w
            for w in month
            if w.completed and w.visit_type == VisitType.FIRST and w.customer_id is not None
        ]
        if len(kept_first) < 10:
            return
        for row in r.sample(kept_first, self._int(1, 4)):
            row.grade = ""  # missing_grade
        for row in r.sample(kept_first, self._int(1, 3)):
            row.model = ""  # missing_model
        high = [w for w in kept_first if w.grade in {"H", "A"} and w.left_at is not None]
        if high and self._chance(0.5):
            row = self._one(high)  # short_stay_high_grade
            minutes = row.arrived_at.hour * 60 + row.arrived_at.minute + self._int(5, 12)
            row.left_at = dtime(minutes // 60, minutes % 60)
            row.stay_minutes = stay_minutes(row.arrived_at, row.left_at)
        if self._chance(0.3):
            row = self._one(month)  # duplicate_hand_card: the same card handed out twice a day
            same_day = [w for w in month if w.date == row.date and w is not row]
            if same_day:
                self._one(same_day).hand_card = row.hand_card
        anonymous = [w for w in month if w.completed and not w.phone]
        if anonymous and self._chance(0.3):
            self._one(anonymous).contact_kept = True  # kept_without_phone

    # -- hooks for what follows the traffic (prospects.py and on) ------------------------------

    def _card_made(self, person: Person, day: date) -> None:
        """A new card, with its first grade."""

    def _grade_changed(self, person: Person, old: str, new: str, day: date) -> None:
        """The grade of a card moved (also from nothing to its first grade)."""

    def _visited(self, person: Person, row: Row, old: str, new_card: bool) -> None:
        """A completed walk-in of a person with a card; `old` is the grade before it."""

    def _called(self, person: Person, row: Row, new_card: bool) -> None:
        """A completed call of a person with a card."""

    def _referrer(self) -> int | None:
        """The card of an owner who sent a new customer, if there is one."""
        return None
