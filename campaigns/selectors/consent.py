"""Who consented to what. Per (consumer, purpose, recipient) the record the server received last is in force, in the
one order `CONSENT_IN_FORCE_ORDER` every reader here (and the recommender's serving statement) applies."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from campaigns.models import ConsentRecord, Consumer, DataPurpose, Organization
from campaigns.models.consumers import CONSENT_IN_FORCE_ORDER


def _latest_granted(*, purpose: str, recipient: Organization | None) -> Subquery:
    """The `granted` flag of each consumer's record in force for this purpose (and recipient), as a subquery."""
    records = ConsentRecord.objects.filter(consumer=OuterRef("pk"), purpose=purpose)
    records = records.filter(recipient=recipient) if recipient is not None else records.filter(recipient__isnull=True)
    return Subquery(records.order_by(*CONSENT_IN_FORCE_ORDER).values("granted")[:1])


def consented_consumers(*, organization: Organization, purpose: str, recipient: Organization | None = None) -> QuerySet:
    """Consumers of `organization` whose record in force for the purpose grants it. No record means no consent.

    One SQL statement with a correlated subquery per consumer, served by the (consumer, purpose, received_at) index.
    """
    if purpose == DataPurpose.PARTNER_SHARING and recipient is None:
        raise ValueError("partner_sharing consent is per recipient: pass recipient=")
    if purpose != DataPurpose.PARTNER_SHARING:
        recipient = None
    return (
        Consumer.objects.filter(organization=organization)
        .annotate(_consent_in_force=_latest_granted(purpose=purpose, recipient=recipient))
        .filter(_consent_in_force=True)
    )


def consented_consumer_ids(
    *, organization: Organization, purpose: str, recipient: Organization | None = None
) -> QuerySet:
    """The ids of consented consumers, lazily: use as `consumer_id__in=consented_consumer_ids(...)` (a subquery)."""
    return consented_consumers(organization=organization, purpose=purpose, recipient=recipient).values("pk")


def consumer_has_consent(*, consumer: Consumer, purpose: str, recipient: Organization | None = None) -> bool:
    records = ConsentRecord.objects.filter(consumer=consumer, purpose=purpose)
    if purpose == DataPurpose.PARTNER_SHARING:
        if recipient is None:
            raise ValueError("partner_sharing consent is per recipient: pass recipient=")
        records = records.filter(recipient=recipient)
    latest = records.order_by(*CONSENT_IN_FORCE_ORDER).values_list("granted", flat=True).first()
    return bool(latest)


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    recipient: Organization | None
    granted: bool
    policy_version: str
    data_categories: list[str]
    recorded_at: datetime
    received_at: datetime
    source: str


def consent_state(*, consumer: Consumer) -> list[ConsentState]:
    """The record in force for each (purpose, recipient) the consumer ever answered."""
    seen: set[tuple[str, int | None]] = set()
    states: list[ConsentState] = []
    for record in consent_history(consumer=consumer):
        key = (record.purpose, record.recipient_id)
        if key in seen:
            continue
        seen.add(key)
        states.append(
            ConsentState(
                purpose=record.purpose,
                recipient=record.recipient,
                granted=record.granted,
                policy_version=record.policy_version,
                data_categories=list(record.data_categories),
                recorded_at=record.recorded_at,
                received_at=record.received_at,
                source=record.source,
            )
        )
    return sorted(states, key=lambda s: (s.purpose, s.recipient.slug if s.recipient else ""))


def consent_history(*, consumer: Consumer) -> QuerySet:
    """Every record of the consumer, the one in force first (received last first)."""
    return ConsentRecord.objects.filter(consumer=consumer).select_related("recipient").order_by(*CONSENT_IN_FORCE_ORDER)


def consent_rates(*, organization: Organization) -> list[dict]:
    """For the privacy home page: per purpose (and per recipient for partner sharing), consumers in consent."""
    total = Consumer.objects.filter(organization=organization).count()
    rows: list[dict] = []
    for purpose in (DataPurpose.PERSONALIZATION, DataPurpose.MARKETING_CONTACT):
        granted = consented_consumers(organization=organization, purpose=purpose).count()
        rows.append({"purpose": purpose, "recipient": None, "granted": granted, "total": total})
    recipients = Organization.objects.filter(
        Exists(
            ConsentRecord.objects.filter(
                recipient=OuterRef("pk"), consumer__organization=organization, purpose=DataPurpose.PARTNER_SHARING
            )
        )
    ).order_by("name")
    for recipient in recipients:
        granted = consented_consumers(
            organization=organization, purpose=DataPurpose.PARTNER_SHARING, recipient=recipient
        ).count()
        rows.append(
            {"purpose": DataPurpose.PARTNER_SHARING, "recipient": recipient, "granted": granted, "total": total}
        )
    for row in rows:
        row["rate"] = row["granted"] / row["total"] if row["total"] else 0.0
    return rows


def consent_record_counts(*, organization: Organization) -> dict[str, int]:
    counts = ConsentRecord.objects.filter(consumer__organization=organization).aggregate(
        grants=Count("pk", filter=Q(granted=True)), withdrawals=Count("pk", filter=Q(granted=False))
    )
    return {"granted": counts["grants"] or 0, "withdrawn": counts["withdrawals"] or 0}
