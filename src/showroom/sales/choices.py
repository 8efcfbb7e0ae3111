from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ActivityKind(models.TextChoices):
    """营业日报表 活动类型 (the activities form, docs/contracts.md)."""

    RECEPTION = "reception", _("Showroom reception")
    CALL = "call", _("Phone follow-up")
    MESSAGE = "message", _("Message / WeChat")
    HOME_VISIT = "home_visit", _("Home visit")
    INVITATION = "invitation", _("Invitation")
    TEST_DRIVE = "test_drive", _("Test drive")
    QUOTE = "quote", _("Quote")
    ORDER = "order", _("Contract signed")
    DELIVERY = "delivery", _("Delivery")
    OWNER_CARE = "owner_care", _("Owner care")


class ActivityCategory(models.TextChoices):
    """管理 keeps existing prospects, 促进 moves one forward, 开拓 develops new ones."""

    MANAGEMENT = "management", _("Management")
    PROMOTION = "promotion", _("Promotion")
    DEVELOPMENT = "development", _("Development")


class Channel(models.TextChoices):
    # A context of its own: "Showroom" alone is the product's name (展厅管理).
    SHOWROOM = "showroom", pgettext_lazy("sales channel", "Showroom")
    SECONDARY = "secondary", _("Secondary dealer")
    FLEET = "fleet", _("Fleet")


class LossKind(models.TextChoices):
    LOST = "lost", _("Lost")
    OUT_OF_CONTROL = "out_of_control", _("Out of control")


class LossReason(models.TextChoices):
    PRICE = "price", _("Price")
    PRODUCT = "product", _("Product")
    BRAND = "brand", _("Brand")
    SERVICE = "service", _("Service")
    FINANCE = "finance", _("Financing")
    DELIVERY_TIME = "delivery_time", _("Delivery time")
    TRADE_IN = "trade_in", _("Trade-in value")
    LOCATION = "location", _("Location")
    OTHER = "other", _("Other")


class LossStatus(models.TextChoices):
    """A consultant only requests; the loss counts once a manager confirms it."""

    REQUESTED = "requested", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    RETURNED = "returned", _("Sent back for more follow-up")
