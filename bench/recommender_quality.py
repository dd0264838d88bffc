"""Offline recommendation quality: our models against tuned public peers, in one run, on one protocol.

    python bench/recommender_quality.py --dataset online-retail \
        --path ../shared/data/online_retail.csv.gz --json out.json
    python bench/recommender_quality.py --dataset movielens --path DIR          # ml-100k folder, stratified by item
    python bench/recommender_quality.py --dataset interactions --path FILE.csv --split temporal:2024-01-01 \
        [--target-domain D]

Every model family — ours and the peers (implicit ALS / BPR, cornac EASE) — gets the same budget: at most
``GRID_BUDGET`` configurations, each fitted on a validation split carved from the training data only and scored by
NDCG@10 there; the best is refitted on the full training data (timed) and scored once on the test split. The hybrid
then tunes its blend weights on that same validation split. The champion is our model with the best validation NDCG.
Prints one table and writes JSON ``{"models": {name: metrics}, "champion": name, ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# One BLAS / TensorFlow thread per process, set before numpy loads: on a shared machine a second spinning BLAS thread
# made EASE's inversion 3x slower, and it keeps fit times comparable between our models and the peers.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._recsys_data import LoadedData, load_interactions, load_movielens, load_online_retail  # noqa: E402
from recommender.ml import (  # noqa: E402
    EASE,
    BaseRecommender,
    ContentRecommender,
    HybridRecommender,
    IdEncoder,
    ItemKNN,
    PopularityRecommender,
    RP3Beta,
    TFMatrixFactorization,
    TrendingPopularityRecommender,
    UserKNN,
    cross_domain_lift,
    evaluate_model,
    interactions_from_events,
    split_leave_last_out,
    split_stratified_by_item,
    split_temporal,
)
from recommender.ml.interactions import binarize  # noqa: E402

K = 10
GRID_BUDGET = 8
POSITIVE = {"purchase", "enroll", "rating", "view", "click", "add_to_cart", "complete", "share"}


# ------------------------------------------------------------------------------------------------------- protocol
@dataclass
class Split:
    """Train / test events and the matrices built from them, per half-life (time decay is a data setting)."""

    train: pd.DataFrame
    test: pd.DataFrame
    reference_time: pd.Timestamp
    quantity: str
    item_texts: dict
    item_domains: dict
    target_domain: str | None = None
    _cache: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        positive = self.train[self.train["event_type"] != "refund"]
        self.users = IdEncoder(sorted(positive["user_id"].unique()))
        self.items = IdEncoder(sorted(positive["item_id"].unique()))
        test = self.test[self.test["event_type"] != "refund"]
        self.test_matrix = interactions_from_events(
            test, users=self.users, items=self.items, quantity="none", event_weights={t: 1.0 for t in POSITIVE}
        ).user_items
        self.test_matrix.data[:] = 1.0
        ids = np.asarray(self.items.ids_, dtype=object)
        self.texts = [str(self.item_texts.get(i, "")) for i in ids]
        self.domains = np.array([self.item_domains.get(i) for i in ids], dtype=object)

    def matrix(self, half_life: float | None) -> sp.csr_matrix:
        if half_life not in self._cache:
            self._cache[half_life] = interactions_from_events(
                self.train,
                users=self.users,
                items=self.items,
                quantity=self.quantity,
                half_life_days=half_life,
                reference_time=self.reference_time,
            ).user_items
        return self._cache[half_life]

    def item_mask(self) -> np.ndarray | None:
        if self.target_domain is None:
            return None
        return self.domains == self.target_domain

    def fit_params(self, needs: str | None, config: dict | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if needs == "texts":
            params["item_texts"] = self.texts
        if config and "baseline_half_life" in config:
            params["baseline_items"] = self.matrix(config["baseline_half_life"])
        return params


def make_splits(data: LoadedData, dataset: str, split: str | None, target_domain: str | None) -> tuple[Split, Split]:
    """(validation split carved from training, test split)."""
    events = data.events
    quantity = {"online-retail": "log", "movielens": "none"}.get(dataset, "linear")
    if split is None:
        split = {"online-retail": "temporal:2011-11-01", "movielens": "stratified-item:0.75"}.get(dataset)
    if split is None:
        raise SystemExit("--split is required for --dataset interactions")

    def one(frame: pd.DataFrame, how: str, cutoff: pd.Timestamp | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        if how.startswith("temporal:"):
            train, test = split_temporal(frame, cutoff or pd.Timestamp(how.split(":", 1)[1]))
            return train, test[test["event_type"] != "refund"]
        positive = frame[frame["event_type"] != "refund"]
        if how == "leave-last-out":
            return split_leave_last_out(positive)
        if how.startswith("stratified-item"):
            ratio = float(how.split(":", 1)[1]) if ":" in how else 0.75
            return split_stratified_by_item(positive, ratio, seed=42)
        raise SystemExit(f"unknown --split {how!r}")

    train, test = one(events, split)
    if split.startswith("temporal:"):
        cutoff = pd.Timestamp(split.split(":", 1)[1])
        # Validation: the same window length as the test period, cut from the end of the training period.
        window = max(events["timestamp"].max() - cutoff, pd.Timedelta(days=1))
        val_cutoff = cutoff - window
        val_train, val_test = one(train, split, val_cutoff)
        refs = (val_cutoff, cutoff)
    else:
        val_train, val_test = one(train, split)
        refs = (val_train["timestamp"].max(), train["timestamp"].max())
    common = {"quantity": quantity, "item_texts": data.item_texts, "item_domains": data.item_domains}
    validation = Split(val_train, val_test, refs[0], target_domain=target_domain, **common)
    final = Split(train, test, refs[1], target_domain=target_domain, **common)
    return validation, final


# ---------------------------------------------------------------------------------------------------------- peers
class ImplicitPeer(BaseRecommender):
    """implicit's ALS or BPR behind our interface (binary input, as its docs recommend for purchase data)."""

    def __init__(self, algorithm: str = "als", params: dict | None = None) -> None:
        self.algorithm = algorithm
        self.params = params

    def fit(self, user_items: sp.spmatrix, **fit_params: Any) -> ImplicitPeer:
        from implicit.cpu.als import AlternatingLeastSquares
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        matrix = self._set_training_data(user_items)
        cls = AlternatingLeastSquares if self.algorithm == "als" else BayesianPersonalizedRanking
        model = cls(**dict(self.params or {}), random_state=42, num_threads=1)
        model.fit(binarize(matrix).astype(np.float32), show_progress=False)
        self.user_factors_ = np.asarray(model.user_factors, dtype=np.float64)
        self.item_factors_ = np.asarray(model.item_factors, dtype=np.float64)
        return self

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        return self.user_factors_[user_ids] @ self.item_factors_.T


