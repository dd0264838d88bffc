"""Campaign lifecycle: draft → in_review → approved → scheduled → running ⇄ paused → completed, or cancelled.

Every transition is a guarded service: it locks the campaign row, checks the current state, writes, and audits.
The review runs the checks a campaign must pass before it may reach people (agreements, consent coverage, dates and
budget, co-branding, variants) and stores each result with its reason on `Campaign.review_report`.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from campaigns.error_codes import CampaignErrorCode
from campaigns.models import (
    AllocationChange,
    AllocationPolicy,
    AttributionModel,
    Campaign,
    DataCategory,
    DataPurpose,
    DataSharingAgreement,
    Organization,
    User,
)
from campaigns.services.audiences import audience_definition_clean
from campaigns.services.audit import audit_record
from campaigns.services.review_messages import review_check
from xmkt_site.errors import ApplicationError, ConflictError

Status = Campaign.Status

# Which states each transition leaves from. Anything else is refused with a 409.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.IN_REVIEW),
    "schedule": (frozenset({Status.APPROVED}), Status.SCHEDULED),
    "launch": (frozenset({Status.APPROVED, Status.SCHEDULED}), Status.RUNNING),
    "pause": (frozenset({Status.RUNNING}), Status.PAUSED),
    "resume": (frozenset({Status.PAUSED}), Status.RUNNING),
    "complete": (frozenset({Status.RUNNING, Status.PAUSED}), Status.COMPLETED),
    "cancel": (
        frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.SCHEDULED, Status.RUNNING, Status.PAUSED}),
        Status.CANCELLED,
    ),
    "reopen": (frozenset({Status.APPROVED, Status.SCHEDULED}), Status.DRAFT),
}
EDITABLE_STATES = frozenset({Status.DRAFT})

EDITABLE_FIELDS = (
    "name",
    "description",
    "starts_at",
    "ends_at",
    "budget",
    "currency",
    "purposes",
    "data_categories",
    "allocation_policy",
    "allocation_floor",
    "frequency_cap",
    "attribution_window_days",
    "attribution_model",
    "allowed_redirect_hosts",
)


def _validate_lists(*, purposes: Iterable[str], data_categories: Iterable[str]) -> None:
    bad_purposes = sorted(set(purposes) - set(DataPurpose.values))
    bad_categories = sorted(set(data_categories) - set(DataCategory.values))
    fields: dict[str, list[str]] = {}
    if bad_purposes:
        fields["purposes"] = [f"Unknown purposes: {', '.join(bad_purposes)}"]
    if bad_categories:
        fields["data_categories"] = [f"Unknown data categories: {', '.join(bad_categories)}"]
    if fields:
        raise ApplicationError("Invalid purposes or data categories.", fields=fields)


def _normalised_hosts(hosts: Iterable[str]) -> list[str]:
    return sorted({h.strip().lower() for h in hosts if h and h.strip()})


def _partners_checked(*, organization: Organization, partners: Iterable[Organization]) -> list[Organization]:
    partners = list(partners)
    for partner in partners:
        if partner.kind != Organization.Kind.PARTNER or partner.pk == organization.pk:
            raise ApplicationError(
                "Every co-branding party must be a partner organization.", code=CampaignErrorCode.INVALID_PARTNER
            )
    return partners


@transaction.atomic
def campaign_create(
    *,
    organization: Organization,
    name: str,
    by: User | None,
    partners: Iterable[Organization] = (),
    description: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    budget: Decimal = Decimal("0"),
    currency: str = "CNY",
    purposes: Iterable[str] = (DataPurpose.MARKETING_CONTACT,),
    data_categories: Iterable[str] = (),
    allocation_policy: str = AllocationPolicy.FIXED_SPLIT,
    allocation_floor: float = 0.01,
    frequency_cap: int = 0,
    attribution_window_days: int = 7,
    attribution_model: str = AttributionModel.LAST_TOUCH,
    allowed_redirect_hosts: Iterable[str] = (),
) -> Campaign:
    if organization.kind != Organization.Kind.PLATFORM:
        raise ApplicationError("Only the platform organization runs campaigns.", code=CampaignErrorCode.NOT_PLATFORM)
    purposes, data_categories = sorted(set(purposes)), sorted(set(data_categories))
    _validate_lists(purposes=purposes, data_categories=data_categories)
    partner_list = _partners_checked(organization=organization, partners=partners)
    campaign = Campaign(
        organization=organization,
        name=name,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        budget=budget,
        currency=currency,
        purposes=purposes,
        data_categories=data_categories,
        allocation_policy=allocation_policy,
        allocation_floor=allocation_floor,
        frequency_cap=frequency_cap,
        attribution_window_days=attribution_window_days,
        attribution_model=attribution_model,
        allowed_redirect_hosts=_normalised_hosts(allowed_redirect_hosts),
        salt=secrets.token_hex(8),
        created_by=by,
    )
    campaign.full_clean()
    campaign.save()
    campaign.partners.set(partner_list)
    audit_record(
        action="campaign.create",
        user=by,
        organization=organization,
        target=campaign,
        metadata={"partners": [p.pk for p in partner_list]},
    )
    return campaign


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, by: User | None, partners: Iterable[Organization] | None = None, **changes: Any
) -> Campaign:
    campaign = _locked(campaign)
    if campaign.status not in EDITABLE_STATES:
        raise ConflictError(
            "Only a draft campaign can be edited; reopen it first.", code=CampaignErrorCode.NOT_EDITABLE
        )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Fields that cannot be edited: {', '.join(sorted(unknown))}")
    if "purposes" in changes or "data_categories" in changes:
        changes.setdefault("purposes", campaign.purposes)
        changes.setdefault("data_categories", campaign.data_categories)
        changes["purposes"] = sorted(set(changes["purposes"]))
        changes["data_categories"] = sorted(set(changes["data_categories"]))
        _validate_lists(purposes=changes["purposes"], data_categories=changes["data_categories"])
    if "allowed_redirect_hosts" in changes:
        changes["allowed_redirect_hosts"] = _normalised_hosts(changes["allowed_redirect_hosts"])
    for field, value in changes.items():
        setattr(campaign, field, value)
    campaign.full_clean()
    campaign.save()
    if partners is not None:
        campaign.partners.set(_partners_checked(organization=campaign.organization, partners=partners))
    audit_record(
        action="campaign.update",
        user=by,
        organization=campaign.organization,
        target=campaign,
        metadata={"fields": sorted(changes) + (["partners"] if partners is not None else [])},
    )
    return campaign


def campaign_audience_set(
    *, campaign: Campaign, by: User | None, segment_ids: Iterable[int] = (), rules: dict | None = None
) -> Campaign:
    """Store the audience definition; the analytics side resolves it (segments live there)."""
    definition = audience_definition_clean(segment_ids=segment_ids, rules=rules or {})
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status not in EDITABLE_STATES:
            raise ConflictError("Only a draft campaign's audience can be changed.", code=CampaignErrorCode.NOT_EDITABLE)
        campaign.audience = definition
        campaign.save(update_fields=["audience", "updated_at"])
        audit_record(
            action="campaign.audience_set",
            user=by,
            organization=campaign.organization,
            target=campaign,
            metadata={"segments": len(definition["segment_ids"]), "rules": sorted(definition["rules"])},
        )
    return campaign


# --- Review -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceEstimate:
    """What the analytics side measured before launch: the defined audience and how much of it may be contacted."""

    matching: int  # consumers matching the definition, consent ignored
    contactable: int  # of those, with marketing_contact consent in force: the audience that will actually be used

    @property
    def coverage(self) -> float:
        return self.contactable / self.matching if self.matching else 0.0


def active_agreement(*, platform: Organization, partner: Organization, on) -> DataSharingAgreement | None:
    return (
        DataSharingAgreement.objects.filter(platform=platform, partner=partner)
        .in_force(on)
        .order_by("-valid_from", "-id")
        .first()
    )


def campaign_review_checks(
    *, campaign: Campaign, audience: AudienceEstimate | None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every check the review runs, each with a reason, in the order the detail page shows them."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    checks: list[dict[str, Any]] = []
    partners = list(campaign.partners.order_by("name"))
    if not partners:
        checks.append(review_check("partners", False, "partners_missing"))
    needed_purposes = set(campaign.purposes)
    needed_categories = set(campaign.data_categories)
    for partner in partners:
        named = {"partner": partner.name}
        agreement = active_agreement(platform=campaign.organization, partner=partner, on=today)
        if agreement is None:
            checks.append(review_check("agreement", False, "agreement_missing", named, partner=partner.pk))
            continue
        missing_purposes = sorted(needed_purposes - set(agreement.purposes))
        missing_categories = sorted(needed_categories - set(agreement.data_categories))
        if missing_purposes or missing_categories:
            params = {**named, "missing": missing_purposes + missing_categories}
            checks.append(
                review_check(
                    "agreement", False, "agreement_incomplete", params, partner=partner.pk, agreement=agreement.pk
                )
            )
        else:
            params = {**named, "agreement": agreement.title}
            checks.append(
                review_check("agreement", True, "agreement_ok", params, partner=partner.pk, agreement=agreement.pk)
            )
    if audience is None:
        checks.append(review_check("audience", False, "audience_not_estimated"))
    elif audience.contactable == 0:
        checks.append(
            review_check(
                "audience",
                False,
                "audience_no_consent",
                {"matching": audience.matching},
                matching=audience.matching,
                contactable=0,
            )
        )
    else:
        coverage = round(audience.coverage, 4)
        params = {"contactable": audience.contactable, "matching": audience.matching, "coverage": coverage}
        checks.append(
            review_check(
                "audience",
                True,
                "audience_ok",
                params,
                matching=audience.matching,
                contactable=audience.contactable,
                coverage=coverage,
            )
        )
    if campaign.starts_at is None or campaign.ends_at is None:
        checks.append(review_check("dates", False, "dates_missing"))
    elif campaign.ends_at <= now:
        checks.append(review_check("dates", False, "dates_past"))
    else:
        checks.append(review_check("dates", True, "dates_ok"))
    if campaign.budget <= 0:
        checks.append(review_check("budget", False, "budget_missing"))
    else:
        params = {"budget": str(campaign.budget), "currency": campaign.currency}
        checks.append(review_check("budget", True, "budget_ok", params))
    brandings = {b.partner_id: b for b in campaign.co_brandings.all()}
    for partner in partners:
        branding = brandings.get(partner.pk)
        missing = branding.missing if branding else ["display_name", "logo", "landing_copy_zh", "landing_copy_en"]
        if missing:
            params = {"partner": partner.name, "missing": missing}
            checks.append(review_check("co_branding", False, "co_branding_incomplete", params, partner=partner.pk))
        else:
            params = {"partner": partner.name}
            checks.append(review_check("co_branding", True, "co_branding_ok", params, partner=partner.pk))
    variants = list(campaign.variants.all())
    controls = sum(1 for v in variants if v.is_control)
    if len(variants) < 2 or controls != 1:
        checks.append(review_check("variants", False, "variants_invalid"))
    else:
        checks.append(review_check("variants", True, "variants_ok", {"count": len(variants)}))
    return checks


def _transition(*, campaign: Campaign, action: str, by: User | None, metadata: dict | None = None) -> Campaign:
    sources, target = TRANSITIONS[action]
    if campaign.status not in sources:
        raise ConflictError(
            f"Cannot {action} a campaign that is {campaign.get_status_display()}.",
            code=CampaignErrorCode.INVALID_TRANSITION,
            extra={"status": campaign.status},
        )
    previous = campaign.status
    campaign.status = target
    campaign.full_clean()
    campaign.save()
    audit_record(
        action=f"campaign.{action}",
        user=by,
        organization=campaign.organization,
        target=campaign,
        metadata={"from": previous, "to": target, **(metadata or {})},
    )
    return campaign


@transaction.atomic
def campaign_submit_for_review(
    *, campaign: Campaign, by: User | None, audience: AudienceEstimate | None, now: datetime | None = None
) -> Campaign:
    """draft → in_review, run the checks, then → approved when all pass or back to draft with the reasons."""
    campaign = _locked(campaign)
    _transition(campaign=campaign, action="submit", by=by)
    now = now or timezone.now()
    checks = campaign_review_checks(campaign=campaign, audience=audience, now=now)
    passed = all(c["passed"] for c in checks)
    campaign.review_report = {"passed": passed, "checked_at": now.isoformat(), "checks": checks}
    campaign.reviewed_at = now
    campaign.status = Status.APPROVED if passed else Status.DRAFT
    campaign.save(update_fields=["review_report", "reviewed_at", "status", "updated_at"])
    audit_record(
        action="campaign.review",
        user=by,
        organization=campaign.organization,
        target=campaign,
        metadata={"passed": passed, "failed": [c["key"] for c in checks if not c["passed"]]},
    )
    return campaign


@transaction.atomic
def campaign_schedule(*, campaign: Campaign, by: User | None) -> Campaign:
    campaign = _locked(campaign)
    if campaign.starts_at is None:
        raise ApplicationError("A scheduled campaign needs a start date.", code=CampaignErrorCode.NO_START)
    return _transition(campaign=campaign, action="schedule", by=by)


def _initial_weights(campaign: Campaign) -> dict[str, float]:
    variants = list(campaign.variants.all())
    if not variants:
        raise ConflictError("The campaign has no variants.", code=CampaignErrorCode.NO_VARIANTS)
    given = [v.weight for v in variants]
    if campaign.allocation_policy == AllocationPolicy.FIXED_SPLIT and sum(given) > 0 and all(w > 0 for w in given):
        total = sum(given)
        return {v.key: v.weight / total for v in variants}
    return {v.key: 1.0 / len(variants) for v in variants}


@transaction.atomic
def campaign_launch(*, campaign: Campaign, by: User | None, now: datetime | None = None) -> Campaign:
    """approved|scheduled → running. The first launch fixes the initial weights and records them."""
    campaign = _locked(campaign)
    first_launch = campaign.launched_at is None
    _transition(campaign=campaign, action="launch", by=by)
    if first_launch:
        campaign.launched_at = now or timezone.now()
        campaign.save(update_fields=["launched_at", "updated_at"])
        weights = _initial_weights(campaign)
        for variant in campaign.variants.all():
            variant.weight = weights[variant.key]
            variant.save(update_fields=["weight", "updated_at"])
        campaign.arm_layout = []  # the analytics side derives the contiguous layout from the weights on first use
        campaign.save(update_fields=["arm_layout", "updated_at"])
        AllocationChange.objects.create(
            campaign=campaign, policy=campaign.allocation_policy, weights=weights, reason="launch"
        )
    return campaign


@transaction.atomic
def campaign_pause(*, campaign: Campaign, by: User | None) -> Campaign:
    return _transition(campaign=_locked(campaign), action="pause", by=by)


@transaction.atomic
def campaign_resume(*, campaign: Campaign, by: User | None) -> Campaign:
    return _transition(campaign=_locked(campaign), action="resume", by=by)


@transaction.atomic
def campaign_complete(*, campaign: Campaign, by: User | None, now: datetime | None = None) -> Campaign:
    campaign = _transition(campaign=_locked(campaign), action="complete", by=by)
    campaign.completed_at = now or timezone.now()
    campaign.save(update_fields=["completed_at", "updated_at"])
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, by: User | None) -> Campaign:
    return _transition(campaign=_locked(campaign), action="cancel", by=by)


@transaction.atomic
def campaign_reopen(*, campaign: Campaign, by: User | None) -> Campaign:
    """approved|scheduled → draft, to edit; it must pass review again."""
    return _transition(campaign=_locked(campaign), action="reopen", by=by)


ACTIONS = {
    "schedule": campaign_schedule,
    "launch": campaign_launch,
    "pause": campaign_pause,
    "resume": campaign_resume,
    "complete": campaign_complete,
    "cancel": campaign_cancel,
    "reopen": campaign_reopen,
}


def campaign_apply_action(*, campaign: Campaign, action: str, by: User | None) -> Campaign:
    """The state buttons and the API's action endpoint. Review is separate: it needs the audience estimate."""
    if action not in ACTIONS:
        raise ApplicationError(f"Unknown action {action!r}.", code=CampaignErrorCode.UNKNOWN_ACTION)
    return ACTIONS[action](campaign=campaign, by=by)


