"""Clean-room overlap: a partner learns how many of its customers are also platform consumers, as aggregates only.

Scheme (docs/clean-room.md): each agreement a has a matching key K_a = HMAC(IDENTITY_HASH_KEY, "overlap:" + a.id),
handed to the partner out of band. Both sides compute HMAC(K_a, normalised phone or e-mail): the partner on its own
customers, the platform when a raw identifier passes through on arrival (`overlap_tokens_mint`), storing only the
token. Only aggregates leave: cells below the agreement's k are suppressed, optional Laplace noise (opendp) spends
the agreement's ε budget, and an audience within fewer than k people of an earlier one is refused.
"""

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.error_codes import OverlapErrorCode
from analytics.models import OverlapMatchToken, OverlapQuery, SegmentMembership
from campaigns.models import Consumer, DataPurpose, DataSharingAgreement, Organization, PartnerApiKey, User
from campaigns.selectors.consent import consented_consumer_ids
from campaigns.services.audit import audit_record
from campaigns.services.identity import normalize_email, normalize_phone
from xmkt_site.errors import ApplicationError, ConflictError, PermissionDeniedError

BREAKDOWN_ATTRIBUTES = ("age_band", "gender", "city_tier")
MAX_UPLOAD = 200_000
NO_SEGMENT = "none"
# L1 sensitivity of the released vector (total + one cell per person): adding or removing a person moves two entries.
RELEASE_SENSITIVITY = 2


def agreement_matching_key(*, agreement: DataSharingAgreement) -> bytes:
    """K_a: derived from the deployment key and the agreement id. Giving K_a away reveals neither the deployment
    key nor any other agreement's key (HMAC is a pseudo-random function)."""
    return hmac.new(settings.IDENTITY_HASH_KEY.encode(), f"overlap:{agreement.pk}".encode(), hashlib.sha256).digest()


def overlap_token(*, key: bytes, normalized: str) -> str:
    """The recipe both sides follow: hex HMAC-SHA256 of the normalised identifier under K_a."""
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()


def _difference_salt(agreement: DataSharingAgreement) -> bytes:
    return hmac.new(
        settings.IDENTITY_HASH_KEY.encode(), f"overlap-diff:{agreement.pk}".encode(), hashlib.sha256
    ).digest()


def overlap_tokens_mint(
    *, agreement: DataSharingAgreement, consumer: Consumer, phone: str = "", email: str = ""
) -> int:
    """Store the agreement-keyed tokens of a platform consumer's raw phone/e-mail while they pass through (import,
    sign-up). The raw values are not kept. Returns the number of tokens written (existing ones are kept)."""
    if consumer.organization_id != agreement.platform_id:
        raise ApplicationError(_("Only the platform's consumers are matched in an overlap."))
    key = agreement_matching_key(agreement=agreement)
    tokens = {
        overlap_token(key=key, normalized=value) for value in (normalize_phone(phone), normalize_email(email)) if value
    }
    rows = [OverlapMatchToken(agreement=agreement, consumer=consumer, token=token) for token in sorted(tokens)]
    OverlapMatchToken.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def overlap_tokens_mint_for_contacts(*, organization: Organization, contacts: list[tuple[str, str, str]]) -> int:
    """Mint tokens for every active sharing agreement in which `organization` is the platform, for consumers whose raw
    (external_ref, phone, email) are passing through ingestion right now. Returns the number of tokens written."""
    today = timezone.localdate()
    agreements = [
        agreement
        for agreement in DataSharingAgreement.objects.filter(
            platform=organization, status=DataSharingAgreement.Status.ACTIVE, valid_from__lte=today
        ).exclude(valid_until__lt=today)
        if DataPurpose.PARTNER_SHARING in (agreement.purposes or [])
    ]
    if not agreements or not contacts:
        return 0
    refs = [ref for ref, _, _ in contacts]
    consumer_ids = dict(
        Consumer.objects.filter(organization=organization, external_ref__in=refs).values_list("external_ref", "pk")
    )
    rows = []
    for agreement in agreements:
        key = agreement_matching_key(agreement=agreement)
        for ref, phone, email in contacts:
            if ref not in consumer_ids:
                continue
            for value in {normalize_phone(phone), normalize_email(email)} - {""}:
                token = overlap_token(key=key, normalized=value)
                rows.append(OverlapMatchToken(agreement=agreement, consumer_id=consumer_ids[ref], token=token))
    OverlapMatchToken.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
    return len(rows)


