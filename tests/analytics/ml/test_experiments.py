"""Experiment statistics agree with statsmodels / scipy and with hand computations."""

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from analytics.ml.experiments import (
    ArmData,
    analyze_experiment,
    beta_binomial_comparison,
    check_minimum_sample,
    cuped_welch_test,
    holm_adjust,
    msprt_two_proportions,
    probability_b_beats_a_exact,
    sample_ratio_mismatch,
    summarize_arm,
    two_proportion_z_test,
    welch_t_test,
    welch_t_test_from_stats,
    wilson_interval,
)


def statsmodels_holm(p_values):
    # multipletests(method="holm") runs gc.collect() on every call, which costs ~0.3 s inside a Django test run.
    with mock.patch("gc.collect", return_value=0):
        reject, adjusted, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    return reject, adjusted


PROPORTION_CASES = [(120, 4000, 100, 4000), (31, 1000, 52, 1200), (5, 150, 0, 140), (480, 10_000, 410, 9_800)]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), PROPORTION_CASES)
def test_z_test_matches_statsmodels_proportions_ztest(x1, n1, x2, n2):
    z_expected, p_expected = proportions_ztest([x1, x2], [n1, n2])

    result = two_proportion_z_test(x1, n1, x2, n2)

    assert result.z_statistic == pytest.approx(z_expected, rel=1e-10)
    assert result.p_value == pytest.approx(p_expected, rel=1e-10)
    assert result.difference == pytest.approx(x1 / n1 - x2 / n2)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), PROPORTION_CASES)
@pytest.mark.parametrize("method", ["newcomb", "wald"])
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_difference_interval_matches_statsmodels_confint_proportions_2indep(x1, n1, x2, n2, method, alpha):
    low_expected, high_expected = confint_proportions_2indep(x1, n1, x2, n2, method=method, alpha=alpha)

    result = two_proportion_z_test(x1, n1, x2, n2, alpha=alpha, ci_method=method)

    assert (result.ci_low, result.ci_high) == pytest.approx((low_expected, high_expected), rel=1e-10, abs=1e-14)


def test_z_test_rejects_impossible_counts():
    with pytest.raises(ValueError, match="conversions <= users"):
        two_proportion_z_test(11, 10, 3, 10)
    with pytest.raises(ValueError):
        two_proportion_z_test(0, 0, 3, 10)


def test_wilson_interval_matches_statsmodels():
    assert wilson_interval(17, 400) == pytest.approx(proportion_confint(17, 400, method="wilson"), rel=1e-12)


@given(x1=st.integers(0, 500), extra1=st.integers(1, 5000), x2=st.integers(0, 500), extra2=st.integers(1, 5000))
@settings(max_examples=60, deadline=None)
def test_z_test_is_antisymmetric_in_the_arms(x1, extra1, x2, extra2):
    forward = two_proportion_z_test(x1, x1 + extra1, x2, x2 + extra2)
    backward = two_proportion_z_test(x2, x2 + extra2, x1, x1 + extra1)

    assert forward.z_statistic == pytest.approx(-backward.z_statistic, abs=1e-12)
    assert forward.p_value == pytest.approx(backward.p_value, rel=1e-9, abs=1e-15)
    assert 0.0 <= forward.p_value <= 1.0


def test_welch_matches_scipy_ttest_ind_including_interval():
    rng = np.random.default_rng(7)
    treatment = rng.exponential(12.0, 800) * (rng.random(800) < 0.1)
    control = rng.exponential(10.0, 650) * (rng.random(650) < 0.1)
    expected = stats.ttest_ind(treatment, control, equal_var=False)
    expected_interval = expected.confidence_interval(confidence_level=0.9)

    result = welch_t_test(treatment, control, alpha=0.1)

    assert result.t_statistic == pytest.approx(expected.statistic, rel=1e-10)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-10)
    assert result.degrees_of_freedom == pytest.approx(expected.df, rel=1e-10)
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(expected_interval), rel=1e-10)


def test_welch_from_database_moments_equals_welch_from_rows():
    rng = np.random.default_rng(8)
    treatment, control = rng.gamma(2.0, 5.0, 300), rng.gamma(2.0, 4.5, 280)
    arms = [
        ArmData("t", treatment.size, 30, float(treatment.sum()), float((treatment**2).sum())),
        ArmData("c", control.size, 28, float(control.sum()), float((control**2).sum())),
    ]
    t_summary, c_summary = (summarize_arm(a) for a in arms)

    from_moments = welch_t_test_from_stats(
        t_summary.revenue_per_user, t_summary.revenue_variance, t_summary.users,
        c_summary.revenue_per_user, c_summary.revenue_variance, c_summary.users,
    )  # fmt: skip

    assert from_moments.p_value == pytest.approx(welch_t_test(treatment, control).p_value, rel=1e-8)


