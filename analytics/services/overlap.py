"""Clean-room overlap: a partner learns how many of its customers are also platform consumers, as aggregates only.

Scheme (docs/clean-room.md): each agreement a has a matching key K_a = HMAC(IDENTITY_HASH_KEY, "overlap:" + a.id),
handed to the partner out of band. Both sides compute HMAC(K_a, normalised phone or e-mail): the partner on its own
customers, the platform when a raw identifier passes through on arrival (`overlap_tokens_mint`), storing only the
token. Only aggregates leave, and only noised: every release goes through opendp's Laplace mechanism and spends the
agreement's ε budget; cells below the agreement's k are suppressed, with complementary suppression so that no
suppressed cell follows from the total and its siblings; and a query whose matched people are within k of an earlier
query's is refused, so neither padding with tokens that match nobody nor ±1 queries single anyone out.
"""

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.error_codes import OverlapErrorCode
from analytics.models import OverlapMatchToken, OverlapQuery, Segment, SegmentMembership
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
# Every value an attribute can take, so that the list of cells is the same whoever matched: a cell that appears only
# when somebody is in it would tell the partner that somebody is there, whatever its count.
ATTRIBUTE_DOMAINS: dict[str, tuple[str, ...]] = {
    "age_band": (*Consumer.AgeBand.values, ""),
    "gender": tuple(Consumer.Gender.values),
    "city_tier": ("1", "2", "3", "4", "5", ""),  # the consumer_city_tier check constraint
}


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


def _digests(agreement: DataSharingAgreement, values: set[str]) -> list[str]:
    """Salted, truncated (64-bit) digests: comparable between queries of one agreement, meaningless elsewhere."""
    salt = _difference_salt(agreement)
    return sorted({hmac.new(salt, value.encode(), hashlib.sha256).hexdigest()[:16] for value in values})


def _is_difference_query(
    agreement: DataSharingAgreement, *, matched: list[str], audience_fingerprint: str, now: datetime
) -> bool:
    """True when the matched people of this query are within k of an earlier query's: the two answers would differ
    only by those few people. Comparing matched people, not uploads, is what defeats padding: tokens that match nobody
    change the upload, never the matched set. A different upload that matches exactly the same people is refused too,
    or the refusal itself would tell a padded-in member (refused) from a stranger (answered); only the very same
    upload may be asked again."""
    k = agreement.min_aggregate_size
    current = set(matched)
    earlier_queries = OverlapQuery.objects.filter(
        agreement=agreement,
        created_at__gte=now - overlap_query_retention(),
        sets_expired_at__isnull=True,
        matched_size__gt=len(current) - k,  # sets whose sizes differ by k or more differ by k or more people
        matched_size__lt=len(current) + k,
    ).only("matched_set", "audience_fingerprint")
    for earlier in earlier_queries.iterator(chunk_size=50):
        difference = len(current.symmetric_difference(earlier.matched_set))
        if difference >= k or (difference == 0 and earlier.audience_fingerprint == audience_fingerprint):
            continue
        return True
    return False


def suppress_cells(*, total: int, cells: list[int], k: int) -> tuple[bool, set[int]]:
    """Which values to withhold: the total when below k, every cell below k, and, when the total is released, enough
    further cells (smallest first) that the withheld cells are at least two and hold at least k people together.
    The released total is the sum of the cells, so one withheld cell would be the total minus its siblings, and a
    withheld group smaller than k would disclose a small count all the same. Returns (total withheld, cell indexes)."""
    total_suppressed = total < k
    hidden = {index for index, value in enumerate(cells) if value < k}
    if total_suppressed or not hidden:
        return total_suppressed, hidden
    released = sorted((index for index in range(len(cells)) if index not in hidden), key=lambda i: (cells[i], i))
    for index in released:
        if len(hidden) >= 2 and sum(cells[i] for i in hidden) >= k:
            break
        hidden.add(index)
    return False, hidden


def overlap_query_retention() -> timedelta:
    return timedelta(days=settings.OVERLAP_QUERY_RETENTION_DAYS)


def overlap_query_sets_expire(*, now: datetime | None = None) -> int:
    """Clear the stored sets (matched-people digests, upload fingerprint) of queries older than the retention period;
    what was released stays as the record of what left the platform. Returns the number of queries cleared."""
    now = now or timezone.now()
    return OverlapQuery.objects.filter(
        created_at__lt=now - overlap_query_retention(), sets_expired_at__isnull=True
    ).update(matched_set=[], audience_fingerprint="", sets_expired_at=now)


