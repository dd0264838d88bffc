from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings

from campaigns.models import AuditEvent, CatalogItem, Consumer, Role
from campaigns.services.identity import hash_email, hash_phone
from tests.builders.ingestion import post_at_once
from tests.factories import ConsumerFactory, MembershipFactory, issue_api_key

CONSUMERS = "/api/v1/consumers/batch/"
ITEMS = "/api/v1/items/batch/"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def consumer_row(ref: str, **extra) -> dict:
    return {"external_ref": ref, "age_band": "25-34", "gender": "female", "city": "上海", "city_tier": 1, **extra}


def item_row(ref: str, **extra) -> dict:
    return {"external_ref": ref, "kind": "product", "title": f"Sofa {ref}", "price": "2999.00", **extra}


class TestConsumerBatch:
    def test_partner_key_creates_consumers_in_its_own_organization(self, partner_key_client, partner):
        client = partner_key_client(["consumers:write"])

        response = client.post(CONSUMERS, {"consumers": [consumer_row("a"), consumer_row("b")]}, format="json")

        assert response.status_code == 200, response.json()
        assert response.json() == {"received": 2, "created": 2, "updated": 0, "duplicates": 0}
        assert set(Consumer.objects.filter(organization=partner).values_list("external_ref", flat=True)) == {"a", "b"}

    def test_replayed_batch_creates_nothing_and_reports_duplicates(self, partner_key_client, partner):
        client = partner_key_client(["consumers:write"])
        batch = {"consumers": [consumer_row("a"), consumer_row("b")]}
        client.post(CONSUMERS, batch, format="json")

        response = client.post(CONSUMERS, batch, format="json")

        assert response.json() == {"received": 2, "created": 0, "updated": 0, "duplicates": 2}
        assert Consumer.objects.filter(organization=partner).count() == 2

    def test_changed_attributes_of_an_existing_ref_are_updated(self, partner_key_client, partner):
        client = partner_key_client(["consumers:write"])
        client.post(CONSUMERS, {"consumers": [consumer_row("a"), consumer_row("b")]}, format="json")

        response = client.post(
            CONSUMERS, {"consumers": [consumer_row("a", city="北京"), consumer_row("b")]}, format="json"
        )

        assert response.json() == {"received": 2, "created": 0, "updated": 1, "duplicates": 1}
        assert Consumer.objects.get(organization=partner, external_ref="a").city == "北京"

    def test_raw_phone_and_email_are_stored_only_as_keyed_hashes(self, partner_key_client, partner):
        client = partner_key_client(["consumers:write"])
        phone, email = "+86 138-0013-8000", "Li.Lei@Example.com"

        response = client.post(CONSUMERS, {"consumers": [consumer_row("a", phone=phone, email=email)]}, format="json")

        assert response.status_code == 200
        assert "13800138000" not in response.content.decode() and "example.com" not in response.content.decode()
        consumer = Consumer.objects.get(organization=partner, external_ref="a")
        assert consumer.phone_hash == hash_phone(phone) and consumer.email_hash == hash_email(email)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM campaigns_consumer")
            dumped = repr(cursor.fetchall())
        assert "13800138000" not in dumped and "example.com" not in dumped.lower()
        assert "13800138000" not in repr(list(AuditEvent.objects.values()))

    def test_bad_rows_are_all_listed_and_nothing_is_written(self, partner_key_client, partner):
        client = partner_key_client(["consumers:write"])
        rows = [
            consumer_row("ok"),
            consumer_row("bad-tier", city_tier=9),
            consumer_row("bad-gender", gender="robot"),
            {"age_band": "25-34"},
            consumer_row("bad-type", city_tier="first"),
            consumer_row("typo", citty="上海"),
        ]

        response = client.post(CONSUMERS, {"consumers": rows}, format="json")

        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_rows"
        assert {(r["index"], r["field"]) for r in error["rows"]} == {
            (1, "city_tier"),
            (2, "gender"),
            (3, "external_ref"),
            (4, "city_tier"),
            (5, "citty"),
        }
        assert Consumer.objects.filter(organization=partner).count() == 0

    def test_conflicting_repeat_of_a_ref_within_a_batch_is_a_row_error(self, partner_key_client):
        client = partner_key_client(["consumers:write"])

        response = client.post(
            CONSUMERS, {"consumers": [consumer_row("a"), consumer_row("a", city="北京")]}, format="json"
        )

        assert response.status_code == 400
        assert response.json()["error"]["rows"][0] == {
            "index": 1,
            "field": "external_ref",
            "message": "This external_ref appears earlier in the batch with other values.",
        }

    @override_settings(INGEST_MAX_ROWS=3)
    def test_oversized_batch_is_refused_with_a_clear_code(self, partner_key_client, partner):
        client = partner_key_client(["consumers:write"])

        response = client.post(CONSUMERS, {"consumers": [consumer_row(str(i)) for i in range(4)]}, format="json")

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "batch_too_large"
        assert response.json()["error"]["max_rows"] == 3
        assert Consumer.objects.filter(organization=partner).count() == 0

    def test_rows_must_be_a_list(self, partner_key_client):
        response = partner_key_client(["consumers:write"]).post(CONSUMERS, {"consumers": {"a": 1}}, format="json")

        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"consumers": ["Expected a list."]}

    def test_error_list_is_capped_but_the_count_is_complete(self, partner_key_client):
        rows = [{"external_ref": str(i), "city_tier": "x", "gender": "x"} for i in range(600)]

        response = partner_key_client(["consumers:write"]).post(CONSUMERS, {"consumers": rows}, format="json")

        error = response.json()["error"]
        assert len(error["rows"]) == 1000 and error["error_count"] == 1200 and error["truncated"] is True

    def test_csv_upload_creates_the_same_rows(self, partner_key_client, partner, tmp_path):
        path = tmp_path / "consumers.csv"
        path.write_text("external_ref,gender,city_tier,phone\nc1,male,2,13800138000\nc2,,,\n", encoding="utf-8")
        client = partner_key_client(["consumers:write"])

        with path.open("rb") as upload:
            response = client.post(CONSUMERS, {"file": upload}, format="multipart")

        assert response.status_code == 200, response.json()
        assert response.json()["created"] == 2
        c1 = Consumer.objects.get(organization=partner, external_ref="c1")
        assert (c1.gender, c1.city_tier, c1.phone_hash) == ("male", 2, hash_phone("13800138000"))
        assert Consumer.objects.get(organization=partner, external_ref="c2").gender == "unknown"

    def test_csv_upload_that_is_not_utf8_is_refused(self, partner_key_client, tmp_path):
        path = tmp_path / "consumers.csv"
        path.write_bytes("external_ref,city\nc1,上海\n".encode("gb18030"))

        with path.open("rb") as upload:
            response = partner_key_client(["consumers:write"]).post(CONSUMERS, {"file": upload}, format="multipart")

        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_file"

    @override_settings(INGEST_MAX_ROWS=100)
    def test_oversized_csv_upload_is_refused(self, partner_key_client, partner, tmp_path):
        path = tmp_path / "consumers.csv"
        path.write_text(
            "external_ref\n" + "".join(f"c{i}\n" for i in range(400_000)), encoding="utf-8"
        )  # > 2.5 MB: on disk

        with path.open("rb") as upload:
            response = partner_key_client(["consumers:write"]).post(CONSUMERS, {"file": upload}, format="multipart")

        assert response.status_code == 400 and response.json()["error"]["code"] == "batch_too_large"
        assert not Consumer.objects.filter(organization=partner).exists()

    def test_csv_upload_with_bad_cells_names_row_and_column(self, partner_key_client, tmp_path):
        path = tmp_path / "consumers.csv"
        path.write_text("external_ref,city_tier\nc1,2\nc2,six\n", encoding="utf-8")

        with path.open("rb") as upload:
            response = partner_key_client(["consumers:write"]).post(CONSUMERS, {"file": upload}, format="multipart")

        assert response.status_code == 400
        assert [(r["index"], r["field"]) for r in response.json()["error"]["rows"]] == [(1, "city_tier")]

    def test_partner_key_only_touches_its_own_organizations_consumers(self, partner_key_client, partner, other_partner):
        theirs = ConsumerFactory(organization=other_partner, external_ref="shared-ref", city="广州")

        response = partner_key_client(["consumers:write"]).post(
            CONSUMERS, {"consumers": [consumer_row("shared-ref", city="上海")]}, format="json"
        )

        assert response.json()["created"] == 1
        theirs.refresh_from_db()
        assert theirs.city == "广州"
        assert Consumer.objects.get(organization=partner, external_ref="shared-ref").city == "上海"

    def test_key_without_the_consumers_scope_is_forbidden(self, partner_key_client):
        response = partner_key_client(["events:write"]).post(
            CONSUMERS, {"consumers": [consumer_row("a")]}, format="json"
        )

        assert response.status_code == 403

    def test_anonymous_caller_is_unauthenticated(self, api_client):
        response = api_client.post(CONSUMERS, {"consumers": [consumer_row("a")]}, format="json")

        assert response.status_code == 401

    def test_signed_in_manager_writes_into_the_active_organization(self, manager_api_client, platform):
        response = manager_api_client.post(CONSUMERS, {"consumers": [consumer_row("a")]}, format="json")

        assert response.status_code == 200
        assert Consumer.objects.filter(organization=platform, external_ref="a").exists()

    def test_analyst_may_not_ingest(self, platform, api_client):
        analyst = MembershipFactory(organization=platform, role=Role.ANALYST).user
        api_client.force_authenticate(analyst)

        response = api_client.post(CONSUMERS, {"consumers": [consumer_row("a")]}, format="json")

        assert response.status_code == 403

    def test_each_batch_leaves_one_audit_event_with_counts_only(self, partner_key_client, partner):
        partner_key_client(["consumers:write"]).post(
            CONSUMERS, {"consumers": [consumer_row("a", email="x@example.com")]}, format="json"
        )

        audit = AuditEvent.objects.get(action="consumers.batch_ingest")
        assert audit.organization == partner and audit.api_key is not None
        assert audit.metadata == {"received": 1, "created": 1, "updated": 0, "duplicates": 0, "source": "json"}