class CornacEasePeer(BaseRecommender):
    """cornac's EASE fitted through a cornac Dataset; scores come from its own ``score`` (U[u] @ B)."""

    def __init__(self, lamb: float = 500.0, posB: bool = True) -> None:  # cornac's parameter name
        self.lamb = lamb
        self.posB = posB

    def fit(self, user_items: sp.spmatrix, **fit_params: Any) -> CornacEasePeer:
        from cornac.data import Dataset
        from cornac.models import EASE as CornacEASE

        matrix = self._set_training_data(user_items)
        rows, cols = matrix.nonzero()
        triplets = list(zip(rows.astype(str).tolist(), cols.astype(str).tolist(), [1.0] * len(rows), strict=True))
        dataset = Dataset.from_uir(triplets, seed=42)
        model = CornacEASE(lamb=self.lamb, posB=self.posB, verbose=False, seed=42).fit(dataset)
        # Map cornac's internal indices back to ours.
        self.user_index_ = np.full(self.n_users_, -1, dtype=np.int64)
        for raw, idx in dataset.uid_map.items():
            self.user_index_[int(raw)] = idx
        self.item_order_ = np.full(self.n_items_, -1, dtype=np.int64)
        for raw, idx in dataset.iid_map.items():
            self.item_order_[int(raw)] = idx
        self.model_ = model
        return self

    def _score_rows(self, user_ids: np.ndarray, rows: sp.csr_matrix) -> np.ndarray:
        out = np.full((len(user_ids), self.n_items_), -np.inf)
        known_items = self.item_order_ >= 0
        for k, u in enumerate(user_ids):
            idx = self.user_index_[u]
            if idx >= 0:
                out[k, known_items] = np.asarray(self.model_.score(int(idx))).ravel()[self.item_order_[known_items]]
        return out


