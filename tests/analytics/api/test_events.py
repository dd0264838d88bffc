from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from analytics.models import Event
from campaigns.models import AuditEvent
from tests.builders.ingestion import post_at_once
from tests.factories import CampaignFactory, CatalogItemFactory, ConsumerFactory, issue_api_key

EVENTS = "/api/v1/events/batch/"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def catalogue(partner):
    ConsumerFactory(organization=partner, external_ref="c1")
    ConsumerFactory(organization=partner, external_ref="c2")
    CatalogItemFactory(organization=partner, external_ref="sofa", kind="product")


def event_row(external_id: str, **extra) -> dict:
    return {
        "external_id": external_id,
        "type": "purchase",
        "occurred_at": "2026-11-11T20:00:00+08:00",
        "consumer": "c1",
        "item": "sofa",
        "quantity": 1,
        "value": "2999.00",
        **extra,
    }


@pytest.fixture
def events_client(partner_key_client):
    return partner_key_client(["events:write"])


class TestEventBatch:
    def test_events_are_created_with_resolved_refs(self, events_client, partner, catalogue):
        response = events_client.post(
            EVENTS, {"events": [event_row("e1"), event_row("e2", consumer="c2", currency="gbp")]}, format="json"
        )

        assert response.status_code == 200, response.json()
        assert response.json() == {"received": 2, "created": 2, "duplicates": 0}
        e2 = Event.objects.get(organization=partner, external_id="e2")
        assert (e2.consumer.external_ref, e2.item.external_ref, e2.currency) == ("c2", "sofa", "GBP")
        assert e2.value == Decimal("2999.00")
        assert e2.occurred_at == datetime(2026, 11, 11, 12, 0, tzinfo=UTC)

    def test_guest_event_has_no_consumer(self, events_client, partner, catalogue):
        row = event_row("guest-1")
        del row["consumer"]

        assert events_client.post(EVENTS, {"events": [row]}, format="json").status_code == 200
        assert Event.objects.get(organization=partner, external_id="guest-1").consumer is None

    def test_replayed_batch_creates_no_duplicates(self, events_client, partner, catalogue):
        batch = {"events": [event_row("e1"), event_row("e2")]}
        events_client.post(EVENTS, batch, format="json")

        response = events_client.post(EVENTS, {"events": [*batch["events"], event_row("e3")]}, format="json")

        assert response.json() == {"received": 3, "created": 1, "duplicates": 2}
        assert Event.objects.filter(organization=partner).count() == 3

    def test_refs_and_ids_with_quotes_backslashes_and_braces_survive(self, events_client, partner, catalogue):
        odd = 'a"b\\c,{d} NULL'
        ConsumerFactory(organization=partner, external_ref=odd)

        response = events_client.post(EVENTS, {"events": [event_row(odd, consumer=odd)]}, format="json")

        assert response.json()["created"] == 1
        assert Event.objects.get(organization=partner, external_id=odd).consumer.external_ref == odd

    def test_repeated_external_id_within_a_batch_is_counted_once(self, events_client, partner, catalogue):
        response = events_client.post(EVENTS, {"events": [event_row("e1"), event_row("e1")]}, format="json")

        assert response.json() == {"received": 2, "created": 1, "duplicates": 1}

    def test_wrong_types_missing_fields_and_bad_values_are_row_errors(self, events_client, partner, catalogue):
        rows = [
            event_row("ok"),
            event_row("bad-type", type="teleport"),
            event_row("bad-date", occurred_at="11/11/2026"),
            event_row("bad-qty", quantity="two"),
            event_row("neg-value", value=-5),
            {"type": "purchase", "occurred_at": "2026-11-11T20:00:00+08:00"},
            event_row("bad-rating", type="rating", rating=7),
            event_row("bool-qty", quantity=True),
            "not an object",
        ]

        response = events_client.post(EVENTS, {"events": rows}, format="json")

        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_rows" and error["fields"] == {}
        assert [(r["index"], r["field"]) for r in error["rows"]] == [
            (1, "type"),
            (2, "occurred_at"),
            (3, "quantity"),
            (4, "value"),
            (5, "external_id"),
            (6, "rating"),
            (7, "quantity"),
            (8, ""),
        ]
        assert all(r["message"] for r in error["rows"])

    def test_one_bad_row_means_nothing_is_written(self, events_client, partner, catalogue):
        rows = [event_row(f"e{i}") for i in range(50)] + [event_row("bad", consumer="nobody")]

        response = events_client.post(EVENTS, {"events": rows}, format="json")

        assert response.status_code == 400
        assert response.json()["error"]["rows"] == [
            {"index": 50, "field": "consumer", "message": "Unknown consumer reference in this organization."}
        ]
        assert not Event.objects.exists()
        assert not AuditEvent.objects.filter(action="events.batch_ingest").exists()

    def test_another_organizations_consumer_ref_is_unknown(self, events_client, partner, other_partner, catalogue):
        ConsumerFactory(organization=other_partner, external_ref="their-customer")
        CatalogItemFactory(organization=other_partner, external_ref="their-item")

        response = events_client.post(
            EVENTS, {"events": [event_row("e1", consumer="their-customer", item="their-item")]}, format="json"
        )

        assert response.status_code == 400
        assert {r["field"] for r in response.json()["error"]["rows"]} == {"consumer", "item"}
        assert not Event.objects.exists()

    def test_partner_key_writes_only_into_its_own_organization(self, partner, other_partner, catalogue):
        ConsumerFactory(organization=other_partner, external_ref="c1")
        CatalogItemFactory(organization=other_partner, external_ref="sofa")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(partner, ['events:write'])}")

        client.post(EVENTS, {"events": [event_row("e1")], "organization": other_partner.slug}, format="json")

        assert Event.objects.get(external_id="e1").organization == partner
        assert not Event.objects.filter(organization=other_partner).exists()

    def test_campaign_must_belong_to_or_be_shared_with_the_organization(self, events_client, partner, catalogue):
        shared = CampaignFactory()
        shared.partners.add(partner)
        foreign = CampaignFactory()

        ok = events_client.post(EVENTS, {"events": [event_row("e1", campaign=shared.pk)]}, format="json")
        bad = events_client.post(EVENTS, {"events": [event_row("e2", campaign=foreign.pk)]}, format="json")

        assert ok.status_code == 200 and Event.objects.get(external_id="e1").campaign == shared
        assert bad.status_code == 400 and bad.json()["error"]["rows"][0]["field"] == "campaign"

    @override_settings(INGEST_MAX_ROWS=5)
    def test_oversized_batch_is_refused(self, events_client, catalogue):
        response = events_client.post(EVENTS, {"events": [event_row(f"e{i}") for i in range(6)]}, format="json")

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "batch_too_large"
        assert not Event.objects.exists()

    def test_empty_batch_is_refused(self, events_client):
        response = events_client.post(EVENTS, {"events": []}, format="json")

        assert response.status_code == 400 and response.json()["error"]["code"] == "empty_batch"

    def test_csv_upload_of_events(self, events_client, partner, catalogue, tmp_path):
        path = tmp_path / "events.csv"
        path.write_text(
            "external_id,type,occurred_at,consumer,item,quantity,value\n"
            "e1,purchase,2026-11-11T20:00:00+08:00,c1,sofa,2,5998.00\n"
            "e2,view,2026-11-11 21:00:00,,sofa,,\n",
            encoding="utf-8",
        )

        with path.open("rb") as upload:
            response = events_client.post(EVENTS, {"file": upload}, format="multipart")

        assert response.status_code == 200, response.json()
        assert response.json()["created"] == 2
        e2 = Event.objects.get(external_id="e2")
        assert (e2.consumer, e2.quantity, e2.value) == (None, 1, Decimal("0"))
        assert e2.occurred_at == datetime(2026, 11, 11, 13, 0, tzinfo=UTC)  # no offset: read in Asia/Shanghai

    def test_key_without_events_scope_is_forbidden(self, partner_key_client, catalogue):
        response = partner_key_client(["catalog:write"]).post(EVENTS, {"events": [event_row("e1")]}, format="json")

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"

    def test_anonymous_caller_is_unauthenticated(self, api_client):
        assert api_client.post(EVENTS, {"events": [event_row("e1")]}, format="json").status_code == 401

    def test_batch_is_audited_with_counts(self, events_client, partner, catalogue):
        events_client.post(EVENTS, {"events": [event_row("e1"), event_row("e1")]}, format="json")

        audit = AuditEvent.objects.get(action="events.batch_ingest")
        assert audit.organization == partner
        assert audit.metadata == {"received": 2, "created": 1, "updated": 0, "duplicates": 1, "source": "json"}


