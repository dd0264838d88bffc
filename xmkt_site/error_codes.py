"""The generic error codes: the error family's defaults and what the DRF exception handler emits.

Each value is part of the API (`{"error": {"code": ...}}`) and documented in docs/api.md: rename a member freely,
never its value. The domain codes live beside their app (`campaigns/error_codes.py`, ...).
"""

from enum import StrEnum, unique


@unique
class ErrorCode(StrEnum):
    # The error family's defaults (xmkt_site.errors), also raised explicitly where no domain code fits.
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    # DRF's own exceptions, passed through by the handler with their default codes.
    PARSE_ERROR = "parse_error"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    # The JSON parser's limits (xmkt_site.api.parsers).
    REQUEST_TOO_LARGE = "request_too_large"
    JSON_TOO_DEEP = "json_too_deep"
    ERROR = "error"  # any other APIException
