"""Customer profiles (客户画像): what the delivery interviews say, per model, for
marketing.

The interview stores its multiple choices as comma-separated codes (`DeliveryInterview.reasons`,
`usage`, `interests`); their labels live here. The profile is aggregates only — never a
customer's name or phone — in three queries whatever the number of interviews or models: one
for every count of the coded answers and intents per model, one for industries, one for how
they heard of the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Avg, CharField, Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from showroom.crm.choices import Intent
from showroom.crm.models import DeliveryInterview
from showroom.organization.models import Store

# Why they bought (购车原因). The codes are stored; keep them stable.
REASONS: list[tuple[str, Any]] = [
    ("brand", _("Brand")),
    ("price", _("Price and offer")),
    ("design", _("Design")),
    ("space", _("Space and comfort")),
    ("fuel", _("Fuel economy")),
    ("safety", _("Safety")),
    ("performance", _("Driving performance")),
    ("technology", _("Technology and equipment")),
    ("service", _("The store's service")),
    ("recommended", _("Recommended by friends or family")),
]
# What the car is for (购车用途).
USAGE: list[tuple[str, Any]] = [
    ("commute", _("Commuting")),
    ("family", _("Family use")),
    ("business", _("Business")),
    ("travel", pgettext_lazy("usage", "Trips and travel")),
    ("second_car", _("Second car")),
    ("ride_hailing", _("Ride-hailing")),
]
# Interests and hobbies (兴趣爱好).
INTERESTS: list[tuple[str, Any]] = [
    ("travel", pgettext_lazy("hobby", "Travel")),
    ("sports", _("Sports")),
    ("photography", _("Photography")),
    ("fishing", _("Fishing")),
    ("golf", _("Golf")),
    ("music", _("Music")),
    ("reading", _("Reading")),
    ("food", _("Food and cooking")),
    ("cars", _("Cars and motorsport")),
    ("outdoor", _("Camping and outdoors")),
]
# 一定/考虑/不会, in the interview's words (the model's choices say the same in English).
INTENTS: list[tuple[str, Any]] = [
    (Intent.CERTAIN.value, pgettext_lazy("intent", "Certainly")),
    (Intent.CONSIDERING.value, pgettext_lazy("intent", "Considering")),
    (Intent.NO.value, pgettext_lazy("intent", "No")),
]
# Industry is free text; these are offered as suggestions, in the dealers' words.
INDUSTRY_SUGGESTIONS: list[Any] = [
    pgettext_lazy("industry", "IT and internet"),
    pgettext_lazy("industry", "Manufacturing"),
    pgettext_lazy("industry", "Finance"),
    pgettext_lazy("industry", "Education"),
    pgettext_lazy("industry", "Medical"),
    pgettext_lazy("industry", "Self-employed"),
    pgettext_lazy("industry", "Government"),
    pgettext_lazy("industry", "Logistics"),
    pgettext_lazy("industry", "Real estate"),
    pgettext_lazy("industry", "Retail and trade"),
]

CODE_FAMILIES: dict[str, list[tuple[str, Any]]] = {
    "reasons": REASONS,
    "usage": USAGE,
    "interests": INTERESTS,
}
FAMILY_TITLES: dict[str, Any] = {
    "reasons": _("Why they bought"),
    "usage": _("Usage"),
    "interests": _("Interests and hobbies"),
    "industry": _("Industry"),
    "heard_from": _("How they heard of the store"),
    "referral_intent": _("Would refer"),
    "repurchase_intent": _("Would buy again"),
}
NOT_GIVEN = pgettext_lazy("profile", "Not given")
NO_MODEL = pgettext_lazy("profile", "No model")


def split_codes(value: str) -> list[str]:
    return [code for code in (part.strip() for part in value.split(",")) if code]


def join_codes(codes: Iterable[str]) -> str:
    return ",".join(dict.fromkeys(code for code in codes if code))


def code_labels(family: str, value: str) -> list[str]:
    """The labels of a stored comma-separated value (an unknown code shows as itself)."""
    labels = dict(CODE_FAMILIES[family])
    return [str(labels.get(code, code)) for code in split_codes(value)]


# --- the profile ------------------------------------------------------------------------


@dataclass
class Family:
    """One chart: categories (label per code) × models, each cell a number of interviews."""

    key: str
    title: str
    categories: list[tuple[str, str]]  # (code, label)
    counts: dict[str, list[int]]  # model -> one count per category
    totals: list[int] = field(default_factory=list)  # all models together

    def chart(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "categories": [label for _code, label in self.categories],
            "series": [{"name": m, "data": self.counts[m]} for m in self.counts],
        }

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """(label, count per model, total) per category, for tables."""
        return [
            (label, [self.counts[m][i] for m in self.counts], self.totals[i])
            for i, (_code, label) in enumerate(self.categories)
        ]


@dataclass
class Profile:
    start: date
    end: date
    interviews: int
    models: list[tuple[str, int]]  # (model, interviews), most first
    satisfaction: dict[str, float | None]  # model -> mean score, "" for all together
    families: list[Family]

    def charts(self) -> list[dict[str, Any]]:
        return [f.chart() for f in self.families]


def _padded(name: str) -> Concat:
    # ",a,b," so that a code is matched whole: "travel" never matches "time_travel".
    return Concat(Value(","), F(name), Value(","), output_field=CharField())


def interviews_in(
    *, stores: Iterable[Store] | QuerySet[Store], start: date, end: date, model: str = ""
) -> QuerySet[DeliveryInterview]:
    qs = DeliveryInterview.objects.filter(store__in=stores, date__range=(start, end))
    return qs.filter(order__model=model) if model else qs


def customer_profiles(
    *,
    stores: Iterable[Store] | QuerySet[Store],
    start: date,
    end: date,
    model: str = "",
) -> Profile:
    """The interviews dated start..end of `stores` (one model's when given), per model."""
    qs = interviews_in(stores=stores, start=start, end=end, model=model)
    aggregates: dict[str, Any] = {
        "n": Count("pk"),
        "score": Avg("satisfaction"),
        "scored": Count("satisfaction"),
    }
    for family, choices in CODE_FAMILIES.items():
        for code, _label in choices:
            aggregates[f"{family}__{code}"] = Count(
                "pk", filter=Q(**{f"p_{family}__contains": f",{code},"})
            )
    for name in ("referral_intent", "repurchase_intent"):
        for code in [*(c for c, _label in INTENTS), ""]:
            aggregates[f"{name}__{code}"] = Count("pk", filter=Q(**{name: code}))
    padded = {f"p_{family}": _padded(family) for family in CODE_FAMILIES}
    grouped: Iterable[Any] = (
        qs.annotate(**padded).order_by().values(m=F("order__model")).annotate(**aggregates)
    )
    rows: list[dict[str, Any]] = list(grouped)
    rows.sort(key=lambda r: (-r["n"], r["m"] or ""))
    models = [_model(r["m"]) for r in rows]

    families: list[Family] = []
    for family, choices in CODE_FAMILIES.items():
        categories = [(code, str(label)) for code, label in choices]
        families.append(_family(family, categories, rows, models))
    intent_categories = [(code, str(label)) for code, label in INTENTS]
    intent_categories.append(("", str(NOT_GIVEN)))
    for name in ("referral_intent", "repurchase_intent"):
        families.append(_family(name, intent_categories, rows, models))

    industry: Iterable[Any] = (
        qs.order_by().values(m=F("order__model"), k=F("industry")).annotate(n=Count("pk"))
    )
    families.insert(3, _grouped("industry", industry, models))
    english = (get_language() or "").startswith("en")
    heard: QuerySet[Any, Any] = qs.order_by().values(
        m=F("order__model"),
        k=F("heard_from__code"),
        label=F("heard_from__name_en" if english else "heard_from__name_zh"),
    )
    families.insert(4, _grouped("heard_from", heard.annotate(n=Count("pk")), models))

    total = sum(r["n"] for r in rows)
    satisfaction: dict[str, float | None] = {_model(r["m"]): _mean(r["score"]) for r in rows}
    # The mean over all interviews weighs each model by its scored interviews.
    scored = sum(r["scored"] for r in rows)
    points = sum(float(r["score"]) * r["scored"] for r in rows if r["scored"])
    satisfaction[""] = _mean(points / scored) if scored else None
    return Profile(
        start=start,
        end=end,
        interviews=total,
        models=[(_model(r["m"]), r["n"]) for r in rows],
        satisfaction=satisfaction,
        families=families,
    )


def _model(value: str | None) -> str:
    return value or str(NO_MODEL)


def _mean(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _family(
    key: str, categories: list[tuple[str, str]], rows: list[dict[str, Any]], models: list[str]
) -> Family:
    counts = {
        model: [row[f"{key}__{code}"] for code, _label in categories]
        for model, row in zip(models, rows, strict=True)
    }
    totals = [sum(row[f"{key}__{code}"] for row in rows) for code, _label in categories]
    return Family(key, str(FAMILY_TITLES[key]), categories, counts, totals)


def _grouped(key: str, rows: Iterable[Any], models: list[str]) -> Family:
    """A family whose categories are values found (industries, sources), most frequent first."""
    cells: dict[tuple[str, str], int] = {}
    labels: dict[str, str] = {}
    for row in rows:
        code = row["k"] or ""
        labels[code] = row.get("label") or code or str(NOT_GIVEN)
        cells[(_model(row["m"]), code)] = cells.get((_model(row["m"]), code), 0) + row["n"]
    by_code: dict[str, int] = {}
    for (_m, code), n in cells.items():
        by_code[code] = by_code.get(code, 0) + n
    codes = sorted(by_code, key=lambda c: (c == "", -by_code[c], labels[c]))
    categories = [(code, labels[code]) for code in codes]
    counts = {model: [cells.get((model, code), 0) for code in codes] for model in models}
    return Family(key, str(FAMILY_TITLES[key]), categories, counts, [by_code[c] for c in codes])
