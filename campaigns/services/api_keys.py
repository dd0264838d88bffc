import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from campaigns.models import ApiScope, Organization, PartnerApiKey, User
from campaigns.services.audit import audit_record
from xmkt_site.errors import ApplicationError

KEY_PREFIX_LENGTH = 8


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: PartnerApiKey
    secret: str  # the full key, shown to its owner exactly once


def api_key_digest(secret: str) -> str:
    # Keys carry 256 bits of randomness, so a fast digest is safe and keeps every API request cheap.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_api_key(secret: str) -> tuple[str, str] | None:
    """'xmkt_<prefix>.<random>' -> (prefix, secret); None when it is not of that form."""
    if not secret.startswith("xmkt_") or "." not in secret:
        return None
    prefix = secret[len("xmkt_") :].split(".", 1)[0]
    if len(prefix) != KEY_PREFIX_LENGTH:
        return None
    return prefix, secret


def api_key_create(
    *,
    organization: Organization,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    by: User | None = None,
) -> IssuedApiKey:
    unknown = sorted(set(scopes) - set(ApiScope.values))
    if unknown:
        raise ApplicationError(f"Unknown scopes: {', '.join(unknown)}", fields={"scopes": [f"unknown: {unknown}"]})
    if not scopes:
        raise ApplicationError("A key needs at least one scope.", fields={"scopes": ["empty"]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError("Expiry must be in the future.", fields={"expires_at": ["in the past"]})
    with transaction.atomic():
        while True:
            prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
            if not PartnerApiKey.objects.filter(prefix=prefix).exists():
                break
        secret = f"xmkt_{prefix}.{secrets.token_urlsafe(32)}"
        api_key = PartnerApiKey(
            organization=organization,
            name=name.strip() or "API key",
            prefix=prefix,
            hashed_key=api_key_digest(secret),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
            created_by=by,
        )
        api_key.full_clean()
        api_key.save()
        audit_record(
            action="api_key.create",
            user=by,
            organization=organization,
            target=api_key,
            metadata={"scopes": api_key.scopes},
        )
    return IssuedApiKey(api_key=api_key, secret=secret)


def api_key_revoke(*, api_key: PartnerApiKey, by: User | None = None) -> PartnerApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(action="api_key.revoke", user=by, organization=api_key.organization, target=api_key)
    return api_key
