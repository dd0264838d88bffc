"""Django-free recommender core: interaction matrices, models on one base, evaluation.

TensorFlow is never imported here; :class:`~recommender.ml.tf_mf.TFMatrixFactorization` imports it inside ``fit``.
"""

from .base import BaseRecommender
from .content import ContentRecommender, item_text
from .cross_domain import CrossDomainRecommender, cross_domain_lift
from .ease import EASE
from .evaluation import (
    catalogue_coverage,
    evaluate_model,
    evaluate_recommendations,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    novelty,
    precision_at_k,
    recall_at_k,
    split_leave_last_out,
    split_stratified,
    split_stratified_by_item,
    split_temporal,
)
from .hybrid import HybridRecommender, holdout_per_user
from .interactions import (
    EVENT_WEIGHTS,
    IdEncoder,
    InteractionData,
    interactions_from_events,
    interactions_from_pairs,
    target_newcomers,
)
from .item_similarity import history_reasons, item_item_weights, item_neighbours
from .neighbors import ItemKNN, RP3Beta, UserKNN
from .popularity import GroupPopularityRecommender, PopularityRecommender, TrendingPopularityRecommender
from .tf_mf import TFMatrixFactorization

__all__ = [
    "EASE",
    "EVENT_WEIGHTS",
    "BaseRecommender",
    "ContentRecommender",
    "CrossDomainRecommender",
    "GroupPopularityRecommender",
    "HybridRecommender",
    "IdEncoder",
    "InteractionData",
    "ItemKNN",
    "PopularityRecommender",
    "RP3Beta",
    "TFMatrixFactorization",
    "TrendingPopularityRecommender",
    "UserKNN",
    "catalogue_coverage",
    "cross_domain_lift",
    "evaluate_model",
    "evaluate_recommendations",
    "history_reasons",
    "hit_rate_at_k",
    "holdout_per_user",
    "interactions_from_events",
    "interactions_from_pairs",
    "item_item_weights",
    "item_neighbours",
    "item_text",
    "map_at_k",
    "ndcg_at_k",
    "novelty",
    "precision_at_k",
    "recall_at_k",
    "split_leave_last_out",
    "split_stratified",
    "split_stratified_by_item",
    "split_temporal",
    "target_newcomers",
]
