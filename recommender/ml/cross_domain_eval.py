"""Honest cross-domain evaluation: rolling-origin temporal windows, settings chosen on the window before each test
window, per-group NDCG with cluster-bootstrap standard errors and paired differences.

Protocol (:func:`cross_domain_rolling_lift`). ``windows`` are consecutive time windows; window ``i`` holds the joint
users x items matrix of everything before its cut (``train``) and the relevant target-catalogue interactions between
its cut and the next (``holdout``). Window 0 only validates. For every later window the settings (ridge strengths of
the joint, newcomer and single-domain EASE, the newcomer popularity prior) are chosen on windows ``0 .. i - 1``
pooled — data that ends where window ``i``'s test period begins — and then window ``i`` is scored. Users with a
relevant held-out item in the target catalogue (items already in their training history are not relevant) fall into:

* ``both``: history on both sides before the cut. Joint model vs the same EASE on the target catalogue alone
  (``single``) vs target popularity.
* ``new``: history only outside the target catalogue: real newcomers, arriving in the test window. Joint vs popularity.
* ``new_simulated``: the ``both`` users again, their target history hidden (the standard cold-start protocol of
  cross-domain recommendation, e.g. EMCDR, Man et al. 2017): in ``folds`` parts, the joint model and popularity are
  refitted without that part's target-catalogue history and the part is scored from its other-side history only.

A user can appear in several windows, so standard errors and confidence intervals come from a bootstrap over users
(all of a user's windows resampled together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from .base import PAD_ITEM, normalise_rows, top_n
from .cross_domain import CrossDomainRecommender
from .ease import EASE
from .popularity import PopularityRecommender

JOINT_L2_GRID = (100.0, 300.0, 1000.0, 3000.0)
NEWCOMER_L2_GRID = (300.0, 1000.0, 3000.0, 10000.0, 30000.0)
NEWCOMER_POPULARITY_GRID = (0.0, 0.1, 0.3)
GROUPS = ("both", "new", "new_simulated")


@dataclass(frozen=True)
class Window:
    """Everything before a cut (``train``, users x items) and the relevant interactions after it (``holdout``)."""

    train: sp.csr_matrix
    holdout: sp.csr_matrix


@dataclass(frozen=True)
class CrossDomainSettings:
    l2: float
    newcomer_l2: float
    newcomer_popularity_weight: float
    single_l2: float


# ------------------------------------------------------------------------------------------------------- statistics
def ndcg_per_user(recommended: np.ndarray, relevant: sp.spmatrix, k: int = 10) -> np.ndarray:
    """NDCG@k of every row (binary relevance, ideal DCG over min(|relevant|, k) places); rows need a relevant item."""
    recs = np.asarray(recommended, dtype=np.int64)[:, :k]
    rel = sp.csr_matrix(relevant)
    hits = np.zeros(recs.shape, dtype=np.float64)
    for r in range(recs.shape[0]):
        row = rel.indices[rel.indptr[r] : rel.indptr[r + 1]]
        hits[r] = np.isin(recs[r], row) & (recs[r] != PAD_ITEM)
    n_rel = np.diff(rel.indptr)
    if (n_rel == 0).any():
        raise ValueError("every row needs at least one relevant item")
    discount = 1.0 / np.log2(np.arange(2, recs.shape[1] + 2))
    ideal = np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))
    return (hits * discount).sum(axis=1) / ideal[np.minimum(n_rel, k) - 1]


def cluster_bootstrap(
    values: np.ndarray, clusters: np.ndarray, *, n_boot: int = 1000, random_state: Any = 42
) -> np.ndarray:
    """Bootstrap replicates of the mean of ``values``, resampling whole clusters (users) with replacement."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values):
        return np.full(n_boot, np.nan)
    labels, index = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.bincount(index, weights=values, minlength=len(labels))
    counts = np.bincount(index, minlength=len(labels)).astype(np.float64)
    draws = check_random_state(random_state).multinomial(len(labels), np.full(len(labels), 1 / len(labels)), n_boot)
    return (draws @ sums) / (draws @ counts)


