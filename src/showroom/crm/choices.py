from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ListKind(models.TextChoices):
    """What a call list is built from (售后招揽, 客户名单筛选, 客户激活; docs/glossary.md)."""

    # Screening lists (客户名单筛选) and activation (客户激活): interested people go to sales.
    FINANCE_ENDING = "finance_ending", _("Finance ending")
    WARRANTY_ENDING = "warranty_ending", _("Warranty ending")
    INSURANCE_ENDING = "insurance_ending", _("Insurance ending")
    INTERVIEW_INTENT = "interview_intent", _("Referral or repurchase intent at delivery")
    DORMANT = "dormant", _("Dormant customers")
    ACTIVATION = "activation", _("Lost and out-of-control customers")
    PARTNER = "partner", _("Partner or exhibition list")
    # After-sales solicitation: interested owners go to the service department.
    INSURANCE_RENEWAL = "insurance_renewal", _("Insurance renewal")
    MAINTENANCE_DUE = "maintenance_due", _("Maintenance due")
    RECALL = "recall", _("Recall campaign")
    OWNER_WINBACK = "owner_winback", _("Lost-owner win-back")


AFTERSALES_KINDS = frozenset(
    {
        ListKind.INSURANCE_RENEWAL,
        ListKind.MAINTENANCE_DUE,
        ListKind.RECALL,
        ListKind.OWNER_WINBACK,
    }
)


class ListStatus(models.TextChoices):
    WORKING = "working", _("Being called")
    SUBMITTED = "submitted", _("Submitted to the manager")
    CLOSED = "closed", pgettext_lazy("call list", "Closed")


class CallOutcome(models.TextChoices):
    NOT_REACHED = "not_reached", _("Not reached")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    NOT_INTERESTED = "not_interested", _("Not interested")
    CALL_BACK = "call_back", _("Call back later")
    INTERESTED = "interested", _("Interested")


class EntryResult(models.TextChoices):
    """Where a submitted entry ended: an order (or, after-sales, a visit back) or closed."""

    OPEN = "", pgettext_lazy("call list", "Open")
    WON = "won", _("Won")
    CLOSED = "closed", pgettext_lazy("call list", "Closed")


class CheckCode(models.TextChoices):
    """The data cross-check's exception codes (数据交叉比对)."""

    KEPT_WITHOUT_CUSTOMER = "kept_without_customer", _("Contact kept, no customer card")
    KEPT_WITHOUT_PHONE = "kept_without_phone", _("Contact kept, no phone")
    CUSTOMER_WITHOUT_CONTACT = "customer_without_contact", _("Card without a visit, call or lead")
    MISSING_GRADE = "missing_grade", _("First visit kept without a grade")
    MISSING_MODEL = "missing_model", _("Contact kept without a model")
    SHORT_STAY_HIGH_GRADE = "short_stay_high_grade", _("Short stay for an H or A grade")
    DUPLICATE_HAND_CARD = "duplicate_hand_card", _("Hand card used twice in a day")
    RETENTION_OUTLIER = "retention_outlier", _("Contact-keeping rate far below the store's")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("cross-check status", "Open")
    FIXED = "fixed", _("Fixed")
    EXPLAINED = "explained", _("Explained")


class Intent(models.TextChoices):
    """一定/考虑/不会: used for referral and repurchase intent at the delivery interview."""

    CERTAIN = "certain", _("Certainly")
    CONSIDERING = "considering", _("Considering")
    NO = "no", _("No")


class SurveyKind(models.TextChoices):
    PROSPECT = "prospect", _("Prospects (bought or not)")
    OWNER = "owner", _("Owners")


class QuestionKind(models.TextChoices):
    SCORE = "score", _("Score 1–5")
    YES_NO = "yes_no", _("Yes or no")
    CHOICE = "choice", _("One of a list")
    TEXT = "text", _("Free text")
