"""The consent in force is the record the server received last, whatever time the caller states: a future-dated
grant cannot outlive a later withdrawal, a backdated withdrawal takes effect, and inside one batch a withdrawal beats
a grant stated at the same moment. Every reader (check, queryset, state, export) applies the same rule."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from campaigns.models import DataPurpose
from campaigns.selectors.consent import consent_state, consented_consumers, consumer_has_consent
from campaigns.services.consent import ConsentInput, consent_record, consent_record_batch
from campaigns.services.privacy import consumer_export
from tests.factories import AgreementFactory, ConsumerFactory
from xmkt_site.errors import ApplicationError

pytestmark = pytest.mark.django_db

POLICY = "2026-01"


def record(consumer, *, granted: bool, recorded_at=None, purpose=DataPurpose.MARKETING_CONTACT, **extra):
    return consent_record(
        consumer=consumer,
        purpose=purpose,
        granted=granted,
        policy_version=POLICY,
        source="test",
        recorded_at=recorded_at,
        **extra,
    )


def in_force(consumer, purpose=DataPurpose.MARKETING_CONTACT) -> tuple[bool, bool, bool]:
    """(the check, membership of the consented queryset, the state's flag) — they must agree."""
    state = {s.purpose: s.granted for s in consent_state(consumer=consumer)}
    member = consented_consumers(organization=consumer.organization, purpose=purpose).filter(pk=consumer.pk).exists()
    return consumer_has_consent(consumer=consumer, purpose=purpose), member, state[purpose]


def test_a_withdrawal_after_a_future_dated_grant_leaves_the_consumer_withdrawn(platform):
    # given a grant stated four minutes ahead (inside the clock-skew tolerance)
    consumer = ConsumerFactory(organization=platform)
    record(consumer, granted=True, recorded_at=timezone.now() + timedelta(minutes=4))
    # when the consumer withdraws now
    record(consumer, granted=False)
    # then every reader says withdrawn
    assert in_force(consumer) == (False, False, False)


def test_a_backdated_withdrawal_takes_effect(platform):
    # given a grant recorded now
    consumer = ConsumerFactory(organization=platform)
    record(consumer, granted=True)
    # when a withdrawal arrives stating yesterday
    record(consumer, granted=False, recorded_at=timezone.now() - timedelta(days=1))
    # then the consumer is withdrawn
    assert in_force(consumer) == (False, False, False)


def test_a_grant_received_after_a_withdrawal_is_in_force_again(platform):
    # given a withdrawal
    consumer = ConsumerFactory(organization=platform)
    record(consumer, granted=True, recorded_at=timezone.now() - timedelta(days=2))
    record(consumer, granted=False, recorded_at=timezone.now() - timedelta(days=1))
    # when the consumer consents again, then the new grant is in force
    record(consumer, granted=True)
    assert in_force(consumer) == (True, True, True)


def test_inside_one_batch_the_stated_times_order_the_rows(platform):
    # given one batch that states a grant, a withdrawal and a later grant, listed out of order
    consumer = ConsumerFactory(organization=platform)
    now = timezone.now()
    rows = [
        ConsentInput(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT, granted=True, policy_version=POLICY,
                     recorded_at=now - timedelta(hours=1)),
        ConsentInput(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT, granted=True, policy_version=POLICY,
                     recorded_at=now - timedelta(hours=3)),
        ConsentInput(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT, granted=False, policy_version=POLICY,
                     recorded_at=now - timedelta(hours=2)),
    ]  # fmt: skip
    consent_record_batch(organization=platform, consents=rows)
    # then the row stated last (the grant an hour ago) is in force
    assert in_force(consumer) == (True, True, True)


def test_inside_one_batch_a_withdrawal_beats_a_grant_stated_at_the_same_moment(platform):
    consumer = ConsumerFactory(organization=platform)
    when = timezone.now() - timedelta(minutes=1)
    rows = [
        ConsentInput(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT, granted=False, policy_version=POLICY,
                     recorded_at=when),
        ConsentInput(consumer=consumer, purpose=DataPurpose.MARKETING_CONTACT, granted=True, policy_version=POLICY,
                     recorded_at=when),
    ]  # fmt: skip
    consent_record_batch(organization=platform, consents=rows)
    assert in_force(consumer) == (False, False, False)


def test_the_server_keeps_the_receipt_time_beside_the_stated_time(platform):
    consumer = ConsumerFactory(organization=platform)
    stated = timezone.now() - timedelta(days=3)
    before = timezone.now()
    saved = record(consumer, granted=True, recorded_at=stated)
    assert saved.recorded_at == stated
    assert before <= saved.received_at <= timezone.now()
    exported = consumer_export(consumer=consumer)["consents"][0]
    assert exported["recorded_at"] == stated.isoformat()
    assert exported["received_at"] == saved.received_at.isoformat()


def test_a_backdated_partner_sharing_grant_needs_an_agreement_in_force_when_it_is_received(platform, partner):
    # given an agreement that ended last year
    AgreementFactory(platform=platform, partner=partner, valid_from=date(2024, 1, 1), valid_until=date(2024, 12, 31))
    consumer = ConsumerFactory(organization=platform)
    # when a grant arrives stating a day inside the agreement's term, then it is refused
    with pytest.raises(ApplicationError) as error:
        record(
            consumer,
            granted=True,
            purpose=DataPurpose.PARTNER_SHARING,
            recipient=partner,
            data_categories=["purchases"],
            recorded_at=timezone.make_aware(timezone.datetime(2024, 6, 1, 12)),
        )
    assert "recipient" in error.value.fields