# ------------------------------------------------------------------------------------------------------- families
@dataclass
class Family:
    name: str
    configs: list[dict]
    build: Callable[[dict], BaseRecommender]
    needs: str | None = None  # "texts" for content
    peer: bool = False


def families(split: Split, quick: bool) -> list[Family]:
    def grid(values: list[dict]) -> list[dict]:
        return values[:2] if quick else values[:GRID_BUDGET]

    fams = [
        Family(
            "popularity",
            grid([{"half_life": h} for h in (7, None, 1, 3, 14, 30)]),
            lambda c: PopularityRecommender(),
        ),
        Family(
            "trending",
            grid(
                [
                    {"half_life": s, "baseline_half_life": b, "momentum": m}
                    for s, b, m in (
                        (3, 30, 1.0),
                        (1, 30, 1.0),
                        (7, 30, 1.0),
                        (3, 90, 1.0),
                        (3, 30, 0.5),
                        (3, 30, 2.0),
                        (1, 90, 1.0),
                        (7, 90, 1.0),
                    )
                ]
            ),
            lambda c: TrendingPopularityRecommender(momentum=c["momentum"]),
        ),
        Family(
            "item-knn",
            grid([{"k": k, "shrinkage": s} for k in (100, 50, 300) for s in (10, 0, 50)]),
            lambda c: ItemKNN(k=c["k"], shrinkage=c["shrinkage"]),
        ),
        Family(
            "user-knn",
            grid([{"k": k, "shrinkage": s} for k in (50, 20, 100, 200) for s in (0, 10)]),
            lambda c: UserKNN(k=c["k"], shrinkage=c["shrinkage"]),
        ),
        Family(
            "rp3beta",
            grid([{"alpha": a, "beta": b} for b in (0.5, 0.3, 0.7, 0.0) for a in (1.0, 0.8)]),
            lambda c: RP3Beta(alpha=c["alpha"], beta=c["beta"], k=200),
        ),
        Family(
            "ease",
            grid([{"l2": v} for v in (300.0, 50.0, 100.0, 200.0, 500.0, 800.0, 1600.0, 3200.0)]),
            lambda c: EASE(l2=c["l2"]),
        ),
        Family(
            "tf-mf",
            grid(
                [
                    {"factors": 64, "learning_rate": 0.005, "epochs": 10},
                    {"factors": 64, "learning_rate": 0.01, "epochs": 10},
                    {"factors": 128, "learning_rate": 0.005, "epochs": 15},
                ]
            ),
            lambda c: TFMatrixFactorization(
                factors=c["factors"],
                learning_rate=c["learning_rate"],
                epochs=c["epochs"],
                batch_size=2048,
                random_state=42,
            ),
        ),
    ]
    if any(split.texts):
        fams.append(
            Family(
                "content",
                grid([{"ngram_range": (2, 4)}, {"ngram_range": (3, 5)}]),
                lambda c: ContentRecommender(ngram_range=c["ngram_range"]),
                needs="texts",
            )
        )
    fams += [
        Family(
            "peer:implicit-als",
            grid(
                [
                    {"factors": f, "regularization": r, "alpha": a, "iterations": 15}
                    for f in (64, 32)
                    for r in (0.05, 0.5)
                    for a in (1.0, 3.0)
                ]
            ),
            lambda c: ImplicitPeer("als", c),
            peer=True,
        ),
        Family(
            "peer:implicit-bpr",
            grid(
                [
                    {"factors": f, "learning_rate": lr, "regularization": 0.01, "iterations": it}
                    for f in (64, 128)
                    for lr in (0.01, 0.005)
                    for it in (100, 50)
                ]
            ),
            lambda c: ImplicitPeer("bpr", c),
            peer=True,
        ),
        Family(
            "peer:cornac-ease",
            grid([{"lamb": v, "posB": p} for v in (250.0, 500.0, 1000.0, 100.0) for p in (True, False)]),
            lambda c: CornacEasePeer(lamb=c["lamb"], posB=c["posB"]),
            peer=True,
        ),
    ]
    return fams


