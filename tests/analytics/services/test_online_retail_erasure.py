"""A re-import of the Online Retail file never brings back a customer erased at their request."""

import pytest
from django.apps import apps
from django.db import connection

from analytics.models import Event
from analytics.services.online_retail import online_retail_import
from campaigns.models import CatalogItem, Consumer, ErasureTombstone, Organization
from campaigns.services.identity import keyed_hash
from campaigns.services.privacy import dsr_create, dsr_erase
from tests.builders.online_retail import LINES, import_methods, run_import, write_file
from tests.builders.privacy import text_values
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

ERASED = "13047"  # three lines in LINES: 536367, 536368 and the refund C536369
ERASED_EVENTS = {"536367-1", "536368-1", "C536369-1"}


@pytest.fixture
def retail_file(tmp_path):
    return write_file(tmp_path, LINES)


def erase(organization: Organization, external_ref: str) -> None:
    dsr_erase(request=dsr_create(organization=organization, external_ref=external_ref, kind="erasure"))


@pytest.mark.parametrize("method", import_methods())
def test_a_reimport_does_not_recreate_the_erased_customer_or_their_events(retail_file, method):
    # given: the file was imported, then customer 13047 was erased at their request
    organization = OrganizationFactory(slug="retail")
    online_retail_import(path=retail_file, organization=organization, method=method)
    erase(organization, ERASED)
    assert Event.objects.filter(organization=organization).count() == 6

    # when
    summary = online_retail_import(path=retail_file, organization=organization, method=method)

    # then: nothing of theirs is back, not even as guest events; the rest is untouched
    assert not Consumer.objects.filter(organization=organization, external_ref=ERASED).exists()
    stored = set(Event.objects.filter(organization=organization).values_list("external_id", flat=True))
    assert stored.isdisjoint(ERASED_EVENTS) and len(stored) == 6
    assert (summary.consumers_erased, summary.rows_skipped["erased_consumer"]) == (1, 3)
    assert (summary.consumers_created, summary.events_created, summary.events_existing) == (0, 0, 6)
    assert not summary.created_anything


@pytest.mark.parametrize("method", import_methods())
def test_a_first_import_into_an_organization_that_erased_the_customer_skips_them(retail_file, method):
    organization = OrganizationFactory(slug="retail")
    Consumer.objects.create(organization=organization, external_ref=ERASED)
    erase(organization, ERASED)

    summary = online_retail_import(path=retail_file, organization=organization, method=method)

    refs = set(Consumer.objects.filter(organization=organization).values_list("external_ref", flat=True))
    assert refs == {"17850", "12583"}
    assert Event.objects.filter(organization=organization).count() == 6
    assert not Event.objects.filter(organization=organization, external_id__in=ERASED_EVENTS).exists()
    assert summary.events_created == 6 and summary.events_existing == 0


def test_a_tombstone_of_another_organization_does_not_skip_the_customer(retail_file):
    other = OrganizationFactory(slug="elsewhere")
    Consumer.objects.create(organization=other, external_ref=ERASED)
    erase(other, ERASED)
    organization = OrganizationFactory(slug="retail")

    summary = online_retail_import(path=retail_file, organization=organization)

    assert Consumer.objects.filter(organization=organization, external_ref=ERASED).exists()
    assert summary.consumers_erased == 0 and "erased_consumer" not in summary.rows_skipped


def test_the_command_reports_the_skipped_customers_and_only_the_tombstone_knows_them(retail_file):
    run_import(retail_file)
    erase(Organization.objects.get(slug="retail"), ERASED)

    output = run_import(retail_file)

    assert "erased_consumer: 3" in output
    assert "Skipped 1 customers erased at their request" in output
    secrets = {ERASED, keyed_hash(ERASED)}
    holders = [
        f"{model._meta.label_lower}#{instance.pk}"
        for model in apps.get_models()
        if model is not ErasureTombstone
        for instance in model._base_manager.all()
        if any(secret in " ".join(text_values(instance)) for secret in secrets)
    ]
    assert holders == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares the COPY path with the bulk path")
def test_copy_and_bulk_paths_skip_the_same_rows(retail_file):
    via_copy, via_bulk = OrganizationFactory(slug="copy"), OrganizationFactory(slug="bulk")
    for organization in (via_copy, via_bulk):
        Consumer.objects.create(organization=organization, external_ref=ERASED)
        erase(organization, ERASED)

    copied = online_retail_import(path=retail_file, organization=via_copy, method="copy")
    bulked = online_retail_import(path=retail_file, organization=via_bulk, method="bulk")

    def snapshot(org):
        events = Event.objects.filter(organization=org).values_list("external_id", "consumer__external_ref")
        items = CatalogItem.objects.filter(organization=org).values_list("external_ref", "title", "price")
        return sorted(events), sorted(items)

    assert snapshot(via_copy) == snapshot(via_bulk)
    assert copied.rows_skipped == bulked.rows_skipped
    assert (copied.consumers_erased, copied.events_created) == (bulked.consumers_erased, bulked.events_created)
