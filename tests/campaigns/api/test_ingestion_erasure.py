"""Ingestion never resurrects a consumer erased by a data-subject request."""

import pytest
from django.apps import apps

from analytics.models import Event
from campaigns.models import AuditEvent, Consumer, ErasureTombstone
from campaigns.services.identity import hash_email, hash_phone, keyed_hash
from campaigns.services.privacy import dsr_create, dsr_erase
from tests.builders.privacy import text_values

CONSUMERS = "/api/v1/consumers/batch/"
EVENTS = "/api/v1/events/batch/"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PHONE = "+86 139-0000-1234"
EMAIL = "Wang.Fang@example.cn"


def consumer_row(ref: str, **extra) -> dict:
    return {"external_ref": ref, "age_band": "25-34", "gender": "female", "city": "上海", "city_tier": 1, **extra}


def event_row(external_id: str, consumer: str | None, **extra) -> dict:
    row = {"external_id": external_id, "type": "view", "occurred_at": "2026-11-11T20:00:00+08:00", **extra}
    if consumer is not None:
        row["consumer"] = consumer
    return row


CONSUMER_BATCH = {"consumers": [consumer_row("erased-1", phone=PHONE, email=EMAIL), consumer_row("kept-1")]}


@pytest.fixture
def client(partner_key_client):
    return partner_key_client(["consumers:write", "events:write"])


@pytest.fixture
def erased(client, partner):
    """Given: a partner sent two consumers and their events, then one of them was erased at their request."""
    assert client.post(CONSUMERS, CONSUMER_BATCH, format="json").status_code == 200
    events = {"events": [event_row("ev-1", "erased-1"), event_row("ev-2", "kept-1")]}
    assert client.post(EVENTS, events, format="json").json()["created"] == 2
    dsr_erase(request=dsr_create(organization=partner, external_ref="erased-1", kind="erasure"))
    return "erased-1"


def _holders_of(secrets: set[str]) -> list[str]:
    """Every row of every model (the tombstones aside) whose text, char or JSON fields hold one of the secrets."""
    holders = []
    for model in apps.get_models():
        if model is ErasureTombstone:
            continue
        for instance in model._base_manager.all():
            text = " ".join(text_values(instance))
            if any(secret in text for secret in secrets):
                holders.append(f"{model._meta.label_lower}#{instance.pk}")
    return holders


class TestConsumerBatchAfterErasure:
    def test_a_replay_of_the_batch_that_created_the_person_creates_nothing_and_reports_them_erased(
        self, client, partner, erased
    ):
        response = client.post(CONSUMERS, CONSUMER_BATCH, format="json")

        assert response.status_code == 200, response.json()
        assert response.json() == {"received": 2, "created": 0, "updated": 0, "duplicates": 1, "erased": 1}
        assert not Consumer.objects.filter(organization=partner, external_ref=erased).exists()

    def test_the_same_person_under_a_new_reference_is_recognised_by_phone_or_email(self, client, partner, erased):
        batch = {
            "consumers": [
                consumer_row("new-ref-phone", phone=PHONE),
                consumer_row("new-ref-email", email=EMAIL.upper()),
                consumer_row("someone-else", phone="+86 139-0000-9999"),
            ]
        }

        response = client.post(CONSUMERS, batch, format="json")

        assert response.json() == {"received": 3, "created": 1, "updated": 0, "duplicates": 0, "erased": 2}
        refs = set(Consumer.objects.filter(organization=partner).values_list("external_ref", flat=True))
        assert refs == {"kept-1", "someone-else"}

    def test_a_repeat_of_the_erased_row_within_the_batch_is_counted_as_erased_not_as_duplicate(self, client, erased):
        batch = {"consumers": [consumer_row(erased), consumer_row(erased), consumer_row("fresh")]}

        response = client.post(CONSUMERS, batch, format="json")

        assert response.json() == {"received": 3, "created": 1, "updated": 0, "duplicates": 0, "erased": 2}

    def test_the_audit_counts_the_erased_rows_without_naming_them(self, client, partner, erased):
        client.post(CONSUMERS, CONSUMER_BATCH, format="json")

        audit = AuditEvent.objects.filter(organization=partner, action="consumers.batch_ingest").latest("id")
        assert audit.metadata["erased"] == 1
        assert erased not in str(audit.metadata)

    def test_a_tombstone_of_another_organization_does_not_block_a_partner_reference(self, client, partner, platform):
        # given: the platform erased its own consumer "shared-ref"
        client_platform_ref = "shared-ref"
        Consumer.objects.create(organization=platform, external_ref=client_platform_ref)
        dsr_erase(request=dsr_create(organization=platform, external_ref=client_platform_ref, kind="erasure"))

        response = client.post(CONSUMERS, {"consumers": [consumer_row(client_platform_ref)]}, format="json")

        assert response.json() == {"received": 1, "created": 1, "updated": 0, "duplicates": 0}
        assert Consumer.objects.filter(organization=partner, external_ref=client_platform_ref).exists()


