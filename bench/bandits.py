"""Benchmark: bandit allocation policies against Bernoulli arms, with batched (periodic) re-weighting.

    python bench/bandits.py --json out.json

Every repetition draws one table of potential outcomes (consumer i converts on arm a iff outcomes[i, a]) and every
policy faces that same table with the same seed, so differences between rows are not sampling noise.

Definitions (per repetition, then averaged over repetitions):
- regret = n_consumers * max(rate) - sum of the true rates of the arms chosen (expected conversions given up);
- lost_conversions = conversions the best arm would have produced for these consumers (outcomes[:, best].sum())
  minus conversions actually realised (the shortfall you would see in the data).

Rows, in pairs that face the same constraint:
- thompson: analytics.ml.bandits.ThompsonSampling as campaigns run it, with the production 1% floor per arm, weights
  recomputed every batch;
- reference: mabwiser's ThompsonSampling (independent implementation), per-consumer posterior draws within a batch,
  partial_fit once per batch (the same information schedule as ours), under the same 1% floor imposed from outside;
- thompson_no_floor / reference_no_floor: the same two without any floor (the algorithms alone);
- textbook_thompson: a plain per-consumer Beta-Bernoulli Thompson sampler written here, batched the same way, no floor;
- fixed_split, ucb1, epsilon_greedy: the other analytics.ml.bandits policies with the 1% floor.

Acceptance: |regret(thompson) - regret(reference)| <= 10% of regret(reference) (and the same for the no-floor pair),
and lost_conversions(thompson) at least 30% below lost_conversions(fixed_split). The floor's own price is printed:
thompson against reference_no_floor.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.ml.bandits import UCB1, EpsilonGreedy, FixedSplit, ThompsonSampling, simulate_batched  # noqa: E402

FLOOR = 0.01  # the production minimum share per arm
DEFAULT_RATES = tuple(np.linspace(0.01, 0.05, 4))  # 1%, 2.33%, 3.67%, 5%: evenly spread, chosen before any run

ChoiceRunner = Callable[[np.ndarray, np.ndarray, int, np.random.Generator, int], np.ndarray]


def run_ours(policy_factory: Callable[[], object]) -> ChoiceRunner:
    def run(outcomes: np.ndarray, rates: np.ndarray, batch_size: int, rng: np.random.Generator, seed: int):
        result = simulate_batched(
            policy_factory(), rates, n_consumers=len(outcomes), batch_size=batch_size, rng=rng, outcomes=outcomes
        )
        return result["chosen"]

    return run


def run_mabwiser(outcomes: np.ndarray, rates: np.ndarray, batch_size: int, rng: np.random.Generator, seed: int):
    return _run_mabwiser(outcomes, batch_size, rng, seed, uniform_share=0.0)


def run_mabwiser_floored(outcomes: np.ndarray, rates: np.ndarray, batch_size: int, rng: np.random.Generator, seed: int):
    """mabwiser under the same 1% floor, imposed from outside: each consumer goes to a uniformly random arm with
    probability n_arms * 1% (so every arm gets at least 1%), otherwise to mabwiser's decision."""
    return _run_mabwiser(outcomes, batch_size, rng, seed, uniform_share=FLOOR * outcomes.shape[1])


def _run_mabwiser(outcomes: np.ndarray, batch_size: int, rng: np.random.Generator, seed: int, uniform_share: float):
    from mabwiser.mab import MAB, LearningPolicy

    n_consumers, n_arms = outcomes.shape
    bandit = MAB(arms=list(range(n_arms)), learning_policy=LearningPolicy.ThompsonSampling(), seed=seed)
    bandit.fit(decisions=np.array([], dtype=int), rewards=np.array([]))  # Beta(1, 1) priors, no data yet
    chosen = np.empty(n_consumers, dtype=np.int64)
    for start in range(0, n_consumers, batch_size):
        stop = min(start + batch_size, n_consumers)
        # A non-contextual bandit given n context rows returns n independent posterior-sampled decisions.
        decisions = np.asarray(bandit.predict(np.zeros((stop - start, 1))), dtype=np.int64)
        if uniform_share > 0:
            explore = rng.random(stop - start) < uniform_share
            decisions[explore] = rng.integers(0, n_arms, explore.sum())
        chosen[start:stop] = decisions
        rewards = outcomes[np.arange(start, stop), decisions].astype(int)
        bandit.partial_fit(decisions=decisions, rewards=rewards)
    return chosen


def run_textbook_thompson(
    outcomes: np.ndarray, rates: np.ndarray, batch_size: int, rng: np.random.Generator, seed: int
):
    """Thompson (1933) as in Russo et al.'s tutorial: per consumer, draw each arm's Beta posterior, play the argmax."""
    n_consumers, n_arms = outcomes.shape
    wins = np.zeros(n_arms)
    losses = np.zeros(n_arms)
    chosen = np.empty(n_consumers, dtype=np.int64)
    for start in range(0, n_consumers, batch_size):
        stop = min(start + batch_size, n_consumers)
        samples = rng.beta(1 + wins, 1 + losses, size=(stop - start, n_arms))
        decisions = samples.argmax(axis=1)
        chosen[start:stop] = decisions
        rewards = outcomes[np.arange(start, stop), decisions]
        wins += np.bincount(decisions, weights=rewards, minlength=n_arms)
        losses += np.bincount(decisions, weights=~rewards, minlength=n_arms)
    return chosen


