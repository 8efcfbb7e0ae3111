"""Test data builders (factory-boy), shared by the tests of every app.

factory-boy is a test dependency, so this module lives in the test tree, not in the package.
"""

from __future__ import annotations

import datetime as dt

import factory

from showroom.customers.models import Customer, Source
from showroom.organization.choices import Role
from showroom.organization.models import DealerGroup, Staff, Store
from showroom.traffic.choices import CallType, VisitType
from showroom.traffic.models import Call, WalkIn


class DealerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealerGroup
        django_get_or_create = ("name",)

    name = "测试集团"


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    group = factory.SubFactory(DealerGroupFactory)
    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.Sequence(lambda n: f"测试店{n}")
    brand = "北京现代"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    store = factory.SubFactory(StoreFactory)
    # The sequence runs on through the whole session. Zero-padding keeps the creation order when
    # staff are sorted by username or name, and the "F" + five digits staff code never meets the
    # codes that fixtures and tests spell out (a letter and three digits: C001, S001…).
    username = factory.Sequence(lambda n: f"user{n:05d}")
    full_name = factory.Sequence(lambda n: f"顾问{n:05d}")
    staff_code = factory.Sequence(lambda n: f"F{n:05d}")
    roles = Role.CONSULTANT
    password = factory.django.Password("pass-1234")


def source(code: str) -> Source:
    return Source.objects.get(store__isnull=True, code=code)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"客户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    consultant = factory.SubFactory(StaffFactory, store=factory.SelfAttribute("..store"))
    grade = "B"
    model = "途胜"
    created = dt.date(2026, 10, 1)


class WalkInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WalkIn

    store = factory.SubFactory(StoreFactory)
    date = dt.date(2026, 10, 1)
    arrived_at = dt.time(10, 0)
    visit_type = VisitType.FIRST
    consultant = factory.SubFactory(StaffFactory, store=factory.SelfAttribute("..store"))


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    store = factory.SubFactory(StoreFactory)
    date = dt.date(2026, 10, 1)
    called_at = dt.time(10, 0)
    call_type = CallType.FIRST
    consultant = factory.SubFactory(StaffFactory, store=factory.SelfAttribute("..store"))


# --- crm: delivery interviews, surveys, media spend ---------------------------------------


class DeliveryInterviewFactory(factory.django.DjangoModelFactory):
    """Pass `order=` (a delivered sales.Order); store and customer follow it."""

    class Meta:
        model = "crm.DeliveryInterview"

    store = factory.SelfAttribute("order.store")
    customer = factory.SelfAttribute("order.customer")
    date = factory.LazyAttribute(lambda o: o.order.delivery_date or dt.date(2026, 10, 1))


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crm.Survey"

    store = factory.SubFactory(StoreFactory)
    kind = "prospect"
    title = factory.Sequence(lambda n: f"满意度调查{n}")


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crm.SurveyQuestion"

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"问题{n}")
    kind = "score"


class MediaSpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "crm.MediaSpend"

    store = factory.SubFactory(StoreFactory)
    month = dt.date(2026, 10, 1)
    source = factory.LazyFunction(lambda: source("internet"))
    amount = 10000
