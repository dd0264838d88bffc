"""Allocation policies for campaign variants: fixed split and multi-armed bandits.

Every policy is *stateless with respect to data*: it is given the sufficient statistics of each arm (successes and
trials, i.e. conversions and assigned consumers) and returns allocation probabilities for the next period. This is
what a periodic reallocation task needs: aggregate counts from the database, call ``policy.weights(...)``, record the
new weights, and let sticky assignment (``analytics.ml.assignment``) route new consumers by them.

- ``weights(successes, trials)`` -> allocation probabilities for the next period, every arm at least ``floor``.
- ``choose(successes, trials, size=...)`` -> arm index(es) drawn from those probabilities, for per-request selection
  and for simulations.

Non-personalised mode. None of these policies look at a consumer's features: an arm is chosen from population-level
counts only. ``weights`` also accepts 2-D counts (one row per segment, one column per arm) so a caller *may* adapt
per segment for consumers who consented to personalisation; consumers without that consent must be served from
``population_counts(...)`` (the pooled row) — see ``weights_for_consumer``. Either way nothing derived from one
person's own behaviour decides that person's arm.

Hyperparameters follow scikit-learn conventions: ``__init__`` only stores them; randomness comes from ``random_state``
(``None``, an int seed or a ``numpy.random.Generator``), or per call from an explicit ``rng``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_FLOOR = 0.01


def apply_floor(weights: ArrayLike, floor: float) -> NDArray[np.float64]:
    """Raise every weight to at least ``floor`` and renormalise to 1 by shrinking only the arms above the floor.

    Water-filling instead of ``max(w, floor) / sum``: plain renormalisation would push small arms back below the
    floor, and a uniform mixture would disturb arms that were already fine. Arms above the floor keep their ratios.
    Works row-wise on 2-D input.
    """
    w = np.array(weights, dtype=float, copy=True)
    if w.ndim == 2:
        return np.vstack([apply_floor(row, floor) for row in w]) if len(w) else w
    n_arms = w.size
    if floor < 0 or floor * n_arms > 1 + 1e-12:
        raise ValueError(f"floor {floor} is impossible with {n_arms} arms (needs 0 <= floor <= 1/n_arms)")
    if np.any(w < 0) or not np.isfinite(w).all():
        raise ValueError("weights must be finite and non-negative")
    total = w.sum()
    w = w / total if total > 0 else np.full(n_arms, 1.0 / n_arms)
    pinned = np.zeros(n_arms, dtype=bool)
    # Each pass pins at least one more arm, so this ends after at most n_arms passes.
    for _ in range(n_arms):
        free_mass = 1.0 - floor * pinned.sum()
        free_total = w[~pinned].sum()
        if free_total > 0:
            scaled = np.where(pinned, floor, w * free_mass / free_total)
        else:
            scaled = np.where(pinned, floor, free_mass / max((~pinned).sum(), 1))
        newly_pinned = (~pinned) & (scaled < floor)
        if not newly_pinned.any():
            return scaled
        pinned |= newly_pinned
    return np.full(n_arms, 1.0 / n_arms)


def _validated_counts(successes: ArrayLike, trials: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    s = np.asarray(successes, dtype=float)
    t = np.asarray(trials, dtype=float)
    if s.shape != t.shape or s.ndim not in (1, 2) or s.shape[-1] < 1:
        raise ValueError("successes and trials must be 1-D (arms) or 2-D (segments x arms) arrays of the same shape")
    if np.any(s < 0) or np.any(s > t):
        raise ValueError("need 0 <= successes <= trials for every arm")
    return s, t


def population_counts(
    successes_by_segment: ArrayLike, trials_by_segment: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pool segment x arm counts into one population row: what non-personalised consumers are served from."""
    s, t = _validated_counts(successes_by_segment, trials_by_segment)
    if s.ndim == 1:
        return s, t
    return s.sum(axis=0), t.sum(axis=0)


