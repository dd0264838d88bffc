"""Data-subject rights: access (a JSON export of everything held) and erasure (hard delete plus a tombstone).

Everything held about a consumer is found generically through model meta: every row in any installed app that points
at the consumer with a foreign key (or a many-to-many), and, following `on_delete=CASCADE` links further, every row
that depends on those. The campaigns app never imports analytics or recommender; their rows are found all the same.
"""

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.deletion import ProtectedError
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.error_codes import PrivacyErrorCode
from campaigns.models import (
    Consumer,
    DataSubjectRequest,
    DiscountCode,
    ErasureTombstone,
    Organization,
    PartnerApiKey,
    PersonalTagDeletion,
    User,
)
from campaigns.selectors.consent import consent_history
from campaigns.services.audit import audit_record
from campaigns.services.identity import keyed_hash
from campaigns.signals import consumer_erasing
from xmkt_site.errors import ApplicationError, ConflictError, NotFoundError

# PIPL Art. 50 asks for a "timely" response without a number; GB/T 35273-2020 §8.7 sets 15 working days and GDPR
# Art. 12(3) one month. 15 calendar days is shorter than both, so one due date satisfies every rule we answer to.
DSR_RESPONSE_DAYS = 15
EXPORT_FORMAT = "xmkt-access-export/1"
ERASED_MARK = "[erased]"
_MAX_CASCADE_DEPTH = 5
# A reference shorter than this is too likely to occur inside unrelated free text to be searched for by containment.
_MIN_REF_FOR_CONTAINMENT = 4
_IN_CHUNK = 5_000


def consumer_ref_hash(external_ref: str) -> str:
    """The keyed hash that identifies a consumer's external_ref in tombstones and open requests."""
    return keyed_hash(external_ref)


# --- finding every row that points at a consumer ------------------------------------------------------------------


def _reverse_relations(model: type[models.Model]) -> list[models.ForeignObjectRel]:
    """Foreign keys, one-to-ones and many-to-manys in any installed app that point at `model`."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one or field.many_to_many)
    ]


def held_rows(*, consumer: Consumer) -> dict[type[models.Model], Q]:
    """For each model holding rows about the consumer, a filter that selects exactly those rows.

    Direct references of any kind are included; deeper rows only along CASCADE links (they are about the consumer
    because they cannot outlive them).
    """
    found: dict[type[models.Model], Q] = {}
    frontier: list[tuple[type[models.Model], models.QuerySet]] = [
        (Consumer, Consumer._base_manager.filter(pk=consumer.pk))
    ]
    for depth in range(_MAX_CASCADE_DEPTH):
        next_frontier: list[tuple[type[models.Model], models.QuerySet]] = []
        for parent_model, parent_rows in frontier:
            for rel in _reverse_relations(parent_model):
                related = rel.related_model
                if rel.many_to_many and depth > 0:
                    continue
                condition = Q(**{f"{rel.field.name}__in": parent_rows.values("pk")})
                found[related] = found[related] | condition if related in found else condition
                if not rel.many_to_many and rel.on_delete is models.CASCADE:
                    next_frontier.append((related, related._base_manager.filter(condition)))
        if not next_frontier:
            break
        frontier = next_frontier
    return found


def _serialize(model: type[models.Model], rows: models.QuerySet) -> list[dict]:
    fields = None
    if model is DataSubjectRequest:  # an earlier export inside this one would nest the person's data twice
        fields = [f.name for f in model._meta.concrete_fields if f.name not in ("export", "id")]
    return json.loads(serializers.serialize("json", rows.order_by("pk"), fields=fields))


def consumer_export(*, consumer: Consumer) -> dict:
    """The JSON export of everything held about one consumer (the body of an access request's answer)."""
    related: dict[str, list[dict]] = {}
    for model, condition in sorted(held_rows(consumer=consumer).items(), key=lambda item: item[0]._meta.label_lower):
        # pk__in rather than distinct(): a join through a many-to-many may repeat a row, and DISTINCT over every
        # column is costly (and impossible for column types without equality).
        matching = model._base_manager.filter(condition).values("pk")
        rows = _serialize(model, model._base_manager.filter(pk__in=matching))
        if rows:
            related[model._meta.label_lower] = rows
    consents = [
        {
            "purpose": record.purpose,
            "recipient": record.recipient.slug if record.recipient else None,
            "granted": record.granted,
            "data_categories": record.data_categories,
            "policy_version": record.policy_version,
            "source": record.source,
            "recorded_at": record.recorded_at.isoformat(),
            "received_at": record.received_at.isoformat(),
        }
        for record in consent_history(consumer=consumer).reverse()  # oldest first: the order they took effect
    ]
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "organization": {"slug": consumer.organization.slug, "name": consumer.organization.name},
        "consumer": _serialize(Consumer, Consumer._base_manager.filter(pk=consumer.pk))[0],
        "consents": consents,
        "related": related,
        "counts": {label: len(rows) for label, rows in related.items()},
    }