class TestEventBatchAfterErasure:
    def test_events_naming_the_erased_person_are_skipped_and_counted_not_stored_as_guest_events(
        self, client, partner, erased
    ):
        batch = {"events": [event_row("ev-1", erased), event_row("ev-3", erased), event_row("ev-4", "kept-1")]}

        response = client.post(EVENTS, batch, format="json")

        assert response.status_code == 200, response.json()
        assert response.json() == {"received": 3, "created": 1, "duplicates": 0, "erased": 2}
        stored = set(Event.objects.filter(organization=partner).values_list("external_id", flat=True))
        assert stored == {"ev-2", "ev-4"}
        assert not Event.objects.filter(organization=partner, consumer__isnull=True).exists()

    def test_an_unknown_reference_that_was_never_erased_is_still_a_row_error(self, client, partner, erased):
        batch = {"events": [event_row("ev-5", erased), event_row("ev-6", "nobody")]}

        response = client.post(EVENTS, batch, format="json")

        assert response.status_code == 400
        assert [(r["index"], r["field"]) for r in response.json()["error"]["rows"]] == [(1, "consumer")]
        assert not Event.objects.filter(external_id__in=["ev-5", "ev-6"]).exists()

    def test_the_tombstones_are_asked_once_for_the_whole_batch(
        self, client, partner, erased, django_assert_max_num_queries
    ):
        from analytics.services.ingestion import event_batch_ingest

        rows = [event_row(f"ev-bulk-{n}", erased if n % 2 else f"unknown-{n}") for n in range(200)]
        rows = [r for r in rows if r["consumer"] == erased]  # 100 events of the erased person

        with django_assert_max_num_queries(12) as captured:
            result = event_batch_ingest(organization=partner, rows=rows)

        assert result.erased == 100 and result.created == 0
        assert sum("erasuretombstone" in q["sql"] for q in captured.captured_queries) == 1


class TestNothingIdentifiesThePersonAfterReplays:
    def test_only_the_tombstone_holds_the_reference_and_keyed_hashes_after_every_replay(self, client, partner, erased):
        # when: the partner replays both batches, and sends new ones naming the person
        client.post(CONSUMERS, CONSUMER_BATCH, format="json")
        client.post(CONSUMERS, {"consumers": [consumer_row("alias", phone=PHONE)]}, format="json")
        client.post(EVENTS, {"events": [event_row("ev-1", erased), event_row("ev-9", erased)]}, format="json")

        # then
        secrets = {erased, keyed_hash(erased), hash_phone(PHONE), hash_email(EMAIL)}
        assert _holders_of(secrets) == []
        tombstone = ErasureTombstone.objects.get(organization=partner)
        assert (tombstone.ref_hash, tombstone.phone_hash, tombstone.email_hash) == (
            keyed_hash(erased),
            hash_phone(PHONE),
            hash_email(EMAIL),
        )
        assert set(Consumer.objects.filter(organization=partner).values_list("external_ref", flat=True)) == {"kept-1"}