def model_config(config: dict) -> dict:
    """Hyperparameters of the estimator itself (half-lives are data settings: which matrices it is fitted on)."""
    return {k: v for k, v in config.items() if k not in {"half_life", "baseline_half_life"}}


def evaluate(model: BaseRecommender, split: Split, train: sp.csr_matrix) -> dict[str, float]:
    test = split.test_matrix
    mask = split.item_mask()
    if mask is not None:
        test = sp.csr_matrix(test @ sp.diags(mask.astype(np.float64)))
        test.eliminate_zeros()
        return evaluate_model(model, train, test, k=K, items=mask)
    return evaluate_model(model, train, test, k=K)


def run_family(fam: Family, validation: Split, final: Split, log: Callable[[str], None]) -> dict[str, Any]:
    best: tuple[float, dict] | None = None
    for config in fam.configs:
        hl = config.get("half_life")
        train = validation.matrix(hl)
        started = time.perf_counter()
        model = fam.build(model_config(config)).fit(train, **validation.fit_params(fam.needs, config))
        score = evaluate(model, validation, train)[f"ndcg@{K}"]
        log(f"  {fam.name} {config}: validation ndcg@{K}={score:.4f} ({time.perf_counter() - started:.1f}s)")
        if best is None or score > best[0]:
            best = (score, config)
    assert best is not None
    val_score, config = best
    train = final.matrix(config.get("half_life"))
    started = time.perf_counter()
    model = fam.build(model_config(config)).fit(train, **final.fit_params(fam.needs, config))
    fit_seconds = time.perf_counter() - started
    metrics = evaluate(model, final, train)
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()}
    return summary(metrics, fit_seconds, val_score, params, model)


def summary(
    metrics: dict[str, float], fit_seconds: float, val_score: float, params: dict, model: BaseRecommender
) -> dict[str, Any]:
    """One row of the report: test metrics, fit time, validation NDCG and the chosen parameters."""
    kept = (f"ndcg@{K}", f"recall@{K}", f"precision@{K}", f"map@{K}", f"hit_rate@{K}", "coverage", "novelty")
    return {
        **{name: metrics[name] for name in kept},
        "fit_seconds": fit_seconds,
        "validation_ndcg@10": val_score,
        "params": params,
        "n_test_users": int(metrics["n_users"]),
        "_model": model,
    }