# --- tombstones: the ingestion code asks these before creating a consumer -----------------------------------------


def is_erased(
    *,
    organization: Organization,
    external_ref: str | None = None,
    phone_hash: str | None = None,
    email_hash: str | None = None,
) -> bool:
    """True when any of the given identifiers belongs to a consumer erased from this organization."""
    condition = Q()
    if external_ref:
        condition |= Q(ref_hash=consumer_ref_hash(external_ref))
    if phone_hash:
        condition |= Q(phone_hash=phone_hash)
    if email_hash:
        condition |= Q(email_hash=email_hash)
    if not condition:
        return False
    return ErasureTombstone.objects.filter(condition, organization=organization).exists()


def erased_refs(*, organization: Organization, external_refs: Iterable[str]) -> set[str]:
    """The subset of `external_refs` that were erased from this organization (one query per 5,000 refs)."""
    by_hash = {consumer_ref_hash(ref): ref for ref in set(external_refs) if ref}
    hashes = list(by_hash)
    erased: set[str] = set()
    for start in range(0, len(hashes), _IN_CHUNK):
        chunk = hashes[start : start + _IN_CHUNK]
        found = ErasureTombstone.objects.filter(organization=organization, ref_hash__in=chunk)
        erased.update(by_hash[h] for h in found.values_list("ref_hash", flat=True))
    return erased


def erased_contact_hashes(
    *, organization: Organization, phone_hashes: Iterable[str] = (), email_hashes: Iterable[str] = ()
) -> set[str]:
    """The subset of the given phone/e-mail keyed hashes that belong to erased consumers of this organization."""
    wanted = {h for h in (*phone_hashes, *email_hashes) if h}
    if not wanted:
        return set()
    hashes = list(wanted)
    erased: set[str] = set()
    for start in range(0, len(hashes), _IN_CHUNK):
        chunk = hashes[start : start + _IN_CHUNK]
        rows = ErasureTombstone.objects.filter(
            Q(phone_hash__in=chunk) | Q(email_hash__in=chunk), organization=organization
        ).values_list("phone_hash", "email_hash")
        for phone, email in rows:
            erased.update(h for h in (phone, email) if h in wanted)
    return erased


# --- data-subject requests ---------------------------------------------------------------------------------------


def dsr_due_at(received_at: datetime) -> datetime:
    return received_at + timedelta(days=DSR_RESPONSE_DAYS)


def dsr_create(
    *,
    organization: Organization,
    external_ref: str,
    kind: str,
    by: User | None = None,
    notes: str = "",
    received_at: datetime | None = None,
) -> DataSubjectRequest:
    """Register a request from the consumer known to `organization` as `external_ref`, due in 15 days."""
    if kind not in DataSubjectRequest.Kind.values:
        raise ApplicationError(_("Unknown request kind."), fields={"kind": [_("unknown kind")]})
    consumer = Consumer.objects.filter(organization=organization, external_ref=external_ref).first()
    if consumer is None:
        if is_erased(organization=organization, external_ref=external_ref):
            raise ConflictError(_("This consumer has already been erased."), code=PrivacyErrorCode.ALREADY_ERASED)
        raise NotFoundError(_("No consumer with this reference in your organization."))
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timedelta(minutes=5):
        raise ApplicationError(_("A request cannot be received in the future."), fields={"received_at": [_("future")]})
    with transaction.atomic():
        # Lock the consumer so two simultaneous submissions cannot both pass the duplicate check.
        Consumer.objects.select_for_update().filter(pk=consumer.pk).first()
        if DataSubjectRequest.objects.filter(
            consumer=consumer,
            kind=kind,
            status__in=[DataSubjectRequest.Status.RECEIVED, DataSubjectRequest.Status.IN_PROGRESS],
        ).exists():
            raise ConflictError(_("An open request of this kind already exists for this consumer."))
        request = DataSubjectRequest(
            organization=organization,
            consumer=consumer,
            consumer_ref_hash=consumer_ref_hash(external_ref),
            kind=kind,
            received_at=received_at,
            due_at=dsr_due_at(received_at),
            handled_by=by,
            notes=notes,
        )
        request.full_clean()
        request.save()
        audit_record(action="dsr.create", user=by, organization=organization, target=request, metadata={"kind": kind})
    return request


