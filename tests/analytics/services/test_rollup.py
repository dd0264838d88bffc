from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from analytics.models import DailyEventRollup, EventType
from analytics.services.rollup import rollup_enqueue, rollup_enqueue_all_organizations, rollup_events
from analytics.tasks import rollup as tasks
from campaigns.models import TaskRun
from campaigns.services.task_runs import task_run_create
from tests.factories import ConsumerFactory, EventFactory

pytestmark = pytest.mark.django_db

# 15:59 UTC is 23:59 in Shanghai; 16:00 UTC is already the next day there.
LATE_ON_THE_10TH = datetime(2026, 11, 10, 15, 59, tzinfo=UTC)
EARLY_ON_THE_11TH = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)


def rows_of(organization) -> list[tuple]:
    return list(
        DailyEventRollup.objects.filter(organization=organization)
        .order_by("date", "type")
        .values_list("date", "type", "events", "units", "value", "consumers")
    )


@pytest.fixture
def shop(platform):
    """Two consumers and a guest buying around Shanghai midnight, plus a view."""
    alice, bob = ConsumerFactory(organization=platform), ConsumerFactory(organization=platform)
    EventFactory(organization=platform, consumer=alice, occurred_at=LATE_ON_THE_10TH, quantity=2, value="10.50")
    EventFactory(organization=platform, consumer=alice, occurred_at=EARLY_ON_THE_11TH, quantity=1, value="5.00")
    EventFactory(organization=platform, consumer=bob, occurred_at=EARLY_ON_THE_11TH, quantity=3, value="7.25")
    EventFactory(organization=platform, consumer=None, occurred_at=EARLY_ON_THE_11TH, quantity=1, value="1.00")
    EventFactory(organization=platform, consumer=bob, occurred_at=EARLY_ON_THE_11TH, type=EventType.VIEW, value="0")
    return platform


def test_rollup_counts_per_shanghai_day_and_type_with_distinct_consumers_and_guests_left_out(shop):
    result = rollup_events(organization=shop)

    assert rows_of(shop) == [
        (date(2026, 11, 10), "purchase", 1, 2, Decimal("10.50"), 1),
        (date(2026, 11, 11), "purchase", 3, 5, Decimal("13.25"), 2),
        (date(2026, 11, 11), "view", 1, 1, Decimal("0.00"), 1),
    ]
    assert result["rows"] == 3
    assert result["events"] == 5
    assert result["days"] == 2


def test_running_the_rollup_twice_leaves_identical_rows(shop):
    rollup_events(organization=shop)
    first = rows_of(shop)

    rollup_events(organization=shop)

    assert rows_of(shop) == first
    assert DailyEventRollup.objects.filter(organization=shop).count() == 3


def test_rollup_removes_days_whose_events_are_gone(shop):
    rollup_events(organization=shop)
    shop.events.filter(occurred_at=LATE_ON_THE_10TH).delete()

    rollup_events(organization=shop)

    assert {row[0] for row in rows_of(shop)} == {date(2026, 11, 11)}


def test_rollup_since_a_day_rebuilds_that_day_onwards_and_keeps_earlier_days(shop):
    rollup_events(organization=shop)
    DailyEventRollup.objects.filter(organization=shop, date=date(2026, 11, 10)).update(events=99)
    EventFactory(organization=shop, occurred_at=EARLY_ON_THE_11TH, quantity=1, value="2.00")

    result = rollup_events(organization=shop, since=date(2026, 11, 11))

    by_day = {(row[0], row[1]): row[2] for row in rows_of(shop)}
    assert by_day[(date(2026, 11, 10), "purchase")] == 99  # untouched: before `since`
    assert by_day[(date(2026, 11, 11), "purchase")] == 4
    assert result["since"] == "2026-11-11"


def test_rollup_since_an_aware_datetime_uses_its_shanghai_day(shop):
    rollup_events(organization=shop, since=EARLY_ON_THE_11TH)

    assert {row[0] for row in rows_of(shop)} == {date(2026, 11, 11)}


def test_rollup_of_one_organization_leaves_another_alone(shop, partner):
    EventFactory(organization=partner, occurred_at=LATE_ON_THE_10TH)
    rollup_events(organization=partner)

    rollup_events(organization=shop)

    assert rows_of(partner) == [(date(2026, 11, 10), "purchase", 1, 1, Decimal("99.00"), 1)]


def test_rollup_of_an_organization_without_events_writes_nothing(partner):
    result = rollup_events(organization=partner)

    assert rows_of(partner) == []
    assert result["rows"] == 0


