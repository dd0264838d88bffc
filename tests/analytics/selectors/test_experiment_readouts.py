"""Read-outs beside the fixed-horizon results: the daily sequential test, CUPED with pre-period spend, and the
sample-ratio check of bandits against their recorded weight history — from the database, equal to the numeric core
on the same inputs, and shown on the results page and in the results API."""

from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone
from scipy import stats

from analytics.api.experiments import results_payload
from analytics.ml.experiments import (
    cuped_welch_test,
    expected_users_from_weight_history,
    msprt_two_proportions,
    sample_ratio_mismatch_by_period,
)
from analytics.models import Event, EventType
from analytics.selectors.experiment_readouts import PRE_PERIOD_DAYS, campaign_readouts
from analytics.selectors.experiments import campaign_results
from campaigns.models import AllocationChange, Assignment, Conversion, Role
from tests.builders.experiments import running
from tests.factories import ConsumerFactory, MembershipFactory

pytestmark = pytest.mark.django_db
DAY_1 = timezone.make_aware(datetime(2026, 11, 20, 12, 0))


def arm_traffic(campaign, key: str, users: int, converters: int, *, on: datetime, revenue: float = 50.0) -> list:
    """`users` consumers assigned to the arm at `on`; the first `converters` of them buy for `revenue` that day."""
    variant = campaign.variants.get(key=key)
    consumers = ConsumerFactory.create_batch(users, organization=campaign.organization)
    Assignment.objects.bulk_create(
        Assignment(campaign=campaign, consumer=c, variant=variant, assigned_at=on) for c in consumers
    )
    Conversion.objects.bulk_create(
        Conversion(
            campaign=campaign,
            consumer=c,
            variant=variant,
            value=Decimal(str(revenue)),
            external_id=f"{key}-{on:%j}-{c.pk}",
            occurred_at=on,
        )
        for c in consumers[:converters]
    )
    return consumers


def test_the_ml_core_expects_each_period_at_the_weights_then_in_force():
    expected = expected_users_from_weight_history([200, 500], [[0.5, 0.5], [0.8, 0.2]])
    assert expected.tolist() == pytest.approx([100 + 400, 100 + 100])
    check = sample_ratio_mismatch_by_period([[90, 110], [380, 120]], [[1, 1], [4, 1]])
    chi_square, p_value = stats.chisquare([470, 230], f_exp=[500, 200])
    assert check.chi_square == pytest.approx(chi_square) and check.p_value == pytest.approx(p_value)


def test_an_arm_expected_to_get_nobody_but_observed_with_users_is_a_certain_mismatch():
    check = sample_ratio_mismatch_by_period([[10, 3]], [[1.0, 0.0]])
    assert check.mismatch and check.p_value == 0.0


def test_a_bandit_that_followed_its_weight_history_passes_where_the_final_weights_would_flag_it():
    campaign = running(policy="thompson")
    AllocationChange.objects.filter(campaign=campaign).update(changed_at=DAY_1 - timedelta(hours=1))
    AllocationChange.objects.create(
        campaign=campaign, policy="thompson", weights={"control": 0.8, "treatment": 0.2}, changed_at=DAY_1
    )
    arm_traffic(campaign, "control", 100, 5, on=DAY_1 - timedelta(minutes=30))
    arm_traffic(campaign, "treatment", 100, 5, on=DAY_1 - timedelta(minutes=30))
    arm_traffic(campaign, "control", 400, 20, on=DAY_1 + timedelta(hours=2))
    arm_traffic(campaign, "treatment", 100, 5, on=DAY_1 + timedelta(hours=2))
    srm = campaign_readouts(campaign=campaign, results=campaign_results(campaign=campaign)).bandit_srm
    assert srm.expected_users.tolist() == pytest.approx([500, 200]) and srm.mismatch is False
    assert stats.chisquare([500, 200], f_exp=[560, 140]).pvalue < 0.001  # what the final weights alone would say


