"""Deliveries and owners: value-added items, ceremonies, the 3-day call and 7-day letter, owners'
vehicles, their visits back to the workshop, care contacts, and owners met through after-sales
without a sale here."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from showroom.customers.choices import CustomerType, OwnerKind
from showroom.customers.phones import normalize_phone
from showroom.demo import names
from showroom.demo.base import ORDERED, OWNER, Person, Share, weighted
from showroom.demo.bulk import IdPool, Row
from showroom.demo.prospects import DELIVERY, MANAGEMENT, ProspectBuilder
from showroom.demo.tables import (
    ACCESSORIES,
    AMOUNTS,
    CALL_3DAY,
    CEREMONY,
    CHURN_PER_VISIT,
    EXTENDED_WARRANTY,
    EXTRA_VISITS,
    FIRST_SERVICE_DAYS,
    INSURANCE,
    LETTER_7DAY,
    NEVER_BACK,
    OTHER_BRAND_OWNER,
    OWNERS_MET_IN_SERVICE,
    SERVICE_DAYS,
    SERVICE_REMINDER,
    VIP,
)
from showroom.organization.models import Staff, Store
from showroom.owners.choices import ServiceKind
from showroom.owners.models import Vehicle
from showroom.sales.choices import ActivityKind

VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q (ISO 3779)
VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True))}
VIN_VALUES |= dict(zip("JKLMN", range(1, 6), strict=True)) | {"P": 7, "R": 9}
VIN_VALUES |= dict(zip("STUVWXYZ", range(2, 10), strict=True))
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # model years from 2010, repeating every 30
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
# What brings an owner met through after-sales to the workshop the first time.
MET_IN_SERVICE = {
    OwnerKind.OWN_BRAND_ELSEWHERE: {"maintenance": 55, "repair": 25, "accident": 12, "warranty": 8},
    OwnerKind.OTHER_BRAND: {"accident": 55, "repair": 35, "maintenance": 10},
}
MAINTENANCE = ServiceKind.MAINTENANCE.value
OWNER_CARE = ActivityKind.OWNER_CARE.value


@dataclass(slots=True, eq=False)
class _Owner:
    card: Row
    vehicle: Row
    consultant_id: int
    visits: int  # maintenance visits still to come before they stop coming back
    first: bool = True  # the next maintenance is the first one (首保, free)


def vin(rng: random.Random, wmi: str, year: int) -> str:
    """A VIN with a valid check digit (position 9)."""
    vds = "".join(rng.choices(VIN_CHARS, k=6))
    body = f"{wmi}{vds[:5]}0{YEAR_CODES[(year - 2010) % 30]}{vds[5]}{rng.randrange(10**6):06d}"
    total = sum(VIN_VALUES[ch] * w for ch, w in zip(body, VIN_WEIGHTS, strict=True))
    check = total % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class AfterSalesBuilder(ProspectBuilder):
    def __init__(self, rng: random.Random, store: Store, staff: list[Staff]) -> None:
        super().__init__(rng, store, staff)
        self.vehicles: list[Row] = []
        self.service_visits: list[Row] = []
        self.vehicle_ids = IdPool(Vehicle)
        self.owner_events: dict[date, list[tuple[str, _Owner]]] = defaultdict(list)
        self.owner_cards: list[int] = []  # owners of cars sold here, who may send new buyers
        self.insurance = Share(rng, rng.uniform(*INSURANCE))
        self.accessories = Share(rng, rng.uniform(*ACCESSORIES))
        self.extended_warranty = Share(rng, rng.uniform(*EXTENDED_WARRANTY))
        self.ceremony = Share(rng, CEREMONY)
        self.plates = names.PLATES[self.city]
        self.advisors = rng.sample(names.SERVICE_ADVISORS, 3)
        self.wmi = names.WMI.get(store.brand, "LZZ")
        self.new_energy = store.brand in names.NEW_ENERGY_BRANDS
        for kind, table in MET_IN_SERVICE.items():
            self.tables[f"met:{kind}"] = weighted(table)

    def _referrer(self) -> int | None:
        return self._one(self.owner_cards) if self.owner_cards else None

    # -- delivery -------------------------------------------------------------------------------

    def _deliveries(self, day: date) -> None:
        for person in self.deliveries.pop(day, ()):
            if person.status == ORDERED and self._happens(day):
                self._deliver(day, person)

    def _deliver(self, day: date, person: Person) -> None:
        r = self.rng
        order = person.order
        assert order is not None
        order.delivery_date = day
        order.vin = vin(r, self.wmi, day.year)
        order.ceremony = self.ceremony()
        order.insurance = self.insurance()
        if self.accessories():
            price = names.PRICES[order.model] * 10_000
            order.accessories = int(round(price * r.uniform(0.01, 0.06), -2))
        order.extended_warranty = self.extended_warranty()
        call = self._aftercare(day, CALL_3DAY, (1, 3), (4, 7))
        order.call_3day = call
        order.letter_7day = self._aftercare(day, LETTER_7DAY, (3, 7), (8, 14))
        card = person.customer
        self._contact(day, person, DELIVERY, MANAGEMENT, schedule=False)
        person.status = OWNER
        person.token += 1
        card.customer_type = CustomerType.OWNER.value
        card.next_follow_up = None
        card.vip = r.random() < VIP
        plate = self._plate()
        if (self.last_day - day).days < 7 and r.random() < 0.5:
            plate = ""  # still on a temporary plate
        vehicle = Row(
            id=self.vehicle_ids.take(),
            store_id=self.store_id,
            customer_id=card.id,
            order_id=order.id,
            vin=order.vin,
            plate=plate,
            brand=self.store.brand,
            model=order.model,
            delivery_date=day,
            insurance_end=add_years(day, 1) - timedelta(days=1),
            finance_end=add_years(day, self._one((1, 2, 3))) if order.finance else None,
            warranty_end=add_years(day, 5 if order.extended_warranty else 3),
        )
        self.vehicles.append(vehicle)
        owner = _Owner(card, vehicle, person.consultant.staff_id, self._loyalty())
        if call is not None:
            self._care(call, owner, names.CARE_NOTES["call_3day"])
        self.owner_cards.append(card.id)
        self._next_maintenance(day, owner)
        self._insurance_reminder(owner)

    def _aftercare(
        self,
        day: date,
        shares: tuple[float, float],
        on_time: tuple[int, int],
        late: tuple[int, int],
    ) -> date | None:
        r = self.rng
        x = r.random()
        if x < shares[0]:
            done = day + timedelta(days=self._int(*on_time))
        elif x < shares[0] + shares[1]:
            done = day + timedelta(days=self._int(*late))
        else:
            return None  # missed
        return done if self._happens(done) else None

    def _plate(self) -> str:
        r = self.rng
        prefix = self._one(self.plates)
        if self.new_energy:
            return f"{prefix}{self._one('DF')}{r.randrange(10**5):05d}"
        chars = list(f"{r.randrange(10**5):05d}")
        for _ in range(self._one((0, 1, 1, 1, 2))):
            chars[r.randrange(5)] = self._one(PLATE_CHARS)
        return prefix + "".join(chars)

    # -- owners -----------------------------------------------------------------------------------

    def _loyalty(self) -> int:
        if self.rng.random() < NEVER_BACK:
            return 0
        visits = 1
        while visits < 30 and self.rng.random() >= CHURN_PER_VISIT:
            visits += 1
        return visits

    def _next_maintenance(self, day: date, owner: _Owner) -> None:
        if owner.visits <= 0:
            return  # churned
        r = self.rng
        low, high = FIRST_SERVICE_DAYS if owner.first else SERVICE_DAYS
        interval = self._int(low, high)
        due = day + timedelta(days=interval)
        if due <= self.last_day:
            self.owner_events[due].append((MAINTENANCE, owner))
            if r.random() < SERVICE_REMINDER:
                reminder = due - timedelta(days=self._int(3, 10))
                self.owner_events[reminder].append(("reminder", owner))
        for kind, chance in EXTRA_VISITS.items():
            if r.random() < chance:
                extra = day + timedelta(days=self._int(10, interval - 5))
                if extra <= self.last_day:
                    self.owner_events[extra].append((kind, owner))

    def _insurance_reminder(self, owner: _Owner) -> None:
        end = owner.vehicle.insurance_end
        reminder = end - timedelta(days=self._int(20, 45))
        if reminder <= self.last_day:
            self.owner_events[reminder].append(("insurance", owner))

    def _owner_day(self, day: date) -> None:
        r = self.rng
        for event, owner in self.owner_events.pop(day, ()):
            if not self._happens(day):
                continue
            if event == "reminder":
                self._care(day, owner, names.CARE_NOTES["maintenance"])
            elif event == "insurance":
                self._care(day, owner, names.CARE_NOTES["insurance"])
                if owner.visits > 0 and r.random() < 0.7:  # renews with the store
                    vehicle = owner.vehicle
                    vehicle.insurance_end = add_years(vehicle.insurance_end, 1)
                    self._insurance_reminder(owner)
            else:
                self._service(day, owner, event)

    def _service(self, day: date, owner: _Owner, kind: str) -> None:
        r = self.rng
        low, high = AMOUNTS[kind]
        amount = int(round(r.uniform(low, high), -1))
        notes = self._one(names.SERVICE_NOTES[kind])
        if kind == MAINTENANCE and owner.first and owner.vehicle.order_id is not None:
            amount, notes = 0, names.FIRST_SERVICE_NOTE  # the first maintenance is free
        vehicle = owner.vehicle
        # About 15,000 km a year since delivery, as the odometer reads at the workshop.
        since = vehicle.delivery_date or day
        mileage = int((day - since).days * r.uniform(25, 55)) + r.randrange(10, 200)
        self.service_visits.append(
            Row(
                store_id=self.store_id,
                customer_id=owner.card.id,
                vehicle_id=vehicle.id,
                date=day,
                kind=kind,
                amount=amount,
                notes=notes,
                vin=vehicle.vin,
                plate=vehicle.plate,
                mileage=mileage,
                advisor=self._one(self.advisors),
            )
        )
        if kind == MAINTENANCE:
            owner.first = False
            owner.visits -= 1
            self._next_maintenance(day, owner)

    def _care(self, day: date, owner: _Owner, notes: str) -> None:
        self.activities.append(
            Row(
                store_id=self.store_id,
                customer_id=owner.card.id,
                consultant_id=owner.consultant_id,
                date=day,
                kind=OWNER_CARE,
                category=MANAGEMENT,
                grade_after=owner.card.grade,
                notes=notes,
            )
        )

    def _met_in_service(self, day: date) -> None:
        """Owners who come to the workshop without having bought here (本品牌他销, 他厂牌)."""
        r = self.rng
        for _ in range(self._poisson(OWNERS_MET_IN_SERVICE * self.size)):
            if not self._happens(day):
                continue
            if r.random() < OTHER_BRAND_OWNER:
                kind = OwnerKind.OTHER_BRAND
                brand, models = self._one(self.competitors)
                model = self._one(models)
                wmi = names.WMI.get(brand) or "L" + "".join(r.choices(VIN_CHARS[:23], k=2))
            else:
                kind = OwnerKind.OWN_BRAND_ELSEWHERE
                brand, model, wmi = self.store.brand, self._model(), self.wmi
            female = r.random() < 0.42
            phone = self._phone()
            consultant = self._one(self.consultants)
            card = Row(
                id=self.customer_ids.take(),
                store_id=self.store_id,
                name=names.person_name(r, female=female),
                phone=phone,
                phone_norm=normalize_phone(phone),
                customer_type=CustomerType.OWNER.value,
                owner_kind=kind.value,
                consultant_id=consultant.staff_id,
                grade="",
                model=model,
                created=day,
                gender="F" if female else "M",
                region=self._one(names.CITIES[self.city]),
            )
            self.customers.append(card)
            bought = day - timedelta(days=self._int(200, 2000))
            insured_to = add_years(bought, day.year - bought.year) - timedelta(days=1)
            if insured_to < day:
                insured_to = add_years(insured_to, 1)
            vehicle = Row(
                id=self.vehicle_ids.take(),
                store_id=self.store_id,
                customer_id=card.id,
                vin=vin(r, wmi, bought.year),
                plate=self._one(self.plates) + f"{r.randrange(10**5):05d}",
                brand=brand,
                model=model,
                delivery_date=bought,
                insurance_end=insured_to,
                warranty_end=add_years(bought, 3),
            )
            self.vehicles.append(vehicle)
            visits = self._loyalty()
            if kind == OwnerKind.OTHER_BRAND and r.random() < 0.7:
                visits = 0  # came for one repair
            owner = _Owner(card, vehicle, consultant.staff_id, visits, first=False)
            first_visit = self._pick(f"met:{kind}")
            self._service(day, owner, first_visit)
            if first_visit != MAINTENANCE:
                self._next_maintenance(day, owner)
            self._insurance_reminder(owner)
