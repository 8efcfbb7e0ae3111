"""The KPIs of the registry, computed a second time: DuckDB SQL over the CSV folder that
`showroom export --store CODE --month A..B OUT` writes, written from the KPI
formulas (docs/contracts.md) and the export's columns alone. It imports nothing from `showroom`,
so that it can check `showroom.kpi.selectors.compute_kpis` rather than repeat it.

    kpis = DuckKPIs(Path("out/"))
    kpis.compute(start=date(2026, 10, 1), end=date(2026, 10, 31), by="source")

Where the formulas leave a choice open, this file takes the reading a dealer would (each is
named where it is made): a person is a normalized phone within one store; a walk-in on the
same day counts as "after" a call only when it arrived later than the call; a lead "shows"
with a walk-in from its own day up to its appointment date + 3 days; grouped (`by`), each row
counts in its own group — registers by their own consultant, source and model, cards by the
card's, orders by the order's, loss records by the record's consultant and the card's source
and model, leads by the agent assigned, the channel and the model.

Every KPI of the registry is covered: the folder holds every §6 form, re-activations
(reactivations.csv), service visits (service_visits.csv) and targets (targets.csv) too.

A re-activation (激活) makes the card a new prospect on its date: an order or confirmed loss
dated before it no longer closes the card from that day on (one dated on the re-activation's
own day still does), and the card counts in new_prospects of the re-activation's period as
well as (once more) of its card date's. An owner is a card with a delivered order of this
store by the period's end; retained with an owner-care contact (保有维系) or a service visit in
the 180 days up to the end; churned without a service visit or a delivery in the 365 days
before the end. target_attainment is deliveries over the period's store targets (a month's
target pro rata of its days in the period; None unless every store has one for every month).

An order counts from its order date until its cancellation date (取消日期, cancelled_on): a
card is closed on a day by an order standing on that day (dated by then, not cancelled by
then) or by a confirmed loss record dated by then, so a cancellation opens the card again
unless a loss closes it; an order counts in `orders` of its period unless cancelled on or
before the period's end, and in `cancelled_orders` of the period of its cancellation date.

A prospect's grade at a date is the last 级别 (grade_after) of the daily activity report on or
before that date, else the card's grade: the export has no separate grade log. The export
holds, besides the range's activities, each card's last graded activity before the range, so
the grade is known on every day of the range.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

NONE_KEY = "(none)"

COVERED: tuple[str, ...] = (
    "walkin_batches",
    "first_visit_batches",
    "repeat_visit_batches",
    "invited_visit_batches",
    "call_batches",
    "first_call_batches",
    "avg_stay_minutes",
    "retention_rate",
    "receptions_per_consultant",
    "call_invitation_rate",
    "new_prospects",
    "carried_over_prospects",
    "prospects_H",
    "prospects_A",
    "prospects_B",
    "prospects_C",
    "prospects_O",
    "active_prospects",
    "test_drive_rate",
    "quote_rate",
    "orders",
    "cancelled_orders",
    "orders_from_carried_over",
    "orders_from_new",
    "deliveries",
    "close_rate",
    "test_drive_close_rate",
    "order_rate",
    "lost_rate",
    "out_of_control_rate",
    "order_delivery_rate",
    "showroom_sales_ratio",
    "delivery_ceremony_rate",
    "insurance_penetration",
    "finance_penetration",
    "accessory_penetration",
    "tradein_penetration",
    "call_3day_rate",
    "letter_7day_rate",
    "owner_referral_rate",
    "owners",
    "owner_retention_rate",
    "owner_churn_rate",
    "target_attainment",
    "source_mix",
    "unique_visitors",
    "unique_close_rate",
    "leads",
    "lead_response_minutes",
    "appointment_rate",
    "show_rate",
)

NOT_COVERED: dict[str, str] = {}

# Columns read as they are typed; everything else is text ('' for empty).
_TYPES: dict[str, dict[str, str]] = {
    "walk_ins": {
        "date": "DATE",
        "arrived_at": "TIME",
        "left_at": "TIME",
        "invited": "BOOL",
        "test_drive": "BOOL",
        "quoted": "BOOL",
        "contact_kept": "BOOL",
    },
    "calls": {"date": "DATE", "called_at": "TIME", "appointment_date": "DATE"},
    "customers": {"created": "DATE"},
    "activities": {"date": "DATE"},
    "orders": {
        "order_date": "DATE",
        "delivery_date": "DATE",
        "call_3day": "DATE",
        "letter_7day": "DATE",
        "ceremony": "BOOL",
        "insurance": "BOOL",
        "finance": "BOOL",
        "trade_in": "BOOL",
        "cancelled_on": "DATE",
        "accessories": "DECIMAL(12,2)",
    },
    "losses": {"date": "DATE"},
    "leads": {
        "created_at": "TIMESTAMP",
        "first_contact_at": "TIMESTAMP",
        "appointment_date": "DATE",
    },
    "reactivations": {"date": "DATE"},
    "service_visits": {"date": "DATE"},
    "targets": {"deliveries": "INTEGER"},
}
_PHONES = (
    "walk_ins",
    "calls",
    "customers",
    "activities",
    "orders",
    "losses",
    "leads",
    "reactivations",
    "service_visits",
)
RETENTION_DAYS, CHURN_DAYS = 180, 365


def _cast(column: str, kind: str) -> str:
    value = f"NULLIF(trim({column}), '')"
    if kind == "BOOL":  # the export writes 1/0
        return f"CASE {value} WHEN '1' THEN true WHEN '0' THEN false END AS {column}"
    return f"CAST({value} AS {kind}) AS {column}"


# A person is a normalized phone: digits only, a leading +86 or 0086 dropped.
_NORMALIZE = """
CREATE MACRO digits(p) AS regexp_replace(coalesce(p, ''), '[^0-9]', '', 'g');
CREATE MACRO norm_phone(p) AS CASE
    WHEN digits(p) LIKE '0086%' THEN digits(p)[5:]
    WHEN ltrim(coalesce(p, '')) LIKE '+86%' THEN digits(p)[3:]
    ELSE digits(p) END;
