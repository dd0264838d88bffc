"""Campaign lifecycle: guarded transitions with audit events, the review checks and their reasons, beat start/end."""

from datetime import date, timedelta

import pytest

from campaigns.models import AuditEvent, Campaign
from campaigns.services.campaigns import (
    AudienceEstimate,
    campaign_apply_action,
    campaign_create,
    campaign_launch,
    campaign_submit_for_review,
    campaign_update,
    campaigns_end_due,
    campaigns_start_due,
)
from campaigns.services.variants import logo_validate
from tests.builders.campaigns import png, ready_campaign
from tests.factories import AgreementFactory, OrganizationFactory, PlatformFactory
from xmkt_site.errors import ApplicationError, ConflictError

pytestmark = pytest.mark.django_db

AUDIENCE = AudienceEstimate(matching=100, contactable=80)


def test_a_complete_campaign_passes_review_and_every_check_has_a_reason():
    campaign = ready_campaign()
    campaign = campaign_submit_for_review(campaign=campaign, by=None, audience=AUDIENCE)
    assert campaign.status == Campaign.Status.APPROVED
    assert campaign.review_report["passed"] is True
    keys = {c["key"] for c in campaign.review_report["checks"]}
    assert {"agreement", "audience", "dates", "budget", "co_branding", "variants"} <= keys
    assert all(c["reason"] for c in campaign.review_report["checks"])


def test_review_fails_back_to_draft_when_an_agreement_does_not_cover_the_data_categories():
    platform, partner = PlatformFactory(), OrganizationFactory()
    campaign = ready_campaign(platform, [partner], agreements=False)
    AgreementFactory(platform=platform, partner=partner, data_categories=["segments"], valid_from=date(2026, 1, 1))
    campaign = campaign_submit_for_review(campaign=campaign, by=None, audience=AUDIENCE)
    assert campaign.status == Campaign.Status.DRAFT
    failed = [c for c in campaign.review_report["checks"] if not c["passed"]]
    assert [c["key"] for c in failed] == ["agreement"]
    assert failed[0]["code"] == "agreement_incomplete" and failed[0]["params"]["missing"] == ["purchases"]
    assert "Purchases" in failed[0]["reason"]


def test_review_reports_missing_consent_coverage_dates_budget_co_branding_and_variants():
    platform, partner = PlatformFactory(), OrganizationFactory()
    AgreementFactory(platform=platform, partner=partner, valid_from=date(2026, 1, 1))
    campaign = campaign_create(organization=platform, name="x", by=None, partners=[partner])
    campaign = campaign_submit_for_review(
        campaign=campaign, by=None, audience=AudienceEstimate(matching=10, contactable=0)
    )
    failed = {c["key"] for c in campaign.review_report["checks"] if not c["passed"]}
    assert failed == {"audience", "dates", "budget", "co_branding", "variants"}


def test_transitions_are_guarded_and_audited():
    campaign = ready_campaign()
    with pytest.raises(ConflictError):
        campaign_apply_action(campaign=campaign, action="launch", by=None)
    campaign = campaign_submit_for_review(campaign=campaign, by=None, audience=AUDIENCE)
    for action, status in [
        ("launch", "running"),
        ("pause", "paused"),
        ("resume", "running"),
        ("complete", "completed"),
    ]:
        campaign = campaign_apply_action(campaign=campaign, action=action, by=None)
        assert campaign.status == status
    with pytest.raises(ConflictError):
        campaign_apply_action(campaign=campaign, action="cancel", by=None)
    actions = list(AuditEvent.objects.filter(target_id=str(campaign.pk)).values_list("action", flat=True))
    assert {"campaign.launch", "campaign.pause", "campaign.resume", "campaign.complete", "campaign.review"} <= set(
        actions
    )


def test_launch_records_the_initial_weights():
    campaign = campaign_submit_for_review(campaign=ready_campaign(), by=None, audience=AUDIENCE)
    campaign = campaign_launch(campaign=campaign, by=None)
    change = campaign.allocation_changes.get()
    assert change.reason == "launch" and change.weights == {"control": 0.5, "treatment": 0.5}


def test_only_a_draft_can_be_edited():
    campaign = campaign_submit_for_review(campaign=ready_campaign(), by=None, audience=AUDIENCE)
    with pytest.raises(ConflictError):
        campaign_update(campaign=campaign, by=None, name="renamed")
    campaign = campaign_apply_action(campaign=campaign, action="reopen", by=None)
    assert campaign_update(campaign=campaign, by=None, name="renamed").name == "renamed"


def test_beat_starts_scheduled_campaigns_and_completes_ended_ones():
    campaign = campaign_submit_for_review(campaign=ready_campaign(), by=None, audience=AUDIENCE)
    campaign = campaign_apply_action(campaign=campaign, action="schedule", by=None)
    assert campaigns_start_due(now=campaign.starts_at - timedelta(minutes=1)) == []
    assert campaigns_start_due() == [campaign.pk]
    assert campaigns_start_due() == []  # idempotent
    assert campaigns_end_due(now=campaign.ends_at + timedelta(minutes=1)) == [campaign.pk]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED


def test_beat_task_runs_with_a_task_run():
    from campaigns.tasks.campaigns import campaigns_start_end_due

    result = campaigns_start_end_due.delay().get()
    assert result == {"started": [], "ended": []}


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a" + b"\0" * 20, b"\x89PNG\r\n\x1a\n" + b"garbage", b"x" * (512 * 1024 + 1)],
    ids=["empty", "gif-header", "truncated-png", "too-large"],
)
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(data):
    with pytest.raises(ApplicationError):
        logo_validate(data)


def test_a_real_png_logo_is_accepted_and_oversized_pixels_are_refused():
    assert logo_validate(png()) == "image/png"
    with pytest.raises(ApplicationError):
        logo_validate(png((2500, 10)))
