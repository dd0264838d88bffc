"""Lists served to a partner are personal data and expire with the partner's agreement retention."""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.services.retention import behavioural_models, retention_apply
from recommender.models import RecommendationLog
from tests.factories import AgreementFactory, ConsumerFactory, RecommendationLogFactory

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def served(organization, consumer, days_ago: int) -> RecommendationLog:
    log = RecommendationLogFactory(organization=organization, consumer=consumer, item_ids=[1, 2])
    RecommendationLog.objects.filter(pk=log.pk).update(served_at=NOW - timedelta(days=days_ago))
    return log


def test_served_lists_are_behavioural_data_dated_by_when_they_were_served():
    assert (RecommendationLog, "served_at") in behavioural_models()


def test_a_partners_served_lists_older_than_its_retention_are_deleted_and_recent_ones_kept(platform, partner):
    AgreementFactory(platform=platform, partner=partner, retention_days=90)
    consumer = ConsumerFactory(organization=partner)
    old, recent = served(partner, consumer, 120), served(partner, consumer, 10)
    platform_own = served(platform, ConsumerFactory(organization=platform), 1000)

    report = retention_apply(now=NOW)

    assert not RecommendationLog.objects.filter(pk=old.pk).exists()
    assert RecommendationLog.objects.filter(pk__in=[recent.pk, platform_own.pk]).count() == 2
    assert report["deleted"]["recommender.recommendationlog"] == 1
