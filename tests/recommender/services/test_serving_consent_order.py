"""Serving reads consent in the same order as every other reader: the record the server received last is in force."""

from datetime import timedelta

from django.utils import timezone

from campaigns.models import DataPurpose
from campaigns.services.consent import consent_record
from tests.builders.recommender import URL, key_client, trained


def test_a_backdated_withdrawal_of_personalization_makes_the_next_call_non_personalised(world):
    # given a trained champion and consumer c1, personalised today
    platform, _items, people = trained(world)
    client = key_client(platform)
    assert client.get(URL, {"consumer": "c1", "catalog": "zhishi"}).json()["personalized"] is True
    # when a withdrawal arrives that states last week (say, a paper form entered late)
    consent_record(
        consumer=people[1],
        purpose=DataPurpose.PERSONALIZATION,
        granted=False,
        policy_version="2026-01",
        source="paper_form",
        recorded_at=timezone.now() - timedelta(days=7),
    )
    # then the very next call is non-personalised
    assert client.get(URL, {"consumer": "c1", "catalog": "zhishi"}).json()["personalized"] is False
