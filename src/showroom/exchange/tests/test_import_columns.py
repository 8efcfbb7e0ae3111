"""What the import works out a column at a time says what the row-by-row rules say: the
natural keys' fingerprints, and whether a block of rows holds an impossible value."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from showroom.exchange.columns import CALLS, WALK_INS, json_string
from showroom.exchange.rules import impossible, impossible_rows
from showroom.organization.models import Store

NOW = dt.datetime(2026, 10, 6, 7, 2, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


def test_a_fingerprint_from_written_parts_is_the_fingerprint_of_the_parts() -> None:
    naturals = [
        ("2026-10-05", "09:30", "王伟", "13800000004"),
        ('a "quoted" name', "back\\slash", "tab\there", "\u0001", ""),
        ("é", "😀", "line\nbreak"),
    ]
    for form in (WALK_INS, CALLS):
        make = form.import_key_of("S001")
        for natural, occurrence in itertools.product(naturals, (1, 2, 17)):
            encoded = [json_string(part) for part in natural]
            assert make(encoded, occurrence) == form.import_key("S001", natural, occurrence)


def _times() -> list[dt.time | None]:
    return [None, dt.time(0, 0), dt.time(6, 59), dt.time(7, 2), dt.time(7, 3), dt.time(23, 59)]


def test_walk_ins_are_impossible_by_column_exactly_when_a_row_is() -> None:
    store = Store(code="S001", name="S001")
    days = [
        TODAY,
        TODAY - dt.timedelta(days=1),
        TODAY + dt.timedelta(days=1),
        dt.date(1999, 12, 31),
    ]
    rows = [
        {"date": day, "arrived_at": arrived, "left_at": left}
        for day in days
        for arrived in _times()[1:]
        for left in _times()
    ]
    for row in rows:
        by_row = bool(impossible("walk_ins", row, store, NOW))
        columns = {name: [row[name]] for name in row}
        assert impossible_rows("walk_ins", columns, store, NOW) is by_row, row
    # A block is impossible when any of its rows is.
    good = [r for r in rows if not impossible("walk_ins", r, store, NOW)]
    bad = [r for r in rows if impossible("walk_ins", r, store, NOW)]
    assert good and bad
    for block, expected in ((good, False), (good + bad[:1], True), (bad[-1:] + good, True)):
        columns = {name: [r[name] for r in block] for name in block[0]}
        assert impossible_rows("walk_ins", columns, store, NOW) is expected


def test_calls_are_impossible_by_column_exactly_when_a_row_is() -> None:
    store = Store(code="S001", name="S001")
    days = [TODAY, TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)]
    for day, moment in itertools.product(days, _times()[1:]):
        row = {"date": day, "called_at": moment}
        by_row = bool(impossible("calls", row, store, NOW))
        columns = {name: [row[name]] for name in row}
        assert impossible_rows("calls", columns, store, NOW) is by_row, row
