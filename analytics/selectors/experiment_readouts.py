"""Read-outs shown beside the fixed-horizon results: the sequential test (safe to read daily), the CUPED estimate of
revenue per user (when pre-period spend exists), and the sample-ratio check of bandit campaigns against their
recorded weight history. The statistics live in analytics/ml/experiments.py; this module only gathers the data.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.db.models import Min, Sum
from django.utils import timezone

from analytics.ml.experiments import (
    DEFAULT_ALPHA,
    CupedResult,
    MeanTest,
    SampleRatioCheck,
    SequentialTest,
    cuped_welch_test,
    msprt_two_proportions,
    sample_ratio_mismatch_by_period,
    welch_t_test,
)
from analytics.models import Event, EventType
from analytics.selectors.experiments import CampaignResults, weight_history
from campaigns.models import AllocationPolicy, Assignment, Campaign, Conversion

PRE_PERIOD_DAYS = 28
MIN_USERS_FOR_CUPED = 2  # Welch needs two users per arm; the page says how many carried pre-period spend


@dataclass(frozen=True)
class SequentialReadout:
    """Treatment vs control by mSPRT, looked at once per day of data; the figures at the latest look."""

    arm: str
    looks: int
    difference: float
    p_value: float  # always-valid: the running minimum over every look so far (x treatments, capped at 1)
    ci_low: float  # confidence sequence: the intersection of the intervals of every look so far
    ci_high: float
    rejected: bool
    first_rejected_on: date | None
    alpha: float  # per comparison (Bonferroni across treatments); p_value is adjusted to compare with the family's


@dataclass(frozen=True)
class CupedReadout:
    arm: str
    raw: MeanTest  # Welch on revenue per user, unadjusted (the fixed-horizon figure)
    adjusted: MeanTest  # Welch on CUPED-adjusted revenue per user
    theta: float
    variance_reduction: float


@dataclass
class Readouts:
    sequential: list[SequentialReadout] = field(default_factory=list)
    cuped: list[CupedReadout] = field(default_factory=list)
    cuped_available: bool = False
    pre_period_days: int = PRE_PERIOD_DAYS
    users_with_pre_spend: int = 0
    bandit_srm: SampleRatioCheck | None = None


def _assignments(campaign: Campaign) -> list[tuple[int, int, object]]:
    return list(
        Assignment.objects.filter(campaign=campaign)
        .order_by("assigned_at", "id")
        .values_list("consumer_id", "variant_id", "assigned_at")
    )


def _sequential(results: CampaignResults, assignments, converted_on: dict[int, date]) -> list[SequentialReadout]:
    """Cumulative users and converters per arm at the end of each day with data; one mSPRT per treatment."""
    arm_index = {a.variant.pk: i for i, a in enumerate(results.arms)}
    control = next(i for i, a in enumerate(results.arms) if a.variant.is_control)
    days: set[date] = set()
    user_days: list[tuple[int, date]] = []
    converter_days: list[tuple[int, date]] = []
    for consumer_id, variant_id, assigned_at in assignments:
        assigned_on = timezone.localdate(assigned_at)
        user_days.append((arm_index[variant_id], assigned_on))
        days.add(assigned_on)
        if consumer_id in converted_on:
            on = max(assigned_on, converted_on[consumer_id])  # a conversion counts from the day it was assigned
            converter_days.append((arm_index[variant_id], on))
            days.add(on)
    looks = sorted(days)
    if not looks:
        return []
    look_of = {d: i for i, d in enumerate(looks)}
    users = np.zeros((len(results.arms), len(looks)))
    converters = np.zeros_like(users)
    for arm, on in user_days:
        users[arm, look_of[on]] += 1
    for arm, on in converter_days:
        converters[arm, look_of[on]] += 1
    users, converters = users.cumsum(axis=1), converters.cumsum(axis=1)
    # Several treatments: Bonferroni keeps the family's always-valid guarantee (each test at alpha / m, p x m).
    comparisons = len(results.arms) - 1
    readouts = []
    for i, arm in enumerate(results.arms):
        if i == control:
            continue
        test: SequentialTest = msprt_two_proportions(
            converters[i], users[i], converters[control], users[control], alpha=DEFAULT_ALPHA / comparisons
        )
        rejected_looks = np.flatnonzero(test.rejected)
        readouts.append(
            SequentialReadout(
                arm=arm.variant.key,
                looks=len(looks),
                difference=float(test.difference[-1]),
                p_value=min(1.0, float(test.p_value[-1]) * comparisons),
                ci_low=float(test.ci_low[-1]),
                ci_high=float(test.ci_high[-1]),
                rejected=bool(test.rejected[-1]),
                first_rejected_on=looks[rejected_looks[0]] if rejected_looks.size else None,
                alpha=test.alpha,
            )
        )
    return readouts


def _pre_period_spend(campaign: Campaign) -> dict[int, float]:
    """Purchases each assigned consumer made in the PRE_PERIOD_DAYS before launch (which the campaign cannot move)."""
    if campaign.launched_at is None:
        return {}
    rows = (
        Event.objects.filter(
            organization=campaign.organization,
            type=EventType.PURCHASE,
            occurred_at__gte=campaign.launched_at - timedelta(days=PRE_PERIOD_DAYS),
            occurred_at__lt=campaign.launched_at,
            consumer_id__in=Assignment.objects.filter(campaign=campaign).values("consumer_id"),
        )
        .values("consumer_id")
        .annotate(spend=Sum("value"))
    )
    return {row["consumer_id"]: float(row["spend"] or 0) for row in rows if row["spend"]}


def _cuped(results: CampaignResults, assignments, revenue: dict[int, float], pre: dict[int, float]):
    per_arm: dict[int, tuple[list[float], list[float]]] = {a.variant.pk: ([], []) for a in results.arms}
    for consumer_id, variant_id, _assigned_at in assignments:
        y, x = per_arm[variant_id]
        y.append(revenue.get(consumer_id, 0.0))
        x.append(pre.get(consumer_id, 0.0))
    control = next(a for a in results.arms if a.variant.is_control)
    y_c, x_c = per_arm[control.variant.pk]
    readouts = []
    for arm in results.arms:
        if arm is control:
            continue
        y_t, x_t = per_arm[arm.variant.pk]
        if min(len(y_t), len(y_c)) < MIN_USERS_FOR_CUPED:
            continue
        result: CupedResult = cuped_welch_test(y_t, x_t, y_c, x_c)
        readouts.append(
            CupedReadout(arm.variant.key, welch_t_test(y_t, y_c), result.test, result.theta, result.variance_reduction)
        )
    return readouts


def _bandit_sample_ratio(campaign: Campaign, results: CampaignResults, assignments) -> SampleRatioCheck | None:
    """Users newly assigned per arm in each period between recorded weight changes, against the weights then."""
    history = weight_history(campaign=campaign)
    if not history or not assignments:
        return None
    starts = np.array([change.changed_at.timestamp() for change in history])
    arm_index = {a.variant.pk: i for i, a in enumerate(results.arms)}
    observed = np.zeros((len(history), len(results.arms)))
    assigned = np.array([when.timestamp() for _c, _v, when in assignments])
    # Period of each assignment: the last change at or before it (anything earlier belongs to the launch weights).
    periods = np.clip(np.searchsorted(starts, assigned, side="right") - 1, 0, None)
    for period, (_consumer, variant_id, _when) in zip(periods, assignments, strict=True):
        observed[period, arm_index[variant_id]] += 1
    weights = np.array([[change.weights.get(a.variant.key, 0.0) for a in results.arms] for change in history])
    used = observed.sum(axis=1) > 0  # periods nobody was assigned in add nothing (and may hold stale weights)
    if np.any(weights[used].sum(axis=1) <= 0):  # a record naming none of today's variants: no expectation to test
        return None
    return sample_ratio_mismatch_by_period(observed[used], weights[used])


def campaign_readouts(*, campaign: Campaign, results: CampaignResults) -> Readouts:
    if results.report is None:
        return Readouts()
    assignments = _assignments(campaign)
    conversions = (
        Conversion.objects.filter(campaign=campaign, consumer_id__isnull=False)
        .values("consumer_id")
        .annotate(first=Min("occurred_at"), revenue=Sum("value"))
    )
    converted_on, revenue = {}, {}
    for row in conversions:
        converted_on[row["consumer_id"]] = timezone.localdate(row["first"])
        revenue[row["consumer_id"]] = float(row["revenue"] or 0)
    readouts = Readouts(sequential=_sequential(results, assignments, converted_on))
    pre = _pre_period_spend(campaign)
    readouts.users_with_pre_spend = len(pre)
    if pre:
        readouts.cuped = _cuped(results, assignments, revenue, pre)
        readouts.cuped_available = bool(readouts.cuped)
    if campaign.allocation_policy != AllocationPolicy.FIXED_SPLIT:
        readouts.bandit_srm = _bandit_sample_ratio(campaign, results, assignments)
    return readouts