def policies(include_reference: bool) -> dict[str, ChoiceRunner]:
    runners: dict[str, ChoiceRunner] = {"thompson": run_ours(lambda: ThompsonSampling(floor=FLOOR))}
    if include_reference:
        runners["reference"] = run_mabwiser_floored
    # The algorithms without the production floor, to separate the algorithm from the constraint.
    runners["thompson_no_floor"] = run_ours(lambda: ThompsonSampling(floor=0.0))
    if include_reference:
        runners["reference_no_floor"] = run_mabwiser
    runners["textbook_thompson"] = run_textbook_thompson
    runners["fixed_split"] = run_ours(lambda: FixedSplit(floor=FLOOR))
    runners["ucb1"] = run_ours(lambda: UCB1(floor=FLOOR))
    runners["epsilon_greedy"] = run_ours(lambda: EpsilonGreedy(epsilon=0.1, floor=FLOOR))
    return runners


def benchmark(
    rates: np.ndarray, n_consumers: int, repetitions: int, batch_size: int, seed: int, include_reference: bool
) -> dict[str, dict[str, float]]:
    runners = policies(include_reference)
    regrets = {name: [] for name in runners}
    losses = {name: [] for name in runners}
    seconds = dict.fromkeys(runners, 0.0)
    best = int(rates.argmax())
    for repetition in range(repetitions):
        outcomes = np.random.default_rng([seed, repetition, 0]).random((n_consumers, rates.size)) < rates
        best_conversions = outcomes[:, best].sum()
        for name, run in runners.items():
            started = time.perf_counter()
            # Same seed for every policy within a repetition.
            chosen = run(outcomes, rates, batch_size, np.random.default_rng([seed, repetition, 1]), seed + repetition)
            seconds[name] += time.perf_counter() - started
            regrets[name].append(n_consumers * rates[best] - rates[chosen].sum())
            losses[name].append(best_conversions - outcomes[np.arange(n_consumers), chosen].sum())
    results = {}
    for name in runners:
        r, lost = np.array(regrets[name]), np.array(losses[name])
        results[name] = {
            "regret": float(r.mean()),
            "lost_conversions": float(lost.mean()),
            "regret_se": float(r.std(ddof=1) / np.sqrt(r.size)) if r.size > 1 else 0.0,
            "lost_conversions_se": float(lost.std(ddof=1) / np.sqrt(lost.size)) if lost.size > 1 else 0.0,
            "seconds": round(seconds[name], 2),
        }
    return results


def _regret_gap(results: dict[str, dict[str, float]], ours: str, reference: str) -> tuple[bool, str]:
    gap = abs(results[ours]["regret"] - results[reference]["regret"]) / results[reference]["regret"]
    return gap <= 0.10, f"{results[ours]['regret']:.1f} vs {results[reference]['regret']:.1f}, {gap:.1%} apart"


def acceptance_checks(results: dict[str, dict[str, float]]) -> dict[str, tuple[bool, str]]:
    reduction = 1 - results["thompson"]["lost_conversions"] / results["fixed_split"]["lost_conversions"]
    return {
        "thompson regret within 10% of reference (both with the 1% floor)": _regret_gap(
            results, "thompson", "reference"
        ),
        "thompson_no_floor regret within 10% of reference_no_floor (both without a floor)": _regret_gap(
            results, "thompson_no_floor", "reference_no_floor"
        ),
        "thompson loses >= 30% fewer conversions than fixed_split": (reduction >= 0.30, f"{reduction:.1%} fewer"),
    }


def floor_price(results: dict[str, dict[str, float]]) -> str:
    """What the 1% floor costs against the unconstrained algorithm: information, not a target."""
    floored, free = results["thompson"]["regret"], results["reference_no_floor"]["regret"]
    return f"the 1% floor's price: thompson {floored:.1f} vs reference_no_floor {free:.1f} ({floored / free:.2f}x)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write results as JSON here")
    parser.add_argument("--consumers", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=1_000, help="consumers between two re-weightings")
    parser.add_argument("--rates", type=float, nargs="+", default=list(DEFAULT_RATES))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--check", action="store_true", help="exit 1 when an acceptance target is missed")
    args = parser.parse_args(argv)

    try:
        import mabwiser  # noqa: F401

        include_reference = True
    except ImportError:
        include_reference = False
        print("mabwiser is not installed (pip install -r requirements-bench.txt); "
              "the reference row falls back to textbook_thompson")  # fmt: skip

    rates = np.array(args.rates)
    started = time.perf_counter()
    results = benchmark(rates, args.consumers, args.repetitions, args.batch_size, args.seed, include_reference)
    if not include_reference:  # fall back to the textbook sampler, written separately here (no floor)
        results["reference_no_floor"] = dict(results["textbook_thompson"])
        results["reference"] = dict(results["textbook_thompson"])
    elapsed = time.perf_counter() - started

    print(f"arms {np.round(rates, 4).tolist()}, {args.consumers:,} consumers, {args.repetitions} repetitions, "
          f"re-weighting every {args.batch_size:,} consumers, seed {args.seed}, {elapsed:.0f} s")  # fmt: skip
    reference_regret = results["reference_no_floor"]["regret"]
    fixed_lost = results["fixed_split"]["lost_conversions"]
    header = (
        f"{'policy':<18} {'regret':>16} {'lost conversions':>18} {'regret / unfloored ref':>23} {'lost vs fixed':>14}"
    )
    print(header)
    print("-" * len(header))
    for name, row in results.items():
        print(
            f"{name:<18} {row['regret']:>9.1f} ± {row['regret_se']:<5.1f} "
            f"{row['lost_conversions']:>10.1f} ± {row['lost_conversions_se']:<5.1f} "
            f"{row['regret'] / reference_regret:>23.3f} {row['lost_conversions'] / fixed_lost - 1:>+14.1%}"
        )
    checks = acceptance_checks(results)
    print()
    for label, (passed, detail) in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {label} ({detail})")
    print(f"info  {floor_price(results)}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0 if all(passed for passed, _ in checks.values()) or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
