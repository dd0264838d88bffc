"""Experiment statistics for campaign variants (Django-free).

Plain functions over counts and moments, each returning a small frozen dataclass, so the Django side can feed them
straight from SQL aggregates (``Count``, ``Sum``, ``Sum`` of squares) without loading per-user rows.

Frequentist: two-proportion z-test (pooled, as ``statsmodels.stats.proportion.proportions_ztest``) with a Newcomb
(Wilson hybrid) interval for the difference (as ``confint_proportions_2indep``); Welch's t-test for revenue per user
(as ``scipy.stats.ttest_ind(equal_var=False)``); Holm's step-down correction across treatment-vs-control comparisons.
Bayesian: Beta-Binomial probability to beat control and expected loss. Health: sample-ratio mismatch (chi-square) and
a minimum-sample guard. Variance reduction: CUPED. Peeking: mSPRT always-valid p-values and confidence intervals.
See ``docs/experiments.md`` for the definitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

DEFAULT_ALPHA = 0.05
SRM_THRESHOLD = 0.001
# The normal approximation behind the z-test needs about five expected successes and five failures per arm.
MIN_USERS_PER_ARM = 100
MIN_EXPECTED_EVENTS = 5.0


# ---------------------------------------------------------------------------------------------------------------
# Per-arm summaries
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArmData:
    """Aggregates for one arm, as a database can compute them.

    ``revenue_sum_squares`` is the sum over users of revenue squared (zero-revenue users included through ``users``).
    """

    name: str
    users: int
    conversions: int
    revenue_sum: float = 0.0
    revenue_sum_squares: float = 0.0


@dataclass(frozen=True)
class ArmSummary:
    name: str
    users: int
    conversions: int
    conversion_rate: float
    revenue_per_user: float
    revenue_variance: float


def summarize_arm(arm: ArmData) -> ArmSummary:
    users = arm.users
    rate = arm.conversions / users if users else float("nan")
    mean = arm.revenue_sum / users if users else float("nan")
    variance = _variance_from_moments(arm.revenue_sum, arm.revenue_sum_squares, users)
    return ArmSummary(arm.name, users, arm.conversions, rate, mean, variance)


def _variance_from_moments(total: float, total_squares: float, n: int) -> float:
    if n < 2:
        return float("nan")
    # max(0, .) absorbs tiny negative values from floating-point cancellation when all values are equal.
    return max(0.0, (total_squares - total * total / n) / (n - 1))


# ---------------------------------------------------------------------------------------------------------------
# Minimum-sample guard
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SampleCheck:
    enough_data: bool
    reason: str


def check_minimum_sample(
    conversions: Sequence[int],
    users: Sequence[int],
    *,
    min_users: int = MIN_USERS_PER_ARM,
    min_expected_events: float = MIN_EXPECTED_EVENTS,
) -> SampleCheck:
    """Whether a comparison between these arms may report a p-value at all.

    Below ``min_users`` per arm, or with fewer than ``min_expected_events`` expected conversions or non-conversions
    in some arm under the pooled rate, the normal approximation is unreliable and the report says "not enough data".
    """
    n = np.asarray(users, dtype=float)
    x = np.asarray(conversions, dtype=float)
    if np.any(n < min_users):
        return SampleCheck(False, f"not enough data: every arm needs at least {min_users} users")
    pooled = x.sum() / n.sum()
    if np.any(n * pooled < min_expected_events) or np.any(n * (1 - pooled) < min_expected_events):
        return SampleCheck(
            False, f"not enough data: every arm needs about {min_expected_events:g} expected conversions"
        )
    return SampleCheck(True, "")


# ---------------------------------------------------------------------------------------------------------------
# Two-proportion z-test and Welch t-test
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProportionTest:
    """Treatment minus control. ``ci_*`` is the (1 - alpha) interval for the absolute difference."""

    treatment_rate: float
    control_rate: float
    difference: float
    relative_lift: float
    z_statistic: float
    p_value: float
    ci_low: float
    ci_high: float
    ci_method: str
    alpha: float


def wilson_interval(count: float, nobs: float, alpha: float = DEFAULT_ALPHA) -> tuple[float, float]:
    """Wilson score interval for one proportion (as ``proportion_confint(method="wilson")``)."""
    z = stats.norm.isf(alpha / 2)
    p = count / nobs
    denominator = 1 + z**2 / nobs
    center = (p + z**2 / (2 * nobs)) / denominator
    half_width = z / denominator * np.sqrt(p * (1 - p) / nobs + z**2 / (4 * nobs**2))
    return float(center - half_width), float(center + half_width)


def two_proportion_z_test(
    treatment_conversions: int,
    treatment_users: int,
    control_conversions: int,
    control_users: int,
    *,
    alpha: float = DEFAULT_ALPHA,
    ci_method: str = "newcomb",
) -> ProportionTest:
    """Two-sided pooled z-test of equal conversion rates, with an interval for the difference.

    The test pools the rates under the null hypothesis; the interval does not assume the null (Newcomb's hybrid
    Wilson interval by default, which keeps its coverage at the low rates of marketing conversions; ``"wald"`` is the
    textbook unpooled interval).
    """
    x1, n1, x2, n2 = (
        float(treatment_conversions),
        float(treatment_users),
        float(control_conversions),
        float(control_users),
    )
    if n1 <= 0 or n2 <= 0 or not (0 <= x1 <= n1 and 0 <= x2 <= n2):
        raise ValueError("need users > 0 and 0 <= conversions <= users in both arms")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    standard_error = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    difference = p1 - p2
    if standard_error > 0:
        z = difference / standard_error
        p_value = float(2 * stats.norm.sf(abs(z)))
    else:  # no conversions anywhere (or everyone converted): no evidence of a difference
        z, p_value = 0.0, 1.0
    if ci_method == "newcomb":
        low1, high1 = wilson_interval(x1, n1, alpha)
        low2, high2 = wilson_interval(x2, n2, alpha)
        ci_low = difference - np.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
        ci_high = difference + np.sqrt((p2 - low2) ** 2 + (high1 - p1) ** 2)
    elif ci_method == "wald":
        half_width = stats.norm.isf(alpha / 2) * np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        ci_low, ci_high = difference - half_width, difference + half_width
    else:
        raise ValueError("ci_method must be 'newcomb' or 'wald'")
    lift = difference / p2 if p2 > 0 else float("nan")
    return ProportionTest(p1, p2, difference, lift, float(z), p_value, float(ci_low), float(ci_high), ci_method, alpha)


@dataclass(frozen=True)
class MeanTest:
    """Welch's test of treatment mean minus control mean."""

    treatment_mean: float
    control_mean: float
    difference: float
    t_statistic: float
    degrees_of_freedom: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float


