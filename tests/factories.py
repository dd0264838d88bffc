"""factory-boy factories for the system of record. Tests build only what they need."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from analytics.models import Event, EventType
from campaigns.models import (
    Campaign,
    CatalogItem,
    ConsentRecord,
    Consumer,
    DataPurpose,
    DataSharingAgreement,
    Membership,
    Organization,
    Role,
    User,
)
from campaigns.services.api_keys import api_key_create


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
    class Meta:
        model = Campaign

    organization = factory.SubFactory(PlatformFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")


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


def issue_api_key(organization: Organization, scopes: list[str]) -> str:
    """A fresh key's secret, ready for `Authorization: Api-Key <secret>`."""
    return api_key_create(organization=organization, name="test key", scopes=scopes).secret
