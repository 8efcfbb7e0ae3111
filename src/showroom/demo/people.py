"""The people of a store's traffic: the consultants' skills, the cards of those whose contact
was kept, their grades and their planned returns. Every draw comes from the store's own
`random.Random`.

What follows the first contact (follow-ups, deals, owners, leads) is built on the traffic in
prospects.py, aftersales.py and store.py, through the hooks at the end of this class.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date

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
    DOWNGRADE,
    FIRST_GRADES,
    LATE_SKILL,
    LOSE_SKILL,
    PARTY_SIZES,
    RETURN_CHANCE,
    RETURN_DAYS,
    SIGN_ON_VISIT,
    UPGRADE,
    WALKIN_HOURS,
    WALKIN_SOURCES,
)
from showroom.organization.models import Staff, Store


class PeopleBuilder(BuilderBase):
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

    def _note(self) -> str:
        return self._one(names.NOTES) if self._chance(0.1) else ""

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