def welch_t_test_from_stats(
    treatment_mean: float,
    treatment_variance: float,
    treatment_n: int,
    control_mean: float,
    control_variance: float,
    control_n: int,
    *,
    alpha: float = DEFAULT_ALPHA,
) -> MeanTest:
    """Welch's unequal-variance t-test from means, sample variances (ddof=1) and sizes."""
    v1, v2 = treatment_variance / treatment_n, control_variance / control_n
    standard_error = np.sqrt(v1 + v2)
    difference = treatment_mean - control_mean
    if standard_error == 0:
        # Both arms constant: the difference is exact, so there is nothing to test statistically.
        p_value = 1.0 if difference == 0 else 0.0
        return MeanTest(
            treatment_mean, control_mean, difference, float("nan"), float("nan"), p_value, difference, difference, alpha
        )
    df = (v1 + v2) ** 2 / (v1**2 / (treatment_n - 1) + v2**2 / (control_n - 1))
    t = difference / standard_error
    p_value = float(2 * stats.t.sf(abs(t), df))
    half_width = stats.t.isf(alpha / 2, df) * standard_error
    return MeanTest(
        treatment_mean,
        control_mean,
        difference,
        float(t),
        float(df),
        p_value,
        float(difference - half_width),
        float(difference + half_width),
        alpha,
    )


