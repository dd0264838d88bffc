"""Keyed hashing of personal identifiers. Raw phone numbers and e-mail addresses never reach the database."""

import hashlib
import hmac
import re

from django.conf import settings

_NON_DIGITS = re.compile(r"\D+")


def normalize_phone(raw: str) -> str:
    """Digits only, mainland numbers with the +86 country code stripped: '+86 138-0013-8000' -> '13800138000'."""
    digits = _NON_DIGITS.sub("", raw or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def normalize_email(raw: str) -> str:
    return (raw or "").strip().lower()


def keyed_hash(value: str, *, key: str | bytes | None = None) -> str:
    """HMAC-SHA256 hex digest of an already-normalised identifier under the deployment key (or a derived key)."""
    secret = key if key is not None else settings.IDENTITY_HASH_KEY
    if isinstance(secret, str):
        secret = secret.encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def hash_phone(raw: str) -> str:
    normalized = normalize_phone(raw)
    return keyed_hash(normalized) if normalized else ""


def hash_email(raw: str) -> str:
    normalized = normalize_email(raw)
    return keyed_hash(normalized) if normalized else ""
