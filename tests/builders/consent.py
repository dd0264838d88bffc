"""Consent recorded through the service, as a consumer's app would send it."""

from datetime import timedelta

from django.utils import timezone

from campaigns.models import ConsentRecord, DataPurpose
from campaigns.services.consent import consent_record

POLICY_VERSION = "2026-01"  # published by migration 0003 for every purpose


def record_consent(
    consumer, purpose=DataPurpose.PERSONALIZATION, granted=True, minutes_ago=0, **kwargs
) -> ConsentRecord:
    return consent_record(
        consumer=consumer,
        purpose=purpose,
        granted=granted,
        policy_version=POLICY_VERSION,
        source="test",
        recorded_at=timezone.now() - timedelta(minutes=minutes_ago),
        **kwargs,
    )
