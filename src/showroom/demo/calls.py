"""A store's call register, made up call by call: first calls and calls back, with the
appointments they make.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dtime

from showroom.customers.phones import normalize_phone
from showroom.demo import names
from showroom.demo.base import Consultant, Person
from showroom.demo.bulk import Row
from showroom.demo.people import PeopleBuilder
from showroom.traffic.choices import CallType


class CallBuilder(PeopleBuilder):
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
