"""The error codes the recommender raises, one enum per domain.

Each value is part of the API (`{"error": {"code": ...}}`) and documented in docs/api.md: rename a member freely,
never its value. The recommendation preview page branches on two serving codes (consent_required,
out_of_agreement). Why a list is not personalised is no error: that vocabulary is serving's NonPersonalizedReason.
"""

from enum import StrEnum, unique


@unique
class ServingErrorCode(StrEnum):
    CATALOG_NOT_FOUND = "catalog_not_found"
    ORGANIZATION_NOT_FOUND = "organization_not_found"
    CONSUMER_NOT_FOUND = "consumer_not_found"
    ITEM_NOT_FOUND = "item_not_found"
    OUT_OF_AGREEMENT = "out_of_agreement"
    CONSENT_REQUIRED = "consent_required"


@unique
class FeedbackErrorCode(StrEnum):
    RECOMMENDATION_NOT_FOUND = "recommendation_not_found"
    ITEM_NOT_SERVED = "item_not_served"
    CAMPAIGN_NOT_FOUND = "campaign_not_found"


@unique
class TrainingErrorCode(StrEnum):
    OUT_OF_AGREEMENT = "out_of_agreement"