@dataclass(frozen=True)
class OverlapResult:
    query: OverlapQuery
    overlap_size: int | None
    overlap_suppressed: bool
    cells: list[dict]
    suppressed_cells: int
    mechanism: str
    epsilon_spent: float
    epsilon_budget: float | None
    epsilon_remaining: float | None
    min_cell_size: int


def _check_agreement(agreement: DataSharingAgreement) -> None:
    today = timezone.localdate()
    if (
        agreement.status != DataSharingAgreement.Status.ACTIVE
        or agreement.valid_from > today
        or (agreement.valid_until is not None and agreement.valid_until < today)
    ):
        raise PermissionDeniedError(_("The agreement is not active."), code=OverlapErrorCode.AGREEMENT_INACTIVE)
    if DataPurpose.PARTNER_SHARING not in (agreement.purposes or []):
        raise PermissionDeniedError(
            _("The agreement does not cover sharing with the partner."), code=OverlapErrorCode.PURPOSE_NOT_COVERED
        )


def _audience_set(agreement: DataSharingAgreement, tokens: set[str]) -> list[str]:
    salt = _difference_salt(agreement)
    return sorted({hmac.new(salt, token.encode(), hashlib.sha256).hexdigest()[:16] for token in tokens})


def _check_difference(agreement: DataSharingAgreement, audience: list[str]) -> None:
    """Refuse an audience whose symmetric difference with an earlier audience is between 1 and k-1 people: the two
    answers would differ only by those few people. Identical audiences are allowed (the answer adds nothing)."""
    k = agreement.min_aggregate_size
    current = set(audience)
    for earlier in OverlapQuery.objects.filter(agreement=agreement).only("audience_set").iterator(chunk_size=50):
        if abs(len(earlier.audience_set) - len(current)) >= k:
            continue
        difference = len(current.symmetric_difference(earlier.audience_set))
        if 0 < difference < k:
            raise ConflictError(
                _("This audience differs from an earlier query by fewer than %(k)s people; it is refused.") % {"k": k},
                code=OverlapErrorCode.DIFFERENCE_QUERY,
            )


def _laplace(values: list[int], epsilon: float) -> list[int]:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = dp.m.make_laplace(*space, scale=RELEASE_SENSITIVITY / epsilon)
    if measurement.map(RELEASE_SENSITIVITY) > epsilon + 1e-9:  # opendp's own accounting agrees with ours
        raise ApplicationError(_("The noise mechanism does not meet the requested ε."))
    return [max(0, int(v)) for v in measurement(values)]