@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=12))
@settings(max_examples=100, deadline=None)
def test_holm_matches_statsmodels_multipletests(p_values):
    reject_expected, adjusted_expected = statsmodels_holm(p_values)

    adjusted = holm_adjust(p_values)

    np.testing.assert_allclose(adjusted, adjusted_expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(adjusted <= 0.05, reject_expected)


def test_holm_leaves_comparisons_without_data_out_of_the_family():
    adjusted = holm_adjust([0.01, np.nan, 0.04])

    assert np.isnan(adjusted[1])
    np.testing.assert_allclose(adjusted[[0, 2]], statsmodels_holm([0.01, 0.04])[1])


def test_srm_flags_a_52_48_split_at_100k_and_passes_an_even_one():
    skewed = sample_ratio_mismatch([52_000, 48_000], [0.5, 0.5])
    even = sample_ratio_mismatch([50_070, 49_930], [0.5, 0.5])

    assert skewed.mismatch and skewed.p_value < 1e-10
    assert not even.mismatch
    assert even.p_value == pytest.approx(stats.chisquare([50_070, 49_930]).pvalue, rel=1e-12)


def test_srm_matches_scipy_chisquare_with_unequal_intended_weights():
    observed, weights = [10_300, 19_800, 69_900], [0.1, 0.2, 0.7]
    expected = stats.chisquare(observed, f_exp=np.array(weights) * sum(observed))

    result = sample_ratio_mismatch(observed, weights)

    assert result.chi_square == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-12)


def test_minimum_sample_guard_reports_not_enough_data_instead_of_a_p_value():
    tiny = [ArmData("control", 80, 3), ArmData("treatment", 90, 9)]
    rare = [ArmData("control", 1000, 1), ArmData("treatment", 1000, 2)]
    plenty = [ArmData("control", 5000, 150), ArmData("treatment", 5000, 190)]

    tiny_report = analyze_experiment(tiny)
    rare_report = analyze_experiment(rare)
    plenty_report = analyze_experiment(plenty)

    for report in (tiny_report, rare_report):
        comparison = report.comparisons[0]
        assert not comparison.sample.enough_data
        assert "not enough data" in comparison.sample.reason
        assert comparison.conversion is None and comparison.holm_p_value is None and not comparison.significant
    assert plenty_report.comparisons[0].sample.enough_data
    expected_p_value = proportions_ztest([190, 150], [5000, 5000])[1]
    assert plenty_report.comparisons[0].conversion.p_value == pytest.approx(expected_p_value)


def test_minimum_sample_guard_uses_expected_events_under_the_pooled_rate():
    assert not check_minimum_sample([2, 2], [300, 300]).enough_data  # 2/300 pooled -> 2 expected per arm
    assert check_minimum_sample([0, 12], [300, 300]).enough_data  # 6 expected per arm: a real signal


def test_report_applies_holm_across_treatments_and_checks_sample_ratio():
    arms = [
        ArmData("control", 10_000, 300),
        ArmData("offer", 10_000, 370),
        ArmData("creative", 10_000, 320),
        ArmData("channel", 10_000, 345),
    ]

    report = analyze_experiment(arms, intended_weights=[0.25] * 4)

    raw = [proportions_ztest([a.conversions, 300], [a.users, 10_000])[1] for a in arms[1:]]
    np.testing.assert_allclose([c.holm_p_value for c in report.comparisons], statsmodels_holm(raw)[1])
    assert [c.arm for c in report.comparisons] == ["offer", "creative", "channel"]
    assert report.comparisons[0].significant and not report.comparisons[1].significant
    assert report.sample_ratio is not None and not report.sample_ratio.mismatch
    assert report.comparisons[0].probability_to_beat_control > 0.99


def test_monte_carlo_probability_to_beat_control_agrees_with_the_exact_formula():
    control, treatment = (40, 1000), (55, 1000)
    exact = probability_b_beats_a_exact(1 + control[0], 1 + control[1] - control[0], 1 + treatment[0],
                                        1 + treatment[1] - treatment[0])  # fmt: skip
    by_quadrature = stats.beta(1 + treatment[0], 1 + treatment[1] - treatment[0]).expect(
        lambda x: stats.beta.cdf(x, 1 + control[0], 1 + control[1] - control[0])
    )

    result = beta_binomial_comparison([control[0], treatment[0]], [control[1], treatment[1]], random_state=3)

    assert exact == pytest.approx(by_quadrature, abs=1e-8)
    # 200k draws: Monte Carlo standard error is below 0.001.
    assert result.probability_to_beat_control[1] == pytest.approx(exact, abs=0.004)
    assert result.probability_to_beat_control[0] == 0.5
    assert result.probability_best.sum() == pytest.approx(1.0)