@pytest.mark.django_db(transaction=True)
def test_two_identical_batches_at_once_create_each_event_once(partner):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them with one write lock")
    ConsumerFactory(organization=partner, external_ref="c1")
    CatalogItemFactory(organization=partner, external_ref="sofa")
    secret = issue_api_key(partner, ["events:write"])
    batch = {"events": [event_row(f"e{i}") for i in range(2000)]}

    results = [body for _, body in post_at_once(path=EVENTS, secret=secret, bodies=[batch, batch])]

    assert Event.objects.filter(organization=partner).count() == 2000
    assert len(results) == 2
    assert sum(r["created"] for r in results) == 2000
    assert sum(r["duplicates"] for r in results) == 2000


@pytest.mark.parametrize("may_skip_row_triggers", [True, False])
def test_batched_key_checks_leave_the_session_as_they_found_it(
    events_client, partner, catalogue, may_skip_row_triggers, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("row triggers and session_replication_role are PostgreSQL's")
    connection.ensure_connection()
    # Both paths: a role allowed to set session_replication_role, and one that is not.
    monkeypatch.setattr(connection, "_xmkt_may_skip_row_triggers", may_skip_row_triggers, raising=False)

    response = events_client.post(EVENTS, {"events": [event_row("e1"), event_row("e2", consumer="c2")]}, format="json")

    assert response.json()["created"] == 2
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    assert set(Event.objects.filter(organization=partner).values_list("consumer__external_ref", flat=True)) == {
        "c1",
        "c2",
    }


def test_a_batch_with_new_events_refreshes_the_daily_rollup(
    events_client, partner, catalogue, django_capture_on_commit_callbacks
):
    from analytics.models import DailyEventRollup

    with django_capture_on_commit_callbacks(execute=True):
        events_client.post(EVENTS, {"events": [event_row("e1"), event_row("e2", value="1.00")]}, format="json")

    rollup = DailyEventRollup.objects.get(organization=partner, type="purchase")
    assert (rollup.events, rollup.value) == (2, Decimal("3000.00"))


@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_in_opposite_orders_both_succeed(partner):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them with one write lock")
    ConsumerFactory(organization=partner, external_ref="c1")
    CatalogItemFactory(organization=partner, external_ref="sofa")
    secret = issue_api_key(partner, ["events:write"])
    rows = [event_row(f"e{i:04d}") for i in range(1000)]

    results = post_at_once(path=EVENTS, secret=secret, bodies=[{"events": rows}, {"events": rows[::-1]}])

    statuses = [status for status, _ in results]
    created = [body.get("created", 0) for _, body in results]
    assert statuses == [200, 200]
    assert sum(created) == 1000 and Event.objects.filter(organization=partner).count() == 1000