class TestCatalogItemBatch:
    def test_items_are_created_then_replays_are_duplicates(self, partner_key_client, partner):
        client = partner_key_client(["catalog:write"])
        batch = {"items": [item_row("sofa-1", tags=["sofa", "living"]), item_row("lamp-1", active="false")]}

        first = client.post(ITEMS, batch, format="json")
        second = client.post(ITEMS, batch, format="json")

        assert first.json() == {"received": 2, "created": 2, "updated": 0, "duplicates": 0}
        assert second.json() == {"received": 2, "created": 0, "updated": 0, "duplicates": 2}
        sofa = CatalogItem.objects.get(organization=partner, external_ref="sofa-1")
        assert (sofa.price, sofa.tags, sofa.currency) == (Decimal("2999.00"), ["sofa", "living"], "CNY")
        assert CatalogItem.objects.get(organization=partner, external_ref="lamp-1").active is False

    def test_negative_price_bad_kind_and_missing_title_are_row_errors(self, partner_key_client, partner):
        rows = [
            item_row("a", price="-1"),
            item_row("b", kind="spaceship"),
            {"external_ref": "c", "kind": "course"},
            item_row("d", price="1.234"),
            item_row("e", price=True),
        ]

        response = partner_key_client(["catalog:write"]).post(ITEMS, {"items": rows}, format="json")

        assert response.status_code == 400
        assert [(r["index"], r["field"]) for r in response.json()["error"]["rows"]] == [
            (0, "price"),
            (1, "kind"),
            (2, "title"),
            (3, "price"),
            (4, "price"),
        ]
        assert not CatalogItem.objects.filter(organization=partner).exists()

    def test_changed_price_is_an_update(self, partner_key_client, partner):
        client = partner_key_client(["catalog:write"])
        client.post(ITEMS, {"items": [item_row("a")]}, format="json")

        response = client.post(ITEMS, {"items": [item_row("a", price="1999.5")]}, format="json")

        assert response.json()["updated"] == 1
        assert CatalogItem.objects.get(organization=partner, external_ref="a").price == Decimal("1999.50")

    def test_csv_upload_splits_tags_on_bars(self, partner_key_client, partner, tmp_path):
        path = tmp_path / "items.csv"
        path.write_text("external_ref,kind,title,tags,price\nx1,product,落地灯,light|living,399\n", encoding="utf-8")

        with path.open("rb") as upload:
            response = partner_key_client(["catalog:write"]).post(ITEMS, {"file": upload}, format="multipart")

        assert response.status_code == 200, response.json()
        assert CatalogItem.objects.get(organization=partner, external_ref="x1").tags == ["light", "living"]

    def test_catalog_scope_is_required(self, partner_key_client):
        response = partner_key_client(["consumers:write"]).post(ITEMS, {"items": [item_row("a")]}, format="json")

        assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_identical_consumer_batches_at_once_create_each_consumer_once(partner):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them with one write lock")
    secret = issue_api_key(partner, ["consumers:write"])
    batch = {"consumers": [consumer_row(f"c{i:04d}") for i in range(1000)]}

    results = [body for _, body in post_at_once(path=CONSUMERS, secret=secret, bodies=[batch, batch])]

    assert Consumer.objects.filter(organization=partner).count() == 1000
    assert sum(r["created"] for r in results) == 1000
    assert sum(r["duplicates"] for r in results) == 1000