def summarise(values: np.ndarray, clusters: np.ndarray, *, n_boot: int = 1000, random_state: Any = 42) -> dict:
    """Mean, bootstrap standard error and 95% percentile interval; rows and distinct users."""
    replicates = cluster_bootstrap(values, clusters, n_boot=n_boot, random_state=random_state)
    empty = not len(values)
    return {
        "mean": float("nan") if empty else float(np.mean(values)),
        "se": float("nan") if empty else float(np.std(replicates, ddof=1)),
        "ci95": [float("nan")] * 2 if empty else [float(v) for v in np.percentile(replicates, [2.5, 97.5])],
        "n": int(len(values)),
        "users": int(len(np.unique(clusters))),
    }


# ----------------------------------------------------------------------------------------------------- the window
def _relevant(window: Window, target: np.ndarray) -> sp.csr_matrix:
    rel = sp.csr_matrix(window.holdout @ sp.diags(target.astype(np.float64)))
    rel.data[:] = 1.0
    rel = sp.csr_matrix(rel - rel.multiply(window.train > 0))
    rel.eliminate_zeros()
    return rel


def _split_sides(matrix: sp.csr_matrix, target: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    inside = sp.csr_matrix(matrix @ sp.diags(target.astype(np.float64)))
    outside = sp.csr_matrix(matrix @ sp.diags((~target).astype(np.float64)))
    inside.eliminate_zeros()
    outside.eliminate_zeros()
    return inside, outside


def window_groups(window: Window, target: np.ndarray) -> dict[str, np.ndarray]:
    """Users with a relevant target item in the holdout: ``both`` sides before the cut, or ``new`` to the target."""
    relevant = _relevant(window, target)
    inside, outside = _split_sides(window.train, target)
    users = np.flatnonzero(np.diff(relevant.indptr) > 0)
    in_target = np.diff(inside.indptr)[users] > 0
    elsewhere = np.diff(outside.indptr)[users] > 0
    return {"both": users[in_target & elsewhere], "new": users[~in_target & elsewhere]}


def _ndcg(scores: np.ndarray, seen: sp.csr_matrix, relevant: sp.csr_matrix, target: np.ndarray, k: int) -> np.ndarray:
    scores = np.array(scores, dtype=np.float64, copy=True)
    scores[:, ~target] = -np.inf
    r, c = seen.nonzero()
    scores[r, c] = -np.inf
    ids, _ = top_n(scores, k)
    return ndcg_per_user(ids, relevant, k)


def _hidden_parts(users: np.ndarray, folds: int, random_state: Any) -> list[np.ndarray]:
    order = check_random_state(random_state).permutation(users)
    return [np.sort(order[f::folds]) for f in range(folds) if len(order[f::folds])]


# ------------------------------------------------------------------------------------------------------ selection
def validation_trials(
    window: Window,
    item_domains: Any,
    target_domain: Any,
    *,
    k: int = 10,
    l2_grid: Sequence[float] = JOINT_L2_GRID,
    newcomer_l2_grid: Sequence[float] = NEWCOMER_L2_GRID,
    newcomer_popularity_grid: Sequence[float] = NEWCOMER_POPULARITY_GRID,
) -> dict[tuple[str, Any], np.ndarray]:
    """Per-user NDCG@k of every candidate setting on one window: ``("joint", l2)`` and ``("single", l2)`` on the
    ``both`` users; ``("newcomer", (l2, popularity weight))`` on every user with other-side history, scored from that
    history alone (one window's real newcomers are too few to choose from)."""
    target = np.asarray(item_domains, dtype=object) == target_domain
    relevant = _relevant(window, target)
    inside, outside = _split_sides(window.train, target)
    groups = window_groups(window, target)
    both, bridged = groups["both"], np.union1d(groups["both"], groups["new"])
    popularity = PopularityRecommender(count="users").fit(inside).item_popularity_ * target
    popularity = popularity / (popularity.max() or 1.0)
    trials: dict[tuple[str, Any], np.ndarray] = {}
    for l2 in sorted(set(l2_grid) | set(newcomer_l2_grid)):
        joint = EASE(l2=l2).fit(window.train)
        if l2 in l2_grid:
            rows = window.train[both]
            trials[("joint", l2)] = _ndcg(joint.score(both, user_items=rows), rows, relevant[both], target, k)
            single = EASE(l2=l2).fit(inside)
            rows = inside[both]
            trials[("single", l2)] = _ndcg(single.score(both, user_items=rows), rows, relevant[both], target, k)
        if l2 in newcomer_l2_grid:
            rows = outside[bridged]
            scores = np.array(joint.score(bridged, user_items=rows), dtype=np.float64)
            for weight in newcomer_popularity_grid:
                blend = normalise_rows(scores) + weight * popularity[None, :] if weight else scores
                trials[("newcomer", (l2, weight))] = _ndcg(blend, rows, relevant[bridged], target, k)
    return trials


def select_settings(trials: Sequence[dict[tuple[str, Any], np.ndarray]]) -> tuple[CrossDomainSettings, dict]:
    """The setting with the best mean NDCG over the pooled per-user values of the given validation windows; on
    equal means the first in grid order."""
    pooled: dict[tuple[str, Any], np.ndarray] = {}
    for window_trials in trials:
        for key, values in window_trials.items():
            pooled[key] = np.concatenate([pooled.get(key, np.empty(0)), values])

    def best(kind: str) -> tuple[Any, float, int]:
        means = {key[1]: float(v.mean()) if len(v) else float("-inf") for key, v in pooled.items() if key[0] == kind}
        choice = max(means, key=means.__getitem__)
        return choice, means[choice], len(pooled[(kind, choice)])

    l2, joint_ndcg, n_both = best("joint")
    single_l2, single_ndcg, _ = best("single")
    (newcomer_l2, weight), newcomer_ndcg, n_other = best("newcomer")
    settings = CrossDomainSettings(float(l2), float(newcomer_l2), float(weight), float(single_l2))
    validation = {
        "joint_both": joint_ndcg,
        "single_both": single_ndcg,
        "newcomer_from_other_side": newcomer_ndcg,
        "users_both": n_both,
        "users_other_side": n_other,
    }
    return settings, validation


# ------------------------------------------------------------------------------------------------------ evaluation
def evaluate_window(
    window: Window,
    item_domains: Any,
    target_domain: Any,
    settings: CrossDomainSettings,
    *,
    k: int = 10,
    folds: int = 5,
    random_state: Any = 42,
) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """``{(group, model): (user indices, per-user NDCG@k)}`` for one test window with fixed settings."""
    domains = np.asarray(item_domains, dtype=object)
    target = domains == target_domain
    relevant = _relevant(window, target)
    inside, outside = _split_sides(window.train, target)
    groups = window_groups(window, target)

    def joint_model() -> CrossDomainRecommender:
        return CrossDomainRecommender(
            EASE(l2=settings.l2),
            newcomer_estimator=EASE(l2=settings.newcomer_l2),
            target_domain=target_domain,
            newcomer_popularity_weight=settings.newcomer_popularity_weight,
        )

    joint = joint_model().fit(window.train, item_domains=domains)
    single = EASE(l2=settings.single_l2).fit(inside)
    popular = PopularityRecommender(count="users").fit(inside)
    out: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for group in ("both", "new"):
        users = groups[group]
        if not len(users):
            continue
        rows, rel = window.train[users], relevant[users]
        out[(group, "joint")] = (users, _ndcg(joint.score(users, user_items=rows), rows, rel, target, k))
        out[(group, "single")] = (
            users,
            _ndcg(single.score(users, user_items=inside[users]), inside[users], rel, target, k),
        )
        out[(group, "popularity")] = (users, _ndcg(popular.score(users, user_items=rows), rows, rel, target, k))

    # Cold start simulated on the `both` users: refit without one part's target history, score that part from its
    # other-side history. Relevance stays the held-out window (items seen on the target side before stay excluded).
    hidden_users, hidden_joint, hidden_popular = [], [], []
    for part in _hidden_parts(groups["both"], folds, random_state):
        keep = np.ones(window.train.shape[0])
        keep[part] = 0.0
        train = sp.csr_matrix(outside + sp.diags(keep) @ inside)
        model = joint_model().fit(train, item_domains=domains)
        rows, rel = outside[part], relevant[part]
        seen = window.train[part]
        hidden_users.append(part)
        hidden_joint.append(_ndcg(model.score(part, user_items=rows), seen, rel, target, k))
        hidden_inside = sp.csr_matrix(sp.diags(keep) @ inside)
        pop = PopularityRecommender(count="users").fit(hidden_inside)
        hidden_popular.append(_ndcg(pop.score(part, user_items=rows), seen, rel, target, k))
    if hidden_users:
        users = np.concatenate(hidden_users)
        out[("new_simulated", "joint")] = (users, np.concatenate(hidden_joint))
        out[("new_simulated", "popularity")] = (users, np.concatenate(hidden_popular))
    return out


def cross_domain_rolling_lift(
    windows: Sequence[Window],
    item_domains: Any,
    target_domain: Any,
    *,
    k: int = 10,
    folds: int = 5,
    n_boot: int = 1000,
    random_state: Any = 42,
    user_keys: Any = None,
    **grids: Sequence[float],
) -> dict[str, Any]:
    """Settings from windows ``0 .. i - 1``, scores on window ``i``, pooled over windows; see the module docstring.

    user_keys: an id per matrix row, the same person in every window (defaults to the row index), for the bootstrap.
    Returns ``groups`` (scored user-windows), ``models[name][group]`` (``ndcg@k``, ``se``, ``ci95``, ``n``, ``users``),
    ``difference[group]`` (joint minus the strongest baseline of the group, paired per user-window, with ``se`` and
    ``ci95``), ``lift[group]`` (joint / that baseline) and the ``settings`` chosen for every test window.
    """
    if len(windows) < 2:
        raise ValueError("need a validation window and at least one test window")
    keys = None if user_keys is None else np.asarray(user_keys)
    pooled: dict[tuple[str, str], tuple[list, list]] = {}
    chosen = []
    trials = []
    for index in range(1, len(windows)):
        trials.append(validation_trials(windows[index - 1], item_domains, target_domain, k=k, **grids))
        settings, validation = select_settings(trials)
        scored = evaluate_window(
            windows[index], item_domains, target_domain, settings, k=k, folds=folds, random_state=random_state
        )
        chosen.append({"window": index, **asdict(settings), "validation": validation})
        for key, (users, values) in scored.items():
            users_list, values_list = pooled.setdefault(key, ([], []))
            users_list.append(users if keys is None else keys[users])
            values_list.append(values)

    report: dict[str, Any] = {
        "k": k,
        "windows": len(windows) - 1,
        "groups": {},
        "models": {},
        "difference": {},
        "lift": {},
        "settings": chosen,
    }
    metric = f"ndcg@{k}"
    per_group: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for (group, name), (users_list, values_list) in pooled.items():
        users, values = np.concatenate(users_list), np.concatenate(values_list)
        per_group.setdefault(group, {})[name] = (users, values)
        stats = summarise(values, users, n_boot=n_boot, random_state=random_state)
        report["models"].setdefault(name, {})[group] = {
            metric: stats["mean"],
            "se": stats["se"],
            "ci95": stats["ci95"],
            "n_users": stats["n"],
            "distinct_users": stats["users"],
        }
        report["groups"][group] = stats["n"]
    for group, by_model in per_group.items():
        baselines = {name: values.mean() for name, (_, values) in by_model.items() if name != "joint"}
        if group == "new":
            baselines.pop("single", None)  # nothing personal to go on: popularity is the bar
        if "joint" not in by_model or not baselines:
            continue
        strongest = max(baselines, key=lambda name: baselines[name])
        users, joint_values = by_model["joint"]
        difference = joint_values - by_model[strongest][1]
        stats = summarise(difference, users, n_boot=n_boot, random_state=random_state)
        report["difference"][group] = {"vs": strongest, "mean": stats["mean"], "se": stats["se"], "ci95": stats["ci95"]}
        bar, joint_mean = baselines[strongest], float(joint_values.mean())
        report["lift"][group] = joint_mean / bar if bar > 0 else float("inf") if joint_mean > 0 else 1.0
    return report