def _lock_open(request: DataSubjectRequest, kind: str | None = None) -> DataSubjectRequest:
    # No select_related: PostgreSQL cannot lock the nullable side of the outer join to the consumer.
    locked = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        raise ConflictError(_("This request is already closed."), code=PrivacyErrorCode.REQUEST_CLOSED)
    if kind is not None and locked.kind != kind:
        raise ApplicationError(_("This operation does not match the request's kind."), code=PrivacyErrorCode.WRONG_KIND)
    return locked


def _close(locked: DataSubjectRequest, *, status: str, by: User | None, at: datetime | None = None) -> None:
    locked.status = status
    locked.completed_at = at or timezone.now()
    locked.handled_by = by or locked.handled_by
    locked.full_clean()
    locked.save()


def dsr_start(*, request: DataSubjectRequest, by: User | None = None) -> DataSubjectRequest:
    with transaction.atomic():
        locked = _lock_open(request)
        if locked.status == DataSubjectRequest.Status.RECEIVED:
            locked.status = DataSubjectRequest.Status.IN_PROGRESS
            locked.handled_by = by or locked.handled_by
            locked.full_clean()
            locked.save(update_fields=["status", "handled_by", "updated_at"])
            audit_record(action="dsr.start", user=by, organization=locked.organization, target=locked)
    return locked


def dsr_reject(*, request: DataSubjectRequest, reason: str, by: User | None = None) -> DataSubjectRequest:
    """Close without acting (e.g. the requester's identity could not be verified). The reason is kept in notes."""
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the rejection."), fields={"reason": [_("required")]})
    with transaction.atomic():
        locked = _lock_open(request)
        locked.notes = (locked.notes + "\n" if locked.notes else "") + reason.strip()
        _close(locked, status=DataSubjectRequest.Status.REJECTED, by=by)
        audit_record(action="dsr.reject", user=by, organization=locked.organization, target=locked)
    return locked


def dsr_access_export(*, request: DataSubjectRequest, by: User | None = None) -> dict:
    """Answer an access request: build the export, keep it on the request for download, close the request."""
    with transaction.atomic():
        locked = _lock_open(request, DataSubjectRequest.Kind.ACCESS)
        if locked.consumer is None:
            raise ConflictError(_("The consumer no longer exists."), code=PrivacyErrorCode.CONSUMER_GONE)
        export = consumer_export(consumer=locked.consumer)
        locked.export = export
        _close(locked, status=DataSubjectRequest.Status.COMPLETED, by=by)
        audit_record(
            action="dsr.access_export",
            user=by,
            organization=locked.organization,
            target=locked,
            metadata={"counts": export["counts"], "consents": len(export["consents"])},
        )
    request.refresh_from_db()
    return export


def _scrub_free_text(*, consumer: Consumer, ref_hash: str) -> None:
    """Blank the free text that may carry what someone typed about the consumer, on rows that outlive them.

    Request notes are written by staff (a phone number to call back, the e-mail a rejection was sent to) and are
    replaced by the erased mark; the request keeps its kind, status and dates. A redemption reference is the caller's
    idempotency key and often an order or user id: the consumer's own redemptions lose theirs, and so does an
    anonymous redemption whose reference contains the consumer's external ref. The code stays spent; the replacement
    is unique per code because the pool allows one code per reference.
    """
    organization = consumer.organization
    DataSubjectRequest.objects.filter(
        Q(consumer=consumer) | Q(consumer_ref_hash=ref_hash), organization=organization
    ).exclude(notes="").update(notes=ERASED_MARK)
    naming_the_consumer = Q(redeemed_by=consumer) | Q(redemption_ref=consumer.external_ref)
    if len(consumer.external_ref) >= _MIN_REF_FOR_CONTAINMENT:
        naming_the_consumer |= Q(redemption_ref__contains=consumer.external_ref)
    in_reach = Q(redeemed_by=consumer) | Q(pool__offer__campaign__organization=organization)
    in_reach |= Q(pool__offer__campaign__partners=organization)
    codes = DiscountCode.objects.filter(naming_the_consumer, in_reach).exclude(redemption_ref="")
    codes = DiscountCode.objects.filter(pk__in=codes.values("pk"))  # a partners join may repeat a code
    codes.update(redemption_ref=Concat(Value(f"{ERASED_MARK}:"), Cast("pk", models.CharField())))


