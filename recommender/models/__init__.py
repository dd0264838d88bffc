"""The recommender's records: the model registry and what was served, one module per domain."""

from .registry import ModelVersion
from .serving import Recommendation, RecommendationFeedback, RecommendationLog

__all__ = ["ModelVersion", "Recommendation", "RecommendationFeedback", "RecommendationLog"]