def run_hybrid(
    results: dict[str, dict], fams: dict[str, Family], validation: Split, final: Split, log: Callable[[str], None]
) -> dict[str, Any]:
    """EASE + item-kNN + RP3beta + trending popularity [+ content], each at its tuned configuration.

    Components share one matrix: the one with the popularity component's tuned (short) half-life; EASE, kNN, RP3beta
    and content binarise it, so only the popularity component reads the decayed weights.
    """
    names = [n for n in ("ease", "item-knn", "rp3beta", "trending", "content") if n in results]
    if "trending" not in results and "popularity" in results:
        names.append("popularity")
    pop_name = "trending" if "trending" in names else "popularity" if "popularity" in names else None
    half_life = results[pop_name]["params"].get("half_life") if pop_name else None

    def components() -> list[tuple[str, BaseRecommender]]:
        return [(n, fams[n].build(model_config(results[n]["params"]))) for n in names]

    def params(split: Split) -> dict[str, dict]:
        return {n: split.fit_params(fams[n].needs, results[n]["params"]) for n in names}

    val_train = validation.matrix(half_life)
    started = time.perf_counter()
    tuned = HybridRecommender(components(), random_state=42).fit(
        val_train, validation_items=validation.test_matrix, component_fit_params=params(validation)
    )
    log(
        f"  hybrid weights {tuned.weights_}: validation ndcg@{K}={tuned.validation_ndcg_:.4f} "
        f"({time.perf_counter() - started:.1f}s)"
    )
    train = final.matrix(half_life)
    started = time.perf_counter()
    model = HybridRecommender(components(), weights=tuned.weights_).fit(train, component_fit_params=params(final))
    fit_seconds = time.perf_counter() - started
    metrics = evaluate(model, final, train)
    # Validation NDCG of the tuned blend, measured the same way as every other family (evaluate_model).
    val_score = evaluate(tuned, validation, val_train)[f"ndcg@{K}"]
    return summary(metrics, fit_seconds, val_score, {"half_life": half_life, "weights": tuned.weights_}, model)


def cold_start_report(final: Split, data: LoadedData) -> dict[str, Any] | None:
    """Test purchases of items absent from training: how many, and how the content model ranks them."""
    if not data.item_texts:
        return None
    test = final.test[final.test["event_type"] != "refund"]
    test = test[test["user_id"].isin(final.users.ids_)]
    warm = set(final.items.ids_)
    cold_ids = sorted(set(test["item_id"]) - warm)
    if not cold_ids:
        return {"cold_items": 0}
    catalogue = IdEncoder(list(final.items.ids_) + cold_ids)
    cold_mask = np.zeros(len(catalogue), dtype=bool)
    cold_mask[len(warm) :] = True
    train = interactions_from_events(
        final.train, users=final.users, items=catalogue, quantity=final.quantity
    ).user_items
    test_matrix = interactions_from_events(
        test, users=final.users, items=catalogue, quantity="none", event_weights={t: 1.0 for t in POSITIVE}
    ).user_items
    texts = [str(data.item_texts.get(i, "")) for i in catalogue.ids_]
    model = ContentRecommender().fit(train, item_texts=texts)
    cold_only = evaluate_model(model, train, test_matrix, k=K, items=cold_mask, cold_items=cold_mask)
    pairs = test.drop_duplicates(["user_id", "item_id"])
    return {
        "cold_items": len(cold_ids),
        "cold_share_of_test_pairs": float(pairs["item_id"].isin(cold_ids).mean()),
        "content_on_cold_items": {
            name: value for name, value in cold_only.items() if name.startswith("cold_") or name == "n_users"
        },
    }


# ------------------------------------------------------------------------------------------------------------ main
def load(dataset: str, path: str) -> LoadedData:
    if dataset == "online-retail":
        if not Path(path).exists():
            raise SystemExit(f"{path} not found (the shared Online Retail data lives in ../shared/data/)")
        return load_online_retail(path)
    if dataset == "movielens":
        return load_movielens(path)
    if dataset == "interactions":
        return load_interactions(path)
    raise SystemExit(f"unknown --dataset {dataset!r}")


