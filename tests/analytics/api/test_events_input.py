"""Event input that would stall the pipeline or crash a view: times outside a sane window and conflicting repeats of an
external_id. Each is a 400 naming the row and the field, never a 500, and nothing is written."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.models import Event
from analytics.services.imports import csv_upload_ingest
from campaigns.models import Conversion, Exposure, Role
from tests.builders.experiments import contactable, running
from tests.factories import CatalogItemFactory, ConsumerFactory, MembershipFactory
from xmkt_site.errors import ApplicationError

EVENTS = "/api/v1/events/batch/"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def catalogue(partner):
    ConsumerFactory(organization=partner, external_ref="c1")
    CatalogItemFactory(organization=partner, external_ref="sofa", kind="product")


@pytest.fixture
def events_client(partner_key_client):
    return partner_key_client(["events:write"])


def event_row(external_id: str, **extra) -> dict:
    return {
        "external_id": external_id,
        "type": "purchase",
        "occurred_at": "2026-01-11T20:00:00+08:00",
        "consumer": "c1",
        "item": "sofa",
        "value": "10.00",
        **extra,
    }


def row_errors(response) -> list[tuple[int, str]]:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "invalid_rows"
    return [(row["index"], row["field"]) for row in body["rows"]]


class TestEventTimeWindow:
    @pytest.mark.parametrize(
        "moment",
        [
            "0001-01-01T00:00:00+08:00",
            "9999-12-31T00:00:00+08:00",
            # Valid ISO strings whose conversion to UTC leaves the datetime range: an OverflowError before.
            "9999-12-31T23:59:59-12:00",
            "0001-01-01T00:00:00+14:00",
            "0001-01-01T00:00:00",
            "1999-12-31T15:59:59+00:00",
        ],
    )
    def test_a_time_outside_the_window_is_a_row_error_on_occurred_at(self, events_client, catalogue, moment):
        response = events_client.post(
            EVENTS, {"events": [event_row("ok"), event_row("bad", occurred_at=moment)]}, format="json"
        )

        assert row_errors(response) == [(1, "occurred_at")]
        assert not Event.objects.exists()

    def test_the_first_instant_of_2000_in_shanghai_is_accepted(self, events_client, catalogue):
        response = events_client.post(
            EVENTS, {"events": [event_row("e", occurred_at="2000-01-01T00:00:00+08:00")]}, format="json"
        )

        assert response.status_code == 200, response.json()

    def test_more_than_a_day_ahead_is_refused_and_an_hour_ahead_accepted(self, events_client, catalogue):
        later = (timezone.now() + timedelta(days=1, minutes=5)).isoformat()
        soon = (timezone.now() + timedelta(hours=1)).isoformat()

        refused = events_client.post(EVENTS, {"events": [event_row("late", occurred_at=later)]}, format="json")
        accepted = events_client.post(EVENTS, {"events": [event_row("soon", occurred_at=soon)]}, format="json")

        assert row_errors(refused) == [(0, "occurred_at")]
        assert accepted.status_code == 200, accepted.json()

    def test_the_window_comes_from_settings(self, events_client, catalogue, settings):
        settings.EVENT_TIME_MIN = date(2026, 1, 1)
        settings.EVENT_TIME_MAX_AHEAD_HOURS = 0
        rows = [
            event_row("before", occurred_at="2025-12-31T23:59:00+08:00"),
            event_row("ahead", occurred_at=(timezone.now() + timedelta(minutes=5)).isoformat()),
        ]

        response = events_client.post(EVENTS, {"events": rows}, format="json")

        assert row_errors(response) == [(0, "occurred_at"), (1, "occurred_at")]

    def test_a_csv_upload_to_the_api_checks_the_window_too(self, events_client, catalogue):
        csv = "external_id,type,occurred_at,consumer\ne1,view,0001-01-01T00:00:00+14:00,c1\n"
        upload = SimpleUploadedFile("events.csv", csv.encode(), content_type="text/csv")

        response = events_client.post(EVENTS, {"file": upload}, format="multipart")

        assert row_errors(response) == [(0, "occurred_at")]

    def test_the_import_page_service_checks_the_window_and_names_the_line(self, partner, catalogue, manager):
        csv = "external_id,type,occurred_at,consumer\ne1,view,2026-01-01T00:00:00+08:00,c1\ne2,view,9999-12-31,c1\n"

        with pytest.raises(ApplicationError) as raised:
            csv_upload_ingest(organization=partner, kind="events", upload=io.BytesIO(csv.encode()), by=manager)

        assert [(r["index"], r["line"], r["field"]) for r in raised.value.extra["rows"]] == [(1, 3, "occurred_at")]
        assert not Event.objects.exists()


class TestConflictingDuplicates:
    def test_an_external_id_repeated_with_other_values_in_one_batch_is_a_row_error(self, events_client, catalogue):
        rows = [event_row("e1"), event_row("e2"), event_row("e1", value="99.00")]

        response = events_client.post(EVENTS, {"events": rows}, format="json")

        assert row_errors(response) == [(2, "external_id")]
        assert not Event.objects.exists()

    def test_an_identical_repeat_in_one_batch_is_still_a_duplicate(self, events_client, catalogue):
        response = events_client.post(EVENTS, {"events": [event_row("e1"), event_row("e1")]}, format="json")

        assert response.json() == {"received": 2, "created": 1, "duplicates": 1}

    def test_a_replay_with_a_changed_payload_is_refused_and_changes_nothing(self, events_client, partner, catalogue):
        assert events_client.post(EVENTS, {"events": [event_row("e1")]}, format="json").status_code == 200

        response = events_client.post(
            EVENTS, {"events": [event_row("e2"), event_row("e1", type="refund")]}, format="json"
        )

        assert row_errors(response) == [(1, "external_id")]
        assert list(Event.objects.filter(organization=partner).values_list("external_id", "type")) == [
            ("e1", "purchase")
        ]

    def test_an_identical_replay_with_an_equivalent_time_and_amount_is_a_duplicate(self, events_client, catalogue):
        events_client.post(EVENTS, {"events": [event_row("e1")]}, format="json")
        # The same instant in UTC and the same amount written differently.
        same = event_row("e1", occurred_at="2026-01-11T12:00:00Z", value="10", currency="cny")

        response = events_client.post(EVENTS, {"events": [same, event_row("e3")]}, format="json")

        assert response.json() == {"received": 2, "created": 1, "duplicates": 1}


class TestTrackingTimes:
    @pytest.fixture
    def campaign(self):
        return running()

    @pytest.fixture
    def manager_of_campaign(self, campaign) -> APIClient:
        client = APIClient()
        client.force_authenticate(
            MembershipFactory(organization=campaign.organization, role=Role.CAMPAIGN_MANAGER).user
        )
        return client

    @pytest.mark.parametrize("kind", ["exposures", "conversions"])
    @pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1970-01-01"])
    def test_an_exposure_or_conversion_time_outside_the_window_is_a_field_error(
        self, manager_of_campaign, campaign, kind, moment
    ):
        [consumer] = contactable(campaign.organization, 1)
        item = {"consumer": consumer.external_ref, "external_id": "x-1", "occurred_at": moment}

        response = manager_of_campaign.post(f"/api/v1/campaigns/{campaign.pk}/{kind}/", {kind: [item]}, format="json")

        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == [f"{kind}.0.occurred_at"]
        assert not Exposure.objects.exists() and not Conversion.objects.exists()

    @pytest.mark.parametrize("kind", ["exposures", "conversions"])
    def test_a_recent_exposure_or_conversion_time_is_accepted(self, manager_of_campaign, campaign, kind):
        [consumer] = contactable(campaign.organization, 1)
        item = {"consumer": consumer.external_ref, "external_id": "x-1", "occurred_at": timezone.now().isoformat()}

        response = manager_of_campaign.post(f"/api/v1/campaigns/{campaign.pk}/{kind}/", {kind: [item]}, format="json")

        assert response.status_code == 200, response.content