def test_enqueued_rollup_runs_after_commit_and_its_task_run_succeeds(shop, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = rollup_enqueue(organization=shop, by=manager)

    run.refresh_from_db()
    assert run.task_name == "analytics.tasks.rollup.rollup_events"
    assert run.status == TaskRun.Status.SUCCEEDED
    assert run.progress == 100
    assert run.attempts == 1
    assert run.requested_by == manager
    assert run.result["rows"] == 3
    assert len(rows_of(shop)) == 3


def test_nothing_is_sent_before_the_enqueuing_transaction_commits(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = rollup_enqueue(organization=shop)

    run.refresh_from_db()
    assert len(callbacks) == 1
    assert run.status == TaskRun.Status.QUEUED
    assert rows_of(shop) == []


def test_replaying_the_message_of_a_succeeded_run_changes_nothing(shop):
    run = task_run_create(task_name=tasks.rollup_events.name, organization=shop)
    tasks.rollup_events.apply(kwargs={"task_run_id": run.pk}).get()
    EventFactory(organization=shop, occurred_at=LATE_ON_THE_10TH)  # would change the rollup if it ran again

    replay = tasks.rollup_events.apply(kwargs={"task_run_id": run.pk}).get()

    run.refresh_from_db()
    assert replay == {"skipped": True, "task_run_id": run.pk}
    assert run.attempts == 1
    assert rows_of(shop)[0][2] == 1


def test_a_redelivered_run_that_crashed_midway_runs_again(shop):
    run = task_run_create(task_name=tasks.rollup_events.name, organization=shop)
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.RUNNING, attempts=1)  # the worker died here

    tasks.rollup_events.apply(kwargs={"task_run_id": run.pk}).get()

    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED
    assert run.attempts == 2
    assert len(rows_of(shop)) == 3


def test_the_task_passes_since_from_the_run_parameters(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = rollup_enqueue(organization=shop, since=date(2026, 11, 11))

    run.refresh_from_db()
    assert run.params == {"since": "2026-11-11"}
    assert {row[0] for row in rows_of(shop)} == {date(2026, 11, 11)}


def test_a_message_for_a_deleted_run_is_dropped(shop):
    assert tasks.rollup_events.apply(kwargs={"task_run_id": 987654}).get() == {"skipped": True, "task_run_id": 987654}


def test_nightly_fan_out_queues_one_rollup_per_active_organization(
    shop, partner, other_partner, django_capture_on_commit_callbacks
):
    other_partner.is_active = False
    other_partner.save()

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.rollup_events_all_organizations.apply().get()

    runs = TaskRun.objects.filter(task_name="analytics.tasks.rollup.rollup_events")
    assert sorted(runs.values_list("organization__slug", flat=True)) == sorted([shop.slug, partner.slug])
    assert set(runs.values_list("status", flat=True)) == {TaskRun.Status.SUCCEEDED}
    assert sorted(result["queued"]) == sorted(runs.values_list("pk", flat=True))


def test_nightly_fan_out_skips_an_organization_whose_rollup_is_already_queued(shop, partner):
    queued = task_run_create(task_name="analytics.tasks.rollup.rollup_events", organization=shop)

    runs = rollup_enqueue_all_organizations()

    assert [run.organization for run in runs] == [partner]
    assert queued.pk not in [run.pk for run in runs]


def test_rollup_tasks_are_routed_to_the_ingest_queue_and_acknowledged_late():
    from xmkt_site.celery import app

    route = app.amqp.router.route({}, tasks.rollup_events.name)
    assert route["queue"].name == "ingest"
    assert app.amqp.router.route({}, tasks.rollup_events_all_organizations.name)["queue"].name == "ingest"
    assert tasks.rollup_events.acks_late is True
    assert tasks.rollup_events.reject_on_worker_lost is True
    assert tasks.rollup_events.max_retries == 5


def test_a_run_with_a_newer_queued_full_rollup_behind_it_skips_its_work(shop):
    older = task_run_create(task_name=tasks.rollup_events.name, organization=shop)
    newer = task_run_create(task_name=tasks.rollup_events.name, organization=shop)

    tasks.rollup_events.apply(kwargs={"task_run_id": older.pk}).get()

    older.refresh_from_db()
    assert older.status == TaskRun.Status.SUCCEEDED
    assert older.result["superseded_by"] == newer.pk
    assert rows_of(shop) == []  # left to the newer run

    tasks.rollup_events.apply(kwargs={"task_run_id": newer.pk}).get()
    assert len(rows_of(shop)) == 3


def test_a_full_rollup_is_not_skipped_for_a_newer_partial_one(shop):
    older = task_run_create(task_name=tasks.rollup_events.name, organization=shop)
    task_run_create(task_name=tasks.rollup_events.name, organization=shop, params={"since": "2026-11-11"})

    tasks.rollup_events.apply(kwargs={"task_run_id": older.pk}).get()

    older.refresh_from_db()
    assert "superseded_by" not in older.result
    assert len(rows_of(shop)) == 3


def test_a_partial_rollup_is_skipped_for_a_newer_one_starting_earlier(shop):
    older = task_run_create(task_name=tasks.rollup_events.name, organization=shop, params={"since": "2026-11-11"})
    newer = task_run_create(task_name=tasks.rollup_events.name, organization=shop, params={"since": "2026-11-10"})

    tasks.rollup_events.apply(kwargs={"task_run_id": older.pk, "since": "2026-11-11"}).get()

    older.refresh_from_db()
    assert older.result["superseded_by"] == newer.pk


def test_a_newer_queued_rollup_of_another_organization_does_not_supersede(shop, partner):
    run = task_run_create(task_name=tasks.rollup_events.name, organization=shop)
    task_run_create(task_name=tasks.rollup_events.name, organization=partner)

    tasks.rollup_events.apply(kwargs={"task_run_id": run.pk}).get()

    assert len(rows_of(shop)) == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_concurrent_rollups_of_one_organization_both_succeed_and_leave_one_set_of_rows():
    """Two workers can hold two runs of the same organization at once (a redelivery while the first still runs)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs a database with concurrent writers (PostgreSQL)")
    import threading

    from django.db import connections

    from tests.factories import PlatformFactory

    shop = PlatformFactory(slug="concurrent")
    for day in range(1, 29):
        EventFactory(organization=shop, occurred_at=datetime(2026, 10, day, 4, 0, tzinfo=UTC))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def rollup_in_a_thread() -> None:
        try:
            for _ in range(5):
                barrier.wait(timeout=20)
                rollup_events(organization=shop)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rollup_in_a_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert DailyEventRollup.objects.filter(organization=shop).count() == 28