def test_a_bandit_whose_arms_drift_from_the_weight_history_shows_the_banner_in_both_languages():
    campaign = running(policy="thompson")
    AllocationChange.objects.filter(campaign=campaign).update(changed_at=DAY_1 - timedelta(hours=1))
    AllocationChange.objects.create(
        campaign=campaign, policy="thompson", weights={"control": 0.8, "treatment": 0.2}, changed_at=DAY_1
    )
    arm_traffic(campaign, "control", 250, 10, on=DAY_1 + timedelta(hours=1))
    arm_traffic(campaign, "treatment", 250, 10, on=DAY_1 + timedelta(hours=1))
    payload = results_payload(campaign)
    assert payload["sample_ratio"]["mismatch"] is True and payload["sample_ratio"]["basis"] == "weight_history"
    user = MembershipFactory(organization=campaign.organization, role=Role.ANALYST).user
    for language, words in (("en", "recorded weight history"), ("zh-hans", "权重历史")):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        page = client.get(f"/campaigns/{campaign.pk}/results/").content.decode()
        assert 'id="srm-banner" data-basis="weight-history"' in page and words in page


def test_a_fixed_split_keeps_its_own_check_and_no_bandit_check_is_made():
    campaign = running()
    arm_traffic(campaign, "control", 300, 30, on=DAY_1)
    arm_traffic(campaign, "treatment", 500, 50, on=DAY_1)
    readouts = campaign_readouts(campaign=campaign, results=campaign_results(campaign=campaign))
    assert readouts.bandit_srm is None and results_payload(campaign)["sample_ratio"]["basis"] == "fixed_split"


def test_the_sequential_read_out_equals_the_msprt_on_the_daily_cumulative_counts():
    campaign = running()
    days = [DAY_1 + timedelta(days=d) for d in range(3)]
    plan = {"control": [(200, 10), (200, 12), (200, 9)], "treatment": [(200, 14), (200, 20), (200, 25)]}
    for key, per_day in plan.items():
        for on, (users, converters) in zip(days, per_day, strict=True):
            arm_traffic(campaign, key, users, converters, on=on)
    readouts = campaign_readouts(campaign=campaign, results=campaign_results(campaign=campaign))
    cumulative = {key: np.cumsum(np.array(per_day), axis=0) for key, per_day in plan.items()}
    expected = msprt_two_proportions(
        cumulative["treatment"][:, 1],
        cumulative["treatment"][:, 0],
        cumulative["control"][:, 1],
        cumulative["control"][:, 0],
    )
    [sequential] = readouts.sequential
    assert sequential.looks == 3
    assert sequential.p_value == pytest.approx(expected.p_value[-1])
    assert (sequential.ci_low, sequential.ci_high) == pytest.approx((expected.ci_low[-1], expected.ci_high[-1]))
    assert sequential.difference == pytest.approx(59 / 600 - 31 / 600)


def pre_period_purchases(campaign, consumers, amounts) -> None:
    when = campaign.launched_at - timedelta(days=3)
    Event.objects.bulk_create(
        Event(
            organization=campaign.organization,
            consumer=c,
            type=EventType.PURCHASE,
            value=Decimal(str(a)),
            occurred_at=when,
            external_id=f"pre-{c.pk}",
        )
        for c, a in zip(consumers, amounts, strict=True)
    )


def test_cuped_uses_pre_period_spend_and_equals_the_numeric_core():
    campaign = running()
    rng = np.random.default_rng(7)
    arms = {}
    for key, lift in (("control", 0.0), ("treatment", 5.0)):
        variant = campaign.variants.get(key=key)
        consumers = arm_traffic(campaign, key, 60, 0, on=campaign.launched_at + timedelta(hours=1))
        pre = rng.gamma(2.0, 30.0, size=60).round(2) + 1
        revenue = (0.8 * pre + lift + rng.normal(0, 5, size=60)).clip(0).round(2)
        pre_period_purchases(campaign, consumers, pre)
        Conversion.objects.bulk_create(
            Conversion(
                campaign=campaign,
                consumer=c,
                variant=variant,
                value=Decimal(str(r)),
                external_id=f"rev-{c.pk}",
                occurred_at=campaign.launched_at + timedelta(days=1),
            )
            for c, r in zip(consumers, revenue, strict=True)
        )
        arms[key] = (revenue, pre)
    Event.objects.create(  # older than the pre-period window: must not count
        organization=campaign.organization,
        consumer=consumers[0],
        type=EventType.PURCHASE,
        value=Decimal("999"),
        occurred_at=campaign.launched_at - timedelta(days=PRE_PERIOD_DAYS + 1),
        external_id="too-old",
    )
    readouts = campaign_readouts(campaign=campaign, results=campaign_results(campaign=campaign))
    expected = cuped_welch_test(arms["treatment"][0], arms["treatment"][1], arms["control"][0], arms["control"][1])
    [cuped] = readouts.cuped
    assert readouts.cuped_available and readouts.users_with_pre_spend == 120
    assert cuped.adjusted.difference == pytest.approx(expected.test.difference)
    assert (cuped.adjusted.ci_low, cuped.adjusted.ci_high) == pytest.approx(
        (expected.test.ci_low, expected.test.ci_high)
    )
    assert cuped.variance_reduction == pytest.approx(expected.variance_reduction) and cuped.variance_reduction > 0.5
    assert cuped.adjusted.ci_high - cuped.adjusted.ci_low < cuped.raw.ci_high - cuped.raw.ci_low


