"""What the parts of a store's builder share: the people, the draws and the cut-off.

Every draw comes from the store's own `random.Random`. The functions below do what random's
choices(), randint() and choice() do with far fewer steps: they run millions of times.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as dtime
from itertools import accumulate
from typing import TypeVar

from showroom.customers.models import Customer, Source
from showroom.demo import names
from showroom.demo.bulk import IdPool, Row
from showroom.demo.tables import LAST_ARRIVAL_MINUTE
from showroom.organization.models import Staff, Store

T = TypeVar("T")

# Where a person stands in the funnel (not stored: the card's type and dated events say it).
OPEN, ORDERED, OWNER, WAITING, LOST, OUT = "open", "ordered", "owner", "waiting", "lost", "out"


@dataclass(slots=True, eq=False)
class Consultant:
    staff: Staff
    staff_id: int
    keep_rate: float  # share of first-visit parties whose contact is kept
    test_drive_rate: float
    quote_rate: float
    invite_rate: float  # share of kept callers given an appointment
    day_off: int  # a weekday
    close: float  # multiplies the chances that a prospect moves up or signs
    late: float  # share of follow-ups made after their date
    lose: float  # multiplies the chances that a prospect is lost or drops out


@dataclass(slots=True, eq=False)
class Person:
    """Someone whose contact was kept: they may come back, call again, and have a card."""

    name: str
    phone: str
    source: int | None  # ids rather than instances: assigning these is most of the cost
    model: str
    consultant: Consultant
    customer: Row  # the card
    grade: str
    visited: bool = False
    visit_planned: bool = False
    call_planned: bool = False
    status: str = OPEN
    token: int = 0  # a scheduled follow-up is stale once the token has moved on
    stalls: int = 0  # contacts without progress in a row
    misses: int = 0  # follow-ups in a row that did not reach them
    order: Row | None = None


def weighted(table: dict) -> tuple[list, list[float]]:  # type: ignore[type-arg]
    keys = list(table)
    cum, total = [], 0.0
    for key in keys:
        total += table[key]
        cum.append(total)
    return keys, cum


class Share:
    """Yes for a `rate` share of the calls, spread evenly: a low-discrepancy sequence (golden
    ratio steps from a random start) rather than independent draws, so that a store's
    penetration rates stay near its own rate over any few months, as real ones do."""

    STEP = 0.6180339887498949

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.rate = rate
        self.u = rng.random()

    def __call__(self) -> bool:
        self.u = (self.u + self.STEP) % 1.0
        return self.u < self.rate


class BuilderBase:
    def __init__(self, rng: random.Random, store: Store) -> None:
        self.rng = rng
        self.store = store
        self.store_id = store.pk
        self.size = rng.uniform(0.7, 1.4)  # how busy this store is
        self.sources = dict(Source.objects.filter(store__isnull=True).values_list("code", "id"))
        self.models = names.BRANDS.get(store.brand) or names.BRANDS[names.DEMO_BRAND]
        self.model_cum = list(accumulate(1 / (i + 1) ** 0.8 for i in range(len(self.models))))
        self.city = next((c for c in names.CITIES if c in store.name), names.DEMO_CITY)
        self.tables: dict[str, tuple[list, list[float]]] = {}  # type: ignore[type-arg]
        self.customer_ids = IdPool(Customer)
        self.phones: set[str] = set()
        self.last_day = date.max
        self.now: dtime | None = None  # on the last day, the time of the cut-off
        self.day_share = 1.0  # on the last day, the share of the working day gone by

    # -- drawing ------------------------------------------------------------------------------

    def _pick(self, table: str):  # type: ignore[no-untyped-def]
        keys, cum = self.tables[table]
        return keys[bisect(cum, self.rng.random() * cum[-1])]  # what choices() does, faster

    def _int(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def _one(self, seq: Sequence[T]) -> T:
        return seq[int(self.rng.random() * len(seq))]

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
        minute = int(self.rng.random() * (LAST_ARRIVAL_MINUTE if hour == 20 else 60))
        return dtime(hour, minute)

    def _digits(self) -> str:
        while (digits := names.mobile(self.rng)) in self.phones:
            pass
        self.phones.add(digits)
        return digits

    def _phone(self) -> str:
        return names.written_phone(self.rng, self._digits())

    def _model(self) -> str:
        return self.models[bisect(self.model_cum, self.rng.random() * self.model_cum[-1])]

    def _later(self, day: date, low: int, high: int) -> date:
        later = day + timedelta(days=self._int(low, high))
        if later.weekday() < 5 and self._chance(0.35):  # people come back at the weekend
            later += timedelta(days=5 - later.weekday() + self.rng.randrange(2))
        return later

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    # -- the cut-off --------------------------------------------------------------------------

    def _after_now(self, day: date, at: dtime) -> bool:
        return day == self.last_day and self.now is not None and at > self.now

    def _happens(self, day: date) -> bool:
        """Whether something of `day` with no time of its own has happened by the cut-off."""
        if day != self.last_day:
            return day < self.last_day
        return self.now is None or self.rng.random() < self.day_share