class AllocationPolicy(ABC):
    """Base class: subclasses implement ``_raw_weights``; flooring, validation and sampling live here."""

    def __init__(self, floor: float = DEFAULT_FLOOR, random_state: int | np.random.Generator | None = None) -> None:
        self.floor = floor
        self.random_state = random_state

    # -- scikit-learn style parameter access -------------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> AllocationPolicy:
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"unknown parameter {name!r} for {type(self).__name__}")
            setattr(self, name, value)
        self.__dict__.pop("_rng", None)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- public API ----------------------------------------------------------------------------------------------
    def weights(
        self, successes: ArrayLike, trials: ArrayLike, *, rng: np.random.Generator | None = None
    ) -> NDArray[np.float64]:
        """Allocation probabilities for the next period (sum to 1 per row, each >= ``floor``)."""
        s, t = _validated_counts(successes, trials)
        generator = rng if rng is not None else self._generator()
        if s.ndim == 2:
            raw = np.vstack([self._raw_weights(row_s, row_t, generator) for row_s, row_t in zip(s, t, strict=True)])
        else:
            raw = self._raw_weights(s, t, generator)
        return apply_floor(raw, self.floor)

    def choose(
        self,
        successes: ArrayLike,
        trials: ArrayLike,
        *,
        size: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> int | NDArray[np.int64]:
        """Per-request arm selection: draw arm index(es) from the current ``weights`` (1-D counts only)."""
        s, t = _validated_counts(successes, trials)
        if s.ndim != 1:
            raise ValueError("choose takes the counts of one population; pick the segment row first")
        generator = rng if rng is not None else self._generator()
        probabilities = self.weights(s, t, rng=generator)
        picks = generator.choice(s.size, size=size, p=probabilities)
        return int(picks) if size is None else picks.astype(np.int64)

    # -- helpers -------------------------------------------------------------------------------------------------
    def _generator(self) -> np.random.Generator:
        # Created lazily and kept, so successive calls with an int seed advance one reproducible stream instead of
        # replaying the same draws (which would make ``choose`` return the same arm forever).
        if getattr(self, "_rng", None) is None:
            self._rng = np.random.default_rng(self.random_state)
        return self._rng

    @abstractmethod
    def _raw_weights(
        self, successes: NDArray[np.float64], trials: NDArray[np.float64], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        """Unfloored allocation for one row of counts."""


class FixedSplit(AllocationPolicy):
    """Classic A/B/n test: constant weights (equal when ``target_weights`` is None), whatever the data says."""

    def __init__(
        self,
        target_weights: ArrayLike | None = None,
        floor: float = DEFAULT_FLOOR,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(floor=floor, random_state=random_state)
        self.target_weights = target_weights

    def _raw_weights(self, successes, trials, rng):
        if self.target_weights is None:
            return np.full(successes.size, 1.0 / successes.size)
        target = np.asarray(self.target_weights, dtype=float)
        if target.shape != successes.shape:
            raise ValueError("target_weights needs one weight per arm")
        return target / target.sum()


class ThompsonSampling(AllocationPolicy):
    """Beta-Bernoulli Thompson sampling.

    The weight of an arm is its posterior probability of being the best arm, estimated from ``n_draws`` joint
    posterior draws. Sampling arms from these weights is the same, in distribution, as drawing one posterior sample
    per request and taking the argmax (the textbook algorithm), but it can be computed once per reallocation period.
    """

    def __init__(
        self,
        prior_alpha: float = 1.0,
        prior_beta: float = 1.0,
        n_draws: int = 10_000,
        floor: float = DEFAULT_FLOOR,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(floor=floor, random_state=random_state)
        self.prior_alpha = prior_alpha
        self.prior_beta = prior_beta
        self.n_draws = n_draws

    def _raw_weights(self, successes, trials, rng):
        alpha = self.prior_alpha + successes
        beta = self.prior_beta + trials - successes
        draws = rng.beta(alpha, beta, size=(self.n_draws, successes.size))
        winners = draws.argmax(axis=1)
        return np.bincount(winners, minlength=successes.size) / self.n_draws


class UCB1(AllocationPolicy):
    """UCB1 (Auer et al. 2002): play the arm with the highest ``mean + sqrt(2 ln N / n_i)``.

    Untried arms come first (they share the period equally); ties share equally. In batched mode the whole
    period (minus the floors) goes to the current leader, which is the deterministic nature of UCB1.
    """

    def _raw_weights(self, successes, trials, rng):
        untried = trials == 0
        if untried.any():
            return untried / untried.sum()
        total = trials.sum()
        index = successes / trials + np.sqrt(2.0 * np.log(total) / trials)
        leaders = np.isclose(index, index.max(), rtol=0.0, atol=1e-12)
        return leaders / leaders.sum()


class EpsilonGreedy(AllocationPolicy):
    """Explore uniformly with probability ``epsilon``, otherwise exploit the arm with the best observed rate."""

    def __init__(
        self,
        epsilon: float = 0.1,
        floor: float = DEFAULT_FLOOR,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(floor=floor, random_state=random_state)
        self.epsilon = epsilon

    def _raw_weights(self, successes, trials, rng):
        if not 0.0 <= self.epsilon <= 1.0:
            raise ValueError("epsilon must be within [0, 1]")
        n_arms = successes.size
        untried = trials == 0
        if untried.any():
            return untried / untried.sum()
        rates = successes / trials
        leaders = np.isclose(rates, rates.max(), rtol=0.0, atol=1e-12)
        return self.epsilon / n_arms + (1.0 - self.epsilon) * leaders / leaders.sum()


POLICIES: dict[str, type[AllocationPolicy]] = {
    "fixed_split": FixedSplit,
    "thompson": ThompsonSampling,
    "ucb1": UCB1,
    "epsilon_greedy": EpsilonGreedy,
}


def make_policy(name: str, **hyperparameters: Any) -> AllocationPolicy:
    """Build a policy from the name stored on a campaign: fixed_split, thompson, ucb1 or epsilon_greedy."""
    try:
        return POLICIES[name](**hyperparameters)
    except KeyError:
        raise ValueError(f"unknown allocation policy {name!r}; choose from {sorted(POLICIES)}") from None


def weights_for_consumer(
    policy: AllocationPolicy,
    successes_by_segment: ArrayLike,
    trials_by_segment: ArrayLike,
    *,
    segment: int | None,
    personalized: bool,
    rng: np.random.Generator | None = None,
) -> NDArray[np.float64]:
    """The allocation one consumer is served from.

    Consumers who consented to personalisation and belong to a segment get their segment's row; everybody else
    (no consent — non-personalised mode — or no segment) gets the policy's weights on the pooled population counts.
    """
    s, t = _validated_counts(successes_by_segment, trials_by_segment)
    if personalized and segment is not None and s.ndim == 2:
        return policy.weights(s[segment], t[segment], rng=rng)
    pooled_s, pooled_t = population_counts(s, t)
    return policy.weights(pooled_s, pooled_t, rng=rng)


def simulate_batched(
    policy: AllocationPolicy,
    conversion_rates: ArrayLike,
    *,
    n_consumers: int,
    batch_size: int,
    rng: np.random.Generator,
    outcomes: NDArray[np.bool_] | None = None,
) -> dict[str, NDArray]:
    """Play ``policy`` against Bernoulli arms with weights recomputed once per batch (like a periodic beat task).

    ``outcomes`` (consumers x arms booleans) lets several policies face the very same potential outcomes — consumer
    i converts on arm a iff ``outcomes[i, a]`` — so their differences are not sampling noise. Returns the chosen arm
    and realised conversion per consumer and the weights used in every period.
    """
    rates = np.asarray(conversion_rates, dtype=float)
    n_arms = rates.size
    if outcomes is None:
        outcomes = rng.random((n_consumers, n_arms)) < rates
    successes = np.zeros(n_arms)
    trials = np.zeros(n_arms)
    chosen = np.empty(n_consumers, dtype=np.int64)
    weight_history = []
    for start in range(0, n_consumers, batch_size):
        stop = min(start + batch_size, n_consumers)
        period_weights = policy.weights(successes, trials, rng=rng)
        weight_history.append(period_weights)
        arms = rng.choice(n_arms, size=stop - start, p=period_weights)
        chosen[start:stop] = arms
        converted = outcomes[np.arange(start, stop), arms]
        successes += np.bincount(arms, weights=converted, minlength=n_arms)
        trials += np.bincount(arms, minlength=n_arms)
    converted_all = outcomes[np.arange(n_consumers), chosen]
    return {"chosen": chosen, "converted": converted_all, "weights": np.array(weight_history)}
