"""The error codes analytics raises, one enum per domain.

Each value is part of the API (`{"error": {"code": ...}}`) and documented in docs/api.md: rename a member freely,
never its value.
"""

from enum import StrEnum, unique


@unique
class ExperimentErrorCode(StrEnum):
    CAMPAIGN_NOT_RUNNING = "campaign_not_running"
    CAMPAIGN_NOT_STARTED = "campaign_not_started"
    NO_CONSENT = "no_consent"


@unique
class OverlapErrorCode(StrEnum):
    AGREEMENT_INACTIVE = "agreement_inactive"
    PURPOSE_NOT_COVERED = "purpose_not_covered"
    DIFFERENCE_QUERY = "difference_query"
    NO_BUDGET = "no_budget"
    BUDGET_EXHAUSTED = "budget_exhausted"
