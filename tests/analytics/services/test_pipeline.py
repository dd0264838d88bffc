"""The analytics pipeline on stored data: profiles -> segments -> forecasts, each step a TaskRun."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analytics.models import ConsumerProfile, Forecast, ForecastPoint, Segment, SegmentMembership, SegmentRun
from analytics.services.pipeline import PIPELINE_STEPS, pipeline_enqueue, pipeline_run_sync
from campaigns.models import DataPurpose, Organization, TaskRun
from campaigns.selectors.consent import consented_consumer_ids
from demo.writer import demo_seed
from tests.factories import ConsumerFactory, EventFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

# SARIMAX alone takes 10-20 s per series on a loaded 2-core machine; the full candidate set runs in the Online
# Retail acceptance test.
FAST = {"horizon": 14, "top_categories": 1, "candidates": ["seasonal_naive", "dow_mean_8w", "market_model"]}


@pytest.fixture
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_platform(fast_password_hashing, tmp_path) -> Organization:
    demo_seed(consumers=300, days=60, end_date=date(2026, 11, 20), logins_file=tmp_path / "logins.txt")
    return Organization.objects.get(kind=Organization.Kind.PLATFORM)


def test_the_pipeline_on_demo_data_builds_profiles_segments_and_forecasts(demo_platform):
    # given the demo data (300 platform consumers, 60 days)
    # when the pipeline runs in this process
    runs = pipeline_run_sync(organization=demo_platform, params=FAST)

    # then each step is a succeeded TaskRun with a message, in pipeline order
    assert [run.task_name for run in runs] == list(PIPELINE_STEPS)
    assert all(run.status == TaskRun.Status.SUCCEEDED and run.progress == 100 for run in runs), [
        (run.status, run.message, run.error) for run in runs
    ]
    profiles = ConsumerProfile.objects.filter(organization=demo_platform).count()
    assert profiles > 100
    current = SegmentRun.objects.get(organization=demo_platform, is_current=True)
    segments = list(current.segments.all())
    assert 2 <= len(segments) == current.k
    assert sum(segment.size for segment in segments) == profiles
    assert all(segment.name_zh and segment.name_en and segment.centroid for segment in segments)
    forecasts = Forecast.objects.filter(organization=demo_platform, series_kind=Forecast.SeriesKind.TOTAL)
    assert {forecast.metric for forecast in forecasts} == {"units", "orders", "revenue"}
    revenue = forecasts.get(metric="revenue")
    assert revenue.backtest and revenue.chosen_model
    assert ForecastPoint.objects.filter(forecast=revenue, predicted__isnull=False).count() == 14


def test_only_consumers_with_personalization_consent_become_segment_members(demo_platform):
    # given consumers of whom only some consented to personalization
    consented = set(
        consented_consumer_ids(organization=demo_platform, purpose=DataPurpose.PERSONALIZATION).values_list(
            "pk", flat=True
        )
    )
    profiled = ConsumerProfile.objects.filter(organization=demo_platform)

    # when the pipeline runs
    pipeline_run_sync(organization=demo_platform, params=FAST)

    # then every member consented, and every consented profiled consumer is a member
    members = set(
        SegmentMembership.objects.filter(segment__organization=demo_platform).values_list("consumer_id", flat=True)
    )
    profiled_ids = set(profiled.values_list("consumer_id", flat=True))
    assert members and members <= consented
    assert members == consented & profiled_ids
    assert len(profiled_ids - consented) > 0  # the demo has non-consenting consumers, so the check means something


def test_a_rerun_keeps_segment_numbers_and_names(demo_platform):
    # given a first segmentation
    pipeline_run_sync(organization=demo_platform, params=FAST)
    first = {segment.key: segment.name_en for segment in Segment.objects.filter(organization=demo_platform)}

    # when the pipeline runs again on the same data
    pipeline_run_sync(organization=demo_platform, params=FAST)

    # then the new current segments carry the same numbers and names, and the old run is history
    current = Segment.objects.filter(organization=demo_platform, is_current=True)
    assert {segment.key: segment.name_en for segment in current} == first
    assert all(segment.matched_previous for segment in current)
    assert SegmentRun.objects.filter(organization=demo_platform).count() == 2


def test_an_empty_organization_gets_clear_messages_not_crashes():
    # given an organization without any events
    organization = OrganizationFactory(slug="empty-shop")

    # when the pipeline runs
    runs = pipeline_run_sync(organization=organization, params=FAST)

    # then every step succeeds and says why it did nothing
    assert [run.status for run in runs] == [TaskRun.Status.SUCCEEDED] * 3
    assert [run.result["skipped"] for run in runs] == ["no_events", "too_few_consumers", "no_purchases"]
    assert all(run.message for run in runs)


def test_one_day_of_history_is_skipped_with_its_reason():
    # given purchases on a single day
    organization = OrganizationFactory(slug="one-day")
    for _n in range(12):
        EventFactory(organization=organization, consumer=ConsumerFactory(organization=organization), type="purchase")

    # when the pipeline runs
    runs = pipeline_run_sync(organization=organization, params=FAST)

    # then the forecast step succeeds and names the reason per series
    forecast_run = runs[2]
    assert forecast_run.status == TaskRun.Status.SUCCEEDED
    assert forecast_run.result["forecasts"] == 0
    assert "one day of history" in forecast_run.result["skipped_series"][0]["reason"]


def test_run_analytics_sync_prints_segments_and_forecasts(demo_platform):
    # when the command runs synchronously
    out = StringIO()
    call_command(
        "run_analytics",
        "--org",
        demo_platform.slug,
        "--sync",
        "--horizon",
        "14",
        "--top-categories",
        "0",
        "--candidates",
        "seasonal_naive,dow_mean_8w",
        stdout=out,
    )

    # then it prints each step, the segments with sizes and names and the forecasts with their chosen models
    text = out.getvalue()
    assert "build_profiles: succeeded" in text
    segment = Segment.objects.filter(organization=demo_platform, is_current=True).first()
    assert f"#{segment.key} {segment.name_en}" in text
    assert "total revenue:" in text and "backtest MAE" in text


def test_run_analytics_queues_the_chain_through_celery(demo_platform, django_capture_on_commit_callbacks):
    # when the pipeline is queued (Celery runs eagerly in tests, once the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        runs = pipeline_enqueue(organization=demo_platform, params=FAST)

    # then the three runs were executed in order by the chain
    statuses = list(
        TaskRun.objects.filter(pk__in=[run.pk for run in runs]).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == [TaskRun.Status.SUCCEEDED] * 3
    assert Segment.objects.filter(organization=demo_platform, is_current=True).exists()


def test_run_analytics_refuses_an_unknown_organization():
    with pytest.raises(CommandError, match="No organization"):
        call_command("run_analytics", "--org", "nope", "--sync")


def test_a_crashing_step_marks_the_later_steps_failed(monkeypatch):
    # given a profile step that crashes
    from analytics.services import profiles

    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(profiles, "profiles_build", crash)
    organization = OrganizationFactory(slug="crashing")

    # when the pipeline runs
    runs = pipeline_run_sync(organization=organization, params=FAST)

    # then the first step failed with the error and the later ones say they were not run
    assert [run.status for run in runs] == [TaskRun.Status.FAILED] * 3
    assert "disk full" in runs[0].error
    assert f"#{runs[0].pk}" in runs[1].message and f"#{runs[0].pk}" in runs[2].message
