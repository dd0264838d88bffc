"""Consent capture. Records are append-only: a change of mind is a new record, and the one received last is in force
(see campaigns.models.consumers.CONSENT_IN_FORCE_ORDER); the time a caller states is kept beside the receipt time."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    ConsentPolicy,
    ConsentRecord,
    Consumer,
    DataCategory,
    DataPurpose,
    DataSharingAgreement,
    Organization,
    PartnerApiKey,
    User,
)
from campaigns.services.audit import audit_record
from xmkt_site.error_codes import ErrorCode
from xmkt_site.errors import ApplicationError


def consent_policy_publish(
    *, purpose: str, version: str, text_zh: str, text_en: str, published_at: datetime | None = None, by: User | None
) -> ConsentPolicy:
    """Publish a new version of a purpose's policy text. Versions are final: publishing one twice is refused."""
    if ConsentPolicy.objects.filter(purpose=purpose, version=version).exists():
        raise ApplicationError(_("This policy version is already published."), code=ErrorCode.CONFLICT, status_code=409)
    policy = ConsentPolicy(
        purpose=purpose,
        version=version,
        text_zh=text_zh,
        text_en=text_en,
        published_at=published_at or timezone.now(),
    )
    policy.full_clean()
    policy.save()
    audit_record(action="consent_policy.publish", user=by, target=policy, metadata={"purpose": purpose})
    return policy


def _active_agreement_exists(*, organization: Organization, recipient: Organization, on: datetime) -> bool:
    return DataSharingAgreement.objects.between(organization, recipient).in_force(timezone.localdate(on)).exists()


def _consent_build(
    *,
    consumer: Consumer,
    purpose: str,
    granted: bool,
    policy_version: str,
    recipient: Organization | None,
    data_categories: Sequence[str],
    source: str,
    recorded_at: datetime,
    received_at: datetime,
) -> ConsentRecord:
    """Validate one record against the consent rules and return it unsaved."""
    errors: dict[str, list[str]] = {}
    if purpose not in DataPurpose.values:
        raise ApplicationError(_("Unknown consent purpose."), fields={"purpose": [_("unknown purpose")]})
    categories = sorted(set(data_categories))
    unknown = [c for c in categories if c not in DataCategory.values]
    if unknown:
        errors["data_categories"] = [_("unknown data categories: %(names)s") % {"names": ", ".join(unknown)}]
    if purpose == DataPurpose.PARTNER_SHARING:
        # PIPL Art. 23: separate consent that names the recipient, the purpose and the data types.
        if recipient is None:
            errors["recipient"] = [_("Consent to partner sharing must name the recipient partner.")]
        elif recipient.pk == consumer.organization_id:
            errors["recipient"] = [_("The recipient must be another organization.")]
        elif granted and not _active_agreement_exists(
            organization=consumer.organization, recipient=recipient, on=received_at
        ):
            # Withdrawal is always possible; a grant needs an agreement that allows the sharing now, when it takes
            # effect, not on the day the caller states.
            errors["recipient"] = [_("There is no active data-sharing agreement with this recipient.")]
        if granted and not categories:
            errors["data_categories"] = [_("Consent to partner sharing must name the data types shared.")]
    elif recipient is not None:
        errors["recipient"] = [_("Only consent to partner sharing names a recipient.")]
    if not ConsentPolicy.objects.filter(purpose=purpose, version=policy_version).exists():
        errors["policy_version"] = [_("No policy with this version is published for this purpose.")]
    # Clock-skew tolerance only: a record stated ahead is still ordered by its receipt, so it cannot outlive a later
    # one.
    if recorded_at > received_at + timezone.timedelta(minutes=5):
        errors["recorded_at"] = [_("Consent cannot be recorded in the future.")]
    if errors:
        raise ApplicationError(_("The consent record is invalid."), fields=errors)
    record = ConsentRecord(
        consumer=consumer,
        purpose=purpose,
        recipient=recipient,
        data_categories=categories,
        granted=granted,
        policy_version=policy_version,
        source=source,
        recorded_at=recorded_at,
        received_at=received_at,
    )
    record.full_clean()
    return record


def consent_record(
    *,
    consumer: Consumer,
    purpose: str,
    granted: bool,
    policy_version: str,
    recipient: Organization | None = None,
    data_categories: Sequence[str] = (),
    source: str,
    recorded_at: datetime | None = None,
    by: User | None = None,
    api_key: PartnerApiKey | None = None,
) -> ConsentRecord:
    """Append one consent record (a grant or a withdrawal). Earlier records are never changed."""
    now = timezone.now()
    record = _consent_build(
        consumer=consumer,
        purpose=purpose,
        granted=granted,
        policy_version=policy_version,
        recipient=recipient,
        data_categories=data_categories,
        source=source,
        recorded_at=recorded_at or now,
        received_at=now,
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action="consent.record",
            user=by,
            api_key=api_key,
            organization=consumer.organization,
            target=record,
            metadata={"purpose": purpose, "granted": granted, "recipient_id": recipient.pk if recipient else None},
        )
    return record


@dataclass(frozen=True)
class ConsentInput:
    consumer: Consumer
    purpose: str
    granted: bool
    policy_version: str
    recipient: Organization | None = None
    data_categories: Sequence[str] = field(default_factory=tuple)
    source: str = "api"
    recorded_at: datetime | None = None


def consent_record_batch(
    *,
    organization: Organization,
    consents: Iterable[ConsentInput],
    by: User | None = None,
    api_key: PartnerApiKey | None = None,
) -> list[ConsentRecord]:
    """Append many records at once, all or none. Errors name the row: `fields` keys are `[index].field`.

    The rows share one receipt time, so among them the stated times decide which is in force (a withdrawal beats a
    grant stated at the same moment), however the caller listed them.
    """
    now = timezone.now()
    records: list[ConsentRecord] = []
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(consents):
        if row.consumer.organization_id != organization.pk:
            errors[f"[{index}].consumer"] = [_("Unknown consumer.")]
            continue
        try:
            records.append(
                _consent_build(
                    consumer=row.consumer,
                    purpose=row.purpose,
                    granted=row.granted,
                    policy_version=row.policy_version,
                    recipient=row.recipient,
                    data_categories=row.data_categories,
                    source=row.source,
                    recorded_at=row.recorded_at or now,
                    received_at=now,
                )
            )
        except ApplicationError as exc:
            for name, messages in exc.fields.items():
                errors[f"[{index}].{name}"] = messages
    if errors:
        raise ApplicationError(_("Some consent records are invalid; none was saved."), fields=errors)
    with transaction.atomic():
        ConsentRecord.objects.bulk_create(records)
        audit_record(
            action="consent.record_batch",
            user=by,
            api_key=api_key,
            organization=organization,
            metadata={
                "count": len(records),
                "granted": sum(r.granted for r in records),
                "withdrawn": sum(not r.granted for r in records),
            },
        )
    return records
