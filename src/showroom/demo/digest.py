"""A fingerprint of a generated store: the same seed must give the same data, whatever
else is in the database (and whether the stores were written side by side or one by one)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from showroom.crm.models import (
    DeliveryInterview,
    IntentCheck,
    MediaSpend,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from showroom.customers.models import Customer, GradeChange
from showroom.organization.models import Staff, Store
from showroom.owners.models import ServiceVisit, Vehicle
from showroom.sales.models import (
    Activity,
    DailyReview,
    LossReport,
    Order,
    Quote,
    Reactivation,
    TestDrive,
)
from showroom.traffic.models import Call, Lead, WalkIn


def store_digest(store: Store) -> str:
    """A fingerprint of everything generated for a store, free of ids and timestamps."""
    digest = hashlib.sha256()
    digest.update(repr((store.code, store.name, store.brand, store.time_zone)).encode())
    tables = [
        Staff.objects.filter(store=store).values_list(
            "username", "full_name", "staff_code", "roles", "rotation_order"
        ),
        Customer.objects.filter(store=store).values_list(
            "name",
            "phone",
            "phone_norm",
            "customer_type",
            "consultant__staff_code",
            "grade",
            "source__code",
            "model",
            "purchase_timeframe",
            "created",
            "notes",
            "owner_kind",
            "gender",
            "region",
            "industry",
            "configuration",
            "colour",
            "budget",
            "payment",
            "purchase_type",
            "competitor_models",
            "vip",
            "referred_by__phone_norm",
            "next_follow_up",
        ),
        WalkIn.objects.filter(store=store).values_list(
            "date",
            "arrived_at",
            "left_at",
            "stay_minutes",
            "party_size",
            "visit_type",
            "name",
            "phone",
            "phone_norm",
            "source__code",
            "model",
            "consultant__staff_code",
            "invited",
            "test_drive",
            "quoted",
            "grade",
            "contact_kept",
            "hand_card",
            "notes",
            "customer__phone_norm",
            "completed",
        ),
        Call.objects.filter(store=store).values_list(
            "date",
            "called_at",
            "call_type",
            "name",
            "phone",
            "phone_norm",
            "source__code",
            "model",
            "consultant__staff_code",
            "contact_kept",
            "appointment_date",
            "grade",
            "notes",
            "customer__phone_norm",
            "completed",
        ),
        Lead.objects.filter(store=store).values_list(
            "created_at",
            "date",
            "channel__code",
            "name",
            "phone",
            "phone_norm",
            "email",
            "model",
            "assigned_to__staff_code",
            "first_contact_at",
            "appointment_date",
            "notes",
            "customer__phone_norm",
        ),
        GradeChange.objects.filter(store=store).values_list(
            "customer__phone_norm", "date", "old_grade", "new_grade", "changed_by__staff_code"
        ),
        Activity.objects.filter(store=store).values_list(
            "customer__phone_norm",
            "consultant__staff_code",
            "date",
            "kind",
            "category",
            "grade_after",
            "next_date",
            "later_reason",
            "not_closed_reason",
            "notes",
        ),
        TestDrive.objects.filter(store=store).values_list(
            "customer__phone_norm",
            "consultant__staff_code",
            "date",
            "model",
            "route",
            "duration_minutes",
        ),
        Quote.objects.filter(store=store).values_list(
            "customer__phone_norm", "consultant__staff_code", "date", "model", "amount", "notes"
        ),
        Order.objects.filter(store=store).values_list(
            "customer__phone_norm",
            "consultant__staff_code",
            "order_date",
            "model",
            "channel",
            "source__code",
            "deposit",
            "contract_no",
            "vin",
            "delivery_date",
            "ceremony",
            "insurance",
            "finance",
            "accessories",
            "extended_warranty",
            "trade_in",
            "call_3day",
            "letter_7day",
            "cancelled",
            "cancelled_on",
            "price",
            "colour",
        ),
        LossReport.objects.filter(store=store).values_list(
            "customer__phone_norm",
            "consultant__staff_code",
            "date",
            "kind",
            "grade",
            "competitor_brand",
            "competitor_model",
            "reason",
            "description",
            "status",
            "decided_by__staff_code",
            "decided_on",
            "manager_note",
        ),
        Vehicle.objects.filter(store=store).values_list(
            "customer__phone_norm",
            "order__contract_no",
            "vin",
            "plate",
            "brand",
            "model",
            "delivery_date",
            "insurance_end",
            "finance_end",
            "warranty_end",
        ),
        ServiceVisit.objects.filter(store=store).values_list(
            "customer__phone_norm",
            "vehicle__vin",
            "date",
            "kind",
            "amount",
            "notes",
            "vin",
            "plate",
            "mileage",
            "advisor",
        ),
        Reactivation.objects.filter(store=store).values_list(
            "customer__phone_norm",
            "date",
            "consultant__staff_code",
            "by__staff_code",
            "list_name",
            "reason",
        ),
        DailyReview.objects.filter(store=store).values_list(
            "consultant__staff_code", "date", "reviewed_by__staff_code", "reviewed_at", "comment"
        ),
        MediaSpend.objects.filter(store=store).values_list(
            "month", "source__code", "model", "amount", "notes"
        ),
        Survey.objects.filter(store=store).values_list("kind", "title", "active"),
        SurveyQuestion.objects.filter(survey__store=store).values_list(
            "survey__title", "position", "text", "kind", "options"
        ),
        IntentCheck.objects.filter(store=store).values_list(
            "customer__phone_norm",
            "sampled_on",
            "called_on",
            "called_by__staff_code",
            "reached",
            "record_true",
            "satisfied",
        ),
        DeliveryInterview.objects.filter(store=store).values_list(
            "order__contract_no",
            "customer__phone_norm",
            "date",
            "interviewer__staff_code",
            "reasons",
            "usage",
            "interests",
            "industry",
            "heard_from__code",
            "referral_intent",
            "repurchase_intent",
            "satisfaction",
        ),
        SurveyResponse.objects.filter(store=store).values_list(
            "survey__title", "customer__phone_norm", "date", "bought", "source_correct"
        ),
        SurveyAnswer.objects.filter(response__store=store).values_list(
            "response__customer__phone_norm", "question__text", "score", "value"
        ),
    ]
    for rows in tables:
        for row in rows.order_by("id"):
            # Drivers hand back aware datetimes with different tzinfo objects: compare instants.
            values = tuple(v.timestamp() if isinstance(v, datetime) else v for v in row)
            digest.update(repr(values).encode())
    return digest.hexdigest()