def campaigns_start_due(*, now: datetime | None = None) -> list[int]:
    """Beat: scheduled campaigns whose start has come begin running."""
    now = now or timezone.now()
    started = []
    for campaign in Campaign.objects.filter(status=Status.SCHEDULED, starts_at__lte=now).order_by("pk"):
        try:
            campaign_launch(campaign=campaign, by=None, now=now)
        except ConflictError:  # another worker got there first
            continue
        started.append(campaign.pk)
    return started


def campaigns_end_due(*, now: datetime | None = None) -> list[int]:
    """Beat: running or paused campaigns whose end has passed are completed."""
    now = now or timezone.now()
    ended = []
    for campaign in Campaign.objects.filter(status__in=[Status.RUNNING, Status.PAUSED], ends_at__lte=now).order_by(
        "pk"
    ):
        try:
            campaign_complete(campaign=campaign, by=None, now=now)
        except ConflictError:
            continue
        ended.append(campaign.pk)
    return ended


def agreement_create(
    *,
    platform: Organization,
    partner: Organization,
    by: User | None,
    title: str,
    purposes: Iterable[str],
    data_categories: Iterable[str],
    valid_from,
    valid_until=None,
    min_aggregate_size: int = 50,
) -> DataSharingAgreement:
    """A signed, active agreement (the API's way to record one; drafting happens on paper and in the admin)."""
    purposes, data_categories = sorted(set(purposes)), sorted(set(data_categories))
    _validate_lists(purposes=purposes, data_categories=data_categories)
    agreement = DataSharingAgreement(
        platform=platform,
        partner=partner,
        title=title,
        purposes=purposes,
        data_categories=data_categories,
        valid_from=valid_from,
        valid_until=valid_until,
        min_aggregate_size=min_aggregate_size,
        status=DataSharingAgreement.Status.ACTIVE,
        signed_by=by,
        signed_at=timezone.now(),
    )
    agreement.full_clean()
    agreement.save()
    audit_record(action="agreement.create", user=by, organization=platform, target=agreement)
    return agreement
