"""Offers (course + partner voucher bundles), discount code pools, concurrency-safe redemption, budget and spend."""

import csv
import io
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from campaigns.error_codes import OfferErrorCode
from campaigns.models import Campaign, CatalogItem, CodePool, Consumer, DiscountCode, Offer, Organization, User
from campaigns.services.audit import audit_record
from xmkt_site.errors import ApplicationError, ConflictError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
MAX_CODES_PER_CALL = 100_000


OFFER_FIELDS = ("name", "course", "partner", "voucher_item", "voucher_value", "bundle_price", "unit_cost")
# An offer's terms are fixed once the campaign has launched: spend is charged at the cost in force when a code is
# redeemed, and per-offer spend (redemptions x cost per redemption) must keep meaning what it says.
OFFER_EDITABLE_STATES = frozenset(
    {Campaign.Status.DRAFT, Campaign.Status.IN_REVIEW, Campaign.Status.APPROVED, Campaign.Status.SCHEDULED}
)
POOL_CLOSED_STATES = frozenset({Campaign.Status.COMPLETED, Campaign.Status.CANCELLED})


def _offer_checked(offer: Offer) -> Offer:
    campaign, course, partner, voucher_item = offer.campaign, offer.course, offer.partner, offer.voucher_item
    if course is not None and (course.organization_id != campaign.organization_id or course.kind != "course"):
        raise ApplicationError("The course must be one of the platform's courses.", fields={"course": ["Invalid."]})
    if partner is not None and not campaign.partners.filter(pk=partner.pk).exists():
        raise ApplicationError("The voucher partner must be a party of the campaign.", fields={"partner": ["Invalid."]})
    if voucher_item is not None and (partner is None or voucher_item.organization_id != partner.pk):
        raise ApplicationError(
            "The voucher item must belong to the voucher partner.", fields={"voucher_item": ["Invalid."]}
        )
    offer.full_clean()
    return offer