def welch_t_test(treatment: ArrayLike, control: ArrayLike, *, alpha: float = DEFAULT_ALPHA) -> MeanTest:
    """Welch's test on per-user values (e.g. revenue per user, zeros included)."""
    a = np.asarray(treatment, dtype=float)
    b = np.asarray(control, dtype=float)
    return welch_t_test_from_stats(a.mean(), a.var(ddof=1), a.size, b.mean(), b.var(ddof=1), b.size, alpha=alpha)


# ---------------------------------------------------------------------------------------------------------------
# Multiple comparisons
# ---------------------------------------------------------------------------------------------------------------
def holm_adjust(p_values: ArrayLike) -> NDArray[np.float64]:
    """Holm's step-down adjusted p-values (controls the family-wise error rate across arms vs control).

    NaN entries (comparisons without enough data) are left out of the family and stay NaN.
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    m = present.size
    if m == 0:
        return adjusted
    order = present[np.argsort(p[present], kind="stable")]
    stepped = (m - np.arange(m)) * p[order]
    adjusted[order] = np.minimum(np.maximum.accumulate(stepped), 1.0)
    return adjusted


# ---------------------------------------------------------------------------------------------------------------
# Bayesian Beta-Binomial
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BayesianComparison:
    """Posterior summaries per arm (same order as the input). Control's own entries are 0.5 / 0.0 by construction."""

    probability_to_beat_control: NDArray[np.float64]
    probability_best: NDArray[np.float64]
    expected_loss_vs_control: NDArray[np.float64]
    expected_loss_vs_best: NDArray[np.float64]
    posterior_mean: NDArray[np.float64]
    credible_low: NDArray[np.float64]
    credible_high: NDArray[np.float64]


def beta_binomial_comparison(
    conversions: ArrayLike,
    users: ArrayLike,
    *,
    control_index: int = 0,
    prior_alpha: float = 1.0,
    prior_beta: float = 1.0,
    n_draws: int = 200_000,
    credible_mass: float = 0.95,
    random_state: int | np.random.Generator | None = 0,
) -> BayesianComparison:
    """Monte Carlo (seeded) posterior comparison of conversion rates with independent Beta priors.

    Expected loss of shipping arm i instead of control = E[max(p_control - p_i, 0)]: the conversion rate you expect
    to give up if i is in fact worse. Ship when it is below the smallest loss you care about.
    """
    x = np.asarray(conversions, dtype=float)
    n = np.asarray(users, dtype=float)
    alpha = prior_alpha + x
    beta = prior_beta + n - x
    rng = np.random.default_rng(random_state)
    draws = rng.beta(alpha, beta, size=(n_draws, x.size))
    control = draws[:, [control_index]]
    beat = (draws > control).mean(axis=0)
    beat[control_index] = 0.5
    best = np.bincount(draws.argmax(axis=1), minlength=x.size) / n_draws
    loss_vs_control = np.maximum(control - draws, 0.0).mean(axis=0)
    loss_vs_best = (draws.max(axis=1, keepdims=True) - draws).mean(axis=0)
    tail = (1 - credible_mass) / 2
    return BayesianComparison(
        probability_to_beat_control=beat,
        probability_best=best,
        expected_loss_vs_control=loss_vs_control,
        expected_loss_vs_best=loss_vs_best,
        posterior_mean=alpha / (alpha + beta),
        credible_low=stats.beta.ppf(tail, alpha, beta),
        credible_high=stats.beta.isf(tail, alpha, beta),
    )


def probability_b_beats_a_exact(alpha_a: int, beta_a: int, alpha_b: int, beta_b: int) -> float:
    """Exact P(p_B > p_A) for Beta posteriors with integer ``alpha_b`` (Evan Miller's closed form).

    Sum over i < alpha_b of B(alpha_a + i, beta_a + beta_b) / ((beta_b + i) B(1 + i, beta_b) B(alpha_a, beta_a)),
    evaluated in log space.
    """
    i = np.arange(int(alpha_b), dtype=float)
    log_terms = (
        special.betaln(alpha_a + i, beta_a + beta_b)
        - np.log(beta_b + i)
        - special.betaln(1 + i, beta_b)
        - special.betaln(alpha_a, beta_a)
    )
    return float(np.exp(special.logsumexp(log_terms)))


