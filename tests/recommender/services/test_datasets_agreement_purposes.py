"""Cross-catalogue training follows the purposes of the agreement in force: without `personalization`, the partner's
events are not joined and nothing is trained across the two catalogues."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from campaigns.models import DataPurpose, DataSharingAgreement
from campaigns.services.consent import consent_record
from recommender.services.datasets import dataset_build, linked_consumer_pairs
from recommender.services.pipeline import pipeline_run
from recommender.services.scheduling import training_targets_for
from tests.factories import CatalogItemFactory, ConsumerFactory, EventFactory
from xmkt_site.errors import ApplicationError

PHONE_HASH = "a" * 64


def _agreement(platform, partner, purposes: list[str]) -> DataSharingAgreement:
    return DataSharingAgreement.objects.create(
        platform=platform,
        partner=partner,
        title="co-marketing",
        purposes=purposes,
        data_categories=["purchases", "learning"],
        valid_from=date.today() - timedelta(days=30),
        status=DataSharingAgreement.Status.ACTIVE,
    )


def _linked_person(platform, partner):
    """After the agreement: one platform consumer who consented to personalization and to sharing with the partner,
    with events on both sides, and the partner's record of the same person (same keyed phone hash)."""
    own = ConsumerFactory(organization=platform, external_ref="learner-1", phone_hash=PHONE_HASH)
    for purpose, recipient in ((DataPurpose.PERSONALIZATION, None), (DataPurpose.PARTNER_SHARING, partner)):
        consent_record(
            consumer=own,
            purpose=purpose,
            recipient=recipient,
            granted=True,
            policy_version="2026-01",
            source="app",
            data_categories=["purchases"] if recipient else [],
        )
    theirs = ConsumerFactory(organization=partner, external_ref="buyer-1", phone_hash=PHONE_HASH)
    course = CatalogItemFactory(organization=platform)
    sofa = CatalogItemFactory(organization=partner)
    now = timezone.now()
    EventFactory(organization=platform, consumer=own, item=course, external_id="p-1", occurred_at=now)
    EventFactory(organization=partner, consumer=theirs, item=sofa, external_id="h-1", occurred_at=now)
    return own, theirs


@pytest.mark.django_db
def test_partner_events_are_joined_under_an_agreement_that_names_personalization(platform, partner):
    _agreement(platform, partner, [DataPurpose.PARTNER_SHARING, DataPurpose.PERSONALIZATION])
    own, theirs = _linked_person(platform, partner)
    assert linked_consumer_pairs(organization=platform, target=partner) == {theirs.pk: own.pk}
    dataset = dataset_build(organization=platform, target=partner)
    assert set(dataset.events["item_id"]) == {own.events.get().item_id, theirs.events.get().item_id}


@pytest.mark.django_db
def test_an_agreement_without_personalization_joins_none_of_the_partners_events(platform, partner):
    # given an agreement in force for sharing and marketing, but not for personalization
    _agreement(platform, partner, [DataPurpose.PARTNER_SHARING, DataPurpose.MARKETING_CONTACT])
    own, theirs = _linked_person(platform, partner)
    # then nobody is linked and the cross-catalogue frame holds the platform's own events only
    assert linked_consumer_pairs(organization=platform, target=partner) == {}
    dataset = dataset_build(organization=platform, target=partner)
    assert dataset.linked_consumers == 0
    assert list(dataset.events["item_id"]) == [own.events.get().item_id]


@pytest.mark.django_db
def test_an_agreement_without_personalization_trains_nothing_across_the_catalogues(platform, partner):
    _agreement(platform, partner, [DataPurpose.PARTNER_SHARING, DataPurpose.MARKETING_CONTACT])
    _linked_person(platform, partner)
    with pytest.raises(ApplicationError) as error:
        pipeline_run(organization=platform, target=partner)
    assert error.value.code == "out_of_agreement"
    assert training_targets_for(organization=platform) == [platform]
