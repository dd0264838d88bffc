"""The Jobs page: the organization's TaskRuns with live progress, and starting the daily rollup."""

import pytest
from django.urls import reverse

from campaigns.models import Role, TaskRun
from tests.builders.html import text, texts
from tests.factories import PlatformFactory, TaskRunFactory


def test_job_list_shows_progress_message_and_error(analyst_client, platform_org):
    TaskRunFactory(
        organization=platform_org, status=TaskRun.Status.RUNNING, progress=42, message="Rolling up 2026-11-11"
    )
    TaskRunFactory(
        organization=platform_org, status=TaskRun.Status.FAILED, error="OperationalError: database is locked"
    )
    body = analyst_client.get(reverse("job-list")).content.decode()
    assert 'aria-valuenow="42"' in body
    assert "Rolling up 2026-11-11" in texts(body, ".job-message")
    assert "OperationalError: database is locked" in body
    assert 'data-status="running"' in body


def test_job_list_polls_while_a_run_is_active_and_stops_after(analyst_client, platform_org):
    run = TaskRunFactory(organization=platform_org, status=TaskRun.Status.QUEUED)
    assert 'hx-trigger="every 1500ms"' in analyst_client.get(reverse("job-list")).content.decode()
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.SUCCEEDED, progress=100)
    partial = analyst_client.get(reverse("job-list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert "hx-trigger" not in partial
    assert 'data-polling="false"' in partial


def test_job_list_hides_other_organizations_runs(analyst_client, platform_org):
    TaskRunFactory(organization=platform_org, task_name="ours.job")
    TaskRunFactory(organization=PlatformFactory(slug="elsewhere"), task_name="theirs.job")
    TaskRunFactory(organization=None, task_name="nightly.all.job")
    names = texts(analyst_client.get(reverse("job-list")).content.decode(), "#job-table code")
    assert "ours.job" in names
    assert "nightly.all.job" in names  # system-wide runs are the platform's business
    assert "theirs.job" not in names


def test_job_list_filters_by_status(analyst_client, platform_org):
    TaskRunFactory(organization=platform_org, task_name="done.job", status=TaskRun.Status.SUCCEEDED)
    TaskRunFactory(organization=platform_org, task_name="broken.job", status=TaskRun.Status.FAILED)
    names = texts(analyst_client.get(reverse("job-list"), {"status": "failed"}).content.decode(), "#job-table code")
    assert "broken.job" in names and "done.job" not in names


def test_privacy_admin_sees_jobs_but_no_rollup_button(privacy_client):
    body = privacy_client.get(reverse("job-list")).content.decode()
    assert reverse("job-rollup-start") not in body
    assert privacy_client.post(reverse("job-rollup-start")).status_code == 403


def test_rollup_start_needs_post(analyst_client):
    assert analyst_client.get(reverse("job-rollup-start")).status_code == 405


def test_run_daily_rollup_button_queues_a_run_for_the_organization(analyst_client, platform_org):
    pytest.importorskip("analytics.services.rollup", reason="the rollup service is written in a parallel change")
    # when
    response = analyst_client.post(reverse("job-rollup-start"))
    # then
    assert response.status_code == 302 and response["Location"] == reverse("job-list")
    run = TaskRun.objects.get(organization=platform_org)
    assert run.requested_by == analyst_client.user
    assert f"#{run.pk}" in text(analyst_client.get(reverse("job-list")).content.decode(), ".alert")


def test_partner_user_cannot_start_a_rollup(sign_in, homely):
    client = sign_in(Role.PARTNER_USER, homely)
    assert client.post(reverse("job-rollup-start")).status_code == 403
    assert not TaskRun.objects.exists()


def test_job_messages_written_by_a_chinese_worker_read_in_the_pages_language(analyst_client, platform_org):
    TaskRunFactory(
        organization=platform_org, status=TaskRun.Status.RUNNING, progress=60, message="正在写入 1,234 份画像"
    )
    english = analyst_client.get(reverse("job-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Writing 1,234 profiles" in texts(english, ".job-message")
    assert "正在写入" not in english
    analyst_client.cookies.pop("django_language", None)
    chinese = analyst_client.get(reverse("job-list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "正在写入 1,234 份画像" in texts(chinese, ".job-message")


def test_a_failed_rollup_is_retried_as_the_same_job_and_completes(
    analyst_client, platform_org, django_capture_on_commit_callbacks
):
    # given a failed daily rollup (tasks run eagerly in these tests, as a worker would run them)
    from campaigns.models import AuditEvent

    run = TaskRunFactory(
        organization=platform_org,
        status=TaskRun.Status.FAILED,
        error="OperationalError: database is locked",
        attempts=1,
    )
    assert f'data-retry="{run.pk}"' in analyst_client.get(reverse("job-list")).content.decode()
    # when the analyst presses Retry (the task is sent once the request's transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_client.post(reverse("job-retry", args=[run.pk]), follow=True)
    # then the same run ran again and succeeded, on its second attempt, and the retry is audited
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED and run.attempts == 2 and run.error == ""
    assert f"Job #{run.pk} was queued again." in response.content.decode()
    assert AuditEvent.objects.filter(action="task_run.retry", target_id=str(run.pk)).exists()


def test_only_failed_standalone_jobs_of_ones_own_organization_are_retried(analyst_client, platform_org):
    # a running job is not sent twice
    running = TaskRunFactory(organization=platform_org, status=TaskRun.Status.RUNNING)
    page = analyst_client.post(reverse("job-retry", args=[running.pk]), follow=True).content.decode()
    assert f"Only a failed job can be retried; job #{running.pk} is Running." in page
    running.refresh_from_db()
    assert running.status == TaskRun.Status.RUNNING
    # a pipeline step is restarted with its pipeline, and the page says how
    step = TaskRunFactory(
        organization=platform_org, task_name="analytics.tasks.pipeline.segment_consumers", status=TaskRun.Status.FAILED
    )
    page = analyst_client.post(reverse("job-retry", args=[step.pk]), follow=True).content.decode()
    assert "This job cannot be retried on its own" in page and "Run analytics" in page
    assert f'data-retry="{step.pk}"' not in page
    # another organization's job does not exist for this analyst
    elsewhere = TaskRunFactory(organization=PlatformFactory(slug="elsewhere"), status=TaskRun.Status.FAILED)
    assert analyst_client.post(reverse("job-retry", args=[elsewhere.pk])).status_code == 404
    # and a GET does nothing
    assert analyst_client.get(reverse("job-retry", args=[step.pk])).status_code == 405


def test_a_privacy_admin_reads_failed_jobs_without_a_retry_button(privacy_client, platform_org):
    run = TaskRunFactory(
        organization=platform_org, status=TaskRun.Status.FAILED, error="OperationalError: database is locked"
    )
    body = privacy_client.get(reverse("job-list")).content.decode()
    assert f'data-retry="{run.pk}"' not in body and "Technical details" in body
    assert privacy_client.post(reverse("job-retry", args=[run.pk])).status_code == 403


def test_a_job_waiting_for_its_automatic_retry_is_queued_not_failed_so_it_cannot_be_retried_twice(
    analyst_client, platform_org
):
    # given a rollup whose body failed with a transient error (the tracking marked it failed) and that Celery retries
    from django.db import OperationalError

    from analytics.tasks.rollup import rollup_events

    run = TaskRunFactory(
        organization=platform_org, status=TaskRun.Status.FAILED, error="OperationalError: database is locked"
    )
    rollup_events.on_retry(OperationalError("database is locked"), "celery-id", (), {"task_run_id": run.pk}, None)
    # then the run shows as queued, without a Retry button, and a manual retry is refused
    run.refresh_from_db()
    assert run.status == TaskRun.Status.QUEUED
    page = analyst_client.post(reverse("job-retry", args=[run.pk]), follow=True).content.decode()
    assert f'data-retry="{run.pk}"' not in page and "Only a failed job can be retried" in page


def test_a_failed_job_is_not_retried_while_a_twin_with_the_same_parameters_is_queued(analyst_client, platform_org):
    # given a failed training and the same training queued again by the nightly tick
    params = {"target_id": platform_org.pk}
    failed = TaskRunFactory(
        organization=platform_org,
        task_name="recommender.tasks.training.train_recommender",
        status=TaskRun.Status.FAILED,
        params=params,
    )
    TaskRunFactory(
        organization=platform_org,
        task_name="recommender.tasks.training.train_recommender",
        status=TaskRun.Status.QUEUED,
        params=params,
    )
    # when the analyst presses Retry on the failed one, then it is refused and stays failed
    page = analyst_client.post(reverse("job-retry", args=[failed.pk]), follow=True).content.decode()
    assert "A newer run of this job is already queued or running." in page
    failed.refresh_from_db()
    assert failed.status == TaskRun.Status.FAILED
