import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError
from django.db import connection

from analytics.models import Event
from analytics.services.online_retail import online_retail_import
from campaigns.models import AuditEvent, CatalogItem, Consumer, Organization
from tests.builders.online_retail import LINES, import_methods, run_import, write_file
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SHARED_FILE = Path(settings.BASE_DIR).parent / "shared" / "data" / "online_retail.csv.gz"


@pytest.fixture
def retail_file(tmp_path) -> Path:
    return write_file(tmp_path, LINES)


class TestOnlineRetailImport:
    def test_creates_a_home_furnishing_partner_with_consumers_items_and_events(self, retail_file):
        output = run_import(retail_file)

        organization = Organization.objects.get(slug="retail")
        assert (organization.kind, organization.industry) == ("partner", "home_furnishing")
        assert set(Consumer.objects.filter(organization=organization).values_list("external_ref", flat=True)) == {
            "17850",
            "13047",
            "12583",
        }
        assert Event.objects.filter(organization=organization).count() == 9
        assert "Events: 9 created" in output
        assert "skipped 2 (accounting_adjustment: 1, stock_correction: 1)" in output

    @pytest.mark.parametrize("method", import_methods())
    def test_maps_every_kind_of_line(self, retail_file, method):
        organization = OrganizationFactory(slug="retail")

        online_retail_import(path=retail_file, organization=organization, method=method)

        heart = CatalogItem.objects.get(organization=organization, external_ref="85123A")
        assert (heart.kind, heart.title, heart.price, heart.currency) == (
            "product",
            "WHITE HANGING HEART T-LIGHT HOLDER",
            Decimal("2.55"),  # 2.55 is sold on three lines, 2.95 on two
            "GBP",
        )
        post = CatalogItem.objects.get(organization=organization, external_ref="POST")
        assert (post.kind, post.tags) == ("service", ["non_product"])
        assert CatalogItem.objects.get(organization=organization, external_ref="22752").price == Decimal("7.66")
        assert CatalogItem.objects.get(organization=organization, external_ref="71053").title == (
            "WHITE METAL LANTERN, LARGE"
        )
        events = {e.external_id: e for e in Event.objects.filter(organization=organization).select_related("consumer")}
        assert sorted(events) == sorted(
            [
                "536365-1",
                "536365-2",
                "536365-3",
                "536366-1",
                "536367-1",
                "536368-1",
                "C536369-1",
                "536371-1",
                "536372-1",
            ]
        )
        refund = events["C536369-1"]
        assert (refund.type, refund.quantity, refund.value, refund.currency) == ("refund", 2, Decimal("6.78"), "GBP")
        assert events["536366-1"].consumer is None
        assert events["536365-3"].consumer.external_ref == "17850"
        assert events["536372-1"].value == Decimal("15.31")  # 2 x 7.655, rounded half up
        # UK local time: GMT in December, BST (UTC+1) in June.
        assert events["536365-1"].occurred_at == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
        assert events["536367-1"].occurred_at == datetime(2011, 6, 10, 13, 5, tzinfo=UTC)

    @pytest.mark.parametrize("method", import_methods())
    def test_second_run_creates_nothing_and_says_so(self, retail_file, method):
        run_import(retail_file, "--method", method)

        output = run_import(retail_file, "--method", method)

        assert "Nothing new" in output
        assert "Events: 0 created, 9 already present" in output
        assert Event.objects.count() == 9 and Consumer.objects.count() == 3 and CatalogItem.objects.count() == 4

    def test_a_prefix_then_the_whole_file_imports_each_line_once(self, retail_file):
        run_import(retail_file, "--limit", "3")
        assert Event.objects.count() == 3

        output = run_import(retail_file)

        assert "Events: 6 created, 3 already present" in output
        assert Event.objects.count() == 9

    def test_import_is_audited_without_personal_data(self, retail_file):
        run_import(retail_file)

        audit = AuditEvent.objects.get(action="events.import_online_retail")
        assert audit.metadata["events_created"] == 9
        assert "17850" not in repr(audit.metadata)

    def test_a_file_in_another_format_is_refused(self, tmp_path):
        path = tmp_path / "other.csv"
        path.write_text("a,b\n1,2\n", encoding="utf-8")

        with pytest.raises(CommandError, match="not in the Online Retail format"):
            run_import(path)
        assert not Event.objects.exists() and not Organization.objects.filter(slug="retail").exists()

    def test_a_malformed_line_imports_nothing(self, tmp_path):
        path = write_file(tmp_path, [*LINES, "536399,22752,BOXES,two,2011-06-12 11:00:00,7.65,12583,France"])

        with pytest.raises(CommandError, match="Nothing imported"):
            run_import(path)
        assert not Event.objects.exists() and not Consumer.objects.exists()

    def test_missing_file_is_a_clear_error(self, tmp_path):
        with pytest.raises(CommandError, match="No such file"):
            run_import(tmp_path / "absent.csv.gz")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares the COPY path with the bulk path")
def test_copy_and_bulk_paths_produce_the_same_rows(retail_file):
    via_copy, via_bulk = OrganizationFactory(slug="copy"), OrganizationFactory(slug="bulk")

    online_retail_import(path=retail_file, organization=via_copy, method="copy")
    online_retail_import(path=retail_file, organization=via_bulk, method="bulk")

    def snapshot(org):
        events = Event.objects.filter(organization=org).values_list(
            "external_id",
            "type",
            "quantity",
            "value",
            "currency",
            "occurred_at",
            "consumer__external_ref",
            "item__external_ref",
        )
        items = CatalogItem.objects.filter(organization=org).values_list(
            "external_ref", "kind", "title", "price", "tags"
        )
        return sorted(events), sorted(items, key=lambda i: i[0])

    assert snapshot(via_copy) == snapshot(via_bulk)


def test_first_rows_of_the_shared_file_import_idempotently():
    if not SHARED_FILE.is_file():
        if os.environ.get("XMKT_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(f"{SHARED_FILE} is missing and XMKT_REQUIRE_SHARED_DATA=1")
        pytest.skip(f"shared data not present at {SHARED_FILE}")

    first = run_import(SHARED_FILE, "--limit", "20000")
    second = run_import(SHARED_FILE, "--limit", "20000")

    organization = Organization.objects.get(slug="retail")
    events = Event.objects.filter(organization=organization)
    assert "Read 20,000 rows" in first
    assert events.count() + int(first.split("skipped ")[1].split(" ")[0].replace(",", "")) == 20000
    assert events.filter(type="refund").exists() and events.filter(consumer__isnull=True).exists()
    assert "Nothing new" in second
