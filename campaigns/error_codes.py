"""The error codes campaigns' services raise, one enum per domain.

Each value is part of the API (`{"error": {"code": ...}}`) and documented in docs/api.md: rename a member freely,
never its value. A value may repeat in another enum (another domain's `budget_exhausted`) but not within one.
"""

from enum import StrEnum, unique


@unique
class CampaignErrorCode(StrEnum):
    INVALID_PARTNER = "invalid_partner"
    NOT_PLATFORM = "not_platform"
    NOT_EDITABLE = "not_editable"
    INVALID_TRANSITION = "invalid_transition"
    NO_START = "no_start"
    NO_VARIANTS = "no_variants"
    UNKNOWN_ACTION = "unknown_action"
    CONTROL_EXISTS = "control_exists"


@unique
class OfferErrorCode(StrEnum):
    OFFER_FROZEN = "offer_frozen"
    CODES_REJECTED = "codes_rejected"
    BAD_CSV = "bad_csv"
    NO_CODES = "no_codes"
    CODES_SOURCE = "codes_source"
    CAMPAIGN_CLOSED = "campaign_closed"
    CAMPAIGN_NOT_RUNNING = "campaign_not_running"
    POOL_EXHAUSTED = "pool_exhausted"
    POOL_BUSY = "pool_busy"
    BUDGET_EXHAUSTED = "budget_exhausted"


@unique
class IngestionErrorCode(StrEnum):
    BATCH_TOO_LARGE = "batch_too_large"
    EMPTY_BATCH = "empty_batch"
    INVALID_FILE = "invalid_file"
    INVALID_ROWS = "invalid_rows"


@unique
class PrivacyErrorCode(StrEnum):
    ALREADY_ERASED = "already_erased"
    REQUEST_CLOSED = "request_closed"
    WRONG_KIND = "wrong_kind"
    CONSUMER_GONE = "consumer_gone"
    ERASURE_BLOCKED = "erasure_blocked"
    RETENTION_NOT_OVER = "retention_not_over"


@unique
class JobErrorCode(StrEnum):
    NOT_RETRYABLE = "not_retryable"
    DUPLICATE_RUN = "duplicate_run"
    NOT_FAILED = "not_failed"