def test_without_pre_period_spend_there_is_no_cuped_estimate_and_the_page_says_so():
    campaign = running()
    arm_traffic(campaign, "control", 150, 10, on=DAY_1)
    arm_traffic(campaign, "treatment", 150, 20, on=DAY_1)
    payload = results_payload(campaign)
    assert payload["cuped"] == {"available": False, "pre_period_days": 28, "users_with_pre_spend": 0, "comparisons": []}
    assert payload["sequential"][0]["looks"] == 1
    user = MembershipFactory(organization=campaign.organization, role=Role.ANALYST).user
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    page = client.get(f"/campaigns/{campaign.pk}/results/").content.decode()
    assert 'id="peeking-table"' in page and "no pre-period spend" in page and "Always-valid p" in page


def test_the_peeking_explanation_is_in_chinese_for_a_chinese_reader():
    campaign = running()
    arm_traffic(campaign, "control", 150, 10, on=DAY_1)
    arm_traffic(campaign, "treatment", 150, 20, on=DAY_1)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(MembershipFactory(organization=campaign.organization, role=Role.ANALYST).user)
    page = client.get(f"/campaigns/{campaign.pk}/results/").content.decode()
    assert "误判赢家的概率远高于 5%" in page and "固定样本量提升（95% 置信区间）" in page and "始终有效 p 值" in page
    assert "Fixed-horizon" not in page and "Always-valid" not in page


def test_with_two_treatments_each_sequential_test_runs_at_half_alpha_and_reports_a_doubled_p_value():
    from campaigns.services.campaigns import AudienceEstimate, campaign_launch, campaign_submit_for_review
    from campaigns.services.variants import variant_create
    from tests.builders.campaigns import ready_campaign

    draft = ready_campaign()
    variant_create(campaign=draft, key="second", name="Second", by=None)
    approved = campaign_submit_for_review(campaign=draft, by=None, audience=AudienceEstimate(10, 10))
    campaign = campaign_launch(campaign=approved, by=None)
    for key, converters in (("control", 20), ("treatment", 52), ("second", 22)):
        arm_traffic(campaign, key, 400, converters, on=DAY_1)
    readouts = campaign_readouts(campaign=campaign, results=campaign_results(campaign=campaign))
    single = msprt_two_proportions([52], [400], [20], [400], alpha=0.025)
    treatment = next(s for s in readouts.sequential if s.arm == "treatment")
    assert [s.alpha for s in readouts.sequential] == [0.025, 0.025]
    assert treatment.p_value == pytest.approx(2 * single.p_value[-1]) and treatment.p_value < 1
    assert (treatment.ci_low, treatment.ci_high) == pytest.approx((single.ci_low[-1], single.ci_high[-1]))


def test_a_weight_record_naming_no_current_variant_skips_the_bandit_check_instead_of_failing():
    campaign = running(policy="thompson")
    AllocationChange.objects.filter(campaign=campaign).update(weights={"retired": 1.0})
    arm_traffic(campaign, "control", 10, 1, on=timezone.now())
    assert campaign_readouts(campaign=campaign, results=campaign_results(campaign=campaign)).bandit_srm is None
    assert results_payload(campaign)["sample_ratio"] is None
