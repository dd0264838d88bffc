"""factory-boy factories, one per model a test builds. Tests build only what they need and name what matters."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from analytics.models import DailyEventRollup, Event, EventType, Forecast, Segment, SegmentMembership, SegmentRun
from campaigns.models import (
    Campaign,
    CatalogItem,
    CodePool,
    ConsentRecord,
    Consumer,
    DataPurpose,
    DataSharingAgreement,
    DiscountCode,
    Membership,
    Offer,
    Organization,
    Role,
    TaskRun,
    User,
    Variant,
)
from campaigns.services.api_keys import api_key_create
from recommender.models import ModelVersion, RecommendationLog


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organization.Kind.PARTNER
    industry = Organization.Industry.HOME_FURNISHING


class PlatformFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Platform {n}")
    slug = factory.Sequence(lambda n: f"platform-{n}")
    kind = Organization.Kind.PLATFORM
    industry = Organization.Industry.KNOWLEDGE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(PlatformFactory)
    role = Role.CAMPAIGN_MANAGER


class ConsumerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consumer

    organization = factory.SubFactory(PlatformFactory)
    external_ref = factory.Sequence(lambda n: f"c{n:06d}")
    age_band = Consumer.AgeBand.A25_34
    gender = Consumer.Gender.FEMALE
    city = "上海"
    city_tier = 1


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    consumer = factory.SubFactory(ConsumerFactory)
    purpose = DataPurpose.PERSONALIZATION
    granted = True
    policy_version = "2026-01"
    recorded_at = factory.LazyFunction(timezone.now)


class CatalogItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogItem

    organization = factory.SubFactory(PlatformFactory)
    kind = CatalogItem.Kind.COURSE
    external_ref = factory.Sequence(lambda n: f"item-{n}")
    title = factory.Sequence(lambda n: f"收纳整理课 {n}")
    category = "home_organisation"
    price = Decimal("99.00")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSharingAgreement

    platform = factory.SubFactory(PlatformFactory)
    partner = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Agreement {n}")
    purposes = factory.LazyFunction(lambda: [DataPurpose.PARTNER_SHARING, DataPurpose.MARKETING_CONTACT])
    data_categories = factory.LazyFunction(lambda: ["purchases", "segments"])
    valid_from = factory.LazyFunction(lambda: date(2026, 1, 1))
    status = DataSharingAgreement.Status.ACTIVE


class CampaignFactory(factory.django.DjangoModelFactory):
    """`CampaignFactory(partners=[homely])` adds the partners after the campaign is saved."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    organization = factory.SubFactory(PlatformFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.partners.add(*extracted)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    campaign = factory.SubFactory(CampaignFactory)
    key = factory.Sequence(lambda n: f"variant-{n}")
    name = factory.LazyAttribute(lambda v: v.key.replace("-", " ").title())


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Offer {n}")


class CodePoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CodePool

    offer = factory.SubFactory(OfferFactory)
    name = factory.Sequence(lambda n: f"Pool {n}")


class DiscountCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountCode

    pool = factory.SubFactory(CodePoolFactory)
    code = factory.Sequence(lambda n: f"CODE{n:05d}")


class TaskRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskRun

    task_name = "analytics.tasks.rollup.rollup_events"
    organization = factory.SubFactory(PlatformFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    organization = factory.SubFactory(PlatformFactory)
    consumer = factory.SubFactory(ConsumerFactory, organization=factory.SelfAttribute("..organization"))
    item = factory.SubFactory(CatalogItemFactory, organization=factory.SelfAttribute("..organization"))
    type = EventType.PURCHASE
    quantity = 1
    value = Decimal("99.00")
    occurred_at = factory.LazyFunction(timezone.now)
    external_id = factory.Sequence(lambda n: f"evt-{n}")


class DailyEventRollupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyEventRollup

    organization = factory.SubFactory(PlatformFactory)
    date = factory.LazyFunction(timezone.localdate)
    type = EventType.VIEW
    events = 1


class SegmentRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SegmentRun

    organization = factory.SubFactory(PlatformFactory)
    k = 2


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    organization = factory.SubFactory(PlatformFactory)
    run = factory.SubFactory(SegmentRunFactory, organization=factory.SelfAttribute("..organization"))
    key = factory.Sequence(lambda n: n + 1)
    name_zh = factory.LazyAttribute(lambda s: f"分群 {s.key}")
    name_en = factory.LazyAttribute(lambda s: f"Segment {s.key}")


class SegmentMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SegmentMembership

    segment = factory.SubFactory(SegmentFactory)
    consumer = factory.SubFactory(ConsumerFactory, organization=factory.SelfAttribute("..segment.organization"))


class ForecastFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forecast

    organization = factory.SubFactory(PlatformFactory)
    series_kind = Forecast.SeriesKind.TOTAL
    metric = Forecast.Metric.UNITS
    horizon = 7
    chosen_model = "seasonal_naive"


class ModelVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    organization = factory.SubFactory(PlatformFactory)
    target = factory.SelfAttribute("organization")
    algorithm = "ease"
    label = factory.Sequence(lambda n: f"model-{n}")
    trained_at = factory.LazyFunction(timezone.now)


class RecommendationLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationLog

    organization = factory.SubFactory(PlatformFactory)
    consumer = factory.SubFactory(ConsumerFactory, organization=factory.SelfAttribute("..organization"))
    target = factory.SelfAttribute("organization")
    personalized = True
    item_ids = factory.LazyFunction(list)


def issue_api_key(organization: Organization, scopes: list[str]) -> str:
    """A fresh key's secret, ready for `Authorization: Api-Key <secret>`."""
    return api_key_create(organization=organization, name="test key", scopes=scopes).secret