# ---------------------------------------------------------------------------------------------------------------
# Sample-ratio mismatch
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SampleRatioCheck:
    chi_square: float
    p_value: float
    expected_users: NDArray[np.float64]
    mismatch: bool
    threshold: float


def sample_ratio_mismatch(
    observed_users: ArrayLike, intended_weights: ArrayLike, *, threshold: float = SRM_THRESHOLD
) -> SampleRatioCheck:
    """Chi-square goodness-of-fit of arm sizes against the intended split; ``mismatch`` when p < ``threshold``.

    A mismatch means assignment or logging is broken (bots, redirects, a crashing variant): the results are not to
    be trusted whatever their p-values say. For bandits pass the weights actually in force (e.g. the
    traffic-weighted average of the period weights), not the initial split.
    """
    observed = np.asarray(observed_users, dtype=float)
    weights = np.asarray(intended_weights, dtype=float)
    expected = observed.sum() * weights / weights.sum()
    chi_square = float(((observed - expected) ** 2 / expected).sum())
    p_value = float(stats.chi2.sf(chi_square, observed.size - 1))
    return SampleRatioCheck(chi_square, p_value, expected, p_value < threshold, threshold)


def expected_users_from_weight_history(period_users: ArrayLike, period_weights: ArrayLike) -> NDArray[np.float64]:
    """Expected arm sizes when the split changed over time: sum over periods of (weights in force) x (users assigned
    in that period). ``period_users`` has shape (P,), ``period_weights`` (P, K); each weight row is normalised."""
    users = np.asarray(period_users, dtype=float)
    weights = np.asarray(period_weights, dtype=float)
    if weights.ndim != 2 or users.shape != (weights.shape[0],):
        raise ValueError("period_users must have shape (P,) and period_weights shape (P, K)")
    totals = weights.sum(axis=1, keepdims=True)
    if np.any(totals <= 0) or np.any(weights < 0):
        raise ValueError("every period needs non-negative weights with a positive sum")
    return (users[:, None] * weights / totals).sum(axis=0)


def sample_ratio_mismatch_by_period(
    period_observed: ArrayLike, period_weights: ArrayLike, *, threshold: float = SRM_THRESHOLD
) -> SampleRatioCheck:
    """Sample-ratio check for an allocation whose weights changed (a bandit): observed arm sizes, summed over periods,
    against ``expected_users_from_weight_history``; chi-square with K - 1 degrees of freedom.

    ``period_observed`` (P, K) holds the users newly assigned to each arm in each period (assignment is sticky, so a
    user counts once, in the period of first assignment); ``period_weights`` (P, K) the weights in force then.
    An arm expected to get nobody but observed with users makes the statistic infinite: a certain mismatch.
    """
    observed_by_period = np.asarray(period_observed, dtype=float)
    if observed_by_period.ndim != 2:
        raise ValueError("period_observed must have shape (P, K)")
    expected = expected_users_from_weight_history(observed_by_period.sum(axis=1), period_weights)
    observed = observed_by_period.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(expected > 0, (observed - expected) ** 2 / expected, np.where(observed > 0, np.inf, 0.0))
    chi_square = float(cells.sum())
    p_value = float(stats.chi2.sf(chi_square, observed.size - 1)) if np.isfinite(chi_square) else 0.0
    return SampleRatioCheck(chi_square, p_value, expected, p_value < threshold, threshold)


# ---------------------------------------------------------------------------------------------------------------
# CUPED
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CupedResult:
    theta: float
    treatment_adjusted: NDArray[np.float64]
    control_adjusted: NDArray[np.float64]
    variance_reduction: float
    test: MeanTest