def overlap_run(
    *,
    agreement: DataSharingAgreement,
    hashed_identifiers: list[str],
    breakdown: str = "",
    epsilon: float | None = None,
    api_key: PartnerApiKey | None = None,
    user: User | None = None,
) -> OverlapResult:
    """Match the partner's tokens against consenting platform consumers and release only aggregates."""
    _check_agreement(agreement)
    if breakdown and breakdown not in BREAKDOWN_ATTRIBUTES:
        raise ApplicationError(_("Unknown breakdown attribute."), fields={"breakdown": [_("unknown attribute")]})
    tokens = {t.strip().lower() for t in hashed_identifiers if t and t.strip()}
    if not tokens:
        raise ApplicationError(_("Upload at least one hashed identifier."), fields={"hashed_identifiers": ["empty"]})
    if len(tokens) > MAX_UPLOAD:
        raise ApplicationError(_("Too many identifiers in one query."), fields={"hashed_identifiers": ["too many"]})
    if epsilon is not None and epsilon <= 0:
        raise ApplicationError(_("ε must be positive."), fields={"epsilon": [_("must be positive")]})
    k = agreement.min_aggregate_size
    audience = _audience_set(agreement, tokens)

    with transaction.atomic():
        locked = DataSharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        if epsilon is not None:
            if locked.dp_epsilon_budget is None:
                raise ApplicationError(
                    _("This agreement has no differential-privacy budget."), code=OverlapErrorCode.NO_BUDGET
                )
            if locked.dp_epsilon_spent + epsilon > locked.dp_epsilon_budget + 1e-9:
                raise ConflictError(
                    _("The agreement's privacy budget is exhausted for this query."),
                    code=OverlapErrorCode.BUDGET_EXHAUSTED,
                )
        _check_difference(locked, audience)

        consented = consented_consumer_ids(
            organization=locked.platform, purpose=DataPurpose.PARTNER_SHARING, recipient=locked.partner
        )
        matched_ids = set(
            OverlapMatchToken.objects.filter(agreement=locked, token__in=tokens, consumer_id__in=consented)
            .values_list("consumer_id", flat=True)
            .distinct()
        )
        segment_of = dict(
            SegmentMembership.objects.filter(
                consumer_id__in=matched_ids, segment__is_current=True, segment__organization=locked.platform
            ).values_list("consumer_id", "segment__key")
        )
        attribute_of: dict[int, str] = {}
        if breakdown:
            attribute_of = {
                pk: "" if value is None else str(value)
                for pk, value in Consumer.objects.filter(pk__in=matched_ids).values_list("pk", breakdown)
            }
        counts = Counter(
            (str(segment_of.get(pk, NO_SEGMENT)), attribute_of.get(pk, "") if breakdown else "") for pk in matched_ids
        )
        keys = sorted(counts)
        exact = [len(matched_ids), *(counts[key] for key in keys)]
        mechanism = OverlapQuery.Mechanism.LAPLACE if epsilon is not None else OverlapQuery.Mechanism.NONE
        released_values = _laplace(exact, epsilon) if epsilon is not None else exact

        total = released_values[0]
        overlap_suppressed = total < k
        cells, suppressed = [], 0
        for (segment, attribute), value in zip(keys, released_values[1:], strict=True):
            cell = {"segment": segment, "attribute": attribute or None}
            if value < k:
                suppressed += 1
                cell.update(count=None, suppressed=True)
            else:
                cell.update(count=value, suppressed=False)
            cells.append(cell)
        if epsilon is not None:
            locked.dp_epsilon_spent = locked.dp_epsilon_spent + epsilon
            locked.save(update_fields=["dp_epsilon_spent", "updated_at"])
        released = {
            "overlap_size": None if overlap_suppressed else total,
            "cells": cells,
            "suppressed_cells": suppressed,
        }
        query = OverlapQuery(
            agreement=locked,
            api_key=api_key,
            requested_by=user if user is not None and user.is_authenticated else None,
            audience_size=len(tokens),
            audience_fingerprint=hashlib.sha256("".join(audience).encode()).hexdigest(),
            audience_set=audience,
            breakdown=breakdown,
            mechanism=mechanism,
            epsilon=epsilon or 0.0,
            released=released,
        )
        query.full_clean()
        query.save()
        audit_record(
            action="overlap.run",
            user=user,
            api_key=api_key,
            organization=locked.partner,
            target=query,
            metadata={
                "agreement": locked.pk,
                "audience": len(tokens),
                "cells": len(cells),
                "suppressed": suppressed,
                "epsilon": epsilon or 0.0,
            },
        )
    budget = locked.dp_epsilon_budget
    return OverlapResult(
        query=query,
        overlap_size=released["overlap_size"],
        overlap_suppressed=overlap_suppressed,
        cells=cells,
        suppressed_cells=suppressed,
        mechanism=mechanism,
        epsilon_spent=locked.dp_epsilon_spent,
        epsilon_budget=budget,
        epsilon_remaining=None if budget is None else max(0.0, budget - locked.dp_epsilon_spent),
        min_cell_size=k,
    )
