"""Retention of partner-derived data (per agreement `retention_days`).

What is deleted, precisely. For every partner organization with at least one agreement that sets `retention_days`,
the retention is the longest one set among its agreements (data received under one agreement may be used under
another, so the most permissive term that applies wins; an agreement without `retention_days` sets none). With
cutoff = now - retention:

1. Behavioural rows: in any installed model that has an `organization` foreign key to Organization, a `consumer`
   foreign key to Consumer and a timestamp (the field a class attribute `retention_timestamp` names, else
   `occurred_at`, else `created_at`), the partner's rows older than the cutoff (guest rows without a consumer
   included). Today that is analytics.Event and recommender.RecommendationLog (lists served to the partner's
   callers); models added later qualify by shape, without campaigns importing them. A model opts out with a class
   attribute `retention_exempt = True`.
2. Consumers of the partner organization not updated since the cutoff and with no behavioural row left at or after it,
   deleted with everything that cascades from them (consents, profiles, segment memberships, recommendations...).

Not deleted: the system of record that is not personal data (catalogue, campaigns, agreements, keys), aggregates
(rollups), audit events, task runs, data-subject requests, tombstones and impact assessments, which have their own
retention duties.
"""

from datetime import datetime, timedelta

from django.apps import apps
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from campaigns.models import Consumer, DataSharingAgreement, Organization, User
from campaigns.services.audit import audit_record

_TIMESTAMP_FIELDS = ("occurred_at", "created_at")


def _foreign_key_to(model: type[models.Model], name: str, target: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field(name)
    except Exception:
        return False
    return bool(field.is_relation and field.many_to_one and field.related_model is target)


def behavioural_models() -> list[tuple[type[models.Model], str]]:
    """(model, timestamp field) for every installed model of the behavioural shape described above."""
    found = []
    for model in apps.get_models():
        if getattr(model, "retention_exempt", False) or model._meta.abstract or model._meta.proxy:
            continue
        if not (_foreign_key_to(model, "organization", Organization) and _foreign_key_to(model, "consumer", Consumer)):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        candidates = (getattr(model, "retention_timestamp", None), *_TIMESTAMP_FIELDS)
        timestamp = next((n for n in candidates if n in names), None)
        if timestamp is not None:
            found.append((model, timestamp))
    return sorted(found, key=lambda pair: pair[0]._meta.label_lower)


def retention_periods() -> dict[int, int]:
    """Partner organization id -> retention in days (the longest set among its agreements)."""
    periods: dict[int, int] = {}
    rows = DataSharingAgreement.objects.filter(retention_days__isnull=False).values_list("partner_id", "retention_days")
    for partner_id, days in rows:
        periods[partner_id] = max(days, periods.get(partner_id, 0))
    return periods


def retention_apply(*, now: datetime | None = None, by: User | None = None) -> dict:
    """Delete partner-derived data older than its retention. Idempotent; returns and audits what it deleted."""
    now = now or timezone.now()
    report: dict = {"run_at": now.isoformat(), "partners": [], "deleted": {}}
    targets = behavioural_models()
    for partner_id, days in sorted(retention_periods().items()):
        partner = Organization.objects.get(pk=partner_id)
        cutoff = now - timedelta(days=days)
        deleted: dict[str, int] = {}
        with transaction.atomic():
            for model, timestamp in targets:
                _, per_model = model._base_manager.filter(organization=partner, **{f"{timestamp}__lt": cutoff}).delete()
                _merge(deleted, per_model)
            stale = Consumer.objects.filter(organization=partner, updated_at__lt=cutoff)
            for model, timestamp in targets:
                recent = model._base_manager.filter(consumer=OuterRef("pk"), **{f"{timestamp}__gte": cutoff})
                stale = stale.exclude(Exists(recent))
            _, per_model = stale.delete()
            _merge(deleted, per_model)
            total = sum(deleted.values())
            audit_record(
                action="retention.apply",
                user=by,
                organization=partner,
                metadata={"retention_days": days, "cutoff": cutoff.isoformat(), "deleted": deleted, "total": total},
            )
        report["partners"].append(
            {"organization": partner.slug, "retention_days": days, "cutoff": cutoff.isoformat(), "deleted": deleted}
        )
        _merge(report["deleted"], deleted)
    report["total"] = sum(report["deleted"].values())
    report["message"] = f"retention: {report['total']} rows deleted for {len(report['partners'])} partners"
    return report


def _merge(into: dict[str, int], counts: dict[str, int]) -> None:
    for label, count in counts.items():
        if count:
            into[label.lower()] = into.get(label.lower(), 0) + count