def dsr_erase(*, request: DataSubjectRequest, by: User | None = None) -> ErasureTombstone:
    """Answer an erasure request: delete the consumer and everything that cascades from them, keep a tombstone.

    Rows that point at the consumer with SET_NULL survive without the link, their free text scrubbed. Earlier access
    exports of this consumer are dropped too, and the requests forget the consumer's hash: the tombstone alone
    remembers it. Apps that keep the consumer outside the database (model artefacts) hear `consumer_erasing` first.
    """
    with transaction.atomic():
        locked = _lock_open(request, DataSubjectRequest.Kind.ERASURE)
        consumer = locked.consumer
        if consumer is None:
            raise ConflictError(_("The consumer no longer exists."), code=PrivacyErrorCode.CONSUMER_GONE)
        organization = locked.organization
        ref_hash = consumer_ref_hash(consumer.external_ref)
        now = timezone.now()
        _scrub_free_text(consumer=consumer, ref_hash=ref_hash)
        consumer_erasing.send(sender=Consumer, consumer=consumer)
        DataSubjectRequest.objects.filter(
            Q(consumer=consumer) | Q(consumer_ref_hash=ref_hash), organization=organization
        ).update(export=None, consumer_ref_hash="")
        # The Django admin's history names objects by str(), which for a consumer includes the external_ref.
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Consumer), object_id=str(consumer.pk)
        ).update(object_repr=ERASED_MARK, change_message="")
        try:
            deleted_total, deleted_per_model = consumer.delete()
        except ProtectedError as exc:
            blockers = sorted({obj._meta.label_lower for obj in exc.protected_objects})
            message = _("Rows that protect this consumer must be removed first: %(models)s")
            raise ConflictError(
                message % {"models": ", ".join(blockers)}, code=PrivacyErrorCode.ERASURE_BLOCKED
            ) from exc
        tombstone, created = ErasureTombstone.objects.get_or_create(
            organization=organization,
            ref_hash=ref_hash,
            defaults={
                "phone_hash": consumer.phone_hash,
                "email_hash": consumer.email_hash,
                "erased_at": now,
                "request": locked,
            },
        )
        if not created:
            tombstone.phone_hash = tombstone.phone_hash or consumer.phone_hash
            tombstone.email_hash = tombstone.email_hash or consumer.email_hash
            tombstone.erased_at = now
            tombstone.request = locked
            tombstone.save()
        locked.refresh_from_db()
        _close(locked, status=DataSubjectRequest.Status.COMPLETED, by=by, at=now)
        audit_record(
            action="dsr.erase",
            user=by,
            organization=organization,
            target=locked,
            metadata={"deleted": deleted_total, "per_model": {k.lower(): v for k, v in deleted_per_model.items() if v}},
        )
    request.refresh_from_db()
    return tombstone


def dsr_execute(*, request: DataSubjectRequest, by: User | None = None) -> DataSubjectRequest:
    """Carry out an open request according to its kind."""
    if request.kind == DataSubjectRequest.Kind.ACCESS:
        dsr_access_export(request=request, by=by)
    else:
        dsr_erase(request=request, by=by)
    request.refresh_from_db()
    return request


# --- personal tags (PIPL Art. 24; algorithmic recommendation rules Art. 17) ---------------------------------------


def personal_tag_delete(
    *,
    consumer: Consumer,
    kind: str,
    key: str,
    by: User | None = None,
    api_key: PartnerApiKey | None = None,
) -> PersonalTagDeletion:
    """Record that the consumer deleted a personal tag (a segment, an interest topic). The pipelines that assign
    tags read these rows and leave the tag out of later runs. Deleting the same tag twice keeps the first record."""
    key = key.strip()
    if kind not in PersonalTagDeletion.Kind.values:
        raise ApplicationError(_("Unknown tag kind."), fields={"kind": [_("unknown kind")]})
    if not key:
        raise ApplicationError(_("Name the tag to delete."), fields={"key": [_("required")]})
    with transaction.atomic():
        # get_or_create on the unique (consumer, kind, key): a concurrent second delete finds the first row.
        deletion, created = PersonalTagDeletion.objects.get_or_create(
            consumer=consumer, kind=kind, key=key[:128], defaults={"deleted_at": timezone.now()}
        )
        if created:
            audit_record(
                action="personal_tag.delete",
                user=by,
                api_key=api_key,
                organization=consumer.organization,
                target=deletion,
                metadata={"kind": kind},
            )
    return deletion