def format_table(models: dict[str, dict], champion: str) -> str:
    header = (
        f"{'model':<20} {'val NDCG':>8} {'NDCG@10':>8} {'recall@10':>9} {'MAP@10':>7} {'prec@10':>7} "
        f"{'hit@10':>7} {'coverage':>8} {'novelty':>7} {'fit s':>7}"
    )
    lines = [header, "-" * len(header)]
    for name, m in sorted(models.items(), key=lambda kv: -kv[1][f"ndcg@{K}"]):
        mark = " *" if name == champion else ""
        lines.append(
            f"{name + mark:<20} {m['validation_ndcg@10']:>8.4f} {m['ndcg@10']:>8.4f} {m['recall@10']:>9.4f} "
            f"{m['map@10']:>7.4f} {m['precision@10']:>7.4f} {m['hit_rate@10']:>7.4f} {m['coverage']:>8.4f} "
            f"{m['novelty']:>7.2f} {m['fit_seconds']:>7.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, choices=["online-retail", "movielens", "interactions"])
    parser.add_argument("--path", required=True)
    parser.add_argument("--split", help="temporal:<date> | leave-last-out | stratified-item:0.75")
    parser.add_argument("--target-domain", help="evaluate on this domain's items; adds a cross-domain lift report")
    parser.add_argument("--json", help="write results here")
    parser.add_argument("--models", help="comma-separated families to run (default: all, peers included)")
    parser.add_argument("--no-peers", action="store_true", help="skip the peer libraries")
    parser.add_argument("--quick", action="store_true", help="two configurations per family (smoke runs)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    data = load(args.dataset, args.path)
    if args.target_domain and not data.item_domains:
        raise SystemExit("--target-domain needs a domain column")
    validation, final = make_splits(data, args.dataset, args.split, args.target_domain)
    log(
        f"train {final.matrix(None).shape} nnz={final.matrix(None).nnz}, test pairs={final.test_matrix.nnz}; "
        f"validation train {validation.matrix(None).shape}, validation test pairs={validation.test_matrix.nnz}"
    )
    fams = {f.name: f for f in families(final, args.quick)}
    wanted = set(args.models.split(",")) if args.models else set(fams) | {"hybrid"}
    results: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for name, fam in fams.items():
        if name not in wanted or (fam.peer and args.no_peers):
            continue
        log(f"{name}:")
        try:
            results[name] = run_family(fam, validation, final, log)
        except ImportError as exc:  # a peer library missing on this machine: reported, never faked
            errors[name] = f"{type(exc).__name__}: {exc}"
            log(f"  skipped: {errors[name]}")
    if "hybrid" in wanted and "ease" in results:
        log("hybrid:")
        results["hybrid"] = run_hybrid(results, fams, validation, final, log)

    ours = {n: r for n, r in results.items() if not n.startswith("peer:")}
    champion = max(ours, key=lambda n: ours[n]["validation_ndcg@10"]) if ours else None
    peers = {n: r for n, r in results.items() if n.startswith("peer:")}
    best_peer = max(peers, key=lambda n: peers[n][f"ndcg@{K}"]) if peers else None
    report: dict[str, Any] = {
        "dataset": args.dataset,
        "split": args.split
        or {"online-retail": "temporal:2011-11-01", "movielens": "stratified-item:0.75"}.get(args.dataset),
        "k": K,
        "models": {n: {k: v for k, v in r.items() if not k.startswith("_")} for n, r in results.items()},
        "champion": champion,
        "best_peer": best_peer,
        "errors": errors,
    }
    if champion and best_peer and results[best_peer][f"ndcg@{K}"] > 0:
        report["champion_over_best_peer"] = results[champion][f"ndcg@{K}"] / results[best_peer][f"ndcg@{K}"]
    if args.dataset == "online-retail" and (not args.models or "content" in wanted):
        report["cold_start"] = cold_start_report(final, data)
    if args.target_domain and "ease" in results:
        l2 = results["ease"]["params"]["l2"]
        report["cross_domain"] = cross_domain_lift(
            lambda: EASE(l2=l2),
            final.matrix(None),
            final.test_matrix,
            final.domains,
            args.target_domain,
            k=K,
        )
    print(format_table(report["models"], champion) if results else "no model ran")
    if "champion_over_best_peer" in report:
        print(
            f"champion {champion}: NDCG@10 {results[champion]['ndcg@10']:.4f} = "
            f"{report['champion_over_best_peer']:.3f} x best peer {best_peer} ({results[best_peer]['ndcg@10']:.4f})"
        )
    if report.get("cold_start"):
        print(f"cold-start items: {json.dumps(report['cold_start'])}")
    if report.get("cross_domain"):
        print(f"cross-domain lift (joint EASE vs best single-domain, NDCG@10): {report['cross_domain']['lift']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=float))
    return report


if __name__ == "__main__":
    main()