def offer_create(
    *,
    campaign: Campaign,
    name: str,
    by: User | None,
    course: CatalogItem | None = None,
    partner: Organization | None = None,
    voucher_item: CatalogItem | None = None,
    voucher_value: Decimal = Decimal("0"),
    bundle_price: Decimal = Decimal("0"),
    unit_cost: Decimal = Decimal("0"),
) -> Offer:
    offer = Offer(
        campaign=campaign,
        name=name,
        course=course,
        partner=partner,
        voucher_item=voucher_item,
        voucher_value=voucher_value,
        bundle_price=bundle_price,
        unit_cost=unit_cost,
    )
    _offer_checked(offer).save()
    audit_record(action="offer.create", user=by, organization=campaign.organization, target=offer)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, by: User | None, **changes: Any) -> Offer:
    """Change an offer's terms before launch; afterwards they are frozen (see OFFER_EDITABLE_STATES)."""
    offer = Offer.objects.select_for_update().select_related("campaign").get(pk=offer.pk)
    if offer.campaign.status not in OFFER_EDITABLE_STATES:
        raise ConflictError(
            "An offer can be changed only before the campaign launches.", code=OfferErrorCode.OFFER_FROZEN
        )
    unknown = set(changes) - set(OFFER_FIELDS)
    if unknown:
        raise ApplicationError(f"Fields that cannot be edited: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(offer, field, value)
    _offer_checked(offer).save()
    audit_record(
        action="offer.update",
        user=by,
        organization=offer.campaign.organization,
        target=offer,
        metadata={"fields": sorted(changes)},
    )
    return offer


def code_pool_create(*, offer: Offer, name: str, by: User | None) -> CodePool:
    pool = CodePool(offer=offer, name=name)
    pool.full_clean()
    pool.save()
    audit_record(action="code_pool.create", user=by, organization=offer.campaign.organization, target=pool)
    return pool


@dataclass(frozen=True)
class CodeImport:
    added: int
    duplicates: int


def codes_import(*, pool: CodePool, codes: Iterable[str], by: User | None) -> CodeImport:
    """Add codes; a code already in the pool (or repeated in the input) is counted as a duplicate, not added twice."""
    cleaned = [c.strip().upper() for c in codes if c and c.strip()]
    if len(cleaned) > MAX_CODES_PER_CALL:
        raise ApplicationError(f"At most {MAX_CODES_PER_CALL} codes per import.")
    if any(len(c) > 64 for c in cleaned):
        raise ApplicationError("Codes are at most 64 characters.")
    unique = list(dict.fromkeys(cleaned))
    with transaction.atomic():
        before = pool.codes.count()
        # The unique constraint on (pool, code) settles races with a concurrent import of the same codes.
        DiscountCode.objects.bulk_create(
            [DiscountCode(pool=pool, code=c) for c in unique], ignore_conflicts=True, batch_size=5000
        )
        added = pool.codes.count() - before
    audit_record(
        action="code_pool.import",
        user=by,
        organization=pool.offer.campaign.organization,
        target=pool,
        metadata={"added": added, "duplicates": len(cleaned) - added},
    )
    return CodeImport(added=added, duplicates=len(cleaned) - added)


CODE_PATTERN = re.compile(r"^[A-Z0-9_-]{1,64}$")
HEADER_NAMES = frozenset({"code", "codes", "discount_code", "券码", "优惠码"})


@dataclass(frozen=True)
class ImportProblem:
    """One rejected row: its 1-based line number, the value read, and why (a stable code the pages translate)."""

    line: int
    value: str
    reason: str  # "invalid_characters", "too_long", "duplicate_in_file", "already_in_pool", "too_many"
    first_line: int | None = None  # for duplicate_in_file: where the code first appeared

    def __str__(self) -> str:
        where = f" (first on line {self.first_line})" if self.first_line else ""
        return f"line {self.line}: {self.value!r} {self.reason.replace('_', ' ')}{where}"


class CodeImportRejected(ApplicationError):
    """Raised with every problem found; nothing was imported."""

    default_code = OfferErrorCode.CODES_REJECTED

    def __init__(self, problems: list[ImportProblem]) -> None:
        shown = [str(p) for p in problems[:50]]
        if len(problems) > 50:
            shown.append(f"... and {len(problems) - 50} more")
        super().__init__(
            f"{len(problems)} row(s) rejected; nothing was imported.",
            fields={"codes": shown},
            extra={"problems": [p.__dict__ for p in problems[:1000]]},
        )
        self.problems = problems


def codes_parse(*, text: str) -> tuple[list[tuple[int, str]], list[ImportProblem]]:
    """Read codes from pasted text or a CSV file: one code per line, or the first column of a CSV (a header row
    named code is skipped). Blank lines are ignored. Returns (line, code) pairs and the problems found."""
    rows: list[tuple[int, str]] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff").replace("\x00", "")))
    try:
        records = [(reader.line_num, fields) for fields in reader]  # line_num: the physical line, even in quotes
    except csv.Error as error:
        raise ApplicationError(f"The file is not readable as CSV: {error}", code=OfferErrorCode.BAD_CSV) from None
    for line_number, fields in records:
        value = (fields[0] if fields else "").strip().upper()
        if not value:
            continue
        if line_number == 1 and value.lower() in HEADER_NAMES:
            continue
        if len(value) > 64:
            problems.append(ImportProblem(line_number, value[:64] + "…", "too_long"))
        elif not CODE_PATTERN.match(value):
            problems.append(ImportProblem(line_number, value, "invalid_characters"))
        elif value in seen:
            problems.append(ImportProblem(line_number, value, "duplicate_in_file", seen[value]))
        else:
            seen[value] = line_number
            rows.append((line_number, value))
    if len(rows) > MAX_CODES_PER_CALL:
        problems.append(ImportProblem(rows[MAX_CODES_PER_CALL][0], rows[MAX_CODES_PER_CALL][1], "too_many"))
    return rows, problems


@transaction.atomic
def codes_import_strict(*, pool: CodePool, text: str, by: User | None) -> CodeImport:
    """All or nothing: every row valid, no code twice in the file or already in the pool, or CodeImportRejected."""
    rows, problems = codes_parse(text=text)
    if rows:
        # The pool's codes in one read rather than `code__in` a list of up to 100,000 (over SQLite's variable limit).
        taken = set(pool.codes.values_list("code", flat=True))
        problems += [ImportProblem(line, code, "already_in_pool") for line, code in rows if code in taken]
    if not rows and not problems:
        raise ApplicationError(
            "The file holds no codes.", code=OfferErrorCode.NO_CODES, fields={"codes": ["No codes."]}
        )
    if problems:
        raise CodeImportRejected(sorted(problems, key=lambda p: p.line))
    result = codes_import(pool=pool, codes=[code for _line, code in rows], by=by)
    if result.duplicates:  # a concurrent import added some of the same codes between the check and the insert
        raise CodeImportRejected([ImportProblem(0, "", "already_in_pool")])
    return result


@transaction.atomic
def codes_add(*, pool: CodePool, by: User | None, text: str = "", generate: int = 0) -> CodeImport:
    """Fill a pool by a strict import of `text` or by generating `generate` codes — one or the other — while the
    campaign has not ended."""
    if pool.offer.campaign.status in POOL_CLOSED_STATES:
        raise ConflictError("The campaign has ended: no new codes.", code=OfferErrorCode.CAMPAIGN_CLOSED)
    if bool(text.strip()) == bool(generate):
        raise ApplicationError("Either import codes or generate them.", code=OfferErrorCode.CODES_SOURCE)
    if generate:
        return codes_generate(pool=pool, count=generate, by=by)
    return codes_import_strict(pool=pool, text=text, by=by)


@transaction.atomic
def code_pool_create_with_codes(
    *, offer: Offer, name: str, by: User | None, text: str = "", generate: int = 0
) -> tuple[CodePool, CodeImport]:
    """A new pool filled by `codes_add`; when the codes are refused the transaction leaves no pool behind."""
    pool = code_pool_create(offer=offer, name=name, by=by)
    return pool, codes_add(pool=pool, by=by, text=text, generate=generate)


def codes_generate(*, pool: CodePool, count: int, by: User | None, length: int = 10) -> CodeImport:
    if not 1 <= count <= MAX_CODES_PER_CALL:
        raise ApplicationError(f"Generate between 1 and {MAX_CODES_PER_CALL} codes.")
    if not 6 <= length <= 32:
        raise ApplicationError("Code length must be between 6 and 32.")
    added = 0
    # 32^10 possibilities: collisions are rare, but the loop makes "count" exact even when they happen.
    while added < count:
        batch = {"".join(secrets.choice(CODE_ALPHABET) for _ in range(length)) for _ in range(count - added)}
        added += codes_import(pool=pool, codes=batch, by=by).added
    return CodeImport(added=added, duplicates=0)


def _spend(*, campaign_id: int, amount: Decimal) -> bool:
    """Add `amount` to the campaign's spend unless that would exceed the budget. One conditional UPDATE: no race."""
    if amount <= 0:
        return True
    return (
        Campaign.objects.filter(pk=campaign_id, spent__lte=F("budget") - amount).update(spent=F("spent") + amount) == 1
    )


@transaction.atomic
def code_redeem(*, pool: CodePool, consumer: Consumer | None, redemption_ref: str) -> DiscountCode:
    """Hand out one unredeemed code, at most once per redemption_ref, and charge the offer's cost to the budget.
    A replay of a reference (sequential or concurrent) returns the code it already received and charges nothing.

    Concurrency: on PostgreSQL, `select_for_update(skip_locked=True)` makes parallel redeemers take different rows
    instead of queueing on the same one; the conditional UPDATE (`redeemed_at IS NULL`) is the guarantee that a code is
    redeemed once even where row locks do not exist (SQLite serialises writers anyway). The look-up of an earlier
    redemption cannot see one that is still in flight, so the unique constraint on (pool, redemption_ref) settles that
    race: the second claim fails, is rolled back to its savepoint, and the caller gets the winner's code.
    """
    if not redemption_ref:
        raise ApplicationError("A redemption reference is required.", fields={"redemption_ref": ["Required."]})
    replayed = DiscountCode.objects.filter(pool=pool, redemption_ref=redemption_ref)
    existing = replayed.first()
    if existing is not None:
        return existing
    offer = pool.offer
    campaign = offer.campaign
    if campaign.status != Campaign.Status.RUNNING:
        raise ConflictError(
            "Codes are redeemed only while the campaign runs.", code=OfferErrorCode.CAMPAIGN_NOT_RUNNING
        )
    now = timezone.now()
    unredeemed = DiscountCode.objects.filter(pool=pool, redeemed_at__isnull=True).order_by("id")
    for attempt in range(20):
        if attempt and (existing := replayed.first()) is not None:
            return existing  # a redemption with this reference finished while we waited
        code = unredeemed.select_for_update(skip_locked=True).first()
        if code is None:
            if not unredeemed.exists():
                raise ConflictError("The code pool is exhausted.", code=OfferErrorCode.POOL_EXHAUSTED)
            # Every free code is locked by a redemption still in flight, which may roll back or carry this very
            # reference: give them a moment, then look again. Never wait on a code's row lock here: that waiter and a
            # redeemer queued behind it on the campaign row (spend) deadlock.
            time.sleep(min(0.02 * (attempt + 1), 0.2))
            continue
        try:
            with transaction.atomic():
                taken = DiscountCode.objects.filter(pk=code.pk, redeemed_at__isnull=True).update(
                    redeemed_at=now, redeemed_by=consumer, redemption_ref=redemption_ref
                )
        except IntegrityError:
            return DiscountCode.objects.get(pool=pool, redemption_ref=redemption_ref)
        if taken:
            break
    else:  # pragma: no cover - needs 20 consecutive lost races
        raise ConflictError("Too much contention on the code pool; retry.", code=OfferErrorCode.POOL_BUSY)
    if not _spend(campaign_id=campaign.pk, amount=offer.unit_cost):
        # Raising rolls the redemption back.
        raise ConflictError("The campaign budget is spent.", code=OfferErrorCode.BUDGET_EXHAUSTED)
    code.refresh_from_db()
    return code


@dataclass(frozen=True)
class PoolStock:
    total: int
    redeemed: int

    @property
    def available(self) -> int:
        return self.total - self.redeemed


def pool_stock(*, pool: CodePool) -> PoolStock:
    total = pool.codes.count()
    return PoolStock(total=total, redeemed=pool.codes.filter(redeemed_at__isnull=False).count())
