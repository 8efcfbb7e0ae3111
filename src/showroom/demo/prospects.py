"""After the first contact: the grade log, follow-ups at the grade's cadence, test drives, quotes,
orders, and loss requests with the manager's decision.

Every contact with a card is one Activity that sets the card's next follow-up from the grade's
cadence (CADENCE_DAYS); the consultant then makes that follow-up on the day, or late, as their
habits go. What a follow-up leads to depends on the grade and on the consultant's skills.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from showroom.customers.choices import CADENCE_DAYS, CustomerType, Payment
from showroom.demo import names
from showroom.demo.base import LOST, OPEN, ORDERED, OUT, WAITING, Person, Share, weighted
from showroom.demo.bulk import IdPool, Row
from showroom.demo.tables import (
    CANCELLED,
    DECISION_DAYS,
    DELIVERY_DAYS,
    DEPOSITS,
    DOWNGRADE,
    EARLIER_FOLLOW_UP,
    FINANCE,
    FOLLOW_UP,
    FOLLOW_UP_KINDS,
    FORGOTTEN,
    GRADE_RANK,
    INVITED_SHOWS,
    LOST_REASONS,
    OUT_REASONS,
    PURCHASE_TYPES,
    REACHED,
    REACTIVATED,
    REACTIVATION_DAYS,
    RETURNED,
    SAME_BRAND_ELSEWHERE,
    STALL_LOSS,
    STILL_SHOPPING,
    TRADE_IN,
    UPGRADE,
)
from showroom.demo.traffic import TrafficBuilder
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store
from showroom.sales.choices import ActivityCategory, ActivityKind, Channel, LossKind, LossStatus
from showroom.sales.models import Order

CADENCE = {str(grade): days for grade, days in CADENCE_DAYS.items()}
# Plain strings: reading an enum member's value is slow at millions of rows.
MANAGEMENT = ActivityCategory.MANAGEMENT.value
PROMOTION = ActivityCategory.PROMOTION.value
DEVELOPMENT = ActivityCategory.DEVELOPMENT.value
RECEPTION, CALL = ActivityKind.RECEPTION.value, ActivityKind.CALL.value
MESSAGE, ORDER = ActivityKind.MESSAGE.value, ActivityKind.ORDER.value
TEST_DRIVE, QUOTE = ActivityKind.TEST_DRIVE.value, ActivityKind.QUOTE.value
INVITATION, DELIVERY = ActivityKind.INVITATION.value, ActivityKind.DELIVERY.value
SHOWROOM, FLEET = Channel.SHOWROOM.value, Channel.FLEET.value
LOST_KIND, OUT_KIND = LossKind.LOST.value, LossKind.OUT_OF_CONTROL.value
# Orders signed on a follow-up rather than on a showroom visit: mostly at a secondary dealer or
# with a company's fleet buyer, some at the customer's home. Visits sign in the showroom (fleet
# customers through the fleet channel), so most orders are showroom orders.
AWAY_CHANNELS = {Channel.SECONDARY.value: 55, FLEET: 25, SHOWROOM: 20}


class ProspectBuilder(TrafficBuilder):
    def __init__(self, rng: random.Random, store: Store, staff: list[Staff]) -> None:
        consultants = [s for s in staff if s.roles == Role.CONSULTANT]
        super().__init__(rng, store, consultants)
        manager = next((s for s in staff if s.roles == Role.MANAGER), consultants[0])
        self.manager_id = manager.pk
        crm = next((s for s in staff if s.roles == Role.CRM), manager)
        self.crm_id = crm.pk
        more: dict[str, dict] = {  # type: ignore[type-arg]
            "follow_up": FOLLOW_UP_KINDS,
            "lost_reason": LOST_REASONS,
            "out_reason": OUT_REASONS,
            "away": AWAY_CHANNELS,
            "deposit": DEPOSITS,
            "lag": DELIVERY_DAYS,
            "purchase": PURCHASE_TYPES,
        }
        self.tables.update({name: weighted(table) for name, table in more.items()})
        self.grade_changes: list[Row] = []
        self.activities: list[Row] = []
        self.test_drives: list[Row] = []
        self.quotes: list[Row] = []
        self.orders: list[Row] = []
        self.losses: list[Row] = []
        self.follow_ups: dict[date, list[tuple[Person, int]]] = defaultdict(list)
        self.deliveries: dict[date, list[Person]] = defaultdict(list)
        self.cancels: dict[date, list[Person]] = defaultdict(list)
        self.reactivations: list[Row] = []
        self.reactivate: dict[date, list[Person]] = defaultdict(list)
        self.order_ids = IdPool(Order)
        self.routes = rng.sample(names.TEST_DRIVE_ROUTES, 3)
        self.finance = Share(rng, rng.uniform(*FINANCE))
        self.competitors = [
            (brand, models)
            for brand, models in {**names.BRANDS, **names.OTHER_BRANDS}.items()
            if brand != store.brand
        ]
        self.fleet_source = self.sources.get("fleet")

    # -- hooks of the traffic -----------------------------------------------------------------

    def _card_made(self, person: Person, day: date) -> None:
        r = self.rng
        card = person.customer
        card.region = self._one(names.CITIES[self.city])
        card.purchase_type = self._pick("purchase")
        if r.random() < 0.55:
            card.industry = self._one(names.INDUSTRIES)
        price = names.PRICES[person.model]
        card.budget = f"{math.floor(price * 0.85)}-{math.ceil(price * 1.1)}万"
        if r.random() < 0.35:
            card.competitor_models = self._one(self._one(self.competitors)[1])
        self._grade_changed(person, "", person.grade, day)

    def _grade_changed(self, person: Person, old: str, new: str, day: date) -> None:
        self.grade_changes.append(
            Row(
                store_id=self.store_id,
                customer_id=person.customer.id,
                date=day,
                old_grade=old,
                new_grade=new,
                changed_by_id=person.consultant.staff_id,
            )
        )

    def _visited(self, person: Person, row: Row, old: str, new_card: bool) -> None:
        r = self.rng
        day = row.date
        staff_id = person.consultant.staff_id
        kind = RECEPTION
        if row.test_drive:
            self.test_drives.append(
                Row(
                    store_id=self.store_id,
                    customer_id=person.customer.id,
                    consultant_id=staff_id,
                    date=day,
                    model=person.model,
                    route=self._one(self.routes),
                    duration_minutes=self._int(15, 40),
                )
            )
            kind = TEST_DRIVE
        if row.quoted:
            price = names.PRICES[person.model] * 10_000 * (1 - r.uniform(0.02, 0.12))
            self.quotes.append(
                Row(
                    store_id=self.store_id,
                    customer_id=person.customer.id,
                    consultant_id=staff_id,
                    date=day,
                    model=person.model,
                    amount=int(round(price, -2)),
                )
            )
            kind = QUOTE
        if person.grade == "O" and old != "O":
            fleet = person.source == self.fleet_source and r.random() < 0.7
            self._order(day, person, FLEET if fleet else SHOWROOM)
            kind = ORDER
        self._contact(day, person, kind, self._category(person, old, new_card))

    def _called(self, person: Person, row: Row, new_card: bool) -> None:
        kind = INVITATION if row.appointment_date else CALL
        self._contact(row.date, person, kind, DEVELOPMENT if new_card else MANAGEMENT)

    @staticmethod
    def _category(person: Person, old: str, new_card: bool) -> str:
        if new_card:
            return DEVELOPMENT  # 开拓: a new prospect
        if GRADE_RANK[person.grade] > GRADE_RANK[old]:
            return PROMOTION  # 促进: moved forward
        return MANAGEMENT  # 管理: kept

    # -- contacts and follow-ups ----------------------------------------------------------------

    def _contact(
        self,
        day: date,
        person: Person,
        kind: str,
        category: str,
        *,
        notes: str = "",
        not_closed: str = "",
        planned: date | None = None,
        schedule: bool = True,
    ) -> None:
        """Log a contact and plan the next one."""
        next_date = self._schedule(day, person, planned) if schedule else None
        self.activities.append(
            Row(
                store_id=self.store_id,
                customer_id=person.customer.id,
                consultant_id=person.consultant.staff_id,
                date=day,
                kind=kind,
                category=category,
                grade_after=person.grade,
                next_date=next_date,
                not_closed_reason=not_closed,
                notes=notes,
            )
        )

    def _schedule(self, day: date, person: Person, planned: date | None = None) -> date | None:
        """The next follow-up from the grade's cadence (or earlier), and the day the consultant
        will actually make it: on time, a few days late, or forgotten for weeks."""
        if person.status == ORDERED:
            cadence = CADENCE["O"]
        elif person.status == OPEN:
            cadence = CADENCE[person.grade]
        else:
            return None
        r = self.rng
        if planned is None:
            planned = day + timedelta(days=cadence)
            if cadence > 2 and r.random() < EARLIER_FOLLOW_UP:
                planned = day + timedelta(days=self._int(1, cadence - 1))
        person.token += 1
        person.customer.next_follow_up = planned
        late = person.consultant.late
        x = r.random()
        actual = planned
        if x < late:
            actual += timedelta(days=self._int(10, 40) if x < late * FORGOTTEN else self._int(1, 4))
        if actual <= self.last_day:
            self.follow_ups[actual].append((person, person.token))
        return planned

    def _follow_ups(self, day: date) -> None:
        for person, token in self.follow_ups.pop(day, ()):
            if token == person.token and self._happens(day):
                self._follow_up(day, person)

    def _follow_up(self, day: date, person: Person) -> None:
        r = self.rng
        consultant = person.consultant
        kind = self._pick("follow_up")
        if person.status == ORDERED:  # weekly until delivery
            kind = MESSAGE if kind == "message" else CALL
            self._contact(day, person, kind, MANAGEMENT, notes=self._one(names.ORDER_FOLLOW_UPS))
            return
        grade = person.grade
        if kind == "home_visit" and grade in {"B", "C"}:
            kind = "call"
        reach = REACHED[kind]
        due = person.customer.next_follow_up
        if due is not None and (day - due).days > 14:
            reach *= 0.75  # forgotten prospects answer less
        if r.random() >= reach:
            person.misses += 1
            if person.misses >= 3 or (person.misses == 2 and r.random() < 0.3):
                self._lose(day, person, kind, OUT_KIND, "other", "联系不上")
                return
            retry = day + timedelta(days=min(CADENCE[grade], self._int(1, 3)))
            self._contact(day, person, kind, MANAGEMENT, notes=names.NO_ANSWER[kind], planned=retry)
            return
        person.misses = 0
        chances = FOLLOW_UP[grade]
        stall = STALL_LOSS * person.stalls
        lost = (chances["lost"] + stall) * consultant.lose
        out = lost + (chances["out"] + stall) * consultant.lose
        order = out + chances["order"] * consultant.close
        up = order + chances["up"] * consultant.close
        invite = up + chances["invite"] * math.sqrt(consultant.close)
        down = invite + chances["down"]
        x = r.random()
        if x < lost:
            self._lose(day, person, kind, LOST_KIND)
        elif x < out:
            self._lose(day, person, kind, OUT_KIND)
        elif x < order:
            self._set_grade(person, "O", day)
            self._order(day, person, self._pick("away"))
            self._contact(day, person, ORDER, PROMOTION)
        elif x < up:
            self._set_grade(person, UPGRADE[grade], day)
            person.stalls = 0
            self._contact(day, person, kind, PROMOTION)
        elif x < invite:
            if not person.visit_planned and r.random() < INVITED_SHOWS:
                visit = self._later(day, 1, 4) if grade != "H" else day + timedelta(self._int(1, 3))
                self._plan(visit, "sign" if grade == "H" else "invited", person)
            self._contact(day, person, INVITATION, MANAGEMENT)
        else:
            if x < down:
                self._set_grade(person, DOWNGRADE[grade], day)
            person.stalls += 1
            reason = self._one(names.NOT_CLOSED) if r.random() < 0.4 else ""
            self._contact(day, person, kind, MANAGEMENT, not_closed=reason)

    # -- losses ---------------------------------------------------------------------------------

    def _lose(
        self,
        day: date,
        person: Person,
        contact: str,
        kind: str,
        reason: str = "",
        description: str = "",
    ) -> None:
        """The consultant requests 战败/失控; the manager confirms it or sends it back, some days
        later, or has not got to it by the cut-off."""
        r = self.rng
        brand = model = ""
        if kind == LOST_KIND:
            reason = reason or self._pick("lost_reason")
            if r.random() < SAME_BRAND_ELSEWHERE:
                brand, model = self.store.brand, person.model
            else:
                brand, models = self._one(self.competitors)
                model = self._one(models)
        else:
            reason = reason or self._pick("out_reason")
        description = description or self._one(names.LOSS_DESCRIPTIONS[reason])
        self._contact(day, person, contact, MANAGEMENT, notes=description, schedule=False)
        card = person.customer
        person.token += 1  # no follow-up while the request waits
        card.next_follow_up = None
        report = Row(
            store_id=self.store_id,
            customer_id=card.id,
            consultant_id=person.consultant.staff_id,
            date=day,
            kind=kind,
            grade=person.grade,
            competitor_brand=brand,
            competitor_model=model,
            reason=reason,
            description=description,
            status=LossStatus.REQUESTED.value,
        )
        self.losses.append(report)
        decided = day + timedelta(days=self._int(*DECISION_DAYS))
        if not self._happens(decided):
            person.status = WAITING
            return
        report.decided_by_id = self.manager_id
        report.decided_on = decided
        if r.random() < RETURNED[person.grade]:
            report.status = LossStatus.RETURNED.value
            report.manager_note = self._one(names.MANAGER_RETURN_NOTES)
            person.status = OPEN
            person.stalls = person.misses = 0
            self._schedule(decided, person, decided + timedelta(days=self._int(1, 3)))
            return
        report.status = LossStatus.CONFIRMED.value
        if kind == LOST_KIND:
            person.status, card.customer_type = LOST, CustomerType.LOST.value
        else:
            person.status, card.customer_type = OUT, CustomerType.OUT_OF_CONTROL.value
        if r.random() < REACTIVATED[kind]:
            again = decided + timedelta(days=self._int(*REACTIVATION_DAYS))
            if again <= self.last_day:
                self.reactivate[again].append(person)

    def _reactivate(self, day: date, person: Person) -> None:
        """The CRM's activation call finds the customer still in the market: handed back to
        a consultant (激活), a new prospect from today (docs/contracts.md, KPIs), graded on
        the call."""
        card = person.customer
        lost = person.status == LOST
        self.reactivations.append(
            Row(
                store_id=self.store_id,
                customer_id=card.id,
                date=day,
                consultant_id=person.consultant.staff_id,
                by_id=self.crm_id,
                reason=self._one(names.REACTIVATION_NOTES),
                list_name=f"{'战败' if lost else '失控'}客户激活 {day:%Y-%m}",
            )
        )
        person.status = OPEN
        person.stalls = person.misses = 0
        card.customer_type = CustomerType.PROSPECT.value
        self._set_grade(person, "B" if self.rng.random() < 0.4 else "C", day)
        self._contact(day, person, CALL, DEVELOPMENT, notes="激活客户，重新跟进")

    # -- orders ---------------------------------------------------------------------------------

    def _order(self, day: date, person: Person, channel: str) -> None:
        r = self.rng
        card = person.customer
        finance = self.finance()
        order = Row(
            id=self.order_ids.take(),
            store_id=self.store_id,
            customer_id=card.id,
            consultant_id=person.consultant.staff_id,
            order_date=day,
            model=person.model,
            channel=channel,
            source_id=person.source,
            deposit=self._pick("deposit"),
            contract_no=f"{self.store.code}-{day:%y%m}-{len(self.orders) + 1:05d}",
            finance=finance,
            trade_in=r.random() < TRADE_IN[card.purchase_type],
        )
        self.orders.append(order)
        person.order = order
        person.status = ORDERED
        person.stalls = 0
        card.payment = Payment.INSTALLMENT.value if finance else Payment.FULL.value
        card.colour = self._one(names.COLOURS)
        card.configuration = self._one(names.CONFIGURATIONS)
        order.colour = card.colour
        # The guide price less the usual showroom discount.
        order.price = Decimal(round(names.PRICES[person.model] * 10_000 * 0.95, -2))
        low, high = self._pick("lag")
        lag = self._int(low, high)
        if lag > 3 and r.random() < CANCELLED:
            cancel = day + timedelta(days=self._int(2, min(lag - 1, 15)))
            if cancel <= self.last_day:
                self.cancels[cancel].append(person)
            return
        delivery = day + timedelta(days=lag)
        if delivery <= self.last_day:
            self.deliveries[delivery].append(person)

    def _cancel(self, day: date, person: Person) -> None:
        """The customer backs out of the contract (退订): mostly to buy elsewhere (a loss
        request), else to keep looking."""
        order = person.order
        assert order is not None
        person.order = None
        person.status = OPEN
        self._set_grade(person, "A", day)
        reason = self._one(["price", "delivery_time", "finance"])
        order.cancelled = True
        order.cancelled_on = day
        order.cancelled_by_id = person.consultant.staff_id
        order.cancel_reason = names.LOSS_DESCRIPTIONS[reason][0]
        if self.rng.random() < STILL_SHOPPING:
            # Backs out of this contract but keeps looking: an open A prospect again.
            self._contact(day, person, CALL, MANAGEMENT, notes="客户退订，仍在比较")
            return
        self._lose(day, person, CALL, LOST_KIND, reason, "客户退订")