def laplace_noise(values: list[int], epsilon: float) -> list[int]:
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
    """Match the partner's tokens against consenting platform consumers and release only noised aggregates.

    Exact counts are never released: without `epsilon` the query spends OVERLAP_DEFAULT_EPSILON of the budget, and an
    agreement without a budget answers no overlap at all."""
    _check_agreement(agreement)
    if breakdown and breakdown not in BREAKDOWN_ATTRIBUTES:
        raise ApplicationError(_("Unknown breakdown attribute."), fields={"breakdown": [_("unknown attribute")]})
    tokens = {t.strip().lower() for t in hashed_identifiers if t and t.strip()}
    if not tokens:
        raise ApplicationError(_("Upload at least one hashed identifier."), fields={"hashed_identifiers": ["empty"]})
    if len(tokens) > MAX_UPLOAD:
        raise ApplicationError(_("Too many identifiers in one query."), fields={"hashed_identifiers": ["too many"]})
    if epsilon is None:
        epsilon = settings.OVERLAP_DEFAULT_EPSILON
    if epsilon <= 0:
        raise ApplicationError(_("ε must be positive."), fields={"epsilon": [_("must be positive")]})
    k = agreement.min_aggregate_size
    audience_fingerprint = hashlib.sha256("".join(_digests(agreement, tokens)).encode()).hexdigest()
    now = timezone.now()

    with transaction.atomic():
        locked = DataSharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.dp_epsilon_budget is None:
            raise ApplicationError(
                _("This agreement has no differential-privacy budget, so it releases no overlap counts."),
                code=OverlapErrorCode.NO_BUDGET,
            )
        if locked.dp_epsilon_spent + epsilon > locked.dp_epsilon_budget + 1e-9:
            raise ConflictError(
                _("The agreement's privacy budget is exhausted for this query."),
                code=OverlapErrorCode.BUDGET_EXHAUSTED,
            )
        consented = consented_consumer_ids(
            organization=locked.platform, purpose=DataPurpose.PARTNER_SHARING, recipient=locked.partner
        )
        matched_ids = set(
            OverlapMatchToken.objects.filter(agreement=locked, token__in=tokens, consumer_id__in=consented)
            .values_list("consumer_id", flat=True)
            .distinct()
        )
        matched = _digests(locked, {f"consumer:{pk}" for pk in matched_ids})
        # A refusal depends on who matched, so it is an answer too: it spends the query's ε, which makes probing the
        # boundary of the check with refused queries as costly as asking real ones.
        locked.dp_epsilon_spent = locked.dp_epsilon_spent + epsilon
        locked.save(update_fields=["dp_epsilon_spent", "updated_at"])
        refused = _is_difference_query(locked, matched=matched, audience_fingerprint=audience_fingerprint, now=now)
        if refused:
            audit_record(
                action="overlap.refused",
                user=user,
                api_key=api_key,
                organization=locked.partner,
                target=locked,
                metadata={"agreement": locked.pk, "audience": len(tokens), "epsilon": epsilon},
            )
        else:
            released = _release(locked, matched_ids=matched_ids, breakdown=breakdown, epsilon=epsilon, k=k)
            query = OverlapQuery(
                agreement=locked,
                api_key=api_key,
                requested_by=user if user is not None and user.is_authenticated else None,
                audience_size=len(tokens),
                audience_fingerprint=audience_fingerprint,
                matched_set=matched,
                matched_size=len(matched),
                breakdown=breakdown,
                mechanism=OverlapQuery.Mechanism.LAPLACE,
                epsilon=epsilon,
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
                    "cells": len(released["cells"]),
                    "suppressed": released["suppressed_cells"],
                    "epsilon": epsilon,
                },
            )
    if refused:  # raised after the commit, so that the ε spent on the refusal stays spent
        raise ConflictError(
            _(
                "This query matches the same people as an earlier one, or fewer than %(k)s more or fewer; it is "
                "refused (and its ε is spent)."
            )
            % {"k": k},
            code=OverlapErrorCode.DIFFERENCE_QUERY,
        )
    budget = locked.dp_epsilon_budget
    return OverlapResult(
        query=query,
        overlap_size=released["overlap_size"],
        overlap_suppressed=released["overlap_size"] is None,
        cells=released["cells"],
        suppressed_cells=released["suppressed_cells"],
        mechanism=query.mechanism,
        epsilon_spent=locked.dp_epsilon_spent,
        epsilon_budget=budget,
        epsilon_remaining=max(0.0, budget - locked.dp_epsilon_spent),
        min_cell_size=k,
    )


def _release(
    agreement: DataSharingAgreement,
    *,
    matched_ids: set[int],
    breakdown: str,
    epsilon: float,
    k: int,
) -> dict:
    """The noised, suppressed aggregates of the matched people: the total and one cell per (current platform segment
    or `none`) × attribute value, every cell listed whether anyone is in it or not."""
    segment_keys = [
        str(key)
        for key in Segment.objects.filter(organization=agreement.platform, is_current=True)
        .order_by("key")
        .values_list("key", flat=True)
        .distinct()
    ]
    segment_of = {
        pk: str(key)
        for pk, key in SegmentMembership.objects.filter(
            consumer_id__in=matched_ids, segment__is_current=True, segment__organization=agreement.platform
        ).values_list("consumer_id", "segment__key")
    }
    attribute_values = ATTRIBUTE_DOMAINS[breakdown] if breakdown else ("",)
    attribute_of: dict[int, str] = {}
    if breakdown:
        attribute_of = {
            pk: "" if value is None else str(value)
            for pk, value in Consumer.objects.filter(pk__in=matched_ids).values_list("pk", breakdown)
        }
    counts = Counter((segment_of.get(pk, NO_SEGMENT), attribute_of.get(pk, "")) for pk in matched_ids)
    domain = [(segment, attribute) for segment in [*segment_keys, NO_SEGMENT] for attribute in attribute_values]
    keys = domain + sorted(set(counts) - set(domain))  # a value outside the domain (bad data) is still counted
    exact = [len(matched_ids), *(counts[key] for key in keys)]
    noisy = laplace_noise(exact, epsilon)
    total_suppressed, hidden = suppress_cells(total=noisy[0], cells=noisy[1:], k=k)
    cells = []
    for index, ((segment, attribute), value) in enumerate(zip(keys, noisy[1:], strict=True)):
        withheld = index in hidden
        cells.append(
            {
                "segment": segment,
                "attribute": attribute or None,
                "count": None if withheld else value,
                "suppressed": withheld,
            }
        )
    return {"overlap_size": None if total_suppressed else noisy[0], "cells": cells, "suppressed_cells": len(hidden)}
