from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """Prospect grades (意向级别) and what each means: docs/glossary.md."""

    O = "O", _("O (order)")  # noqa: E741  (the grade is called O)
    H = "H", "H"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


# Follow-up cadence per grade, in days: O at least weekly until delivery, H every 2 days,
# A every 7, B every 14, C every 30.
# The defaults: a store sets its own (customers.FollowUpSettings).
CADENCE_DAYS: dict[str, int] = {Grade.O: 7, Grade.H: 2, Grade.A: 7, Grade.B: 14, Grade.C: 30}
# A prospect without contact for this many days is dormant (the CRM's dormant list and report).
DORMANT_DAYS = 90


class CustomerType(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    OWNER = "owner", _("Owner")
    LOST = "lost", _("Lost")
    OUT_OF_CONTROL = "out_of_control", _("Out of control")
    DORMANT = "dormant", _("Dormant")


class OwnerKind(models.TextChoices):
    """Owners recorded without a sale here are not prospects (docs/contracts.md)."""

    NONE = "", _("Sales funnel (prospect or own sale)")
    OWN_BRAND_ELSEWHERE = "elsewhere", _("Own-brand owner, sold elsewhere")
    OTHER_BRAND = "other_brand", _("Other-brand owner")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Payment(models.TextChoices):
    FULL = "full", _("Full payment")
    INSTALLMENT = "installment", _("Installments")


class PurchaseType(models.TextChoices):
    FIRST = "first", _("First purchase")
    REPLACEMENT = "replacement", _("Replacement")
    ADDITIONAL = "additional", _("Additional purchase")


# The source codes that always exist (docs/contracts.md), with their Chinese and English names.
STANDARD_SOURCES: list[tuple[str, str, str]] = [
    ("internet", "网络(汽车网站)", "Internet (car websites)"),
    ("oem", "厂家官网/400", "Manufacturer website / 400 line"),
    ("media", "电视/广播/报纸", "TV / radio / newspaper"),
    ("outdoor", "户外广告", "Outdoor advertising"),
    ("friend", "朋友介绍", "Friend"),
    ("owner_referral", "老客户推荐", "Owner referral"),
    ("walk_by", "路过", "Passing by"),
    ("exhibition", "车展/外展", "Motor show / exhibition"),
    ("invitation", "电话邀约", "Phone invitation"),
    ("fleet", "大客户/集团", "Fleet / corporate"),
    ("other", "其他", "Other"),
]
