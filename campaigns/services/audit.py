from typing import Any

from django.db import models

from campaigns.models import AuditEvent, Organization, PartnerApiKey, User


def audit_record(
    *,
    action: str,
    user: User | None = None,
    api_key: PartnerApiKey | None = None,
    organization: Organization | None = None,
    target: models.Model | None = None,
    metadata: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. Callers pass ids and counts in metadata, never raw personal data."""
    return AuditEvent.objects.create(
        action=action,
        actor=user if user is not None and user.is_authenticated else None,
        api_key=api_key,
        organization=organization,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        metadata=metadata or {},
        ip_address=ip_address,
    )
