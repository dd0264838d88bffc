"""A/A acceptance: peeking every day at the mSPRT keeps false positives at or below alpha; peeking at a z-test does not.

1,000 simulated A/A experiments (both arms convert at 3%), 28 daily looks, 500 new users per arm per day. The whole
simulation is one set of numpy arrays (experiments x looks), so it runs in well under a second.
"""

import numpy as np
from scipy import stats

from analytics.ml.experiments import msprt_two_proportions

EXPERIMENTS = 1_000
DAILY_LOOKS = 28
USERS_PER_ARM_PER_DAY = 500
CONVERSION_RATE = 0.03
ALPHA = 0.05


def simulate_aa_experiments(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = (EXPERIMENTS, DAILY_LOOKS)
    treatment = rng.binomial(USERS_PER_ARM_PER_DAY, CONVERSION_RATE, shape).cumsum(axis=1)
    control = rng.binomial(USERS_PER_ARM_PER_DAY, CONVERSION_RATE, shape).cumsum(axis=1)
    users = USERS_PER_ARM_PER_DAY * np.arange(1, DAILY_LOOKS + 1)
    return treatment, control, users


def peeking_z_test_p_values(treatment: np.ndarray, control: np.ndarray, users: np.ndarray) -> np.ndarray:
    """The pooled two-proportion z-test (same as proportions_ztest) at every look, vectorised."""
    pooled = (treatment + control) / (2 * users)
    standard_error = np.sqrt(pooled * (1 - pooled) * 2 / users)
    z = (treatment - control) / users / standard_error
    return 2 * stats.norm.sf(np.abs(z))


def test_daily_peeking_keeps_the_sequential_false_positive_rate_at_most_alpha_but_inflates_the_z_tests():
    treatment, control, users = simulate_aa_experiments(seed=20261128)

    sequential = msprt_two_proportions(treatment, users, control, users, alpha=ALPHA)
    sequential_false_positive_rate = sequential.rejected.any(axis=1).mean()
    # Stopping at the first look where the fixed-horizon test says p < 0.05 is what a manager refreshing the page does.
    peeking_false_positive_rate = (peeking_z_test_p_values(treatment, control, users) < ALPHA).any(axis=1).mean()

    assert sequential_false_positive_rate <= ALPHA
    assert peeking_false_positive_rate > ALPHA
    # Not a fluke of the threshold: with 28 looks the inflation is large (typically 20-30%).
    assert peeking_false_positive_rate > 2 * ALPHA


def test_the_z_test_read_once_at_the_planned_horizon_is_calibrated():
    # Guards the simulation itself: without peeking the same z-test must be near its nominal level, so the inflation
    # above comes from peeking and not from a broken test or simulation. 3 standard errors of 1,000 Bernoulli(0.05).
    treatment, control, users = simulate_aa_experiments(seed=7)

    final_look_rate = (peeking_z_test_p_values(treatment, control, users)[:, -1] < ALPHA).mean()

    assert abs(final_look_rate - ALPHA) < 3 * np.sqrt(ALPHA * (1 - ALPHA) / EXPERIMENTS)


def test_the_sequential_test_still_has_power_against_a_real_lift():
    treatment_null, control, users = simulate_aa_experiments(seed=99)
    rng = np.random.default_rng(100)
    treatment = rng.binomial(USERS_PER_ARM_PER_DAY, CONVERSION_RATE * 1.3, (EXPERIMENTS, DAILY_LOOKS)).cumsum(axis=1)

    detected = msprt_two_proportions(treatment, users, control, users, alpha=ALPHA).rejected[:, -1].mean()

    assert detected > 0.5
