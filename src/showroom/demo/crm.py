"""What the CRM department adds to a generated store: marketing spend per channel,
delivery interviews, satisfaction surveys with their answers, the daily intent checks, and
prospects gone quiet marked dormant.

It runs after the store's days are built, on their rows in memory, with its own random stream
(seeded from the store's), so the traffic and deals are the same with or without it.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from datetime import time as dtime

from showroom.crm.choices import Intent, QuestionKind, SurveyKind
from showroom.crm.models import Survey, SurveyQuestion, SurveyResponse
from showroom.customers.choices import CustomerType, OwnerKind
from showroom.customers.phones import normalize_phone
from showroom.demo.bulk import IdPool, Row
from showroom.demo.store import StoreBuilder
from showroom.organization.choices import Role
from showroom.organization.models import Staff
from showroom.traffic.models import stay_minutes

# Monthly spend per channel: (yuan per first visit from it, fixed part), roughly what a
# 4S store pays; outdoor and media are mostly fixed contracts, the internet per lead.
SPEND = {
    "internet": (260, 8_000),
    "oem": (60, 2_000),
    "media": (420, 25_000),
    "outdoor": (300, 12_000),
    "exhibition": (900, 0),
}
DORMANT_AFTER = 90  # days without a contact before an open prospect counts as dormant
DORMANT_SHARE = 0.2  # of the open prospects older than that
INTERVIEWED = 0.75  # share of deliveries with a delivery interview
CHECKS_PER_DAY = 3  # new prospects sampled for the intent check each day
PROSPECT_SURVEYED = 0.12
OWNER_SURVEYED = 0.08

# The codes of the interview's multiple choices (the labels live in crm.profiles).
REASONS = {"brand": 30, "price": 22, "space": 18, "fuel": 12, "service": 10, "design": 14}
USAGE = {"commute": 45, "family": 35, "business": 12, "travel": 8}
INTERESTS = {"travel": 30, "sports": 18, "photography": 10, "fishing": 8, "golf": 5, "music": 12}
INDUSTRIES = ["IT", "制造业", "金融", "教育", "医疗", "个体经营", "政府机关", "物流"]
INTENT_SHARES = {Intent.CERTAIN.value: 35, Intent.CONSIDERING.value: 45, Intent.NO.value: 20}

# (kind, title, [(question, answer kind, options)]): a store's two standard surveys.
SURVEYS = [
    (
        SurveyKind.PROSPECT,
        "意向客户满意度调查",
        [
            ("展厅接待是否热情专业？", QuestionKind.SCORE, ""),
            ("销售顾问对车辆的介绍是否清楚？", QuestionKind.SCORE, ""),
            ("是否为您安排了试乘试驾？", QuestionKind.YES_NO, ""),
            ("您最终选择的品牌", QuestionKind.CHOICE, "本品牌\n竞品品牌\n尚未决定"),
            ("您对我们的建议", QuestionKind.TEXT, ""),
        ],
    ),
    (
        SurveyKind.OWNER,
        "保有客户满意度调查",
        [
            ("对交车过程是否满意？", QuestionKind.SCORE, ""),
            ("对售后服务是否满意？", QuestionKind.SCORE, ""),
            ("是否愿意向朋友推荐本店？", QuestionKind.YES_NO, ""),
        ],
    ),
]
COMMENTS = ["", "", "", "希望周末多安排试驾", "价格再优惠些", "顾问很专业", "等待时间有点长"]


class CrmBuilder:
    """The CRM rows of one store, built from a finished StoreBuilder."""

    def __init__(
        self, store: StoreBuilder, staff: list[Staff], rng: random.Random, start: date
    ) -> None:
        self.b = store
        self.rng = rng
        self.start = start
        self.crm_id = next((s.pk for s in staff if s.roles == Role.CRM), None)
        self.media_spend: list[Row] = []
        self.surveys: list[Row] = []
        self.survey_questions: list[Row] = []
        self.survey_responses: list[Row] = []
        self.survey_answers: list[Row] = []
        self.intent_checks: list[Row] = []
        self.interviews: list[Row] = []
        self._pending: list[tuple[Row, list[Row]]] = []  # responses waiting for their ids

    def run(self) -> None:
        self._slips()
        self._dormant()
        self._spend()
        self._interviews()
        self._intent_checks()
        self._surveys()

    def _pick(self, table: dict[str, int], k: int = 1) -> list[str]:
        codes = list(table)
        chosen: list[str] = []
        while len(chosen) < k:
            code = self.rng.choices(codes, weights=list(table.values()))[0]
            if code not in chosen:
                chosen.append(code)
        return chosen

    def _slips(self) -> None:
        """On top of the register's everyday slips (walkins.py), one of each kind the data
        cross-check looks for in its last 30 days, so that the demo shows them all:
        a phone mistyped on a kept row (no card has it, and the card made from it has no visit
        with its own phone), a short stay graded H or A, a hand card given out twice in a day, and a
        kept row without a phone."""
        first_day = self.b.last_day - timedelta(days=29)
        recent = [w for w in self.b.walk_ins if w.date >= first_day]
        kept = [
            w
            for w in recent
            if w.completed
            and w.visit_type == "first"
            and getattr(w, "customer_id", None) is not None
            and w.phone
            and getattr(w, "left_at", None) is not None
        ]
        r = self.rng
        seen: dict[str, int] = defaultdict(int)
        for row in (*self.b.walk_ins, *self.b.calls, *self.b.leads):
            seen[getattr(row, "phone_norm", "")] += 1
        # The mistyped row is a card's only contact, without a test drive or quote to match.
        lonely = [
            w
            for w in kept
            if seen[w.phone_norm] == 1
            and not getattr(w, "test_drive", False)
            and not getattr(w, "quoted", False)
        ]
        high = [w for w in kept if w.grade in {"H", "A"}]
        if not lonely or not high:
            return
        typo, short = r.choice(lonely), r.choice(high)
        phone = typo.phone[:-4] + f"{(int(typo.phone[-4:]) + 1) % 10_000:04d}"
        if seen.get(normalize_phone(phone)):
            return  # the slip would be somebody else's number
        typo.phone, typo.phone_norm, typo.customer_id = phone, normalize_phone(phone), None
        minutes = short.arrived_at.hour * 60 + short.arrived_at.minute + r.randint(6, 12)
        short.left_at = dtime(minutes // 60, minutes % 60)
        short.stay_minutes = stay_minutes(short.arrived_at, short.left_at)
        same_day = [w for w in recent if w.date == short.date and w is not short]
        if same_day and short.hand_card:
            r.choice(same_day).hand_card = short.hand_card
        anonymous = [
            w
            for w in recent
            if w.completed and not w.phone and getattr(w, "contact_kept", None) is not True
        ]
        if anonymous:
            r.choice(anonymous).contact_kept = True

    def _dormant(self) -> None:
        """Some older open prospects go quiet: their consultant stops calling after the first
        weeks, and the card is marked dormant (休眠) once DORMANT_AFTER days pass without a
        contact — the CRM's activation list finds them."""
        cutoff = self.b.last_day - timedelta(days=DORMANT_AFTER)
        quiet: dict[int, date] = {}
        for card in self.b.customers:
            if card.customer_type != CustomerType.PROSPECT or card.created > cutoff:
                continue
            if getattr(card, "owner_kind", OwnerKind.NONE) != OwnerKind.NONE:
                continue
            if self.rng.random() < DORMANT_SHARE:
                quiet[card.id] = card.created + timedelta(days=self.rng.randint(7, 30))
                card.customer_type = CustomerType.DORMANT.value
        if not quiet:
            return
        self.b.activities[:] = [
            a for a in self.b.activities if a.date <= quiet.get(a.customer_id, a.date)
        ]
        self.b.grade_changes[:] = [
            g for g in self.b.grade_changes if g.date <= quiet.get(g.customer_id, g.date)
        ]
        # The card still says what the last contact left: its grade and (overdue) next date.
        grade: dict[int, str] = {}
        for g in self.b.grade_changes:
            if g.customer_id in quiet:
                grade[g.customer_id] = g.new_grade
        follow_up: dict[int, date | None] = {}
        for a in self.b.activities:
            if a.customer_id in quiet:
                follow_up[a.customer_id] = getattr(a, "next_date", None)
        for card in self.b.customers:
            if card.id in quiet:
                card.grade = grade.get(card.id, card.grade)
                card.next_follow_up = follow_up.get(card.id)

    def _spend(self) -> None:
        visits: dict[tuple[date, int], int] = defaultdict(int)
        for w in self.b.walk_ins:
            if getattr(w, "source_id", None) is not None and w.visit_type == "first":
                visits[(w.date.replace(day=1), w.source_id)] += 1
        month = self.start.replace(day=1)
        while month <= self.b.last_day:
            for code, (per_visit, fixed) in SPEND.items():
                source = self.b.sources.get(code)
                if source is None:
                    continue
                n = visits.get((month, source), 0)
                if code == "exhibition" and n == 0:
                    continue
                amount = fixed + per_visit * n * self.rng.uniform(0.8, 1.25)
                # Car websites sell model pages: part of that spend promotes the two best
                # sellers by name, the rest the store.
                parts = [("", 1.0)]
                if code == "internet" and len(self.b.models) >= 2:
                    parts = [(self.b.models[0], 0.35), (self.b.models[1], 0.25), ("", 0.4)]
                for model, share in parts:
                    self.media_spend.append(
                        Row(
                            store_id=self.b.store_id,
                            month=month,
                            source_id=source,
                            model=model,
                            amount=int(round(amount * share, -2)),
                            notes="",
                        )
                    )
            month = (month + timedelta(days=32)).replace(day=1)

    def _interviews(self) -> None:
        r = self.rng
        for order in self.b.orders:
            day = getattr(order, "delivery_date", None)
            if day is None or r.random() > INTERVIEWED:
                continue
            day = min(day + timedelta(days=r.choice((0, 0, 1, 2))), self.b.last_day)
            self.interviews.append(
                Row(
                    store_id=self.b.store_id,
                    order_id=order.id,
                    customer_id=order.customer_id,
                    date=day,
                    interviewer_id=self.crm_id,
                    reasons=",".join(self._pick(REASONS, r.choice((1, 2, 2, 3)))),
                    usage=",".join(self._pick(USAGE, r.choice((1, 1, 2)))),
                    interests=",".join(self._pick(INTERESTS, r.choice((1, 2)))),
                    industry=r.choice(INDUSTRIES),
                    heard_from_id=getattr(order, "source_id", None),
                    referral_intent=self._pick(INTENT_SHARES)[0],
                    repurchase_intent=self._pick(INTENT_SHARES)[0],
                    satisfaction=r.choices((5, 4, 3, 2), weights=(55, 32, 10, 3))[0],
                    notes="",
                )
            )

    def _intent_checks(self) -> None:
        """Each day the CRM calls a few of yesterday's new prospects (意向状态核实)."""
        r = self.rng
        by_day: dict[date, list[Row]] = defaultdict(list)
        for card in self.b.customers:
            if getattr(card, "owner_kind", OwnerKind.NONE) == OwnerKind.NONE:
                by_day[card.created].append(card)
        for day in sorted(by_day):
            sampled_on = day + timedelta(days=1)
            if sampled_on > self.b.last_day:
                continue
            cards = by_day[day]
            for card in r.sample(cards, min(CHECKS_PER_DAY, len(cards))):
                called = sampled_on < self.b.last_day or r.random() < 0.5
                reached = called and r.random() < 0.8
                self.intent_checks.append(
                    Row(
                        store_id=self.b.store_id,
                        customer_id=card.id,
                        sampled_on=sampled_on,
                        called_on=sampled_on if called else None,
                        called_by_id=self.crm_id if called else None,
                        reached=reached if called else None,
                        record_true=(r.random() < 0.92) if reached else None,
                        satisfied=(r.random() < 0.86) if reached else None,
                        notes="",
                    )
                )

    def _surveys(self) -> None:
        r = self.rng
        survey_ids, question_ids = IdPool(Survey, 10), IdPool(SurveyQuestion, 20)
        response_ids = IdPool(SurveyResponse)
        questions: dict[str, list[Row]] = {}
        for kind, title, items in SURVEYS:
            survey = Row(
                id=survey_ids.take(), store_id=self.b.store_id, kind=kind, title=title, active=True
            )
            self.surveys.append(survey)
            questions[kind] = []
            for position, (text, qkind, options) in enumerate(items, start=1):
                q = Row(
                    id=question_ids.take(),
                    survey_id=survey.id,
                    position=position,
                    text=text,
                    kind=qkind,
                    options=options,
                )
                self.survey_questions.append(q)
                questions[kind].append(q)
        prospect, owner = self.surveys[0], self.surveys[1]
        ordered = {o.customer_id for o in self.b.orders if not getattr(o, "cancelled", False)}
        for card in self.b.customers:
            if getattr(card, "owner_kind", OwnerKind.NONE) != OwnerKind.NONE:
                continue
            day = card.created + timedelta(days=r.randint(20, 45))
            if day > self.b.last_day or r.random() > PROSPECT_SURVEYED:
                continue
            bought = card.id in ordered
            self._response(prospect, questions[SurveyKind.PROSPECT], card.id, day, bought)
        for visit in self.b.service_visits:
            day = visit.date + timedelta(days=r.randint(1, 5))
            if day > self.b.last_day or r.random() > OWNER_SURVEYED:
                continue
            self._response(owner, questions[SurveyKind.OWNER], visit.customer_id, day, None)
        for response, _ in self._pending:
            response.id = response_ids.take()
        for response, answers in self._pending:
            for answer in answers:
                answer.response_id = response.id
            self.survey_responses.append(response)
            self.survey_answers.extend(answers)

    def _response(
        self, survey: Row, questions: list[Row], customer: int, day: date, bought: bool | None
    ) -> None:
        r = self.rng
        happy = r.random() < 0.8
        response = Row(
            store_id=self.b.store_id,
            survey_id=survey.id,
            customer_id=customer,
            date=day,
            taken_by_id=self.crm_id,
            bought=bought,
            source_correct=(r.random() < 0.9) if bought is not None else None,
        )
        answers = []
        for q in questions:
            score, value = None, ""
            if q.kind == QuestionKind.SCORE:
                score = r.choice((4, 5, 5)) if happy else r.choice((2, 3, 4))
            elif q.kind == QuestionKind.YES_NO:
                value = "yes" if r.random() < (0.85 if happy else 0.5) else "no"
            elif q.kind == QuestionKind.CHOICE:
                options = q.options.split("\n")
                value = options[0] if bought else r.choice(options[1:])
            else:
                value = r.choice(COMMENTS)
                if not value:
                    continue
            answers.append(Row(question_id=q.id, score=score, value=value))
        self._pending.append((response, answers))