-- A field that a spreadsheet would run as a formula is written with a leading apostrophe.
CREATE MACRO unmark(v) AS CASE WHEN starts_with(v, '''') THEN v[2:] ELSE v END;
"""


class DuckKPIs:
    """One CSV export folder loaded into an in-memory DuckDB; `compute` per period."""

    def __init__(self, folder: Path, *, threads: int | None = None) -> None:
        began = time.perf_counter()
        self.db = duckdb.connect(":memory:")
        if threads:
            self.db.execute(f"SET threads = {int(threads)}")
        self.db.execute(_NORMALIZE)
        for table in _PHONES:
            path = folder / f"{table}.csv"
            raw = f"read_csv('{path}', header = true, all_varchar = true, encoding = 'utf-8')"
            names = [row[0] for row in self.db.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()]
            names = [n.lstrip("\ufeff") for n in names]
            types = _TYPES[table]
            columns = [
                _cast(n, types[n]) if n in types else f"coalesce({n}, '') AS {n}" for n in names
            ]
            renamed = ", ".join(f'"{n}"' for n in names)
            self.db.execute(
                f"CREATE TABLE {table} AS SELECT {', '.join(columns)}, "
                f"norm_phone(phone) AS phone_norm, row_number() OVER () AS rn "
                f"FROM (SELECT unmark(COLUMNS(*)) FROM {raw}) AS t({renamed})"
            )
        # 月份 YYYY-MM; the store's own target is the row without a consultant.
        raw = f"read_csv('{folder / 'targets.csv'}', header = true, all_varchar = true)"
        self.db.execute(
            "CREATE TABLE targets AS SELECT store, coalesce(consultant, '') AS consultant, "
            "CAST(month || '-01' AS DATE) AS month, CAST(deliveries AS INTEGER) AS deliveries "
            f"FROM (SELECT unmark(COLUMNS(*)) FROM {raw})"
        )
        self.load_seconds = time.perf_counter() - began

    def rows(self, table: str) -> int:
        return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]

    def stores(self) -> list[str]:
        found = self.db.execute("SELECT DISTINCT store FROM walk_ins ORDER BY 1").fetchall()
        return [r[0] for r in found]

    def _targets(self, p: _Period, start: date, end: date) -> dict[str, float | None]:
        """{group: the period's delivery target}; grouped by store or consultant only."""
        weights = _month_weights(start, end)
        rows = self.db.execute(
            f"SELECT store, consultant, month, deliveries FROM targets t WHERE {p.stores('t')}"
        ).fetchall()
        by_key: dict[tuple[str, str], dict[date, int]] = {}
        for store, consultant, month, deliveries in rows:
            by_key.setdefault((store, consultant), {})[month] = deliveries
        stores = p.codes if p.codes is not None else self.stores()

        def prorated(months: dict[date, int]) -> float | None:
            if not set(weights) <= set(months):
                return None
            return float(sum(w * months[m] for m, w in weights.items()))

        if p.by is None:
            each = [prorated(by_key.get((s, ""), {})) for s in stores]
            return {"": None if any(t is None for t in each) else sum(each)}  # type: ignore[arg-type]
        if p.by == "store":
            return {s: prorated(m) for (s, c), m in by_key.items() if c == "" and s in stores}
        if p.by == "consultant":
            found: dict[str, float | None] = {}
            for (_s, c), m in by_key.items():
                if c and any(w for mo, w in weights.items() if mo in m):
                    found[c] = prorated(m)
            return found
        return {}

    # -- the computation --------------------------------------------------------------------

    def compute(
        self,
        *,
        start: date,
        end: date,
        by: str | None = None,
        stores: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """{code: value} for the covered KPIs, or {group: {code: value}} with `by`."""
        params = _Period(start, end, by, stores)
        counts: dict[str, dict[str, Any]] = {}
        for query in (_walk_ins, _calls, _cards, _orders, _losses, _leads):
            sql = query(params)
            cursor = self.db.execute(sql)
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                record = dict(zip(names, row, strict=True))
                group = record.pop("g")
                into = counts.setdefault(group, {})
                source, mixed = record.pop("mix_source", None), record.pop("d_mix", None)
                if source is not None:  # a row of deliveries per source (source_mix)
                    mix = into.setdefault("d_by_source", {})
                    if mixed:
                        mix[source] = mix.get(source, 0) + mixed
                    continue
                into.update(record)
        for group, target in self._targets(params, start, end).items():
            counts.setdefault(group, {})["t_target"] = target
        if by is None:
            return values(counts.get("", {}))
        return {g: values(c) for g, c in sorted(counts.items())}


class _Period:
    def __init__(self, start: date, end: date, by: str | None, stores: Iterable[str] | None):
        self.start, self.end, self.by = f"DATE '{start}'", f"DATE '{end}'", by
        previous_end = start.replace(day=1) - timedelta(days=1)
        self.prev_start = f"DATE '{previous_end.replace(day=1)}'"
        self.prev_end = f"DATE '{previous_end}'"
        self.before = f"DATE '{start - timedelta(days=1)}'"
        codes = sorted(set(stores)) if stores is not None else None
        self.codes = codes

    def stores(self, alias: str) -> str:
        if self.codes is None:
            return "true"
        quoted = ", ".join("'" + c.replace("'", "''") + "'" for c in self.codes)
        return f"{alias}.store IN ({quoted})"

    def group(self, *, store: str, consultant: str, source: str, model: str) -> str:
        """The group of a row: one expression per grouping; '' (one group) without `by`."""
        column = {
            None: "''",
            "store": store,
            "consultant": consultant,
            "source": source,
            "model": model,
        }[self.by]
        if self.by is None:
            return column
        return f"CASE WHEN {column} = '' THEN '{NONE_KEY}' ELSE {column} END"

    def own(self, alias: str) -> str:
        return self.group(
            store=f"{alias}.store",
            consultant=f"{alias}.consultant",
            source=f"{alias}.source",
            model=f"{alias}.model",
        )


def _walk_ins(p: _Period) -> str:
    # Stay: departure − arrival in minutes; a departure earlier than the arrival is after midnight.
    return f"""
    WITH w AS (
        SELECT w.*, {p.own("w")} AS g, w.store || ':' || w.phone_norm AS person,
               w.visit_type = 'first' AS first,
               CASE WHEN w.arrived_at IS NOT NULL AND w.left_at IS NOT NULL THEN
                    (epoch(w.left_at) - epoch(w.arrived_at)) / 60
                    + CASE WHEN w.left_at < w.arrived_at THEN 1440 ELSE 0 END END AS stay,
               -- 是否留档 empty: yes when name and phone are both given
               coalesce(w.contact_kept, w.name <> '' AND w.phone_norm <> '') AS kept,
               EXISTS (SELECT 1 FROM orders o
                       WHERE o.store = w.store AND o.phone_norm = w.phone_norm
                         AND {_standing("o", p.end)} AND o.order_date >= w.date)
                         AS ordered_after,
               EXISTS (SELECT 1 FROM orders o
                       WHERE o.store = w.store AND o.phone_norm = w.phone_norm
                         AND {_standing("o", p.end)} AND o.order_date >= {p.start})
                         AS ordered_in_period
        FROM walk_ins w
        WHERE w.date BETWEEN {p.start} AND {p.end} AND {p.stores("w")}
    )
    SELECT g,
        count(*) AS w_rows,
        count(*) FILTER (WHERE first) AS w_first,
        count(*) FILTER (WHERE visit_type = 'repeat') AS w_repeat,
        count(*) FILTER (WHERE invited) AS w_invited,
        sum(stay) FILTER (WHERE first) AS w_stay_sum,
        count(stay) FILTER (WHERE first) AS w_stay_rows,
        count(*) FILTER (WHERE first AND kept) AS w_first_kept,
        count(DISTINCT store || ':' || consultant) FILTER (WHERE first) AS w_first_consultants,
        count(*) FILTER (WHERE test_drive) AS w_test_drives,
        count(*) FILTER (WHERE quoted) AS w_quotes,
        count(DISTINCT person) FILTER (WHERE phone_norm <> '') AS w_phones,
        count(*) FILTER (WHERE phone_norm = '') AS w_no_phone,
        count(DISTINCT person) FILTER (WHERE phone_norm <> '' AND test_drive) AS w_td_phones,
        count(DISTINCT person) FILTER (WHERE phone_norm <> '' AND test_drive AND ordered_after)
            AS w_td_closed,
        count(DISTINCT person) FILTER (WHERE phone_norm <> '' AND ordered_in_period) AS w_closed
    FROM w GROUP BY g
    """


def _calls(p: _Period) -> str:
    return f"""
    WITH c AS (
        SELECT c.*, {p.own("c")} AS g, c.store || ':' || c.phone_norm AS person,
               c.date BETWEEN {p.start} AND {p.end} AS in_period,
               c.call_type = 'first' AND c.phone_norm <> ''
                   AND c.date BETWEEN {p.prev_start} AND {p.prev_end} AS invitable,
               EXISTS (SELECT 1 FROM walk_ins w
                       WHERE w.store = c.store AND w.phone_norm = c.phone_norm
                         AND w.date <= {p.end}
                         AND (w.date > c.date
                              OR (w.date = c.date AND w.arrived_at > c.called_at))) AS visited
        FROM calls c
        WHERE c.date BETWEEN {p.prev_start} AND {p.end} AND {p.stores("c")}
    )
    SELECT g,
        count(*) FILTER (WHERE in_period) AS c_rows,
        count(*) FILTER (WHERE in_period AND call_type = 'first') AS c_first,
        count(DISTINCT person) FILTER (WHERE invitable) AS c_invitable,
        count(DISTINCT person) FILTER (WHERE invitable AND visited) AS c_invited
    FROM c GROUP BY g
    """


def _standing(alias: str, day: str) -> str:
    """The order `alias` is an order on `day`: dated by then and not cancelled by then."""
    return (
        f"{alias}.order_date <= {day} "
        f"AND ({alias}.cancelled_on IS NULL OR {alias}.cancelled_on > {day})"
    )


def _undone(event_date: str, day: str) -> str:
    """No re-activation of card `c` after the closing event and by `day` has undone it."""
    return f"""NOT EXISTS (SELECT 1 FROM reactivations r
                     WHERE r.store = c.store AND r.phone_norm = c.phone_norm
                       AND r.date > {event_date} AND r.date <= {day})"""


def _closed(day: str) -> str:
    """The card `c` is closed on `day`: an order standing then, or a confirmed loss record by
    then, that no re-activation since (and by `day`) has undone. Open otherwise (once
    created)."""
    return f"""(
        EXISTS (SELECT 1 FROM orders o
                WHERE o.store = c.store AND o.phone_norm = c.phone_norm
                  AND {_standing("o", day)} AND {_undone("o.order_date", day)})
        OR EXISTS (SELECT 1 FROM losses l
                   WHERE l.store = c.store AND l.phone_norm = c.phone_norm
                     AND l.status = 'confirmed' AND l.date <= {day}
                     AND {_undone("l.date", day)}))"""


def _reactivated(p: _Period) -> str:
    return f"""EXISTS (SELECT 1 FROM reactivations r
                WHERE r.store = c.store AND r.phone_norm = c.phone_norm
                  AND r.date BETWEEN {p.start} AND {p.end})"""


# Whether each card was closed the day before the period and at its end. Owners recorded
# without a sale here (owner_kind set) are no prospects.
def _card_table(p: _Period) -> str:
    return f"""
    SELECT c.*, {p.own("c")} AS g, c.owner_kind = '' AS prospect,
        {_closed(p.before)} AS closed_before, {_closed(p.end)} AS closed_at_end,
        {_reactivated(p)} AS reactivated
    FROM customers c WHERE {p.stores("c")}
    """


def _cards(p: _Period) -> str:
    recent = f"({p.end} - {RETENTION_DAYS - 1})"
    kept_since = f"({p.end} - {CHURN_DAYS})"
    return f"""
    WITH c AS ({_card_table(p)}),
    s AS (
        SELECT c.g,
            c.prospect AND c.created BETWEEN {p.start} AND {p.end} AS new,
            c.prospect AND c.reactivated AS new_again,
            c.prospect AND c.created < {p.start} AND NOT c.closed_before AS carried,
            c.prospect AND c.created <= {p.end} AND NOT c.closed_at_end AS open_at_end,
            coalesce((SELECT a.grade_after FROM activities a
                      WHERE a.store = c.store AND a.phone_norm = c.phone_norm
                        AND a.date <= {p.end} AND a.grade_after <> ''
                      ORDER BY a.date DESC, a.rn DESC LIMIT 1), c.grade) AS grade_at_end,
            EXISTS (SELECT 1 FROM orders o
                    WHERE o.store = c.store AND o.phone_norm = c.phone_norm
                      AND {_standing("o", p.end)}
                      AND (o.delivery_date IS NULL OR o.delivery_date > {p.end})) AS awaiting,
            EXISTS (SELECT 1 FROM orders o
                    WHERE o.store = c.store AND o.phone_norm = c.phone_norm
                      AND o.cancelled_on IS NULL AND o.delivery_date <= {p.end}) AS owner,
            EXISTS (SELECT 1 FROM activities a
                    WHERE a.store = c.store AND a.phone_norm = c.phone_norm
                      AND a.activity = 'owner_care' AND a.date BETWEEN {recent} AND {p.end})
            OR EXISTS (SELECT 1 FROM service_visits v
                       WHERE v.store = c.store AND v.phone_norm = c.phone_norm
                         AND v.date BETWEEN {recent} AND {p.end}) AS retained,
            NOT EXISTS (SELECT 1 FROM service_visits v
                        WHERE v.store = c.store AND v.phone_norm = c.phone_norm
                          AND v.date BETWEEN {kept_since} AND {p.end})
            AND NOT EXISTS (SELECT 1 FROM orders o
                            WHERE o.store = c.store AND o.phone_norm = c.phone_norm
                              AND o.cancelled_on IS NULL
                              AND o.delivery_date BETWEEN {kept_since} AND {p.end}) AS churned
        FROM c
    )
    SELECT g,
        count(*) FILTER (WHERE new) + count(*) FILTER (WHERE new_again) AS p_new,
        count(*) FILTER (WHERE carried) AS p_carried,
        count(*) FILTER (WHERE open_at_end AND grade_at_end = 'H') AS p_H,
        count(*) FILTER (WHERE open_at_end AND grade_at_end = 'A') AS p_A,
        count(*) FILTER (WHERE open_at_end AND grade_at_end = 'B') AS p_B,
        count(*) FILTER (WHERE open_at_end AND grade_at_end = 'C') AS p_C,
        count(*) FILTER (WHERE awaiting) AS p_O,
        count(*) FILTER (WHERE owner) AS ow_owners,
        count(*) FILTER (WHERE owner AND retained) AS ow_retained,
        count(*) FILTER (WHERE owner AND churned) AS ow_churned
    FROM s GROUP BY g
    """


def _orders(p: _Period) -> str:
    delivered = f"o.delivery_date BETWEEN {p.start} AND {p.end} AND o.cancelled_on IS NULL"
    ordered = f"o.order_date >= {p.start} AND {_standing('o', p.end)}"
    cancelled = f"o.cancelled_on BETWEEN {p.start} AND {p.end}"
    return f"""
    WITH c AS ({_card_table(p)}),
    o AS (
        SELECT o.*, {p.own("o")} AS g,
            {ordered} AS ordered, {delivered} AS delivered, {cancelled} AS cancelled_in,
            coalesce(c.prospect AND c.created < {p.start} AND NOT c.closed_before, false)
                AS from_carried,
            coalesce(c.prospect AND (c.created BETWEEN {p.start} AND {p.end} OR c.reactivated),
                     false) AS from_new
        FROM orders o LEFT JOIN c ON c.store = o.store AND c.phone_norm = o.phone_norm
        WHERE ({ordered} OR {delivered} OR {cancelled}) AND {p.stores("o")}
    )
    SELECT g,
        count(*) FILTER (WHERE ordered) AS o_orders,
        count(*) FILTER (WHERE cancelled_in) AS o_cancelled,
        count(*) FILTER (WHERE ordered AND channel = 'showroom') AS o_showroom,
        count(*) FILTER (WHERE ordered AND from_carried) AS o_from_carried,
        count(*) FILTER (WHERE ordered AND from_new) AS o_from_new,
        count(*) FILTER (WHERE delivered) AS d_deliveries,
        count(*) FILTER (WHERE delivered AND channel = 'showroom') AS d_showroom,
        count(*) FILTER (WHERE delivered AND ceremony) AS d_ceremony,
        count(*) FILTER (WHERE delivered AND insurance) AS d_insurance,
        count(*) FILTER (WHERE delivered AND finance) AS d_finance,
        count(*) FILTER (WHERE delivered AND accessories > 0) AS d_accessories,
        count(*) FILTER (WHERE delivered AND trade_in) AS d_tradein,
        count(*) FILTER (WHERE delivered
                         AND call_3day BETWEEN delivery_date AND delivery_date + 3) AS d_call_3day,
        count(*) FILTER (WHERE delivered
                         AND letter_7day BETWEEN delivery_date AND delivery_date + 7)
            AS d_letter_7day,
        count(*) FILTER (WHERE delivered AND source = 'owner_referral') AS d_referral
    FROM o GROUP BY g
    UNION ALL BY NAME
    SELECT g, CASE WHEN source = '' THEN '{NONE_KEY}' ELSE source END AS mix_source,
        count(*) FILTER (WHERE delivered) AS d_mix
    FROM o GROUP BY ALL
    """


def _losses(p: _Period) -> str:
    group = p.group(store="l.store", consultant="l.consultant", source="c.source", model="c.model")
    return f"""
    SELECT {group} AS g,
        count(*) FILTER (WHERE l.kind = 'lost') AS l_lost,
        count(*) FILTER (WHERE l.kind = 'out_of_control') AS l_out_of_control
    FROM losses l LEFT JOIN customers c ON c.store = l.store AND c.phone_norm = l.phone_norm
    WHERE l.status = 'confirmed' AND l.date BETWEEN {p.start} AND {p.end} AND {p.stores("l")}
    GROUP BY ALL
    """


def _leads(p: _Period) -> str:
    group = p.group(
        store="d.store", consultant="d.assigned_to", source="d.channel", model="d.model"
    )
    return f"""
    WITH d AS (
        SELECT d.*, {group} AS g, CAST(d.created_at AS DATE) AS day,
            CAST(d.created_at AS DATE) BETWEEN {p.start} AND {p.end} AS created,
            d.appointment_date BETWEEN {p.start} AND {p.end} AS appointed,
            d.phone_norm <> '' AND EXISTS (
                SELECT 1 FROM walk_ins w
                WHERE w.store = d.store AND w.phone_norm = d.phone_norm
                  AND w.date >= CAST(d.created_at AS DATE)
                  AND w.date <= d.appointment_date + 3) AS shown
        FROM leads d WHERE {p.stores("d")}
    )
    SELECT g,
        count(*) FILTER (WHERE created) AS ld_leads,
        count(*) FILTER (WHERE created AND appointment_date IS NOT NULL) AS ld_appointments,
        median(epoch(first_contact_at - created_at) / 60)
            FILTER (WHERE created AND first_contact_at IS NOT NULL) AS ld_response_minutes,
        count(*) FILTER (WHERE appointed) AS ld_appointed,
        count(*) FILTER (WHERE appointed AND shown) AS ld_shown
    FROM d WHERE created OR appointed GROUP BY g
    """


# -- from counts to the KPI values ------------------------------------------------------


def _month_weights(start: date, end: date) -> dict[date, float]:
    """{first day of each month the period touches: the share of its days inside}."""
    weights: dict[date, float] = {}
    month = start.replace(day=1)
    while month <= end:
        following = (month + timedelta(days=32)).replace(day=1)
        days = (following - month).days
        inside = (min(following - timedelta(days=1), end) - max(month, start)).days + 1
        weights[month] = inside / days
        month = following
    return weights


def _ratio(numerator: Any, denominator: Any) -> float | None:
    """A rate in [0, 1], None when the denominator is 0."""
    return (numerator or 0) / denominator if denominator else None


def _exact(value: Any) -> float | None:
    """A mean or a median as it is, not rounded (docs/contracts.md, "What a value is")."""
    return None if value is None else float(value)


def values(c: dict[str, Any]) -> dict[str, Any]:
    def n(name: str) -> int:
        return int(c.get(name) or 0)

    prospects = n("p_carried") + n("p_new")
    deliveries = n("d_deliveries")
    mix: dict[str, int] = c.get("d_by_source") or {}
    stay = float(c["w_stay_sum"]) / n("w_stay_rows") if n("w_stay_rows") else None
    return {
        "walkin_batches": n("w_rows"),
        "first_visit_batches": n("w_first"),
        "repeat_visit_batches": n("w_repeat"),
        "invited_visit_batches": n("w_invited"),
        "call_batches": n("c_rows"),
        "first_call_batches": n("c_first"),
        "avg_stay_minutes": stay,
        "retention_rate": _ratio(n("w_first_kept"), n("w_first")),
        "receptions_per_consultant": _ratio(n("w_first"), n("w_first_consultants")),
        "call_invitation_rate": _ratio(n("c_invited"), n("c_invitable")),
        "new_prospects": n("p_new"),
        "carried_over_prospects": n("p_carried"),
        "prospects_H": n("p_H"),
        "prospects_A": n("p_A"),
        "prospects_B": n("p_B"),
        "prospects_C": n("p_C"),
        "prospects_O": n("p_O"),
        "active_prospects": n("p_H") + n("p_A") + n("p_B"),
        "test_drive_rate": _ratio(n("w_test_drives"), n("w_rows")),
        "quote_rate": _ratio(n("w_quotes"), n("w_rows")),
        "orders": n("o_orders"),
        "cancelled_orders": n("o_cancelled"),
        "orders_from_carried_over": n("o_from_carried"),
        "orders_from_new": n("o_from_new"),
        "deliveries": deliveries,
        "close_rate": _ratio(n("o_showroom"), n("w_first")),
        "test_drive_close_rate": _ratio(n("w_td_closed"), n("w_td_phones")),
        "order_rate": _ratio(n("o_orders"), prospects),
        "lost_rate": _ratio(n("l_lost"), prospects),
        "out_of_control_rate": _ratio(n("l_out_of_control"), prospects),
        "order_delivery_rate": _ratio(deliveries, n("o_orders")),
        "showroom_sales_ratio": _ratio(n("d_showroom"), deliveries),
        "delivery_ceremony_rate": _ratio(n("d_ceremony"), deliveries),
        "insurance_penetration": _ratio(n("d_insurance"), deliveries),
        "finance_penetration": _ratio(n("d_finance"), deliveries),
        "accessory_penetration": _ratio(n("d_accessories"), deliveries),
        "tradein_penetration": _ratio(n("d_tradein"), deliveries),
        "call_3day_rate": _ratio(n("d_call_3day"), deliveries),
        "letter_7day_rate": _ratio(n("d_letter_7day"), deliveries),
        "owner_referral_rate": _ratio(n("d_referral"), deliveries),
        "owners": n("ow_owners"),
        "owner_retention_rate": _ratio(n("ow_retained"), n("ow_owners")),
        "owner_churn_rate": _ratio(n("ow_churned"), n("ow_owners")),
        "target_attainment": _ratio(deliveries, c.get("t_target")),
        "source_mix": {k: mix[k] / deliveries for k in sorted(mix)} if deliveries else {},
        "unique_visitors": n("w_phones") + n("w_no_phone"),
        "unique_close_rate": _ratio(n("w_closed"), n("w_phones")),
        "leads": n("ld_leads"),
        "lead_response_minutes": _exact(c.get("ld_response_minutes")),
        "appointment_rate": _ratio(n("ld_appointments"), n("ld_leads")),
        "show_rate": _ratio(n("ld_shown"), n("ld_appointed")),
    }


# The CSV writes moments to the second; the database keeps fractions of a second (generated
# first contacts have them), so a median may differ by less than a second.
_TOLERANCE = {"lead_response_minutes": 1 / 60 + 1e-9}


def differences(ours: dict[str, Any], theirs: dict[str, Any], *, label: str = "") -> list[str]:
    """Where two {code: value} packs differ on the covered KPIs (rates to 1e-9)."""
    found = []
    for code in COVERED:
        a, b = ours.get(code), theirs.get(code)
        if not _same(a, b, _TOLERANCE.get(code, 1e-9)):
            found.append(f"{label}{code}: compute_kpis={a!r} duckdb={b!r}")
    return found


def grouped_differences(
    ours: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]], *, label: str = ""
) -> list[str]:
    """Per group; a group only one side lists is compared with an empty group."""
    empty = values({})
    found = []
    for group in sorted(set(ours) | set(theirs)):
        found += differences(
            ours.get(group, empty), theirs.get(group, empty), label=f"{label}[{group}] "
        )
    return found


def _same(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        if not isinstance(a, dict) or not isinstance(b, dict) or set(a) != set(b):
            return False
        return all(_same(a[k], b[k], tolerance) for k in a)
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= tolerance
