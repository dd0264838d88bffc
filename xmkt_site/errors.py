"""One family of domain errors. The API turns them into {"error": {"code", "message", "fields"}} responses.

A raise site passes a member of its domain's error-code enum (`code=OfferErrorCode.OFFER_FROZEN`), never a bare
string, so every code the API can answer is listed in one of the `error_codes` modules (and in docs/api.md). The
members are `StrEnum`s: `exc.code == "offer_frozen"` holds and the JSON carries the plain value.
"""

from typing import Any

from xmkt_site.error_codes import ErrorCode


class ApplicationError(Exception):
    status_code = 400
    default_code: str = ErrorCode.INVALID

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(ApplicationError):
    status_code = 404
    default_code = ErrorCode.NOT_FOUND


class PermissionDeniedError(ApplicationError):
    status_code = 403
    default_code = ErrorCode.PERMISSION_DENIED


class ConflictError(ApplicationError):
    status_code = 409
    default_code = ErrorCode.CONFLICT