def cuped_welch_test(
    treatment_metric: ArrayLike,
    treatment_pre_period: ArrayLike,
    control_metric: ArrayLike,
    control_pre_period: ArrayLike,
    *,
    alpha: float = DEFAULT_ALPHA,
) -> CupedResult:
    """CUPED (Deng et al. 2013): Y' = Y - theta (X - mean X), theta = cov(Y, X) / var(X), then Welch on Y'.

    X is the pre-period spend, which the treatment cannot have influenced, so the adjustment leaves the expected
    difference unchanged and removes the variance X explains. theta and mean X are estimated on both arms pooled so
    the same transformation applies to everyone. ``variance_reduction`` is 1 - var(Y') / var(Y) over the pooled data.
    """
    y_t, x_t = np.asarray(treatment_metric, dtype=float), np.asarray(treatment_pre_period, dtype=float)
    y_c, x_c = np.asarray(control_metric, dtype=float), np.asarray(control_pre_period, dtype=float)
    y = np.concatenate([y_t, y_c])
    x = np.concatenate([x_t, x_c])
    x_variance = x.var(ddof=1)
    theta = float(np.cov(y, x, ddof=1)[0, 1] / x_variance) if x_variance > 0 else 0.0
    x_mean = x.mean()
    adjusted_t = y_t - theta * (x_t - x_mean)
    adjusted_c = y_c - theta * (x_c - x_mean)
    y_variance = y.var(ddof=1)
    adjusted_variance = np.concatenate([adjusted_t, adjusted_c]).var(ddof=1)
    reduction = float(1 - adjusted_variance / y_variance) if y_variance > 0 else 0.0
    return CupedResult(theta, adjusted_t, adjusted_c, reduction, welch_t_test(adjusted_t, adjusted_c, alpha=alpha))


# ---------------------------------------------------------------------------------------------------------------
# Sequential testing: mixture sequential probability ratio test (mSPRT)
# ---------------------------------------------------------------------------------------------------------------
DEFAULT_MIXTURE_SD = 0.01


@dataclass(frozen=True)
class SequentialTest:
    """Always-valid results at every look (last axis = looks, cumulative data).

    ``p_value`` is the running minimum of 1 / likelihood ratio; ``ci_low`` / ``ci_high`` the running intersection of
    the always-valid intervals; ``rejected`` whether the null has been rejected at or before each look.
    """

    difference: NDArray[np.float64]
    likelihood_ratio: NDArray[np.float64]
    p_value: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    rejected: NDArray[np.bool_]
    alpha: float
    mixture_sd: float


