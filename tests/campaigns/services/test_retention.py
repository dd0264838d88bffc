from datetime import UTC, datetime, timedelta

import pytest

from analytics.models import Event
from campaigns.models import AuditEvent, ConsentRecord, Consumer, TaskRun
from campaigns.services.retention import behavioural_models, retention_apply
from campaigns.tasks.retention import retention_apply_task
from tests.factories import AgreementFactory, ConsentRecordFactory, ConsumerFactory, EventFactory

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def age(instance, days: int) -> None:
    """Backdate created/updated timestamps, which auto_now fields otherwise set to the present."""
    type(instance).objects.filter(pk=instance.pk).update(updated_at=NOW - timedelta(days=days))


@pytest.fixture
def partner_data(platform, partner):
    AgreementFactory(platform=platform, partner=partner, retention_days=90)
    old_customer = ConsumerFactory(organization=partner)
    active_customer = ConsumerFactory(organization=partner)
    ConsentRecordFactory(consumer=old_customer)
    old_event = EventFactory(organization=partner, consumer=old_customer, occurred_at=NOW - timedelta(days=120))
    event_just_past_retention = EventFactory(
        organization=partner, consumer=active_customer, occurred_at=NOW - timedelta(days=91)
    )
    recent_event = EventFactory(organization=partner, consumer=active_customer, occurred_at=NOW - timedelta(days=10))
    guest_event = EventFactory(organization=partner, consumer=None, occurred_at=NOW - timedelta(days=200))
    age(old_customer, 120)
    age(active_customer, 120)
    return locals()


@pytest.mark.django_db
class TestRetention:
    def test_events_is_a_behavioural_model_found_through_model_meta(self):
        assert (Event, "occurred_at") in behavioural_models()

    def test_partner_data_older_than_the_retention_is_deleted(self, partner_data):
        # when
        report = retention_apply(now=NOW)
        # then
        assert not Event.objects.filter(pk__in=[partner_data["old_event"].pk, partner_data["guest_event"].pk]).exists()
        assert not Event.objects.filter(pk=partner_data["event_just_past_retention"].pk).exists()
        assert Event.objects.filter(pk=partner_data["recent_event"].pk).exists()
        assert not Consumer.objects.filter(pk=partner_data["old_customer"].pk).exists()
        assert not ConsentRecord.objects.filter(consumer_id=partner_data["old_customer"].pk).exists()
        assert Consumer.objects.filter(pk=partner_data["active_customer"].pk).exists()
        assert report["deleted"]["analytics.event"] == 3
        assert report["deleted"]["campaigns.consumer"] == 1
        assert AuditEvent.objects.get(action="retention.apply").metadata["total"] == report["total"]

    def test_the_platforms_own_data_and_partners_without_retention_are_untouched(
        self, platform, other_partner, partner_data
    ):
        own = EventFactory(organization=platform, occurred_at=NOW - timedelta(days=1000))
        AgreementFactory(platform=platform, partner=other_partner, retention_days=None)
        unbounded = EventFactory(organization=other_partner, occurred_at=NOW - timedelta(days=1000))
        retention_apply(now=NOW)
        assert Event.objects.filter(pk__in=[own.pk, unbounded.pk]).count() == 2

    def test_the_longest_retention_among_a_partners_agreements_applies(self, platform, partner, partner_data):
        AgreementFactory(platform=platform, partner=partner, retention_days=365)
        retention_apply(now=NOW)
        assert Event.objects.filter(pk=partner_data["old_event"].pk).exists()

    def test_a_second_run_deletes_nothing_more(self, partner_data):
        retention_apply(now=NOW)
        assert retention_apply(now=NOW)["total"] == 0

    def test_the_beat_task_records_a_task_run_with_the_report(self, partner_data):
        result = retention_apply_task.apply(kwargs={}).get()
        run = TaskRun.objects.get(task_name="campaigns.tasks.retention.retention_apply")
        assert run.status == TaskRun.Status.SUCCEEDED
        assert run.result["total"] == result["total"]