def test_expected_loss_is_small_for_a_clear_winner_and_large_for_a_clear_loser():
    result = beta_binomial_comparison([300, 400, 200], [10_000] * 3, random_state=1)

    assert result.expected_loss_vs_control[1] < 1e-5
    assert result.expected_loss_vs_control[2] == pytest.approx(0.01, abs=0.001)
    assert result.expected_loss_vs_control[0] == 0.0


def test_cuped_matches_a_hand_computation_on_a_tiny_sample():
    # Treatment y = [5, 7, 9], pre-period x = [1, 2, 3]; control y = [4, 6], x = [2, 4].
    # Pooled: mean x = 12/5 = 2.4; mean y = 31/5 = 6.2.
    # x - mean = [-1.4, -0.4, 0.6, -0.4, 1.6]; y - mean = [-1.2, 0.8, 2.8, -2.2, -0.2]
    # sum of products = 1.68 - 0.32 + 1.68 + 0.88 - 0.32 = 3.6; sum of squares x = 1.96+.16+.36+.16+2.56 = 5.2
    # theta = 3.6 / 5.2 = 9/13
    result = cuped_welch_test([5, 7, 9], [1, 2, 3], [4, 6], [2, 4])

    theta = 9 / 13
    assert result.theta == pytest.approx(theta)
    np.testing.assert_allclose(result.treatment_adjusted, [5 + 1.4 * theta, 7 + 0.4 * theta, 9 - 0.6 * theta])
    np.testing.assert_allclose(result.control_adjusted, [4 + 0.4 * theta, 6 - 1.6 * theta])
    expected = stats.ttest_ind(result.treatment_adjusted, result.control_adjusted, equal_var=False)
    assert result.test.p_value == pytest.approx(expected.pvalue)


def test_cuped_keeps_the_effect_and_shrinks_its_interval_when_pre_period_spend_predicts_spend():
    rng = np.random.default_rng(11)
    n = 4000
    pre_t, pre_c = rng.gamma(2.0, 20.0, n), rng.gamma(2.0, 20.0, n)
    y_t = 0.8 * pre_t + rng.normal(0, 10, n) + 2.0
    y_c = 0.8 * pre_c + rng.normal(0, 10, n)

    adjusted = cuped_welch_test(y_t, pre_t, y_c, pre_c)
    plain = welch_t_test(y_t, y_c)

    assert adjusted.variance_reduction > 0.5
    assert adjusted.test.ci_high - adjusted.test.ci_low < 0.7 * (plain.ci_high - plain.ci_low)
    assert adjusted.test.ci_low < 2.0 < adjusted.test.ci_high


def test_msprt_matches_the_closed_form_at_one_look():
    x1, n1, x2, n2, tau = 180, 5000, 140, 5000, 0.01
    p1, p2 = x1 / n1, x2 / n2
    v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    ratio = np.sqrt(v / (v + tau**2)) * np.exp((p1 - p2) ** 2 * tau**2 / (2 * v * (v + tau**2)))

    result = msprt_two_proportions([x1], [n1], [x2], [n2], mixture_sd=tau)

    assert result.likelihood_ratio[0] == pytest.approx(ratio)
    assert result.p_value[0] == pytest.approx(min(1.0, 1 / ratio))
    # The always-valid interval excludes 0 exactly when the always-valid p-value is below alpha.
    assert (result.ci_low[0] > 0) == (result.p_value[0] < 0.05)


def test_msprt_p_values_never_increase_and_intervals_never_widen():
    rng = np.random.default_rng(5)
    users = 400 * np.arange(1, 29)
    treatment = rng.binomial(400, 0.035, 28).cumsum()
    control = rng.binomial(400, 0.03, 28).cumsum()

    result = msprt_two_proportions(treatment, users, control, users)

    assert np.all(np.diff(result.p_value) <= 0)
    assert np.all(np.diff(result.ci_low) >= 0) and np.all(np.diff(result.ci_high) <= 0)
    assert np.all(result.ci_low <= result.ci_high)


def test_msprt_detects_a_large_true_effect():
    users = 1000 * np.arange(1, 29)
    rng = np.random.default_rng(9)

    result = msprt_two_proportions(
        rng.binomial(1000, 0.05, 28).cumsum(), users, rng.binomial(1000, 0.03, 28).cumsum(), users
    )

    assert result.rejected[-1]