def msprt_two_proportions(
    treatment_conversions: ArrayLike,
    treatment_users: ArrayLike,
    control_conversions: ArrayLike,
    control_users: ArrayLike,
    *,
    alpha: float = DEFAULT_ALPHA,
    mixture_sd: float = DEFAULT_MIXTURE_SD,
) -> SequentialTest:
    """mSPRT for the difference of two conversion rates (Johari, Pekelis & Walsh 2017, "Always valid inference").

    Inputs are cumulative counts per look (any shape; the last axis is time, so a whole simulation of experiments x
    looks is one call). With theta_hat = p_T - p_C and V its estimated variance, the normal mixture likelihood ratio
    against H0: theta = 0 with mixing distribution N(0, tau^2), tau = ``mixture_sd``, is

        Lambda = sqrt(V / (V + tau^2)) * exp(theta_hat^2 tau^2 / (2 V (V + tau^2))).

    Under H0, Lambda is a martingale, so by Ville's inequality P(Lambda ever >= 1/alpha) <= alpha: the always-valid
    p-value min_{s<=t} 1/Lambda_s can be read after every look — daily or after each user — without inflating the
    false-positive rate. tau must be fixed before the data (around the effect size of interest); any fixed value
    keeps the guarantee and only changes power.
    """
    x1 = np.asarray(treatment_conversions, dtype=float)
    n1 = np.asarray(treatment_users, dtype=float)
    x2 = np.asarray(control_conversions, dtype=float)
    n2 = np.asarray(control_users, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        difference = p1 - p2
        variance = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        tau_sq = mixture_sd**2
        log_ratio = 0.5 * np.log(variance / (variance + tau_sq)) + difference**2 * tau_sq / (
            2 * variance * (variance + tau_sq)
        )
        # Zero estimated variance (no conversions yet in either arm) carries no evidence: ratio 1.
        log_ratio = np.where((variance > 0) & np.isfinite(log_ratio), log_ratio, 0.0)
        likelihood_ratio = np.exp(log_ratio)
        p_value = np.minimum.accumulate(np.minimum(1.0, 1.0 / likelihood_ratio), axis=-1)
        half_width = np.sqrt(
            2
            * variance
            * (variance + tau_sq)
            / tau_sq
            * (np.log(1 / alpha) + 0.5 * np.log((variance + tau_sq) / variance))
        )
        half_width = np.where(variance > 0, half_width, np.inf)
        ci_low = np.maximum.accumulate(np.nan_to_num(difference - half_width, nan=-np.inf), axis=-1)
        ci_high = np.minimum.accumulate(np.nan_to_num(difference + half_width, nan=np.inf), axis=-1)
    return SequentialTest(
        difference=difference,
        likelihood_ratio=likelihood_ratio,
        p_value=p_value,
        ci_low=np.maximum(ci_low, -1.0),
        ci_high=np.minimum(ci_high, 1.0),
        rejected=p_value <= alpha,
        alpha=alpha,
        mixture_sd=mixture_sd,
    )


# ---------------------------------------------------------------------------------------------------------------
# One report for the results page
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArmComparison:
    """One treatment against control. Test fields are None when ``sample.enough_data`` is False."""

    arm: str
    sample: SampleCheck
    conversion: ProportionTest | None
    revenue: MeanTest | None
    holm_p_value: float | None
    significant: bool
    probability_to_beat_control: float
    expected_loss_vs_control: float


@dataclass(frozen=True)
class ExperimentReport:
    control: str
    arms: list[ArmSummary]
    comparisons: list[ArmComparison]
    sample_ratio: SampleRatioCheck | None
    alpha: float


def analyze_experiment(
    arms: Sequence[ArmData],
    *,
    control_index: int = 0,
    intended_weights: ArrayLike | None = None,
    alpha: float = DEFAULT_ALPHA,
    min_users: int = MIN_USERS_PER_ARM,
    random_state: int | None = 0,
) -> ExperimentReport:
    """Everything the results page shows for a fixed-horizon read-out of arms against ``arms[control_index]``.

    Significance uses Holm-adjusted p-values across all treatment-vs-control conversion tests that had enough data.
    """
    summaries = [summarize_arm(arm) for arm in arms]
    control = arms[control_index]
    control_summary = summaries[control_index]
    bayes = beta_binomial_comparison(
        [a.conversions for a in arms], [a.users for a in arms], control_index=control_index, random_state=random_state
    )
    raw: list[tuple[int, SampleCheck, ProportionTest | None, MeanTest | None]] = []
    for index, (arm, summary) in enumerate(zip(arms, summaries, strict=True)):
        if index == control_index:
            continue
        sample = check_minimum_sample(
            [arm.conversions, control.conversions], [arm.users, control.users], min_users=min_users
        )
        if not sample.enough_data:
            raw.append((index, sample, None, None))
            continue
        conversion = two_proportion_z_test(arm.conversions, arm.users, control.conversions, control.users, alpha=alpha)
        revenue = welch_t_test_from_stats(
            summary.revenue_per_user,
            summary.revenue_variance,
            summary.users,
            control_summary.revenue_per_user,
            control_summary.revenue_variance,
            control_summary.users,
            alpha=alpha,
        )
        raw.append((index, sample, conversion, revenue))
    adjusted = holm_adjust([np.nan if c is None else c.p_value for _, _, c, _ in raw])
    comparisons = []
    for (index, sample, conversion, revenue), holm in zip(raw, adjusted, strict=True):
        holm_value = None if np.isnan(holm) else float(holm)
        comparisons.append(
            ArmComparison(
                arm=arms[index].name,
                sample=sample,
                conversion=conversion,
                revenue=revenue,
                holm_p_value=holm_value,
                significant=holm_value is not None and holm_value < alpha,
                probability_to_beat_control=float(bayes.probability_to_beat_control[index]),
                expected_loss_vs_control=float(bayes.expected_loss_vs_control[index]),
            )
        )
    srm = None
    if intended_weights is not None:
        srm = sample_ratio_mismatch([a.users for a in arms], intended_weights)
    return ExperimentReport(control.name, summaries, comparisons, srm, alpha)
