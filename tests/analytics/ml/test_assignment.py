"""Sticky assignment: deterministic, close to the target weights, and minimal churn when weights change."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.ml.assignment import ArmLayout, assign_arm, bucket, moved_share

CONSUMERS = [f"consumer-{i}" for i in range(100_000)]


def test_assignment_is_deterministic_for_the_same_consumer_and_campaign():
    layout = ArmLayout.from_weights([0.5, 0.3, 0.2])

    first = [assign_arm(ref, "campaign-salt-1", layout) for ref in CONSUMERS[:2000]]
    again = [assign_arm(ref, "campaign-salt-1", ArmLayout.from_weights([0.5, 0.3, 0.2])) for ref in CONSUMERS[:2000]]

    assert first == again


def test_bucket_is_a_pinned_function_of_salt_and_reference():
    # Pinned value: changing the hash would silently reshuffle every running campaign. Computed outside Python:
    # printf 'salt\x1fconsumer-1' | sha256sum -> 55ccb36d8a9ebfa9...; 0x55ccb36d8a9ebfa9 / 2**64.
    assert bucket("consumer-1", "salt") == 0x55CCB36D8A9EBFA9 / 2**64
    assert bucket("consumer-1", "salt") != bucket("consumer-1", "other-salt")


def test_shares_over_100k_hashes_are_near_the_target_weights():
    weights = np.array([0.5, 0.25, 0.15, 0.1])
    layout = ArmLayout.from_weights(weights)

    arms = np.array([assign_arm(ref, "spring-sale", layout) for ref in CONSUMERS])

    shares = np.bincount(arms, minlength=4) / arms.size
    # 4 binomial standard errors at n = 100k is below 0.0064 for every weight.
    np.testing.assert_allclose(shares, weights, atol=4 * np.sqrt(0.25 / arms.size))


def test_different_campaign_salts_assign_independently():
    layout = ArmLayout.from_weights([0.5, 0.5])

    first = np.array([assign_arm(ref, "campaign-a", layout) for ref in CONSUMERS[:20_000]])
    second = np.array([assign_arm(ref, "campaign-b", layout) for ref in CONSUMERS[:20_000]])

    assert abs((first == second).mean() - 0.5) < 0.02


def test_rebalance_moves_only_the_total_variation_share_and_keeps_the_rest_sticky():
    old_weights, new_weights = np.array([0.25, 0.25, 0.25, 0.25]), np.array([0.55, 0.2, 0.15, 0.1])
    old = ArmLayout.from_weights(old_weights)

    new = old.rebalance(new_weights)

    total_variation = 0.5 * np.abs(new_weights - old_weights).sum()
    np.testing.assert_allclose(new.weights(), new_weights, atol=1e-12)
    assert moved_share(old, new) == pytest.approx(total_variation)
    # A naive re-layout from the new weights would move far more consumers.
    assert moved_share(old, ArmLayout.from_weights(new_weights)) > total_variation + 0.2
    old_arms = np.array([assign_arm(ref, "s", old) for ref in CONSUMERS[:20_000]])
    new_arms = np.array([assign_arm(ref, "s", new) for ref in CONSUMERS[:20_000]])
    assert (old_arms != new_arms).mean() == pytest.approx(total_variation, abs=0.015)
    # Consumers only ever leave shrinking arms and only ever join growing arms.
    moved = old_arms != new_arms
    assert set(old_arms[moved]) <= {1, 2, 3} and set(new_arms[moved]) <= {0}


def test_layout_survives_a_json_round_trip():
    layout = ArmLayout.from_weights([0.2, 0.8]).rebalance([0.6, 0.4]).rebalance([0.3, 0.7])

    restored = ArmLayout.from_json_list(layout.to_json_list(), n_arms=2)

    assert restored == layout


weight_vectors = st.integers(2, 6).flatmap(
    lambda k: st.lists(st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k), min_size=2, max_size=6)
)


@given(weight_vectors)
@settings(max_examples=150, deadline=None)
def test_any_sequence_of_rebalances_hits_the_target_with_minimal_churn(sequence):
    layout = ArmLayout.from_weights(sequence[0])
    for new_weights in sequence[1:]:
        target = np.array(new_weights) / np.sum(new_weights)
        before = layout

        layout = layout.rebalance(new_weights)

        np.testing.assert_allclose(layout.weights(), target, atol=1e-9)
        assert moved_share(before, layout) == pytest.approx(0.5 * np.abs(target - before.weights()).sum(), abs=1e-9)
        starts = [piece[0] for piece in layout.pieces]
        ends = [piece[1] for piece in layout.pieces]
        assert starts[0] == 0.0 and ends[-1] == pytest.approx(1.0) and starts[1:] == pytest.approx(ends[:-1])
