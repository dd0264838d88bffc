"""The dashboard's figures: consent rates from the record in force, events per day with the gaps filled."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from analytics.models import EventType
from analytics.selectors.dashboard import consent_rates, events_per_day
from campaigns.models import DataPurpose
from tests.factories import ConsentRecordFactory, ConsumerFactory, DailyEventRollupFactory


def test_latest_consent_record_is_the_one_in_force(platform_org, homely):
    # given one consumer who granted then withdrew personalization, and one who only granted
    changed_mind, steady = ConsumerFactory.create_batch(2, organization=platform_org)
    ConsumerFactory(organization=platform_org)  # never asked: counts as not consented
    earlier = timezone.now() - timedelta(days=3)
    ConsentRecordFactory(consumer=changed_mind, granted=True, recorded_at=earlier)
    ConsentRecordFactory(consumer=changed_mind, granted=False, recorded_at=timezone.now())
    ConsentRecordFactory(consumer=steady, granted=True, recorded_at=earlier)
    # and partner sharing with Homely withdrawn by one, granted by the other (separate consent per recipient)
    ConsentRecordFactory(consumer=steady, purpose=DataPurpose.PARTNER_SHARING, recipient=homely, granted=True)
    ConsentRecordFactory(
        consumer=changed_mind, purpose=DataPurpose.PARTNER_SHARING, recipient=homely, granted=True, recorded_at=earlier
    )
    ConsentRecordFactory(consumer=changed_mind, purpose=DataPurpose.PARTNER_SHARING, recipient=homely, granted=False)
    # when
    rates = {(rate.purpose, rate.recipient): rate for rate in consent_rates(organization=platform_org)}
    # then
    assert rates[(DataPurpose.PERSONALIZATION, "")].granted == 1
    assert rates[(DataPurpose.PERSONALIZATION, "")].consumers == 3
    assert rates[(DataPurpose.MARKETING_CONTACT, "")].granted == 0
    assert rates[(DataPurpose.PARTNER_SHARING, homely.name)].granted == 1
    assert rates[(DataPurpose.PERSONALIZATION, "")].rate == pytest.approx(1 / 3)


def test_events_per_day_fills_missing_days_with_zero(platform_org):
    # given
    last = date(2026, 11, 11)
    DailyEventRollupFactory(organization=platform_org, date=last, type=EventType.PURCHASE, events=40)
    DailyEventRollupFactory(organization=platform_org, date=last - timedelta(days=2), type=EventType.PURCHASE, events=7)
    DailyEventRollupFactory(organization=platform_org, date=last, type=EventType.VIEW, events=300)
    # when
    series = events_per_day(organization=platform_org, days=3)
    # then
    assert series.dates == [last - timedelta(days=2), last - timedelta(days=1), last]
    assert series.counts_by_type[EventType.PURCHASE] == [7, 0, 40]
    assert series.counts_by_type[EventType.VIEW] == [0, 0, 300]


def test_events_per_day_starts_at_the_first_day_with_data_and_keeps_at_most_the_window(platform_org):
    # given
    last = date(2026, 11, 11)
    DailyEventRollupFactory(organization=platform_org, date=last - timedelta(days=10), type=EventType.VIEW, events=5)
    DailyEventRollupFactory(organization=platform_org, date=last, type=EventType.VIEW, events=6)
    # when
    short, long = (events_per_day(organization=platform_org, days=days) for days in (3, 180))
    # then
    assert short.dates[0] == last - timedelta(days=2) and short.counts_by_type[EventType.VIEW] == [0, 0, 6]
    assert long.dates[0] == last - timedelta(days=10) and len(long.dates) == 11
