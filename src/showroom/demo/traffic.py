"""A store's traffic registers, made up day by day: walk-ins, calls and the cards of the people
whose contact was kept. Every draw comes from the store's own `random.Random`."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime

from showroom.customers.choices import CustomerType
from showroom.customers.models import Source
from showroom.customers.phones import normalize_phone
from showroom.demo import names
from showroom.demo.bulk import Row
from showroom.organization.models import Staff, Store
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import stay_minutes

# Where walk-in parties say they heard of the store (SPEC §6.8 codes), and callers.
WALKIN_SOURCES = {
    "walk_by": 22,
    "internet": 22,
    "friend": 15,
    "owner_referral": 12,
    "oem": 6,
    "outdoor": 5,
    "media": 4,
    "exhibition": 4,
    "invitation": 3,
    "fleet": 2,
    "other": 5,
}
CALL_SOURCES = {
    "internet": 36,
    "oem": 20,
    "media": 10,
    "outdoor": 9,
    "friend": 8,
    "owner_referral": 6,
    "exhibition": 4,
    "fleet": 2,
    "other": 5,
}
# Monday … Sunday: weekends bring about twice a weekday's traffic.
WEEKDAY_FACTOR = (0.8, 0.75, 0.8, 0.85, 0.95, 1.55, 1.45)
# The Chinese car year: Spring Festival lull, busy "golden September, silver October" and December.
MONTH_FACTOR = {
    1: 1.05,
    2: 0.7,
    3: 1.0,
    4: 0.95,
    5: 1.0,
    6: 1.05,
    7: 0.9,
    8: 0.95,
    9: 1.1,
    10: 1.1,
    11: 1.05,
    12: 1.15,
}
# Arrival hour weights: late morning and afternoon peaks, little before 9:00 or after 18:00.
WALKIN_HOURS = {
    8: 0.4,
    9: 3,
    10: 8,
    11: 9.5,
    12: 4,
    13: 5,
    14: 8,
    15: 9.5,
    16: 8,
    17: 5,
    18: 2,
    19: 1,
    20: 0.4,
}
CALL_HOURS = {
    8: 1,
    9: 6,
    10: 9,
    11: 9,
    12: 5,
    13: 6,
    14: 9,
    15: 9,
    16: 8,
    17: 6,
    18: 3,
    19: 2,
    20: 1,
}
OPENS, CLOSES = dtime(8, 0), dtime(21, 0)
LAST_ARRIVAL_MINUTE = 30  # nobody walks in after 20:30

FIRST_GRADES = {"H": 10, "A": 20, "B": 35, "C": 35}
CALL_GRADES = {"A": 15, "B": 35, "C": 50}
# Stay in minutes by grade: (low, high, mode) of a triangular distribution.
STAY = {
    "O": (50, 150, 80),
    "H": (30, 120, 60),
    "A": (25, 90, 45),
    "B": (15, 70, 30),
    "C": (8, 45, 18),
    "": (3, 30, 10),
}
TEST_DRIVE_FACTOR = {"O": 1.2, "H": 1.6, "A": 1.3, "B": 0.9, "C": 0.45, "": 0.15}
QUOTE_FACTOR = {"O": 1.5, "H": 1.6, "A": 1.3, "B": 0.9, "C": 0.4, "": 0.2}
# Chance that a prospect comes back, and after how many days, by grade.
RETURN_CHANCE = {"H": 0.65, "A": 0.5, "B": 0.3, "C": 0.12, "O": 0.0}
RETURN_DAYS = {"H": (1, 7), "A": (3, 20), "B": (7, 40), "C": (14, 60), "O": (3, 10)}
UPGRADE = {"C": "B", "B": "A", "A": "H", "H": "O", "O": "O"}
DOWNGRADE = {"H": "A", "A": "B", "B": "C", "C": "C", "O": "O"}
PARTY_SIZES = {1: 42, 2: 36, 3: 15, 4: 5, 5: 2}


@dataclass
class _Consultant:
    staff: Staff
    keep_rate: float  # share of first-visit parties whose contact is kept
    test_drive_rate: float
    quote_rate: float
    invite_rate: float  # share of kept callers given an appointment
    day_off: int  # a weekday


@dataclass
class _Person:
    """Someone whose contact was kept: they may come back, call again, and have a card."""

    name: str
    phone: str
    source: int | None  # ids rather than instances: assigning these is most of the cost
    model: str
    consultant: _Consultant
    customer: Row  # the card
    grade: str
    visited: bool = False
    visit_planned: bool = False
    call_planned: bool = False


def _weighted(table: dict) -> tuple[list, list[float]]:  # type: ignore[type-arg]
    keys = list(table)
    cum, total = [], 0.0
    for key in keys:
        total += table[key]
        cum.append(total)
    return keys, cum


class TrafficBuilder:
    def __init__(self, rng: random.Random, store: Store, consultants: list[Staff]) -> None:
        self.rng = rng
        self.store = store
        self.size = rng.uniform(0.7, 1.4)  # how busy this store is
        self.sources = dict(Source.objects.filter(store__isnull=True).values_list("code", "id"))
        self.models = names.BRANDS.get(store.brand) or names.BRANDS[names.DEMO_BRAND]
        self.model_weights = [1 / (i + 1) ** 0.8 for i in range(len(self.models))]
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
        self.tables = {name: _weighted(table) for name, table in weights.items()}
        self.phones: set[str] = set()
        self.plans: dict[date, list[tuple[str, _Person]]] = defaultdict(list)
        self.customers: list[Row] = []
        self.walk_ins: list[Row] = []
        self.calls: list[Row] = []
        self.cards: dict[int, Row] = {}  # id() of a register row -> its person's card

    # -- drawing ------------------------------------------------------------------------------

    def _skills(self, staff: Staff) -> _Consultant:
        r = self.rng
        return _Consultant(
            staff=staff,
            keep_rate=r.uniform(0.4, 0.85),
            test_drive_rate=r.uniform(0.15, 0.5),
            quote_rate=r.uniform(0.3, 0.7),
            invite_rate=r.uniform(0.25, 0.6),
            day_off=staff.rotation_order % 5,
        )

    def _pick(self, table: str):  # type: ignore[no-untyped-def]
        keys, cum = self.tables[table]
        return self.rng.choices(keys, cum_weights=cum)[0]

    def _poisson(self, lam: float) -> int:
        if lam > 60:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def _time(self, table: str) -> dtime:
        hour = self._pick(table)
        minute = self.rng.randrange(LAST_ARRIVAL_MINUTE if hour == 20 else 60)
        return dtime(hour, minute)

    def _phone(self) -> str:
        while (digits := names.mobile(self.rng)) in self.phones:
            pass
        self.phones.add(digits)
        return names.written_phone(self.rng, digits)

    def _model(self) -> str:
        return self.rng.choices(self.models, weights=self.model_weights)[0]

    def _later(self, day: date, low: int, high: int) -> date:
        later = day + timedelta(days=self.rng.randint(low, high))
        if later.weekday() < 5 and self._chance(0.35):  # people come back at the weekend
            later += timedelta(days=5 - later.weekday() + self.rng.randrange(2))
        return later

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    # -- the days -----------------------------------------------------------------------------

    def run(self, start: date, end: date, until: datetime | None) -> None:
        day = start
        month_from = 0
        while day < end and (until is None or day <= until.date()):
            first_of_day = len(self.walk_ins)
            self._day(day)
            self._finish_day(day, first_of_day, until)
            day += timedelta(days=1)
            if day.day == 1:
                self._slips(self.walk_ins[month_from:])
                month_from = len(self.walk_ins)
        if month_from < len(self.walk_ins):
            self._slips(self.walk_ins[month_from:])

    def _day(self, day: date) -> None:
        busy = self.size * WEEKDAY_FACTOR[day.weekday()] * MONTH_FACTOR[day.month]
        on_duty = self.on_duty[day.weekday()]
        for _ in range(self._poisson(7.0 * busy)):
            self._first_visit(day, self.rng.choice(on_duty))
        for kind, person in self.plans.pop(day, []):
            if kind == "visit":
                person.visit_planned = False
                self._return_visit(day, person)
            else:
                person.call_planned = False
                self._call_again(day, person)
        for _ in range(self._poisson(4.5 * busy)):
            self._first_call(day, self.rng.choice(on_duty))

    def _new_person(
        self,
        day: date,
        name: str,
        phone: str,
        source: int | None,
        model: str,
        consultant: _Consultant,
        grade: str,
    ) -> _Person:
        customer = Row(
            store_id=self.store.pk,
            name=name,
            phone=phone,
            phone_norm=normalize_phone(phone),
            customer_type=CustomerType.PROSPECT,
            consultant_id=consultant.staff.pk,
            grade=grade,
            source_id=source,
            model=model,
            purchase_timeframe=names.PURCHASE_TIMEFRAMES[grade],
            created=day,
        )
        self.customers.append(customer)
        return _Person(name, phone, source, model, consultant, customer, grade)

    def _set_grade(self, person: _Person, grade: str) -> None:
        person.grade = grade
        person.customer.grade = grade
        person.customer.purchase_timeframe = names.PURCHASE_TIMEFRAMES[grade]

    def _plan(self, day: date, kind: str, person: _Person) -> None:
        self.plans[day].append((kind, person))
        if kind == "call":
            person.call_planned = True
        else:
            person.visit_planned = True

    def _plan_return(self, day: date, person: _Person, weight: float = 1.0) -> None:
        if not person.visit_planned and self._chance(RETURN_CHANCE[person.grade] * weight):
            self._plan(self._later(day, *RETURN_DAYS[person.grade]), "visit", person)
        if not person.call_planned and person.grade != "O" and self._chance(0.15):
            self._plan(self._later(day, 2, 25), "call", person)

    def _walk_in(
        self,
        day: date,
        consultant: _Consultant,
        grade: str,
        card: Row | None = None,
        **fields: object,
    ) -> Row:
        r = self.rng
        arrived = self._time("walk_h")
        test_drive = self._chance(min(0.95, consultant.test_drive_rate * TEST_DRIVE_FACTOR[grade]))
        quote_p = consultant.quote_rate * QUOTE_FACTOR[grade] * (1.3 if test_drive else 1.0)
        quoted = self._chance(min(0.95, quote_p))
        stay = round(r.triangular(*STAY[grade])) + (r.randint(15, 35) if test_drive else 0)
        minutes = min(arrived.hour * 60 + arrived.minute + stay, CLOSES.hour * 60)
        left = dtime(minutes // 60, minutes % 60)
        phone = str(fields.get("phone", ""))
        row = Row(
            store_id=self.store.pk,
            date=day,
            arrived_at=arrived,
            left_at=left,
            consultant_id=consultant.staff.pk,
            grade=grade,
            test_drive=test_drive,
            quoted=quoted,
            party_size=self._pick("party"),
            phone_norm=normalize_phone(phone),
            stay_minutes=stay_minutes(arrived, left),
            completed=True,
            **fields,
        )
        self.walk_ins.append(row)
        if card is not None:
            self.cards[id(row)] = card
        return row

    def _call(self, consultant: _Consultant, card: Row | None = None, **fields: object) -> None:
        phone = str(fields.get("phone", ""))
        row = Row(
            store_id=self.store.pk,
            consultant_id=consultant.staff.pk,
            phone_norm=normalize_phone(phone),
            completed=True,
            **fields,
        )
        self.calls.append(row)
        if card is not None:
            self.cards[id(row)] = card

    def _first_visit(self, day: date, consultant: _Consultant) -> None:
        r = self.rng
        code = self._pick("walk_src")
        source = self.sources.get(code)
        invited = code == "invitation"
        if self._chance(consultant.keep_rate):
            grade = self._pick("grade")
            if code in {"friend", "owner_referral"} and grade == "C":
                grade = "B"  # someone who was sent by a friend usually means it
            name, phone, model = names.person_name(r), self._phone(), self._model()
            person = self._new_person(day, name, phone, source, model, consultant, grade)
            person.visited = True
            self._walk_in(
                day,
                consultant,
                grade,
                visit_type=VisitType.FIRST,
                name=name,
                phone=phone,
                source_id=source,
                model=model,
                invited=invited,
                card=person.customer,
                contact_kept=True if self._chance(0.35) else None,
                notes=self._note(),
            )
            self._plan_return(day, person)
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

    def _next_grade(self, grade: str) -> str:
        r = self.rng.random()
        if grade == "H" and r < 0.35:
            return "O"  # signs on this visit
        if r < 0.45:
            return UPGRADE[grade] if grade != "H" else "H"
        if r < 0.55:
            return DOWNGRADE[grade]
        return grade

    def _return_visit(self, day: date, person: _Person) -> None:
        """A known person walks in: first visit after a call (invited), or a repeat visit."""
        first = not person.visited
        grade = self._next_grade(person.grade) if not first else person.grade
        if first and grade == "C" and self._chance(0.5):
            grade = "B"  # coming in after a call shows intent
        self._set_grade(person, grade)
        self._walk_in(
            day,
            person.consultant,
            grade,
            visit_type=VisitType.FIRST if first else VisitType.REPEAT,
            name=person.name,
            phone=person.phone,
            source_id=person.source,
            model=person.model,
            invited=first or self._chance(0.55),
            card=person.customer,
            contact_kept=True if self._chance(0.3) else None,
        )
        person.visited = True
        if grade != "O":
            self._plan_return(day, person, weight=0.7)

    def _first_call(self, day: date, consultant: _Consultant) -> None:
        r = self.rng
        source = self.sources.get(self._pick("call_src"))
        called_at = self._time("call_h")
        if not self._chance(min(0.95, consultant.keep_rate + 0.05)):
            name = names.polite_name(r) if self._chance(0.5) else ""
            self._call(
                consultant,
                date=day,
                called_at=called_at,
                call_type=CallType.FIRST,
                name=name,
                source_id=source,
                model=self._model() if self._chance(0.5) else "",
                contact_kept=None if self._chance(0.6) else False,
            )
            return
        grade = self._pick("call_grade")
        name, phone, model = names.person_name(r), self._phone(), self._model()
        person = self._new_person(day, name, phone, source, model, consultant, grade)
        appointment = None
        if self._chance(consultant.invite_rate):
            appointment = self._later(day, 1, 10)
            if self._chance(0.6):  # shows up, mostly on the day agreed
                show = appointment
                if self._chance(0.15):
                    show += timedelta(days=r.randint(1, 3))
                self._plan(show, "visit", person)
        self._call(
            consultant,
            person.customer,
            date=day,
            called_at=called_at,
            call_type=CallType.FIRST,
            name=name,
            phone=phone,
            source_id=source,
            model=model,
            contact_kept=True if self._chance(0.3) else None,
            appointment_date=appointment,
            grade=grade,
        )
        if not person.visit_planned and self._chance(0.12):
            self._plan(self._later(day, 3, 20), "call", person)

    def _call_again(self, day: date, person: _Person) -> None:
        appointment = None
        if not person.visit_planned and person.grade != "O" and self._chance(0.4):
            appointment = self._later(day, 1, 7)
            if self._chance(0.7):
                self._plan(appointment, "visit", person)
        self._call(
            person.consultant,
            person.customer,
            date=day,
            called_at=self._time("call_h"),
            call_type=CallType.REPEAT,
            name=person.name,
            phone=person.phone,
            source_id=person.source,
            model=person.model,
            contact_kept=None,
            appointment_date=appointment,
            grade=person.grade,
        )

    def _note(self) -> str:
        return self.rng.choice(names.NOTES) if self._chance(0.1) else ""

    def _finish_day(self, day: date, first: int, until: datetime | None) -> None:
        """Hand cards in order of arrival; on the cut-off day, only what has happened by then."""
        rows = self.walk_ins[first:]
        rows.sort(key=lambda row: row.arrived_at)
        if until is not None and day == until.date():
            now = until.time().replace(tzinfo=None)
            rows = [row for row in rows if row.arrived_at <= now]
            for row in rows:
                if row.left_at is not None and row.left_at > now:
                    row.left_at = row.stay_minutes = None  # still in the showroom
                    row.completed = False
                    row.grade = ""
            self.calls[:] = [c for c in self.calls if c.date < day or c.called_at <= now]
            recent = (datetime.combine(day, now) - timedelta(minutes=30)).time()
            for call in self.calls:
                if call.date == day and call.called_at > recent:
                    call.completed = False  # the consultant has not got round to it yet
            # Cards of people whose first contact would only come later today go too.
            seen = {id(self.cards.get(id(row))) for row in [*rows, *self.calls] if row.date == day}
            self.customers[:] = [c for c in self.customers if c.created < day or id(c) in seen]
        for number, row in enumerate(rows, start=1):
            row.hand_card = f"{day:%m%d}-{number:02d}"
        self.walk_ins[first:] = rows

    def _slips(self, month: list[Row]) -> None:
        """The data-quality slips of a real month, for the cross-check to find (SPEC §4.5)."""
        r = self.rng
        kept_first = [
            w
            for w in month
            if w.completed and w.visit_type == VisitType.FIRST and id(w) in self.cards
        ]
        if len(kept_first) < 10:
            return
        for row in r.sample(kept_first, r.randint(1, 4)):
            row.grade = ""  # missing_grade
        for row in r.sample(kept_first, r.randint(1, 3)):
            row.model = ""  # missing_model
        high = [w for w in kept_first if w.grade in {"H", "A"} and w.left_at is not None]
        if high and self._chance(0.5):
            row = r.choice(high)  # short_stay_high_grade
            minutes = row.arrived_at.hour * 60 + row.arrived_at.minute + r.randint(5, 12)
            row.left_at = dtime(minutes // 60, minutes % 60)
            row.stay_minutes = stay_minutes(row.arrived_at, row.left_at)
        if self._chance(0.3):
            row = r.choice(month)  # duplicate_hand_card: the same card handed out twice a day
            same_day = [w for w in month if w.date == row.date and w is not row]
            if same_day:
                r.choice(same_day).hand_card = row.hand_card
        anonymous = [w for w in month if w.completed and not w.phone]
        if anonymous and self._chance(0.3):
            r.choice(anonymous).contact_kept = True  # kept_without_phone
