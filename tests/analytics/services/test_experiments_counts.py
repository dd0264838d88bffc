"""Batch responses count what the insert stored: replays and repeats are duplicates, and parallel identical batches
together report each stored row once (PostgreSQL: real parallelism)."""

import pytest

from analytics.services.experiments import conversions_record, exposures_record
from campaigns.models import Conversion, Exposure
from tests.builders.concurrency import require_postgresql, run_at_once
from tests.builders.experiments import contactable, running


def conversion_items(consumers, prefix: str = "order") -> list[dict]:
    return [
        {"consumer": c.external_ref, "external_id": f"{prefix}-{i}", "value": "12.50"} for i, c in enumerate(consumers)
    ]


@pytest.mark.django_db
def test_a_repeated_external_id_inside_one_batch_is_stored_and_counted_once():
    # given a running campaign and three consumers
    campaign = running()
    consumers = contactable(campaign.organization, 3)
    items = conversion_items(consumers)
    # when one batch carries the three orders and order-0 a second time
    result = conversions_record(campaign=campaign, items=[*items, items[0]])
    # then 3 are accepted, 1 is a duplicate, and 3 rows exist
    assert (result.accepted, result.duplicates, result.rejected) == (3, 1, [])
    assert Conversion.objects.filter(campaign=campaign).count() == 3


@pytest.mark.django_db
def test_a_replayed_batch_with_one_new_row_accepts_only_the_new_row():
    # given a stored batch of two exposures
    campaign = running()
    consumers = contactable(campaign.organization, 3)
    items = [{"consumer": c.external_ref, "external_id": f"seen-{i}"} for i, c in enumerate(consumers)]
    exposures_record(campaign=campaign, items=items[:2])
    # when the batch is replayed with a third row
    result = exposures_record(campaign=campaign, items=items)
    # then only the third is accepted and 3 rows exist in all
    assert (result.accepted, result.duplicates) == (1, 2)
    assert Exposure.objects.filter(campaign=campaign).count() == 3


@pytest.mark.django_db
def test_a_replayed_one_row_batch_is_a_duplicate():
    # given one stored conversion
    campaign = running()
    (consumer,) = contactable(campaign.organization, 1)
    items = conversion_items([consumer])
    conversions_record(campaign=campaign, items=items)
    # when the one-row batch is replayed, then nothing is accepted
    result = conversions_record(campaign=campaign, items=items)
    assert (result.accepted, result.duplicates) == (0, 1)
    assert Conversion.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db
def test_a_batch_larger_than_one_insert_statement_counts_every_row():
    # given 700 conversions: more rows × columns than SQLite binds in one statement
    campaign = running()
    consumers = contactable(campaign.organization, 7, personalization=False)
    items = [
        {"consumer": consumers[i % 7].external_ref, "external_id": f"big-{i}", "value": "1.00"} for i in range(700)
    ]
    # when they arrive in one batch, then all 700 are accepted and stored
    assert conversions_record(campaign=campaign, items=items).accepted == 700
    assert Conversion.objects.filter(campaign=campaign).count() == 700


BATCHES = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_identical_batches_report_each_stored_conversion_once():
    require_postgresql()
    # given a running campaign and a batch of 50 conversions
    campaign = running()
    consumers = contactable(campaign.organization, 50, personalization=False)
    items = conversion_items(consumers)
    # when 20 threads post the same batch at once
    outcomes = run_at_once(BATCHES, lambda index: conversions_record(campaign=campaign, items=items))
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    accepted = [o.accepted for o in outcomes if not isinstance(o, BaseException)]
    duplicates = [o.duplicates for o in outcomes if not isinstance(o, BaseException)]

    # then 50 rows are stored, the responses accept 50 in all, and the other 19 × 50 are reported as duplicates
    assert errors == []
    assert Conversion.objects.filter(campaign=campaign).count() == 50
    assert sum(accepted) == 50
    assert sum(duplicates) == (BATCHES - 1) * 50
