"""A store's walk-in register, made up visit by visit: first visits (kept or not), return
visits, the cards handed out and the month's data-quality slips.
"""

from __future__ import annotations

from datetime import date
from datetime import time as dtime

from showroom.customers.phones import normalize_phone
from showroom.demo import names
from showroom.demo.base import Consultant, Person
from showroom.demo.bulk import Row
from showroom.demo.people import PeopleBuilder
from showroom.demo.tables import CLOSES, QUOTE_FACTOR, SIGN_ON_VISIT, STAY, TEST_DRIVE_FACTOR
from showroom.traffic.choices import VisitType
from showroom.traffic.models import stay_minutes


class WalkInBuilder(PeopleBuilder):
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

    def _finish_day(self, first: int) -> None:
        """Hand cards in order of arrival."""
        rows = self.walk_ins[first:]
        rows.sort(key=lambda row: row.arrived_at)
        for number, row in enumerate(rows, start=1):
            row.hand_card = f"{row.date:%m%d}-{number:02d}"
        self.walk_ins[first:] = rows

    def _slips(self, month: list[Row]) -> None:
        """The data-quality slips of a real month, for the data cross-check to find."""
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
