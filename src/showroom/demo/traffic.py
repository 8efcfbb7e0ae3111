"""A store's traffic registers, made up day by day: walk-ins, calls and the cards of the people
whose contact was kept. Every draw comes from the store's own `random.Random`.

Data end at a cut-off (the last day, and on it the time `until` if given): whatever would
happen later is never made, rather than made and removed, so that nothing refers to it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from showroom.demo.base import OPEN
from showroom.demo.calls import CallBuilder
from showroom.demo.tables import MONTH_FACTOR, WEEKDAY_FACTOR
from showroom.demo.walkins import WalkInBuilder


class TrafficBuilder(WalkInBuilder, CallBuilder):
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
