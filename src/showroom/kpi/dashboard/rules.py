"""The rules of the diagnostics (`showroom.kpi.dashboard.diagnostics`): the stages, the seeds'
contrasts and KPI tree, each with its evidence and the actions to take."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.IntegerChoices):
    LOW = 1, pgettext_lazy("severity", "Low")
    MEDIUM = 2, pgettext_lazy("severity", "Medium")
    HIGH = 3, pgettext_lazy("severity", "High")


STAGES: dict[str, Promise] = {
    "leads": pgettext_lazy("funnel stage", "Leads"),
    "appointments": pgettext_lazy("funnel stage", "Appointments"),
    "visits": pgettext_lazy("funnel stage", "Store visits"),
    "test_drives": pgettext_lazy("funnel stage", "Test drives"),
    "negotiation": pgettext_lazy("funnel stage", "Negotiation"),
    "orders": pgettext_lazy("funnel stage", "Orders"),
    "deliveries": pgettext_lazy("funnel stage", "Deliveries"),
}

# The rows a rate is computed over (its denominator's KPIs, summed).
BASE: dict[str, tuple[str, ...]] = {
    "appointment_rate": ("leads",),
    "retention_rate": ("first_visit_batches",),
    "test_drive_rate": ("walkin_batches",),
    "quote_rate": ("walkin_batches",),
    "close_rate": ("first_visit_batches",),
    "order_rate": ("carried_over_prospects", "new_prospects"),
    "order_delivery_rate": ("orders",),
}


@dataclass(frozen=True)
class Rule:
    code: str
    stage: str
    title: Promise
    low: str  # the weak KPI: low, measured, its consultant flagged
    high: str | None  # the strong KPI before it (the seed's contrasts), or None
    evidence: tuple[str, ...]
    actions: tuple[Promise, ...]


# Beijing Hyundai, "展厅客流成交分析": what a manager does when one stage is strong and the
# next one weak.
CONTRASTS: tuple[Rule, ...] = (
    Rule(
        "few_visitors",
        "visits",
        _("Few visitors but a high close rate"),
        low="first_visit_batches",
        high="close_rate",
        evidence=("first_visit_batches", "close_rate", "orders"),
        actions=(_("Bring more visitors through marketing activities."),),
    ),
    Rule(
        "few_test_drives",
        "test_drives",
        _("Many visitors but few test drives"),
        low="test_drive_rate",
        high="walkin_batches",
        evidence=("walkin_batches", "test_drive_rate"),
        actions=(
            _("Promote test drives in the store's campaigns."),
            _("Consultants must offer every visitor a test drive."),
        ),
    ),
    Rule(
        "little_negotiation",
        "negotiation",
        _("Many test drives but little negotiation"),
        low="quote_rate",
        high="test_drive_rate",
        evidence=("test_drive_rate", "quote_rate"),
        actions=(
            _("Check how test drives are run and the test-drive route."),
            _("Have consultants practise leading the customer from the test drive to negotiation."),
        ),
    ),
    Rule(
        "few_orders",
        "orders",
        _("Much negotiation but few orders"),
        low="close_rate",
        high="quote_rate",
        evidence=("quote_rate", "close_rate", "orders"),
        actions=(
            _(
                "Raise the consultants' selling skills with internal training and role play: "
                "product presentation, quoting, handling objections."
            ),
        ),
    ),
)

# Infiniti, "展厅效率管理KPI架构": a low node and the causes to check under it.
TREE: tuple[Rule, ...] = (
    Rule(
        "low_leads",
        "leads",
        _("Low lead count"),
        low="leads",
        high=None,
        evidence=("leads", "walkin_batches", "retention_rate"),
        actions=(
            _("Check the events outside the store."),
            _("Check the events in the store."),
            _("Check the development of online media."),
            _("Check the contact retention of walk-in visitors."),
            _("Check the walk-in traffic."),
            _("Check referrals by owners."),
        ),
    ),
    # The lead desk's stage between the lead and the visit (lead → contacted → appointment →
    # shown): leads nobody invites, or invites too late.
    Rule(
        "low_appointment_rate",
        "appointments",
        _("Few leads given an appointment"),
        low="appointment_rate",
        high=None,
        evidence=("leads", "appointment_rate", "show_rate"),
        actions=(
            _("Check the first-response time of the leads and the escalation list."),
            _("Check the DCC's invitation script."),
            _("Check the leads closed without an appointment, by reason."),
            _("Call back yesterday's no-shows every morning."),
        ),
    ),
    Rule(
        "low_visits",
        "visits",
        _("Low store-visit count"),
        low="walkin_batches",
        high=None,
        evidence=("walkin_batches", "first_visit_batches", "invited_visit_batches", "show_rate"),
        actions=(
            _("Check the store-visit rate of each of the seven channels."),
            _("Check the visit rate of first invitations."),
            _("Check the visit rate of repeat invitations."),
            _("Check the invitation script."),
            _("Check the visits consultants pay to customers."),
        ),
    ),
    Rule(
        "low_quote_rate",
        "negotiation",
        _("Low quote rate"),
        low="quote_rate",
        high=None,
        evidence=("quote_rate", "test_drive_rate", "avg_stay_minutes"),
        actions=(
            _("Check the needs analysis."),
            _("Check how long visitors stay in the showroom."),
            _("Check the test-drive rate."),
            _("Check the product presentation script."),
            _("Check the invitations to come back."),
        ),
    ),
    Rule(
        "low_order_rate",
        "orders",
        _("Low order rate"),
        low="order_rate",
        high=None,
        evidence=("order_rate", "orders", "carried_over_prospects", "new_prospects"),
        actions=(
            _("Check the average time from a prospect's visit to the order."),
            _("Check the share of quotes ordered the same day."),
            _("Check how many quoted customers come back."),
            _("Check the manager's support on the showroom floor."),
        ),
    ),
    Rule(
        "low_delivery_rate",
        "deliveries",
        _("Low order-to-delivery rate"),
        low="order_delivery_rate",
        high=None,
        evidence=("order_delivery_rate", "deliveries", "orders"),
        actions=(
            _("Check the order management."),
            _("Check the stock."),
            _("Check the delivery process."),
        ),
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in (*CONTRASTS, *TREE)}
ORDER = {code: i for i, code in enumerate(RULES)}
