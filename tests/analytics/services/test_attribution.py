"""Attribution by hand: last touch within the window, position based 40/20/40, ROI, and lift against a forecast."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import ForecastPoint
from analytics.services.attribution import _weights, campaign_attribution, campaign_forecast_lift
from analytics.services.experiments import assignment_get_or_create, conversions_record, exposures_record
from campaigns.models import Campaign, DataPurpose, Exposure
from tests.builders.experiments import contactable, running
from tests.factories import ConsentRecordFactory, EventFactory, ForecastFactory

pytestmark = pytest.mark.django_db


def test_position_based_weights_are_40_20_40_and_last_touch_takes_all():
    assert _weights(1, "position_based") == [1.0]
    assert _weights(2, "position_based") == [0.5, 0.5]
    assert _weights(4, "position_based") == pytest.approx([0.4, 0.1, 0.1, 0.4])
    assert _weights(3, "last_touch") == [0.0, 0.0, 1.0]


def journey():
    """One consumer: assigned, then a partner-tagged click 3 days before buying, an impression 1 day before."""
    campaign = running()
    partner = campaign.partners.get()
    (consumer,) = contactable(campaign.organization, 1)
    ConsentRecordFactory(consumer=consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner)
    now = timezone.now()
    assignment_get_or_create(campaign=campaign, consumer=consumer, now=now - timedelta(days=10))
    exposures_record(
        campaign=campaign,
        items=[
            {
                "consumer": consumer.external_ref,
                "external_id": "click",
                "kind": "click",
                "occurred_at": now - timedelta(days=3),
            }
        ],
        partner=partner,
    )
    exposures_record(
        campaign=campaign,
        items=[{"consumer": consumer.external_ref, "external_id": "imp", "occurred_at": now - timedelta(days=1)}],
    )
    conversions_record(
        campaign=campaign,
        items=[{"consumer": consumer.external_ref, "external_id": "o", "value": "100", "occurred_at": now}],
    )
    Campaign.objects.filter(pk=campaign.pk).update(spent=Decimal("40"))
    campaign.refresh_from_db()
    return campaign, partner


def test_last_touch_credits_the_latest_touch_in_the_window_and_computes_roi():
    campaign, partner = journey()
    report = campaign_attribution(campaign=campaign)
    assert report.attributed_conversions == 1
    assert report.by_touch_kind == {"impression": 1.0}
    assert report.by_partner == {"platform": {"conversions": 1.0, "revenue": 100.0}}
    assert report.roi == pytest.approx((100 - 40) / 40)


def test_position_based_splits_credit_between_first_and_last_touches_within_the_window():
    campaign, partner = journey()
    report = campaign_attribution(campaign=campaign, model="position_based")
    # the assignment (10 days ago) is outside the 7-day window: two touches, 50/50
    assert report.by_touch_kind == {"click": 0.5, "impression": 0.5}
    assert report.by_partner[partner.slug]["revenue"] == pytest.approx(50.0)
    wide = campaign_attribution(campaign=campaign, model="position_based", window_days=30)
    assert wide.by_touch_kind == pytest.approx({"assignment": 0.4, "click": 0.2, "impression": 0.4})


def test_a_conversion_without_touches_in_the_window_is_not_attributed():
    campaign, _partner = journey()
    Exposure.objects.all().delete()
    assert campaign_attribution(campaign=campaign).attributed_conversions == 0


def test_lift_says_so_when_there_is_no_forecast_and_measures_against_one_when_there_is():
    campaign, _partner = journey()
    lift = campaign_forecast_lift(campaign=campaign)
    assert lift.available is False and "No forecast" in lift.message
    forecast = ForecastFactory(organization=campaign.organization, metric="revenue", horizon=30, chosen_model="naive")
    start = campaign.launched_at.date()
    ForecastPoint.objects.bulk_create(
        ForecastPoint(forecast=forecast, date=start + timedelta(days=d), predicted=50.0) for d in range(15)
    )
    EventFactory(organization=campaign.organization, value=Decimal("900.00"), occurred_at=campaign.launched_at)
    lift = campaign_forecast_lift(campaign=campaign)
    assert lift.available and lift.forecast == pytest.approx(750.0)
    assert lift.actual == pytest.approx(900.0) and lift.lift == pytest.approx(150.0)
