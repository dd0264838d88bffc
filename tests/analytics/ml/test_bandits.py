"""Allocation policies: floors, preference for better arms, non-personalised mode, batched simulation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.ml.bandits import (
    UCB1,
    EpsilonGreedy,
    FixedSplit,
    ThompsonSampling,
    apply_floor,
    make_policy,
    population_counts,
    simulate_batched,
    weights_for_consumer,
)
from analytics.ml.experiments import probability_b_beats_a_exact

ALL_POLICIES = [FixedSplit(), ThompsonSampling(random_state=0), UCB1(), EpsilonGreedy(epsilon=0.1)]


@given(
    raw=st.lists(st.floats(0.0, 100.0, allow_nan=False), min_size=1, max_size=10),
    floor_fraction=st.floats(0.0, 1.0),
)
@settings(max_examples=200, deadline=None)
def test_floor_is_respected_weights_sum_to_one_and_order_is_kept(raw, floor_fraction):
    floor = floor_fraction / len(raw)

    floored = apply_floor(raw, floor)

    assert floored.sum() == pytest.approx(1.0)
    assert np.all(floored >= floor - 1e-12)
    # Water-filling never reorders arms: a heavier raw weight never ends up strictly lighter.
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(floored[order]) >= -1e-12)


def test_floor_leaves_weights_that_already_clear_it_untouched():
    np.testing.assert_allclose(apply_floor([0.5, 0.3, 0.2], 0.01), [0.5, 0.3, 0.2])


def test_floor_raises_small_arms_and_shrinks_only_the_others_proportionally():
    floored = apply_floor([0.9, 0.0995, 0.0005, 0.0], 0.01)

    np.testing.assert_allclose(floored[2:], [0.01, 0.01])
    assert floored[0] / floored[1] == pytest.approx(0.9 / 0.0995)


def test_impossible_floor_is_rejected():
    with pytest.raises(ValueError, match="floor"):
        apply_floor([0.5, 0.5, 0.0], 0.4)


def test_thompson_weights_favour_the_better_arm_and_respect_the_one_percent_floor():
    successes, trials = [30, 60, 31, 5], [2000, 2000, 2000, 2000]

    weights = ThompsonSampling(random_state=1).weights(successes, trials)

    assert weights.argmax() == 1 and weights[1] > 0.9
    assert weights.sum() == pytest.approx(1.0)
    assert np.all(weights >= 0.01 - 1e-12)
    assert weights[3] == pytest.approx(0.01)  # hopeless arm sits exactly on the floor


def test_thompson_weights_are_even_without_data_and_reproducible_with_a_seed():
    first = ThompsonSampling(random_state=42).weights([0, 0, 0], [0, 0, 0])
    second = ThompsonSampling(random_state=42).weights([0, 0, 0], [0, 0, 0])

    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first, [1 / 3] * 3, atol=0.02)


def test_thompson_weight_equals_posterior_probability_of_being_best():
    # Two arms with Beta(11, 91) and Beta(21, 81) posteriors: P(second > first) by numerical integration.
    expected = probability_b_beats_a_exact(11, 91, 21, 81)

    weights = ThompsonSampling(n_draws=100_000, floor=0.0, random_state=3).weights([10, 20], [100, 100])

    assert weights[1] == pytest.approx(expected, abs=0.006)  # about 4 Monte Carlo standard errors


def test_ucb1_tries_every_arm_first_then_plays_the_highest_upper_bound():
    assert UCB1(floor=0.0).weights([3, 0, 0], [10, 0, 0]).tolist() == [0.0, 0.5, 0.5]

    weights = UCB1().weights([50, 80, 10], [1000, 1000, 1000])

    assert weights.argmax() == 1 and weights[1] == pytest.approx(0.98)


def test_epsilon_greedy_explores_uniformly_with_probability_epsilon():
    weights = EpsilonGreedy(epsilon=0.2, floor=0.0).weights([5, 9, 1, 2], [100, 100, 100, 100])

    np.testing.assert_allclose(weights, [0.05, 0.85, 0.05, 0.05])


def test_fixed_split_ignores_the_data():
    np.testing.assert_allclose(FixedSplit().weights([0, 90, 3], [100, 100, 100]), [1 / 3] * 3)
    np.testing.assert_allclose(FixedSplit(target_weights=[1, 3]).weights([9, 0], [10, 10]), [0.25, 0.75])


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: type(p).__name__)
def test_choose_only_returns_valid_arms_and_follows_the_weights(policy):
    rng = np.random.default_rng(0)
    successes, trials = [20, 45, 25], [1000, 1000, 1000]

    picks = policy.choose(successes, trials, size=20_000, rng=rng)
    single = policy.choose(successes, trials, rng=rng)

    assert isinstance(single, int) and 0 <= single < 3
    expected = policy.weights(successes, trials, rng=np.random.default_rng(1))
    np.testing.assert_allclose(np.bincount(picks, minlength=3) / picks.size, expected, atol=0.02)


def test_choose_with_an_int_seed_still_advances_between_calls():
    policy = ThompsonSampling(random_state=5)

    picks = {policy.choose([1, 1], [10, 10]) for _ in range(50)}

    assert picks == {0, 1}


def test_non_personalised_consumers_are_served_from_pooled_population_counts():
    # Segment 0 loves arm 0, segment 1 loves arm 1; the population as a whole prefers arm 1.
    successes = np.array([[90, 10], [10, 200]])
    trials = np.array([[1000, 1000], [1000, 1000]])
    policy = ThompsonSampling(random_state=0)

    personalised = weights_for_consumer(policy, successes, trials, segment=0, personalized=True)
    non_personalised = weights_for_consumer(policy, successes, trials, segment=0, personalized=False)
    pooled_s, pooled_t = population_counts(successes, trials)

    assert personalised.argmax() == 0
    assert non_personalised.argmax() == 1
    np.testing.assert_allclose(non_personalised, policy.weights(pooled_s, pooled_t), atol=0.01)
    np.testing.assert_array_equal(pooled_s, [100, 210])


def test_weights_accept_segment_rows():
    weights = UCB1().weights([[5, 50], [50, 5]], [[100, 100], [100, 100]])

    assert weights.shape == (2, 2)
    assert weights[0].argmax() == 1 and weights[1].argmax() == 0


def test_counts_are_validated():
    with pytest.raises(ValueError, match="successes <= trials"):
        ThompsonSampling().weights([5, 11], [10, 10])


def test_policies_expose_scikit_learn_style_parameters():
    policy = make_policy("epsilon_greedy", epsilon=0.05, random_state=3)

    assert policy.get_params() == {"epsilon": 0.05, "floor": 0.01, "random_state": 3}
    assert policy.set_params(epsilon=0.2).epsilon == 0.2
    with pytest.raises(ValueError, match="unknown allocation policy"):
        make_policy("softmax")


def test_batched_thompson_loses_fewer_conversions_than_a_fixed_split_on_shared_outcomes():
    rates = np.array([0.01, 0.02, 0.05])
    rng = np.random.default_rng(12)
    outcomes = rng.random((20_000, 3)) < rates

    thompson = simulate_batched(
        ThompsonSampling(n_draws=2000), rates, n_consumers=20_000, batch_size=1000, rng=rng, outcomes=outcomes
    )
    fixed = simulate_batched(FixedSplit(), rates, n_consumers=20_000, batch_size=1000, rng=rng, outcomes=outcomes)

    assert thompson["weights"].shape == (20, 3)
    assert np.all(thompson["weights"] >= 0.01 - 1e-12)
    assert thompson["weights"][-1].argmax() == 2
    assert thompson["converted"].sum() > fixed["converted"].sum()
    assert rates[thompson["chosen"]].sum() > rates[fixed["chosen"]].sum() + 100
